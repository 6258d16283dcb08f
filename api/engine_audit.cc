#include "api/engine_audit.h"

#include <algorithm>
#include <array>
#include <map>
#include <queue>
#include <set>
#include <tuple>

#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/time.h"

namespace chipledger::api {

using nlohmann::json;

EngineAudit::EngineAudit(const Ledger* ledger) : ledger_(ledger), feeder_([this] { Feed(); }) {}

EngineAudit::~EngineAudit() {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  feeder_.join();
}

void EngineAudit::OnEntries(const std::vector<Ledger::AppendedEntry>& entries) {
  {
    std::lock_guard<std::mutex> lock(queue_mu_);  // one hold per group: drains see whole groups
    for (const auto& [entry, event] : entries) queue_.emplace_back(entry, *event);
  }
  queued_.notify_one();
}

void EngineAudit::Feed() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(queue_mu_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
    }
    std::lock_guard<std::mutex> lock(engine_mu_);
    DrainLocked();
  }
}

void EngineAudit::DrainLocked() {
  std::deque<std::pair<LogEntry, Event>> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    batch.swap(queue_);
  }
  for (const auto& [entry, event] : batch) {
    engine_.Apply(entry, event);
    applied_size_ = entry.index + 1;
  }
}

namespace {

Status CheckFilter(const FindingFilter& filter) {
  if (filter.status && *filter.status != "open" && *filter.status != "resolved") {
    return Status::InvalidArgument("bad_parameter", "status: must be open or resolved");
  }
  if (filter.severity && !audit::SeverityFromName(*filter.severity)) {
    return Status::InvalidArgument("bad_parameter", "severity: must be medium, high or critical");
  }
  return Status::Ok();
}

bool Differs(const std::optional<std::string>& wanted, const std::string& value) {
  return wanted && *wanted != value;
}
bool Differs(const std::optional<std::string>& wanted, const std::optional<std::string>& value) {
  return wanted && wanted != value;
}

// What every finding of an index group shares: status, severity, rule, site, party, subject kind.
bool GroupMatches(const FindingFilter& filter, const audit::Finding& f) {
  if (filter.status && (*filter.status == "open") == f.resolved) return false;
  if (filter.severity && audit::SeverityName(f.severity) != *filter.severity) return false;
  return !(Differs(filter.rule, f.rule) || Differs(filter.site, f.site) ||
           Differs(filter.party, f.party) || Differs(filter.subject_kind, f.subject_kind));
}

bool Matches(const FindingFilter& filter, const audit::Finding& f) {
  if (!GroupMatches(filter, f) || Differs(filter.subject_id, f.subject_id)) return false;
  // Evidence is kept in entry order, so its last index is the latest kept.
  return !filter.since || (!f.evidence.empty() && f.evidence.back() >= *filter.since);
}

// Counts with zeros for the three severities and both statuses, so a reader need not guess.
FindingCounts ZeroCounts() {
  FindingCounts counts;
  for (audit::Severity severity :
       {audit::Severity::kMedium, audit::Severity::kHigh, audit::Severity::kCritical}) {
    counts.by_severity[std::string(audit::SeverityName(severity))] = 0;
  }
  counts.by_status = {{"open", 0}, {"resolved", 0}};
  return counts;
}

void Add(const audit::Finding& f, uint64_t n, FindingCounts* counts) {
  if (n == 0) return;
  counts->total += n;
  counts->by_severity[std::string(audit::SeverityName(f.severity))] += n;
  counts->by_rule[f.rule] += n;
  counts->by_status[f.resolved ? "resolved" : "open"] += n;
}

}  // namespace

FindingView::GroupKey FindingView::GroupOf(const audit::Finding& f) {
  return {f.rule, f.severity, f.resolved, f.subject_kind, f.site, f.party};
}

void FindingView::Put(audit::Finding finding) {
  if (auto it = by_id_.find(finding.id); it != by_id_.end()) {
    if (*it->second == finding) return;
    Unlink(it->second.get());
    by_id_.erase(it);
  }
  auto owned = std::make_unique<audit::Finding>(std::move(finding));
  const audit::Finding* stored = owned.get();
  by_id_.emplace(stored->id, std::move(owned));
  // Full builds visit findings in report order: the hint makes each insertion constant time.
  Ordered& group = groups_[GroupOf(*stored)];
  group.emplace_hint(group.end(), stored);
  by_subject_.emplace(stored->subject_id, stored);
}

