// chipledger-audit under load (docs/audit.md, Performance): generates two large ledger data
// directories with real signatures, then measures side by side in one run
//   - the machine's all-core Ed25519 verification rate on distinct messages the size of the
//     log's events, sampled while the audit is stopped every few seconds (see kRunSlice),
//   - a hash-only pass (read every entry, leaf hashes, root against the checkpoint: what a C2SP
//     verifier that checks no signature does),
//   - the full audit, chipledger-audit run as a child process, with --jobs N and --jobs 1:
//     entries/s and peak RSS (wait4's ru_maxrss, from this process's RSS at the spawn on: see
//     ResetPeakRss).
// The logs: `heartbeats`, 64 sites × 16 installed chips, then monitor heartbeats up to
// --entries; `small-heartbeats`, the same with one chip per site (the smallest events: a
// heartbeat naming one chip); `shipments`, --shipments dispatches of one chip each under a license
// never issued (one L1 finding each). They are kept in DIR and reused by later runs.
//
//   audit_load --dir DIR [--entries 1000000] [--shipments 300000] [--jobs N]
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_logs.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"

namespace chipledger {
namespace {

using load::GenerateHeartbeats;
using load::GenerateShipments;
using Clock = std::chrono::steady_clock;

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The machine's Ed25519 verification rate on `threads` threads, over heartbeats naming `chips`
// chips (messages the size of the audited log's events): each thread cycles through kMessages
// distinct ones (load::SignedHeartbeats says why).
class VerifyProbe {
 public:
  static constexpr size_t kMessages = 1024;

  VerifyProbe(unsigned threads, int chips)
      : threads_(threads), signed_(load::SignedHeartbeats(kMessages, chips)) {}

  unsigned threads() const { return threads_; }

  // Verifications per second, over `seconds`, cycling through `messages` of the kMessages (1: one
  // signature verified over and over, the rate earlier rounds compared with).
  double Rate(double seconds, size_t messages = kMessages) const {
    std::atomic<uint64_t> verified = 0;
    auto start = Clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads_; ++t) {
      pool.emplace_back([&, t] {
        uint64_t n = 0;
        for (size_t i = t * messages / threads_; Seconds(start) < seconds; ++i) {
          const load::SignedMessage& next = signed_[i % messages];
          n += Verify(next.key, next.message, next.signature);
        }
        verified += n;
      });
    }
    for (std::thread& thread : pool) thread.join();
    return static_cast<double>(verified) / Seconds(start);
  }

 private:
  unsigned threads_;
  std::vector<load::SignedMessage> signed_;
};

struct Pass {
  double seconds = 0;
  uint64_t entries = 0;
  double peak_rss_mib = 0;
  double rss_floor_mib = 0;              // ResetPeakRss
  double cpu_seconds = 0;                // user + system of the audit process (0: not measured)
  std::vector<double> verify_samples;    // the verify rate, sampled while the audit was stopped
  std::vector<double> repeated_samples;  // the same, of one signature verified over and over
  bool ok = false;

  double VerifyRate() const { return Mean(verify_samples); }
  double RepeatedRate() const { return Mean(repeated_samples); }

