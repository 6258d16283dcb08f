// Fixtures of the agent tests that run against a real chipledgerd on 127.0.0.1: an authority that
// registers a party and a site and enrols agents, the library's Agent, and the real binary.
#ifndef CHIPLEDGER_TESTS_AGENT_AGENT_FIXTURE_H_
#define CHIPLEDGER_TESTS_AGENT_AGENT_FIXTURE_H_

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "tests/agent/ledger_harness.h"

namespace chipledger::agent::testing {

inline nlohmann::json Inspection(int n) {
  return {{"inspection", "insp-" + std::to_string(n)},
          {"site", "site-1"},
          {"kind", "routine"},
          {"observed", {{{"serial", "SN-" + std::to_string(n)}}}},
          {"seals", nlohmann::json::array()},
          {"purpose_observed", "life_sciences"},
          {"evidence", nlohmann::json::array()},
          {"result", "pass"}};
}

class AgentLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(LedgerServer::Binary())) << "build the chipledgerd target";
    server_.Start();
    ASSERT_GT(server_.port(), 0);
    ASSERT_EQ(server_.Post(authority_.Next(
                  "party.registered",
                  {{"party",
                    {{"id", "acme"}, {"name", "Acme"}, {"country", "NL"}, {"kind", "end_user"}}}})),
              201);
    ASSERT_EQ(server_.Post(authority_.Next("site.registered", {{"site",
                                                                {{"id", "site-1"},
                                                                 {"party", "acme"},
                                                                 {"name", "Hall B"},
                                                                 {"country", "NL"},
                                                                 {"lat", 52.1},
                                                                 {"lon", 4.3},
                                                                 {"radius_m", 1000}}}})),
              201);
  }

  void Enroll(const std::string& id, const PublicKey& key, const std::string& role) {
    ASSERT_EQ(server_.Post(authority_.Next("agent.enrolled", {{"enroll",
                                                               {{"agent", id},
                                                                {"public_key", Base64Encode(key)},
                                                                {"role", role},
                                                                {"org", "acme"},
                                                                {"sites", {"site-1"}}}}})),
              201);
  }

  Agent NewAgent(const std::string& id, const std::string& role = "inspector") {
    fs::path home = fs::path(dir_.path()) / id;
    Result<Agent> agent = Agent::Create(
        home, {id, server_.url(), server_.log_key(), {}, {}, {}, {}}, "pw", FastKdfCost());
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    Enroll(id, agent->public_key(), role);
    return *std::move(agent);
  }

  static SubmitOptions Quick(int attempts = 3) {
    SubmitOptions options;
    options.max_attempts = attempts;
    options.initial_backoff_s = 0.02;
    options.max_backoff_s = 0.2;
    return options;
  }

  // Every receipt is stored, verifies against the log key and answers its own event.
  void ExpectReceipts(const Agent& agent, size_t count) {
    Result<std::vector<StoredReceipt>> receipts = agent.Receipts();
    ASSERT_TRUE(receipts.ok()) << receipts.status().ToString();
    ASSERT_EQ(receipts->size(), count);
    Result<NoteVerifier> log_key = ParseVerifierKey(server_.log_key());
    ASSERT_TRUE(log_key.ok());
    std::set<uint64_t> indices;
    for (size_t i = 0; i < receipts->size(); ++i) {
      const StoredReceipt& stored = (*receipts)[i];
      EXPECT_EQ(stored.seq, i + 1);
      EXPECT_TRUE(VerifyReceiptFor(stored.receipt, stored.envelope, *log_key).ok());
      EXPECT_TRUE(indices.insert(stored.receipt.index).second) << "index reused";
    }
  }

  TestAgent authority_{"authority-1"};
  LedgerServer server_{authority_};
  TempDir dir_;
};

// The real binary, as an inspector would drive it.
class AgentBinaryTest : public AgentLedgerTest {
 protected:
  static std::string Binary() {
    return std::string(CHIPLEDGER_BINARY_DIR) + "/agent/chipledger-agent";
  }
  ProcessResult RunAgent(std::vector<std::string> args,
                         const std::string& passphrase = "field-passphrase") {
    args.insert(args.begin(), {Binary(), "--home", home_.string()});
    return RunProcess(args, dir_.path(), {"CHIPLEDGER_PASSPHRASE=" + passphrase});
  }
  // `keygen` for inspector-1 configured for the test ledger, which enrols its key.
  void KeygenInspector() {
    ProcessResult keygen = RunAgent({"keygen", "--agent", "inspector-1", "--ledger", server_.url(),
                                     "--log-key", server_.log_key(), "--fast-kdf", "--json"});
    ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
    nlohmann::json key = nlohmann::json::parse(keygen.out);
    Enroll("inspector-1", *PublicKeyFromBase64(key["public_key"].get<std::string>(), "pk"),
           "inspector");
  }
  // ExpectReceipts for the binary's home.
  void ExpectReceiptsInHome(size_t count) {
    Result<Agent> agent = Agent::Open(home_);
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    ExpectReceipts(*agent, count);
  }
  fs::path home_ = fs::path(dir_.path()) / "cli-home";
};

}  // namespace chipledger::agent::testing

#endif  // CHIPLEDGER_TESTS_AGENT_AGENT_FIXTURE_H_
