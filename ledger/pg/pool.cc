#include "ledger/pg/pool.h"

namespace chipledger::pg {
namespace {

// Idle sessions kept beyond this are closed: more readers at once than this open their own.
constexpr size_t kMaxIdle = 8;

}  // namespace

Result<std::unique_ptr<Connection>> ConnectionPool::Take() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
  }
  return Connection::Open(conninfo_, timeout_);
}

void ConnectionPool::Give(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
}

Result<Rows> ConnectionPool::Exec(std::string_view sql, const std::vector<Param>& params) {
  Result<std::unique_ptr<Connection>> connection = Take();
  if (!connection.ok()) return connection.status();
  Result<Rows> rows = (*connection)->Exec(sql, params);
  if (!rows.ok() && rows.status().kind() == StatusKind::kUnavailable) {
    // The session was lost (or its node is a standby now): once more on the current primary.
    if (Status again = (*connection)->Reconnect(timeout_); !again.ok()) return again;
    rows = (*connection)->Exec(sql, params);
  }
  if (rows.ok()) Give(std::move(connection).value());
  return rows;
}

}  // namespace chipledger::pg
