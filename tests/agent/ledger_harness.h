// Test harness: a real chipledgerd on 127.0.0.1 with a temp data dir and an authority whose key
// the test holds, and a runner for the real chipledger-agent binary.
#ifndef CHIPLEDGER_TESTS_AGENT_LEDGER_HARNESS_H_
#define CHIPLEDGER_TESTS_AGENT_LEDGER_HARNESS_H_

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/test_agent.h"

namespace chipledger::agent::testing {

namespace fs = std::filesystem;
using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string Slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// In a forked child: adds `env` to the environment and replaces the process with `argv`.
[[noreturn]] inline void ExecWithEnv(const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env) {
  for (const std::string& pair : env) putenv(const_cast<char*>(pair.c_str()));
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// Starts `argv` with stdout/stderr to files and `env` added to the environment.
inline pid_t Spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
                   const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    dup2(null_fd, 0);
    setsid();  // no controlling terminal: the agent must not prompt
    ExecWithEnv(argv, env);
  }
  return pid;
}

inline ProcessResult RunProcess(const std::vector<std::string>& argv, const fs::path& scratch,
                                const std::vector<std::string>& env = {}) {
  fs::path out = scratch / "run.out", err = scratch / "run.err";
  pid_t pid = Spawn(argv, out, err, env);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(out), Slurp(err)};
}

// Runs `argv` with stdout and stderr on a pseudo-terminal, as in an inspector's shell, and
// returns what it printed there (both streams, as a terminal shows them).
// Runs argv with a pseudo-terminal as its stdin, stdout and stderr; nullopt when this machine
// gives none (a chroot without /dev/pts, as in a fresh-machine check: forkpty fails there, and
// waiting on its pid -1 would report some other child's exit).
inline std::optional<ProcessResult> RunOnTerminal(const std::vector<std::string>& argv,
                                                  const std::vector<std::string>& env = {}) {
  int terminal = -1;
  pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ExecWithEnv(argv, env);
  }
  std::string shown;
  char buffer[4096];
  for (ssize_t n; (n = read(terminal, buffer, sizeof buffer)) > 0;) shown.append(buffer, n);
  close(terminal);
  int status = 0;
  waitpid(pid, &status, 0);
  return ProcessResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, shown, ""};
}

