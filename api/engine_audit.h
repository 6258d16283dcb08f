// The live audit over the auditor's rule engine (auditor/engine.h): entries arrive from the
// ledger's writer thread and are queued, so the writer never waits for a rule or a reader; a
// feeder thread applies them, and every query first applies whatever is still queued.
#ifndef CHIPLEDGER_API_ENGINE_AUDIT_H_
#define CHIPLEDGER_API_ENGINE_AUDIT_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/live_audit.h"
#include "auditor/engine.h"
#include "auditor/snapshot.h"
#include "ledger/ledger.h"

namespace chipledger::api {

// The findings of one computation by what filters compare, as positions in its report-order list:
// a filter walks the groups it selects rather than every finding, and counts add up group sizes.
// A group is the findings sharing rule, severity, status, subject kind, site and party, so there
// are few (rules × sites, not findings). Views into the findings: lives no longer than they do.
class FindingIndex {
 public:
  explicit FindingIndex(const std::vector<audit::Finding>& findings);
  // The positions at or after `start` of the findings matching `filter`, ascending; `visit`
  // returns false to stop.
  void Walk(const FindingFilter& filter, size_t start,
            const std::function<bool(size_t)>& visit) const;
  // How many findings match `filter`, by severity, rule and status.
  FindingCounts Count(const FindingFilter& filter) const;
  // The position of the finding with this id.
  std::optional<size_t> Position(std::string_view id) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  const std::vector<audit::Finding>* findings_;
  std::vector<std::vector<uint32_t>> groups_;  // positions, ascending
  // A subject's findings: the first position, then each one's next (kNone ends).
  std::unordered_map<std::string_view, uint32_t> first_of_subject_;
  std::vector<uint32_t> next_of_subject_;
  std::unordered_map<std::string_view, uint32_t> position_;  // by finding id
};

class EngineAudit : public LiveAudit {
 public:
  // `ledger` signs the white list with the log key.
  explicit EngineAudit(const Ledger* ledger);
  ~EngineAudit() override;

  void OnEntries(const std::vector<Ledger::AppendedEntry>& entries) override;
  Result<nlohmann::json> Findings(const FindingFilter& filter) override;
  Result<std::string> Whitelist() override;
  Result<FindingPage> FindingsPage(const FindingFilter& filter, const std::string& cursor,
                                   size_t limit) override;
  Result<FindingCounts> CountFindings(const FindingFilter& filter) override;
  OpenFindings OpenFindingsAbout(std::string_view kind, std::string_view id, size_t limit) override;
  nlohmann::json State(std::string_view kind, std::string_view id, double coverage_hours) override;
  Result<audit::Engine::ListPage> List(std::string_view kind,
                                       audit::Engine::ListQuery query) override;

  // Persistence (api/audit_snapshot.h), apart from the queries.
  // Entries applied so far (queued ones not counted).
  uint64_t applied_size();
  // The engine's state after every entry fed so far, encoded by audit::SaveEngineSnapshot with
  // the checkpoint note of that size, which it returns in *size. NotFound while the entries fed
  // end at no checkpoint (during the start's catch-up, which feeds entries one by one).
  Result<std::string> EncodeSnapshot(uint64_t* size);
  // Restores `snapshot` into the engine before any OnEntries; all or nothing.
  Status Restore(const audit::Snapshot& snapshot);
  uint64_t restored_size() const override { return restored_size_; }

 private:
  // Applies every queued entry; the caller holds engine_mu_.
  void DrainLocked();

  // The findings as of a time, computed once per applied size and shared by every page, filter
  // and record view until it changes, so a reader paging through 300,000 findings, or many
  // readers at once, pay for it once, while each answer still includes every acknowledged event.
  // Only the time-based rules (Engine::TimeBasedFindings) change them with no new entry, and as
  // time passes they only add findings, raise severities and count more days: so findings equal
  // at two times are equal at every time between, and `valid_until` (a second) is how far they
  // were found unchanged ahead, so that the clock rules are evaluated again only after it.
  struct Derived {
    uint64_t applied_size = 0;
    int64_t second = -1;
    int64_t valid_until = -1;
    Timestamp as_of;
    std::vector<audit::Finding> findings;    // in report order
    std::vector<audit::Finding> time_based;  // what the time-based rules said as of `as_of`
    std::optional<FindingIndex> index;       // built when first needed
    std::optional<std::vector<audit::WhitelistEntry>> whitelist;  // computed when first asked
  };
  // Drains the queue and brings derived_ up to date; the caller holds engine_mu_.
  Derived& DerivedLocked();
  // derived_ as of `now`, its findings known to be unchanged since its as_of.
  Derived& Advance(Timestamp now);
  // derived_'s index, built if not yet; the caller holds engine_mu_ and called DerivedLocked.
  const FindingIndex& IndexLocked();
  const std::vector<audit::WhitelistEntry>& WhitelistLocked();
  void Feed();

  const Ledger* ledger_;
  std::mutex engine_mu_;  // guards engine_ (taken before queue_mu_)
  audit::Engine engine_;
  uint64_t applied_size_ = 0;  // entries applied to engine_ (guarded by engine_mu_)
  std::mutex queue_mu_;
  std::condition_variable queued_;
  std::deque<std::pair<LogEntry, Event>> queue_;
  bool stopping_ = false;
  std::thread feeder_;
  Derived derived_;             // guarded by engine_mu_
  uint64_t restored_size_ = 0;  // set by Restore before the server starts
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_ENGINE_AUDIT_H_
