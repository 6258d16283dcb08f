// What the route handlers share: the ledger, the configuration, metrics and the live audit.
#ifndef CHIPLEDGER_API_SERVICE_H_
#define CHIPLEDGER_API_SERVICE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "api/config.h"
#include "api/live_audit.h"
#include "api/metrics.h"
#include "api/router.h"
#include "api/witnessing.h"
#include "ledger/ledger.h"

namespace chipledger::api {

struct Service {
  Ledger* ledger;
  ServerConfig config;
  LiveAudit* audit;  // may be null
  Metrics metrics;
  Witnessing* witnessing = nullptr;  // set when witnesses are configured
};

// A route handler bound to the service it reads.
using ServiceHandler = void (*)(Service*, Call&);
inline RouteHandler Bind(Service* service, ServiceHandler handler) {
  return [service, handler](Call& call) { handler(service, call); };
}

// {index, integrated_time, prev, leaf_hash, envelope, event} of the entry at `index`.
Result<nlohmann::json> EntryView(const Ledger& ledger, uint64_t index);
// {index, integrated_time, type, agent, time, site} of the entry at `index` (`site`: where the
// event acts, or null).
Result<nlohmann::json> EventSummary(const Ledger& ledger, uint64_t index);

// How an event list shows each entry: whole (EntryView) or summarised (EventSummary). The
// `view` parameter (`full` or `summary`) chooses; `fallback` is the route's default.
enum class EventDetail { kFull, kSummary };
Result<EventDetail> EventDetailParam(const httplib::Request& req, EventDetail fallback);
Result<nlohmann::json> EventItem(const Ledger& ledger, uint64_t index, EventDetail detail);

// GET /v1/events' parameters (docs/api.md) but `view`; `limit` 1 to `max_page_size`, default 100.
// Subject histories parse theirs with it too.
Result<EventQuery> ParseEventQuery(const httplib::Request& req, size_t max_page_size);
// A page's `limit` parameter: 1 to `max_page_size`, default 100 (or the maximum, if lower).
Result<size_t> PageLimit(const httplib::Request& req, size_t max_page_size);

// POST /v1/events, /checkpoint, /tile/*, /v1/entries, /v1/events, /v1/proofs/*.
void AddLogRoutes(Service* service, Router* router);
// /v1/chips, /v1/sites, /v1/parties, /v1/agents, /v1/licenses, /v1/findings, /v1/whitelist.
void AddRecordRoutes(Service* service, Router* router);

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_SERVICE_H_
