// Incremental against full audits (docs/audit.md, Incremental audits), side by side in one run:
// generates a ledger data directory of --entries shipments (one chip each, under a license never
// issued: one L1 finding each, so the engine holds a record per chip and per finding), audits it
// with --state, grows it by --growth percent, then runs chipledger-audit on the grown log twice
// as a child process: resuming from the snapshot, and in full (--full, a copy of the same state).
// Prints wall time and peak RSS (wait4's ru_maxrss) of each, and checks that both report.json
// files are identical.
//
//   incremental_audit_load --dir DIR [--entries 100000] [--growth 1]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

using testing::TestAgent;
constexpr int kExporters = 8;
const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

struct Run {
  int code = -1;
  double seconds = 0;
  long max_rss_kb = 0;
};

// Runs chipledger-audit with `args`, its output to `log`.
Run Audit(const std::vector<std::string>& args, const std::string& log) {
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid == 0) {
    std::FILE* out = std::freopen(log.c_str(), "w", stdout);
    if (out == nullptr || ::dup2(::fileno(stdout), 2) < 0) ::_exit(127);
    std::vector<char*> argv{const_cast<char*>(kAudit.c_str())};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(kAudit.c_str(), argv.data());
    ::_exit(127);
  }
  Run run;
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.max_rss_kb = usage.ru_maxrss;
  return run;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Appends `count` dispatches, spread over the exporters (enrolled on first use).
bool Dispatch(Ledger* ledger, TestAgent& gov, std::vector<TestAgent>& exporters, uint64_t from,
              uint64_t count) {
  for (TestAgent& exporter : exporters) {
    if (from > 0) break;
    AppendResult enrolled = ledger->Append(
        gov.Next("agent.enrolled", TestAgent::Enrollment(exporter, "exporter", "acme")));
    if (!enrolled.status.ok()) return false;
  }
  for (uint64_t i = from; i < from + count; ++i) {
    TestAgent& exporter = exporters[i % exporters.size()];
    std::string shipment = "shp-" + std::to_string(i);
    AppendResult result = ledger->Append(
        exporter.Next("shipment.dispatched",
                      {{"shipment", shipment},
                       {"license", "lic-none"},
                       {"consignee", "lab"},
                       {"destination_site", "site-1"},
                       {"chips", {{{"serial", "SN-" + std::to_string(i)}, {"model", "H100"}}}},
                       {"seals", {"seal-" + shipment}},
                       {"route", {"NL"}}}));
    if (!result.status.ok()) {
      std::fprintf(stderr, "append: %s\n", result.status.ToString().c_str());
      return false;
    }
  }
  return true;
}

void Print(const char* what, const Run& run) {
  std::printf("  %-34s exit %d %8.2f s  peak RSS %7.1f MiB\n", what, run.code, run.seconds,
              run.max_rss_kb / 1024.0);
}

int Main(const std::string& dir, uint64_t entries, double growth) {
  InitCrypto();
  std::string data = dir + "/log", state = dir + "/state", copy = dir + "/copy";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  TestAgent gov("gov");
  std::vector<TestAgent> exporters;
  for (int e = 0; e < kExporters; ++e) exporters.emplace_back("exp-" + std::to_string(e));
  Result<std::string> key =
      Ledger::Create(data, CreateOptions{"load.example/incr", {{"gov", gov.key().public_key}}});
  if (!key.ok()) return std::fprintf(stderr, "%s\n", key.status().ToString().c_str()), 3;
  auto grow = [&](uint64_t from, uint64_t count) {
    auto ledger = Ledger::Open(data, OpenOptions{.read_only = false, .sync = false});
    return ledger.ok() && Dispatch(ledger->get(), gov, exporters, from, count);
  };
  auto args = [&](const std::string& state_file, const std::string& out) {
    return std::vector<std::string>{"--data",  data,       "--log-key", *key,
                                    "--state", state_file, "--out",     out};
  };
  if (!grow(0, entries)) return 3;
  Run first = Audit(args(state, dir + "/out0"), dir + "/out0.log");
  for (const char* suffix : {"", ".snapshot"}) {
    std::filesystem::copy_file(state + suffix, copy + suffix);
  }
  auto added = static_cast<uint64_t>(static_cast<double>(entries) * growth / 100);
  if (!grow(entries, added)) return 3;
  // The same --as-of for both (default: now, which would differ between them).
  std::string as_of = FormatTime(Now());
  std::vector<std::string> incremental_args = args(state, dir + "/incremental");
  std::vector<std::string> full_args = args(copy, dir + "/full");
  for (auto* more : {&incremental_args, &full_args}) more->insert(more->end(), {"--as-of", as_of});
  full_args.push_back("--full");
  Run incremental = Audit(incremental_args, dir + "/incremental.log");
  Run full = Audit(full_args, dir + "/full.log");
  bool same = ReadFile(dir + "/incremental/report.json") == ReadFile(dir + "/full/report.json");
  std::printf("chipledger-audit on %llu entries grown by %llu (%.1f %%), snapshot %.1f MiB\n",
              static_cast<unsigned long long>(entries), static_cast<unsigned long long>(added),
              growth, std::filesystem::file_size(state + ".snapshot") / 1048576.0);
  Print("first audit (full, writes snapshot)", first);
  Print("incremental (from the snapshot)", incremental);
  Print("full (--full)", full);
  std::printf("  report.json identical: %s\n", same ? "yes" : "NO");
  return same && incremental.code == full.code ? 0 : 1;
}

}  // namespace
}  // namespace chipledger

int main(int argc, char** argv) {
  std::string dir;
  uint64_t entries = 100'000;
  double growth = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") dir = value;
    if (flag == "--entries") entries = std::stoull(value);
    if (flag == "--growth") growth = std::stod(value);
  }
  if (dir.empty()) {
    std::fprintf(stderr, "usage: incremental_audit_load --dir DIR [--entries N] [--growth PCT]\n");
    return 3;
  }
  return chipledger::Main(dir, entries, growth);
}
