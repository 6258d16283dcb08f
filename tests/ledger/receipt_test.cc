#include "ledger/receipt.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace chipledger {
namespace {

const char kOrigin[] = "ledger.example/chips";

// A small log: real entries, every complete node kept, a checkpoint signed by the log key.
class Log {
 public:
  explicit Log(uint64_t size) : key_(GenerateKeyPair()) {
    for (uint64_t i = 0; i < size; ++i) {
      std::vector<TreeBuilder::Node> created;
      builder_.Append(LeafHash("{\"index\":" + std::to_string(i) + "}"), &created);
      for (const auto& node : created) nodes_[{node.level, node.index}] = node.hash;
    }
    checkpoint_ = SignCheckpoint(Checkpoint{kOrigin, size, builder_.Root()}, key_);
  }

  NoteVerifier verifier() const { return NoteVerifier{kOrigin, key_.public_key}; }
  const KeyPair& key() const { return key_; }

  Receipt ReceiptFor(uint64_t index) const {
    NodeReader reader = [this](int level, uint64_t node) -> Result<Hash> {
      return nodes_.at({level, node});
    };
    Receipt receipt;
    receipt.index = index;
    receipt.leaf_hash = nodes_.at({0, index});
    receipt.payload_hash = Sha256("payload " + std::to_string(index));
    receipt.integrated_time = "2026-11-23T08:15:00.123Z";
    receipt.checkpoint = checkpoint_;
    receipt.tree_size = builder_.size();
    receipt.hashes = *InclusionProof(index, builder_.size(), reader);
    return receipt;
  }

 private:
  KeyPair key_;
  TreeBuilder builder_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
  std::string checkpoint_;
};

std::string Repeat(char c) { return std::string(64, c); }

TEST(Receipt, JsonHasTheWireFieldsInOrder) {
  Receipt receipt;
  receipt.index = 7;
  receipt.leaf_hash = *HashFromHex(Repeat('a'), "leaf");
  receipt.payload_hash = *HashFromHex(Repeat('b'), "payload");
  receipt.integrated_time = "2026-11-23T08:15:00.123Z";
  receipt.checkpoint = "o\n8\nroot\n\n\xe2\x80\x94 o sig\n";
  receipt.tree_size = 8;
  receipt.hashes = {*HashFromHex(Repeat('c'), "h"), *HashFromHex(Repeat('d'), "h")};
  EXPECT_EQ(ReceiptToJson(receipt),
            "{\"index\":7,\"leaf_hash\":\"" + Repeat('a') + "\",\"payload_hash\":\"" + Repeat('b') +
                "\",\"integrated_time\":\"2026-11-23T08:15:00.123Z\","
                "\"checkpoint\":\"o\\n8\\nroot\\n\\n\xe2\x80\x94 o sig\\n\","
                "\"inclusion_proof\":{\"tree_size\":8,\"hashes\":[\"" +
                Repeat('c') + "\",\"" + Repeat('d') + "\"]}}");

  receipt.hashes.clear();
  EXPECT_NE(ReceiptToJson(receipt).find("\"hashes\":[]"), std::string::npos);
}

// The receipt is written without a JSON library; its strings must come out exactly as
// nlohmann's dump() writes them (the bytes agents have always stored), valid UTF-8 or not.
TEST(Receipt, StringsAreEscapedAsAJsonLibraryEscapesThem) {
  Receipt receipt;
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls.push_back(static_cast<char>(c));
  for (std::string text :
       {std::string("plain"), std::string("quote \" backslash \\ slash / del \x7f"), all_controls,
        std::string("\xe2\x80\x94 em dash, \xf0\x9f\x94\x92 lock, \xc3\xa9"),
        std::string("bad: \xff, cut \xe2\x80, surrogate \xed\xa0\x80, overlong \xc0\xaf end"),
        std::string("\xf4\x90\x80\x80 beyond U+10FFFF"), std::string()}) {
    receipt.checkpoint = text;
    std::string expected =
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    EXPECT_NE(ReceiptToJson(receipt).find("\"checkpoint\":" + expected + ",\"inclusion_proof\""),
              std::string::npos)
        << expected;
  }
}

TEST(Receipt, RoundTripsAndVerifiesForEveryIndex) {
  Log log(13);
  for (uint64_t index = 0; index < 13; ++index) {
    Receipt receipt = log.ReceiptFor(index);
    auto parsed = ParseReceipt(ReceiptToJson(receipt));
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->index, receipt.index);
    EXPECT_EQ(parsed->leaf_hash, receipt.leaf_hash);
    EXPECT_EQ(parsed->payload_hash, receipt.payload_hash);
    EXPECT_EQ(parsed->integrated_time, receipt.integrated_time);
    EXPECT_EQ(parsed->checkpoint, receipt.checkpoint);
    EXPECT_EQ(parsed->tree_size, receipt.tree_size);
    EXPECT_EQ(parsed->hashes, receipt.hashes);
    auto checkpoint = VerifyReceipt(*parsed, log.verifier());
    ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    EXPECT_EQ(checkpoint->size, 13u);
    EXPECT_EQ(checkpoint->origin, kOrigin);
  }
}

