// The live audit over the auditor's rule engine (auditor/engine.h): entries arrive from the
// ledger's writer thread and are queued, so the writer never waits for a rule or a reader; a
// feeder thread applies them, and every query first applies whatever is still queued.
#ifndef CHIPLEDGER_API_ENGINE_AUDIT_H_
#define CHIPLEDGER_API_ENGINE_AUDIT_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api/live_audit.h"
#include "auditor/engine.h"
#include "auditor/snapshot.h"
#include "ledger/ledger.h"

namespace chipledger::api {

// The live audit's findings as of a time, kept up to date finding by finding as entries apply and
// time passes (EngineAudit::DerivedLocked) instead of being recomputed and copied, and indexed by
// what filters compare: a filter walks the groups it selects rather than every finding, and
// counts add up group sizes. A group is the findings sharing rule, severity, status, subject
// kind, site and party, so there are few (rules × sites, not findings). Each group, and each
// subject's findings, are kept in report order.
class FindingView {
 public:
  // Adds the finding, or replaces the one with its id (an id names one rule and subject).
  void Put(audit::Finding finding);
  void Erase(const std::string& id);
  const audit::Finding* Find(std::string_view id) const;
  // The findings matching `filter` after `after` (from the first when null), in report order;
  // `visit` returns false to stop.
  void Walk(const FindingFilter& filter, const audit::Finding* after,
            const std::function<bool(const audit::Finding&)>& visit) const;
  // How many findings match `filter`, by severity, rule and status.
  FindingCounts Count(const FindingFilter& filter) const;
  // The open findings by party and severity name (the white list's counts).
  audit::Engine::OpenFindingCounts OpenByParty() const;

 private:
  struct Less {
    bool operator()(const audit::Finding* a, const audit::Finding* b) const {
      return audit::ReportOrderLess(*a, *b);
    }
  };
  using Ordered = std::set<const audit::Finding*, Less>;
  using GroupKey = std::tuple<std::string, audit::Severity, bool, std::string,
                              std::optional<std::string>, std::optional<std::string>>;
  static GroupKey GroupOf(const audit::Finding& finding);
  void Unlink(const audit::Finding* finding);

  // Keys view the findings' own id and subject id, so an entry lives exactly as long as its
  // finding.
  std::unordered_map<std::string_view, std::unique_ptr<audit::Finding>> by_id_;
  std::map<GroupKey, Ordered> groups_;  // none empty
  std::unordered_multimap<std::string_view, const audit::Finding*> by_subject_;
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

  // The findings as of a time, brought up to date once per applied size and second and shared by
  // every page, filter and record view until then, so a reader paging through 300,000 findings,
  // or many readers at once, pay for it once, while each answer still includes every
  // acknowledged event. Built once in full; after that only the findings the applied entries
  // reported or resolved (Engine::TakeRecordedChanges) and those the time-based rules changed
  // are replaced. Only the time-based rules (Engine::TimeBasedFindings) change them with no new
  // entry, and as time passes they only add findings, raise severities and count more days: so
  // findings equal at two times are equal at every time between, and `valid_until` (a second) is
  // how far they were found unchanged ahead, so that the clock rules are evaluated again only
  // after it.
  struct Derived {
    bool built = false;
    uint64_t applied_size = 0;
    int64_t second = -1;
    int64_t valid_until = -1;
    Timestamp as_of;
    FindingView view;
    std::vector<audit::Finding> time_based;  // what the time-based rules said as of `as_of`
    std::optional<std::vector<audit::WhitelistEntry>> whitelist;  // computed when first asked
  };
  // Drains the queue and brings derived_ up to date; the caller holds engine_mu_.
  Derived& DerivedLocked();
  // derived_ as of `now`, its findings known to be unchanged since its as_of.
  Derived& Advance(Timestamp now);
  // Replaces in derived_.view the findings that changed since it was brought up to date: those
  // the applied entries reported or resolved, and those `time_based` (as of now) differs in.
  void UpdateView(const std::vector<audit::Finding>& time_based);
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
