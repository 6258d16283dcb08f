#include "api/ledger_store.h"

#include "ledger/pg/pg_ledger.h"
#include "ledger/store/key_file.h"

namespace chipledger::api {
namespace {

using std::chrono::milliseconds;

Result<pg::PgLedgerOptions> PostgresOptions(const LedgerStore& where) {
  const std::string& store = where.store;
  if (!store.starts_with("postgres://") && !store.starts_with("postgresql://") &&
      store.find('=') == std::string::npos) {
    return Status::InvalidArgument(
        "usage",
        "--store: expected postgres://USER@HOST:PORT/DB or a libpq conninfo "
        "(\"host=... port=... dbname=...\"); omit it for RocksDB in the data directory");
  }
  pg::PgLedgerOptions options;
  options.store.conninfo = store;
  // A server starting beside its database, or a cluster still electing a primary.
  options.store.connect_timeout = milliseconds(30000);
  options.store.fence_wait = where.fence_wait;
  options.key_file = store::KeyPath(where.data);
  // After a lost primary, appends wait at most this long for the next reconnect attempt.
  options.retry_interval = milliseconds(250);
  return options;
}

}  // namespace

Result<std::string> CreateLedger(const LedgerStore& where, const CreateOptions& options) {
  if (where.store.empty()) return Ledger::Create(where.data, options);
  Result<pg::PgLedgerOptions> pg = PostgresOptions(where);
  if (!pg.ok()) return pg.status();
  if (Status made = store::CreatePrivateDir(where.data); !made.ok()) return made;
  return pg::CreatePgLedger(*pg, options);
}

Result<std::unique_ptr<Ledger>> OpenLedger(const LedgerStore& where, const OpenOptions& options) {
  if (where.store.empty()) return Ledger::Open(where.data, options);
  Result<pg::PgLedgerOptions> pg = PostgresOptions(where);
  if (!pg.ok()) return pg.status();
  return pg::OpenPgLedger(*pg, options);
}

}  // namespace chipledger::api
