// Generated ledgers for the load tools (bench/audit_load, bench/query_load): real signatures,
// real admission, sync off. The heartbeat-heavy log: 64 sites × 16 chips (or another count)
// dispatched, received and installed under one license, then every site's monitor beating until
// the log has the requested size (what a pilot's year mostly is). The shipments log: see
// GenerateShipments.
#ifndef CHIPLEDGER_BENCH_LOAD_LOGS_H_
#define CHIPLEDGER_BENCH_LOAD_LOGS_H_

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger/ledger.h"
#include "ledger/time.h"
#include "tests/testing/test_agent.h"

namespace chipledger::load {

using nlohmann::json;
using testing::TestAgent;

inline constexpr int kSites = 64;
inline constexpr int kChipsPerSite = 16;
inline constexpr int kAppenders = 8;  // concurrent appenders, so that group commits fill up

inline std::string Site(int s) { return "site-" + std::to_string(s); }
inline std::string Serial(int s, int c) {
  return "SN-" + std::to_string(s) + "-" + std::to_string(c);
}

// A ledger being generated: sync off (nothing here needs to survive a crash), real admission.
class Generator {
 public:
  static std::optional<Generator> Create(const std::string& dir) {
    Generator generator;
    Result<std::string> key = Ledger::Create(
        dir, CreateOptions{"load.example/log", {{"gov", generator.gov_.key().public_key}}});
    if (!key.ok()) return Fail(dir + ": " + key.status().ToString());
    auto ledger = Ledger::Open(dir, OpenOptions{.read_only = false, .sync = false});
    if (!ledger.ok()) return Fail(dir + ": " + ledger.status().ToString());
    generator.ledger_ = std::move(ledger).value();
    return generator;
  }

  bool Append(TestAgent& agent, std::string_view type, const json& fields) {
    AppendResult result = ledger_->Append(agent.Next(type, fields));
    if (!result.status.ok()) {
      std::fprintf(stderr, "append %s by %s: %s\n", std::string(type).c_str(), agent.id().c_str(),
                   result.status.ToString().c_str());
    }
    return result.status.ok();
  }
  bool Register(std::string_view type, const json& fields) { return Append(gov_, type, fields); }
  bool Enroll(const TestAgent& agent, const std::string& role, json sites = json::array()) {
    return Register("agent.enrolled", TestAgent::Enrollment(agent, role, "lab", std::move(sites)));
  }

