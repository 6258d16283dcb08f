// chipledgerd's readers at pilot scale (issue 13; docs/api.md, Performance), side by side in one
// run on the heartbeat-heavy log of bench/load_logs.h (generated into DIR/heartbeats, or reused):
//   - ledger Open alone, in this process: the floor of any restart;
//   - restart to ready (the first answer of GET /v1/findings, which waits for the live audit to
//     apply every entry) without DATA/audit.snapshot (a full replay) and with it;
//   - the server's RSS (VmRSS, and its peak VmHWM) once ready and after the queries;
//   - p50/p99 latency of every reader route over --requests requests each (ids varied, one
//     keep-alive connection, sequential: the latency of one reader, not a throughput test).
// Routes the server does not have (404 "no such route") are listed as skipped.
// With --shipments N, the findings-heavy log instead (DIR/shipments: N one-chip shipments under a
// license nobody issued, one critical L1 finding each; bench/load_logs.h GenerateShipments): the
// findings, shipment and site routes, steady and as the first answer in a new second. That first
// answer pays what the first one after an append pays: the live audit recomputes its findings
// once per applied size and second (api/engine_audit.cc DerivedLocked).
//
// Then, on that log, the first read after an append, in this process against the live audit
// itself (api/engine_audit.h, restored from the DATA/audit.snapshot the server's clean stop
// wrote): --appends times, a dispatch like the log's (one new shipment, one new L1 finding) is fed
// as the ledger's writer feeds it, and GET /v1/findings?limit=100's page is computed right after
// it, then once more. Nothing is written to the log.
//
// --chipledgerd PATH measures another build (an older one, to compare) on the same log.
//
//   query_load --dir DIR [--entries 1000000 | --shipments 300000] [--requests 300]
//              [--appends 30] [--chipledgerd PATH]
#include <httplib.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "api/audit_snapshot.h"
#include "api/bench/daemon.h"
#include "api/engine_audit.h"
#include "bench/load_logs.h"

namespace chipledger {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The server measured: this build's unless --chipledgerd names another.
std::string server_binary = CHIPLEDGER_BINARY_DIR "/api/chipledgerd";

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A free port on 127.0.0.1 (the kernel's pick, released for the server to take).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// "VmRSS" or "VmHWM" of `pid`, in MiB.
double MemoryMiB(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1)) / 1024;
  }
  return 0;
}

