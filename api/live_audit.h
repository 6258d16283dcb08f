// The server's view of a live audit engine (SPEC §8: the rules also run inside the server as
// events arrive). Optional: without one, the findings and white-list routes answer 503.
#ifndef CHIPLEDGER_API_LIVE_AUDIT_H_
#define CHIPLEDGER_API_LIVE_AUDIT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/ledger.h"
#include "ledger/status.h"

namespace chipledger::api {

struct FindingFilter {
  std::optional<std::string> status, severity, rule, site, party;
};

class LiveAudit {
 public:
  virtual ~LiveAudit() = default;
  // Feeds durable entries and their events, in index order, without gaps, from entry 0 on. While
  // the server serves, each call is one whole group commit (Ledger::AppendListener), so the
  // entries fed always end at a size with a signed checkpoint.
  virtual void OnEntries(const std::vector<Ledger::AppendedEntry>& entries) = 0;
  // Entries the audit held before its first OnEntries (restored from a snapshot at start,
  // api/audit_snapshot.h): the server feeds the log from there.
  virtual uint64_t restored_size() const { return 0; }
  // Findings as of now matching `filter`, as SPEC §8 JSON objects.
  virtual Result<nlohmann::json> Findings(const FindingFilter& filter) = 0;
  // The white list as of now: a signed DSSE envelope (JSON) naming the checkpoint of exactly the
  // entries it was computed from.
  virtual Result<std::string> Whitelist() = 0;
  // Open findings about a record or chip: `kind` is chip, site, party, agent or license.
  virtual nlohmann::json OpenFindings(std::string_view kind, std::string_view id) = 0;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_LIVE_AUDIT_H_
