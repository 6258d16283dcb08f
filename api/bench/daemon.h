// Runs chipledgerd (or chipledger-witness) as a child process, as an operator would: for
// chipledger-bench and the integration tests.
#ifndef CHIPLEDGER_API_BENCH_DAEMON_H_
#define CHIPLEDGER_API_BENCH_DAEMON_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace chipledger::api {

// Runs `binary args...` to completion; returns its stdout when it exits 0, else an error with
// its exit status and stderr.
Result<std::string> RunCommand(const std::string& binary, const std::vector<std::string>& args);

class Daemon {
 public:
  // Starts `binary serve args...` (args should include --listen HOST:0), its stderr appended to
  // `log_path`, and waits for its "<binary's name> listening on http://HOST:PORT" line
  // (chipledgerd, chipledger-witness).
  static Result<std::unique_ptr<Daemon>> Start(const std::string& binary,
                                               const std::vector<std::string>& args,
                                               const std::string& log_path);
  ~Daemon();  // terminates it if still running

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // SIGTERM and wait: the exit status (-1 if it died of a signal).
  int Terminate();
  // SIGKILL and wait, as a crash would.
  void Kill();

 private:
  Daemon(pid_t pid, std::string host, int port) : pid_(pid), host_(std::move(host)), port_(port) {}
  int SignalAndWait(int sig);

  pid_t pid_;
  std::string host_;
  int port_;
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_BENCH_DAEMON_H_