  static double Mean(const std::vector<double>& samples) {
    double sum = 0;
    for (double sample : samples) sum += sample;
    return samples.empty() ? 0 : sum / static_cast<double>(samples.size());
  }
};

// Reads every entry, recomputes the leaf hashes and the root, and checks it against the
// checkpoint: the floor any verifier pays.
Pass HashOnly(const std::string& dir) {
  Pass pass;
  auto start = Clock::now();
  auto ledger = Ledger::Open(dir, OpenOptions{.read_only = true});
  if (!ledger.ok()) return pass;
  Result<Checkpoint> checkpoint =
      VerifyCheckpoint((*ledger)->CheckpointNote(), (*ledger)->verifier());
  if (!checkpoint.ok()) return pass;
  TreeBuilder tree;
  std::vector<TreeBuilder::Node> nodes;
  // One range read, as the audit reads: entry by entry lookups cost several times more.
  Status read = (*ledger)->ReadEntries(0, checkpoint->size, [&](uint64_t, std::string_view entry) {
    nodes.clear();
    tree.Append(LeafHash(entry), &nodes);
    return Status::Ok();
  });
  pass.ok = read.ok() && tree.Root() == checkpoint->root;
  pass.entries = checkpoint->size;
  pass.seconds = Seconds(start);
  return pass;
}

// posix_spawn shares this process's memory until the child's exec (vfork), and exec carries the
// larger peak RSS over to the child, so wait4 would report this process's peak (the generator's
// and the hash-only pass's: 325 MiB on the 10^6-entry log where the audit itself peaked at 138).
// Returns what this process freed to the system (the generator's and the hash-only pass's heap,
// otherwise kept by malloc: about 200 MiB), then resets its peak to its current RSS (clear_refs
// 5), which is then the floor of the child's measured peak; returns that floor in MiB.
double ResetPeakRss() {
  ::malloc_trim(0);
  std::ofstream("/proc/self/clear_refs") << "5";
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / 1048576;
}

// This machine's speed drifts by a third within seconds (other tenants), so a verify rate taken
// before and after a minute-long audit says little about the rate during it. Instead the audit
// is stopped (SIGSTOP) after every kRunSlice of running time, the rate sampled for kSample, and
// the audit continued (SIGCONT): its time is its running time, and the rate it is compared with
// is the mean of samples spread over that time.
constexpr double kRunSlice = 4.0, kSample = 0.5;

enum class Child { kRunning, kExited, kLost };

// Waits up to `seconds` for `child` to exit; on exit, `status` and `usage` are its.
Child WaitExit(pid_t child, double seconds, int* status, rusage* usage) {
  auto start = Clock::now();
  do {
    pid_t reaped = ::wait4(child, status, WNOHANG, usage);
    if (reaped == child) return Child::kExited;
    if (reaped < 0) return Child::kLost;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (Seconds(start) < seconds);
  return Child::kRunning;
}

// Runs chipledger-audit on the data directory and measures it from outside, sampling `probe`'s
// verify rate while it is stopped.
Pass Audit(const std::string& dir, const std::string& out, unsigned jobs,
           const VerifyProbe& probe) {
  Pass pass;
  std::string log_key;
  {
    auto ledger = Ledger::Open(dir, OpenOptions{.read_only = true});
    if (!ledger.ok()) return pass;
    log_key = FormatVerifierKey((*ledger)->verifier());
    pass.entries = (*ledger)->size();
  }
  std::vector<std::string> args = {kAudit,    "--data", dir,      "--log-key",          log_key,
                                   "--out",   out,      "--jobs", std::to_string(jobs), "--fail-on",
                                   "critical"};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::string command;
  for (const std::string& arg : args) command += (command.empty() ? "" : " ") + arg;
  std::fprintf(stderr, "audit_load: %s\n", command.c_str());
  pass.rss_floor_mib = ResetPeakRss();
  auto start = Clock::now();
  pid_t child = -1;
  if (::posix_spawn(&child, kAudit.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return pass;
  }
  int status = 0;
  rusage usage{};
  double paused = 0;
  while (true) {
    Child state = WaitExit(child, kRunSlice, &status, &usage);
    if (state == Child::kLost) return pass;
    if (state == Child::kExited) break;
    ::kill(child, SIGSTOP);
    if (::wait4(child, &status, WUNTRACED, &usage) != child) return pass;
    if (!WIFSTOPPED(status)) break;  // it exited before the signal
    auto stopped = Clock::now();
    pass.verify_samples.push_back(probe.Rate(kSample));
    pass.repeated_samples.push_back(probe.Rate(kSample, 1));
    ::kill(child, SIGCONT);
    paused += Seconds(stopped);
  }
  pass.seconds = Seconds(start) - paused;
  if (pass.verify_samples.empty()) {  // too short to be stopped
    pass.verify_samples.push_back(probe.Rate(kSample));
    pass.repeated_samples.push_back(probe.Rate(kSample, 1));
  }
  pass.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024;  // KiB on Linux
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  pass.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  // 0 or 1 (findings) are runs that verified; anything else is a failure to report.
  pass.ok = WIFEXITED(status) && WEXITSTATUS(status) <= 1;
  return pass;
}

double EntriesPerSecond(const Pass& pass) {
  return pass.seconds > 0 ? static_cast<double>(pass.entries) / pass.seconds : 0;
}

// `verify_rate`: the all-core rate, on `threads` threads. The CPU ratio (one verification's time
// on one thread over the audit's CPU per entry) is what the audit would reach against the
// all-core rate with every core free and perfect scaling.
void Print(const char* what, const Pass& pass, double verify_rate, unsigned threads) {
  double rate = EntriesPerSecond(pass);
  double verify_us = threads / verify_rate * 1e6;
  std::printf("  %-28s %s %9llu entries %8.1f s %9.0f entries/s  %5.2f × all-core verify rate",
              what, pass.ok ? "ok    " : "FAILED", static_cast<unsigned long long>(pass.entries),
              pass.seconds, rate, rate / verify_rate);
  if (pass.cpu_seconds > 0 && pass.entries > 0) {
    double per_entry_us = pass.cpu_seconds * 1e6 / static_cast<double>(pass.entries);
    std::printf("  CPU %.1f s (%.1f µs/entry, CPU ratio %.2f)", pass.cpu_seconds, per_entry_us,
                verify_us / per_entry_us);
  }
  if (pass.peak_rss_mib > 0) {
    std::printf("  peak RSS %6.0f MiB (at least %.0f)", pass.peak_rss_mib, pass.rss_floor_mib);
  }
  std::printf("\n");
  if (pass.verify_samples.empty()) return;
  auto [low, high] = std::minmax_element(pass.verify_samples.begin(), pass.verify_samples.end());
  std::printf("  %-28s %.0f verifications/s on %u threads: the mean of %zu samples (%.0f–%.0f)\n",
              "  all-core verify rate", verify_rate, threads, pass.verify_samples.size(), *low,
              *high);
  std::printf("  %-28s %.0f verifications/s (%.2f × the verify rate; the audit at %.2f × it)\n",
              "  one signature repeated", pass.RepeatedRate(), pass.RepeatedRate() / verify_rate,
              rate / pass.RepeatedRate());
}

struct Flags {
  std::string dir;
  uint64_t entries = 1'000'000, shipments = 300'000;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
};

std::optional<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") {
      flags.dir = value;
    } else if (flag == "--entries") {
      flags.entries = std::stoull(value);
    } else if (flag == "--shipments") {
      flags.shipments = std::stoull(value);
    } else if (flag == "--jobs") {
      flags.jobs = static_cast<unsigned>(std::stoul(value));
    } else {
      return std::nullopt;
    }
  }
  if (flags.dir.empty() || argc % 2 == 0) return std::nullopt;
  return flags;
}

