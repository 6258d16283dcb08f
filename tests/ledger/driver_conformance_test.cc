// One suite, every storage driver (ledger/store/driver.h): the same appends, reads, proofs,
// tiles, queries, reopen and failed group commits on each backend of kBackends.
#include <gtest/gtest.h>

#include <set>

#include "tests/ledger/driver_backends.h"

namespace chipledger::testing {
namespace {

TEST_P(DriverConformanceTest, AppendsGiveVerifiableReceiptsAndReadsAgree) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 3);
  Receipt receipt =
      MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-9")));
  EXPECT_EQ(receipt.index, 5u);  // the genesis enrolment, the monitor's, three heartbeats
  Checkpoint checkpoint = Verified(receipt);
  EXPECT_EQ(checkpoint.size, 6u);
  EXPECT_EQ(ledger_->size(), 6u);

  Result<std::string> bytes = ledger_->EntryBytes(receipt.index);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(LeafHash(*bytes), receipt.leaf_hash);
  EXPECT_EQ(*ledger_->LeafHashAt(receipt.index), receipt.leaf_hash);
  EXPECT_EQ(ledger_->EntryBytes(6).status().kind(), StatusKind::kNotFound);

  Result<std::vector<Hash>> proof = ledger_->InclusionProof(2, 6);
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_TRUE(VerifyInclusion(2, 6, *ledger_->LeafHashAt(2), *proof, checkpoint.root));
  Result<Checkpoint> old = VerifyCheckpoint(*ledger_->CheckpointNoteAt(3), verifier_);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  Result<std::vector<Hash>> consistency = ledger_->ConsistencyProof(3, 6);
  ASSERT_TRUE(consistency.ok()) << consistency.status().ToString();
  EXPECT_TRUE(VerifyConsistency(3, 6, old->root, checkpoint.root, *consistency));
  EXPECT_EQ(ledger_->CheckpointNoteAt(7).status().kind(), StatusKind::kNotFound);
}

TEST_P(DriverConformanceTest, TilesHoldTheEntriesAndLeafHashes) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 4);
  TileId bundle{.entries = true, .level = 0, .index = 0, .width = 6};
  Result<std::string> entries = ledger_->Tile(bundle);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  EXPECT_NE(entries->find(*ledger_->EntryBytes(5)), std::string::npos);
  Result<std::string> leaves = ledger_->Tile(TileId{.level = 0, .index = 0, .width = 6});
  ASSERT_TRUE(leaves.ok()) << leaves.status().ToString();
  ASSERT_EQ(leaves->size(), 6 * sizeof(Hash));
  EXPECT_EQ(leaves->substr(5 * sizeof(Hash)), AsBytes(*ledger_->LeafHashAt(5)));
  bundle.width = 7;
  EXPECT_EQ(ledger_->Tile(bundle).status().kind(), StatusKind::kNotFound);
}

// What ReadEntries visits: (index, bytes) in order, and the status it ended with.
struct EntryRead {
  std::vector<std::pair<uint64_t, std::string>> entries;
  Status status;
};

EntryRead ReadRange(const Ledger& ledger, uint64_t begin, uint64_t end) {
  EntryRead read;
  read.status = ledger.ReadEntries(begin, end, [&read](uint64_t index, std::string_view bytes) {
    read.entries.emplace_back(index, bytes);
    return Status::Ok();
  });
  return read;
}

TEST_P(DriverConformanceTest, ReadEntriesGivesTheRangeInOrder) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 4);  // entries 0 .. 5
  EntryRead all = ReadRange(*ledger_, 0, 6);
  ASSERT_TRUE(all.status.ok()) << all.status.ToString();
  ASSERT_EQ(all.entries.size(), 6u);
  for (uint64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(all.entries[i].first, i);
    EXPECT_EQ(all.entries[i].second, *ledger_->EntryBytes(i));
  }
  EntryRead middle = ReadRange(*ledger_, 2, 4);
  ASSERT_TRUE(middle.status.ok()) << middle.status.ToString();
  ASSERT_EQ(middle.entries.size(), 2u);
  EXPECT_EQ(middle.entries[0].first, 2u);
  EXPECT_TRUE(ReadRange(*ledger_, 3, 3).entries.empty());

  EntryRead beyond = ReadRange(*ledger_, 4, 9);  // the log holds 6 entries
  EXPECT_EQ(beyond.entries.size(), 2u);
  EXPECT_EQ(beyond.status.kind(), StatusKind::kNotFound);
  EXPECT_NE(beyond.status.message().find("entry 6"), std::string::npos) << beyond.status.message();

  int visits = 0;
  Status stopped = ledger_->ReadEntries(0, 6, [&visits](uint64_t index, std::string_view) {
    ++visits;
    return index == 1 ? Status::IOError("stop here") : Status::Ok();
  });
  EXPECT_EQ(stopped.kind(), StatusKind::kIOError);
  EXPECT_EQ(visits, 2);
}

