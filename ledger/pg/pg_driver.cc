// The PostgreSQL driver's write side: opening (schema, sequencer session, fence), loading the
// state, group commits (group_insert.h: one atomic statement each), and recovery by
// reconnecting. Reads are pg_reads.cc.
#include "ledger/pg/pg_driver.h"

#include <map>
#include <thread>
#include <utility>

#include "ledger/pg/group_insert.h"
#include "ledger/pg/schema.h"
#include "ledger/store/keys.h"

namespace chipledger::pg {
namespace {

using std::chrono::milliseconds;

// A commit that did not happen is for the sequencer to retry after Recover: whatever the server
// said (a lost session, a standby, a constraint), the group is refused and nothing of it is kept.
Status CommitFailure(const Status& status) {
  if (status.kind() == StatusKind::kUnavailable ||
      status.kind() == StatusKind::kInsufficientStorage) {
    return status;
  }
  return Status::Unavailable("postgresql group commit: " + status.ToString());
}

}  // namespace

Result<std::unique_ptr<PgDriver>> PgDriver::Open(const PgStoreOptions& options, bool read_only) {
  std::unique_ptr<PgDriver> driver(new PgDriver(options));
  Result<std::unique_ptr<Connection>> session =
      Connection::Open(options.conninfo, options.connect_timeout);
  if (!session.ok()) return session.status();
  if (read_only) {
    Result<int> version = SchemaVersion(**session);
    if (!version.ok()) return version.status();
    if (*version == 0) return Status::NotFound("no_ledger", "postgresql: holds no ledger");
    return driver;
  }
  if (Status migrated = Migrate(**session); !migrated.ok()) return migrated;
  driver->writer_ = std::move(session).value();
  if (Status fenced = driver->TakeFence(options.fence_wait); !fenced.ok()) return fenced;
  return driver;
}

Status PgDriver::TakeFence(milliseconds wait) {
  fence_.reset();
  if (Result<Rows> named = writer_->Exec("SET application_name = 'chipledger-sequencer'");
      !named.ok()) {
    return named.status();
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    Result<pg::Fence> fence = pg::Fence::Acquire(*writer_);
    if (fence.ok()) {
      fence_.emplace(*fence);
      return Status::Ok();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (fence.status().kind() != StatusKind::kConflict) return fence.status();
      return Status::Conflict("fenced",
                              "another chipledgerd is sequencing this PostgreSQL ledger (it holds "
                              "the sequencer's advisory lock); stop it, or start this one as its "
                              "standby: " +
                                  fence.status().message());
    }
    std::this_thread::sleep_for(milliseconds(200));
    // The wait may outlast a failover: follow the primary.
    if (fence.status().kind() == StatusKind::kUnavailable) {
      if (Status again = writer_->Reconnect(milliseconds(1000)); !again.ok()) continue;
      (void)writer_->Exec("SET application_name = 'chipledger-sequencer'");
    }
  }
}

Status PgDriver::Initialize(const std::string& origin, const PublicKey& log_public_key,
                            const std::string& checkpoint) {
  return writer_->Transaction([&](Connection& c) -> Status {
    Result<Rows> held = c.Exec("SELECT count(*) FROM chipledger_metadata");
    if (!held.ok()) return held.status();
    if (held->Int(0, 0) != 0) {
      return Status::Conflict("ledger_exists", "postgresql: the database already holds a ledger");
    }
    for (const Insert& insert : InitialInserts(origin, log_public_key, checkpoint)) {
      if (Status status = InsertRows(c, insert); !status.ok()) return status;
    }
    return Status::Ok();
  });
}

Result<store::StoredState> PgDriver::Load() const {
  Result<Rows> rows = readers_.Exec("SELECT name, value FROM chipledger_metadata");
  if (!rows.ok()) return rows.status();
  std::map<std::string, std::string, std::less<>> metadata;
  for (size_t row = 0; row < rows->size(); ++row)
    metadata[rows->Bytes(row, 0)] = rows->Bytes(row, 1);
  if (metadata.empty()) return Status::NotFound("no_ledger", "postgresql: holds no ledger");
  auto origin = metadata.find(store::kMetaOrigin);
  auto key = metadata.find(store::kMetaLogPublicKey);
  auto size = metadata.find(store::kMetaSize);
  auto clock = metadata.find(store::kMetaClock);
  auto genesis = metadata.find(store::kMetaGenesisOpen);
  if (origin == metadata.end() || key == metadata.end() || key->second.size() != 32 ||
      size == metadata.end() || clock == metadata.end() || genesis == metadata.end() ||
      !store::DecodeU64(size->second) || !store::DecodeU64(clock->second)) {
    return Status::Corruption("postgresql: ledger metadata incomplete");
  }
  store::StoredState state;
  state.origin = origin->second;
  std::copy(key->second.begin(), key->second.end(), state.log_public_key.begin());
  state.size = *store::DecodeU64(size->second);
  state.clock = Timestamp{static_cast<int64_t>(*store::DecodeU64(clock->second))};
  state.genesis_open = genesis->second == "1";

  Result<Rows> agents = readers_.Exec("SELECT state FROM chipledger_agents ORDER BY agent");
  if (!agents.ok()) return agents.status();
  for (size_t row = 0; row < agents->size(); ++row) {
    Result<AgentState> agent = DecodeAgentState(agents->Bytes(row, 0));
    if (!agent.ok()) return agent.status();
    state.agents.push_back(std::move(agent).value());
  }
  return state;
}

Status PgDriver::Commit(const store::GroupWrite& group) {
  Status status = WriteAtomically(*writer_, GroupInserts(group));
  return status.ok() ? status : CommitFailure(status);
}

Status PgDriver::Recover() {
  fence_.reset();
  if (Status reconnected = writer_->Reconnect(milliseconds(0)); !reconnected.ok()) {
    return reconnected;
  }
  return TakeFence(milliseconds(0));
}

Status PgDriver::Backup(const std::string& dir) const {
  return Status::Conflict("backup_unsupported",
                          "backup to " + dir +
                              ": a PostgreSQL ledger is backed up by PostgreSQL, not chipledgerd: "
                              "use pg_basebackup (or pg_dump) of its database, and keep log.key");
}

}  // namespace chipledger::pg
