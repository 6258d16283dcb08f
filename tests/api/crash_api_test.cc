// kill -9 of chipledgerd under concurrent load loses no acknowledged event: every receipt a
// client got is, after a restart, in the log at its index with its leaf hash.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "ledger/merkle.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

class CrashApiTest : public DaemonTest {};

TEST_F(CrashApiTest, KillNineLosesNoAcknowledgedEvent) {
  Start();
  constexpr int kAgents = 8;
  std::vector<TestAgent> agents;
  for (int i = 0; i < kAgents; ++i) {
    agents.emplace_back("monitor-" + std::to_string(i));
    Enrol(agents.back(), "monitor");
  }

  std::mutex mu;
  std::vector<Receipt> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<int> acks{0};
  std::atomic<int> running{kAgents};
  std::vector<std::thread> writers;
  for (int i = 0; i < kAgents; ++i) {
    writers.emplace_back([&, i] {
      struct Exit {
        std::atomic<int>& running;
        ~Exit() { --running; }
      } exit{running};
      httplib::Client client(daemon_->host(), daemon_->port());
      for (int n = 0; !stop; ++n) {
        httplib::Result res = client.Post(
            "/v1/events",
            agents[i].Next("monitor.heartbeat", Heartbeat("s", "c" + std::to_string(n))),
            "application/json");
        if (!res) return;  // the server is gone
        if (res->status != 201) continue;
        Result<Receipt> receipt = ParseReceipt(res->body);
        if (!receipt.ok()) continue;
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.push_back(*receipt);
        ++acks;
      }
    });
  }
  while (acks < 200 && running > 0) std::this_thread::yield();
  daemon_->Kill();
  stop = true;
  for (std::thread& t : writers) t.join();

  Start();
  ASSERT_GE(acknowledged.size(), 200u);
  uint64_t size = Json(Get("/healthz", ""))["tree_size"];
  for (const Receipt& r : acknowledged) {
    ASSERT_LT(r.index, size);
    httplib::Result res = Get("/v1/entries/" + std::to_string(r.index));
    ASSERT_EQ(res->status, 200);
    EXPECT_EQ(Json(res)["leaf_hash"], ToHex(r.leaf_hash)) << r.index;
  }
  // The log after the crash extends every checkpoint handed out before it.
  Result<Checkpoint> latest = VerifyCheckpoint(client_->Get("/checkpoint")->body, log_key_);
  ASSERT_TRUE(latest.ok());
  for (size_t i = 0; i < acknowledged.size(); i += 25) {
    Result<Checkpoint> old = VerifyReceipt(acknowledged[i], log_key_);
    ASSERT_TRUE(old.ok());
    json proof = Json(Get("/v1/proofs/consistency?old=" + std::to_string(old->size) +
                          "&new=" + std::to_string(latest->size)));
    std::vector<Hash> hashes;
    for (const json& h : proof["hashes"]) hashes.push_back(*HashFromHex(h.get<std::string>(), "h"));
    EXPECT_TRUE(VerifyConsistency(old->size, latest->size, old->root, latest->root, hashes));
  }
}

}  // namespace
}  // namespace chipledger::testing
