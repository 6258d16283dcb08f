// chipledgerd on the loopback Patroni cluster (issue 15 item 4; label cluster): agents submit
// continuously, the primary's postgres is killed with kill -9, the standby is promoted and
// chipledgerd follows it; then the active chipledgerd is killed with kill -9 and a standby
// chipledgerd, waiting on the fence, takes over. Every acknowledged event must be in the log at
// its index with its leaf hash, every checkpoint handed out must be consistent with the final
// one, and the log rebuilt from its entry bundles must have the final checkpoint's root. Prints the
// longest time without acknowledgements in each phase.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "api/bench/daemon.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "ledger/receipt.h"
#include "ledger/store/key_file.h"
#include "ledger/tiles.h"
#include "tests/pg/ha_cluster.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

const std::string kChipledgerd = std::string(CHIPLEDGER_BINARY_DIR) + "/api/chipledgerd";

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

json Heartbeat(const std::string& serial) {
  std::string now = FormatTime(Now());
  return {{"site", "s"},
          {"window_start", now},
          {"window_end", now},
          {"online", {{{"serial", serial}}}}};
}

// Agents that submit without pause to whichever chipledgerd `target` names, each retrying a
// refused event (it may have been committed: a retry then answers the original receipt) until it
// is acknowledged, and the receipts they got.
class Load {
 public:
  Load(std::vector<TestAgent>* agents, const NoteVerifier& verifier)
      : agents_(agents), verifier_(verifier) {}
  ~Load() { Stop(); }

  void Target(const std::string& host, int port) {
    std::lock_guard lock(mu_);
    host_ = host;
    port_ = port;
  }
  void Begin() {
    last_ack_ = Clock::now();
    for (size_t i = 0; i < agents_->size(); ++i) threads_.emplace_back([this, i] { Run(i); });
  }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  size_t acks() const { return acks_; }
  // The longest time without an acknowledgement since the last call.
  double TakeLongestGap() {
    std::lock_guard lock(mu_);
    double gap = Seconds(longest_gap_);
    longest_gap_ = {};
    return gap;
  }
  std::vector<Receipt> receipts() {
    std::lock_guard lock(mu_);
    return receipts_;
  }

