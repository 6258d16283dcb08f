// Record views (SPEC §6): chips, sites, parties, agents and licenses as the log states them, and
// the live audit's findings and white list.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <variant>

#include "api/http_util.h"
#include "api/service.h"
#include "ledger/entry.h"

namespace chipledger::api {
namespace {

using nlohmann::json;

// Every entry index matching `query`, oldest first, paging through the ledger.
Result<std::vector<uint64_t>> AllMatching(const Ledger& ledger, EventQuery query) {
  std::vector<uint64_t> out;
  query.limit = 1000;
  while (true) {
    Result<EventPage> page = ledger.QueryEvents(query);
    if (!page.ok()) return page.status();
    out.insert(out.end(), page->indices.begin(), page->indices.end());
    if (!page->next_cursor) return out;
    query.cursor = *page->next_cursor;
  }
}

// The parsed event of entry `index`, with its integrated time.
struct LoggedEvent {
  uint64_t index;
  std::string integrated_time;
  Event event;
};
Result<LoggedEvent> ReadEvent(const Ledger& ledger, uint64_t index) {
  Result<std::string> bytes = ledger.EntryBytes(index);
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  Result<Event> event = ParseEvent(entry->envelope.payload);
  if (!event.ok()) return Status::Corruption("entry " + std::to_string(index) + ": bad payload");
  return LoggedEvent{index, FormatTime(entry->integrated_time), std::move(*event)};
}

// The chip's current state, folded over its history (SPEC §6: status, site, host, license,
// last seen).
class ChipState {
 public:
  explicit ChipState(std::string serial) : serial_(std::move(serial)) {}

  void Apply(const LoggedEvent& e) {
    std::visit([&](const auto& body) { On(e, body); }, e.event.body);
  }
  json ToJson() const { return state_; }

 private:
  void On(const LoggedEvent&, const ShipmentDispatched& b) {
    state_["status"] = "dispatched";
    state_["shipment"] = b.shipment;
    state_["license"] = b.license;
    state_["site"] = nullptr;
    state_["host"] = nullptr;
    for (const ShippedChip& chip : b.chips) {
      if (chip.serial == serial_) state_["model"] = chip.model;
    }
  }
  void On(const LoggedEvent&, const ShipmentReceived& b) {
    state_["status"] = "received";
    state_["site"] = b.site;
  }
  void On(const LoggedEvent&, const ChipInstalled& b) {
    state_["status"] = "installed";
    state_["site"] = b.site;
    for (const InstalledChip& chip : b.chips) {
      if (chip.serial == serial_) state_["host"] = chip.host;
    }
  }
  void On(const LoggedEvent&, const ChipTransferred& b) {
    state_["status"] = "transferred";
    state_["site"] = b.to_site;
    state_["license"] = b.license;
    state_["host"] = nullptr;
  }
  void On(const LoggedEvent&, const ChipDecommissioned& b) {
    state_["status"] = "decommissioned";
    state_["site"] = b.site;
  }
  void On(const LoggedEvent& e, const InspectionPerformed& b) {
    for (const ObservedChip& chip : b.observed) {
      if (chip.serial == serial_) Seen(e, b.site);
    }
  }
  void On(const LoggedEvent& e, const MonitorHeartbeat& b) {
    for (const OnlineChip& chip : b.online) {
      if (chip.serial == serial_) Seen(e, b.site);
    }
  }
  template <typename Other>
  void On(const LoggedEvent&, const Other&) {}

  void Seen(const LoggedEvent& e, const std::string& site) {
    state_["last_seen"] = {{"time", FormatTime(e.event.time)},
                           {"site", site},
                           {"index", e.index},
                           {"type", EventTypeName(e.event.type)}};
  }

