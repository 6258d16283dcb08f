// After a failed commit: memory goes back to what the driver holds (nothing of the failed
// group), and appends are refused until a retry, at most one per retry interval and made by the
// next append, finds the driver writable again (Driver::Recover).
#include "ledger/store/sequencer.h"

namespace chipledger::store {

bool Sequencer::Writable() {
  if (failed_.ok()) return true;
  auto now = std::chrono::steady_clock::now();
  if (now - last_retry_ < retry_interval_) return false;
  last_retry_ = now;
  Status recovered = Recover();
  failed_ = recovered;
  PublishStorage(failed_);
  return recovered.ok();
}

Status Sequencer::Recover() {
  if (Status recovered = driver_->Recover(); !recovered.ok()) return recovered;
  return Load();
}

void Sequencer::Fail(Status why) {
  failed_ = std::move(why);
  last_retry_ = std::chrono::steady_clock::now();
  PublishStorage(failed_);
  // Memory goes back to what is stored; should even that read fail, Recover loads again before
  // anything is admitted.
  static_cast<void>(Load());
}

void Sequencer::PublishStorage(const Status& storage) {
  std::lock_guard lock(published_mu_);
  stats_.storage = storage;
}

}  // namespace chipledger::store
