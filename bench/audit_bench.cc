// The audit rule engine's replay rate: a synthetic log of 1,000 sites × 100 installed chips,
// then hourly heartbeats (every chip online) with an inspection every 1,000th event, fed through
// audit::Engine::Apply. Reports events/s and the process's peak RSS, which must stay flat as the
// number of events grows (memory follows chips and sites, not events).
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "auditor/engine.h"
#include "ledger/entry.h"
#include "ledger/event.h"

namespace chipledger::audit {
namespace {

constexpr int kSites = 1000;
constexpr int kChipsPerSite = 100;

std::string SiteId(int site) { return "site-" + std::to_string(site); }
std::string Serial(int site, int chip) {
  return "chip-" + std::to_string(site) + "-" + std::to_string(chip);
}

class SyntheticLog {
 public:
  explicit SyntheticLog(Engine* engine) : engine_(engine) {}

  void Setup() {
    Feed("gov", PartyRegistered{"acme", "Acme", "US", PartyKind::kExporter});
    Feed("gov", PartyRegistered{"lab", "Lab", "NL", PartyKind::kEndUser});
    Feed("gov", PartyRegistered{"ib", "Inspections", "CH", PartyKind::kInspectionBody});
    AgentEnrolled inspector;
    inspector.agent = "insp";
    inspector.role = Role::kInspector;
    inspector.org = "ib";
    Feed("gov", inspector);
    LicenseIssued license;
    license.id = "lic";
    license.exporter = "acme";
    license.end_user = "lab";
    license.models = {"H100"};
    license.max_quantity = kSites * kChipsPerSite;
    license.purposes = {"life_sciences"};
    license.valid_until = Timestamp{time_.unix_nanos + 3650LL * 86400 * kNanosPerSecond};
    for (int s = 0; s < kSites; ++s) {
      license.sites.push_back(SiteId(s));
      SiteRegistered site{SiteId(s), "lab", "hall", "NL", 50.0 + s * 0.001, 4.0, 1000, 1e6};
      Feed("gov", site);
    }
    Feed("gov", license);
    for (int s = 0; s < kSites; ++s) Deliver(s);
  }

  // The i-th steady-state event: a heartbeat, or every 1000th an inspection.
  void Step(uint64_t i) {
    int site = static_cast<int>(i % kSites);
    time_.unix_nanos += 3600 * kNanosPerSecond / kSites;  // each site beats hourly
    if (i % 1000 == 999) {
      inspection_.site = SiteId(site);
      inspection_.inspection = "insp-" + std::to_string(i);
      for (int c = 0; c < kChipsPerSite; ++c) inspection_.observed[c].serial = Serial(site, c);
      Feed("insp", inspection_);
      return;
    }
    MonitorHeartbeat& heartbeat = heartbeats_[site];
    heartbeat.window_end = time_;
    heartbeat.window_start = Timestamp{time_.unix_nanos - 3600 * kNanosPerSecond};
    Feed("mon", heartbeat);
  }

  void PrepareSteadyState() {
    heartbeats_.resize(kSites);
    for (int s = 0; s < kSites; ++s) {
      heartbeats_[s].site = SiteId(s);
      for (int c = 0; c < kChipsPerSite; ++c) heartbeats_[s].online.push_back({Serial(s, c), {}});
    }
    inspection_.observed.resize(kChipsPerSite);
    inspection_.purpose_observed = "life_sciences";
  }

  Timestamp time() const { return time_; }

 private:
  void Deliver(int s) {
    ShipmentDispatched dispatch{
        "ship-" + std::to_string(s), "lic", "lab", SiteId(s), {}, {}, {}, {}};
    ShipmentReceived receipt{dispatch.shipment, SiteId(s), {}, {}};
    ChipInstalled install{SiteId(s), {}};
    for (int c = 0; c < kChipsPerSite; ++c) {
      dispatch.chips.push_back({Serial(s, c), "H100"});
      receipt.chips.push_back(Serial(s, c));
      install.chips.push_back({Serial(s, c), "host", {}});
    }
    Feed("exp", dispatch);
    Feed("op", receipt);
    Feed("op", install);
  }

  void Feed(const std::string& agent, EventBody body) {
    event_.agent = agent;
    event_.time = time_;
    event_.body = std::move(body);
    // EventType lists the types in EventBody's order.
    event_.type = static_cast<EventType>(event_.body.index());
    entry_.index = next_index_++;
    entry_.integrated_time = time_;
    engine_->Apply(entry_, event_);
  }

  Engine* engine_;
  Timestamp time_{1'780'000'000LL * kNanosPerSecond};
  uint64_t next_index_ = 0;
  Event event_;
  LogEntry entry_{0, {}, {}, Envelope{std::string(kEventPayloadType), "", {{"keyid", {}}}}};
  std::vector<MonitorHeartbeat> heartbeats_;
  InspectionPerformed inspection_;
};

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;  // ru_maxrss is in KiB on Linux
}

void BM_EngineReplay(benchmark::State& state) {
  const uint64_t events = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    Engine engine;
    SyntheticLog log(&engine);
    log.Setup();
    log.PrepareSteadyState();
    state.ResumeTiming();
    for (uint64_t i = 0; i < events; ++i) log.Step(i);
    benchmark::DoNotOptimize(engine.entries_applied());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(state.iterations() * events),
                                                  benchmark::Counter::kIsRate);
  state.counters["chip_sightings/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * events * kChipsPerSite),
                         benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_EngineReplay)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// A live /v1/findings query over the replayed state: the time-dependent rules run as of now.
void BM_EngineFindings(benchmark::State& state) {
  Engine engine;
  SyntheticLog log(&engine);
  log.Setup();
  log.PrepareSteadyState();
  for (uint64_t i = 0; i < 10'000; ++i) log.Step(i);
  for (auto _ : state) benchmark::DoNotOptimize(engine.Findings(log.time()));
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_EngineFindings)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace chipledger::audit

BENCHMARK_MAIN();
