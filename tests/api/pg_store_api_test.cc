// The real chipledgerd on PostgreSQL (issue 15): init and serve with --store, events submitted by
// a test agent, receipts and proofs read back, and everything still there after a restart; a
// second chipledgerd on the same database is fenced out. Kill -9 under load is crash_api_test's,
// run on PostgreSQL as pg:crash_api_test. The server is the test's own PostgreSQL 15
// (tests/pg/pg_test_util.h).
#include <gtest/gtest.h>

#include <fstream>

#include "ledger/merkle.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

std::vector<Hash> Hashes(const json& hashes) {
  std::vector<Hash> out;
  for (const json& h : hashes) out.push_back(*HashFromHex(h.get<std::string>(), "hash"));
  return out;
}

class PgStoreApiTest : public DaemonTest {
 protected:
  void SetUp() override {
    UseFreshPostgresDatabase();
    if (IsSkipped() || HasFatalFailure()) return;
    DaemonTest::SetUp();
  }

  // Checks each receipt's entry, leaf hash and inclusion in the current checkpoint.
  void ExpectInLog(const std::vector<Receipt>& receipts) {
    Result<Checkpoint> now = VerifyCheckpoint(client_->Get("/checkpoint")->body, log_key_);
    ASSERT_TRUE(now.ok());
    for (const Receipt& r : receipts) {
      ASSERT_LT(r.index, now->size);
      EXPECT_EQ(Json(Get("/v1/entries/" + std::to_string(r.index)))["leaf_hash"],
                ToHex(r.leaf_hash));
      json proof = Json(Get("/v1/proofs/inclusion?index=" + std::to_string(r.index) +
                            "&tree_size=" + std::to_string(now->size)));
      EXPECT_TRUE(
          VerifyInclusion(r.index, now->size, r.leaf_hash, Hashes(proof["hashes"]), now->root));
      Result<Checkpoint> old = VerifyReceipt(r, log_key_);
      ASSERT_TRUE(old.ok());
      json consistency = Json(Get("/v1/proofs/consistency?old=" + std::to_string(old->size) +
                                  "&new=" + std::to_string(now->size)));
      EXPECT_TRUE(VerifyConsistency(old->size, now->size, old->root, now->root,
                                    Hashes(consistency["hashes"])));
    }
  }
};

TEST_F(PgStoreApiTest, ServesReceiptsAndProofsAndKeepsThemAcrossARestart) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  std::vector<Receipt> receipts;
  for (int i = 0; i < 10; ++i) {
    receipts.push_back(
        MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c" + std::to_string(i)))));
  }
  ExpectInLog(receipts);
  EXPECT_EQ(Json(Get("/v1/events?serial=c3"))["events"].size(), 1u);

  EXPECT_EQ(daemon_->Terminate(), 0);
  Start();
  EXPECT_EQ(Json(Get("/healthz", ""))["tree_size"], 12u);
  ExpectInLog(receipts);
  // The chain goes on where it stopped.
  receipts.push_back(MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c10"))));
  EXPECT_EQ(receipts.back().index, 12u);
  EXPECT_FALSE(std::filesystem::exists(data_ + "/db"));  // nothing in RocksDB
}

TEST_F(PgStoreApiTest, ASecondServerOnTheDatabaseIsFencedOut) {
  Start();
  std::string log = dir_.path() + "/second.log";
  Result<std::unique_ptr<api::Daemon>> second = api::Daemon::Start(
      kChipledgerd, {"--data", data_, "--listen", "127.0.0.1:0", "--store", postgres_url_}, log);
  EXPECT_FALSE(second.ok());
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("another chipledgerd is sequencing"), std::string::npos) << text;
}

TEST_F(PgStoreApiTest, AMalformedStoreIsRefusedNamingTheForms) {
  Result<std::string> out = api::RunCommand(
      kChipledgerd, {"init", "--data", dir_.path() + "/other", "--store", "mysql://x", "--origin",
                     "o", "--authority", authority_.id() + "=" + authority_.public_key_base64()});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().ToString().find("postgres://"), std::string::npos)
      << out.status().ToString();
}

}  // namespace
}  // namespace chipledger::testing