  std::string serial_;
  json state_ = {{"status", nullptr},  {"site", nullptr},     {"host", nullptr},
                 {"license", nullptr}, {"shipment", nullptr}, {"last_seen", nullptr}};
};

// The body object a registry event carries, as written: payload[key].
Result<json> RecordBody(const Ledger& ledger, uint64_t index, const char* key) {
  Result<json> view = EntryView(ledger, index);
  if (!view.ok()) return view.status();
  json& event = (*view)["event"];
  if (!event.is_object() || !event.contains(key)) {
    return Status::Corruption("entry " + std::to_string(index) + ": no " + key);
  }
  return json{{"index", index}, {key, event[key]}};
}

json IndexList(const std::vector<uint64_t>& indices) { return json(indices); }

void AddFindings(Service* s, std::string_view kind, const std::string& id, json* out) {
  if (s->audit) (*out)["open_findings"] = s->audit->OpenFindings(kind, id);
}

void GetChip(Service* s, Call& call) {
  const std::string& serial = call.params[0];
  EventQuery query;
  query.serial = serial;
  Result<std::vector<uint64_t>> indices = AllMatching(*s->ledger, query);
  if (!indices.ok()) return SendStatus(call.res, indices.status());
  if (indices->empty()) {
    return SendError(call.res, 404, "not_found", "serial: no event names chip " + serial);
  }
  ChipState state(serial);
  json history = json::array();
  for (uint64_t index : *indices) {
    Result<LoggedEvent> e = ReadEvent(*s->ledger, index);
    if (!e.ok()) return SendStatus(call.res, e.status());
    state.Apply(*e);
    history.push_back({{"index", index},
                       {"integrated_time", e->integrated_time},
                       {"type", EventTypeName(e->event.type)},
                       {"agent", e->event.agent},
                       {"time", FormatTime(e->event.time)}});
  }
  json out = {{"serial", serial}, {"state", state.ToJson()}, {"history", std::move(history)}};
  AddFindings(s, "chip", serial, &out);
  SendJson(call.res, 200, out);
}

// A registered record: its latest registering event, the events about it, and `state`.
void SendRecord(Service* s, Call& call, RecordKind kind, const char* key, std::string_view noun,
                const Result<std::vector<uint64_t>>& events, json state) {
  const std::string& id = call.params[0];
  std::optional<uint64_t> latest = s->ledger->LatestRecord(kind, id);
  if (!latest) {
    return SendError(call.res, 404, "not_found", std::string(noun) + " " + id + ": not registered");
  }
  Result<json> record = RecordBody(*s->ledger, *latest, key);
  if (!record.ok()) return SendStatus(call.res, record.status());
  if (!events.ok()) return SendStatus(call.res, events.status());
  json out = {{"id", id},
              {"record", (*record)[key]},
              {"registered_at", *latest},
              {"state", std::move(state)},
              {"events", IndexList(*events)}};
  AddFindings(s, noun, id, &out);
  SendJson(call.res, 200, out);
}

void GetSite(Service* s, Call& call) {
  EventQuery related;
  related.site = call.params[0];
  SendRecord(s, call, RecordKind::kSite, "site", "site", AllMatching(*s->ledger, related),
             json::object());
}

// The latest event of `type` naming the party, as {index, status-like fields}.
Result<json> LatestAbout(const Ledger& ledger, EventType type, const std::string& party,
                         const char* key_field) {
  EventQuery query;
  query.type = type;
  query.party = party;
  Result<std::vector<uint64_t>> indices = AllMatching(ledger, query);
  if (!indices.ok()) return indices.status();
  json latest = nullptr;
  for (uint64_t index : *indices) {
    Result<json> view = EntryView(ledger, index);
    if (!view.ok()) return view.status();
    json& event = (*view)["event"];
    json item = {{"index", index}};
    for (const char* field : {"list", "listed", "status", "reason"}) {
      if (event.contains(field)) item[field] = event[field];
    }
    if (key_field) {
      latest[event.value(key_field, "")] = item;  // latest per list
    } else {
      latest = item;
    }
  }
  return latest;
}

void GetParty(Service* s, Call& call) {
  const std::string& id = call.params[0];
  Result<json> screening = LatestAbout(*s->ledger, EventType::kScreeningListed, id, "list");
  if (!screening.ok()) return SendStatus(call.res, screening.status());
  Result<json> decision = LatestAbout(*s->ledger, EventType::kWhitelistDecision, id, nullptr);
  if (!decision.ok()) return SendStatus(call.res, decision.status());
  EventQuery related;
  related.party = id;
  SendRecord(s, call, RecordKind::kParty, "party", "party", AllMatching(*s->ledger, related),
             {{"screening", *screening}, {"whitelist_decision", *decision}});
}

void GetAgent(Service* s, Call& call) {
  const std::string& id = call.params[0];
  std::optional<AgentState> agent = s->ledger->Agent(id);
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
  EventQuery related;
  related.agent = id;
  SendRecord(s, call, RecordKind::kAgent, "enroll", "agent", AllMatching(*s->ledger, related),
             state);
}

// A license's own events (issued, re-issued, revoked) and whether it is revoked.
void GetLicense(Service* s, Call& call) {
  const std::string& id = call.params[0];
  std::vector<uint64_t> events;
  json state = {{"revoked", false}};
  for (EventType type : {EventType::kLicenseIssued, EventType::kLicenseRevoked}) {
    EventQuery query;
    query.type = type;
    Result<std::vector<uint64_t>> indices = AllMatching(*s->ledger, query);
    if (!indices.ok()) return SendStatus(call.res, indices.status());
    for (uint64_t index : *indices) {
      Result<LoggedEvent> e = ReadEvent(*s->ledger, index);
      if (!e.ok()) return SendStatus(call.res, e.status());
      if (const auto* issued = std::get_if<LicenseIssued>(&e->event.body)) {
        if (issued->id == id) events.push_back(index);
      } else if (const auto* revoked = std::get_if<LicenseRevoked>(&e->event.body)) {
        if (revoked->license != id) continue;
        events.push_back(index);
        state = {{"revoked", true}, {"revoked_at", index}, {"reason", revoked->reason}};
      }
    }
  }
  std::sort(events.begin(), events.end());
  SendRecord(s, call, RecordKind::kLicense, "license", "license", events, state);
}

void GetFindings(Service* s, Call& call) {
  if (!s->audit) return SendError(call.res, 503, "unavailable", "the live audit is not running");
  FindingFilter filter{Param(call.req, "status"), Param(call.req, "severity"),
                       Param(call.req, "rule"), Param(call.req, "site"), Param(call.req, "party")};
  Result<json> findings = s->audit->Findings(filter);
  if (!findings.ok()) return SendStatus(call.res, findings.status());
  SendJson(call.res, 200, {{"findings", *findings}});
}

void GetWhitelist(Service* s, Call& call) {
  if (!s->audit) return SendError(call.res, 503, "unavailable", "the live audit is not running");
  Result<std::string> envelope = s->audit->Whitelist();
  if (!envelope.ok()) return SendStatus(call.res, envelope.status());
  call.res.set_content(*envelope, "application/json");
}

}  // namespace

void AddRecordRoutes(Service* s, Router* router) {
  router->Add("GET", "/v1/chips/{}", Access::kReader, {}, Bind(s, GetChip));
  router->Add("GET", "/v1/sites/{}", Access::kReader, {}, Bind(s, GetSite));
  router->Add("GET", "/v1/parties/{}", Access::kReader, {}, Bind(s, GetParty));
  router->Add("GET", "/v1/agents/{}", Access::kReader, {}, Bind(s, GetAgent));
  router->Add("GET", "/v1/licenses/{}", Access::kReader, {}, Bind(s, GetLicense));
  router->Add("GET", "/v1/findings", Access::kReader,
              {"status", "severity", "rule", "site", "party"}, Bind(s, GetFindings));
  router->Add("GET", "/v1/whitelist", Access::kReader, {}, Bind(s, GetWhitelist));
}

}  // namespace chipledger::api