int Run(const Flags& flags) {
  InitCrypto();
  struct Log {
    std::string name;
    std::function<bool(const std::string&)> generate;
    int chips;  // per event, for the verify rate's message
  };
  std::vector<Log> logs = {
      {"heartbeats", [&](const std::string& dir) { return GenerateHeartbeats(dir, flags.entries); },
       load::kChipsPerSite},
      {"small-heartbeats",
       [&](const std::string& dir) { return GenerateHeartbeats(dir, flags.entries, 1); }, 1},
      {"shipments", [&](const std::string& dir) { return GenerateShipments(dir, flags.shipments); },
       1}};
  for (const Log& log : logs) {
    std::string dir = flags.dir + "/" + log.name;
    if (std::filesystem::exists(dir)) continue;
    auto start = Clock::now();
    if (!log.generate(dir)) return 1;
    std::printf("generated %s in %.1f s\n", dir.c_str(), Seconds(start));
  }
  for (const Log& log : logs) {
    std::string dir = flags.dir + "/" + log.name, out = flags.dir + "/" + log.name + "-report";
    std::printf("%s:\n", log.name.c_str());
    VerifyProbe probe(flags.jobs, log.chips);
    Pass hash_only = HashOnly(dir);
    Pass audit = Audit(dir, out, flags.jobs, probe);
    Pass single = Audit(dir, out, 1, probe);
    // The hash-only pass is too short to sample: it is set against the audit's rate.
    Print("hash-only pass", hash_only, audit.VerifyRate(), flags.jobs);
    Print(("audit --jobs " + std::to_string(flags.jobs)).c_str(), audit, audit.VerifyRate(),
          flags.jobs);
    Print("audit --jobs 1", single, single.VerifyRate(), flags.jobs);
  }
  return 0;
}

}  // namespace
}  // namespace chipledger

int main(int argc, char** argv) {
  std::optional<chipledger::Flags> flags = chipledger::ParseFlags(argc, argv);
  if (!flags) {
    std::fprintf(stderr, "usage: audit_load --dir DIR [--entries N] [--shipments N] [--jobs N]\n");
    return 2;
  }
  return chipledger::Run(*flags);
}
