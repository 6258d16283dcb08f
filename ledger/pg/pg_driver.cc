// The PostgreSQL driver's write side: opening (schema, sequencer session, fence), loading the
// state, group commits as one transaction, and recovery by reconnecting. Reads are pg_reads.cc.
#include "ledger/pg/pg_driver.h"

#include <map>
#include <thread>
#include <utility>

#include "ledger/pg/schema.h"
#include "ledger/store/keys.h"

namespace chipledger::pg {
namespace {

using std::chrono::milliseconds;

// Rows per INSERT statement: a group's rows go in a few statements (round trips), well under
// PostgreSQL's 65535 parameters per statement.
constexpr size_t kRowsPerStatement = 500;

// Inserts rows of `casts.size()` parameters each (`params` holds them row after row) as
// "<head> VALUES ($1::cast, ...), ... <tail>". The casts give every parameter its column's type.
Status InsertRows(Connection& connection, std::string_view head,
                  const std::vector<std::string_view>& casts, const std::vector<Param>& params,
                  std::string_view tail = "") {
  const size_t width = casts.size();
  for (size_t first = 0; first < params.size(); first += width * kRowsPerStatement) {
    const size_t end = std::min(params.size(), first + width * kRowsPerStatement);
    std::string sql(head);
    sql += " VALUES ";
    for (size_t i = first; i < end; ++i) {
      const size_t column = (i - first) % width;
      if (column == 0) sql += i == first ? "(" : ",(";
      sql += "$" + std::to_string(i - first + 1) + "::" + std::string(casts[column]);
      sql += column + 1 == width ? ")" : ",";
    }
    sql += " ";
    sql += tail;
    std::vector<Param> chunk(params.begin() + static_cast<ptrdiff_t>(first),
                             params.begin() + static_cast<ptrdiff_t>(end));
    if (Result<Rows> done = connection.Exec(sql, chunk); !done.ok()) return done.status();
  }
  return Status::Ok();
}

Param Index(uint64_t index) { return Param::Int(static_cast<int64_t>(index)); }

Status PutEntries(Connection& c, const store::GroupWrite& group) {
  std::vector<Param> entries, payloads, terms;
  // The latest registration of each (kind, id) in the group: one upsert row each.
  std::map<std::pair<RecordKind, std::string>, uint64_t> records;
  for (const store::GroupWrite::Entry& entry : group.entries) {
    entries.insert(entries.end(), {Index(entry.index), Param::Bytes(entry.bytes)});
    payloads.insert(payloads.end(),
                    {Param::Bytes(std::string(AsBytes(entry.payload_hash))), Index(entry.index)});
    for (const auto& [term, value] : entry.terms) {
      terms.insert(terms.end(), {Param::Text(std::string(1, static_cast<char>(term))),
                                 Param::Bytes(value), Index(entry.index)});
    }
    if (entry.record) records[*entry.record] = entry.index;
  }
  std::vector<Param> record_rows;
  for (const auto& [key, index] : records) {
    record_rows.insert(record_rows.end(), {Param::Int(static_cast<int64_t>(key.first)),
                                           Param::Bytes(key.second), Index(index)});
  }
  Status status =
      InsertRows(c, "INSERT INTO chipledger_entries (idx, entry)", {"bigint", "bytea"}, entries);
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_payloads (payload_hash, idx)",
                        {"bytea", "bigint"}, payloads);
  }
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_event_terms (term, value, idx)",
                        {"\"char\"", "text", "bigint"}, terms);
  }
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_records (kind, id, idx)",
                        {"smallint", "text", "bigint"}, record_rows,
                        "ON CONFLICT (kind, id) DO UPDATE SET idx = excluded.idx");
  }
  return status;
}

Status PutTreeAndState(Connection& c, const store::GroupWrite& group) {
  std::vector<Param> nodes;
  for (const TreeBuilder::Node& node : group.nodes) {
    nodes.insert(nodes.end(), {Param::Int(node.level), Index(node.index),
                               Param::Bytes(std::string(AsBytes(node.hash)))});
  }
  std::map<std::string, std::string> agents;  // one upsert row per agent
  for (const AgentState& agent : group.agents) agents[agent.id] = EncodeAgentState(agent);
  std::vector<Param> agent_rows;
  for (const auto& [id, state] : agents) {
    agent_rows.insert(agent_rows.end(), {Param::Bytes(id), Param::Bytes(state)});
  }
  const std::vector<Param> metadata = {
      Param::Text(std::string(store::kMetaSize)),
      Param::Bytes(store::EncodeU64(group.size)),
      Param::Text(std::string(store::kMetaClock)),
      Param::Bytes(store::EncodeU64(static_cast<uint64_t>(group.clock.unix_nanos))),
      Param::Text(std::string(store::kMetaGenesisOpen)),
      Param::Bytes(group.genesis_open ? "1" : "0")};
  Status status = InsertRows(c, "INSERT INTO chipledger_nodes (level, idx, hash)",
                             {"smallint", "bigint", "bytea"}, nodes);
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_agents (agent, state)", {"text", "bytea"},
                        agent_rows, "ON CONFLICT (agent) DO UPDATE SET state = excluded.state");
  }
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_checkpoints (size, note)", {"bigint", "bytea"},
                        {Index(group.size), Param::Bytes(group.checkpoint)});
  }
  if (status.ok()) {
    status = InsertRows(c, "INSERT INTO chipledger_metadata (name, value)", {"text", "bytea"},
                        metadata, "ON CONFLICT (name) DO UPDATE SET value = excluded.value");
  }
  return status;
}

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
    const std::vector<Param> metadata = {Param::Text(std::string(store::kMetaOrigin)),
                                         Param::Bytes(origin),
                                         Param::Text(std::string(store::kMetaLogPublicKey)),
                                         Param::Bytes(std::string(AsBytes(log_public_key))),
                                         Param::Text(std::string(store::kMetaSize)),
                                         Param::Bytes(store::EncodeU64(0)),
                                         Param::Text(std::string(store::kMetaClock)),
                                         Param::Bytes(store::EncodeU64(0)),
                                         Param::Text(std::string(store::kMetaGenesisOpen)),
                                         Param::Bytes("1")};
    Status status =
        InsertRows(c, "INSERT INTO chipledger_metadata (name, value)", {"text", "bytea"}, metadata);
    if (!status.ok()) return status;
    return InsertRows(c, "INSERT INTO chipledger_checkpoints (size, note)", {"bigint", "bytea"},
                      {Index(0), Param::Bytes(checkpoint)});
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
  Status status = writer_->Transaction([&](Connection& c) -> Status {
    if (Status entries = PutEntries(c, group); !entries.ok()) return entries;
    return PutTreeAndState(c, group);
  });
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
