// The server's view of a live audit engine (SPEC §8: the rules also run inside the server as
// events arrive), and the single source of the record views. Optional: without one, the
// findings, white-list and record routes answer 503.
#ifndef CHIPLEDGER_API_LIVE_AUDIT_H_
#define CHIPLEDGER_API_LIVE_AUDIT_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auditor/engine.h"
#include "ledger/ledger.h"
#include "ledger/status.h"

namespace chipledger::api {

struct FindingFilter {
  std::optional<std::string> status, severity, rule, site, party, subject_kind, subject_id;
  std::optional<uint64_t> since;  // findings with evidence at or after this entry index
};

// One page of findings: `cursor` is the id of the last finding of the previous page, or empty.
struct FindingPage {
  nlohmann::json findings = nlohmann::json::array();
  std::optional<std::string> next_cursor;
};

// How many findings match a filter, overall and by severity, rule and status (zero counts
// included for the three severities and both statuses, so a reader need not guess the words).
struct FindingCounts {
  uint64_t tree_size = 0;  // the entries the findings were computed from
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_severity, by_rule, by_status;
};

// A record's open findings: the first ones (SPEC §8 objects) and how many in all.
struct OpenFindings {
  nlohmann::json first = nlohmann::json::array();
  uint64_t total = 0;
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
  // The findings of Findings(filter), one page of at most `limit` after the finding `cursor`.
  virtual Result<FindingPage> FindingsPage(const FindingFilter& filter, const std::string& cursor,
                                           size_t limit) = 0;
  // Counts of Findings(filter), from the same computation FindingsPage pages.
  virtual Result<FindingCounts> CountFindings(const FindingFilter& filter) = 0;
  // The first `limit` open findings about a record or chip, in report order, and how many there
  // are: `kind` is chip, site, party, agent, license or shipment (for sites and parties also the
  // findings placed at them). A site may have hundreds of thousands: a record view shows a page.
  virtual OpenFindings OpenFindingsAbout(std::string_view kind, std::string_view id,
                                         size_t limit) = 0;
  // A record's state as of now (audit::Engine's ChipState, SiteState, PartyState, LicenseState,
  // ShipmentState: `kind` is chip, site, party, license or shipment), null when the engine does not
  // know it. `coverage_hours` is the site's heartbeat coverage window.
  virtual nlohmann::json State(std::string_view kind, std::string_view id,
                               double coverage_hours) = 0;
  // One page of a list view as of now (audit::Engine::List); the query's as_of and white list
  // are filled in here.
  virtual Result<audit::Engine::ListPage> List(std::string_view kind,
                                               audit::Engine::ListQuery query) = 0;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_LIVE_AUDIT_H_