void FindingView::Unlink(const audit::Finding* finding) {
  auto group = groups_.find(GroupOf(*finding));
  group->second.erase(finding);
  if (group->second.empty()) groups_.erase(group);
  auto [first, last] = by_subject_.equal_range(finding->subject_id);
  for (auto it = first; it != last; ++it) {
    if (it->second == finding) {
      by_subject_.erase(it);
      break;
    }
  }
}

void FindingView::Erase(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  Unlink(it->second.get());
  by_id_.erase(it);
}

const audit::Finding* FindingView::Find(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

void FindingView::Walk(const FindingFilter& filter, const audit::Finding* after,
                       const std::function<bool(const audit::Finding&)>& visit) const {
  auto from = [after](const Ordered& ordered) {
    return after ? ordered.upper_bound(after) : ordered.begin();
  };
  if (filter.subject_id) {  // a subject has few findings: sort and walk them
    std::vector<const audit::Finding*> subject;
    auto [first, last] = by_subject_.equal_range(*filter.subject_id);
    for (auto it = first; it != last; ++it) {
      if (!after || audit::ReportOrderLess(*after, *it->second)) subject.push_back(it->second);
    }
    std::sort(subject.begin(), subject.end(), Less());
    for (const audit::Finding* finding : subject) {
      if (Matches(filter, *finding) && !visit(*finding)) return;
    }
    return;
  }
  // A merge of the selected groups, first in report order first.
  using Head = std::pair<Ordered::const_iterator, const Ordered*>;
  auto later = [](const Head& a, const Head& b) {
    return audit::ReportOrderLess(**b.first, **a.first);
  };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  for (const auto& [key, group] : groups_) {
    if (!GroupMatches(filter, **group.begin())) continue;
    if (auto at = from(group); at != group.end()) heads.emplace(at, &group);
  }
  while (!heads.empty()) {
    auto [at, group] = heads.top();
    heads.pop();
    const audit::Finding& finding = **at;
    if (++at != group->end()) heads.emplace(at, group);
    if (Matches(filter, finding) && !visit(finding)) return;
  }
}

FindingCounts FindingView::Count(const FindingFilter& filter) const {
  FindingCounts counts = ZeroCounts();
  if (filter.subject_id || filter.since) {  // conditions on single findings: visit them
    Walk(filter, nullptr, [&](const audit::Finding& finding) {
      Add(finding, 1, &counts);
      return true;
    });
    return counts;
  }
  for (const auto& [key, group] : groups_) {
    const audit::Finding& sample = **group.begin();
    if (GroupMatches(filter, sample)) Add(sample, group.size(), &counts);
  }
  return counts;
}

audit::Engine::OpenFindingCounts FindingView::OpenByParty() const {
  audit::Engine::OpenFindingCounts open;
  for (const auto& [key, group] : groups_) {
    const audit::Finding& sample = **group.begin();
    if (!sample.resolved && sample.party) {
      open[*sample.party][std::string(audit::SeverityName(sample.severity))] += group.size();
    }
  }
  return open;
}

// How far ahead findings found unchanged are trusted: the clock rules' deadlines are days apart,
// so after one look an hour ahead they are evaluated about once an hour, not every second.
constexpr int64_t kLookAheadSeconds = 3600;

EngineAudit::Derived& EngineAudit::DerivedLocked() {
  DrainLocked();
  Timestamp now = Now();
  int64_t second = now.unix_nanos / kNanosPerSecond;
  bool same_entries = derived_.built && derived_.applied_size == applied_size_;
  if (same_entries && second == derived_.second) return derived_;
  if (same_entries && second <= derived_.valid_until) return Advance(now);
  std::vector<audit::Finding> time_based = engine_.TimeBasedFindings(now);
  if (same_entries && time_based == derived_.time_based) {
    // Unchanged since as_of: look ahead once, then trust them until then.
    Timestamp ahead = AddSeconds(now, kLookAheadSeconds);
    bool still = engine_.TimeBasedFindings(ahead) == time_based;
    derived_.valid_until = still ? second + kLookAheadSeconds : second;
    return Advance(now);
  }
  if (derived_.built) {
    UpdateView(time_based);
  } else {
    engine_.TakeRecordedChanges();  // starts the journal UpdateView reads from
    engine_.ForEachFinding(now, [this](const audit::Finding& finding) {
      derived_.view.Put(finding);
      return true;
    });
    derived_.built = true;
  }
  derived_.applied_size = applied_size_;
  derived_.valid_until = second;
  derived_.time_based = std::move(time_based);
  return Advance(now);
}

void EngineAudit::UpdateView(const std::vector<audit::Finding>& time_based) {
  using Key = std::array<std::string, 3>;  // rule, subject kind, subject id
  auto key_of = [](const audit::Finding& f) { return Key{f.rule, f.subject_kind, f.subject_id}; };
  audit::Engine::RecordedChanges changes = engine_.TakeRecordedChanges();
  std::set<Key> changed(changes.reported.begin(), changes.reported.end());
  for (const std::string& id : changes.resolved) {
    if (const audit::Finding* finding = derived_.view.Find(id)) changed.insert(key_of(*finding));
  }
  // The time-based findings that appeared, went or changed.
  std::unordered_map<std::string_view, const audit::Finding*> now_by_id, before_by_id;
  for (const audit::Finding& f : time_based) now_by_id.emplace(f.id, &f);
  for (const audit::Finding& f : derived_.time_based) {
    before_by_id.emplace(f.id, &f);
    auto now = now_by_id.find(f.id);
    if (now == now_by_id.end() || !(*now->second == f)) changed.insert(key_of(f));
  }
  for (const audit::Finding& f : time_based) {
    if (!before_by_id.count(f.id)) changed.insert(key_of(f));
  }
  // Each as ForEachFinding shows it: the time-based rules' version over the recorded one.
  for (const auto& [rule, kind, subject] : changed) {
    std::string id = audit::FindingId(rule, kind, subject);
    if (auto overlay = now_by_id.find(id); overlay != now_by_id.end()) {
      derived_.view.Put(*overlay->second);
    } else if (std::optional<audit::Finding> recorded =
                   engine_.RecordedFinding(rule, kind, subject)) {
      derived_.view.Put(std::move(*recorded));
    } else {
      derived_.view.Erase(id);
    }
  }
}

EngineAudit::Derived& EngineAudit::Advance(Timestamp now) {
  derived_.second = now.unix_nanos / kNanosPerSecond;
  derived_.as_of = now;
  derived_.whitelist.reset();  // a party's standing may lapse with time alone
  return derived_;
}

const std::vector<audit::WhitelistEntry>& EngineAudit::WhitelistLocked() {
  Derived& derived = DerivedLocked();
  if (!derived.whitelist) {
    derived.whitelist = engine_.Whitelist(derived.as_of, derived.view.OpenByParty());
  }
  return *derived.whitelist;
}

Result<json> EngineAudit::Findings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  json out = json::array();
  DerivedLocked().view.Walk(filter, nullptr, [&](const audit::Finding& finding) {
    out.push_back(audit::FindingToJson(finding));
    return true;
  });
  return out;
}

