// Admission + append throughput through the fsync'd group commit, for 1, 4, 16 and 64 concurrent
// appenders. Every appender is its own pre-enrolled monitor agent with a pre-signed chain, so
// signing is outside the timing; admission (signature verification included) is inside.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "ledger/ledger.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

constexpr int kEventsPerRun = 2048;

struct Setup {
  testing::TempDir dir;
  std::unique_ptr<Ledger> ledger;
  std::vector<std::vector<std::string>> envelopes;  // per appender, in chain order
};

std::unique_ptr<Setup> Prepare(int appenders) {
  auto setup = std::make_unique<Setup>();
  testing::TestAgent gov("gov");
  Result<std::string> key = Ledger::Create(
      setup->dir.path(), CreateOptions{"bench.example/log", {{"gov", gov.key().public_key}}});
  if (!key.ok()) return nullptr;
  auto ledger = Ledger::Open(setup->dir.path(), OpenOptions{});
  if (!ledger.ok()) return nullptr;
  setup->ledger = std::move(ledger).value();
  for (int i = 0; i < appenders; ++i) {
    testing::TestAgent agent("mon-" + std::to_string(i));
    std::string enrol =
        gov.Next("agent.enrolled", testing::TestAgent::Enrollment(agent, "monitor", "gov"));
    if (!setup->ledger->Append(enrol).status.ok()) return nullptr;
    std::vector<std::string>& chain = setup->envelopes.emplace_back();
    for (int n = 0; n < kEventsPerRun / appenders; ++n) {
      chain.push_back(agent.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));
    }
  }
  return setup;
}

void BM_Append(benchmark::State& state, Setup* setup) {
  const std::vector<std::string>& chain = setup->envelopes[state.thread_index()];
  size_t next = 0;
  for (auto _ : state) {
    AppendResult result = setup->ledger->Append(chain[next++]);
    if (!result.status.ok()) state.SkipWithError(result.status.ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace
}  // namespace chipledger

int main(int argc, char** argv) {
  chipledger::InitCrypto();
  std::vector<std::pair<int, std::unique_ptr<chipledger::Setup>>> setups;
  for (int appenders : {1, 4, 16, 64}) {
    auto setup = chipledger::Prepare(appenders);
    if (!setup) {
      std::fprintf(stderr, "setup for %d appenders failed\n", appenders);
      return 1;
    }
    benchmark::RegisterBenchmark("BM_Append", chipledger::BM_Append, setup.get())
        ->Threads(appenders)
        ->Iterations(chipledger::kEventsPerRun / appenders)
        ->UseRealTime();
    setups.emplace_back(appenders, std::move(setup));
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  for (const auto& [appenders, setup] : setups) {
    chipledger::Ledger::Stats stats = setup->ledger->stats();
    // The setup's enrolments committed one per group; count only the measured appends.
    uint64_t groups = stats.groups - appenders;
    uint64_t events = stats.grouped_events - appenders;
    if (groups > 0) {
      std::printf("appenders=%d events=%llu groups=%llu average group size=%.2f\n", appenders,
                  static_cast<unsigned long long>(events), static_cast<unsigned long long>(groups),
                  static_cast<double>(events) / groups);
    }
  }
  benchmark::Shutdown();
  return 0;
}