TEST(Receipt, SingleEntryLogHasAnEmptyProof) {
  Log log(1);
  Receipt receipt = log.ReceiptFor(0);
  EXPECT_TRUE(receipt.hashes.empty());
  EXPECT_TRUE(VerifyReceipt(receipt, log.verifier()).ok());
}

TEST(Receipt, WitnessCosignaturesDoNotDisturbVerification) {
  Log log(6);
  Receipt receipt = log.ReceiptFor(4);
  std::string body = receipt.checkpoint.substr(0, receipt.checkpoint.find("\n\n") + 1);
  std::string cosigned = SignNote(body, "witness.example", GenerateKeyPair());
  receipt.checkpoint += cosigned.substr(body.size() + 1);
  EXPECT_TRUE(VerifyReceipt(receipt, log.verifier()).ok());
}

TEST(Receipt, TamperedReceiptsFail) {
  Log log(13);
  const Receipt good = log.ReceiptFor(5);
  ASSERT_TRUE(VerifyReceipt(good, log.verifier()).ok());

  auto expect_refused = [&](Receipt receipt, const char* what) {
    auto verified = VerifyReceipt(receipt, log.verifier());
    ASSERT_FALSE(verified.ok()) << what;
    EXPECT_EQ(verified.status().kind(), StatusKind::kUnauthenticated) << what;
  };
  Receipt r = good;
  r.index = 6;
  expect_refused(r, "another index");
  r = good;
  r.index = 13;
  expect_refused(r, "index past the tree");
  r = good;
  r.leaf_hash[0] ^= 1;
  expect_refused(r, "another leaf");
  r = good;
  r.hashes[1][31] ^= 0x80;
  expect_refused(r, "a proof hash flipped");
  r = good;
  r.hashes.pop_back();
  expect_refused(r, "a truncated proof");
  r = good;
  r.tree_size = 12;
  expect_refused(r, "a tree size other than the checkpoint's");
  r = good;
  r.checkpoint = Log(13).ReceiptFor(5).checkpoint;
  expect_refused(r, "a checkpoint signed by another key");
  r = good;
  r.checkpoint.replace(r.checkpoint.find("\n13\n"), 4, "\n14\n");
  expect_refused(r, "a checkpoint whose size was edited");

  Receipt size_mismatch = good;
  size_mismatch.tree_size = 12;
  EXPECT_NE(VerifyReceipt(size_mismatch, log.verifier()).status().message().find("tree_size"),
            std::string::npos);
}

TEST(Receipt, ParseIsStrict) {
  Log log(3);
  const std::string good = ReceiptToJson(log.ReceiptFor(1));
  ASSERT_TRUE(ParseReceipt(good).ok());
  auto with = [&](const std::string& from, const std::string& to) {
    std::string json = good;
    size_t at = json.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return json.replace(at, from.size(), to);
  };
  struct Case {
    std::string json;
    const char* field;  // the message must name it
  };
  const std::string leaf_hex = ToHex(log.ReceiptFor(1).leaf_hash);
  std::string upper_leaf = leaf_hex;
  for (char& c : upper_leaf) c = static_cast<char>(std::toupper(c));
  const Case cases[] = {
      {"", "receipt"},
      {"[]", "receipt"},
      {good + "x", "receipt"},
      {with("\"index\":1", "\"index\":-1"), "receipt.index"},
      {with("\"index\":1", "\"index\":1.5"), "receipt.index"},
      {with("\"index\":1", "\"index\":\"1\""), "receipt.index"},
      {with("\"index\":1,", ""), "receipt.index"},
      {with("\"index\":1", "\"index\":1,\"index\":1"), "index"},
      {with("\"index\":1", "\"index\":1,\"extra\":true"), "receipt.extra"},
      {with(leaf_hex, upper_leaf), "receipt.leaf_hash"},
      {with(leaf_hex, leaf_hex.substr(2)), "receipt.leaf_hash"},
      {with("\"payload_hash\"", "\"payload\""), "receipt.payload"},
      {with("2026-11-23T08:15:00.123Z", "yesterday"), "receipt.integrated_time"},
      {with("\"checkpoint\":\"", "\"checkpoint\":7,\"x\":\""), "receipt.checkpoint"},
      {with("\"tree_size\":3", "\"tree_size\":0"), "receipt.inclusion_proof.tree_size"},
      {with("\"tree_size\":3", "\"tree_size\":3,\"leaf_index\":1"),
       "receipt.inclusion_proof.leaf_index"},
      {with("\"hashes\":[", "\"hashes\":[7,"), "receipt.inclusion_proof.hashes[0]"},
      {with("\"inclusion_proof\":{", "\"inclusion_proof\":7,\"x\":{"), "receipt.inclusion_proof"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseReceipt(c.json);
    ASSERT_FALSE(parsed.ok()) << c.json;
    EXPECT_EQ(parsed.status().kind(), StatusKind::kInvalidArgument) << c.json;
    EXPECT_EQ(parsed.status().code(), "bad_receipt") << c.json;
    EXPECT_NE(parsed.status().message().find(c.field), std::string::npos)
        << c.field << " not named in: " << parsed.status().message();
  }
}

}  // namespace
}  // namespace chipledger