TEST_P(DriverConformanceTest, AnEntryTheStoreLostIsNotFoundNamingIt) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 4);
  ledger_.reset();
  backend_->LoseEntry(3);
  Reopen();
  EntryRead read = ReadRange(*ledger_, 0, 6);
  EXPECT_EQ(read.status.kind(), StatusKind::kNotFound);
  EXPECT_NE(read.status.message().find("entry 3"), std::string::npos) << read.status.message();
  ASSERT_EQ(read.entries.size(), 3u);  // its predecessors
  EXPECT_EQ(read.entries.back().first, 2u);
  EXPECT_EQ(
      ledger_->Tile(TileId{.entries = true, .level = 0, .index = 0, .width = 6}).status().kind(),
      StatusKind::kNotFound);
}

TEST_P(DriverConformanceTest, DuplicateAnswersTheOriginalReceipt) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 1);
  std::string envelope = monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-7"));
  Receipt first = MustAppend(envelope);
  MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-8")));
  AppendResult again = ledger_->Append(envelope);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.receipt.index, first.index);
  EXPECT_EQ(again.receipt.tree_size, first.tree_size);
  EXPECT_EQ(again.receipt.checkpoint, first.checkpoint);
  Verified(again.receipt);
  EXPECT_EQ(ledger_->size(), first.index + 2);
}

TEST_P(DriverConformanceTest, QueriesAndRecordsFollowTheIndexes) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 5);
  EventQuery by_serial;
  by_serial.serial = "SN-3";
  Result<EventPage> one = ledger_->QueryEvents(by_serial);
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  EXPECT_EQ(one->indices, std::vector<uint64_t>{5});

  EventQuery by_agent;  // oldest first, two to a page
  by_agent.agent = "mon-1";
  by_agent.limit = 2;
  Result<EventPage> page = ledger_->QueryEvents(by_agent);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->indices, (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE(page->next_cursor);
  by_agent.cursor = *page->next_cursor;
  EXPECT_EQ(ledger_->QueryEvents(by_agent)->indices, (std::vector<uint64_t>{3, 4}));

  EventQuery newest;  // a type and a site: one index walked, the other checked per entry
  newest.type = EventType::kMonitorHeartbeat;
  newest.site = "site-1";
  newest.newest_first = true;
  newest.limit = 3;
  EXPECT_EQ(ledger_->QueryEvents(newest)->indices, (std::vector<uint64_t>{6, 5, 4}));

  EXPECT_EQ(ledger_->LatestRecord(RecordKind::kAgent, "mon-1"), 1u);
  EXPECT_FALSE(ledger_->LatestRecord(RecordKind::kAgent, "nobody"));
  std::optional<AgentState> agent = ledger_->Agent("mon-1");
  ASSERT_TRUE(agent);
  EXPECT_EQ(agent->last_seq, 5u);
}

