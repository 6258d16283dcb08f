// One client cannot lock the others out or exhaust the server's memory (issue 17; docs/api.md
// "Limits"), through the real chipledgerd: slow and idle connections, chunked bodies, declared
// lengths beyond the limit, and the per-read and keep-alive time bounds.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/daemon_fixture.h"
#include "tests/testing/raw_connection.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kAttackers = 200;
// The bound: an agent still gets its receipt within a second.
constexpr milliseconds kReceiptBound{1000};

// The resident memory of process `pid` in KiB, from /proc/PID/status.
long ResidentKiB(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class AbuseApiTest : public DaemonTest {
 protected:
  void StartAndEnrol(const json& config = json::object()) {
    Start(config);
    Enrol(monitor_, "monitor", json::array({"site-1"}));
  }

  // A new agent connection submits the monitor's next event and gets its receipt within the
  // issue's bound; /healthz answers as quickly.
  void ExpectServedPromptly() {
    httplib::Client agent(daemon_->host(), daemon_->port());
    agent.set_read_timeout(30);
    SteadyClock::time_point start = SteadyClock::now();
    httplib::Result res =
        agent.Post("/v1/events", monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")),
                   "application/json");
    auto took = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 201) << res->body;
    EXPECT_TRUE(ParseReceipt(res->body).ok()) << res->body;
    EXPECT_LT(took, kReceiptBound) << took.count() << " ms for a receipt";

    httplib::Client health(daemon_->host(), daemon_->port());
    start = SteadyClock::now();
    httplib::Result healthz = health.Get("/healthz");
    took = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
    ASSERT_TRUE(healthz);
    EXPECT_EQ(healthz->status, 200);
    EXPECT_LT(took, kReceiptBound) << took.count() << " ms for /healthz";
  }

  std::string Request(const std::string& headers) {
    return "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           headers + "\r\n";
  }

  TestAgent monitor_{"monitor-1"};
};

TEST_F(AbuseApiTest, SlowConnectionsDoNotDelayAnAgent) {
  StartAndEnrol();
  // Each sends its headers a byte every half second: within the per-read timeout, forever.
  SlowClients slow(daemon_->port(), kAttackers,
                   "POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", milliseconds(500));
  std::this_thread::sleep_for(milliseconds(1500));  // every one accepted and being read
  ExpectServedPromptly();
  EXPECT_EQ(slow.Open(), kAttackers);  // they were all still being served
}

TEST_F(AbuseApiTest, IdleKeepAliveConnectionsDoNotDelayAnAgent) {
  StartAndEnrol({{"limits", {{"keep_alive_timeout_s", 60}}}});
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < kAttackers; ++i) {
    idle.push_back(std::make_unique<RawConnection>(daemon_->port()));
    ASSERT_TRUE(idle.back()->Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  }
  for (auto& connection : idle) {
    ASSERT_EQ(StatusOf(connection->ReadResponse(milliseconds(10000))), 200);
  }
  ExpectServedPromptly();
  int open = 0;
  for (auto& connection : idle) open += connection->ClosedByServer() ? 0 : 1;
  EXPECT_EQ(open, kAttackers);  // still kept alive, each on a thread of its own
}

TEST_F(AbuseApiTest, ChunkedBodyIsRefusedUnread) {
  StartAndEnrol();
  RawConnection conn(daemon_->port());
  ASSERT_TRUE(conn.Send(Request("Transfer-Encoding: chunked\r\n")));
  bool closed = false;
  std::string answer = conn.ReadUntilClosed(milliseconds(10000), &closed);
  EXPECT_TRUE(closed) << answer;
  EXPECT_EQ(StatusOf(answer), 411) << answer;
  json error = BodyOf(answer);
  EXPECT_EQ(error["error"], "length_required") << answer;
  EXPECT_NE(error["message"].get<std::string>().find("Content-Length"), std::string::npos);
  ExpectServedPromptly();
}

TEST_F(AbuseApiTest, UnfinishedChunkedBodiesTakeNoMemory) {
  StartAndEnrol();
  long before = ResidentKiB(daemon_->pid());
  ASSERT_GT(before, 0);
  // Four 16 MiB chunks, each sent as far as the server lets it go and never finished.
  const std::string chunk(1 << 20, 'x');
  std::vector<std::unique_ptr<RawConnection>> attackers;
  for (int i = 0; i < 4; ++i) {
    attackers.push_back(std::make_unique<RawConnection>(daemon_->port()));
    ASSERT_TRUE(attackers.back()->Send(Request("Transfer-Encoding: chunked\r\n") + "1000000\r\n"));
  }
  for (int mib = 0; mib < 15; ++mib) {
    for (auto& attacker : attackers) attacker->SendSome(chunk);
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::this_thread::sleep_for(milliseconds(500));
  long after = ResidentKiB(daemon_->pid());
  EXPECT_LT(after - before, 4 * 1024) << before << " KiB before, " << after << " KiB after";
  for (auto& attacker : attackers) EXPECT_TRUE(attacker->ClosedByServer());
  ExpectServedPromptly();
}

TEST_F(AbuseApiTest, DeclaredLengthBeyondTheLimitIsRefusedUnread) {
  // A read timeout longer than the wait below: an answer can only come before the body is read.
  StartAndEnrol({{"limits", {{"read_timeout_s", 60}}}});
  RawConnection conn(daemon_->port());
  ASSERT_TRUE(conn.Send(Request("Content-Length: 104857600\r\n")));
  bool closed = false;
  std::string answer = conn.ReadUntilClosed(milliseconds(10000), &closed);
  EXPECT_TRUE(closed) << answer;
  EXPECT_EQ(StatusOf(answer), 413) << answer;
  json error = BodyOf(answer);
  EXPECT_EQ(error["error"], "too_large") << answer;
  EXPECT_NE(error["message"].get<std::string>().find("131072"), std::string::npos) << answer;
}

TEST_F(AbuseApiTest, SilentAndIdleConnectionsAreClosedAfterTheirTimeouts) {
  StartAndEnrol({{"limits", {{"read_timeout_s", 1}, {"keep_alive_timeout_s", 1}}}});
  RawConnection silent(daemon_->port());
  ASSERT_TRUE(silent.Send("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  RawConnection idle(daemon_->port());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_EQ(StatusOf(idle.ReadResponse(milliseconds(10000))), 200);
  // Generous against the 1 s bounds, short of the 5 s default read timeout.
  bool closed = false;
  silent.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed) << "a request silent for longer than read_timeout_s";
  idle.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed) << "a connection idle for longer than keep_alive_timeout_s";
}

}  // namespace
}  // namespace chipledger::testing
