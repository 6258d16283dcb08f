// The bare Ed25519 verification rate on this machine: the ceiling on admission throughput per
// core, to compare with append_bench.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/load_logs.h"
#include "ledger/crypto.h"
#include "ledger/event.h"

namespace chipledger {
namespace {

// Verifies `count` distinct signatures in turn, over heartbeats naming one chip (messages the
// size of a real heartbeat's PAE). With one signature verified over and over (count 1), the
// branch predictor learns the digits the variable-time scalar multiplication branches on, and
// the rate comes out 4-7 % higher than any log, whose signatures all differ, can be verified at
// (docs/audit.md, Performance): compare count 1 with count 1024.
void BM_Verify(benchmark::State& state) {
  InitCrypto();
  static const std::vector<load::SignedMessage> sample = load::SignedHeartbeats(1024, 1);
  const auto count = static_cast<size_t>(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    bool ok = Verify(sample[i].key, sample[i].message, sample[i].signature);
    benchmark::DoNotOptimize(ok);
    if (++i == count) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Verify)->Arg(1)->Arg(1024);

}  // namespace
}  // namespace chipledger

BENCHMARK_MAIN();
