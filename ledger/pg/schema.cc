#include "ledger/pg/schema.h"

#include <array>
#include <string_view>

namespace chipledger::pg {
namespace {

// Held for the length of one migration's transaction, so two chipledgerd starting at once do not
// both apply it.
constexpr int64_t kMigrationLockKey = 0x6368706d696772;  // "chpmigr"

// Migration N (1-based) is kMigrations[N - 1]. Append only: a released migration never changes.
constexpr std::array<std::string_view, 1> kMigrations = {
    R"sql(
-- e<index>: entry bytes.
CREATE TABLE chipledger_entries (idx bigint PRIMARY KEY CHECK (idx >= 0), entry bytea NOT NULL);
-- n<level><index>: hash of the complete Merkle node; level 0 holds the leaf hashes.
CREATE TABLE chipledger_nodes (
  level smallint NOT NULL CHECK (level >= 0),
  idx bigint NOT NULL CHECK (idx >= 0),
  hash bytea NOT NULL CHECK (length(hash) = 32),
  PRIMARY KEY (level, idx));
-- p<payload hash>: the entry holding that payload (idempotent submission).
CREATE TABLE chipledger_payloads (
  payload_hash bytea PRIMARY KEY CHECK (length(payload_hash) = 32),
  idx bigint NOT NULL REFERENCES chipledger_entries (idx));
-- r<kind><id>: the latest entry registering (kind, id); kind is RecordKind's value.
CREATE TABLE chipledger_records (
  kind smallint NOT NULL, id text NOT NULL,
  idx bigint NOT NULL REFERENCES chipledger_entries (idx),
  PRIMARY KEY (kind, id));
-- x<term><value>\0<index>: entries naming value under term (EventQuery's filters, store::Term's
-- character); the primary key walks one value's entries by index, either way.
CREATE TABLE chipledger_event_terms (
  term "char" NOT NULL, value text NOT NULL,
  idx bigint NOT NULL REFERENCES chipledger_entries (idx),
  PRIMARY KEY (term, value, idx));
-- a<agent id>: EncodeAgentState of the agent after the last durable group.
CREATE TABLE chipledger_agents (agent text PRIMARY KEY, state bytea NOT NULL);
-- c<size>: the signed checkpoint note handed out at that tree size.
CREATE TABLE chipledger_checkpoints (size bigint PRIMARY KEY CHECK (size >= 0), note bytea NOT NULL);
-- m<name>: origin, log public key, size, clock, genesis flag.
CREATE TABLE chipledger_metadata (name text PRIMARY KEY, value bytea NOT NULL);
)sql",
};

Status RefuseNewer(int version) {
  if (version <= KnownSchemaVersion()) return Status::Ok();
  return Status::Conflict("schema_too_new",
                          "the database's chipledger schema is version " + std::to_string(version) +
                              " but this chipledgerd knows versions up to " +
                              std::to_string(KnownSchemaVersion()) +
                              ": run a chipledgerd at least as new as the one that migrated it");
}

// Applies migration `version` unless a concurrent Migrate did it first.
Status Apply(Connection& connection, int version) {
  return connection.Transaction([version](Connection& c) -> Status {
    Result<Rows> lock =
        c.Exec("SELECT pg_advisory_xact_lock($1::bigint)", {Param::Int(kMigrationLockKey)});
    if (!lock.ok()) return lock.status();
    Result<int> current = SchemaVersion(c);
    if (!current.ok()) return current.status();
    if (*current >= version) return Status::Ok();
    if (Status status = c.ExecScript(kMigrations[version - 1]); !status.ok()) return status;
    return c
        .Exec("INSERT INTO chipledger_schema_version (version) VALUES ($1)", {Param::Int(version)})
        .status();
  });
}

}  // namespace

int KnownSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Result<int> SchemaVersion(Connection& connection) {
  Result<Rows> exists =
      connection.Exec("SELECT to_regclass('chipledger_schema_version') IS NOT NULL");
  if (!exists.ok()) return exists.status();
  if (!exists->Bool(0, 0)) return 0;
  Result<Rows> rows =
      connection.Exec("SELECT coalesce(max(version), 0) FROM chipledger_schema_version");
  if (!rows.ok()) return rows.status();
  return static_cast<int>(rows->Int(0, 0));
}

Status Migrate(Connection& connection) {
  Result<int> version = SchemaVersion(connection);
  if (!version.ok()) return version.status();
  if (Status status = RefuseNewer(*version); !status.ok()) return status;
  if (*version == KnownSchemaVersion()) return Status::Ok();
  Status table = connection.ExecScript(
      "CREATE TABLE IF NOT EXISTS chipledger_schema_version ("
      "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
  if (!table.ok()) return table;
  for (int next = *version + 1; next <= KnownSchemaVersion(); ++next) {
    if (Status status = Apply(connection, next); !status.ok()) {
      return Status::IOError("schema migration " + std::to_string(next) +
                             " failed: " + status.ToString());
    }
  }
  return Status::Ok();
}

}  // namespace chipledger::pg
