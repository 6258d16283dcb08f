// Record views (SPEC §6, docs/api.md "Record state", "Paging"): chips, sites, parties, agents and
// licenses, list routes and findings, all from the live audit engine's maintained state, and
// subjects' histories paged newest first on the ledger's indexes. No route here reads a whole
// history or the whole log.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/http_util.h"
#include "api/service.h"
#include "ledger/entry.h"

namespace chipledger::api {
namespace {

using nlohmann::json;

// The first page of a history embedded in a record view.
constexpr size_t kEmbeddedPage = 20;
// The open findings a record view shows at most; `open_findings_total` counts them all (a site
// may have hundreds of thousands: /v1/findings pages through them).
constexpr size_t kOpenFindingsShown = 100;

json CursorJson(const std::optional<std::string>& cursor) {
  return cursor ? json(*cursor) : json(nullptr);
}

// One page of a history, newest first: {items, next_cursor}.
Result<json> HistoryPage(const Ledger& ledger, EventQuery query,
                         EventDetail detail = EventDetail::kSummary) {
  query.newest_first = true;
  Result<EventPage> page = ledger.QueryEvents(query);
  if (!page.ok()) return page.status();
  json items = json::array();
  for (uint64_t index : page->indices) {
    Result<json> item = EventItem(ledger, index, detail);
    if (!item.ok()) return item.status();
    items.push_back(std::move(*item));
  }
  std::optional<std::string> next;
  if (page->next_cursor) next = std::to_string(*page->next_cursor);
  return json{{"items", std::move(items)}, {"next_cursor", CursorJson(next)}};
}

// The query naming the subject of a history: `kind` is chips, sites, parties or agents.
void NameSubject(std::string_view kind, const std::string& id, EventQuery* query) {
  if (kind == "chips") query->serial = id;
  if (kind == "sites") query->site = id;
  if (kind == "parties") query->party = id;
  if (kind == "agents") query->agent = id;
}

// The newest page of the subject's history, embedded in its record view.
Result<json> LatestEvents(const Ledger& ledger, std::string_view kind, const std::string& id) {
  EventQuery query;
  NameSubject(kind, id, &query);
  query.limit = kEmbeddedPage;
  return HistoryPage(ledger, query);
}

// Sets a record view's `open_findings` (the first ones) and `open_findings_total`.
void AddOpenFindings(Service* s, std::string_view kind, const std::string& id, json* view) {
  OpenFindings open = s->audit->OpenFindingsAbout(kind, id, kOpenFindingsShown);
  (*view)["open_findings"] = std::move(open.first);
  (*view)["open_findings_total"] = open.total;
}

bool AuditRunning(Service* s, Call& call) {
  if (!s->audit) SendError(call.res, 503, "unavailable", "the live audit is not running");
  return s->audit != nullptr;
}

// GET /v1/{chips,sites,parties,agents}/{id}/events: newest first.
void GetHistory(Service* s, Call& call, std::string_view kind) {
  Result<EventQuery> query = ParseEventQuery(call.req, s->config.limits.max_page_size);
  if (!query.ok()) return SendStatus(call.res, query.status());
  NameSubject(kind, call.params[0], &*query);
  Result<EventDetail> detail = EventDetailParam(call.req, EventDetail::kSummary);
  if (!detail.ok()) return SendStatus(call.res, detail.status());
  Result<json> page = HistoryPage(*s->ledger, *query, *detail);
  if (!page.ok()) return SendStatus(call.res, page.status());
  SendJson(call.res, 200, *page);
}

// The site's heartbeat coverage window, `coverage_hours` (default the D11 gap of 24 h).
Result<double> CoverageHours(const httplib::Request& req) {
  Result<std::optional<uint64_t>> hours = UintParam(req, "coverage_hours");
  if (!hours.ok()) return hours.status();
  if (hours->value_or(24) < 1 || hours->value_or(24) > 24 * 366) {
    return Status::InvalidArgument("bad_parameter", "coverage_hours: must be 1 to 8784");
  }
  return static_cast<double>(hours->value_or(24));
}

void GetChip(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  const std::string& serial = call.params[0];
  json state = s->audit->State("chip", serial, 0);
  Result<json> history = LatestEvents(*s->ledger, "chips", serial);
  if (!history.ok()) return SendStatus(call.res, history.status());
  if (state.is_null() && (*history)["items"].empty()) {
    return SendError(call.res, 404, "not_found", "serial: no event names chip " + serial);
  }
  if (!state.is_null() && state["last_seen"].is_object()) {
    Result<json> seen = EventSummary(*s->ledger, state["last_seen"]["index"].get<uint64_t>());
    if (!seen.ok()) return SendStatus(call.res, seen.status());
    state["last_seen"]["type"] = (*seen)["type"];
  }
  json view = {{"serial", serial},
               {"state", std::move(state)},
               {"history", (*history)["items"]},
               {"history_next_cursor", (*history)["next_cursor"]}};
  AddOpenFindings(s, "chip", serial, &view);
  SendJson(call.res, 200, view);
}

// The body object a registry event carries, as written: payload[key].
Result<json> RecordBody(const Ledger& ledger, uint64_t index, const char* key) {
  Result<json> view = EntryView(ledger, index);
  if (!view.ok()) return view.status();
  json& event = (*view)["event"];
  if (!event.is_object() || !event.contains(key)) {
    return Status::Corruption("entry " + std::to_string(index) + ": no " + key);
  }
  return event[key];
}

// How a registered record is served: its registry kind, the payload key holding its body, its
// noun in messages and findings, and its list route's name.
struct RecordSpec {
  RecordKind kind;
  const char* key;
  const char* noun;
  const char* plural;
};
constexpr RecordSpec kSite{RecordKind::kSite, "site", "site", "sites"};
constexpr RecordSpec kParty{RecordKind::kParty, "party", "party", "parties"};
constexpr RecordSpec kAgent{RecordKind::kAgent, "enroll", "agent", "agents"};
constexpr RecordSpec kLicense{RecordKind::kLicense, "license", "license", "licenses"};

// A registered record: its latest registering body, `state`, the newest page of its history
// (licenses have none: the log is not indexed by license) and its open findings.
void SendRecord(Service* s, Call& call, const RecordSpec& spec, json state) {
  const std::string& id = call.params[0];
  std::optional<uint64_t> latest = s->ledger->LatestRecord(spec.kind, id);
  if (!latest) {
    return SendError(call.res, 404, "not_found",
                     std::string(spec.noun) + " " + id + ": not registered");
  }
  Result<json> record = RecordBody(*s->ledger, *latest, spec.key);
  if (!record.ok()) return SendStatus(call.res, record.status());
  json out = {{"id", id}, {"record", *record}, {"registered_at", *latest}, {"state", state}};
  if (spec.kind != RecordKind::kLicense) {
    Result<json> events = LatestEvents(*s->ledger, spec.plural, id);
    if (!events.ok()) return SendStatus(call.res, events.status());
    out["events"] = (*events)["items"];
    out["events_next_cursor"] = (*events)["next_cursor"];
  }
  if (s->audit) AddOpenFindings(s, spec.noun, id, &out);
  SendJson(call.res, 200, out);
}

void GetSite(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  Result<double> hours = CoverageHours(call.req);
  if (!hours.ok()) return SendStatus(call.res, hours.status());
  SendRecord(s, call, kSite, s->audit->State("site", call.params[0], *hours));
}

void GetParty(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  SendRecord(s, call, kParty, s->audit->State("party", call.params[0], 0));
}

// The agent's state is the ledger's admission registry (role, sites, key, seq chain).
void GetAgent(Service* s, Call& call) {
  std::optional<AgentState> agent = s->ledger->Agent(call.params[0]);
  json state = nullptr;
  if (agent) {
    state = {
        {"role", agent->role ? json(RoleName(*agent->role)) : json(nullptr)},
        {"org", agent->org},
        {"sites", agent->sites},
        {"valid_until", agent->valid_until ? json(FormatTime(*agent->valid_until)) : json(nullptr)},
        {"key_id", KeyId(agent->key)},
        {"public_key", Base64Encode(agent->key)},
        {"revoked", agent->revoked},
        {"last_seq", agent->last_seq},
        {"last_payload_hash", ToHex(agent->last_payload_hash)}};
  }
  SendRecord(s, call, kAgent, state);
}

// A license's state, with the first page of the shipments under it.
void GetLicense(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  const std::string& id = call.params[0];
  json state = s->audit->State("license", id, 0);
  if (!state.is_null()) {
    audit::Engine::ListQuery query;
    query.filters["license"] = id;
    query.limit = kEmbeddedPage;
    Result<audit::Engine::ListPage> shipments = s->audit->List("shipments", query);
    if (!shipments.ok()) return SendStatus(call.res, shipments.status());
    state["shipments"] = shipments->items;
    state["shipments_next_cursor"] = CursorJson(shipments->next);
  }
  SendRecord(s, call, kLicense, state);
}

// GET /v1/{kind}?filters…&limit=&cursor=: `filters` are the route's own parameters.
void GetList(Service* s, Call& call, std::string_view kind,
             const std::vector<std::string>& filters) {
  if (!AuditRunning(s, call)) return;
  audit::Engine::ListQuery query;
  for (const std::string& name : filters) {
    if (auto value = Param(call.req, name.c_str())) query.filters[name] = *value;
  }
  query.after = Param(call.req, "cursor").value_or("");
  Result<size_t> limit = PageLimit(call.req, s->config.limits.max_page_size);
  if (!limit.ok()) return SendStatus(call.res, limit.status());
  query.limit = *limit;
  if (kind == "agents" && query.filters.count("site")) {
    // Agents' sites are the ledger's admission registry, not the engine's.
    std::string site = query.filters["site"];
    query.filters.erase("site");
    query.keep = [s, site](const std::string& id) {
      std::optional<AgentState> agent = s->ledger->Agent(id);
      return agent &&
             std::find(agent->sites.begin(), agent->sites.end(), site) != agent->sites.end();
    };
  }
  Result<audit::Engine::ListPage> page = s->audit->List(kind, query);
  if (!page.ok()) return SendStatus(call.res, page.status());
  SendJson(call.res, 200, {{"items", page->items}, {"next_cursor", CursorJson(page->next)}});
}

// The filter of /v1/findings and /v1/findings/counts.
Result<FindingFilter> FindingFilterOf(const Call& call) {
  FindingFilter filter{Param(call.req, "status"),     Param(call.req, "severity"),
                       Param(call.req, "rule"),       Param(call.req, "site"),
                       Param(call.req, "party"),      Param(call.req, "subject_kind"),
                       Param(call.req, "subject_id"), std::nullopt};
  Result<std::optional<uint64_t>> since = UintParam(call.req, "since");
  if (!since.ok()) return since.status();
  filter.since = *since;
  return filter;
}

void GetFindings(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  Result<FindingFilter> filter = FindingFilterOf(call);
  if (!filter.ok()) return SendStatus(call.res, filter.status());
  Result<size_t> limit = PageLimit(call.req, s->config.limits.max_page_size);
  if (!limit.ok()) return SendStatus(call.res, limit.status());
  Result<FindingPage> page =
      s->audit->FindingsPage(*filter, Param(call.req, "cursor").value_or(""), *limit);
  if (!page.ok()) return SendStatus(call.res, page.status());
  SendJson(call.res, 200,
           {{"findings", page->findings}, {"next_cursor", CursorJson(page->next_cursor)}});
}

void GetFindingCounts(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  Result<FindingFilter> filter = FindingFilterOf(call);
  if (!filter.ok()) return SendStatus(call.res, filter.status());
  Result<FindingCounts> counts = s->audit->CountFindings(*filter);
  if (!counts.ok()) return SendStatus(call.res, counts.status());
  SendJson(call.res, 200,
           {{"tree_size", counts->tree_size},
            {"total", counts->total},
            {"by_severity", counts->by_severity},
            {"by_rule", counts->by_rule},
            {"by_status", counts->by_status}});
}

// A shipment's state from the live audit (its chips, license, destination, receipt) and its
// open findings.
void GetShipment(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  const std::string& id = call.params[0];
  json state = s->audit->State("shipment", id, 0);
  if (state.is_null()) {
    return SendError(call.res, 404, "not_found", "shipment " + id + ": never dispatched");
  }
  json view = {{"id", id}, {"state", std::move(state)}};
  AddOpenFindings(s, "shipment", id, &view);
  SendJson(call.res, 200, view);
}

void GetWhitelist(Service* s, Call& call) {
  if (!AuditRunning(s, call)) return;
  Result<std::string> envelope = s->audit->Whitelist();
  if (!envelope.ok()) return SendStatus(call.res, envelope.status());
  call.res.set_content(*envelope, "application/json");
}

void AddList(Service* s, Router* router, const char* kind, std::vector<std::string> filters) {
  std::vector<std::string> params = filters;
  params.insert(params.end(), {"limit", "cursor"});
  router->Add("GET", std::string("/v1/") + kind, Access::kReader, params,
              [s, kind, filters](Call& call) { GetList(s, call, kind, filters); });
}

void AddHistory(Service* s, Router* router, const char* kind) {
  router->Add("GET", std::string("/v1/") + kind + "/{}/events", Access::kReader,
              {"type", "limit", "cursor", "view"},
              [s, kind](Call& call) { GetHistory(s, call, kind); });
}

}  // namespace

void AddRecordRoutes(Service* s, Router* router) {
  router->Add("GET", "/v1/chips/{}", Access::kReader, {}, Bind(s, GetChip));
  router->Add("GET", "/v1/sites/{}", Access::kReader, {"coverage_hours"}, Bind(s, GetSite));
  router->Add("GET", "/v1/parties/{}", Access::kReader, {}, Bind(s, GetParty));
  router->Add("GET", "/v1/agents/{}", Access::kReader, {}, Bind(s, GetAgent));
  router->Add("GET", "/v1/licenses/{}", Access::kReader, {}, Bind(s, GetLicense));
  for (const char* kind : {"chips", "sites", "parties", "agents"}) AddHistory(s, router, kind);
  AddList(s, router, "chips", {"site", "status"});
  AddList(s, router, "sites", {"party"});
  AddList(s, router, "parties", {"status", "kind"});
  AddList(s, router, "licenses", {"party", "status"});
  AddList(s, router, "agents", {"role", "org", "site"});
  AddList(s, router, "shipments", {"license", "site", "status"});
  router->Add("GET", "/v1/shipments/{}", Access::kReader, {}, Bind(s, GetShipment));
  std::vector<std::string> filters = {"status", "severity",     "rule",       "site",
                                      "party",  "subject_kind", "subject_id", "since"};
  router->Add("GET", "/v1/findings/counts", Access::kReader, filters, Bind(s, GetFindingCounts));
  filters.insert(filters.end(), {"limit", "cursor"});
  router->Add("GET", "/v1/findings", Access::kReader, filters, Bind(s, GetFindings));
  router->Add("GET", "/v1/whitelist", Access::kReader, {}, Bind(s, GetWhitelist));
}

}  // namespace chipledger::api
