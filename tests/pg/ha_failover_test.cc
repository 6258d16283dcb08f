// Failover with nothing acknowledged lost (issue 15, item 4 groundwork): a Patroni cluster of two
// PostgreSQL nodes with a synchronous standby (deploy/ha/cluster.sh), rows written one commit at
// a time through Connection, the primary's postgres killed with kill -9, the standby promoted,
// writing resumed after Reconnect; every acknowledged row must be on the new primary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "ledger/pg/connection.h"
#include "tests/pg/ha_cluster.h"

namespace chipledger::pg {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using testing::Cluster;

TEST(HaFailoverTest, EveryAcknowledgedRowSurvivesKillingThePrimary) {
  Cluster cluster;
  ASSERT_TRUE(cluster.Start()) << "see " << cluster.dir() << "/start.log";
  auto connection = Connection::Open(cluster.Conninfo(), milliseconds(10000));
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Connection& db = **connection;
  ASSERT_TRUE(db.Exec("CREATE TABLE acked (id bigint PRIMARY KEY)").ok());
  const std::string first_primary = db.Endpoint();

  constexpr int kBefore = 200, kAfter = 200;
  std::vector<int64_t> acknowledged;
  int after_failover = 0;
  auto last_ack = Clock::now();
  Clock::duration longest_gap{};
  const auto deadline = Clock::now() + std::chrono::seconds(75);
  for (int64_t id = 0; after_failover < kAfter && Clock::now() < deadline; ++id) {
    if (db.Exec("INSERT INTO acked (id) VALUES ($1)", {Param::Int(id)}).ok()) {
      acknowledged.push_back(id);  // committed on the primary and held by the sync standby
      longest_gap = std::max(longest_gap, Clock::now() - last_ack);
      last_ack = Clock::now();
      if (db.Endpoint() != first_primary) ++after_failover;
      if (acknowledged.size() == kBefore) {
        const std::string pid = cluster.PrimaryPid();
        ASSERT_FALSE(pid.empty());
        ASSERT_EQ(0, std::system(("kill -9 " + pid).c_str()));
      }
      continue;
    }
    // Not acknowledged (perhaps committed, perhaps not): follow the primary and go on.
    Status status = db.Reconnect(milliseconds(30000));
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  ASSERT_EQ(kAfter, after_failover) << "writes did not resume on a new primary";
  EXPECT_NE(first_primary, db.Endpoint());

  auto verifier = Connection::Open(cluster.Conninfo(), milliseconds(10000));
  ASSERT_TRUE(verifier.ok());
  auto rows = (*verifier)->Exec("SELECT id FROM acked");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::set<int64_t> present;
  for (size_t row = 0; row < rows->size(); ++row) present.insert(rows->Int(row, 0));
  for (int64_t id : acknowledged) EXPECT_TRUE(present.count(id)) << "acknowledged row lost: " << id;
  std::printf(
      "ha_failover: %zu rows acknowledged, all present on the new primary %s; longest "
      "time without acknowledgements %.2f s\n",
      acknowledged.size(), db.Endpoint().c_str(),
      std::chrono::duration<double>(longest_gap).count());
}

}  // namespace
}  // namespace chipledger::pg
