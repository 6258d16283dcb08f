// A full disk, injected: RocksDB's file system fails every write with NoSpace while the test
// says so (as LevelDB's tests inject faults through their Env). A refused group must leave no
// trace in the ledger's memory or on disk, reads must go on, and writing must resume by itself.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <memory>

#include "ledger/ledger.h"
#include "ledger/store/rocks_ledger.h"
#include "tests/ledger/faulty_file_system.h"
#include "tests/ledger/ledger_fixture.h"

namespace chipledger::testing {
namespace {

class StorageFaultTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    ledger_.reset();
    OpenFaulty(OpenOptions{});
  }

  void OpenFaulty(const OpenOptions& options) {
    ledger_.reset();
    // No waiting between retries: the test decides when space returns.
    store::StoreOptions store{env_.get(), std::chrono::milliseconds(0)};
    auto opened = store::OpenLedger(dir_.path(), options, store);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  Hash Root() const {
    Result<Checkpoint> checkpoint = VerifyCheckpoint(ledger_->CheckpointNote(), verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? checkpoint->root : Hash{};
  }

  // The next event of `agent` as an envelope, without advancing the agent's own chain: what a
  // client sends again after a refusal.
  static std::string Unchained(const TestAgent& agent, std::string_view type,
                               const nlohmann::json& fields) {
    return agent.SignPayload(agent.Payload(type, fields).dump());
  }

  static void ExpectFull(const AppendResult& result) {
    EXPECT_EQ(result.status.kind(), StatusKind::kInsufficientStorage) << result.status.ToString();
    EXPECT_EQ(result.status.code(), "insufficient_storage");
    EXPECT_NE(result.status.message().find("full"), std::string::npos);
  }

  std::shared_ptr<FaultyFileSystem> fs_ = std::make_shared<FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
};

TEST_F(StorageFaultTest, RefusedGroupLeavesNoTraceAndTheNextAppendTakesItsIndex) {
  TestAgent monitor("mon-1"), late("mon-late");
  Enroll(monitor, "monitor");
  MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-1")));
  uint64_t size = ledger_->size();
  std::string note = ledger_->CheckpointNote();

  fs_->Inject(DiskFault::kFull);
  // An enrolment and an event that would continue the monitor's chain: both refused, and reads
  // still answer.
  ExpectFull(ledger_->Append(
      Unchained(gov_, "agent.enrolled", TestAgent::Enrollment(late, "monitor", "gov"))));
  ExpectFull(
      ledger_->Append(Unchained(monitor, "monitor.heartbeat", HeartbeatFields("site-1", "SN-2"))));
  EXPECT_EQ(ledger_->stats().storage.kind(), StatusKind::kInsufficientStorage);
  EXPECT_EQ(ledger_->size(), size);
  EXPECT_EQ(ledger_->CheckpointNote(), note);
  EXPECT_TRUE(ledger_->EntryBytes(size - 1).ok());
  EXPECT_TRUE(ledger_->InclusionProof(0, size).ok());
  EXPECT_EQ(ledger_->Agent("mon-1")->last_seq, 1u);
  EXPECT_FALSE(ledger_->Agent("mon-late"));

  fs_->Inject(DiskFault::kNone);
  // The monitor's chain was not advanced: its seq 2 is accepted, at the refused event's index.
  Receipt receipt =
      MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-3")));
  EXPECT_EQ(receipt.index, size);
  EXPECT_TRUE(ledger_->stats().storage.ok());
  EXPECT_EQ(ledger_->Agent("mon-1")->last_seq, 2u);
  // The refused enrolment left no key behind: the agent it named is still unknown.
  AppendResult unknown =
      ledger_->Append(late.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-4")));
  EXPECT_EQ(unknown.status.kind(), StatusKind::kUnauthenticated) << unknown.status.ToString();
  // The governor's chain was not advanced either.
  Receipt enrolled =
      MustAppend(gov_.Next("agent.enrolled", TestAgent::Enrollment(late, "monitor", "gov")));
  EXPECT_EQ(enrolled.index, size + 1);

  // What memory built on is what a fresh open reads from disk.
  Hash root = Root();
  uint64_t grown = ledger_->size();
  Reopen();
  EXPECT_EQ(ledger_->size(), grown);
  EXPECT_EQ(Root(), root);
  MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-5")));
}

TEST_F(StorageFaultTest, OpenOnAFullDiskServesReadsAndWritesOnceSpaceReturns) {
  TestAgent monitor("mon-1");
  Enroll(monitor, "monitor");
  MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-1")));
  uint64_t size = ledger_->size();
  Hash root = Root();
  ledger_.reset();

  fs_->Inject(DiskFault::kFull);
  auto refused = store::OpenLedger(dir_.path(), OpenOptions{}, {env_.get()});
  EXPECT_EQ(refused.status().kind(), StatusKind::kInsufficientStorage)
      << refused.status().ToString();
  OpenFaulty(OpenOptions{.serve_reads_when_full = true});
  EXPECT_EQ(ledger_->stats().storage.kind(), StatusKind::kInsufficientStorage);
  EXPECT_EQ(ledger_->size(), size);
  EXPECT_EQ(Root(), root);
  EXPECT_TRUE(ledger_->EntryBytes(size - 1).ok());
  EXPECT_TRUE(ledger_->InclusionProof(1, size).ok());
  ExpectFull(
      ledger_->Append(Unchained(monitor, "monitor.heartbeat", HeartbeatFields("site-1", "SN-2"))));

  fs_->Inject(DiskFault::kNone);
  Receipt receipt =
      MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-3")));
  EXPECT_EQ(receipt.index, size);
  EXPECT_TRUE(ledger_->stats().storage.ok());
  Reopen();
  EXPECT_EQ(ledger_->size(), size + 1);
}

}  // namespace
}  // namespace chipledger::testing