// chipledgerd serving `data` on a port of its own. Spawned here rather than through
// api::Daemon, whose start waits at most a minute for the "listening" line: a full replay of
// 10^6 entries may take longer, and this is what is measured.
class Server {
 public:
  Server(const std::string& data, const std::string& config, const std::string& token)
      : port_(FreePort()), token_(token) {
    std::vector<std::string> args = {
        server_binary, "serve", "--data", data, "--listen", "127.0.0.1:" + std::to_string(port_),
        "--config",    config};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    start_ = Clock::now();
    if (::posix_spawn(&pid_, server_binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~Server() { Stop(); }

  // Seconds from the spawn to the first 200 of /v1/findings (the live audit caught up), or -1.
  double WaitReady() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(600);
    while (pid_ > 0 && Seconds(start_) < 900) {
      httplib::Result res = client.Get("/v1/findings?limit=1", Headers());
      if (res && res->status == 200) return Seconds(start_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  // SIGTERM and wait; the seconds it took (a clean stop writes the snapshot).
  double Stop() {
    if (pid_ <= 0) return 0;
    auto start = Clock::now();
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return Seconds(start);
  }

  httplib::Headers Headers() const { return {{"Authorization", "Bearer " + token_}}; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  int port_;
  std::string token_;
  pid_t pid_ = -1;
  Clock::time_point start_;
};

struct Route {
  std::string name;
  std::function<std::string(uint64_t)> path;  // the i-th request's path
};

// Every reader route, with ids spread over the log's sites, chips and entries.
std::vector<Route> Routes(uint64_t size) {
  using load::Serial;
  using load::Site;
  auto site = [](uint64_t i) { return Site(static_cast<int>(i * 7 % load::kSites)); };
  auto serial = [](uint64_t i) {
    return Serial(static_cast<int>(i * 7 % load::kSites),
                  static_cast<int>(i % load::kChipsPerSite));
  };
  auto index = [size](uint64_t i) { return std::to_string(i * 2654435761u % size); };
  auto n = std::to_string(size);
  return {
      {"/checkpoint", [](uint64_t) { return "/checkpoint"; }},
      {"/v1/entries/{i}", [=](uint64_t i) { return "/v1/entries/" + index(i); }},
      {"/v1/events?site=&limit=100",
       [=](uint64_t i) { return "/v1/events?site=" + site(i) + "&limit=100"; }},
      {"/v1/events?serial=&limit=100",
       [=](uint64_t i) { return "/v1/events?serial=" + serial(i) + "&limit=100"; }},
      {"/v1/events?site=&limit=100&view=summary",
       [=](uint64_t i) { return "/v1/events?site=" + site(i) + "&limit=100&view=summary"; }},
      {"/v1/proofs/inclusion",
       [=](uint64_t i) { return "/v1/proofs/inclusion?index=" + index(i) + "&tree_size=" + n; }},
      {"/v1/proofs/consistency",
       [=](uint64_t i) {
         // old is 1 to new: a consistency proof from the empty tree is refused.
         return "/v1/proofs/consistency?old=" + std::to_string(1 + i * 2654435761u % (size - 1)) +
                "&new=" + n;
       }},
      {"/v1/chips/{serial}", [=](uint64_t i) { return "/v1/chips/" + serial(i); }},
      {"/v1/chips/{serial}/events",
       [=](uint64_t i) { return "/v1/chips/" + serial(i) + "/events?limit=50"; }},
      {"/v1/sites/{id}", [=](uint64_t i) { return "/v1/sites/" + site(i); }},
      {"/v1/sites/{id}/events",
       [=](uint64_t i) { return "/v1/sites/" + site(i) + "/events?limit=50"; }},
      {"/v1/parties/{id}", [](uint64_t) { return "/v1/parties/lab"; }},
      {"/v1/licenses/{id}", [](uint64_t) { return "/v1/licenses/lic"; }},
      {"/v1/agents/{id}",
       [](uint64_t i) { return "/v1/agents/mon-" + std::to_string(i % load::kSites); }},
      {"/v1/findings?limit=100", [](uint64_t) { return "/v1/findings?limit=100"; }},
      {"/v1/findings?site=&status=open",
       [=](uint64_t i) { return "/v1/findings?site=" + site(i) + "&status=open&limit=100"; }},
      {"/v1/findings?rule=&severity=",
       [](uint64_t) { return "/v1/findings?rule=D5&severity=high"; }},
      {"/v1/findings/counts", [](uint64_t) { return "/v1/findings/counts"; }},
      {"/v1/whitelist", [](uint64_t) { return "/v1/whitelist"; }},
      {"/v1/sites", [](uint64_t) { return "/v1/sites?limit=100"; }},
      {"/v1/parties", [](uint64_t) { return "/v1/parties?limit=100"; }},
      {"/v1/licenses", [](uint64_t) { return "/v1/licenses?limit=100"; }},
      {"/v1/agents", [](uint64_t) { return "/v1/agents?limit=100"; }},
      {"/v1/shipments", [](uint64_t) { return "/v1/shipments?limit=100"; }},
      {"/v1/shipments/{id}",
       [](uint64_t i) { return "/v1/shipments/ship-" + std::to_string(i * 7 % load::kSites); }},
      {"/v1/chips?site=", [=](uint64_t i) { return "/v1/chips?site=" + site(i) + "&limit=100"; }},
  };
}

// The findings-heavy log's routes: `shipments` shipments named exp-E-N (GenerateShipments), all
// bound for site-0, each with one open critical L1 finding about its license. site-0 is never
// registered, so /v1/sites/{id} answers 404 there (the time to say so).
std::vector<Route> ShipmentRoutes(uint64_t shipments) {
  uint64_t per_exporter = std::max<uint64_t>(shipments / load::kAppenders, 1);
  auto shipment = [per_exporter](uint64_t i) {
    return "exp-" + std::to_string(i % load::kAppenders) + "-" +
           std::to_string(i * 2654435761u % per_exporter);
  };
  return {
      {"/v1/findings?limit=100", [](uint64_t) { return "/v1/findings?limit=100"; }},
      {"/v1/findings?rule=&severity=&limit=100 (all match)",
       [](uint64_t) { return "/v1/findings?rule=L1&severity=critical&limit=100"; }},
      {"/v1/findings?site=&status=open&limit=100",
       [](uint64_t) { return "/v1/findings?site=site-0&status=open&limit=100"; }},
      {"/v1/findings?rule=&severity= (none match)",
       [](uint64_t) { return "/v1/findings?rule=D5&severity=high&limit=100"; }},
      {"/v1/findings?subject_id= (one matches)",
       [=](uint64_t i) { return "/v1/findings?subject_id=" + shipment(i) + "&limit=100"; }},
      {"/v1/findings/counts", [](uint64_t) { return "/v1/findings/counts"; }},
      {"/v1/findings/counts?rule=", [](uint64_t) { return "/v1/findings/counts?rule=L1"; }},
      {"/v1/shipments?limit=100", [](uint64_t) { return "/v1/shipments?limit=100"; }},
      {"/v1/shipments?site=&status=in_transit",
       [](uint64_t) { return "/v1/shipments?site=site-0&status=in_transit&limit=100"; }},
      {"/v1/shipments?status=received (none match)",
       [](uint64_t) { return "/v1/shipments?status=received&limit=100"; }},
      {"/v1/shipments/{id}", [=](uint64_t i) { return "/v1/shipments/" + shipment(i); }},
      {"/v1/sites/{id}", [](uint64_t) { return "/v1/sites/site-0"; }},
      {"/v1/whitelist", [](uint64_t) { return "/v1/whitelist"; }},
      {"/v1/chips?site= (its books, then every chip in transit to it)",
       [](uint64_t) { return "/v1/chips?site=site-0&limit=100"; }},
      {"/v1/chips?site=&status=in_transit (every chip in transit to it)",
       [](uint64_t) { return "/v1/chips?site=site-0&status=in_transit&limit=100"; }},
      {"/v1/chips/{serial}", [=](uint64_t i) { return "/v1/chips/SN-" + shipment(i); }},
  };
}

// Sleeps until just after the next second of the wall clock (the server's Now()).
void SleepToNextSecond() {
  auto now = std::chrono::system_clock::now();
  auto next = std::chrono::ceil<std::chrono::seconds>(now) + std::chrono::milliseconds(2);
  std::this_thread::sleep_until(next);
}

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  std::sort(sorted.begin(), sorted.end());
  size_t rank = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

// Requests `route` `requests` times (each the first in a new second if `new_second`) and prints
// one table row.
void Measure(const Server& server, const Route& route, uint64_t requests, bool new_second) {
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60);
  std::vector<double> ms;
  size_t bytes = 0;
  for (uint64_t i = 0; i < requests; ++i) {
    if (new_second) SleepToNextSecond();
    auto start = Clock::now();
    httplib::Result res = client.Get(route.path(i), server.Headers());
    double elapsed = Seconds(start) * 1000;
    if (!res) return (void)std::printf("| `%s` | no answer | | |\n", route.name.c_str());
    if (res->status == 404 && res->body.find("no such route") != std::string::npos) {
      return (void)std::printf("| `%s` | skipped: not on this server | | |\n", route.name.c_str());
    }
    if (res->status != 200) {
      return (void)std::printf("| `%s` | HTTP %d: %s | | |\n", route.name.c_str(), res->status,
                               res->body.substr(0, 100).c_str());
    }
    ms.push_back(elapsed);
    bytes += res->body.size();
  }
  std::printf("| `%s` | %.2f | %.2f | %zu |\n", route.name.c_str(), Percentile(ms, 0.5),
              Percentile(ms, 0.99), bytes / std::max<size_t>(ms.size(), 1));
}

struct Flags {
  std::string dir;
  uint64_t entries = 1'000'000, shipments = 0, requests = 300, appends = 30;
};

// Milliseconds `read` takes.
double TimeMs(const std::function<void()>& read) {
  auto start = Clock::now();
  read();
  return Seconds(start) * 1000;
}

// The first read after an append (see the top of this file), on the log of `data` with its
// snapshot; prints the time of the first read after the restore and p50/p99 of the others.
bool MeasureAppends(const std::string& data, uint64_t appends) {
  auto ledger = Ledger::Open(data, OpenOptions{.read_only = true});
  if (!ledger.ok()) return std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str()), false;
  uint64_t size = (*ledger)->size();
  api::EngineAudit audit(ledger->get());
  {
    api::AuditSnapshots snapshots(ledger->get(), &audit, data + "/audit.snapshot", {});
    if (snapshots.Restore() != size) return std::fprintf(stderr, "no usable snapshot\n"), false;
  }
  auto page = [&audit] { (void)audit.FindingsPage({}, "", 100); };
  std::printf(
      "\nfirst read after an append (in process, %llu appends):\n"
      "  first read after the restore: %.1f ms\n",
      static_cast<unsigned long long>(appends), TimeMs(page));
  Result<LogEntry> last = ParseEntry((*ledger)->EntryBytes(size - 1).value());
  Result<Event> event = last.ok() ? ParseEvent(last->envelope.payload) : last.status();
  if (!event.ok() || !std::holds_alternative<ShipmentDispatched>(event->body)) {
    return std::fprintf(stderr, "the log's last entry is not a dispatch\n"), false;
  }
  std::vector<double> after_append, again;
  for (uint64_t k = 0; k < appends; ++k) {
    LogEntry entry = *last;
    entry.index = size + k;
    Event dispatch = *event;
    auto& body = std::get<ShipmentDispatched>(dispatch.body);
    body.shipment = "bench-append-" + std::to_string(k);
    body.chips.front().serial = "SN-" + body.shipment;
    audit.OnEntries({{entry, &dispatch}});
    after_append.push_back(TimeMs(page));
    again.push_back(TimeMs(page));
  }
  std::printf(
      "  first read after each append: p50 %.2f ms, p99 %.2f ms\n"
      "  the next read:                p50 %.2f ms, p99 %.2f ms\n",
      Percentile(after_append, 0.5), Percentile(after_append, 0.99), Percentile(again, 0.5),
      Percentile(again, 0.99));
  return true;
}

// The log of this run, generated into DIR unless there already.
std::optional<std::string> PrepareLog(const Flags& flags) {
  std::string data = flags.dir + (flags.shipments > 0 ? "/shipments" : "/heartbeats");
  if (std::filesystem::exists(data)) return data;
  auto start = Clock::now();
  bool ok = flags.shipments > 0 ? load::GenerateShipments(data, flags.shipments)
                                : load::GenerateHeartbeats(data, flags.entries);
  if (!ok) return std::nullopt;
  std::printf("generated %s in %.1f s\n", data.c_str(), Seconds(start));
  return data;
}

void PrintTable(const Server& server, const std::vector<Route>& routes, uint64_t requests,
                bool new_second) {
  std::printf("\n| route | p50 ms | p99 ms | bytes |\n|---|---|---|---|\n");
  for (const Route& route : routes) Measure(server, route, requests, new_second);
}

int Run(const Flags& flags) {
  InitCrypto();
  std::optional<std::string> prepared = PrepareLog(flags);
  if (!prepared) return 1;
  const std::string& data = *prepared;
  auto open_start = Clock::now();
  uint64_t size = 0;
  {
    auto ledger = Ledger::Open(data, OpenOptions{.read_only = true});
    if (!ledger.ok()) return std::fprintf(stderr, "%s\n", ledger.status().ToString().c_str()), 1;
    size = (*ledger)->size();
  }
  std::printf("log: %llu entries; Ledger::Open (read-only) and close: %.2f s\n",
              static_cast<unsigned long long>(size), Seconds(open_start));
  Result<std::string> token = api::RunCommand(
      server_binary, {"token", "create", "--data", data, "--role", "regulator", "--name",
                      "query-load-" + std::to_string(::getpid())});  // names must be unique
  if (!token.ok()) return std::fprintf(stderr, "%s\n", token.status().ToString().c_str()), 1;
  std::string bearer = token->substr(0, token->find('\n'));
  std::string config = flags.dir + "/query_load.json";
  std::ofstream(config) << json{{"access_log", false}, {"limits", {{"rate_per_second", 0}}}};

  std::filesystem::remove(data + "/audit.snapshot");
  std::printf("restart to ready (first /v1/findings answer):\n");
  for (const char* mode : {"without snapshot (full replay)", "with DATA/audit.snapshot"}) {
    Server server(data, config, bearer);
    double ready = server.WaitReady();
    double rss = MemoryMiB(server.pid(), "VmRSS"), peak = MemoryMiB(server.pid(), "VmHWM");
    double stop = server.Stop();
    std::printf("  %-32s %7.2f s  RSS %6.0f MiB (peak %6.0f MiB)  clean stop %.2f s\n", mode, ready,
                rss, peak, stop);
  }
  Server server(data, config, bearer);
  if (server.WaitReady() < 0) return std::fprintf(stderr, "chipledgerd did not get ready\n"), 1;
  if (flags.shipments == 0) {
    PrintTable(server, Routes(size), flags.requests, false);
  } else {
    std::printf("\nsteady (%llu requests each):\n",
                static_cast<unsigned long long>(flags.requests));
    PrintTable(server, ShipmentRoutes(flags.shipments), flags.requests, false);
    uint64_t firsts = std::max<uint64_t>(flags.requests / 10, 1);
    std::printf("\nfirst answer in a new second (findings recomputed; %llu requests each):\n",
                static_cast<unsigned long long>(firsts));
    PrintTable(server, ShipmentRoutes(flags.shipments), firsts, true);
  }
  std::printf("\nserver after the queries: RSS %.0f MiB, peak %.0f MiB\n",
              MemoryMiB(server.pid(), "VmRSS"), MemoryMiB(server.pid(), "VmHWM"));
  if (flags.shipments == 0 || flags.appends == 0) return 0;
  server.Stop();  // writes the snapshot the measurement starts from
  return MeasureAppends(data, flags.appends) ? 0 : 1;
}

}  // namespace
}  // namespace chipledger

int main(int argc, char** argv) {
  chipledger::Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") flags.dir = value;
    if (flag == "--entries") flags.entries = std::stoull(value);
    if (flag == "--shipments") flags.shipments = std::stoull(value);
    if (flag == "--requests") flags.requests = std::stoull(value);
    if (flag == "--appends") flags.appends = std::stoull(value);
    if (flag == "--chipledgerd") chipledger::server_binary = value;
  }
  if (flags.dir.empty() || argc % 2 == 0) {
    std::fprintf(stderr,
                 "usage: query_load --dir DIR [--entries N | --shipments N] [--requests N] "
                 "[--appends N] [--chipledgerd PATH]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each row as it is measured, also into a file
  return chipledger::Run(flags);
}
