#include <gtest/gtest.h>

#include <map>

#include "agent/agent.h"
#include "ledger/merkle.h"
#include "tests/testing/test_agent.h"

namespace chipledger::agent {
namespace {

// A small log built in memory: what the ledger would answer with a receipt for `target`.
class ReceiptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::TestAgent agent("inspector-1");
    TreeBuilder tree;
    std::vector<TreeBuilder::Node> nodes;
    for (int i = 0; i < 7; ++i) {
      std::string envelope = agent.Next("monitor.heartbeat", Heartbeat(i));
      if (i == 4) envelope_ = envelope;
      nlohmann::json entry = {{"index", i}, {"envelope", nlohmann::json::parse(envelope)}};
      tree.Append(LeafHash(entry.dump()), &nodes);
    }
    for (const auto& node : nodes) nodes_[{node.level, node.index}] = node.hash;
    NodeReader reader = [this](int level, uint64_t index) -> Result<Hash> {
      return nodes_.at({level, index});
    };
    Checkpoint checkpoint{"test.example/log", tree.size(), tree.Root()};
    receipt_.index = 4;
    receipt_.leaf_hash = nodes_.at({0, 4});
    receipt_.payload_hash = Sha256(ParseEnvelope(envelope_)->payload);
    receipt_.integrated_time = "2026-11-23T08:15:00.123Z";
    receipt_.checkpoint = SignCheckpoint(checkpoint, log_key_);
    receipt_.tree_size = tree.size();
    receipt_.hashes = *InclusionProof(4, tree.size(), reader);
  }
  static nlohmann::json Heartbeat(int n) {
    return {{"site", "site-1"},
            {"window_start", "2026-11-23T08:00:00Z"},
            {"window_end", "2026-11-23T09:00:00Z"},
            {"online", {{{"serial", "SN-" + std::to_string(n)}}}}};
  }

  KeyPair log_key_ = GenerateKeyPair();
  NoteVerifier verifier_{"test.example/log", log_key_.public_key};
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
  std::string envelope_;
  Receipt receipt_;
};

TEST_F(ReceiptTest, GenuineReceiptVerifies) {
  Result<Checkpoint> checkpoint = VerifyReceiptFor(receipt_, envelope_, verifier_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, 7u);
  // And survives the stored form.
  Result<StoredReceipt> stored = ParseStoredReceipt(StoredReceiptToJson({5, envelope_, receipt_}));
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->seq, 5u);
  EXPECT_TRUE(VerifyReceiptFor(stored->receipt, stored->envelope, verifier_).ok());
}

TEST_F(ReceiptTest, FlippedProofHashIsRejected) {
  for (size_t i = 0; i < receipt_.hashes.size(); ++i) {
    Receipt tampered = receipt_;
    tampered.hashes[i][0] ^= 1;
    EXPECT_FALSE(VerifyReceiptFor(tampered, envelope_, verifier_).ok()) << "hash " << i;
  }
  Receipt moved = receipt_;
  moved.index = 3;
  EXPECT_FALSE(VerifyReceiptFor(moved, envelope_, verifier_).ok());
  Receipt other_leaf = receipt_;
  other_leaf.leaf_hash = nodes_.at({0, 3});
  EXPECT_FALSE(VerifyReceiptFor(other_leaf, envelope_, verifier_).ok());
}

TEST_F(ReceiptTest, AlteredCheckpointIsRejected) {
  Receipt resized = receipt_;
  size_t line = resized.checkpoint.find("\n7\n");
  ASSERT_NE(line, std::string::npos);
  resized.checkpoint.replace(line, 3, "\n8\n");
  resized.tree_size = 8;
  EXPECT_FALSE(VerifyReceiptFor(resized, envelope_, verifier_).ok());
  // A checkpoint re-signed by another key, over a forged root that the proof matches.
  Receipt forged = receipt_;
  KeyPair impostor = GenerateKeyPair();
  forged.checkpoint = SignCheckpoint({"test.example/log", 7, nodes_.at({0, 4})}, impostor);
  EXPECT_FALSE(VerifyReceiptFor(forged, envelope_, verifier_).ok());
  Receipt size_mismatch = receipt_;
  size_mismatch.tree_size = 6;
  EXPECT_FALSE(VerifyReceiptFor(size_mismatch, envelope_, verifier_).ok());
}

TEST_F(ReceiptTest, WrongLogKeyIsRejected) {
  NoteVerifier other{"test.example/log", GenerateKeyPair().public_key};
  EXPECT_FALSE(VerifyReceiptFor(receipt_, envelope_, other).ok());
  NoteVerifier other_origin{"elsewhere.example/log", log_key_.public_key};
  EXPECT_FALSE(VerifyReceiptFor(receipt_, envelope_, other_origin).ok());
}

TEST_F(ReceiptTest, ReceiptForAnotherEventIsRejected) {
  testing::TestAgent agent("inspector-1");
  std::string other = agent.Next("monitor.heartbeat", Heartbeat(99));
  Result<Checkpoint> checked = VerifyReceiptFor(receipt_, other, verifier_);
  ASSERT_FALSE(checked.ok());
  EXPECT_NE(checked.status().message().find("payload_hash"), std::string::npos);
}

TEST(CosignTest, CosignerChecksThePayloadAndSignsOnce) {
  testing::TestAgent inspector("inspector-1");
  std::string envelope =
      inspector.Next("monitor.heartbeat", {{"site", "site-1"},
                                           {"window_start", "2026-11-23T08:00:00Z"},
                                           {"window_end", "2026-11-23T09:00:00Z"},
                                           {"online", nlohmann::json::array()}});
  KeyPair site_operator = GenerateKeyPair();
  Result<std::string> cosigned = CosignEnvelope(envelope, site_operator);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();
  Envelope parsed = *ParseEnvelope(*cosigned);
  ASSERT_EQ(parsed.signatures.size(), 2u);
  EXPECT_TRUE(VerifyEnvelopeSignature(parsed, 0, inspector.key().public_key));
  EXPECT_TRUE(VerifyEnvelopeSignature(parsed, 1, site_operator.public_key));
  EXPECT_EQ(parsed.signatures[1].keyid, KeyId(site_operator.public_key));
  EXPECT_FALSE(CosignEnvelope(*cosigned, site_operator).ok());
  EXPECT_FALSE(CosignEnvelope(inspector.SignPayload(R"({"v":1})"), site_operator).ok());
  EXPECT_FALSE(CosignEnvelope("not an envelope", site_operator).ok());
}

}  // namespace
}  // namespace chipledger::agent
