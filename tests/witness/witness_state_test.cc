// The Witness class in-process: what the HTTP tests cannot reach directly (the clock, start-up
// refusals, the monitor copy's contents).
#include <gtest/gtest.h>

#include "tests/witness/witness_fixture.h"
#include "witness/witness.h"

namespace chipledger::testing {
namespace {

using witness::Answer;
using witness::Witness;

class WitnessStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    log_.GrowTo(8);
  }

  std::unique_ptr<Witness> Open(Witness::Clock clock = nullptr) {
    std::array<uint8_t, 32> seed;
    seed.fill(42);
    auto opened = Witness::Open(dir_.path(), "w.example", KeyPairFromSeed(seed),
                                {{log_.origin(), log_.key().public_key}}, std::move(clock));
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(*opened) : nullptr;
  }

  TempDir dir_;
  TestLog log_{"log.test.example/a", 1};
};

TEST_F(WitnessStateTest, TimestampIsNeverZero) {
  auto witness = Open([] { return uint64_t{0}; });
  ASSERT_TRUE(witness);
  Answer answer = witness->AddCheckpoint(log_.Request(0, 8));
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.origin, log_.origin());
  EXPECT_TRUE(answer.reason.empty());
  auto valid = VerifyCosignatures(log_.Signed(8) + answer.body, {witness->key()});
  ASSERT_TRUE(valid.ok()) << valid.status().ToString();
  ASSERT_EQ(valid->size(), 1u);
  EXPECT_EQ((*valid)[0].timestamp, 1u);
}

TEST_F(WitnessStateTest, MonitorCopyIsTheCheckpointWithBothSignatures) {
  auto witness = Open([] { return uint64_t{1700000000}; });
  ASSERT_TRUE(witness);
  EXPECT_FALSE(witness->LatestCheckpoint(witness::OriginHash(log_.origin())));
  Answer answer = witness->AddCheckpoint(log_.Request(0, 8));
  ASSERT_EQ(answer.status, 200);
  std::optional<std::string> note = witness->LatestCheckpoint(witness::OriginHash(log_.origin()));
  ASSERT_TRUE(note);
  EXPECT_EQ(*note, log_.Signed(8) + answer.body);
  EXPECT_FALSE(witness->LatestCheckpoint(std::string(64, 'a')));
  EXPECT_FALSE(witness->LatestCheckpoint(log_.origin()));
  std::vector<witness::LogSize> sizes = witness->Sizes();
  ASSERT_EQ(sizes.size(), 1u);
  EXPECT_EQ(sizes[0].size, 8u);
  EXPECT_TRUE(sizes[0].cosigned);
}

TEST_F(WitnessStateTest, OpenRefusesDuplicateOriginsNoLogsAndASecondOpener) {
  KeyPair key = GenerateKeyPair();
  NoteVerifier verifier{log_.origin(), log_.key().public_key};
  EXPECT_FALSE(Witness::Open(dir_.path(), "w", key, {verifier, verifier}).ok());
  EXPECT_FALSE(Witness::Open(dir_.path(), "w", key, {}).ok());
  auto first = Open();
  ASSERT_TRUE(first);
  auto second = Witness::Open(dir_.path(), "w.example", key, {verifier});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another chipledger-witness"), std::string::npos);
}

TEST_F(WitnessStateTest, ReopenedStateIsTheAcknowledgedOne) {
  {
    auto witness = Open();
    ASSERT_TRUE(witness);
    ASSERT_EQ(witness->AddCheckpoint(log_.Request(0, 3)).status, 200);
    ASSERT_EQ(witness->AddCheckpoint(log_.Request(3, 8)).status, 200);
  }
  auto witness = Open();
  ASSERT_TRUE(witness);
  Answer conflict = witness->AddCheckpoint(log_.Request(3, 8));
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.content_type, "text/x.tlog.size");
  EXPECT_EQ(conflict.body, "8\n");
}

}  // namespace
}  // namespace chipledger::testing
