// A test fixture that runs the real chipledgerd on 127.0.0.1 over a fresh ledger with one
// authority, and talks to it over HTTP. The ledger is in RocksDB under the test's directory, or,
// with CHIPLEDGER_TEST_STORE=postgres in the environment, in a fresh database of its own on a
// PostgreSQL 15 server the test binary starts once (tests/pg/pg_test_util.h), so that the same
// tests check the PostgreSQL store (issue 15).
#ifndef CHIPLEDGER_TESTS_API_DAEMON_FIXTURE_H_
#define CHIPLEDGER_TESTS_API_DAEMON_FIXTURE_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/bench/daemon.h"
#include "ledger/checkpoint.h"
#include "ledger/receipt.h"
#include "tests/pg/pg_test_util.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

inline const std::string kChipledgerd = std::string(CHIPLEDGER_BINARY_DIR) + "/api/chipledgerd";

// Whether the daemon tests are to run on PostgreSQL (CHIPLEDGER_TEST_STORE=postgres).
inline bool TestStoreIsPostgres() {
  const char* store = std::getenv("CHIPLEDGER_TEST_STORE");
  return store != nullptr && std::string(store) == "postgres";
}

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    if (store_.empty() && TestStoreIsPostgres()) {
      UseFreshPostgresDatabase();
      if (IsSkipped() || HasFatalFailure()) return;
    }
    data_ = dir_.path() + "/ledger";
    Result<std::string> vkey = api::RunCommand(
        kChipledgerd,
        WithStore({"init", "--data", data_, "--origin", "test.chipledger.example/log",
                   "--authority", authority_.id() + "=" + authority_.public_key_base64()}));
    ASSERT_TRUE(vkey.ok()) << vkey.status().ToString();
    std::string line = *vkey;
    while (!line.empty() && line.back() == '\n') line.pop_back();
    Result<NoteVerifier> verifier = ParseVerifierKey(line);
    ASSERT_TRUE(verifier.ok()) << line;
    log_key_ = *verifier;
    // The ledger is where the test says, not in RocksDB beside the log key.
    ASSERT_EQ(std::filesystem::exists(data_ + "/db"), !OnPostgres());
    for (const char* role : {"regulator", "auditor", "witness", "admin"}) {
      tokens_[role] = CreateToken(role, std::string("test-") + role);
    }
  }

  // Puts the ledger in a new database on the test binary's PostgreSQL server (started on first
  // use); sets postgres_url_ and store_. Skips the test when PostgreSQL 15 is not installed.
  void UseFreshPostgresDatabase() {
    using pg::testing::TestServer;
    if (!TestServer::Installed()) GTEST_SKIP() << "PostgreSQL 15 is not installed (setup.sh)";
    ASSERT_TRUE(TestServer::Shared().started()) << "see " << TestServer::Shared().dir();
    Result<std::string> database = TestServer::Shared().NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    postgres_url_ = "postgres://postgres@127.0.0.1:" + std::to_string(TestServer::Shared().port()) +
                    "/" + *database;
    // A restarted chipledgerd waits for the lock its predecessor's session still holds while
    // the server ends that session.
    store_ = {"--store", postgres_url_, "--fence-wait", "10"};
  }
  bool OnPostgres() const { return !postgres_url_.empty(); }

  // `args` followed by store_.
  std::vector<std::string> WithStore(std::vector<std::string> args) const {
    args.insert(args.end(), store_.begin(), store_.end());
    return args;
  }

  std::string CreateToken(const std::string& role, const std::string& name) {
    Result<std::string> out = api::RunCommand(
        kChipledgerd, {"token", "create", "--data", data_, "--role", role, "--name", name});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    std::string token = out.ok() ? *out : "";
    while (!token.empty() && token.back() == '\n') token.pop_back();
    return token;
  }

  // Starts (or restarts) the server, with `config` as its config file when given.
  void Start(const nlohmann::json& config = nlohmann::json::object()) {
    std::string config_path = dir_.path() + "/config.json";
    std::ofstream(config_path) << config.dump();
    Result<std::unique_ptr<api::Daemon>> started = api::Daemon::Start(
        kChipledgerd,
        WithStore({"--data", data_, "--listen", "127.0.0.1:0", "--config", config_path}),
        dir_.path() + "/chipledgerd.log");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    daemon_ = std::move(*started);
    client_ = std::make_unique<httplib::Client>(daemon_->host(), daemon_->port());
    client_->set_read_timeout(30);
  }

  // Starts chipledgerd with the config file text `config`, expects it to refuse to start, and
  // returns what it logged.
  std::string LogOfRefusedStart(const std::string& config) {
    std::string config_path = dir_.path() + "/bad.json";
    std::ofstream(config_path) << config;
    Result<std::unique_ptr<api::Daemon>> started = api::Daemon::Start(
        kChipledgerd,
        WithStore({"--data", data_, "--listen", "127.0.0.1:0", "--config", config_path}),
        dir_.path() + "/bad.log");
    EXPECT_FALSE(started.ok());
    std::ifstream log(dir_.path() + "/bad.log");
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  }

  httplib::Result Post(const std::string& envelope) {
    return client_->Post("/v1/events", envelope, "application/json");
  }
  httplib::Result Get(const std::string& path, const std::string& role = "regulator") {
    httplib::Headers headers;
    if (!role.empty()) headers.emplace("Authorization", "Bearer " + tokens_[role]);
    return client_->Get(path.c_str(), headers);
  }
  static nlohmann::json Json(const httplib::Result& res) {
    return nlohmann::json::parse(res->body, nullptr, false);
  }

  // Submits and expects 201; returns the receipt.
  Receipt MustSubmit(const std::string& envelope) {
    httplib::Result res = Post(envelope);
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 201) << res->body;
    Result<Receipt> receipt = ParseReceipt(res->body);
    EXPECT_TRUE(receipt.ok()) << res->body;
    return receipt.ok() ? *receipt : Receipt{};
  }

  // Enrols `agent` with `role` at `sites` (empty: any).
  void Enrol(const TestAgent& agent, const std::string& role,
             nlohmann::json sites = nlohmann::json::array()) {
    MustSubmit(authority_.Next("agent.enrolled",
                               TestAgent::Enrollment(agent, role, "org-1", std::move(sites))));
  }

  static nlohmann::json Heartbeat(const std::string& site, const std::string& serial) {
    std::string now = FormatTime(Now());
    return {{"site", site},
            {"window_start", now},
            {"window_end", now},
            {"online", {{{"serial", serial}}}}};
  }

  TempDir dir_;
  std::string data_;
  // Flags naming the ledger's store, given to init and serve (--store ...); empty: RocksDB.
  std::vector<std::string> store_;
  std::string postgres_url_;  // the ledger's database when on PostgreSQL
  TestAgent authority_{"authority-1"};
  NoteVerifier log_key_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<api::Daemon> daemon_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_API_DAEMON_FIXTURE_H_
