// What chipledgerd and chipledger-witness share about serving HTTP with cpp-httplib 0.11: the
// listening socket (no SO_REUSEPORT, a full accept queue), a connection pool that one client's
// slow or idle connections cannot exhaust, the time bounds, bodies refused before they are read,
// and a stop that is never lost. docs/api.md "Limits" says what is bounded in-process and what
// only the nginx front bounds.
#ifndef CHIPLEDGER_CLI_HTTP_SERVER_H_
#define CHIPLEDGER_CLI_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::cli {

struct HttpLimits {
  size_t max_body_bytes = 128 * 1024;
  // Connections served at once, each on its own thread (cpp-httplib holds a thread for a
  // connection's whole life, keep-alive included); more wait, accepted, until one ends.
  int max_connections = 1024;
  int read_timeout_s = 5;        // for each recv of a request: a client silent that long is cut
  int write_timeout_s = 5;       // for each send of an answer
  int keep_alive_timeout_s = 2;  // an idle keep-alive connection is closed after this
  int keep_alive_max_requests = 10000;
};

// A request whose body is refused before any of it is read: the status, an error code and a
// message naming the header and what to do.
struct BodyRefusal {
  int status = 0;
  std::string code;
  std::string message;
};
// Chunked bodies are refused (411): cpp-httplib 0.11 reads them whole into memory without
// checking the body limit. A Content-Length above `max_body_bytes` is refused (413) instead of
// being read and discarded.
std::optional<BodyRefusal> RefuseBodyUnread(const httplib::Request& req, size_t max_body_bytes);

// Answers `body` and then closes the connection, so that nothing the client sent after the
// request's headers (an unread body) is read as its next request. cpp-httplib 0.11 offers
// handlers no way to close a keep-alive connection: the body goes through a content provider
// that reports failure once it has written all of it.
void SendAndClose(const httplib::Request& req, httplib::Response& res, int status, std::string body,
                  const char* content_type);

// A duration for the access logs: milliseconds rounded to the microsecond, since a double's full
// precision (0.31459800000000003) says nothing more and makes the log harder to read.
double RoundedMilliseconds(double seconds);

// An httplib::Server (or SSLServer) set up with `limits`, serving each connection on its own
// thread: threads start on demand up to limits.max_connections and are kept for reuse.
class HttpServer {
 public:
  HttpServer(std::unique_ptr<httplib::Server> http, const HttpLimits& limits);
  httplib::Server& http() { return *http_; }

  // Binds `listen` (HOST:PORT; port 0 picks one) and listens; returns the bound port.
  // `setting` names where `listen` came from, for the error message.
  Result<int> Bind(const std::string& listen, std::string_view setting);
  // Serves until Stop(); in-flight requests finish before it returns.
  Status Run();
  // Safe from any thread and to repeat. cpp-httplib's stop() is lost before its accept loop
  // runs and asserts if repeated, so an early Stop() only marks the request: Run then returns at
  // once, or a later Stop() (cli::RunUntilSignalled repeats it) finds the loop running.
  void Stop();

 private:
  std::unique_ptr<httplib::Server> http_;
  int listen_fd_ = -1;  // the listening socket, once created
  std::atomic<bool> stop_requested_{false}, stop_sent_{false};
};

}  // namespace chipledger::cli

#endif  // CHIPLEDGER_CLI_HTTP_SERVER_H_
