// The log's routes: submission (SPEC §4–§5), checkpoint, tiles, entries, events and proofs (§6).
#include <nlohmann/json.hpp>

#include "api/http_util.h"
#include "api/service.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "ledger/tiles.h"

namespace chipledger::api {
namespace {

using nlohmann::json;

json HexList(const std::vector<Hash>& hashes) {
  json out = json::array();
  for (const Hash& h : hashes) out.push_back(ToHex(h));
  return out;
}

void Submit(Service* s, Call& call) {
  AppendResult result = s->ledger->Append(call.req.body);
  if (result.status.ok()) {
    call.res.status = result.duplicate ? 200 : 201;
    call.res.set_content(ReceiptToJson(result.receipt), "application/json");
    return;
  }
  const Status& st = result.status;
  json body = {{"error", st.code()}, {"message", st.message()}};
  if (st.kind() == StatusKind::kConflict) {
    body["expected_seq"] = result.expected_seq;
    body["expected_prev"] = ToHex(result.expected_prev);
  }
  SendJson(call.res, HttpStatusOf(st.kind()), body);
}

// With witnesses configured, the newest checkpoint carrying their quorum (SPEC §10); before the
// first quorum, the log's own newest checkpoint, which a reader requiring the quorum refuses.
void GetCheckpoint(Service* s, Call& call) {
  std::optional<std::string> witnessed;
  if (s->witnessing) witnessed = s->witnessing->WitnessedNote();
  call.res.set_header("Cache-Control", "no-cache");
  call.res.set_content(witnessed ? *witnessed : s->ledger->CheckpointNote(),
                       "text/plain; charset=utf-8");
}

void GetTile(Service* s, Call& call) {
  Result<TileId> tile = ParseTilePath(call.params[0]);
  if (!tile.ok()) return SendStatus(call.res, tile.status());
  uint32_t available = TileWidthAt(tile->entries ? 0 : tile->level, tile->index, s->ledger->size());
  if (available < tile->width) {
    return SendError(call.res, 404, "not_found", "tile/" + call.params[0] + ": not in the log yet");
  }
  Result<std::string> bytes = s->ledger->Tile(*tile);
  if (!bytes.ok()) return SendStatus(call.res, bytes.status());
  call.res.set_header("Cache-Control",
                      tile->full() ? "public, max-age=31536000, immutable" : "public, max-age=10");
  call.res.set_content(*bytes, "application/octet-stream");
}

void GetEntry(Service* s, Call& call) {
  Result<uint64_t> index = ParseUint(call.params[0], "index");
  if (!index.ok()) return SendStatus(call.res, index.status());
  Result<json> view = EntryView(*s->ledger, *index);
  if (!view.ok()) return SendStatus(call.res, view.status());
  SendJson(call.res, 200, *view);
}

void GetEvents(Service* s, Call& call) {
  Result<EventQuery> query = ParseEventQuery(call.req, s->config.limits.max_page_size);
  if (!query.ok()) return SendStatus(call.res, query.status());
  // Whole entries by default, as SPEC §6 defines the route for its clients.
  Result<EventDetail> detail = EventDetailParam(call.req, EventDetail::kFull);
  if (!detail.ok()) return SendStatus(call.res, detail.status());
  Result<EventPage> page = s->ledger->QueryEvents(*query);
  if (!page.ok()) return SendStatus(call.res, page.status());
  json events = json::array();
  for (uint64_t index : page->indices) {
    Result<json> item = EventItem(*s->ledger, index, *detail);
    if (!item.ok()) return SendStatus(call.res, item.status());
    events.push_back(std::move(*item));
  }
  json next = page->next_cursor ? json(std::to_string(*page->next_cursor)) : json(nullptr);
  SendJson(call.res, 200, {{"events", std::move(events)}, {"next_cursor", next}});
}

// Reads a required or defaulted size parameter no larger than the log.
Result<uint64_t> SizeParam(const httplib::Request& req, const char* name,
                           std::optional<uint64_t> fallback, uint64_t log_size) {
  Result<std::optional<uint64_t>> value = UintParam(req, name);
  if (!value.ok()) return value.status();
  std::optional<uint64_t> v = value->has_value() ? *value : fallback;
  if (!v) return Status::InvalidArgument("bad_parameter", std::string(name) + ": required");
  if (*v > log_size) {
    return Status::InvalidArgument(
        "bad_parameter", std::string(name) + ": beyond the log's size " + std::to_string(log_size));
  }
  return *v;
}

void GetInclusionProof(Service* s, Call& call) {
  uint64_t log_size = s->ledger->size();
  Result<uint64_t> tree_size = SizeParam(call.req, "tree_size", log_size, log_size);
  if (!tree_size.ok()) return SendStatus(call.res, tree_size.status());
  Result<uint64_t> index = SizeParam(call.req, "index", std::nullopt, log_size);
  if (!index.ok()) return SendStatus(call.res, index.status());
  if (*index >= *tree_size) {
    return SendError(call.res, 400, "bad_parameter", "index: must be below tree_size");
  }
  Result<Hash> leaf = s->ledger->LeafHashAt(*index);
  if (!leaf.ok()) return SendStatus(call.res, leaf.status());
  Result<std::vector<Hash>> proof = s->ledger->InclusionProof(*index, *tree_size);
  if (!proof.ok()) return SendStatus(call.res, proof.status());
  SendJson(call.res, 200,
           {{"index", *index},
            {"tree_size", *tree_size},
            {"leaf_hash", ToHex(*leaf)},
            {"hashes", HexList(*proof)}});
}

void GetConsistencyProof(Service* s, Call& call) {
  uint64_t log_size = s->ledger->size();
  Result<uint64_t> new_size = SizeParam(call.req, "new", log_size, log_size);
  if (!new_size.ok()) return SendStatus(call.res, new_size.status());
  Result<uint64_t> old_size = SizeParam(call.req, "old", std::nullopt, log_size);
  if (!old_size.ok()) return SendStatus(call.res, old_size.status());
  if (*old_size < 1 || *old_size > *new_size) {
    return SendError(call.res, 400, "bad_parameter", "old: must be from 1 to new");
  }
  Result<std::vector<Hash>> proof = s->ledger->ConsistencyProof(*old_size, *new_size);
  if (!proof.ok()) return SendStatus(call.res, proof.status());
  SendJson(call.res, 200,
           {{"old_size", *old_size}, {"new_size", *new_size}, {"hashes", HexList(*proof)}});
}

}  // namespace

Result<EventQuery> ParseEventQuery(const httplib::Request& req, size_t max_page_size) {
  EventQuery query;
  if (auto type = Param(req, "type")) {
    query.type = EventTypeFromName(*type);
    if (!query.type) return Status::InvalidArgument("bad_parameter", "type: unknown event type");
  }
  query.site = Param(req, "site");
  query.serial = Param(req, "serial");
  query.agent = Param(req, "agent");
  query.party = Param(req, "party");
  for (const char* name : {"since", "until"}) {
    if (auto text = Param(req, name)) {
      Result<Timestamp> t = ParseTime(*text, name);
      if (!t.ok()) return t.status();
      (name[0] == 's' ? query.since : query.until) = *t;
    }
  }
  if (auto order = Param(req, "order")) {
    if (*order != "oldest_first" && *order != "newest_first") {
      return Status::InvalidArgument("bad_parameter",
                                     "order: must be oldest_first or newest_first");
    }
    query.newest_first = *order == "newest_first";
  }
  Result<std::optional<uint64_t>> cursor = UintParam(req, "cursor");
  if (!cursor.ok()) return cursor.status();
  query.cursor = cursor->value_or(0);
  Result<size_t> limit = PageLimit(req, max_page_size);
  if (!limit.ok()) return limit.status();
  query.limit = *limit;
  return query;
}

Result<size_t> PageLimit(const httplib::Request& req, size_t max_page_size) {
  Result<std::optional<uint64_t>> limit = UintParam(req, "limit");
  if (!limit.ok()) return limit.status();
  size_t value = limit->value_or(std::min<size_t>(100, max_page_size));
  if (value < 1 || value > max_page_size) {
    return Status::InvalidArgument("bad_parameter",
                                   "limit: must be 1 to " + std::to_string(max_page_size));
  }
  return value;
}

// One parse of the stored bytes, which the ledger checked strictly when it wrote them (SPEC §5):
// a page of 100 whole entries is 194 KB, and parsing each entry twice (strictly, then into the
// tree served) cost a quarter of its time.
Result<json> EntryView(const Ledger& ledger, uint64_t index) {
  Result<std::string> bytes = ledger.EntryBytes(index);
  if (!bytes.ok()) return bytes.status();
  Status unreadable = Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  json written = json::parse(*bytes, nullptr, /*allow_exceptions=*/false);
  if (!written.is_object() || !written["envelope"].is_object() ||
      !written["envelope"]["payload"].is_string()) {
    return unreadable;
  }
  Result<std::string> payload =
      Base64Decode(written["envelope"]["payload"].get_ref<const std::string&>(), "payload");
  if (!payload.ok()) return unreadable;
  json event = json::parse(*payload, nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return unreadable;
  return json{{"index", index},
              {"integrated_time", std::move(written["integrated_time"])},
              {"prev", std::move(written["prev"])},
              {"leaf_hash", ToHex(LeafHash(*bytes))},
              {"envelope", std::move(written["envelope"])},
              {"event", std::move(event)}};
}

Result<json> EventSummary(const Ledger& ledger, uint64_t index) {
  Result<std::string> bytes = ledger.EntryBytes(index);
  if (!bytes.ok()) return bytes.status();
  Result<LogEntry> entry = ParseEntry(*bytes);
  if (!entry.ok()) return Status::Corruption("entry " + std::to_string(index) + ": unreadable");
  Result<Event> event = ParseEvent(entry->envelope.payload);
  if (!event.ok()) return Status::Corruption("entry " + std::to_string(index) + ": bad payload");
  std::optional<std::string> site = event->Site();
  return json{{"index", index},
              {"integrated_time", FormatTime(entry->integrated_time)},
              {"type", EventTypeName(event->type)},
              {"agent", event->agent},
              {"time", FormatTime(event->time)},
              {"site", site ? json(*site) : json(nullptr)}};
}

Result<EventDetail> EventDetailParam(const httplib::Request& req, EventDetail fallback) {
  std::optional<std::string> view = Param(req, "view");
  if (!view) return fallback;
  if (*view == "full") return EventDetail::kFull;
  if (*view == "summary") return EventDetail::kSummary;
  return Status::InvalidArgument("bad_parameter", "view: must be full or summary");
}

Result<json> EventItem(const Ledger& ledger, uint64_t index, EventDetail detail) {
  return detail == EventDetail::kFull ? EntryView(ledger, index) : EventSummary(ledger, index);
}

void AddLogRoutes(Service* s, Router* router) {
  router->Add("POST", "/v1/events", Access::kAnyone, {}, Bind(s, Submit));
  router->Add("GET", "/checkpoint", Access::kAnyone, {}, Bind(s, GetCheckpoint));
  router->Add("GET", "/tile/*", Access::kReader, {}, Bind(s, GetTile));
  router->Add("GET", "/v1/entries/{}", Access::kReader, {}, Bind(s, GetEntry));
  router->Add("GET", "/v1/events", Access::kReader,
              {"type", "site", "serial", "agent", "party", "since", "until", "order", "cursor",
               "limit", "view"},
              Bind(s, GetEvents));
  router->Add("GET", "/v1/proofs/inclusion", Access::kReader, {"index", "tree_size"},
              Bind(s, GetInclusionProof));
  router->Add("GET", "/v1/proofs/consistency", Access::kWitness, {"old", "new"},
              Bind(s, GetConsistencyProof));
}

}  // namespace chipledger::api
