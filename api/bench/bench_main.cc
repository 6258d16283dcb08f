// chipledger-bench: sustained signed ingest against a real chipledgerd. Enrols N agents,
// pre-signs M events, submits them over C keep-alive connections, reports events/s and receipt
// latency percentiles, verifies every receipt, and compares with the bare Ed25519 verify rate.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "api/bench/daemon.h"
#include "api/bench/lean_client.h"
#include "ledger/checkpoint.h"
#include "ledger/crypto.h"
#include "ledger/receipt.h"
#include "tests/testing/test_agent.h"

namespace chipledger::api {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using testing::TestAgent;

constexpr char kUsage[] =
    "usage: chipledger-bench [--agents N] [--events M] [--connections C] [--witnesses W]\n"
    "                        [--chipledgerd PATH] [--store STORE]\n"
    "Creates a ledger in a temporary directory with `chipledgerd init`, serves it on 127.0.0.1\n"
    "(fsync on), enrols N agents, submits M pre-signed events over C connections, verifies\n"
    "every receipt, and removes the directory. With W witnesses, also runs W chipledger-witness\n"
    "processes (quorum: all) and reports the witnessing delay. Defaults: N 64, M 20000, C 32, W "
    "0.\n"
    "With STORE (chipledgerd's --store), the ledger is kept there instead of in RocksDB.\n";

struct Options {
  int agents = 64;
  int events = 20000;
  int connections = 32;
  int witnesses = 0;
  std::string chipledgerd;  // default: next to chipledger-bench
  std::string store;        // chipledgerd --store; empty: RocksDB
  std::string witness;      // default: ../witness/chipledger-witness from chipledger-bench
};

struct Target {
  std::string host;
  int port = 0;
  NoteVerifier log_key;
};

Result<Options> ParseOptions(int argc, char** argv) {
  Options o;
  std::filesystem::path here = std::filesystem::path(argv[0]).parent_path();
  o.chipledgerd = (here / "chipledgerd").string();
  o.witness = (here / ".." / "witness" / "chipledger-witness").string();
  for (int i = 1; i < argc; i += 2) {
    std::string name = argv[i];
    if (i + 1 >= argc) return Status::InvalidArgument("usage", name + ": needs a value");
    std::string value = argv[i + 1];
    std::map<std::string, int*> ints = {{"--agents", &o.agents},
                                        {"--events", &o.events},
                                        {"--connections", &o.connections},
                                        {"--witnesses", &o.witnesses}};
    if (ints.count(name)) {
      int v = std::atoi(value.c_str());
      if (v < (name == "--witnesses" ? 0 : 1))
        return Status::InvalidArgument("usage", name + ": must be a positive integer");
      *ints[name] = v;
    } else if (name == "--chipledgerd") {
      o.chipledgerd = value;
    } else if (name == "--store") {
      o.store = value;
    } else {
      return Status::InvalidArgument("usage", name + ": unknown argument");
    }
  }
  return o;
}

// Submits one envelope; returns the receipt body, or an error naming the status.
Result<std::string> Submit(LeanClient& client, const std::string& envelope) {
  Result<LeanResponse> res = client.Post("/v1/events", envelope);
  if (!res.ok()) return Status::IOError("POST /v1/events: " + res.status().message());
  if (res->status != 201 && res->status != 200) {
    return Status::IOError("POST /v1/events: " + std::to_string(res->status) + " " + res->body);
  }
  return std::move(res->body);
}

struct Load {
  std::vector<std::vector<std::string>> per_connection;  // envelopes, in submission order
};

// Enrols the agents (as monitors, any site) and pre-signs every event, each agent's chain on
// one connection, agents interleaved.
Result<Load> Prepare(const Options& o, TestAgent& authority, LeanClient& client) {
  std::vector<TestAgent> agents;
  for (int i = 0; i < o.agents; ++i) {
    agents.emplace_back("bench-" + std::to_string(getpid()) + "-" + std::to_string(i));
    Result<std::string> receipt = Submit(
        client, authority.Next("agent.enrolled",
                               TestAgent::Enrollment(agents.back(), "monitor", "bench-org")));
    if (!receipt.ok()) return receipt.status();
  }
  Load load;
  load.per_connection.resize(o.connections);
  std::string window = FormatTime(Now());
  for (int k = 0; k < o.events; ++k) {
    int a = k % o.agents;
    json fields = {{"site", "bench-site"},
                   {"window_start", window},
                   {"window_end", window},
                   {"online", {{{"serial", "chip-" + std::to_string(k)}}}}};
    load.per_connection[a % o.connections].push_back(agents[a].Next("monitor.heartbeat", fields));
  }
  return load;
}

struct Outcome {
  std::vector<double> latencies_ms;
  std::vector<std::string> receipts, envelopes;
  std::atomic<int> failures{0};
  std::string first_error;
  std::mutex mu;
};

// Connects and makes one untimed request, counts down `ready`, waits for `go`, then submits.
void Drive(const Target& target, const std::vector<std::string>& envelopes, std::latch* ready,
           std::latch* go, Outcome* out) {
  auto fail = [out](const Status& status) {
    std::lock_guard<std::mutex> lock(out->mu);
    if (out->failures++ == 0) out->first_error = status.message();
  };
  Result<LeanClient> client = LeanClient::Connect(target.host, target.port);
  if (client.ok()) client->Get("/healthz");
  ready->count_down();
  go->wait();
  std::vector<double> latencies;
  std::vector<std::string> receipts;
  for (const std::string& envelope : envelopes) {
    Clock::time_point start = Clock::now();
    if (!client.ok()) client = LeanClient::Connect(target.host, target.port);
    Result<std::string> receipt = client.ok() ? Submit(*client, envelope) : client.status();
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (!receipt.ok()) {
      fail(receipt.status());
      client = Status::IOError("reconnect after a failure");
      continue;
    }
    receipts.push_back(std::move(*receipt));
  }
  std::lock_guard<std::mutex> lock(out->mu);
  out->latencies_ms.insert(out->latencies_ms.end(), latencies.begin(), latencies.end());
  out->receipts.insert(out->receipts.end(), receipts.begin(), receipts.end());
}

// The server's metrics, series name (with labels) to value. A fresh connection each time: an
// idle one may have been closed by the server's keep-alive timeout.
std::map<std::string, double> ReadMetrics(const Target& target) {
  std::map<std::string, double> metrics;
  Result<LeanClient> client = LeanClient::Connect(target.host, target.port);
  if (!client.ok()) return metrics;
  Result<LeanResponse> res = client->Get("/metrics");
  if (!res.ok()) return metrics;
  std::istringstream lines(res->body);
  std::string line, name;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    double value = 0;
    if (line.empty() || line[0] == '#' || !(fields >> name >> value)) continue;
    metrics[name] = value;
  }
  return metrics;
}

