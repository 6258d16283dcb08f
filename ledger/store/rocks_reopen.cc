// After a failed write, appends are refused until a retry, made by the next append at most once
// per StoreOptions::retry_interval (Sequencer), finds room again (EnsureRoom refuses a group before
// RocksDB runs out of space) or, if RocksDB itself failed, reopens the database for writing.
//
// Reopening rather than DB::Resume: Resume (and RocksDB's own recovery, which LedgerDbOptions
// turns off) first writes out the WAL buffer of the failed write, so a crash before its flush
// completes would replay a group whose appenders were refused; and a Resume that fails again on a
// still full disk escalates to a fatal error no Resume clears. A reopen instead recovers the WAL
// up to the torn tail the failed write left, which is exactly what was acknowledged. Readers are
// served meanwhile by a read-only instance, which is also what Open falls back to on a full disk.
#include "ledger/store/rocks_driver.h"
#include "ledger/store/storage_status.h"

namespace chipledger::store {

Status RocksDriver::Recover() {
  if (!broken_ && !reopen_) return Status::Ok();  // refused before writing: RocksDB is fine
  if (!reopen_) {
    // Readers move to a read-only instance; the failed one closes once none of them holds it.
    std::shared_ptr<rocksdb::DB> reader;
    rocksdb::Status opened = OpenDatabase(dir_ + "/db", /*read_only=*/true, store_, &reader);
    if (!opened.ok()) return WriteFailure(opened, dir_, "reopening the database read-only");
    retired_ = db_.exchange(std::move(reader), std::memory_order_acq_rel);
    reopen_ = true;
  }
  // Its lock on the database must be gone before the database can be opened for writing.
  if (retired_.use_count() > 1) return failure_;
  retired_.reset();
  rocksdb::Env* env = store_.env ? store_.env : rocksdb::Env::Default();
  if (Status room = EnsureRoomToOpen(env, dir_); !room.ok()) return room;
  std::shared_ptr<rocksdb::DB> writer;
  rocksdb::Status opened = OpenDatabase(dir_ + "/db", /*read_only=*/false, store_, &writer);
  if (!opened.ok()) return WriteFailure(opened, dir_, "reopening the database for writing");
  // Readers still holding the read-only instance finish with it; it closes with the last one.
  db_.store(std::move(writer), std::memory_order_release);
  reopen_ = false;
  broken_ = false;
  failure_ = Status::Ok();
  return Status::Ok();
}

}  // namespace chipledger::store
