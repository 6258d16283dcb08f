// The PostgreSQL driver's reads: one statement by primary key each, on the reader pool; term
// scans page through the term index.
#include "ledger/pg/pg_driver.h"

namespace chipledger::pg {
namespace {

// Indices per page of a term scan: a page is one statement, and a query that stops early (the
// API's pages are small) reads little past what it needed.
constexpr int64_t kScanPage = 256;
// Entries per page of an entry scan: about a megabyte of heartbeats.
constexpr int64_t kEntryPage = 1024;

Param Index(uint64_t index) { return Param::Int(static_cast<int64_t>(index)); }

// The one row's one column of a lookup by primary key, or kNotFound when there is no row.
Result<std::string> KeyedBytes(const Result<Rows>& rows) {
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return Status::NotFound("not_found", "key not found");
  return rows->Bytes(0, 0);
}

Result<std::optional<uint64_t>> OptionalIndex(const Result<Rows>& rows) {
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<uint64_t>();
  return std::optional<uint64_t>(static_cast<uint64_t>(rows->Int(0, 0)));
}

}  // namespace

Result<std::string> PgDriver::Entry(uint64_t index) const {
  return KeyedBytes(
      readers_.Exec("SELECT entry FROM chipledger_entries WHERE idx = $1", {Index(index)}));
}

// A page of entries per statement, by primary key range: memory stays at one page whatever the
// range, and `visit` runs between statements.
Status PgDriver::ScanEntries(uint64_t begin, uint64_t end, const EntryVisit& visit) const {
  uint64_t index = begin;
  while (index < end) {
    Result<Rows> page = readers_.Exec(
        "SELECT idx, entry FROM chipledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx "
        "LIMIT $3",
        {Index(index), Index(end), Param::Int(kEntryPage)});
    if (!page.ok()) return page.status();
    for (size_t row = 0; row < page->size(); ++row, ++index) {
      if (static_cast<uint64_t>(page->Int(row, 0)) != index) return store::EntryMissing(index);
      if (Status visited = visit(index, page->Bytes(row, 1)); !visited.ok()) return visited;
    }
    if (page->size() < static_cast<size_t>(kEntryPage)) break;
  }
  if (index < end) return store::EntryMissing(index);
  return Status::Ok();
}

Result<Hash> PgDriver::Node(int level, uint64_t index) const {
  Result<Rows> rows =
      readers_.Exec("SELECT hash FROM chipledger_nodes WHERE level = $1 AND idx = $2",
                    {Param::Int(level), Index(index)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0 || rows->Bytes(0, 0).size() != sizeof(Hash)) {
    return Status::Corruption("merkle node (" + std::to_string(level) + ", " +
                              std::to_string(index) + ") is missing");
  }
  Hash hash{};
  std::copy(rows->Bytes(0, 0).begin(), rows->Bytes(0, 0).end(), hash.begin());
  return hash;
}

Result<std::optional<uint64_t>> PgDriver::PayloadIndex(const Hash& hash) const {
  return OptionalIndex(readers_.Exec("SELECT idx FROM chipledger_payloads WHERE payload_hash = $1",
                                     {Param::Bytes(std::string(AsBytes(hash)))}));
}

Result<std::string> PgDriver::CheckpointAt(uint64_t size) const {
  return KeyedBytes(
      readers_.Exec("SELECT note FROM chipledger_checkpoints WHERE size = $1", {Index(size)}));
}

Result<store::StoredCheckpoint> PgDriver::CheckpointCovering(uint64_t index) const {
  Result<Rows> rows = readers_.Exec(
      "SELECT size, note FROM chipledger_checkpoints WHERE size > $1 ORDER BY size LIMIT 1",
      {Index(index)});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) {
    return Status::Corruption("no checkpoint covers entry " + std::to_string(index));
  }
  return store::StoredCheckpoint{static_cast<uint64_t>(rows->Int(0, 0)), rows->Bytes(0, 1)};
}

Result<std::optional<uint64_t>> PgDriver::Record(RecordKind kind, std::string_view id) const {
  return OptionalIndex(
      readers_.Exec("SELECT idx FROM chipledger_records WHERE kind = $1 AND id = $2::text",
                    {Param::Int(static_cast<int64_t>(kind)), Param::Bytes(std::string(id))}));
}

Result<std::optional<AgentState>> PgDriver::Agent(std::string_view id) const {
  Result<Rows> rows = readers_.Exec("SELECT state FROM chipledger_agents WHERE agent = $1::text",
                                    {Param::Bytes(std::string(id))});
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<AgentState>();
  Result<AgentState> agent = DecodeAgentState(rows->Bytes(0, 0));
  if (!agent.ok()) return agent.status();
  return std::optional<AgentState>(std::move(agent).value());
}

Status PgDriver::ScanTerm(store::Term term, std::string_view value, uint64_t from, bool backward,
                          const Visit& visit) const {
  const std::string sql =
      backward ? "SELECT idx FROM chipledger_event_terms WHERE term = $1::\"char\" AND value = "
                 "$2::text AND idx <= $3 ORDER BY idx DESC LIMIT $4"
               : "SELECT idx FROM chipledger_event_terms WHERE term = $1::\"char\" AND value = "
                 "$2::text AND idx >= $3 ORDER BY idx LIMIT $4";
  // Indices are below 2^63 (bigint); a backward scan from "everything" starts at the top.
  int64_t next = static_cast<int64_t>(std::min<uint64_t>(from, INT64_MAX));
  for (;;) {
    // Each page is read before visiting, so `visit` may read the driver meanwhile.
    Result<Rows> page = readers_.Exec(
        sql, {Param::Text(std::string(1, static_cast<char>(term))),
              Param::Bytes(std::string(value)), Param::Int(next), Param::Int(kScanPage)});
    if (!page.ok()) return page.status();
    for (size_t row = 0; row < page->size(); ++row) {
      Result<bool> more = visit(static_cast<uint64_t>(page->Int(row, 0)));
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
    }
    if (page->size() < static_cast<size_t>(kScanPage)) return Status::Ok();
    const int64_t last = page->Int(page->size() - 1, 0);
    if (backward && last == 0) return Status::Ok();
    next = backward ? last - 1 : last + 1;
  }
}

}  // namespace chipledger::pg
