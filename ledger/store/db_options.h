// The RocksDB tuning of the ledger's database, in one place.
#ifndef CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_
#define CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_

#include <rocksdb/options.h>

namespace chipledger::store {

// Options for opening the ledger. The ledger is the only writer (one WriteBatch per group
// commit), so memtable inserts need no concurrency and can use per-prefix position hints: most
// keys (entries, nodes, index postings, checkpoints) arrive in increasing order within their
// prefix. Bloom filters keep the duplicate check (a lookup that usually misses) cheap.
rocksdb::Options LedgerDbOptions();

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_DB_OPTIONS_H_