Result<FindingPage> EngineAudit::FindingsPage(const FindingFilter& filter,
                                              const std::string& cursor, size_t limit) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const FindingView& view = DerivedLocked().view;
  const audit::Finding* after = nullptr;
  if (!cursor.empty()) {
    after = view.Find(cursor);
    if (!after) {
      return Status::InvalidArgument("bad_parameter",
                                     "cursor: names no current finding; start again without it");
    }
  }
  FindingPage page;
  view.Walk(filter, after, [&](const audit::Finding& finding) {
    if (page.findings.size() == limit) {
      page.next_cursor = page.findings.back()["id"].get<std::string>();
      return false;
    }
    page.findings.push_back(audit::FindingToJson(finding));
    return true;
  });
  return page;
}

Result<FindingCounts> EngineAudit::CountFindings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  FindingCounts counts = derived.view.Count(filter);
  counts.tree_size = derived.applied_size;
  return counts;
}

Result<std::string> EngineAudit::Whitelist() {
  std::lock_guard<std::mutex> lock(engine_mu_);
  const std::vector<audit::WhitelistEntry>& whitelist = WhitelistLocked();  // drains the queue
  // Groups arrive whole, so the applied entries end where a checkpoint was signed.
  Result<std::string> checkpoint_note = ledger_->CheckpointNoteAt(applied_size_);
  if (!checkpoint_note.ok()) return checkpoint_note.status();
  json payload = audit::WhitelistPayload(whitelist, derived_.as_of, *checkpoint_note);
  return ledger_->SignStatement(audit::kWhitelistPayloadType, payload.dump());
}

