// What the PostgreSQL driver does beyond the conformance suite (tests/ledger/): the fence keeps
// a second sequencer out with a clear error while readers open alongside, a database holding a
// ledger is not created again, and Backup names the tool to use instead.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "ledger/pg/group_insert.h"
#include "ledger/pg/pg_ledger.h"
#include "tests/pg/pg_test_util.h"
#include "tests/testing/test_agent.h"

namespace chipledger::pg {
namespace {

using std::chrono::milliseconds;

class PgDriverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(Server().started()) << "see " << Server().dir(); }

  void SetUp() override {
    InitCrypto();
    Result<std::string> database = Server().NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    options_.store.conninfo = Server().Conninfo(*database);
    options_.key_file = dir_.path() + "/log.key";
    Result<std::string> key =
        CreatePgLedger(options_, {"ledger.test/pg", {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
  }

  // The test process's one server, started on first use (not while ctest lists the tests).
  static testing::TestServer& Server() { return testing::TestServer::Shared(); }
  chipledger::testing::TempDir dir_;
  chipledger::testing::TestAgent gov_{"gov"};
  PgLedgerOptions options_;
};

TEST_F(PgDriverTest, ASecondSequencerIsFencedOutAndReadersAreNot) {
  auto first = OpenPgLedger(options_, OpenOptions{});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = OpenPgLedger(options_, OpenOptions{});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().kind(), StatusKind::kConflict);
  EXPECT_NE(second.status().ToString().find("another chipledgerd is sequencing"), std::string::npos)
      << second.status().ToString();

  auto reader = OpenPgLedger(options_, OpenOptions{.read_only = true});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->size(), (*first)->size());

  // Once the first is gone, a standby waiting on the fence takes over.
  first->reset();
  PgLedgerOptions standby = options_;
  standby.store.fence_wait = milliseconds(5000);
  auto taken = OpenPgLedger(standby, OpenOptions{});
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_EQ((*taken)->size(), 1u);
}

TEST_F(PgDriverTest, ADatabaseHoldingALedgerIsNotCreatedAgain) {
  PgLedgerOptions again = options_;
  again.key_file = dir_.path() + "/other.key";
  Result<std::string> created =
      CreatePgLedger(again, {"ledger.test/pg", {{"gov", gov_.key().public_key}}});
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().kind(), StatusKind::kConflict) << created.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(again.key_file));
}

TEST_F(PgDriverTest, BackupIsRefusedNamingPgBasebackup) {
  auto ledger = OpenPgLedger(options_, OpenOptions{});
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  Status backup = (*ledger)->Backup(dir_.path() + "/backup");
  ASSERT_FALSE(backup.ok());
  EXPECT_NE(backup.ToString().find("pg_basebackup"), std::string::npos) << backup.ToString();
}

TEST_F(PgDriverTest, OpeningWithoutTheLogKeyFails) {
  std::filesystem::remove(options_.key_file);
  auto ledger = OpenPgLedger(options_, OpenOptions{});
  EXPECT_FALSE(ledger.ok());
}

// A group too large for one statement goes table by table in one transaction; either way a
// failing insert leaves nothing of the others.
TEST_F(PgDriverTest, WritesAreAllOrNothingInOneStatementOrInChunks) {
  auto c = Connection::Open(options_.store.conninfo, milliseconds(5000));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(
      (*c)->ExecScript("CREATE TABLE t (a bigint PRIMARY KEY); CREATE TABLE u (b bigint)").ok());
  for (int64_t rows : {10, 40000}) {
    Insert many{"INSERT INTO t (a)", {"bigint"}, {}, ""};
    for (int64_t i = 0; i < rows; ++i) many.params.push_back(Param::Int(i));
    Insert other{"INSERT INTO u (b)", {"bigint"}, {Param::Int(1)}, ""};
    Insert clash{"INSERT INTO t (a)", {"bigint"}, {Param::Int(0)}, ""};
    EXPECT_FALSE(WriteAtomically(**c, {many, other, clash}).ok()) << rows;
    EXPECT_EQ(0,
              (*c)->Exec("SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM u)")->Int(0, 0));
    ASSERT_TRUE(WriteAtomically(**c, {many, other}).ok()) << rows;
    EXPECT_EQ(rows, (*c)->Exec("SELECT count(*) FROM t")->Int(0, 0));
    EXPECT_EQ(1, (*c)->Exec("SELECT count(*) FROM u")->Int(0, 0));
    ASSERT_TRUE((*c)->ExecScript("TRUNCATE t, u").ok());
  }
}

}  // namespace
}  // namespace chipledger::pg
