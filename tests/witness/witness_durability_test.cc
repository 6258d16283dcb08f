// What the witness promises under stress: it never rolls back (concurrent requests for one log,
// kill -9 right after a 200, restarts), and one misbehaving log does not hold up another.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "tests/witness/witness_fixture.h"

namespace chipledger::testing {
namespace {

class DurabilityTest : public WitnessTest {
 protected:
  TestLog log_{"log.test.example/a", 1};
};

TEST_F(DurabilityTest, KillNineRightAfterA200KeepsTheAcknowledgedSize) {
  log_.GrowTo(30);
  uint64_t acknowledged = 0;
  for (uint64_t size : {1u, 2u, 7u, 16u, 30u}) {
    Start({&log_});
    EXPECT_EQ(WitnessSize(log_), acknowledged);
    MustCosign(log_, acknowledged, size);
    daemon_->Kill();
    acknowledged = size;
  }
  Start({&log_});
  EXPECT_EQ(WitnessSize(log_), 30u);
  // A client that lost the answer may replay the same checkpoint: still consistent.
  MustCosign(log_, 30, 30);
}

TEST_F(DurabilityTest, KillNineUnderLoadNeverGoesBelowAnyAcknowledgedSize) {
  log_.GrowTo(2000);
  Start({&log_});
  std::atomic<uint64_t> acknowledged{0};
  std::atomic<bool> stop{false};
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    auto client = NewClient();
    struct Done {
      std::atomic<bool>& writing;
      ~Done() { writing = false; }
    } done{writing};
    for (uint64_t size = 0; !stop && size < 2000; ++size) {
      httplib::Result res =
          client->Post("/add-checkpoint", log_.Request(size, size + 1), "text/plain");
      if (!res || res->status != 200) return;  // killed
      acknowledged = size + 1;
    }
  });
  while (acknowledged < 25 && writing) std::this_thread::yield();
  daemon_->Kill();
  stop = true;
  writer.join();
  ASSERT_GE(acknowledged.load(), 25u);
  Start({&log_});
  uint64_t size = WitnessSize(log_);
  // The one request in flight at the kill may or may not have been made durable.
  EXPECT_GE(size, acknowledged.load());
  EXPECT_LE(size, acknowledged.load() + 1);
}

TEST_F(DurabilityTest, ConcurrentRequestsForOneLogNeverRollBack) {
  constexpr uint64_t kSize = 300;
  log_.GrowTo(kSize);
  Start({&log_});
  std::mutex mu;
  uint64_t largest_acknowledged = 0;
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t) {
    clients.emplace_back([&, t] {
      auto client = NewClient();
      std::mt19937_64 random(t);
      uint64_t known = 0;  // what this client believes the witness holds
      for (int i = 0; i < 40; ++i) {
        uint64_t next = std::min(kSize, known + random() % 8);
        httplib::Result res =
            client->Post("/add-checkpoint", log_.Request(known, next), "text/plain");
        ASSERT_TRUE(res);
        if (res->status == 409) {
          known = *ParseTlogSize(res->body);
          continue;
        }
        ASSERT_EQ(res->status, 200) << res->body;
        known = next;
        std::lock_guard<std::mutex> lock(mu);
        largest_acknowledged = std::max(largest_acknowledged, next);
      }
    });
  }
  for (std::thread& t : clients) t.join();
  // Had two updates raced, a smaller one could have landed after a larger one.
  EXPECT_EQ(WitnessSize(log_), largest_acknowledged);
  daemon_->Terminate();
  Start({&log_});
  EXPECT_EQ(WitnessSize(log_), largest_acknowledged);
}

TEST_F(DurabilityTest, AMisbehavingLogDoesNotStopAnother) {
  TestLog good("good.test.example", 4);
  TestLog bad("bad.test.example", 5);
  TestLog fork("bad.test.example", 5, "forged");
  good.GrowTo(200);
  bad.GrowTo(10);
  fork.GrowTo(50);
  Start({&good, &bad});
  MustCosign(bad, 0, 10);
  std::atomic<bool> stop{false};
  std::atomic<int> refused{0};
  std::thread attacker([&] {
    auto client = NewClient();
    while (!stop) {
      httplib::Result res = client->Post("/add-checkpoint", fork.Request(10, 50), "text/plain");
      if (res && res->status == 422) ++refused;
    }
  });
  for (uint64_t size = 1; size <= 200; size += 7) MustCosign(good, size == 1 ? 0 : size - 7, size);
  stop = true;
  attacker.join();
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(WitnessSize(bad), 10u);
  EXPECT_EQ(WitnessSize(good), 197u);
}

TEST_F(DurabilityTest, StateSurvivesRestartsAndIsKeptPerLog) {
  TestLog other("other.test.example", 6);
  log_.GrowTo(9);
  other.GrowTo(4);
  Start({&log_, &other});
  MustCosign(log_, 0, 9);
  MustCosign(other, 0, 4);
  EXPECT_EQ(daemon_->Terminate(), 0);  // SIGTERM stops it cleanly
  // Served without `other` for a while, then with it again: its state was kept.
  Start({&log_});
  EXPECT_EQ(WitnessSize(log_), 9u);
  daemon_->Terminate();
  Start({&other, &log_});
  EXPECT_EQ(WitnessSize(other), 4u);
  std::string file = data_ + "/logs/" + ToHex(Sha256(other.origin())) + ".checkpoint";
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_EQ(std::filesystem::status(file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(DurabilityTest, AStateFileThatDoesNotVerifyIsRefused) {
  log_.GrowTo(9);
  Start({&log_});
  MustCosign(log_, 0, 9);
  daemon_->Terminate();
  // Cosigned by another witness key: not our state, and not to be treated as "never cosigned".
  std::string file = data_ + "/logs/" + ToHex(Sha256(log_.origin())) + ".checkpoint";
  std::array<uint8_t, 32> seed{};
  KeyPair stranger = KeyPairFromSeed(seed);
  std::ofstream(file) << log_.Signed(9)
                      << Cosign(CheckpointBody(log_.At(9)), kName, stranger, 1700000000);
  std::vector<std::string> args = {"--data",      data_,   "--listen",
                                   "127.0.0.1:0", "--log", log_.vkey()};
  auto started = api::Daemon::Start(kWitnessBinary, args, dir_.path() + "/witness.log");
  EXPECT_FALSE(started.ok());
}

TEST_F(DurabilityTest, ASecondWitnessOnTheSameDataIsRefused) {
  Start({&log_});
  std::vector<std::string> args = {"--data",      data_,   "--listen",
                                   "127.0.0.1:0", "--log", log_.vkey()};
  auto second = api::Daemon::Start(kWitnessBinary, args, dir_.path() + "/second.log");
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

}  // namespace
}  // namespace chipledger::testing