OpenFindings EngineAudit::OpenFindingsAbout(std::string_view kind, std::string_view id,
                                            size_t limit) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  const FindingView& view = DerivedLocked().view;
  // About the record, and for sites and parties also those placed at it.
  FindingFilter about, placed;
  about.status = placed.status = "open";
  about.subject_kind = std::string(kind);
  about.subject_id = std::string(id);
  if (kind == "site") placed.site = std::string(id);
  if (kind == "party") placed.party = std::string(id);
  std::vector<const audit::Finding*> first;
  view.Walk(about, nullptr, [&](const audit::Finding& finding) {
    first.push_back(&finding);  // a subject has few findings: all of them
    return true;
  });
  OpenFindings out;
  out.total = first.size();
  if (placed.site || placed.party) {
    // Those placed at it are counted by group; those about it and placed at it count once.
    out.total += view.Count(placed).total;
    for (const audit::Finding* finding : first) out.total -= Matches(placed, *finding) ? 1 : 0;
    size_t about_count = first.size();
    first.reserve(about_count + limit);
    view.Walk(placed, nullptr, [&](const audit::Finding& finding) {
      first.push_back(&finding);
      return first.size() < about_count + limit;
    });
    std::sort(first.begin(), first.end(), [](const audit::Finding* a, const audit::Finding* b) {
      return audit::ReportOrderLess(*a, *b);
    });
    first.erase(std::unique(first.begin(), first.end()), first.end());
  }
  for (size_t i = 0; i < first.size() && i < limit; ++i) {
    out.first.push_back(audit::FindingToJson(*first[i]));
  }
  return out;
}

json EngineAudit::State(std::string_view kind, std::string_view id, double coverage_hours) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  DrainLocked();
  if (kind == "chip") return engine_.ChipState(id);
  if (kind == "site") return engine_.SiteState(id, Now(), coverage_hours);
  if (kind == "license") return engine_.LicenseState(id, Now());
  if (kind == "shipment") return engine_.ShipmentState(id);
  if (kind != "party") return nullptr;
  const std::vector<audit::WhitelistEntry>& whitelist = WhitelistLocked();
  return engine_.PartyState(id, derived_.as_of, whitelist);
}

Result<audit::Engine::ListPage> EngineAudit::List(std::string_view kind,
                                                  audit::Engine::ListQuery query) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  DrainLocked();
  query.as_of = Now();
  if (kind == "parties") {
    query.whitelist = &WhitelistLocked();
    query.as_of = derived_.as_of;
  }
  return engine_.List(kind, query);
}

// Persistence (api/audit_snapshot.h).

uint64_t EngineAudit::applied_size() {
  std::lock_guard<std::mutex> lock(engine_mu_);
  return applied_size_;
}

Result<std::string> EngineAudit::EncodeSnapshot(uint64_t* size) {
  std::lock_guard<std::mutex> lock(engine_mu_);  // readers wait while the state is encoded
  DrainLocked();
  Result<std::string> note = ledger_->CheckpointNoteAt(applied_size_);
  if (!note.ok()) return note.status();
  *size = applied_size_;
  return audit::SaveEngineSnapshot(*note, engine_);
}

Status EngineAudit::Restore(const audit::Snapshot& snapshot) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  if (applied_size_ != 0) {
    return Status::InvalidArgument("snapshot_late",
                                   "audit snapshot: restored after entries were applied");
  }
  if (Status restored = snapshot.RestoreEngine(&engine_); !restored.ok()) return restored;
  applied_size_ = restored_size_ = snapshot.checkpoint().size;
  derived_ = Derived{};  // built anew from the restored state (and its journal started)
  return Status::Ok();
}

}  // namespace chipledger::api
