// RocksDB's write errors as the ledger reports them: a full disk is its own kind (HTTP 507), so
// clients retry later and operators know what to fix.
#ifndef CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_
#define CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::store {

// RocksDB ran out of space (ENOSPC, or an SstFileManager's space limit).
bool IsDiskFull(const rocksdb::Status& status);

// A failed write (or open for writing) of the ledger in `dir` while doing `what`, as appenders
// see it: kInsufficientStorage for a full disk, else kUnavailable. Either way the ledger rolls
// back and retries, so a later append may succeed.
Status WriteFailure(const rocksdb::Status& status, const std::string& dir, std::string_view what);

// Refuses a write of `bytes` to `db` (in `dir`) unless the disk keeps room for it, for flushing
// the memtables and for reopening (kSpaceMargin). Debian's RocksDB 7.8 is built with assertions,
// and some WAL appends that fail for lack of space abort the process (WritableFileWriter's
// "sync_without_flush_called_"), so the ledger must not let RocksDB find the disk full itself.
Status EnsureRoom(rocksdb::DB* db, const std::string& dir, uint64_t bytes);

// The same before opening the database in `dir` for writing, which flushes its WALs into a table
// and writes a new MANIFEST, OPTIONS file and WAL: RocksDB 7.8 aborts if that fails for lack of
// space.
Status EnsureRoomToOpen(rocksdb::Env* env, const std::string& dir);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_
