#include "ledger/pg/connection.h"

#include <libpq-fe.h>

#include <thread>

namespace chipledger::pg {
namespace {

// Classes of SQLSTATE after which the statement may succeed on a new session: a lost connection
// (08), an operator or crash shutdown (57P), or a node that is no longer primary (25006).
bool NeedsReconnect(std::string_view state) {
  return state.starts_with("08") || state.starts_with("57P") || state == "25006";
}

Status FromSqlState(const std::string& state, const std::string& message) {
  std::string text = "SQLSTATE " + state + ": " + message;
  if (NeedsReconnect(state)) return Status::Unavailable(std::move(text));
  if (state.starts_with("53")) return Status::InsufficientStorage(std::move(text));
  // Integrity violations, serialization failures and locks not available: the data conflicts.
  if (state.starts_with("23") || state.starts_with("40") || state.starts_with("55")) {
    return Status::Conflict(state, std::move(text));
  }
  return Status::InvalidArgument(state, std::move(text));
}

std::string Trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

int64_t Rows::Int(size_t row, size_t column) const {
  const std::string& bytes = Bytes(row, column);
  uint64_t value = 0;
  for (unsigned char byte : bytes) value = (value << 8) | byte;
  // Network byte order, two's complement: sign-extend smallint and integer.
  const int bits = static_cast<int>(bytes.size()) * 8;
  if (bits > 0 && bits < 64 && (value >> (bits - 1)) & 1) value |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(value);
}

Result<std::unique_ptr<Connection>> Connection::Open(std::string conninfo,
                                                     std::chrono::milliseconds timeout) {
  std::unique_ptr<Connection> connection(new Connection(std::move(conninfo)));
  Status status = connection->Reconnect(timeout);
  if (!status.ok()) return status;
  return connection;
}

Connection::~Connection() { PQfinish(conn_); }

Status Connection::ConnectOnce() {
  PQfinish(conn_);
  conn_ = PQconnectdb(conninfo_.c_str());
  if (PQstatus(conn_) == CONNECTION_OK) return Status::Ok();
  return Status::Unavailable("no node accepted the session: " + Trimmed(PQerrorMessage(conn_)));
}

Status Connection::Reconnect(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    Status status = ConnectOnce();
    if (status.ok() || std::chrono::steady_clock::now() >= deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

Status Connection::ErrorFromResult(const PGresult* result) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return Status::Unavailable("connection to " + Endpoint() +
                               " lost: " + Trimmed(PQerrorMessage(conn_)));
  }
  return FromSqlState(state, Trimmed(PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)));
}

Result<Rows> Connection::Exec(std::string_view sql, const std::vector<Param>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  for (const Param& param : params) {
    values.push_back(param.value ? param.value->data() : nullptr);
    lengths.push_back(param.value ? static_cast<int>(param.value->size()) : 0);
    formats.push_back(param.binary ? 1 : 0);
  }
  const std::string statement(sql);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexecParams(conn_, statement.c_str(), static_cast<int>(params.size()), nullptr,
                   values.data(), lengths.data(), formats.data(), /*resultFormat=*/1),
      &PQclear);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return ErrorFromResult(result.get());
  Rows rows;
  const int columns = PQnfields(result.get());
  for (int row = 0; row < PQntuples(result.get()); ++row) {
    auto& cells = rows.cells_.emplace_back();
    for (int column = 0; column < columns; ++column) {
      if (PQgetisnull(result.get(), row, column)) {
        cells.emplace_back(std::nullopt);
      } else {
        cells.emplace_back(std::string(PQgetvalue(result.get(), row, column),
                                       PQgetlength(result.get(), row, column)));
      }
    }
  }
  return rows;
}

Status Connection::ExecScript(std::string_view sql) {
  const std::string script(sql);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn_, script.c_str()), &PQclear);
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::Ok();
  return ErrorFromResult(result.get());
}

Status Connection::Transaction(const std::function<Status(Connection&)>& body) {
  if (Result<Rows> begin = Exec("BEGIN"); !begin.ok()) return begin.status();
  Status status = body(*this);
  if (!status.ok()) {
    (void)Exec("ROLLBACK");  // if this fails too (a lost session), the server rolls back itself
    return status;
  }
  Result<Rows> commit = Exec("COMMIT");
  if (!commit.ok()) {
    // The commit may or may not have happened on the server: the caller must not acknowledge.
    return Status::Unavailable("commit outcome unknown: " + commit.status().message());
  }
  return Status::Ok();
}

std::string Connection::Endpoint() const {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  return std::string(host ? host : "?") + ":" + (port ? port : "?");
}

int Connection::BackendPid() const { return PQbackendPID(conn_); }

}  // namespace chipledger::pg
