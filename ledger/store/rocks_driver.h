// The ledger's first storage driver: RocksDB, one keyspace laid out as keys.h says, one synced
// WriteBatch per group commit.
//
// After a failed write RocksDB stops writing; Recover then reopens the database rather than
// calling DB::Resume. Resume (and RocksDB's own recovery, which LedgerDbOptions turns off) first
// writes out the WAL buffer of the failed write, so a crash before its flush completes would
// replay a group whose appenders were refused; and a Resume that fails again on a still full disk
// escalates to a fatal error no Resume clears. A reopen instead recovers the WAL up to the torn
// tail the failed write left, which is exactly what was acknowledged. Readers are served
// meanwhile by a read-only instance, which is also what Open falls back to on a full disk.
#ifndef CHIPLEDGER_LEDGER_STORE_ROCKS_DRIVER_H_
#define CHIPLEDGER_LEDGER_STORE_ROCKS_DRIVER_H_

#include <rocksdb/db.h>

#include <atomic>
#include <memory>
#include <string>

#include "ledger/store/db_options.h"
#include "ledger/store/driver.h"

namespace chipledger::store {

class RocksDriver final : public Driver {
 public:
  // Creates an empty database under dir/db, which must not exist yet; Initialize fills it.
  [[nodiscard]] static Result<std::unique_ptr<RocksDriver>> Create(const std::string& dir);
  // Opens dir/db. With `serve_reads_when_full`, a disk too full to open for writing opens
  // read-only instead: `*refused` then says why, and Recover reopens for writing later.
  [[nodiscard]] static Result<std::unique_ptr<RocksDriver>> Open(const std::string& dir,
                                                                 const OpenOptions& options,
                                                                 const StoreOptions& store,
                                                                 Status* refused);

  Status Initialize(const std::string& origin, const PublicKey& log_public_key,
                    const std::string& checkpoint) override;
  Result<StoredState> Load() const override;
  Status Commit(const GroupWrite& group) override;
  Status Recover() override;
  Result<std::string> Entry(uint64_t index) const override;
  Result<Hash> Node(int level, uint64_t index) const override;
  Result<std::optional<uint64_t>> PayloadIndex(const Hash& hash) const override;
  Result<std::string> CheckpointAt(uint64_t size) const override;
  Result<StoredCheckpoint> CheckpointCovering(uint64_t index) const override;
  Result<std::optional<uint64_t>> Record(RecordKind kind, std::string_view id) const override;
  Result<std::optional<AgentState>> Agent(std::string_view id) const override;
  Status ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const override;
  Status ScanTerm(Term term, std::string_view value, uint64_t from, bool backward,
                  const Visit& visit) const override;
  Status Backup(const std::string& dir) const override;

 private:
  RocksDriver(std::shared_ptr<rocksdb::DB> db, std::string dir, bool sync, StoreOptions store);
  // The database: Recover may swap it, so each use holds it.
  std::shared_ptr<rocksdb::DB> Db() const { return db_.load(std::memory_order_acquire); }
  // The value at `key`; kNotFound when absent.
  Result<std::string> Get(const std::string& key) const;
  // The index stored at `key`, if any.
  Result<std::optional<uint64_t>> GetIndex(const std::string& key, std::string_view what) const;

  std::atomic<std::shared_ptr<rocksdb::DB>> db_;
  const std::string dir_;
  const bool sync_;
  const StoreOptions store_;
  // Committer only (Commit and Recover).
  Status failure_;       // why the last commit failed, returned while a reopen must wait
  bool reopen_ = false;  // db_ is a read-only instance: Recover opens it for writing
  bool broken_ = false;  // a RocksDB write failed: Recover must reopen
  std::shared_ptr<rocksdb::DB> retired_;  // the failed writable instance, until no reader has it
};

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_ROCKS_DRIVER_H_
