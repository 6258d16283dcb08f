// Sessions for the PostgreSQL driver's readers: a pg::Connection serves one statement at a time,
// and the driver is read from many threads while the committer holds its own session. Reads are
// single idempotent statements, so one that finds its session lost (a failover) reconnects to
// the current primary and runs once more.
#ifndef CHIPLEDGER_LEDGER_PG_POOL_H_
#define CHIPLEDGER_LEDGER_PG_POOL_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/pg/connection.h"
#include "ledger/status.h"

namespace chipledger::pg {

class ConnectionPool {
 public:
  // Sessions connect with `conninfo`, waiting up to `timeout` for a primary.
  ConnectionPool(std::string conninfo, std::chrono::milliseconds timeout)
      : conninfo_(std::move(conninfo)), timeout_(timeout) {}

  // Runs one statement on an idle session, opening one when none is idle.
  Result<Rows> Exec(std::string_view sql, const std::vector<Param>& params = {});

 private:
  Result<std::unique_ptr<Connection>> Take();
  void Give(std::unique_ptr<Connection> connection);

  const std::string conninfo_;
  const std::chrono::milliseconds timeout_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_POOL_H_
