#include "api/engine_audit.h"

#include <algorithm>
#include <map>
#include <queue>
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

std::optional<std::string_view> View(const std::optional<std::string>& value) {
  return value ? std::optional<std::string_view>(*value) : std::nullopt;
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

FindingIndex::FindingIndex(const std::vector<audit::Finding>& findings)
    : findings_(&findings), next_of_subject_(findings.size(), kNone) {
  using Key = std::tuple<std::string_view, audit::Severity, bool, std::string_view,
                         std::optional<std::string_view>, std::optional<std::string_view>>;
  std::map<Key, size_t> group_of;
  std::unordered_map<std::string_view, uint32_t> last_of_subject;
  position_.reserve(findings.size());
  for (uint32_t i = 0; i < findings.size(); ++i) {
    const audit::Finding& f = findings[i];
    Key key{f.rule, f.severity, f.resolved, f.subject_kind, View(f.site), View(f.party)};
    auto [group, added] = group_of.try_emplace(key, groups_.size());
    if (added) groups_.emplace_back();
    groups_[group->second].push_back(i);
    auto [last, first] = last_of_subject.try_emplace(f.subject_id, i);
    if (first) {
      first_of_subject_.emplace(f.subject_id, i);
    } else {
      next_of_subject_[last->second] = i;
      last->second = i;
    }
    position_.emplace(f.id, i);
  }
}

void FindingIndex::Walk(const FindingFilter& filter, size_t start,
                        const std::function<bool(size_t)>& visit) const {
  if (filter.subject_id) {  // a subject has few findings: follow its chain
    auto first = first_of_subject_.find(*filter.subject_id);
    uint32_t at = first == first_of_subject_.end() ? kNone : first->second;
    for (; at != kNone; at = next_of_subject_[at]) {
      if (at >= start && Matches(filter, (*findings_)[at]) && !visit(at)) return;
    }
    return;
  }
  // A merge of the selected groups' positions, smallest first.
  using Head = std::pair<uint32_t, size_t>;  // position, group
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  std::vector<size_t> next(groups_.size());  // per group, the index of its next position
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::vector<uint32_t>& positions = groups_[g];
    if (!GroupMatches(filter, (*findings_)[positions.front()])) continue;
    auto at = std::lower_bound(positions.begin(), positions.end(), start);
    next[g] = at - positions.begin();
    if (at != positions.end()) heads.emplace(*at, g);
  }
  while (!heads.empty()) {
    auto [at, g] = heads.top();
    heads.pop();
    if (++next[g] < groups_[g].size()) heads.emplace(groups_[g][next[g]], g);
    if (Matches(filter, (*findings_)[at]) && !visit(at)) return;
  }
}

FindingCounts FindingIndex::Count(const FindingFilter& filter) const {
  FindingCounts counts = ZeroCounts();
  if (filter.subject_id || filter.since) {  // conditions on single findings: visit them
    Walk(filter, 0, [&](size_t at) {
      Add((*findings_)[at], 1, &counts);
      return true;
    });
    return counts;
  }
  for (const std::vector<uint32_t>& positions : groups_) {
    const audit::Finding& sample = (*findings_)[positions.front()];
    if (GroupMatches(filter, sample)) Add(sample, positions.size(), &counts);
  }
  return counts;
}

std::optional<size_t> FindingIndex::Position(std::string_view id) const {
  auto it = position_.find(id);
  return it == position_.end() ? std::nullopt : std::optional<size_t>(it->second);
}

// How far ahead findings found unchanged are trusted: the clock rules' deadlines are days apart,
// so after one look an hour ahead they are evaluated about once an hour, not every second.
constexpr int64_t kLookAheadSeconds = 3600;

