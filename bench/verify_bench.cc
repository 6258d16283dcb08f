// The bare Ed25519 verification rate on this machine: the ceiling on admission throughput per
// core, to compare with append_bench.
#include <benchmark/benchmark.h>

#include <string>

#include "ledger/crypto.h"
#include "ledger/event.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

void BM_Verify(benchmark::State& state) {
  InitCrypto();
  testing::TestAgent agent("mon-0");
  // A message the size of a real heartbeat's PAE.
  std::string message =
      Pae(kEventPayloadType,
          agent.Payload("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")).dump());
  Signature signature = Sign(agent.key().secret_key, message);
  for (auto _ : state) {
    bool ok = Verify(agent.key().public_key, message, signature);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Verify);

}  // namespace
}  // namespace chipledger

BENCHMARK_MAIN();
