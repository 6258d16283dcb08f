// A libpq connection that follows the primary (issue 15): the conninfo lists every node
// ("host=127.0.0.1,127.0.0.1 port=A,B target_session_attrs=read-write"), so libpq connects to
// whichever node accepts writes, and Reconnect() finds the new one after a failover.
//
// Errors are Status values whose code is the server's SQLSTATE (e.g. "23505" for a unique
// violation) and whose message starts with it; a lost or read-only connection (after a failover
// the old node may come back as a standby) is kUnavailable: reconnect and retry.
#ifndef CHIPLEDGER_LEDGER_PG_CONNECTION_H_
#define CHIPLEDGER_LEDGER_PG_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace chipledger::pg {

// One statement parameter: text (the server parses it, e.g. an integer) or raw bytes (bytea).
struct Param {
  static Param Text(std::string value) { return Param{std::move(value), false}; }
  static Param Int(int64_t value) { return Param{std::to_string(value), false}; }
  static Param Bytes(std::string value) { return Param{std::move(value), true}; }
  static Param Null() { return Param{std::nullopt, false}; }

  std::optional<std::string> value;
  bool binary = false;
};

// A statement's rows, in PostgreSQL's binary format: Bytes() is a bytea's or text's raw bytes,
// Int() decodes smallint, integer and bigint.
class Rows {
 public:
  size_t size() const { return cells_.size(); }
  bool IsNull(size_t row, size_t column) const { return !cells_[row][column].has_value(); }
  const std::string& Bytes(size_t row, size_t column) const { return *cells_[row][column]; }
  int64_t Int(size_t row, size_t column) const;
  bool Bool(size_t row, size_t column) const { return Bytes(row, column) == std::string(1, '\1'); }

 private:
  friend class Connection;
  std::vector<std::vector<std::optional<std::string>>> cells_;
};

class Connection {
 public:
  // Connects within `timeout` (retrying while no node accepts writes yet).
  static Result<std::unique_ptr<Connection>> Open(std::string conninfo,
                                                  std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One parameterised statement ($1, $2, ...), in its own transaction unless inside one.
  Result<Rows> Exec(std::string_view sql, const std::vector<Param>& params = {});
  // Several statements without parameters (a migration), as one simple query.
  Status ExecScript(std::string_view sql);
  // BEGIN, `body`, COMMIT; ROLLBACK when `body` or COMMIT fails. Only an ok result is durable.
  Status Transaction(const std::function<Status(Connection&)>& body);

  // Drops the session and connects again with the same conninfo, to whichever node is primary
  // now, retrying until `timeout`. Session state (advisory locks, a fence) does not survive.
  Status Reconnect(std::chrono::milliseconds timeout);
  // "host:port" of the node this session is on; the server process id of the session.
  std::string Endpoint() const;
  int BackendPid() const;

 private:
  explicit Connection(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  Status ConnectOnce();
  Status ErrorFromResult(const PGresult* result) const;

  std::string conninfo_;
  PGconn* conn_ = nullptr;
};

}  // namespace chipledger::pg

#endif  // CHIPLEDGER_LEDGER_PG_CONNECTION_H_