EngineAudit::Derived& EngineAudit::DerivedLocked() {
  DrainLocked();
  Timestamp now = Now();
  int64_t second = now.unix_nanos / kNanosPerSecond;
  bool same_entries = derived_.applied_size == applied_size_ && derived_.second >= 0;
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
  derived_.index.reset();  // it views the findings replaced here
  derived_ = Derived{applied_size_,         second,       second,      now, engine_.Findings(now),
                     std::move(time_based), std::nullopt, std::nullopt};
  return derived_;
}

EngineAudit::Derived& EngineAudit::Advance(Timestamp now) {
  derived_.second = now.unix_nanos / kNanosPerSecond;
  derived_.as_of = now;
  derived_.whitelist.reset();  // a party's standing may lapse with time alone
  return derived_;
}

const FindingIndex& EngineAudit::IndexLocked() {
  if (!derived_.index) derived_.index.emplace(derived_.findings);
  return *derived_.index;
}

const std::vector<audit::WhitelistEntry>& EngineAudit::WhitelistLocked() {
  Derived& derived = DerivedLocked();
  if (!derived.whitelist) derived.whitelist = engine_.Whitelist(derived.as_of);
  return *derived.whitelist;
}

Result<json> EngineAudit::Findings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  json out = json::array();
  IndexLocked().Walk(filter, 0, [&](size_t at) {
    out.push_back(audit::FindingToJson(derived.findings[at]));
    return true;
  });
  return out;
}

Result<FindingPage> EngineAudit::FindingsPage(const FindingFilter& filter,
                                              const std::string& cursor, size_t limit) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  const FindingIndex& index = IndexLocked();
  size_t start = 0;
  if (!cursor.empty()) {
    std::optional<size_t> after = index.Position(cursor);
    if (!after) {
      return Status::InvalidArgument("bad_parameter",
                                     "cursor: names no current finding; start again without it");
    }
    start = *after + 1;
  }
  FindingPage page;
  index.Walk(filter, start, [&](size_t at) {
    if (page.findings.size() == limit) {
      page.next_cursor = page.findings.back()["id"].get<std::string>();
      return false;
    }
    page.findings.push_back(audit::FindingToJson(derived.findings[at]));
    return true;
  });
  return page;
}

Result<FindingCounts> EngineAudit::CountFindings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  FindingCounts counts = IndexLocked().Count(filter);
  counts.tree_size = derived.applied_size;
  return counts;
}

Result<std::string> EngineAudit::Whitelist() {
  std::lock_guard<std::mutex> lock(engine_mu_);
  DrainLocked();
  // Groups arrive whole, so the applied entries end where a checkpoint was signed.
  Result<std::string> checkpoint_note = ledger_->CheckpointNoteAt(applied_size_);
  if (!checkpoint_note.ok()) return checkpoint_note.status();
  json payload = audit::WhitelistPayload(engine_, Now(), *checkpoint_note);
  return ledger_->SignStatement(audit::kWhitelistPayloadType, payload.dump());
}

OpenFindings EngineAudit::OpenFindingsAbout(std::string_view kind, std::string_view id,
                                            size_t limit) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  const FindingIndex& index = IndexLocked();
  // About the record, and for sites and parties also those placed at it.
  FindingFilter about, placed;
  about.status = placed.status = "open";
  about.subject_kind = std::string(kind);
  about.subject_id = std::string(id);
  if (kind == "site") placed.site = std::string(id);
  if (kind == "party") placed.party = std::string(id);
  std::vector<size_t> positions;
  auto keep = [&](size_t at) {
    positions.push_back(at);
    return true;
  };
  index.Walk(about, 0, keep);
  if (placed.site || placed.party) {
    index.Walk(placed, 0, keep);
    std::sort(positions.begin(), positions.end());
    positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  }
  OpenFindings out;
  out.total = positions.size();
  for (size_t i = 0; i < positions.size() && i < limit; ++i) {
    out.first.push_back(audit::FindingToJson(derived.findings[positions[i]]));
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
  return Status::Ok();
}

}  // namespace chipledger::api
