#include "auditor/cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace chipledger::audit {

namespace {
constexpr int kBarWidth = 40;
}

Progress::Progress(uint64_t total)
    : total_(total),
      enabled_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::Update(uint64_t done) {
  if (!enabled_ || (done & 255) != 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void Progress::Finish() {
  if (!enabled_) return;
  Draw(total_);
  std::fputc('\n', stderr);
}

void Progress::Draw(uint64_t done) {
  double fraction = total_ == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  int filled = static_cast<int>(fraction * kBarWidth);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string bar(filled, '#');
  bar.resize(kBarWidth, '.');
  std::fprintf(stderr, "\rverifying [%s] %3.0f%% %llu/%llu entries, %.0f/s ", bar.c_str(),
               fraction * 100, static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total_), rate);
  std::fflush(stderr);
}

}  // namespace chipledger::audit
