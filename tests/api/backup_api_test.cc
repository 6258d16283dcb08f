// Backups of a running server: admin only, and the copy is a ledger that opens and verifies.
#include <gtest/gtest.h>

#include "ledger/ledger.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

class BackupApiTest : public DaemonTest {};

TEST_F(BackupApiTest, AdminBacksUpWhileServingAndTheCopyVerifies) {
  if (OnPostgres()) GTEST_SKIP() << "copies RocksDB files; PostgreSQL is backed up with its tools";
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  Receipt receipt = MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("site-1", "SN-1")));

  httplib::Headers regulator{{"Authorization", "Bearer " + tokens_["regulator"]}};
  httplib::Result refused = client_->Post("/v1/admin/backup", regulator, "", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);

  httplib::Headers admin{{"Authorization", "Bearer " + tokens_["admin"]}};
  httplib::Result made = client_->Post("/v1/admin/backup", admin, "", "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  std::string path = Json(made)["path"];
  EXPECT_EQ(path.rfind(data_ + "/backups/", 0), 0u) << path;

  auto copy = Ledger::Open(path, OpenOptions{.read_only = true});
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  Result<Checkpoint> checkpoint = VerifyCheckpoint((*copy)->CheckpointNote(), log_key_);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_GT(checkpoint->size, receipt.index);
  auto proof = (*copy)->InclusionProof(receipt.index, checkpoint->size);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyInclusion(receipt.index, checkpoint->size, receipt.leaf_hash, *proof,
                              checkpoint->root));
}

}  // namespace
}  // namespace chipledger::testing
