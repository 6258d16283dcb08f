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

Result<json> EngineAudit::Findings(const FindingFilter& filter) {
  if (filter.status && *filter.status != "open" && *filter.status != "resolved") {
    return Status::InvalidArgument("bad_parameter", "status: must be open or resolved");
  }
  if (filter.severity && !audit::SeverityFromName(*filter.severity)) {
    return Status::InvalidArgument("bad_parameter", "severity: must be medium, high or critical");
  }
  std::lock_guard<std::mutex> lock(engine_mu_);
  DrainLocked();
  json out = json::array();
  for (const audit::Finding& f : engine_.Findings(Now())) {
    if (filter.status && (*filter.status == "open") == f.resolved) continue;
    if (filter.severity && audit::SeverityName(f.severity) != *filter.severity) continue;
    if (filter.rule && f.rule != *filter.rule) continue;
    if (filter.site && f.site != *filter.site) continue;
    if (filter.party && f.party != *filter.party) continue;
    out.push_back(audit::FindingToJson(f));
  }
  return out;
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
  DrainLocked();
  json out = json::array();
  for (const audit::Finding& f : engine_.Findings(Now())) {
    if (f.resolved) continue;
    bool about = (f.subject_kind == kind && f.subject_id == id) ||
                 (kind == "site" && f.site == id) || (kind == "party" && f.party == id);
    if (about) out.push_back(audit::FindingToJson(f));
  }
  return out;
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
