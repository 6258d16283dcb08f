// The chipledger HTTP API (SPEC §4–§6) over a Ledger: submissions, reads, proofs, tiles,
// records, metrics. Public header of the api component.
#ifndef CHIPLEDGER_API_SERVER_H_
#define CHIPLEDGER_API_SERVER_H_

#include <memory>

#include "api/config.h"
#include "api/live_audit.h"
#include "ledger/ledger.h"
#include "ledger/status.h"

namespace chipledger::api {

class Server {
 public:
  // `ledger` and `audit` (optional) must outlive the server.
  Server(Ledger* ledger, const ServerConfig& config, LiveAudit* audit);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds config.listen and starts listening; returns the bound port (config port 0 picks one).
  Result<int> Bind();
  // Accepts connections until Stop(); in-flight requests finish before it returns.
  Status Run();
  // Stops accepting; safe from any thread (e.g. a signal-waiting one).
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_SERVER_H_