 private:
  void Run(size_t i) {
    TestAgent& agent = (*agents_)[i];
    for (int n = 0; !stop_; ++n) {
      const std::string envelope =
          agent.Next("monitor.heartbeat", Heartbeat(agent.id() + "-" + std::to_string(n)));
      while (!stop_ && !Submit(envelope))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  bool Submit(const std::string& envelope) {
    std::string host;
    int port;
    {
      std::lock_guard lock(mu_);
      host = host_;
      port = port_;
    }
    httplib::Client client(host, port);
    client.set_read_timeout(60);
    httplib::Result res = client.Post("/v1/events", envelope, "application/json");
    if (!res || (res->status != 201 && res->status != 200)) return false;
    Result<Receipt> receipt = ParseReceipt(res->body);
    if (!receipt.ok() || !VerifyReceipt(*receipt, verifier_).ok()) {
      ADD_FAILURE() << "bad receipt: " << res->body;
      return true;
    }
    std::lock_guard lock(mu_);
    receipts_.push_back(*receipt);
    longest_gap_ = std::max(longest_gap_, Clock::now() - last_ack_);
    last_ack_ = Clock::now();
    ++acks_;
    return true;
  }

  std::vector<TestAgent>* agents_;
  NoteVerifier verifier_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acks_{0};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::string host_;
  int port_ = 0;
  std::vector<Receipt> receipts_;
  Clock::time_point last_ack_;
  Clock::duration longest_gap_{};
};

// Waits until `load` has `count` more acknowledgements, or `limit` passes; whether it had them.
bool AwaitAcks(const Load& load, size_t count, std::chrono::seconds limit) {
  const size_t target = load.acks() + count;
  const auto deadline = Clock::now() + limit;
  while (load.acks() < target && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return load.acks() >= target;
}

std::vector<Hash> Hashes(const json& hashes) {
  std::vector<Hash> out;
  for (const json& h : hashes) out.push_back(*HashFromHex(h.get<std::string>(), "hash"));
  return out;
}

// The leaf hashes of the first `size` entries, from the server's entry bundles (tile/entries/...).
std::vector<Hash> LeavesFromTiles(httplib::Client& client, uint64_t size) {
  std::vector<Hash> leaves;
  for (uint64_t index = 0; index * kTileWidth < size; ++index) {
    TileId tile{.entries = true, .level = 0, .index = index, .width = TileWidthAt(0, index, size)};
    httplib::Result res = client.Get("/tile/" + TilePath(tile));
    EXPECT_TRUE(res && res->status == 200) << TilePath(tile);
    if (!res || res->status != 200) return {};
    Result<std::vector<std::string>> entries = DecodeEntryBundle(res->body);
    EXPECT_TRUE(entries.ok()) << TilePath(tile);
    if (!entries.ok()) return {};
    for (const std::string& entry : *entries) leaves.push_back(LeafHash(entry));
  }
  return leaves;
}

// The root of the tree over `leaves`.
Hash RootOf(const std::vector<Hash>& leaves) {
  std::function<Result<Hash>(int, uint64_t)> node = [&](int level, uint64_t index) -> Result<Hash> {
    if (level == 0) return leaves[index];
    return NodeHash(*node(level - 1, 2 * index), *node(level - 1, 2 * index + 1));
  };
  return *RootHash(leaves.size(), node);
}

// Every receipt's entry is at its index with its leaf hash, its checkpoint is consistent with the
// server's current one, and the log rebuilt from its entry bundles has that checkpoint's root.
void ExpectAllInLog(const api::Daemon& server, const std::string& token,
                    const std::vector<Receipt>& receipts, const NoteVerifier& verifier) {
  httplib::Client client(server.host(), server.port());
  client.set_bearer_token_auth(token);
  client.set_read_timeout(60);
  Result<Checkpoint> final_checkpoint = VerifyCheckpoint(client.Get("/checkpoint")->body, verifier);
  ASSERT_TRUE(final_checkpoint.ok());
  std::vector<Hash> leaves = LeavesFromTiles(client, final_checkpoint->size);
  ASSERT_EQ(leaves.size(), final_checkpoint->size);
  EXPECT_EQ(RootOf(leaves), final_checkpoint->root)
      << "the tiles do not give the checkpoint's root";
  std::map<uint64_t, Checkpoint> handed_out;
  for (const Receipt& r : receipts) {
    ASSERT_LT(r.index, final_checkpoint->size);
    httplib::Result entry = client.Get("/v1/entries/" + std::to_string(r.index));
    ASSERT_TRUE(entry && entry->status == 200)
        << r.index << ": " << (entry ? std::to_string(entry->status) : to_string(entry.error()));
    EXPECT_EQ(json::parse(entry->body)["leaf_hash"], ToHex(r.leaf_hash)) << r.index;
    EXPECT_EQ(leaves[r.index], r.leaf_hash) << r.index;
    Result<Checkpoint> checkpoint = VerifyReceipt(r, verifier);
    ASSERT_TRUE(checkpoint.ok());
    auto [it, fresh] = handed_out.emplace(checkpoint->size, *checkpoint);
    EXPECT_EQ(it->second.root, checkpoint->root) << "two roots at size " << checkpoint->size;
  }
  for (const auto& [size, old] : handed_out) {
    httplib::Result proof = client.Get("/v1/proofs/consistency?old=" + std::to_string(size) +
                                       "&new=" + std::to_string(final_checkpoint->size));
    ASSERT_TRUE(proof && proof->status == 200) << size;
    EXPECT_TRUE(VerifyConsistency(size, final_checkpoint->size, old.root, final_checkpoint->root,
                                  Hashes(json::parse(proof->body)["hashes"])))
        << size;
  }
}

TEST(HaChipledgerdTest, NothingAcknowledgedIsLostWhenThePrimaryOrTheSequencerDies) {
  InitCrypto();
  pg::testing::Cluster cluster;
  ASSERT_TRUE(cluster.Start()) << "see " << cluster.dir() << "/start.log";
  TempDir dir;
  const std::string data = dir.path() + "/active", standby_data = dir.path() + "/standby";
  const std::vector<std::string> store = {"--store", cluster.Conninfo(), "--fence-wait", "60"};
  TestAgent authority("authority-1");
  std::vector<std::string> init = {"init",
                                   "--data",
                                   data,
                                   "--origin",
                                   "ha.chipledger.example/log",
                                   "--authority",
                                   authority.id() + "=" + authority.public_key_base64()};
  init.insert(init.end(), store.begin(), store.end());
  Result<std::string> key = api::RunCommand(kChipledgerd, init);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<NoteVerifier> verifier = ParseVerifierKey(key->substr(0, key->find('\n')));
  ASSERT_TRUE(verifier.ok()) << *key;

  // No rate limit: the check at the end reads every acknowledged entry, one request each, faster
  // than the default 1,000 requests/s per address once the burst is spent (429 on a fast machine).
  const std::string config = dir.path() + "/chipledgerd.json";
  std::ofstream(config) << R"({"limits": {"rate_per_second": 0}})";
  auto serve = [&](const std::string& at) {
    std::vector<std::string> args = {"--data", at, "--listen", "127.0.0.1:0", "--config", config};
    args.insert(args.end(), store.begin(), store.end());
    return api::Daemon::Start(kChipledgerd, args, dir.path() + "/chipledgerd.log");
  };
  Result<std::unique_ptr<api::Daemon>> active = serve(data);
  ASSERT_TRUE(active.ok()) << active.status().ToString();

  std::vector<TestAgent> agents;
  {
    httplib::Client client((*active)->host(), (*active)->port());
    for (int i = 0; i < 4; ++i) {
      agents.emplace_back("monitor-" + std::to_string(i));
      auto res =
          client.Post("/v1/events",
                      authority.Next("agent.enrolled",
                                     TestAgent::Enrollment(agents.back(), "monitor", "org-1")),
                      "application/json");
      ASSERT_TRUE(res && res->status == 201);
    }
  }
  Load load(&agents, *verifier);
  load.Target((*active)->host(), (*active)->port());
  load.Begin();

  // Phase 1: the primary PostgreSQL dies.
  ASSERT_TRUE(AwaitAcks(load, 150, std::chrono::seconds(60)));
  load.TakeLongestGap();
  const std::string pid = cluster.PrimaryPid();
  ASSERT_FALSE(pid.empty());
  ASSERT_EQ(0, std::system(("kill -9 " + pid).c_str()));
  ASSERT_TRUE(AwaitAcks(load, 150, std::chrono::seconds(90)))
      << "submissions did not resume after the failover";
  const double failover_gap = load.TakeLongestGap();

  // Phase 2: the active chipledgerd dies; the standby, waiting on the fence, takes over.
  ASSERT_TRUE(store::CreatePrivateDir(standby_data).ok());
  std::filesystem::copy_file(data + "/log.key", standby_data + "/log.key");
  Result<std::string> token = api::RunCommand(
      kChipledgerd,
      {"token", "create", "--data", standby_data, "--role", "regulator", "--name", "t"});
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  Result<std::unique_ptr<api::Daemon>> standby = Status::Unavailable("not started");
  std::thread waiting([&] { standby = serve(standby_data); });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the standby now waits on the fence
  const auto killed = Clock::now();
  (*active)->Kill();
  waiting.join();
  ASSERT_TRUE(standby.ok()) << standby.status().ToString();
  const double takeover = Seconds(Clock::now() - killed);
  load.Target((*standby)->host(), (*standby)->port());
  ASSERT_TRUE(AwaitAcks(load, 100, std::chrono::seconds(60)))
      << "submissions did not resume on the standby chipledgerd";
  const double takeover_gap = load.TakeLongestGap();
  load.Stop();

  std::vector<Receipt> receipts = load.receipts();
  ExpectAllInLog(**standby, token->substr(0, token->find('\n')), receipts, *verifier);
  std::printf(
      "ha_chipledgerd: %zu events acknowledged, all in the log with their leaf hashes, the log "
      "rebuilt from its tiles; longest "
      "time without acknowledgements: %.2f s across the PostgreSQL failover, %.2f s across the "
      "chipledgerd takeover (standby listening %.2f s after the kill)\n",
      receipts.size(), failover_gap, takeover_gap, takeover);
}

}  // namespace
}  // namespace chipledger::testing