// The group-commit counters: {events, groups}.
std::pair<double, double> GroupCounters(const Target& target) {
  std::map<std::string, double> metrics = ReadMetrics(target);
  return {metrics["chipledger_group_commit_size_sum"],
          metrics["chipledger_group_commit_size_count"]};
}

// After the load: waits (at most 60 s) for a witnessed checkpoint covering the whole log, and
// prints how long that took and the witnessing delays the server measured during the run.
void ReportWitnessing(const Target& target, int witnesses) {
  Clock::time_point start = Clock::now();
  std::map<std::string, double> metrics = ReadMetrics(target);
  while (metrics["chipledger_witnessed_size"] < metrics["chipledger_tree_size"] &&
         Clock::now() - start < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    metrics = ReadMetrics(target);
  }
  double failures = 0;
  for (const auto& [name, value] : metrics) {
    if (name.rfind("chipledger_witness_failures_total", 0) == 0) failures += value;
  }
  std::printf(
      "witnessing (%d witnesses, quorum %d): witnessed size %.0f of %.0f, %.3f s after the load "
      "ended; delay during the run: max %.3f s, last %.3f s; %.0f failed exchanges\n",
      witnesses, witnesses, metrics["chipledger_witnessed_size"], metrics["chipledger_tree_size"],
      std::chrono::duration<double>(Clock::now() - start).count(),
      metrics["chipledger_witnessing_delay_seconds{quantile=\"max\"}"],
      metrics["chipledger_witnessing_delay_seconds{quantile=\"last\"}"], failures);
}

