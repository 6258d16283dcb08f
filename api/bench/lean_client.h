// A minimal HTTP/1.1 keep-alive client for the load tool: one send() per request (head and body
// together) and blocking reads framed by Content-Length. A load generator that shares the
// server's two cores should spend as little of them as it can; cpp-httplib's client polls before
// every read and sends head and body separately, which roughly doubles the client's syscalls.
#ifndef CHIPLEDGER_API_BENCH_LEAN_CLIENT_H_
#define CHIPLEDGER_API_BENCH_LEAN_CLIENT_H_

#include <string>

#include "ledger/status.h"

namespace chipledger::api {

struct LeanResponse {
  int status = 0;
  std::string body;
};

class LeanClient {
 public:
  // Connects to host:port (IPv4 or a name) with TCP_NODELAY.
  static Result<LeanClient> Connect(const std::string& host, int port);
  LeanClient(LeanClient&& other) noexcept;
  LeanClient& operator=(LeanClient&& other) noexcept;
  ~LeanClient();

  // POSTs `body` as application/json; refuses chunked or unframed answers.
  Result<LeanResponse> Post(const std::string& path, const std::string& body);
  Result<LeanResponse> Get(const std::string& path);

 private:
  LeanClient(int fd, std::string host) : fd_(fd), host_(std::move(host)) {}
  Result<LeanResponse> Exchange(const std::string& request);
  Status SendAll(const std::string& bytes);
  // Reads until `buffer_` holds at least `size` bytes.
  Status ReadAtLeast(size_t size);

  int fd_;
  std::string host_;
  std::string buffer_;  // received bytes not yet consumed
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_BENCH_LEAN_CLIENT_H_
