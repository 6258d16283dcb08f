#include "api/engine_audit.h"

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

bool Matches(const FindingFilter& filter, const audit::Finding& f) {
  if (filter.status && (*filter.status == "open") == f.resolved) return false;
  if (filter.severity && audit::SeverityName(f.severity) != *filter.severity) return false;
  if (Differs(filter.rule, f.rule) || Differs(filter.site, f.site) ||
      Differs(filter.party, f.party) || Differs(filter.subject_kind, f.subject_kind) ||
      Differs(filter.subject_id, f.subject_id)) {
    return false;
  }
  // Evidence is kept in entry order, so its last index is the latest kept.
  return !filter.since || (!f.evidence.empty() && f.evidence.back() >= *filter.since);
}

}  // namespace

EngineAudit::Derived& EngineAudit::DerivedLocked() {
  DrainLocked();
  Timestamp now = Now();
  int64_t second = now.unix_nanos / kNanosPerSecond;
  if (derived_.applied_size == applied_size_ && derived_.second == second) return derived_;
  derived_ = Derived{applied_size_, second, now, engine_.Findings(now), {}, std::nullopt};
  derived_.position.reserve(derived_.findings.size());
  for (size_t i = 0; i < derived_.findings.size(); ++i) {
    derived_.position.emplace(derived_.findings[i].id, i);
  }
  return derived_;
}

const std::vector<audit::WhitelistEntry>& EngineAudit::WhitelistLocked() {
  Derived& derived = DerivedLocked();
  if (!derived.whitelist) derived.whitelist = engine_.Whitelist(derived.as_of);
  return *derived.whitelist;
}

Result<json> EngineAudit::Findings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  json out = json::array();
  for (const audit::Finding& f : DerivedLocked().findings) {
    if (Matches(filter, f)) out.push_back(audit::FindingToJson(f));
  }
  return out;
}

Result<FindingPage> EngineAudit::FindingsPage(const FindingFilter& filter,
                                              const std::string& cursor, size_t limit) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  size_t start = 0;
  if (!cursor.empty()) {
    auto it = derived.position.find(cursor);
    if (it == derived.position.end()) {
      return Status::InvalidArgument("bad_parameter",
                                     "cursor: names no current finding; start again without it");
    }
    start = it->second + 1;
  }
  FindingPage page;
  for (size_t i = start; i < derived.findings.size(); ++i) {
    const audit::Finding& f = derived.findings[i];
    if (!Matches(filter, f)) continue;
    if (page.findings.size() == limit) {
      page.next_cursor = page.findings.back()["id"].get<std::string>();
      break;
    }
    page.findings.push_back(audit::FindingToJson(f));
  }
  return page;
}

Result<FindingCounts> EngineAudit::CountFindings(const FindingFilter& filter) {
  if (Status checked = CheckFilter(filter); !checked.ok()) return checked;
  std::lock_guard<std::mutex> lock(engine_mu_);
  const Derived& derived = DerivedLocked();
  FindingCounts counts;
  counts.tree_size = derived.applied_size;
  for (audit::Severity severity :
       {audit::Severity::kMedium, audit::Severity::kHigh, audit::Severity::kCritical}) {
    counts.by_severity[std::string(audit::SeverityName(severity))] = 0;
  }
  counts.by_status = {{"open", 0}, {"resolved", 0}};
  for (const audit::Finding& f : derived.findings) {
    if (!Matches(filter, f)) continue;
    ++counts.total;
    ++counts.by_severity[std::string(audit::SeverityName(f.severity))];
    ++counts.by_rule[f.rule];
    ++counts.by_status[f.resolved ? "resolved" : "open"];
  }
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

json EngineAudit::OpenFindings(std::string_view kind, std::string_view id) {
  std::lock_guard<std::mutex> lock(engine_mu_);
  json out = json::array();
  for (const audit::Finding& f : DerivedLocked().findings) {
    if (f.resolved) continue;
    bool about = (f.subject_kind == kind && f.subject_id == id) ||
                 (kind == "site" && f.site == id) || (kind == "party" && f.party == id);
    if (about) out.push_back(audit::FindingToJson(f));
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
