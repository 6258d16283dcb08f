// RocksDB's write errors as the ledger reports them: a full disk is its own kind (HTTP 507), so
// clients retry later and operators know what to fix.
#ifndef CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_
#define CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_

#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::store {

// RocksDB ran out of space (ENOSPC, or an SstFileManager's space limit).
bool IsDiskFull(const rocksdb::Status& status);

// A failed write (or open for writing) of the ledger in `dir` while doing `what`: nothing of it
// is in the log. kInsufficientStorage for a full disk, else kUnavailable: the ledger rolls back
// and retries, so a later append may succeed.
Status WriteFailure(const rocksdb::Status& status, const std::string& dir, std::string_view what);

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_STORAGE_STATUS_H_
