// The witness's HTTP service: the tlog-witness routes over a Witness, /metrics and /healthz, with
// one JSON access-log line per request on stderr.
#ifndef CHIPLEDGER_WITNESS_SERVER_H_
#define CHIPLEDGER_WITNESS_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "cli/http_server.h"
#include "ledger/status.h"
#include "witness/witness.h"

namespace chipledger::witness {

struct ServerOptions {
  std::string listen;  // HOST:PORT; port 0 picks a free one
  bool access_log = true;
  // The shared HTTP bounds (docs/witness.md "Limits"). An add-checkpoint body is 64 proof lines
  // and a checkpoint with a few signatures: ~5 KiB.
  cli::HttpLimits limits = {.max_body_bytes = 64 * 1024};
};

class Server {
 public:
  Server(Witness* witness, ServerOptions options);
  ~Server();
  // Binds options.listen and starts listening; returns the bound port.
  Result<int> Bind();
  // Serves until Stop(); in-flight requests finish before it returns.
  Status Run();
  // Safe from any thread.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chipledger::witness

#endif  // CHIPLEDGER_WITNESS_SERVER_H_
