// The RocksDB tuning of the ledger's database, in one place.
#ifndef CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_
#define CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_

#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/options.h>

#include <chrono>
#include <memory>
#include <string>

namespace chipledger::store {

// What opening the store takes beyond OpenOptions. Only tests change it: a fault-injecting Env
// (as LevelDB's tests substitute theirs) and a shorter wait between retries.
struct StoreOptions {
  rocksdb::Env* env = nullptr;  // null: RocksDB's default; must outlive the ledger
  // After a failed write, appends are refused for this long before the next one retries.
  std::chrono::milliseconds retry_interval{1000};
};

// Options for opening the ledger. The ledger is the only writer (one WriteBatch per group
// commit), so memtable inserts need no concurrency and can use per-prefix position hints: most
// keys (entries, nodes, index postings, checkpoints) arrive in increasing order within their
// prefix. Bloom filters keep the duplicate check (a lookup that usually misses) cheap.
rocksdb::Options LedgerDbOptions(const StoreOptions& store = {});

// Opens the database at `path` with LedgerDbOptions(store).
rocksdb::Status OpenDatabase(const std::string& path, bool read_only, const StoreOptions& store,
                             std::shared_ptr<rocksdb::DB>* db);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_