TEST_P(DriverConformanceTest, ReopenKeepsEverything) {
  TestAgent monitor("mon-1");
  Fill(&monitor, 3);
  std::string note = ledger_->CheckpointNote();
  std::string entry = *ledger_->EntryBytes(4);
  Reopen();
  EXPECT_EQ(ledger_->size(), 5u);
  EXPECT_EQ(ledger_->CheckpointNote(), note);
  EXPECT_EQ(*ledger_->EntryBytes(4), entry);
  EXPECT_EQ(ledger_->Agent("mon-1")->last_seq, 3u);
  // The chain, registry and tree go on where they stopped.
  Receipt receipt =
      MustAppend(monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-9")));
  EXPECT_EQ(receipt.index, 5u);
  Result<Checkpoint> old = VerifyCheckpoint(note, verifier_);
  ASSERT_TRUE(old.ok());
  Checkpoint now = Verified(receipt);
  EXPECT_TRUE(VerifyConsistency(5, 6, old->root, now.root, *ledger_->ConsistencyProof(5, 6)));
}

TEST_P(DriverConformanceTest, FailedCommitLeavesNoTraceAndWritesWaitForRecovery) {
  TestAgent monitor("mon-1"), late("mon-late");
  Fill(&monitor, 1);
  uint64_t size = ledger_->size();
  std::string note = ledger_->CheckpointNote();

  backend_->Unplug();
  std::string enrol = gov_.Next("agent.enrolled", TestAgent::Enrollment(late, "monitor", "gov"));
  std::string beat = monitor.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-2"));
  for (const std::string& envelope : {enrol, beat, beat}) {
    AppendResult refused = ledger_->Append(envelope);
    EXPECT_TRUE(refused.status.kind() == StatusKind::kUnavailable ||
                refused.status.kind() == StatusKind::kInsufficientStorage)
        << refused.status.ToString();
  }
  EXPECT_FALSE(ledger_->stats().storage.ok());
  EXPECT_EQ(ledger_->size(), size);
  EXPECT_EQ(ledger_->CheckpointNote(), note);
  EXPECT_EQ(ledger_->EntryBytes(size).status().kind(), StatusKind::kNotFound);
  EXPECT_FALSE(ledger_->Agent("mon-late"));
  EXPECT_FALSE(ledger_->LatestRecord(RecordKind::kAgent, "mon-late"));
  EXPECT_TRUE(ledger_->InclusionProof(0, size).ok());  // reads go on

  backend_->Replug();
  // The refused events are taken again, at the indices they would have had.
  EXPECT_EQ(MustAppend(enrol).index, size);
  EXPECT_EQ(MustAppend(beat).index, size + 1);
  EXPECT_TRUE(ledger_->stats().storage.ok());
  Reopen();
  EXPECT_EQ(ledger_->size(), size + 2);
  EXPECT_EQ(ledger_->Agent("mon-late")->last_seq, 0u);
}

// Faults only the memory driver can inject: a lost fsync, and commits failing after a count.
class MemoryDriverFaults : public ::testing::Test, protected LedgerUnderTest {
 protected:
  void SetUp() override {
    InitCrypto();
    KeepVerifier(
        store::CreateMemoryLedger(memory_, {"ledger.test/m", {{"gov", gov_.key().public_key}}}));
    if (HasFatalFailure()) return;
    auto opened = store::OpenMemoryLedger(memory_, OpenOptions{}, std::chrono::milliseconds(0));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  std::shared_ptr<store::MemoryStore> memory_ = std::make_shared<store::MemoryStore>();
  TestAgent monitor_{"mon-1"};
};

TEST_F(MemoryDriverFaults, FsyncFailureRefusesOnlyItsGroupAndRecovers) {
  uint64_t commits = memory_->commits();
  memory_->FailNextCommit(Status::Unavailable("injected: fsync lost the write"), /*sync=*/true);
  std::string enrol =
      gov_.Next("agent.enrolled", TestAgent::Enrollment(monitor_, "monitor", "gov"));
  AppendResult refused = ledger_->Append(enrol);
  EXPECT_EQ(refused.status.kind(), StatusKind::kUnavailable) << refused.status.ToString();
  EXPECT_EQ(memory_->commits(), commits);
  EXPECT_EQ(ledger_->size(), 1u);
  // The next append recovers the driver (no wait between retries) and is taken.
  EXPECT_EQ(MustAppend(enrol).index, 1u);
  EXPECT_EQ(memory_->commits(), commits + 1);
}

TEST_F(MemoryDriverFaults, CommitsFailAfterTheirCountUntilHealed) {
  memory_->FailCommitsAfter(1, Status::Unavailable("injected: gone"));
  Enroll(monitor_, "monitor");
  std::string beat = monitor_.Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-1"));
  EXPECT_EQ(ledger_->Append(beat).status.kind(), StatusKind::kUnavailable);
  EXPECT_EQ(ledger_->Append(beat).status.kind(), StatusKind::kUnavailable);
  memory_->Heal();
  EXPECT_EQ(MustAppend(beat).index, 2u);
}

INSTANTIATE_TEST_SUITE_P(Drivers, DriverConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<BackendFactory>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace chipledger::testing
