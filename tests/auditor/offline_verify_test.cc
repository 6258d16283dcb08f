// Offline verification (auditor/offline_verify.h) of white lists, receipts and checkpoints made by
// a real ledger's own signing code, and of what a forger or a careless copy would hand over.
#include "auditor/offline_verify.h"

#include <gtest/gtest.h>

#include "auditor/engine.h"
#include "ledger/ledger.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;
using nlohmann::json;

json Party(const std::string& id) {
  return {
      {"party", {{"id", id}, {"name", "Party " + id}, {"country", "NL"}, {"kind", "end_user"}}}};
}

class OfflineVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Result<std::string> key = Ledger::Create(
        dir_.path(), CreateOptions{"ledger.test/offline", {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    log_key_ = *ParseVerifierKey(*key);
    auto ledger = Ledger::Open(dir_.path(), OpenOptions{});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    ledger_ = std::move(ledger).value();
    for (const char* id : {"helix", "sandgrain"}) {
      AppendResult appended = ledger_->Append(gov_.Next("party.registered", Party(id)));
      ASSERT_TRUE(appended.status.ok()) << appended.status.ToString();
      receipt_ = appended.receipt;
    }
  }

  // A white list signed exactly as chipledgerd signs it (Ledger::SignStatement).
  std::string Whitelist(const std::string& checkpoint_note) {
    json payload = {{"as_of", "2026-11-29T10:00:00.000Z"},
                    {"checkpoint", checkpoint_note},
                    {"end_users",
                     {{{"party", "helix"}, {"status", "suspended"}},
                      {{"party", "sandgrain"}, {"status", "good_standing"}}}}};
    Result<std::string> signed_list = ledger_->SignStatement(kWhitelistPayloadType, payload.dump());
    EXPECT_TRUE(signed_list.ok()) << signed_list.status().ToString();
    return *signed_list;
  }

  OfflineVerification Verify(const std::string& file, const WitnessPolicy& witnesses = {}) {
    Result<OfflineVerification> result = VerifyOffline(file, log_key_, witnesses);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : OfflineVerification{};
  }

  TempDir dir_;
  TestAgent gov_{"gov"};
  NoteVerifier log_key_;
  std::unique_ptr<Ledger> ledger_;
  Receipt receipt_;  // of entry 2
};

TEST_F(OfflineVerifyTest, SignedWhitelistSaysWhatWasProved) {
  OfflineVerification result = Verify(Whitelist(ledger_->CheckpointNote()));
  EXPECT_TRUE(result.verified) << result.failure;
  EXPECT_EQ(result.kind, OfflineKind::kWhitelist);
  ASSERT_TRUE(result.checkpoint.has_value());
  EXPECT_EQ(result.checkpoint->size, 3u);
  EXPECT_EQ(result.log_key_id, KeyId(log_key_.key));
  std::string text = OfflineVerificationToText(result);
  EXPECT_NE(text.find("white list as of 2026-11-29T10:00:00.000Z, signed by the log key "
                      "ledger.test/offline+"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("checkpoint of size 3 (root " + ToHex(result.checkpoint->root)),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("2 end users: helix suspended, sandgrain good_standing"), std::string::npos)
      << text;
  EXPECT_NE(text.find("not checked: witness cosignatures"), std::string::npos) << text;
  json out = OfflineVerificationToJson(result);
  EXPECT_EQ(out["file"], "whitelist");
  EXPECT_EQ(out["verified"], true);
  EXPECT_EQ(out["checkpoint"]["size"], 3);
  EXPECT_EQ(out["content"]["end_users"][0]["party"], "helix");
}

TEST_F(OfflineVerifyTest, AlteredWhitelistFailsItsSignature) {
  json envelope = json::parse(Whitelist(ledger_->CheckpointNote()));
  std::string payload = *Base64Decode(envelope["payload"].get<std::string>(), "payload");
  payload.replace(payload.find("suspended"), 9, "good_standing");
  envelope["payload"] = Base64Encode(payload);
  OfflineVerification result = Verify(envelope.dump());
  EXPECT_FALSE(result.verified);
  EXPECT_NE(result.failure.find("signatures[0]: the log key's signature"), std::string::npos)
      << result.failure;
  EXPECT_NE(OfflineVerificationToText(result).find("FAILED: signatures[0]"), std::string::npos);
}

TEST_F(OfflineVerifyTest, WhitelistOfAnotherLogKeyIsRefused) {
  std::string list = Whitelist(ledger_->CheckpointNote());
  TempDir other;
  Result<std::string> other_key = Ledger::Create(
      other.path(), CreateOptions{"ledger.test/offline", {{"gov", gov_.key().public_key}}});
  ASSERT_TRUE(other_key.ok());
  Result<OfflineVerification> result =
      VerifyOffline(list, *ParseVerifierKey(*other_key), WitnessPolicy{});
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->verified);
  EXPECT_NE(result->failure.find("signatures: none by the log key"), std::string::npos)
      << result->failure;
}

TEST_F(OfflineVerifyTest, WhitelistOnAForeignCheckpointIsRefused) {
  TempDir other;
  Result<std::string> other_key = Ledger::Create(
      other.path(), CreateOptions{"ledger.test/offline", {{"gov", gov_.key().public_key}}});
  ASSERT_TRUE(other_key.ok());
  auto other_ledger = Ledger::Open(other.path(), OpenOptions{});
  ASSERT_TRUE(other_ledger.ok());
  OfflineVerification result = Verify(Whitelist((*other_ledger)->CheckpointNote()));
  EXPECT_FALSE(result.verified);
  EXPECT_NE(result.failure.find("payload.checkpoint: no valid signature by the log key"),
            std::string::npos)
      << result.failure;
}

TEST_F(OfflineVerifyTest, ReceiptAndStoredReceiptProveInclusion) {
  OfflineVerification bare = Verify(ReceiptToJson(receipt_));
  EXPECT_TRUE(bare.verified) << bare.failure;
  EXPECT_EQ(bare.kind, OfflineKind::kReceipt);
  std::string text = OfflineVerificationToText(bare);
  EXPECT_NE(text.find("verified: entry 2 (leaf " + ToHex(receipt_.leaf_hash)), std::string::npos)
      << text;
  EXPECT_NE(text.find("included in the checkpoint of size 3"), std::string::npos) << text;

  // The agent's stored receipt file ties the receipt to its event by payload_hash.
  Result<std::string> entry = ledger_->EntryBytes(2);
  ASSERT_TRUE(entry.ok());
  json envelope = json::parse(*entry)["envelope"];
  json stored = {
      {"seq", 2}, {"envelope", envelope}, {"receipt", json::parse(ReceiptToJson(receipt_))}};
  OfflineVerification with_event = Verify(stored.dump());
  EXPECT_TRUE(with_event.verified) << with_event.failure;
  EXPECT_EQ(with_event.kind, OfflineKind::kStoredReceipt);
  EXPECT_EQ(with_event.content["event"]["type"], "party.registered");
  EXPECT_NE(OfflineVerificationToText(with_event).find("party.registered by \"gov\" (seq 2)"),
            std::string::npos);

  stored["envelope"] = json::parse(ledger_->EntryBytes(1).value())["envelope"];
  stored["seq"] = 1;
  OfflineVerification other_event = Verify(stored.dump());
  EXPECT_FALSE(other_event.verified);
  EXPECT_NE(other_event.failure.find("receipt.payload_hash: is not the SHA-256"), std::string::npos)
      << other_event.failure;
}

TEST_F(OfflineVerifyTest, ReceiptWithAForgedLeafFails) {
  Receipt forged = receipt_;
  forged.leaf_hash[0] ^= 1;
  OfflineVerification result = Verify(ReceiptToJson(forged));
  EXPECT_FALSE(result.verified);
  EXPECT_NE(result.failure.find("receipt: receipt.inclusion_proof does not show leaf_hash"),
            std::string::npos)
      << result.failure;
}

// A witness key from a fixed seed.
KeyPair WitnessKeyPair(uint8_t seed) {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(seed);
  return KeyPairFromSeed(bytes);
}

TEST_F(OfflineVerifyTest, CheckpointWithWitnessQuorum) {
  std::string note = ledger_->CheckpointNote();
  KeyPair a = WitnessKeyPair(1), b = WitnessKeyPair(2);
  std::string text = note.substr(0, note.find("\n\n") + 1);
  std::string cosigned = note + Cosign(text, "witness-a.example", a, 1795000000);
  std::vector<std::string> vkeys = {FormatWitnessKey({"witness-a.example", a.public_key}),
                                    FormatWitnessKey({"witness-b.example", b.public_key})};

  OfflineVerification plain = Verify(note);
  EXPECT_TRUE(plain.verified) << plain.failure;
  EXPECT_EQ(plain.kind, OfflineKind::kCheckpoint);

  OfflineVerification one = Verify(cosigned, *MakeWitnessPolicy(vkeys, 1));
  EXPECT_TRUE(one.verified) << one.failure;
  ASSERT_EQ(one.cosignatures.size(), 1u);
  std::string out = OfflineVerificationToText(one);
  EXPECT_NE(out.find("verified: checkpoint cosigned by witness-a.example (at unix time "
                     "1795000000): quorum 1 of 2 named witnesses met"),
            std::string::npos)
      << out;

  OfflineVerification both = Verify(cosigned, *MakeWitnessPolicy(vkeys, std::nullopt));
  EXPECT_FALSE(both.verified);
  EXPECT_NE(both.failure.find("witness-b.example"), std::string::npos) << both.failure;
  EXPECT_EQ(OfflineVerificationToJson(both)["witness_quorum"], 2);
}

TEST_F(OfflineVerifyTest, CheckpointOfAnotherLogFails) {
  KeyPair other = GenerateKeyPair();
  std::string forged = SignCheckpoint(Checkpoint{"ledger.test/offline", 3, {}}, other);
  OfflineVerification result = Verify(forged);
  EXPECT_FALSE(result.verified);
  EXPECT_NE(result.failure.find("checkpoint: no valid signature by the log key"), std::string::npos)
      << result.failure;
}

TEST_F(OfflineVerifyTest, UnrecognisedFilesAreNotVerificationFailures) {
  Result<std::string> entry = ledger_->EntryBytes(1);
  ASSERT_TRUE(entry.ok());
  std::string event_envelope = json::parse(*entry)["envelope"].dump();
  for (const std::string& file : {std::string("hello"), std::string("{}"), std::string(""),
                                  std::string("[1,2]"), event_envelope}) {
    Result<OfflineVerification> result = VerifyOffline(file, log_key_, WitnessPolicy{});
    EXPECT_FALSE(result.ok()) << file;
    EXPECT_EQ(result.status().code(), "unrecognised_file") << file;
  }
}

}  // namespace
}  // namespace chipledger::audit
