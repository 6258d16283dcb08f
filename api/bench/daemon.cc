#include "api/bench/daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace chipledger::api {
namespace {

constexpr int kStartTimeoutMs = 60000;

// Forks and execs binary with args; the child's stdout goes to `stdout_fd` and stderr to
// `stderr_fd`.
pid_t Spawn(const std::string& binary, const std::vector<std::string>& args, int stdout_fd,
            int stderr_fd) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(stdout_fd, STDOUT_FILENO);
    dup2(stderr_fd, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Reads from `fd` until EOF or, when `line_only`, a newline; false on timeout.
bool ReadFrom(int fd, bool line_only, std::string* out) {
  char buf[4096];
  while (!line_only || out->find('\n') == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, kStartTimeoutMs) <= 0) return false;
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return !line_only;
    out->append(buf, n);
  }
  return true;
}

int WaitStatus(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Result<std::string> RunCommand(const std::string& binary, const std::vector<std::string>& args) {
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
  if (pipe2(err, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
  pid_t pid = Spawn(binary, args, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  std::string output, errors;
  bool done = ReadFrom(out[0], false, &output) && ReadFrom(err[0], false, &errors);
  close(out[0]);
  close(err[0]);
  if (!done) kill(pid, SIGKILL);
  int status = WaitStatus(pid);
  if (pid < 0 || status != 0) {
    return Status::IOError(binary + " exited with " + std::to_string(status) + ": " + errors);
  }
  return output;
}

Result<std::unique_ptr<Daemon>> Daemon::Start(const std::string& binary,
                                              const std::vector<std::string>& args,
                                              const std::string& log_path) {
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return Status::IOError(log_path + ": cannot open");
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return Status::IOError("pipe failed");
  std::vector<std::string> serve_args = {"serve"};
  serve_args.insert(serve_args.end(), args.begin(), args.end());
  pid_t pid = Spawn(binary, serve_args, out[1], log);
  close(out[1]);
  close(log);
  std::string line;
  bool got_line = ReadFrom(out[0], true, &line);
  close(out[0]);
  // "<program> listening on <scheme>://HOST:PORT", as chipledgerd and chipledger-witness print.
  std::string program = binary.substr(binary.rfind('/') + 1);
  std::string prefix = program + " listening on ";
  size_t scheme = line.find("://");
  size_t colon = line.rfind(':');
  if (pid < 0 || !got_line || line.rfind(prefix, 0) != 0 || scheme == std::string::npos ||
      colon <= scheme) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      WaitStatus(pid);
    }
    return Status::IOError(program + " did not start (see " + log_path + "): " + line);
  }
  std::string host = line.substr(scheme + 3, colon - scheme - 3);
  int port = std::atoi(line.c_str() + colon + 1);
  return std::unique_ptr<Daemon>(new Daemon(pid, host, port));
}

Daemon::~Daemon() {
  if (pid_ > 0) SignalAndWait(SIGTERM);
}

int Daemon::Terminate() { return SignalAndWait(SIGTERM); }

void Daemon::Kill() { SignalAndWait(SIGKILL); }

int Daemon::SignalAndWait(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int status = WaitStatus(pid_);
  pid_ = -1;
  return status;
}

}  // namespace chipledger::api
