// Test logs built in memory (leaves, Merkle nodes, signed checkpoints, consistency proofs) and a
// fixture that runs the real chipledger-witness on 127.0.0.1 and talks tlog-witness to it.
#ifndef CHIPLEDGER_TESTS_WITNESS_WITNESS_FIXTURE_H_
#define CHIPLEDGER_TESTS_WITNESS_WITNESS_FIXTURE_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/bench/daemon.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/merkle.h"
#include "ledger/witness_protocol.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

inline const std::string kWitnessBinary =
    std::string(CHIPLEDGER_BINARY_DIR) + "/witness/chipledger-witness";

// A log kept in memory: its origin, a key from a fixed seed, and every Merkle node, so that it
// can sign a checkpoint and prove consistency between any two sizes.
class TestLog {
 public:
  TestLog(std::string origin, uint8_t seed, std::string leaf_prefix = "entry")
      : origin_(std::move(origin)), prefix_(std::move(leaf_prefix)) {
    std::array<uint8_t, 32> bytes;
    bytes.fill(seed);
    key_ = KeyPairFromSeed(bytes);
  }

  const std::string& origin() const { return origin_; }
  const KeyPair& key() const { return key_; }
  std::string vkey() const { return FormatVerifierKey(NoteVerifier{origin_, key_.public_key}); }
  uint64_t size() const { return builder_.size(); }

  void GrowTo(uint64_t size) {
    while (builder_.size() < size) {
      std::vector<TreeBuilder::Node> created;
      builder_.Append(LeafHash(prefix_ + " " + std::to_string(builder_.size())), &created);
      for (const TreeBuilder::Node& n : created) nodes_[{n.level, n.index}] = n.hash;
    }
  }
  Hash Root(uint64_t size) const { return *RootHash(size, Reader()); }
  Checkpoint At(uint64_t size) const { return Checkpoint{origin_, size, Root(size)}; }
  std::string Signed(uint64_t size) const { return SignCheckpoint(At(size), key_); }
  std::vector<Hash> Proof(uint64_t old_size, uint64_t new_size) const {
    if (old_size == 0) return {};
    return *ConsistencyProof(old_size, new_size, Reader());
  }
  // The add-checkpoint body that moves a witness at `old_size` to `new_size`.
  std::string Request(uint64_t old_size, uint64_t new_size) const {
    return FormatAddCheckpoint({old_size, Proof(old_size, new_size), Signed(new_size)});
  }

 private:
  NodeReader Reader() const {
    return [this](int level, uint64_t index) -> Result<Hash> {
      auto found = nodes_.find({level, index});
      if (found == nodes_.end()) return Status::NotFound("no_node", "node not built");
      return found->second;
    };
  }

  std::string origin_;
  std::string prefix_;
  KeyPair key_;
  TreeBuilder builder_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

inline std::string TrimNewline(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    data_ = dir_.path() + "/witness";
    Result<std::string> vkey =
        api::RunCommand(kWitnessBinary, {"init", "--data", data_, "--name", kName});
    ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
    Result<WitnessKey> key = ParseWitnessKey(TrimNewline(*vkey));
    ASSERT_TRUE(key.ok()) << *vkey;
    witness_ = *key;
  }

  // Starts (or restarts) the witness serving `logs`.
  void Start(const std::vector<const TestLog*>& logs) {
    std::vector<std::string> args = {"--data", data_, "--listen", "127.0.0.1:0"};
    for (const TestLog* log : logs) args.insert(args.end(), {"--log", log->vkey()});
    Result<std::unique_ptr<api::Daemon>> started =
        api::Daemon::Start(kWitnessBinary, args, dir_.path() + "/witness.log");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    daemon_ = std::move(*started);
    client_ = NewClient();
  }

  std::unique_ptr<httplib::Client> NewClient() const {
    auto client = std::make_unique<httplib::Client>(daemon_->host(), daemon_->port());
    client->set_read_timeout(30);
    return client;
  }

  httplib::Result Add(const std::string& body) {
    return client_->Post("/add-checkpoint", body, "text/plain");
  }

  // Posts and expects a 200 whose cosignature verifies with the key init printed.
  std::string MustCosign(const TestLog& log, uint64_t old_size, uint64_t new_size) {
    httplib::Result res = Add(log.Request(old_size, new_size));
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 200) << res->body;
    Result<std::vector<Cosignature>> valid =
        VerifyCosignatures(log.Signed(new_size) + res->body, {witness_});
    EXPECT_TRUE(valid.ok()) << valid.status().ToString();
    EXPECT_TRUE(valid.ok() && valid->size() == 1) << res->body;
    return res->body;
  }

  // The size the witness holds for `log`, as a 409 to an impossible old size reports it.
  uint64_t WitnessSize(const TestLog& log) {
    httplib::Result res = Add(FormatAddCheckpoint(
        {UINT64_MAX - 1, {}, SignCheckpoint({log.origin(), UINT64_MAX - 1, Hash{}}, log.key())}));
    EXPECT_TRUE(res);
    if (!res) return 0;
    EXPECT_EQ(res->status, 409) << res->body;
    Result<uint64_t> size = ParseTlogSize(res->body);
    EXPECT_TRUE(size.ok()) << res->body;
    return size.ok() ? *size : 0;
  }

  static constexpr const char* kName = "witness.test.example/w1";
  TempDir dir_;
  std::string data_;
  WitnessKey witness_;
  std::unique_ptr<api::Daemon> daemon_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_WITNESS_WITNESS_FIXTURE_H_
