#include "ledger/pg/group_insert.h"

#include <algorithm>
#include <map>
#include <utility>

#include "ledger/store/keys.h"

namespace chipledger::pg {
namespace {

// Rows per statement when a group is written table by table.
constexpr size_t kRowsPerStatement = 500;
// Parameters of the one-statement form; PostgreSQL takes at most 65535.
constexpr size_t kMaxParams = 30000;

Param Index(uint64_t index) { return Param::Int(static_cast<int64_t>(index)); }
Param Name(std::string_view name) { return Param::Text(std::string(name)); }

// "<head> VALUES ($n::cast, ...), ... <tail>" for rows [first, end) of `insert`, numbering its
// parameters from `number`.
std::string InsertSql(const Insert& insert, size_t first, size_t end, size_t number) {
  const size_t width = insert.casts.size();
  std::string sql(insert.head);
  sql += " VALUES ";
  for (size_t row = first; row < end; ++row) {
    sql += row == first ? "(" : ",(";
    for (size_t column = 0; column < width; ++column) {
      sql += "$" + std::to_string(number++) + "::" + std::string(insert.casts[column]);
      sql += column + 1 == width ? ")" : ",";
    }
  }
  if (!insert.tail.empty()) sql += " " + std::string(insert.tail);
  return sql;
}

size_t RowCount(const Insert& insert) { return insert.params.size() / insert.casts.size(); }

Insert EntriesInsert(const store::GroupWrite& group) {
  Insert insert{"INSERT INTO chipledger_entries (idx, entry)", {"bigint", "bytea"}, {}, ""};
  for (const store::GroupWrite::Entry& entry : group.entries) {
    insert.params.insert(insert.params.end(), {Index(entry.index), Param::Bytes(entry.bytes)});
  }
  return insert;
}

Insert PayloadsInsert(const store::GroupWrite& group) {
  Insert insert{"INSERT INTO chipledger_payloads (payload_hash, idx)", {"bytea", "bigint"}, {}, ""};
  for (const store::GroupWrite::Entry& entry : group.entries) {
    insert.params.insert(
        insert.params.end(),
        {Param::Bytes(std::string(AsBytes(entry.payload_hash))), Index(entry.index)});
  }
  return insert;
}

Insert TermsInsert(const store::GroupWrite& group) {
  Insert insert{"INSERT INTO chipledger_event_terms (term, value, idx)",
                {"\"char\"", "text", "bigint"},
                {},
                ""};
  for (const store::GroupWrite::Entry& entry : group.entries) {
    for (const auto& [term, value] : entry.terms) {
      insert.params.insert(insert.params.end(),
                           {Param::Text(std::string(1, static_cast<char>(term))),
                            Param::Bytes(value), Index(entry.index)});
    }
  }
  return insert;
}

// The latest registration of each (kind, id) in the group: an upsert may touch a row only once.
Insert RecordsInsert(const store::GroupWrite& group) {
  std::map<std::pair<RecordKind, std::string>, uint64_t> records;
  for (const store::GroupWrite::Entry& entry : group.entries) {
    if (entry.record) records[*entry.record] = entry.index;
  }
  Insert insert{"INSERT INTO chipledger_records (kind, id, idx)",
                {"smallint", "text", "bigint"},
                {},
                "ON CONFLICT (kind, id) DO UPDATE SET idx = excluded.idx"};
  for (const auto& [key, index] : records) {
    insert.params.insert(insert.params.end(), {Param::Int(static_cast<int64_t>(key.first)),
                                               Param::Bytes(key.second), Index(index)});
  }
  return insert;
}

Insert NodesInsert(const store::GroupWrite& group) {
  Insert insert{
      "INSERT INTO chipledger_nodes (level, idx, hash)", {"smallint", "bigint", "bytea"}, {}, ""};
  for (const TreeBuilder::Node& node : group.nodes) {
    insert.params.insert(insert.params.end(), {Param::Int(node.level), Index(node.index),
                                               Param::Bytes(std::string(AsBytes(node.hash)))});
  }
  return insert;
}

Insert AgentsInsert(const store::GroupWrite& group) {
  std::map<std::string, std::string> agents;  // one upsert row per agent
  for (const AgentState& agent : group.agents) agents[agent.id] = EncodeAgentState(agent);
  Insert insert{"INSERT INTO chipledger_agents (agent, state)",
                {"text", "bytea"},
                {},
                "ON CONFLICT (agent) DO UPDATE SET state = excluded.state"};
  for (const auto& [id, state] : agents) {
    insert.params.insert(insert.params.end(), {Param::Bytes(id), Param::Bytes(state)});
  }
  return insert;
}

Insert CheckpointInsert(uint64_t size, const std::string& note) {
  return Insert{"INSERT INTO chipledger_checkpoints (size, note)",
                {"bigint", "bytea"},
                {Index(size), Param::Bytes(note)},
                ""};
}

Insert MetadataInsert(std::vector<Param> params) {
  return Insert{"INSERT INTO chipledger_metadata (name, value)",
                {"text", "bytea"},
                std::move(params),
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value"};
}

}  // namespace

std::vector<Insert> GroupInserts(const store::GroupWrite& group) {
  std::vector<Insert> inserts = {EntriesInsert(group),
                                 PayloadsInsert(group),
                                 TermsInsert(group),
                                 RecordsInsert(group),
                                 NodesInsert(group),
                                 AgentsInsert(group),
                                 CheckpointInsert(group.size, group.checkpoint)};
  std::erase_if(inserts, [](const Insert& insert) { return insert.params.empty(); });
  inserts.push_back(MetadataInsert(
      {Name(store::kMetaSize), Param::Bytes(store::EncodeU64(group.size)), Name(store::kMetaClock),
       Param::Bytes(store::EncodeU64(static_cast<uint64_t>(group.clock.unix_nanos))),
       Name(store::kMetaGenesisOpen), Param::Bytes(group.genesis_open ? "1" : "0")}));
  return inserts;
}

std::vector<Insert> InitialInserts(const std::string& origin, const PublicKey& log_public_key,
                                   const std::string& checkpoint) {
  return {
      CheckpointInsert(0, checkpoint),
      MetadataInsert(
          {Name(store::kMetaOrigin), Param::Bytes(origin), Name(store::kMetaLogPublicKey),
           Param::Bytes(std::string(AsBytes(log_public_key))), Name(store::kMetaSize),
           Param::Bytes(store::EncodeU64(0)), Name(store::kMetaClock),
           Param::Bytes(store::EncodeU64(0)), Name(store::kMetaGenesisOpen), Param::Bytes("1")})};
}

Status InsertRows(Connection& connection, const Insert& insert) {
  const size_t width = insert.casts.size();
  for (size_t first = 0; first < RowCount(insert); first += kRowsPerStatement) {
    const size_t end = std::min(RowCount(insert), first + kRowsPerStatement);
    std::vector<Param> chunk(insert.params.begin() + static_cast<ptrdiff_t>(first * width),
                             insert.params.begin() + static_cast<ptrdiff_t>(end * width));
    Result<Rows> done = connection.Exec(InsertSql(insert, first, end, 1), chunk);
    if (!done.ok()) return done.status();
  }
  return Status::Ok();
}

Status WriteAtomically(Connection& connection, const std::vector<Insert>& inserts) {
  size_t total = 0;
  for (const Insert& insert : inserts) total += insert.params.size();
  if (total > kMaxParams || inserts.empty()) {
    return connection.Transaction([&](Connection& c) -> Status {
      for (const Insert& insert : inserts) {
        if (Status status = InsertRows(c, insert); !status.ok()) return status;
      }
      return Status::Ok();
    });
  }
  // WITH w0 AS (INSERT ...), w1 AS (INSERT ...) INSERT ...: one statement, so one transaction.
  std::string sql;
  std::vector<Param> params;
  for (size_t i = 0; i < inserts.size(); ++i) {
    std::string one = InsertSql(inserts[i], 0, RowCount(inserts[i]), params.size() + 1);
    params.insert(params.end(), inserts[i].params.begin(), inserts[i].params.end());
    if (i + 1 == inserts.size()) {
      sql += (i == 0 ? "" : " ") + one;
    } else {
      sql += (i == 0 ? "WITH w" : ", w") + std::to_string(i) + " AS (" + one + ")";
    }
  }
  return connection.Exec(sql, params).status();
}

}  // namespace chipledger::pg
