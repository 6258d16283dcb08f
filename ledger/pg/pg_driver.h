// The ledger's storage on PostgreSQL (issue 15): a store::Driver over the schema of schema.h.
// Each group commit is one transaction on the sequencer's own session, which holds the Fence, so
// only one chipledgerd appends to a database; reads go to a pool of other sessions. The conninfo
// may list several nodes (target_session_attrs=read-write): after a failover, Recover reconnects
// to the new primary and takes the fence again, and the sequencer reloads what was committed.
//
// The log key is not in the database: it stays a local file (see pg_ledger.h).
#ifndef CHIPLEDGER_LEDGER_PG_PG_DRIVER_H_
#define CHIPLEDGER_LEDGER_PG_PG_DRIVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ledger/pg/connection.h"
#include "ledger/pg/fence.h"
#include "ledger/pg/pool.h"
#include "ledger/store/driver.h"

namespace chipledger::pg {

struct PgStoreOptions {
  // libpq conninfo: "postgres://user@host:port/db" or "host=... port=... dbname=...".
  std::string conninfo;
  // How long opening waits for a node that accepts writes (a cluster still electing a primary).
  std::chrono::milliseconds connect_timeout{10000};
  // How long opening waits for the fence another chipledgerd holds; zero: refuse at once.
  std::chrono::milliseconds fence_wait{0};
};

class PgDriver final : public store::Driver {
 public:
  // Connects and brings the schema up to date. Unless `read_only`, also opens the sequencer's
  // session and takes the fence: kConflict "fenced" when another chipledgerd holds it.
  [[nodiscard]] static Result<std::unique_ptr<PgDriver>> Open(const PgStoreOptions& options,
                                                              bool read_only);

  Status Initialize(const std::string& origin, const PublicKey& log_public_key,
                    const std::string& checkpoint) override;
  Result<store::StoredState> Load() const override;
  Status Commit(const store::GroupWrite& group) override;
  // Reconnects the sequencer's session (once, without waiting: the sequencer retries) and takes
  // the fence again; kConflict when another chipledgerd took it meanwhile.
  Status Recover() override;
  Result<std::string> Entry(uint64_t index) const override;
  Result<Hash> Node(int level, uint64_t index) const override;
  Result<std::optional<uint64_t>> PayloadIndex(const Hash& hash) const override;
  Result<std::string> CheckpointAt(uint64_t size) const override;
  Result<store::StoredCheckpoint> CheckpointCovering(uint64_t index) const override;
  Result<std::optional<uint64_t>> Record(RecordKind kind, std::string_view id) const override;
  Result<std::optional<AgentState>> Agent(std::string_view id) const override;
  Status ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const override;
  // Pages through the term index by primary key, a page per statement.
  Status ScanTerm(store::Term term, std::string_view value, uint64_t from, bool backward,
                  const Visit& visit) const override;
  // Not supported: a PostgreSQL ledger is backed up by PostgreSQL (pg_basebackup, or the
  // synchronous standby); refused with kConflict "backup_unsupported" saying so.
  Status Backup(const std::string& dir) const override;

 private:
  PgDriver(const PgStoreOptions& options) : readers_(options.conninfo, options.connect_timeout) {}
  // Names the session in pg_stat_activity and takes the fence, waiting up to `wait`.
  Status TakeFence(std::chrono::milliseconds wait);

  mutable ConnectionPool readers_;
  // The sequencer's session and its fence; committer only. Empty when opened read-only.
  std::unique_ptr<Connection> writer_;
  std::optional<pg::Fence> fence_;
};

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_PG_DRIVER_H_