inline std::string Trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// Waits for `prefix` + URL on the first line of `out` from the process *pid and returns the URL;
// on failure (the process exited, or no line in 30 s) sets *pid to -1 and fails the test.
inline std::string AwaitListening(pid_t* pid, const fs::path& out, const std::string& prefix,
                                  const fs::path& err) {
  for (int i = 0; i < 600; ++i) {  // a bound against a hung server, not a timing assertion
    std::string line = Slurp(out);
    if (line.rfind(prefix, 0) == 0 && line.find('\n') != std::string::npos) {
      return Trim(line.substr(prefix.size(), line.find('\n') - prefix.size()));
    }
    if (waitpid(*pid, nullptr, WNOHANG) == *pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *pid = -1;
  ADD_FAILURE() << out.filename() << ": no '" << prefix << "' line: " << Slurp(err);
  return "";
}

class LedgerServer {
 public:
  static std::string Binary() { return std::string(CHIPLEDGER_BINARY_DIR) + "/api/chipledgerd"; }

  explicit LedgerServer(const TestAgent& authority) : data_(fs::path(dir_.path()) / "data") {
    ProcessResult init =
        RunProcess({Binary(), "init", "--data", data_.string(), "--origin", "test.example/log",
                    "--authority", authority.id() + "=" + authority.public_key_base64()},
                   dir_.path());
    EXPECT_EQ(init.exit_code, 0) << init.err;
    log_key_ = Trim(init.out);
  }
  ~LedgerServer() { Stop(SIGTERM); }

  // Starts serving on `port` (0: any free port) and waits for the "listening" line.
  void Start(int port = 0) {
    // A new file per start, so an earlier run's "listening" line is never read as this one's.
    fs::path out = fs::path(dir_.path()) / ("serve-" + std::to_string(++starts_) + ".out");
    std::vector<std::string> argv = {Binary(),   "serve",
                                     "--data",   data_.string(),
                                     "--listen", "127.0.0.1:" + std::to_string(port)};
    if (!config_.empty()) argv.insert(argv.end(), {"--config", config_.string()});
    pid_ = Spawn(argv, out, fs::path(dir_.path()) / "serve.err");
    url_ = AwaitListening(&pid_, out, "chipledgerd listening on ",
                          fs::path(dir_.path()) / "serve.err");
    if (pid_ > 0) port_ = std::stoi(url_.substr(url_.rfind(':') + 1));
  }
  // Serves with a configuration file (e.g. {"witnesses": [...]}) from the next Start on.
  void Configure(const nlohmann::json& config) {
    config_ = fs::path(dir_.path()) / "chipledgerd.json";
    std::ofstream(config_) << config.dump();
  }
  void Signal(int signal) {
    if (pid_ > 0) kill(pid_, signal);
  }
  void Stop(int signal) {
    if (pid_ <= 0) return;
    kill(pid_, signal);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void Restart() {
    Stop(SIGKILL);
    Start(port_);
  }
  // Copies the data directory aside (the server stopped meanwhile) and returns the copy.
  fs::path Snapshot() {
    Stop(SIGTERM);
    fs::path copy = fs::path(dir_.path()) / ("snapshot-" + std::to_string(++starts_));
    fs::copy(data_, copy, fs::copy_options::recursive);
    Start(port_);
    return copy;
  }
  // What a dishonest operator could do: serve an older copy of the ledger.
  void RollBackTo(const fs::path& snapshot) {
    Stop(SIGTERM);
    fs::remove_all(data_);
    fs::copy(snapshot, data_, fs::copy_options::recursive);
    Start(port_);
  }

  int Post(const std::string& envelope) {
    httplib::Client client(url_);
    httplib::Result result = client.Post("/v1/events", envelope, "application/json");
    return result ? result->status : -1;
  }
  std::string Token(const std::string& role) {
    ProcessResult token = RunProcess(
        {Binary(), "token", "create", "--data", data_.string(), "--role", role, "--name", role},
        dir_.path());
    EXPECT_EQ(token.exit_code, 0) << token.err;
    return Trim(token.out);
  }
  uint64_t TreeSize() {
    httplib::Client client(url_);
    httplib::Result result = client.Get("/checkpoint");
    if (!result || result->status != 200) return 0;
    std::string body = result->body;
    size_t first = body.find('\n');
    return std::stoull(body.substr(first + 1, body.find('\n', first + 1) - first - 1));
  }

  const std::string& url() const { return url_; }
  const std::string& log_key() const { return log_key_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  fs::path data_;
  std::string log_key_, url_;
  fs::path config_;
  int port_ = 0;
  int starts_ = 0;
  pid_t pid_ = -1;
};

// A real chipledger-witness (SPEC §10) with its own key, serving one log.
class WitnessServer {
 public:
  static std::string Binary() {
    return std::string(CHIPLEDGER_BINARY_DIR) + "/witness/chipledger-witness";
  }

  WitnessServer(const std::string& name, const std::string& log_key) {
    fs::path data = fs::path(dir_.path()) / "data";
    ProcessResult init =
        RunProcess({Binary(), "init", "--data", data.string(), "--name", name}, dir_.path());
    EXPECT_EQ(init.exit_code, 0) << init.err;
    vkey_ = Trim(init.out);
    fs::path out = fs::path(dir_.path()) / "serve.out", err = fs::path(dir_.path()) / "serve.err";
    pid_ = Spawn(
        {Binary(), "serve", "--data", data.string(), "--listen", "127.0.0.1:0", "--log", log_key},
        out, err);
    url_ = AwaitListening(&pid_, out, "chipledger-witness listening on ", err);
  }
  ~WitnessServer() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);  // a witness going down; also spares its graceful drain
    waitpid(pid_, nullptr, 0);
  }

  const std::string& vkey() const { return vkey_; }
  // Its entry in chipledgerd's "witnesses".
  nlohmann::json Config() const { return {{"url", url_}, {"vkey", vkey_}}; }

 private:
  TempDir dir_;
  std::string vkey_, url_;
  pid_t pid_ = -1;
};

}  // namespace chipledger::agent::testing

#endif  // CHIPLEDGER_TESTS_AGENT_LEDGER_HARNESS_H_
