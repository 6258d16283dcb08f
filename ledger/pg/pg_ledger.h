// A Ledger kept in PostgreSQL (issue 15): the sequencer (ledger/store/sequencer.h) over PgDriver.
// The log key stays a local file (key_file.h's format, mode 0600), never in the database: whoever
// can read the database (a replica, a backup, a DBA) must not be able to sign checkpoints. Each
// machine that may sequence holds a copy of it.
#ifndef CHIPLEDGER_LEDGER_PG_PG_LEDGER_H_
#define CHIPLEDGER_LEDGER_PG_PG_LEDGER_H_

#include <chrono>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/pg/pg_driver.h"

namespace chipledger::pg {

struct PgLedgerOptions {
  PgStoreOptions store;
  std::string key_file;  // the log key: created by CreatePgLedger, read by OpenPgLedger
  // After a failed group commit (a lost primary), appends are refused this long between retries.
  std::chrono::milliseconds retry_interval{1000};
};

// A new ledger in the database, which must hold none; writes the log key to options.key_file,
// which must not exist. Returns the note verifier key.
Result<std::string> CreatePgLedger(const PgLedgerOptions& options, const CreateOptions& create);
// The ledger in the database. Unless open.read_only: reads the log key and takes the fence.
Result<std::unique_ptr<Ledger>> OpenPgLedger(const PgLedgerOptions& options,
                                             const OpenOptions& open);

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_PG_LEDGER_H_