// Runs `count` chipledger-witness processes for the log `log_vkey`; returns their config entries.
Result<json> StartWitnesses(const Options& o, const std::string& dir, const std::string& log_vkey,
                            std::vector<std::unique_ptr<Daemon>>* daemons) {
  json witnesses = json::array();
  for (int i = 0; i < o.witnesses; ++i) {
    std::string data = dir + "/witness-" + std::to_string(i);
    Result<std::string> vkey = RunCommand(
        o.witness, {"init", "--data", data, "--name", "bench-witness-" + std::to_string(i)});
    if (!vkey.ok()) return vkey.status();
    Result<std::unique_ptr<Daemon>> started = Daemon::Start(
        o.witness,
        {"--data", data, "--listen", "127.0.0.1:0", "--log", log_vkey, "--access-log", "off"},
        data + ".log");
    if (!started.ok()) return started.status();
    std::string url = "http://127.0.0.1:" + std::to_string((*started)->port());
    witnesses.push_back({{"url", url}, {"vkey", vkey->substr(0, vkey->find('\n'))}});
    daemons->push_back(std::move(*started));
  }
  return witnesses;
}

// CPU seconds (user + system) used so far by process `pid`, from /proc; 0 if unreadable.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  size_t after_name = text.rfind(')');  // the command name may hold spaces
  if (after_name == std::string::npos) return 0;
  std::istringstream fields(text.substr(after_name + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

// Bare Ed25519 verifications per second on one core, over typical event-sized messages: 1,024
// distinct ones in turn, as a log holds. One signature verified over and over lets the branch
// predictor learn the digits the variable-time scalar multiplication branches on, 4-7 % faster
// than any stream of events (docs/audit.md, Performance, fifth round).
double VerifyRate() {
  constexpr int kMessages = 1024;
  KeyPair key = GenerateKeyPair();
  std::vector<std::string> messages;
  std::vector<Signature> signatures;
  for (int i = 0; i < kMessages; ++i) {
    messages.push_back(std::to_string(i) + std::string(600, 'x'));
    signatures.push_back(Sign(key.secret_key, messages.back()));
  }
  int n = 0, next = 0;
  Clock::time_point start = Clock::now();
  while (Clock::now() - start < std::chrono::seconds(1)) {
    for (int i = 0; i < 100; ++i, next = (next + 1) % kMessages) {
      n += Verify(key.public_key, messages[next], signatures[next]) ? 1 : 0;
    }
  }
  return n / std::chrono::duration<double>(Clock::now() - start).count();
}

int VerifyReceipts(const Outcome& out, const NoteVerifier& log_key) {
  int bad = 0;
  for (const std::string& body : out.receipts) {
    Result<Receipt> receipt = ParseReceipt(body);
    if (!receipt.ok() || !VerifyReceipt(*receipt, log_key).ok()) ++bad;
  }
  return bad;
}

// Creates a ledger with one authority in `dir` and serves it; returns the log's verifier key.
Result<NoteVerifier> StartLedger(const Options& o, const std::string& dir, const KeyPair& authority,
                                 std::unique_ptr<Daemon>* daemon,
                                 std::vector<std::unique_ptr<Daemon>>* witnesses) {
  std::string data = dir + "/ledger";
  const std::vector<std::string> store =
      o.store.empty() ? std::vector<std::string>{} : std::vector<std::string>{"--store", o.store};
  std::vector<std::string> init = {
      "init", "--data", data, "--origin", "bench.chipledger.example/log", "--authority"};
  init.push_back("bench-authority=" + Base64Encode(authority.public_key));
  init.insert(init.end(), store.begin(), store.end());
  Result<std::string> vkey = RunCommand(o.chipledgerd, init);
  if (!vkey.ok()) return vkey.status();
  std::string line = *vkey;
  while (!line.empty() && line.back() == '\n') line.pop_back();
  json settings = {{"access_log", false},
                   {"metrics_from_loopback", true},
                   {"limits", {{"rate_per_second", 0}, {"keep_alive_max_requests", 1000000000}}}};
  if (o.witnesses > 0) {
    Result<json> started = StartWitnesses(o, dir, line, witnesses);
    if (!started.ok()) return started.status();
    settings["witnesses"] = *started;
  }
  std::string config = dir + "/bench.json";
  std::ofstream(config) << settings.dump();
  std::vector<std::string> serve = {"--data", data, "--listen", "127.0.0.1:0", "--config", config};
  serve.insert(serve.end(), store.begin(), store.end());
  Result<std::unique_ptr<Daemon>> started =
      Daemon::Start(o.chipledgerd, serve, dir + "/chipledgerd.log");
  if (!started.ok()) return started.status();
  *daemon = std::move(*started);
  return ParseVerifierKey(line);
}

int Run(const Options& o) {
  InitCrypto();
  testing::TempDir dir;
  std::unique_ptr<Daemon> daemon;
  std::vector<std::unique_ptr<Daemon>> witnesses;
  KeyPair authority_key = GenerateKeyPair();
  Result<NoteVerifier> log_key = StartLedger(o, dir.path(), authority_key, &daemon, &witnesses);
  if (!log_key.ok()) return std::cerr << log_key.status().message() << "\n", 1;
  Target target{daemon->host(), daemon->port(), *log_key};

  TestAgent authority("bench-authority", authority_key);
  Result<LeanClient> setup = LeanClient::Connect(target.host, target.port);
  if (!setup.ok()) return std::cerr << setup.status().message() << "\n", 1;
  Result<Load> load = Prepare(o, authority, *setup);
  if (!load.ok()) return std::cerr << "setup: " << load.status().message() << "\n", 1;

  Outcome out;
  std::latch ready(static_cast<ptrdiff_t>(load->per_connection.size())), go(1);
  std::vector<std::thread> threads;
  for (const auto& envelopes : load->per_connection) {
    threads.emplace_back(Drive, std::cref(target), std::cref(envelopes), &ready, &go, &out);
  }
  ready.wait();
  std::pair<double, double> groups_before = GroupCounters(target);
  double server_cpu_before = ProcessCpuSeconds(daemon->pid());
  double client_cpu_before = ProcessCpuSeconds(getpid());
  Clock::time_point start = Clock::now();
  go.count_down();
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double server_cpu = ProcessCpuSeconds(daemon->pid()) - server_cpu_before;
  double client_cpu = ProcessCpuSeconds(getpid()) - client_cpu_before;
  std::pair<double, double> groups_after = GroupCounters(target);
  double groups = groups_after.second - groups_before.second;

  if (o.witnesses > 0) ReportWitnessing(target, o.witnesses);
  std::sort(out.latencies_ms.begin(), out.latencies_ms.end());
  double rate = static_cast<double>(out.receipts.size()) / seconds;
  int bad = VerifyReceipts(out, target.log_key);
  double verify_rate = VerifyRate();
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("events: %d over %d connections from %d agents\n", o.events, o.connections, o.agents);
  std::printf("ingest: %.0f events/s (%.2f s)\n", rate, seconds);
  std::printf("receipt latency ms: p50 %.2f p90 %.2f p99 %.2f max %.2f\n",
              Percentile(out.latencies_ms, 0.5), Percentile(out.latencies_ms, 0.9),
              Percentile(out.latencies_ms, 0.99),
              out.latencies_ms.empty() ? 0 : out.latencies_ms.back());
  std::printf(
      "cpu per event: server %.0f us, load tool %.0f us (of %.0f us available on %u cores)\n",
      server_cpu * 1e6 / o.events, client_cpu * 1e6 / o.events,
      seconds * 1e6 * std::max(1u, std::thread::hardware_concurrency()) / o.events,
      std::max(1u, std::thread::hardware_concurrency()));
  std::printf("group commits: %.0f, %.1f events each on average\n", groups,
              groups > 0 ? (groups_after.first - groups_before.first) / groups : 0);
  std::printf("receipts verified: %zu of %d, %d invalid, %d submissions failed\n",
              out.receipts.size() - bad, o.events, bad, out.failures.load());
  std::printf("ed25519 verify: %.0f/s per core, %.0f/s on %u cores; ingest/ceiling %.3f\n",
              verify_rate, verify_rate * cores, cores, rate / (verify_rate * cores));
  if (out.failures > 0) std::printf("first failure: %s\n", out.first_error.c_str());
  if (daemon->Terminate() != 0) return std::cerr << "chipledgerd exit failed\n", 1;
  return out.failures == 0 && bad == 0 ? 0 : 1;
}

}  // namespace
}  // namespace chipledger::api

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") return std::cout << chipledger::api::kUsage, 0;
  }
  chipledger::Result<chipledger::api::Options> options = chipledger::api::ParseOptions(argc, argv);
  if (!options.ok()) {
    std::cerr << "chipledger-bench: " << options.status().message() << "\n"
              << chipledger::api::kUsage;
    return 2;
  }
  return chipledger::api::Run(*options);
}
