#include <gtest/gtest.h>

#include <filesystem>

#include "agent/agent.h"
#include "ledger/durable_file.h"
#include "tests/testing/test_agent.h"

namespace chipledger::agent {
namespace {

TEST(KeystoreTest, SealedKeyOpensWithItsPassphrase) {
  KeyPair key = GenerateKeyPair();
  Result<std::string> sealed = SealKey(key, "correct horse", FastKdfCost());
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  Result<KeyPair> opened = OpenKey(*sealed, "correct horse");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->public_key, key.public_key);
  // The opened key signs what the original verifies.
  Signature signature = Sign(opened->secret_key, "message");
  EXPECT_TRUE(Verify(key.public_key, "message", signature));
}

TEST(KeystoreTest, SecretIsNotStoredInTheClear) {
  KeyPair key = GenerateKeyPair();
  Result<std::string> sealed = SealKey(key, "pass", FastKdfCost());
  ASSERT_TRUE(sealed.ok());
  std::string seed(reinterpret_cast<const char*>(key.secret_key.data()), 32);
  EXPECT_EQ(sealed->find(Base64Encode(seed)), std::string::npos);
  EXPECT_EQ(sealed->find(ToHex(seed)), std::string::npos);
}

TEST(KeystoreTest, WrongPassphraseIsAClearError) {
  KeyPair key = GenerateKeyPair();
  Result<std::string> sealed = SealKey(key, "right", FastKdfCost());
  ASSERT_TRUE(sealed.ok());
  Result<KeyPair> opened = OpenKey(*sealed, "wrong");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().kind(), StatusKind::kUnauthenticated);
  EXPECT_EQ(opened.status().code(), "wrong_passphrase");
  EXPECT_FALSE(OpenKey(*sealed, "").ok());
}

TEST(KeystoreTest, EmptyPassphraseIsRefused) {
  Result<std::string> sealed = SealKey(GenerateKeyPair(), "", FastKdfCost());
  ASSERT_FALSE(sealed.ok());
  EXPECT_NE(sealed.status().message().find("passphrase"), std::string::npos);
}

TEST(KeystoreTest, DamagedKeyFilesAreErrorsNotCrashes) {
  Result<std::string> sealed = SealKey(GenerateKeyPair(), "pass", FastKdfCost());
  ASSERT_TRUE(sealed.ok());
  nlohmann::json file = nlohmann::json::parse(*sealed);
  for (const char* field : {"salt", "nonce", "sealed", "public_key", "opslimit", "kdf"}) {
    nlohmann::json damaged = file;
    damaged.erase(field);
    Result<KeyPair> opened = OpenKey(damaged.dump(), "pass");
    ASSERT_FALSE(opened.ok()) << field;
    EXPECT_NE(opened.status().message().find(field), std::string::npos)
        << opened.status().message();
  }
  nlohmann::json huge = file;
  huge["memlimit"] = uint64_t{1} << 40;  // would exhaust memory: refused before deriving
  EXPECT_FALSE(OpenKey(huge.dump(), "pass").ok());
  nlohmann::json other_key = file;
  other_key["public_key"] = Base64Encode(GenerateKeyPair().public_key);
  Result<KeyPair> mismatched = OpenKey(other_key.dump(), "pass");
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().kind(), StatusKind::kCorruption);
  EXPECT_FALSE(OpenKey("not json", "pass").ok());
}

TEST(KeystoreTest, AgentHomeUnlocksOnlyWithItsPassphrase) {
  testing::TempDir dir;
  std::filesystem::path home = std::filesystem::path(dir.path()) / "home";
  Result<Agent> created =
      Agent::Create(home, {"inspector-1", "", "", {}, {}, {}, {}}, "s3cret", FastKdfCost());
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Result<Agent> opened = Agent::Open(home);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->key_id(), created->key_id());
  EXPECT_FALSE(opened->unlocked());
  Status wrong = opened->Unlock("not it");
  EXPECT_EQ(wrong.code(), "wrong_passphrase");
  EXPECT_FALSE(opened->unlocked());
  EXPECT_TRUE(opened->Unlock("s3cret").ok());
  EXPECT_TRUE(opened->unlocked());
  EXPECT_EQ(
      std::filesystem::status(home / "key.json").permissions() & std::filesystem::perms::group_read,
      std::filesystem::perms::none);
}

TEST(KeystoreTest, CreateNeverOverwritesAKey) {
  testing::TempDir dir;
  Result<Agent> first =
      Agent::Create(dir.path(), {"inspector-1", "", "", {}, {}, {}, {}}, "one", FastKdfCost());
  ASSERT_TRUE(first.ok());
  Result<Agent> second =
      Agent::Create(dir.path(), {"inspector-1", "", "", {}, {}, {}, {}}, "two", FastKdfCost());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), "key_exists");
  Result<Agent> opened = Agent::Open(dir.path());
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->key_id(), first->key_id());
  EXPECT_TRUE(opened->Unlock("one").ok());
}

TEST(KeystoreTest, BadAgentIdOrLogKeyIsRefused) {
  testing::TempDir dir;
  Result<Agent> bad_id =
      Agent::Create(dir.path(), {"has space", "", "", {}, {}, {}, {}}, "p", FastKdfCost());
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.status().message().find("agent"), std::string::npos);
  Result<Agent> bad_key =
      Agent::Create(dir.path(), {"a", "", "not-a-key", {}, {}, {}, {}}, "p", FastKdfCost());
  ASSERT_FALSE(bad_key.ok());
  EXPECT_NE(bad_key.status().message().find("log_key"), std::string::npos);
}

}  // namespace
}  // namespace chipledger::agent
