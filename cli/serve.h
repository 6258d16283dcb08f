// What the servers' mains share (chipledgerd, chipledger-witness): the HOST:PORT they listen on,
// and running until SIGTERM or SIGINT.
#ifndef CHIPLEDGER_CLI_SERVE_H_
#define CHIPLEDGER_CLI_SERVE_H_

#include <signal.h>

#include <functional>
#include <string>
#include <string_view>

#include "ledger/status.h"

namespace chipledger::cli {

struct HostPort {
  std::string host;
  int port = 0;
  // "http(s)://HOST:PORT" with an IPv6 host in brackets, as the "listening on" line prints it.
  std::string Url(bool tls) const;
};
// "HOST:PORT" or "[V6]:PORT"; port 0 picks a free one.
Result<HostPort> ParseListen(std::string_view text);

// Blocks SIGTERM and SIGINT in the calling thread, and so in every thread it starts afterwards,
// so that RunUntilSignalled's waiter alone takes them; ignores SIGPIPE. Call before any thread.
sigset_t BlockStopSignals();
// Runs `run` (which blocks until `stop` is called) while a thread waits for SIGTERM or SIGINT and
// then calls `stop`, every 50 ms until `run` returns (`stop` must be safe to repeat). Returns
// what `run` returned.
Status RunUntilSignalled(const sigset_t& signals, const std::function<Status()>& run,
                         const std::function<void()>& stop);

}  // namespace chipledger::cli

#endif  // CHIPLEDGER_CLI_SERVE_H_
