// Running the real binaries from tests: a shell command's exit code and output, and whole files.
#ifndef CHIPLEDGER_TESTS_TESTING_SHELL_H_
#define CHIPLEDGER_TESTS_TESTING_SHELL_H_

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace chipledger::testing {

struct Outcome {
  int code = -1;    // the exit code; -1 when the command could not run or was killed
  std::string out;  // what it wrote to stdout (append " 2>&1" to the command for stderr too)
};

inline Outcome Shell(const std::string& command) {
  Outcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Single-quotes `text` for the shell (test paths hold no quote).
inline std::string Quote(const std::string& text) { return "'" + text + "'"; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_TESTING_SHELL_H_
