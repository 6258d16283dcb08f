#include "api/audit_snapshot.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <utility>

#include "auditor/snapshot.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/durable_file.h"

namespace chipledger::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

void Say(const std::string& line) { std::cerr << "chipledgerd: " + line + "\n" << std::flush; }

// Why `snapshot` is not the state of this ledger's log, or Ok: its checkpoint (signed by the log
// key, checked by Parse) must have the root the ledger has at that size.
Status Matches(const Ledger& ledger, const audit::Snapshot& snapshot) {
  uint64_t size = snapshot.checkpoint().size;
  std::string at = "tree size " + std::to_string(size);
  if (size > ledger.size()) {
    return Status::Corruption("it is at " + at + " but the log has " +
                              std::to_string(ledger.size()) +
                              " entries (was the ledger restored from an older backup?)");
  }
  Result<std::string> note = ledger.CheckpointNoteAt(size);
  Result<Checkpoint> ours =
      note.ok() ? VerifyCheckpoint(*note, ledger.verifier()) : Result<Checkpoint>(note.status());
  if (!ours.ok()) {
    return Status::Corruption("the ledger has no valid checkpoint at " + at + ": " +
                              ours.status().message());
  }
  if (ours->root != snapshot.checkpoint().root) {
    return Status::Corruption("its root at " + at + " is " + ToHex(snapshot.checkpoint().root) +
                              ", the ledger's is " + ToHex(ours->root) +
                              " (a snapshot of another log, or of a rewritten one)");
  }
  return Status::Ok();
}

}  // namespace

AuditSnapshots::AuditSnapshots(const Ledger* ledger, EngineAudit* audit, std::string path,
                               AuditSnapshotConfig config)
    : ledger_(ledger), audit_(audit), path_(std::move(path)), config_(config) {}

AuditSnapshots::~AuditSnapshots() { Stop(); }

uint64_t AuditSnapshots::Restore() {
  std::string replay = "replaying all " + std::to_string(ledger_->size()) + " entries";
  if (!std::filesystem::exists(path_)) {
    Say("live audit: no snapshot at " + path_ + "; " + replay);
    return 0;
  }
  Result<audit::Snapshot> snapshot = [&]() -> Result<audit::Snapshot> {
    Result<std::string> bytes = ReadFile(path_);
    if (!bytes.ok()) return bytes.status();
    return audit::Snapshot::Parse(std::move(*bytes), ledger_->verifier());
  }();
  Status usable = snapshot.ok() ? Matches(*ledger_, *snapshot) : snapshot.status();
  if (usable.ok()) usable = audit_->Restore(*snapshot);
  if (!usable.ok()) {
    Say("WARNING: live audit: the snapshot " + path_ + " is not used (" + usable.message() + "); " +
        replay + " (the next snapshot replaces it)");
    return 0;
  }
  saved_size_ = snapshot->checkpoint().size;
  Say("live audit: restored from " + path_ + " at tree size " + std::to_string(saved_size_) +
      "; catching up " + std::to_string(ledger_->size() - saved_size_) + " entries");
  return saved_size_;
}

void AuditSnapshots::Start() {
  thread_ = std::thread([this] { Run(); });
}

void AuditSnapshots::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  Save();
}

// Polls the audit's size once a second (or every_s when shorter): cheap, and a snapshot due by
// entries is then at most a second late.
void AuditSnapshots::Run() {
  auto poll = std::chrono::duration<double>(std::min(1.0, config_.every_s));
  auto last = SteadyClock::now();
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, poll, [this] { return stopping_; })) {
    lock.unlock();
    uint64_t applied = audit_->applied_size();
    std::chrono::duration<double> since = SteadyClock::now() - last;
    bool due = applied > saved_size_ &&
               (applied - saved_size_ >= config_.every_entries || since.count() >= config_.every_s);
    // A failed attempt also waits for the next period, so a full disk is not retried every poll.
    if (due && Save()) last = SteadyClock::now();
    lock.lock();
  }
}

bool AuditSnapshots::Save() {
  uint64_t size = 0;
  Result<std::string> bytes = audit_->EncodeSnapshot(&size);
  // NotFound: the entries fed end at no checkpoint yet (the start's catch-up); try again later.
  if (!bytes.ok() && bytes.status().kind() == StatusKind::kNotFound) return false;
  if (bytes.ok() && size == saved_size_) return true;
  Status written = bytes.ok() ? WriteFileDurably(path_, *bytes, 0600) : bytes.status();
  if (!written.ok()) {
    Say("WARNING: live audit: no snapshot written to " + path_ + " (" + written.message() +
        "); a restart replays from the previous one");
    return true;
  }
  saved_size_ = size;
  return true;
}

}  // namespace chipledger::api
