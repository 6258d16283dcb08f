// A progress bar on stderr while the log is read, only when stderr is a terminal.
#ifndef CHIPLEDGER_AUDITOR_CLI_PROGRESS_H_
#define CHIPLEDGER_AUDITOR_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>

namespace chipledger::audit {

class Progress {
 public:
  explicit Progress(uint64_t total);
  // Redraws at most ten times a second.
  void Update(uint64_t done);
  // Draws the final state and ends the line.
  void Finish();

 private:
  void Draw(uint64_t done);

  uint64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_CLI_PROGRESS_H_
