// The ledger's PostgreSQL schema, versioned (issue 15): chipledger_schema_version records each
// migration applied; Migrate applies the missing ones in order, each in one transaction, and
// refuses a database whose schema is newer than this binary knows (an older chipledgerd must not
// write to a layout it does not understand).
//
// Tables (version 1) mirror ledger/store/keys.h: entries by index, complete tree nodes, the
// payload-hash index, latest registration per (kind, id), the secondary event-term index, agent
// state, checkpoints handed out, and metadata. Hashes and entry bytes are bytea.
#ifndef CHIPLEDGER_LEDGER_PG_SCHEMA_H_
#define CHIPLEDGER_LEDGER_PG_SCHEMA_H_

#include "ledger/pg/connection.h"
#include "ledger/status.h"

namespace chipledger::pg {

// The newest schema version this binary knows.
int KnownSchemaVersion();

// The database's schema version: 0 when no migration was ever applied.
Result<int> SchemaVersion(Connection& connection);

// Brings the schema to KnownSchemaVersion(); a no-op when it is there already. Safe against a
// concurrent Migrate (each migration takes a transaction-level advisory lock).
Status Migrate(Connection& connection);

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_SCHEMA_H_
