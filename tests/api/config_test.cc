// The config file and token store, through api/config.h and api/tokens.h.
#include "api/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "api/tokens.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "tests/testing/test_agent.h"

namespace chipledger::api {
namespace {

using testing::TempDir;

Result<ServerConfig> LoadText(const TempDir& dir, const std::string& text) {
  std::string path = dir.path() + "/config.json";
  std::ofstream(path) << text;
  return LoadConfig(path);
}

TEST(ConfigTest, ReadsEveryKeyAndKeepsDefaults) {
  TempDir dir;
  Result<ServerConfig> config =
      LoadText(dir, R"({"listen": "[::1]:9000", "tls": {"cert_file": "c.pem", "key_file": "k.pem"},
               "limits": {"rate_per_second": 2.5, "max_connections": 8}, "access_log": false})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->limits.rate_per_second, 2.5);
  EXPECT_EQ(config->limits.max_connections, 8);
  EXPECT_EQ(config->limits.max_page_size, 1000u);
  EXPECT_EQ(config->limits.keep_alive_timeout_s, 2);
  EXPECT_EQ(config->limits.max_body_bytes, 128u * 1024);
  EXPECT_FALSE(config->access_log);
  ASSERT_TRUE(config->tls.has_value());
  EXPECT_EQ(config->tls->key_file, "k.pem");
  Result<HostPort> listen = ParseListen(config->listen);
  ASSERT_TRUE(listen.ok());
  EXPECT_EQ(listen->host, "::1");
  EXPECT_EQ(listen->port, 9000);
}

TEST(ConfigTest, ReadsWitnessesAndRefusesBadOnes) {
  TempDir dir;
  InitCrypto();
  std::string a = FormatWitnessKey({"witness.a.example/w1", GenerateKeyPair().public_key});
  std::string b = FormatWitnessKey({"witness.b.example/w1", GenerateKeyPair().public_key});
  auto witnesses = [&](const std::string& quorum, const std::string& vkey_b,
                       const std::string& url_b = "http://127.0.0.1:7381") {
    return R"({"witnesses": [{"url": "http://127.0.0.1:7380", "vkey": ")" + a + R"("}, {"url": ")" +
           url_b + R"(", "vkey": ")" + vkey_b + R"("}])" + quorum + "}";
  };
  Result<ServerConfig> config = LoadText(dir, witnesses(R"(, "witness_quorum": 1)", b));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->witnesses.size(), 2u);
  EXPECT_EQ(config->witnesses[1].vkey, b);
  EXPECT_EQ(config->witness_quorum, 1u);
  EXPECT_FALSE(LoadText(dir, witnesses("", b))->witness_quorum.has_value());  // default: all
  std::string log_key = FormatVerifierKey({"log.example", GenerateKeyPair().public_key});
  for (auto [text, key] : std::vector<std::pair<std::string, std::string>>{
           {witnesses(R"(, "witness_quorum": 3)", b), "witness quorum must be between 1 and 2"},
           {witnesses(R"(, "witness_quorum": 0)", b), "witness_quorum"},
           {witnesses("", a), "named twice"},
           {witnesses("", log_key), "witnesses[1].vkey"},
           {witnesses("", b, "127.0.0.1:7381"), "witnesses[1].url"},
           {R"({"witnesses": [{"url": "http://x", "vkey": "k", "name": "n"}]})",
            "witnesses[0].name"},
           {R"({"witness_quorum": 1})", "needs witnesses"}}) {
    Result<ServerConfig> refused = LoadText(dir, text);
    ASSERT_FALSE(refused.ok()) << text;
    EXPECT_NE(refused.status().message().find(key), std::string::npos)
        << text << " -> " << refused.status().message();
  }
}

TEST(ConfigTest, RefusesMistakesNamingTheKey) {
  TempDir dir;
  for (auto [text, key] : std::vector<std::pair<std::string, std::string>>{
           {R"({"limits": {"max_connections": "many"}})", "limits.max_connections"},
           {R"({"limits": {"max_connections": 0}})", "limits.max_connections"},
           {R"({"limits": {"max_connections": 1.5}})", "limits.max_connections"},
           {R"({"limits": {"threads": 64}})",
            "limits.threads: no longer read; use limits.max_connections"},
           {R"({"listen": "nowhere"})", "listen"},
           {R"({"tls": {"cert_file": "c.pem"}})", "tls"},
           {R"({"acess_log": true})", "acess_log"},
           {R"([1])", "config"},
           {"{", "not JSON"}}) {
    Result<ServerConfig> config = LoadText(dir, text);
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_NE(config.status().message().find(key), std::string::npos)
        << text << " -> " << config.status().message();
  }
  EXPECT_FALSE(LoadConfig(dir.path() + "/missing.json").ok());
  EXPECT_FALSE(ParseListen("host:99999").ok());
  EXPECT_FALSE(ParseListen(":80").ok());
}

TEST(TokenStoreTest, LooksUpTokensAddedAfterItLoaded) {
  TempDir dir;
  TokenStore store(dir.path());
  Result<std::string> first = CreateToken(dir.path(), ReaderRole::kWitness, "w1");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store.Lookup(*first).has_value());
  EXPECT_EQ(store.Lookup(*first)->role, ReaderRole::kWitness);
  Result<std::string> second = CreateToken(dir.path(), ReaderRole::kAdmin, "a1");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(store.Lookup(*second).has_value());
  EXPECT_EQ(store.Lookup(*second)->name, "a1");
  EXPECT_FALSE(store.Lookup("clt_" + std::string(64, '0')).has_value());
  EXPECT_FALSE(CreateToken(dir.path(), ReaderRole::kAdmin, "a1").ok());        // name taken
  EXPECT_FALSE(CreateToken(dir.path(), ReaderRole::kAdmin, "bad name").ok());  // not an id
}

}  // namespace
}  // namespace chipledger::api
