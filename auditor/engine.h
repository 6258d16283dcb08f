// The audit rule engine (SPEC §8–§9): replays admitted log entries in index order into a state
// per chip, site, shipment, license, party and agent, and evaluates the custody, licensing and
// agent rules over it as of a given time. The same engine runs in batch (chipledger-audit) and
// live inside chipledgerd, so their findings over the same log and as-of time are identical.
//
// Memory grows with chips, sites, shipments and findings, not with events.
// Not thread-safe: callers serialise Apply and the queries.
#ifndef CHIPLEDGER_AUDITOR_ENGINE_H_
#define CHIPLEDGER_AUDITOR_ENGINE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/status.h"
#include "ledger/time.h"

namespace chipledger::audit {

// Rule parameters, named as chipledger-audit's --param NAME=VALUE (SPEC §7).
struct Params {
  double receipt_days = 14;
  double install_days = 30;
  double inspection_days = 90;
  double heartbeat_gap_hours = 24;
  int dark_cluster = 10;
  double max_speed_kmh = 900;
  double chip_watts = 700;
  double max_backdate_days = 7;
  double max_skew_s = 300;

  // Sets one parameter from "NAME=VALUE"; an unknown name or bad value is InvalidArgument.
  Status Set(std::string_view assignment);
  // "receipt_days=14 install_days=30 …": every parameter, as --param would set it.
  std::string ToString() const;
  bool operator==(const Params&) const = default;
};

enum class Severity { kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity severity);
std::optional<Severity> SeverityFromName(std::string_view name);

struct Finding {
  std::string id;    // FindingId(rule, subject_kind, subject_id)
  std::string rule;  // "D1" … "A3"
  Severity severity = Severity::kMedium;
  std::string
      subject_kind;  // shipment, chip, site, seal, check, license, party, inspection, agent, event
  std::string subject_id;
  std::optional<std::string> site, party;
  std::string message;
  std::vector<uint64_t> evidence;  // entry indices
  bool resolved = false;
  bool operator==(const Finding&) const = default;
};

// First 32 hex chars of SHA-256(rule + "\n" + subject_kind + ":" + subject_id).
std::string FindingId(std::string_view rule, std::string_view subject_kind,
                      std::string_view subject_id);
// SPEC §8: {id, rule, severity, subject: {kind, id}, site, party, message, evidence, status}.
nlohmann::json FindingToJson(const Finding& finding);
// True when `a` comes before `b` in report order: by rule (D, L, A, then number), subject kind,
// then subject (event subjects, entry indices, as numbers).
bool ReportOrderLess(const Finding& a, const Finding& b);

enum class StandingStatus { kNotApproved, kSuspended, kLapsed, kGoodStanding };
std::string_view StandingStatusName(StandingStatus status);

// One end user's line of the white list (SPEC §9).
struct WhitelistEntry {
  std::string party;
  StandingStatus status = StandingStatus::kNotApproved;
  std::vector<std::string> sites, licenses;
  uint64_t chips_installed = 0;
  std::optional<Timestamp> last_inspection;
  std::map<std::string, uint64_t> open_findings;  // severity name -> count
};
nlohmann::json WhitelistEntryToJson(const WhitelistEntry& entry);

// Per-site material balance: book inventory against the latest inspection's observations.
struct SiteBalance {
  std::string site, party;
  std::vector<std::string> book;        // received or installed, not transferred/decommissioned
  std::optional<uint64_t> inspection;   // entry index of the latest inspection
  std::vector<std::string> observed;    // what it observed
  std::vector<std::string> missing;     // book − observed (within what it covered)
  std::vector<std::string> unexpected;  // observed − book
  // Shipments to the site not yet received, and the chips they list: counts, as a log of many
  // open shipments would otherwise copy every one of them here.
  uint64_t in_transit_shipments = 0, in_transit_chips = 0;
};
nlohmann::json SiteBalanceToJson(const SiteBalance& balance);

class Engine {
 public:
  explicit Engine(Params params = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Feeds the next admitted entry (index order, no gaps) and its parsed payload.
  void Apply(const LogEntry& entry, const Event& event);
  uint64_t entries_applied() const;

  // Every finding as of `as_of` (open and resolved), ordered by rule then subject, visited in
  // place: the findings recorded so far are not copied (only those the time-based rules add or
  // extend as of `as_of` are held meanwhile). `visit` returns false to stop early (a page is
  // full), and must not call into the engine. Memory stays flat with the number of findings.
  void ForEachFinding(Timestamp as_of, const std::function<bool(const Finding&)>& visit) const;
  // What the time-based rules (D1, D4, D10, D17) report as of `as_of`, in report order: the
  // findings ForEachFinding(as_of) shows in place of, or beside, those recorded so far. It costs
  // their evaluation, not a visit of every finding, so that a caller holding ForEachFinding's
  // findings can tell whether a later `as_of` (no entry applied in between) changes any of them.
  std::vector<Finding> TimeBasedFindings(Timestamp as_of) const;
  // The same findings, copied: for callers that want them all at once.
  std::vector<Finding> Findings(Timestamp as_of) const;
  // The white list as of `as_of`, one entry per registered end user, ordered by party id.
  std::vector<WhitelistEntry> Whitelist(Timestamp as_of) const;
  // The same from the open findings as of `as_of` already counted, by party and severity name
  // (by a caller that indexes them): it costs the end users' sites and licenses, not a visit of
  // every finding.
  using OpenFindingCounts = std::map<std::string, std::map<std::string, uint64_t>>;
  std::vector<WhitelistEntry> Whitelist(Timestamp as_of, OpenFindingCounts open) const;
  std::vector<SiteBalance> MaterialBalance() const;

  // Views for the API (auditor/views.cc, auditor/view_lists.cc), read from the maintained state
  // only: each costs the size of what it describes (a site's books, one party's sites), never the
  // number of entries. Record views are null when the record is unknown; docs/api.md describes
  // their fields. `whitelist` is Whitelist(as_of), passed in because it costs every finding.
  nlohmann::json ChipState(std::string_view serial) const;
  nlohmann::json SiteState(std::string_view site, Timestamp as_of, double coverage_hours) const;
  nlohmann::json PartyState(std::string_view party, Timestamp as_of,
                            const std::vector<WhitelistEntry>& whitelist) const;
  nlohmann::json LicenseState(std::string_view license, Timestamp as_of) const;
  nlohmann::json ShipmentState(std::string_view shipment) const;
  // One page of a list view (docs/api.md, List routes): `kind` is sites, parties, licenses,
  // agents, shipments or chips; items ordered by id after `query.after`. A bad filter value is
  // InvalidArgument naming it.
  struct ListQuery {
    std::map<std::string, std::string> filters;  // by parameter name
    std::string after;                           // the last id of the previous page, or empty
    size_t limit = 100;
    Timestamp as_of;
    const std::vector<WhitelistEntry>* whitelist = nullptr;  // needed by parties
    std::function<bool(const std::string& id)> keep;  // a condition outside the engine, or none
  };
  struct ListPage {
    nlohmann::json items = nlohmann::json::array();
    std::optional<std::string> next;  // the last id of this page, when more follow
  };
  Result<ListPage> List(std::string_view kind, const ListQuery& query) const;
  // For a reader of findings and reports only (the batch audit): the indexes that only List and
  // the record views read are dropped and no longer kept (a restore does not rebuild them),
  // sparing their memory. List and the record views must not be called afterwards.
  void SkipViewIndexes();

  // For a reader keeping its own view of the findings up to date rather than copying them all
  // after each entry (the API's live audit; auditor/finding_changes.cc). The first call starts a
  // journal of what Apply changes in the findings recorded so far and returns nothing; each later
  // call returns what changed since the previous one: the (rule, subject kind, subject id) of
  // every finding reported, and the ids every finding.resolved named. The journal grows until
  // taken, so only such a reader calls this.
  struct RecordedChanges {
    std::vector<std::array<std::string, 3>> reported;  // rule, subject kind, subject id
    std::vector<std::string> resolved;                 // finding ids
  };
  RecordedChanges TakeRecordedChanges();
  // The finding recorded so far under (rule, subject kind, subject id) as ForEachFinding shows it
  // when no time-based rule reports it as of then, or nullopt.
  std::optional<Finding> RecordedFinding(std::string_view rule, std::string_view subject_kind,
                                         std::string_view subject_id) const;

  // Counters for report.json's `stats`.
  nlohmann::json Stats() const;

 private:
  friend struct SnapshotCodec;  // auditor/snapshot.cc saves and restores the state

  struct State;
  Params params_;
  std::unique_ptr<State> state_;
};

// The signed white list's payload (SPEC §9): {as_of, checkpoint, end_users: [...]}.
nlohmann::json WhitelistPayload(const Engine& engine, Timestamp as_of,
                                std::string_view checkpoint_note);
// The same from Engine::Whitelist(as_of)'s entries, already computed.
nlohmann::json WhitelistPayload(const std::vector<WhitelistEntry>& whitelist, Timestamp as_of,
                                std::string_view checkpoint_note);
inline constexpr std::string_view kWhitelistPayloadType =
    "application/vnd.chipledger.whitelist.v1+json";

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_ENGINE_H_
