// Where chipledgerd keeps its ledger (issue 15): RocksDB under the data directory (DATA/db), the
// default and what the demo uses, or PostgreSQL when --store names a database (a postgres:// or
// postgresql:// URL, or a libpq conninfo "host=... dbname=..."). Either way the data directory
// holds the log key (DATA/log.key), the reader tokens and the audit snapshot.
#ifndef CHIPLEDGER_API_LEDGER_STORE_H_
#define CHIPLEDGER_API_LEDGER_STORE_H_

#include <chrono>
#include <memory>
#include <string>

#include "ledger/ledger.h"

namespace chipledger::api {

struct LedgerStore {
  std::string data;   // the data directory
  std::string store;  // --store: empty for RocksDB in DATA/db
  // PostgreSQL only: how long serve waits for the fence another chipledgerd holds (a standby).
  std::chrono::milliseconds fence_wait{0};
};

// Ledger::Create in the chosen store; returns the note verifier key.
Result<std::string> CreateLedger(const LedgerStore& where, const CreateOptions& options);
// Ledger::Open in the chosen store.
Result<std::unique_ptr<Ledger>> OpenLedger(const LedgerStore& where, const OpenOptions& options);

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_LEDGER_STORE_H_
