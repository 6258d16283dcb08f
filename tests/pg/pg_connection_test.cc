// ledger/pg against a real PostgreSQL 15 this test starts itself (initdb and pg_ctl in a scratch
// directory, as the postgres user, on a free loopback port): migrations, statements, SQLSTATEs,
// transactions, multi-host connection and the sequencer's fence.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>

#include "ledger/pg/connection.h"
#include "ledger/pg/fence.h"
#include "ledger/pg/schema.h"
#include "tests/pg/pg_test_util.h"

namespace chipledger::pg {
namespace {

using std::chrono::milliseconds;
using testing::FreePort;

class PgConnectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(Server().started()) << "see " << Server().dir(); }

  // Each test gets a database of its own, so schema tests start from nothing.
  void SetUp() override {
    Result<std::string> database = Server().NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status().ToString();
    database_ = *database;
  }

  static std::string Conninfo(const std::string& database) { return Server().Conninfo(database); }
  std::unique_ptr<Connection> Connect(const std::string& database = "") {
    auto connection =
        Connection::Open(Conninfo(database.empty() ? database_ : database), milliseconds(5000));
    EXPECT_TRUE(connection.ok()) << connection.status().ToString();
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  // The test process's one server, started on first use (not while ctest lists the tests).
  static testing::TestServer& Server() { return testing::TestServer::Shared(); }
  std::string database_;
};

TEST_F(PgConnectionTest, MigratesAFreshDatabaseAndARerunIsANoOp) {
  auto connection = Connect();
  EXPECT_EQ(0, *SchemaVersion(*connection));
  ASSERT_TRUE(Migrate(*connection).ok());
  EXPECT_EQ(KnownSchemaVersion(), *SchemaVersion(*connection));
  ASSERT_TRUE(Migrate(*connection).ok());
  auto applied = connection->Exec("SELECT count(*) FROM chipledger_schema_version");
  EXPECT_EQ(KnownSchemaVersion(), applied->Int(0, 0));

  // The tables take what a ledger stores: bytes with NULs in them come back unchanged.
  const std::string entry("\x00\x01\xff entry", 9);
  ASSERT_TRUE(connection
                  ->Exec("INSERT INTO chipledger_entries (idx, entry) VALUES ($1, $2)",
                         {Param::Int(0), Param::Bytes(entry)})
                  .ok());
  ASSERT_TRUE(connection
                  ->Exec("INSERT INTO chipledger_payloads (payload_hash, idx) VALUES ($1, 0)",
                         {Param::Bytes(std::string(32, '\0'))})
                  .ok());
  auto rows = connection->Exec("SELECT entry FROM chipledger_entries WHERE idx = 0");
  ASSERT_EQ(1u, rows->size());
  EXPECT_EQ(entry, rows->Bytes(0, 0));
  for (const char* table : {"chipledger_nodes", "chipledger_records", "chipledger_event_terms",
                            "chipledger_agents", "chipledger_checkpoints", "chipledger_metadata"}) {
    EXPECT_TRUE(connection->Exec(std::string("SELECT count(*) FROM ") + table).ok()) << table;
  }
}

TEST_F(PgConnectionTest, ASchemaNewerThanTheBinaryIsRefused) {
  auto connection = Connect();
  ASSERT_TRUE(Migrate(*connection).ok());
  ASSERT_TRUE(connection
                  ->Exec("INSERT INTO chipledger_schema_version (version) VALUES ($1)",
                         {Param::Int(KnownSchemaVersion() + 1)})
                  .ok());
  Status status = Migrate(*connection);
  EXPECT_EQ(StatusKind::kConflict, status.kind());
  EXPECT_EQ("schema_too_new", status.code());
  EXPECT_NE(std::string::npos,
            status.message().find("version " + std::to_string(KnownSchemaVersion() + 1)))
      << status.message();
}

TEST_F(PgConnectionTest, ErrorsCarryTheServersSqlState) {
  auto connection = Connect();
  ASSERT_TRUE(connection->Exec("CREATE TABLE t (id bigint PRIMARY KEY)").ok());
  ASSERT_TRUE(connection->Exec("INSERT INTO t VALUES ($1)", {Param::Int(1)}).ok());
  auto duplicate = connection->Exec("INSERT INTO t VALUES ($1)", {Param::Int(1)});
  EXPECT_EQ(StatusKind::kConflict, duplicate.status().kind());
  EXPECT_EQ("23505", duplicate.status().code());
  EXPECT_NE(std::string::npos, duplicate.status().message().find("duplicate key"));

  auto syntax = connection->Exec("SELEC 1");
  EXPECT_EQ(StatusKind::kInvalidArgument, syntax.status().kind());
  EXPECT_EQ("42601", syntax.status().code());

  // The session is still usable after an error.
  auto values = connection->Exec("SELECT $1::smallint, $2::integer, $3::bigint, NULL",
                                 {Param::Int(-5), Param::Int(-7), Param::Int(1LL << 40)});
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(-5, values->Int(0, 0));
  EXPECT_EQ(-7, values->Int(0, 1));
  EXPECT_EQ(1LL << 40, values->Int(0, 2));
  EXPECT_TRUE(values->IsNull(0, 3));
}

TEST_F(PgConnectionTest, ATransactionCommitsAllOrNothing) {
  auto connection = Connect();
  ASSERT_TRUE(connection->Exec("CREATE TABLE t (id bigint PRIMARY KEY)").ok());
  Status failed = connection->Transaction([](Connection& c) -> Status {
    if (auto row = c.Exec("INSERT INTO t VALUES (1)"); !row.ok()) return row.status();
    return c.Exec("INSERT INTO t VALUES (1)").status();  // 23505: the first insert goes too
  });
  EXPECT_EQ("23505", failed.code());
  EXPECT_EQ(0, connection->Exec("SELECT count(*) FROM t")->Int(0, 0));

  ASSERT_TRUE(connection
                  ->Transaction([](Connection& c) {
                    (void)c.Exec("INSERT INTO t VALUES (2)");
                    return c.Exec("INSERT INTO t VALUES (3)").status();
                  })
                  .ok());
  EXPECT_EQ(2, connection->Exec("SELECT count(*) FROM t")->Int(0, 0));
}

TEST_F(PgConnectionTest, AMultiHostConninfoFindsTheNodeThatAcceptsWrites) {
  const std::string conninfo = "host=127.0.0.1,127.0.0.1 port=" + std::to_string(FreePort()) + "," +
                               std::to_string(Server().port()) +
                               " user=postgres dbname=" + database_ +
                               " target_session_attrs=read-write";
  auto connection = Connection::Open(conninfo, milliseconds(5000));
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  EXPECT_EQ("127.0.0.1:" + std::to_string(Server().port()), (*connection)->Endpoint());

  auto nowhere = Connection::Open(
      "host=127.0.0.1 port=" + std::to_string(FreePort()) + " user=postgres", milliseconds(300));
  EXPECT_EQ(StatusKind::kUnavailable, nowhere.status().kind());
}

TEST_F(PgConnectionTest, TheFenceAdmitsOneSessionAndDiesWithIt) {
  auto first = Connect();
  auto second = Connect();
  auto fence = Fence::Acquire(*first);
  ASSERT_TRUE(fence.ok()) << fence.status().ToString();
  EXPECT_TRUE(*fence->Held());

  auto refused = Fence::Acquire(*second);
  EXPECT_EQ(StatusKind::kConflict, refused.status().kind());
  EXPECT_EQ("fenced", refused.status().code());

  // The first sequencer's session dies (as when its process is killed): the lock goes with it.
  ASSERT_TRUE(
      second->Exec("SELECT pg_terminate_backend($1)", {Param::Int(first->BackendPid())}).ok());
  auto taken = Fence::Acquire(*second);
  for (int i = 0; i < 50 && !taken.ok(); ++i) {  // the backend exits asynchronously
    std::this_thread::sleep_for(milliseconds(100));
    taken = Fence::Acquire(*second);
  }
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();

  // The old session learns it lost the connection, and after reconnecting it is not fenced in.
  EXPECT_EQ(StatusKind::kUnavailable, first->Exec("SELECT 1").status().kind());
  ASSERT_TRUE(first->Reconnect(milliseconds(5000)).ok());
  EXPECT_FALSE(*fence->Held());
  EXPECT_EQ("fenced", Fence::Acquire(*first).status().code());

  ASSERT_TRUE(taken->Release().ok());
  EXPECT_EQ("not_fenced", taken->Release().code());
  EXPECT_TRUE(Fence::Acquire(*first).ok());
}

}  // namespace
}  // namespace chipledger::pg