  // Runs `step(agent, n)` for the agents' n-th events until `total` entries, agents spread over
  // kAppenders threads (each agent's chain stays in one thread, in order).
  bool Fill(std::vector<TestAgent>& agents, uint64_t total,
            const std::function<bool(TestAgent&, uint64_t)>& step) {
    uint64_t start = ledger_->size();
    if (total <= start) return true;
    uint64_t per_agent = (total - start + agents.size() - 1) / agents.size();
    std::atomic<bool> ok = true;
    std::vector<std::thread> threads;
    for (int t = 0; t < kAppenders; ++t) {
      threads.emplace_back([&, t] {
        for (uint64_t n = 0; n < per_agent && ok; ++n) {
          for (size_t a = t; a < agents.size(); a += kAppenders) {
            if (ledger_->size() >= total) return;
            if (!step(agents[a], n)) ok = false;
          }
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    return ok;
  }

  uint64_t size() const { return ledger_->size(); }

 private:
  static std::optional<Generator> Fail(const std::string& message) {
    std::fprintf(stderr, "%s\n", message.c_str());
    return std::nullopt;
  }

  TestAgent gov_{"gov"};
  std::unique_ptr<Ledger> ledger_;
};

// The site's `count` chips as {"serial": …} objects, with `field` set to `value` when given.
inline json Chips(int site, int count, const char* field = nullptr, const char* value = nullptr) {
  json chips = json::array();
  for (int c = 0; c < count; ++c) {
    json chip = {{"serial", Serial(site, c)}};
    if (field != nullptr) chip[field] = value;
    chips.push_back(chip);
  }
  return chips;
}

inline json Serials(int site, int count) {
  json serials = json::array();
  for (int c = 0; c < count; ++c) serials.push_back(Serial(site, c));
  return serials;
}

// A message and its signature, as a verification rate is measured over them.
struct SignedMessage {
  PublicKey key;
  std::string message;
  Signature signature;
};

// `count` distinct heartbeats naming `chips` chips, each a PAE signed by one of four monitors,
// for measuring the machine's verification rate: a log never repeats a signature, and verifying
// one signature over and over lets the branch predictor learn the digits the variable-time
// scalar multiplication branches on (4-7 % faster: bench/verify_bench, BM_Verify/1 against
// /1024).
inline std::vector<SignedMessage> SignedHeartbeats(size_t count, int chips) {
  const std::vector<TestAgent> agents = {TestAgent("mon-0"), TestAgent("mon-1"), TestAgent("mon-2"),
                                         TestAgent("mon-3")};
  std::vector<SignedMessage> signed_messages;
  Timestamp start = Now();
  for (size_t i = 0; i < count; ++i) {
    const TestAgent& agent = agents[i % agents.size()];
    Timestamp end = AddSeconds(start, 3600.0 * static_cast<double>(i));
    std::string message =
        Pae(kEventPayloadType,
            agent
                .Payload("monitor.heartbeat", {{"site", Site(0)},
                                               {"window_start", FormatTime(AddSeconds(end, -3600))},
                                               {"window_end", FormatTime(end)},
                                               {"online", Chips(0, chips)}})
                .dump());
    Signature signature = Sign(agent.key().secret_key, message);
    signed_messages.push_back({agent.key().public_key, std::move(message), signature});
  }
  return signed_messages;
}

// Sites with `chips` installed chips each, then every site's monitor beats.
inline bool GenerateHeartbeats(const std::string& dir, uint64_t entries,
                               int chips = kChipsPerSite) {
  std::optional<Generator> log = Generator::Create(dir);
  if (!log) return false;
  TestAgent exp("exp"), op("op");
  std::vector<TestAgent> monitors;
  json sites = json::array();
  bool ok = log->Register(
      "party.registered",
      {{"party", {{"id", "lab"}, {"name", "Lab"}, {"country", "NL"}, {"kind", "end_user"}}}});
  for (int s = 0; s < kSites; ++s) {
    sites.push_back(Site(s));
    json site = {{"id", Site(s)}, {"party", "lab"}, {"name", "hall"},  {"country", "NL"},
                 {"lat", 52.0},   {"lon", 4.0 + s}, {"radius_m", 1000}};
    ok = ok && log->Register("site.registered", {{"site", site}});
  }
  json license = {{"id", "lic"},
                  {"exporter", "acme"},
                  {"end_user", "lab"},
                  {"sites", sites},
                  {"models", {"H100"}},
                  {"max_quantity", kSites * chips},
                  {"purposes", {"life_sciences"}},
                  {"valid_from", FormatTime(AddSeconds(Now(), -86400))},
                  {"valid_until", FormatTime(AddSeconds(Now(), 365 * 86400.0))}};
  ok = ok && log->Register("license.issued", {{"license", license}}) &&
       log->Enroll(exp, "exporter") && log->Enroll(op, "site_operator");
  for (int s = 0; s < kSites && ok; ++s) {
    std::string shipment = "ship-" + std::to_string(s);
    ok = log->Enroll(monitors.emplace_back("mon-" + std::to_string(s)), "monitor", {Site(s)}) &&
         log->Append(exp, "shipment.dispatched",
                     {{"shipment", shipment},
                      {"license", "lic"},
                      {"consignee", "lab"},
                      {"destination_site", Site(s)},
                      {"chips", Chips(s, chips, "model", "H100")},
                      {"seals", {"seal-" + shipment}},
                      {"route", {"NL"}}}) &&
         log->Append(op, "shipment.received",
                     {{"shipment", shipment},
                      {"site", Site(s)},
                      {"chips", Serials(s, chips)},
                      {"seals", {{{"id", "seal-" + shipment}, {"intact", true}}}}}) &&
         log->Append(op, "chip.installed",
                     {{"site", Site(s)}, {"chips", Chips(s, chips, "host", "n1")}});
  }
  return ok && log->Fill(monitors, entries, [&](TestAgent& monitor, uint64_t) {
    int s = std::stoi(monitor.id().substr(4));
    Timestamp now = Now();
    return log->Append(monitor, "monitor.heartbeat",
                       {{"site", Site(s)},
                        {"window_start", FormatTime(AddSeconds(now, -3600))},
                        {"window_end", FormatTime(now)},
                        {"online", Chips(s, chips)}});
  });
}

// The findings-heavy log: exporters dispatch one chip per shipment to site-0 under a license
// nobody issued (one critical L1 finding each).
inline bool GenerateShipments(const std::string& dir, uint64_t shipments) {
  std::optional<Generator> log = Generator::Create(dir);
  if (!log) return false;
  std::vector<TestAgent> exporters;
  for (int e = 0; e < kAppenders; ++e) {
    if (!log->Enroll(exporters.emplace_back("exp-" + std::to_string(e)), "exporter")) return false;
  }
  return log->Fill(exporters, log->size() + shipments, [&](TestAgent& exporter, uint64_t n) {
    std::string shipment = exporter.id() + "-" + std::to_string(n);
    return log->Append(exporter, "shipment.dispatched",
                       {{"shipment", shipment},
                        {"license", "lic-none"},
                        {"consignee", "lab"},
                        {"destination_site", "site-0"},
                        {"chips", {{{"serial", "SN-" + shipment}, {"model", "H100"}}}},
                        {"seals", {"seal-" + shipment}},
                        {"route", {"NL"}}});
  });
}

}  // namespace chipledger::load

#endif  // CHIPLEDGER_BENCH_LOAD_LOGS_H_
