// What an audit pays per entry besides the Ed25519 verification, stage by stage, on the entry
// the audit_load heartbeat log is made of (a heartbeat naming 16 chips): compare each stage with
// BM_VerifyHeartbeat run in the same process (docs/audit.md, Performance).
#include <benchmark/benchmark.h>

#include <string>

#include "bench/load_logs.h"
#include "ledger/admission.h"
#include "ledger/crypto.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "ledger/merkle.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

struct HeartbeatEntry {
  HeartbeatEntry() {
    InitCrypto();
    Timestamp now = Now();
    payload =
        agent
            .Payload("monitor.heartbeat", {{"site", load::Site(3)},
                                           {"window_start", FormatTime(AddSeconds(now, -3600))},
                                           {"window_end", FormatTime(now)},
                                           {"online", load::Chips(3, load::kChipsPerSite)}})
            .dump();
    envelope = agent.SignPayload(payload);
    Result<Envelope> parsed = ParseEnvelope(envelope);
    bytes = SerializeEntry(LogEntry{12345, now, Sha256("previous"), *parsed});
  }
  testing::TestAgent agent{"mon-3"};
  std::string payload, envelope, bytes;
};

const HeartbeatEntry& Sample() {
  static const HeartbeatEntry sample;
  return sample;
}

void BM_VerifyHeartbeat(benchmark::State& state) {
  const HeartbeatEntry& sample = Sample();
  Result<Envelope> envelope = ParseEnvelope(sample.envelope);
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyEnvelopeSignature(*envelope, 0, sample.agent.key().public_key));
  }
}
BENCHMARK(BM_VerifyHeartbeat);

void BM_LeafHash(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(LeafHash(Sample().bytes));
}
BENCHMARK(BM_LeafHash);

void BM_ParseEntry(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseEntry(Sample().bytes));
}
BENCHMARK(BM_ParseEntry);

void BM_ParseEvent(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseEvent(Sample().payload));
}
BENCHMARK(BM_ParseEvent);

// What the audit's parallel stage does before the signature: the entry, then its envelope as
// the ledger checks it (the event, the payload hash).
void BM_PrepareEntry(benchmark::State& state) {
  for (auto _ : state) {
    Result<LogEntry> entry = ParseEntry(Sample().bytes);
    benchmark::DoNotOptimize(ParseCandidate(std::move(entry)->envelope));
  }
}
BENCHMARK(BM_PrepareEntry);

}  // namespace
}  // namespace chipledger

BENCHMARK_MAIN();
