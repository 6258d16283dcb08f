#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <functional>
#include <set>
#include <thread>

#include "tests/ledger/ledger_fixture.h"

namespace chipledger {
namespace {

using testing::TestAgent;

TileId HashTileId(int level, uint64_t index, uint32_t width = kTileWidth) {
  TileId tile;
  tile.level = level;
  tile.index = index;
  tile.width = width;
  return tile;
}

TileId BundleId(uint64_t index, uint32_t width) {
  TileId tile = HashTileId(0, index, width);
  tile.entries = true;
  return tile;
}

class LedgerTest : public testing::LedgerFixture {
 protected:
  static OpenOptions Unsynced() {
    OpenOptions options;
    options.sync = false;
    return options;
  }

  // Reopens without fsync and appends heartbeats, one at a time, until the log holds `size`
  // entries (for tests of the tree, not of durability).
  void FillUnsynced(uint64_t size) {
    Reopen(Unsynced());
    TestAgent mon("mon-1");
    Enroll(mon, "monitor");
    while (ledger_->size() < size) {
      MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));
    }
  }

  // The indices matching the filters `set` sets.
  std::vector<uint64_t> Query(const std::function<void(EventQuery&)>& set) {
    EventQuery query;
    set(query);
    Result<EventPage> page = ledger_->QueryEvents(query);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? page->indices : std::vector<uint64_t>{};
  }
};

TEST_F(LedgerTest, CreateWritesGenesisKeyAndFirstCheckpoint) {
  EXPECT_EQ(ledger_->size(), 1u);
  EXPECT_EQ(ledger_->origin(), testing::kOrigin);
  Checkpoint checkpoint = Latest();
  EXPECT_EQ(checkpoint.size, 1u);
  struct stat key_stat;
  ASSERT_EQ(stat((dir_.path() + "/log.key").c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);

  Result<LogEntry> genesis = ParseEntry(ledger_->EntryBytes(0).value());
  ASSERT_TRUE(genesis.ok());
  EXPECT_EQ(genesis->prev, Hash{});
  Result<Event> event = ParseEvent(genesis->envelope.payload);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->agent, "log");
  EXPECT_EQ(event->seq, 1u);
  const auto& enroll = std::get<AgentEnrolled>(event->body);
  EXPECT_EQ(enroll.agent, "gov");
  EXPECT_EQ(enroll.role, Role::kAuthority);
  EXPECT_EQ(enroll.org, "gov");
  EXPECT_EQ(ledger_->Agent("gov")->role, Role::kAuthority);

  auto again = Ledger::Create(dir_.path(), CreateOptions{"other", {}});
  EXPECT_FALSE(again.ok());
  EXPECT_FALSE(Ledger::Create(dir_.path() + "/x", CreateOptions{"bad origin", {}}).ok());
}

TEST_F(LedgerTest, AppendGivesAVerifiableReceiptAndChainsEntries) {
  TestAgent op("op-1");
  Enroll(op, "site_operator");
  std::string envelope = op.Next("chip.installed", testing::InstallFields("site-a", "SN-1"));
  Receipt receipt = MustAppend(envelope);
  EXPECT_EQ(receipt.index, 2u);
  EXPECT_EQ(Verified(receipt).size, 3u);
  EXPECT_EQ(receipt.payload_hash, op.prev());
  EXPECT_EQ(ledger_->LeafHashAt(2).value(), receipt.leaf_hash);

  Result<LogEntry> entry = ParseEntry(ledger_->EntryBytes(2).value());
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->index, 2u);
  EXPECT_EQ(entry->prev, ledger_->LeafHashAt(1).value());
  EXPECT_EQ(SerializeEnvelope(entry->envelope), envelope);
  EXPECT_EQ(FormatTime(entry->integrated_time), receipt.integrated_time);
  EXPECT_FALSE(ledger_->EntryBytes(3).ok());
}

TEST_F(LedgerTest, ReopenRestoresStateWithoutLosingAnything) {
  TestAgent op("op-1");
  Enroll(op, "site_operator");
  MustAppend(op.Next("chip.installed", testing::InstallFields("site-a", "SN-1")));
  std::string note = ledger_->CheckpointNote();
  Reopen();
  EXPECT_EQ(ledger_->size(), 3u);
  EXPECT_EQ(ledger_->CheckpointNote(), note);
  EXPECT_EQ(ledger_->Agent("op-1")->last_seq, 1u);
  Receipt receipt = MustAppend(op.Next("chip.installed", testing::InstallFields("site-a", "SN-2")));
  EXPECT_EQ(receipt.index, 3u);
  Checkpoint after = Verified(receipt);
  Checkpoint before = VerifyCheckpoint(note, verifier_).value();
  auto proof = ledger_->ConsistencyProof(before.size, after.size);
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(VerifyConsistency(before.size, after.size, before.root, after.root, *proof));
}

// Retired keys are part of the stored agent state: a reopened ledger still refuses them.
TEST_F(LedgerTest, RetiredKeysStayRetiredAcrossReopen) {
  TestAgent op("op-1"), inspector("insp-1");
  Enroll(op, "site_operator");
  Enroll(inspector, "inspector");
  MustAppend(gov_.Next("agent.revoked", testing::RevokeFields("op-1")));
  TestAgent rotated("insp-1");
  Enroll(rotated, "inspector");  // retires inspector's first key
  Reopen();
  for (const TestAgent* old : {&op, &inspector}) {
    TestAgent gov = gov_;
    AppendResult refused = ledger_->Append(
        gov.Next("agent.enrolled", TestAgent::Enrollment(*old, "site_operator", "gov")));
    EXPECT_EQ(refused.status.kind(), StatusKind::kPermissionDenied) << refused.status.ToString();
    EXPECT_EQ(refused.status.code(), "key_retired") << refused.status.ToString();
  }
  TestAgent renewed("op-1");
  Enroll(renewed, "site_operator");
  MustAppend(renewed.Next("chip.installed", testing::InstallFields("site-a", "SN-1")));
}

TEST_F(LedgerTest, DuplicateReturnsTheOriginalReceipt) {
  TestAgent op("op-1");
  Enroll(op, "site_operator");
  std::string envelope = op.Next("chip.installed", testing::InstallFields("site-a", "SN-1"));
  Receipt original = MustAppend(envelope);
  MustAppend(op.Next("chip.installed", testing::InstallFields("site-a", "SN-2")));
  Reopen();
  AppendResult again = ledger_->Append(envelope);
  ASSERT_TRUE(again.status.ok()) << again.status.ToString();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(ReceiptToJson(again.receipt), ReceiptToJson(original));
  EXPECT_EQ(ledger_->size(), 4u);
}

TEST_F(LedgerTest, ConcurrentDuplicatesShareOneEntryAndOneReceipt) {
  TestAgent op("op-1");
  Enroll(op, "site_operator");
  std::string envelope = op.Next("chip.installed", testing::InstallFields("site-a", "SN-1"));
  std::vector<AppendResult> results(6);
  std::vector<std::thread> threads;
  for (AppendResult& result : results) {
    threads.emplace_back([&] { result = ledger_->Append(envelope); });
  }
  for (std::thread& thread : threads) thread.join();
  int created = 0;
  for (const AppendResult& result : results) {
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    created += result.duplicate ? 0 : 1;
    EXPECT_EQ(ReceiptToJson(result.receipt), ReceiptToJson(results[0].receipt));
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(ledger_->size(), 3u);
}

TEST_F(LedgerTest, RefusedEventsChangeNothing) {
  TestAgent op("op-1");
  Enroll(op, "site_operator");
  MustAppend(op.Next("chip.installed", testing::InstallFields("site-a", "SN-1")));
  std::string note = ledger_->CheckpointNote();
  std::optional<AgentState> before = ledger_->Agent("op-1");
  Hash head = op.prev();

  op.Next("chip.installed", testing::InstallFields("site-a", "SN-2"));  // skipped: a gap
  AppendResult gap =
      ledger_->Append(op.Next("chip.installed", testing::InstallFields("site-a", "SN-3")));
  EXPECT_EQ(gap.status.kind(), StatusKind::kConflict);
  EXPECT_EQ(gap.expected_seq, 2u);
  EXPECT_EQ(gap.expected_prev, head);
  EXPECT_EQ(ledger_->Append("{").status.kind(), StatusKind::kInvalidArgument);
  TestAgent stranger("stranger");
  EXPECT_EQ(ledger_->Append(stranger.Next("chip.installed", testing::InstallFields("a", "b")))
                .status.kind(),
            StatusKind::kUnauthenticated);

  EXPECT_EQ(ledger_->size(), 3u);
  EXPECT_EQ(ledger_->CheckpointNote(), note);
  EXPECT_EQ(EncodeAgentState(*ledger_->Agent("op-1")), EncodeAgentState(*before));
  EXPECT_EQ(ledger_->stats().refusals, 3u);
}

TEST_F(LedgerTest, ConcurrentAppendsAreGaplessAndGrouped) {
  constexpr int kThreads = 8, kEach = 25;
  std::vector<TestAgent> agents;
  for (int t = 0; t < kThreads; ++t) agents.emplace_back("mon-" + std::to_string(t));
  for (const TestAgent& agent : agents) Enroll(agent, "monitor");
  uint64_t first = ledger_->size();
  Ledger::Stats before = ledger_->stats();

  std::vector<std::vector<Receipt>> receipts(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AppendResult result = ledger_->Append(
            agents[t].Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));
        EXPECT_TRUE(result.status.ok()) << result.status.ToString();
        receipts[t].push_back(result.receipt);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  std::set<uint64_t> indices;
  for (const auto& mine : receipts) {
    for (const Receipt& receipt : mine) {
      indices.insert(receipt.index);
      Verified(receipt);
    }
  }
  EXPECT_EQ(indices.size(), size_t{kThreads * kEach});
  EXPECT_EQ(*indices.begin(), first);
  EXPECT_EQ(*indices.rbegin(), first + kThreads * kEach - 1);
  EXPECT_EQ(ledger_->size(), first + kThreads * kEach);
  Ledger::Stats after = ledger_->stats();
  EXPECT_EQ(after.grouped_events - before.grouped_events, uint64_t{kThreads * kEach});
  EXPECT_LT(after.groups - before.groups, uint64_t{kThreads * kEach}) << "no group held two events";
  // Each agent's events are in its own order.
  for (const auto& mine : receipts) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end(), [](const Receipt& a, const Receipt& b) {
      return a.index < b.index;
    }));
  }
}

TEST_F(LedgerTest, QueriesByEveryFilterWithCursorPaging) {
  TestAgent op("op-1"), mon("mon-1");
  Enroll(op, "site_operator");                                                            // 1
  Enroll(mon, "monitor");                                                                 // 2
  MustAppend(gov_.Next("party.registered", testing::PartyFields("acme")));                // 3
  MustAppend(op.Next("chip.installed", testing::InstallFields("site-a", "SN-1")));        // 4
  MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));  // 5
  MustAppend(op.Next("chip.installed", testing::InstallFields("site-b", "SN-2")));        // 6
  MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-b", "SN-2")));  // 7

  EXPECT_EQ(Query([](EventQuery& q) { q.type = EventType::kChipInstalled; }),
            (std::vector<uint64_t>{4, 6}));
  EXPECT_EQ(Query([](EventQuery& q) { q.site = "site-a"; }), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(Query([](EventQuery& q) { q.serial = "SN-2"; }), (std::vector<uint64_t>{6, 7}));
  EXPECT_EQ(Query([](EventQuery& q) { q.agent = "mon-1"; }), (std::vector<uint64_t>{2, 5, 7}));
  EXPECT_EQ(Query([](EventQuery& q) { q.party = "acme"; }), (std::vector<uint64_t>{3}));
  EXPECT_EQ(Query([](EventQuery& q) {
              q.type = EventType::kMonitorHeartbeat;
              q.site = "site-b";
            }),
            (std::vector<uint64_t>{7}));
  EXPECT_TRUE(Query([](EventQuery& q) { q.serial = "SN-404"; }).empty());

  Timestamp t5 = ParseEntry(ledger_->EntryBytes(5).value())->integrated_time;
  std::vector<uint64_t> since = Query([&](EventQuery& q) { q.since = t5; });
  ASSERT_FALSE(since.empty());
  EXPECT_LE(since.front(), 5u);
  EXPECT_EQ(since.back(), 7u);
  std::vector<uint64_t> until = Query([&](EventQuery& q) { q.until = t5; });
  EXPECT_EQ(until.front(), 0u);
  EXPECT_GE(until.back(), 5u);

  // Paging: three pages of at most 3, cursors continuing where the last stopped.
  std::vector<uint64_t> all;
  EventQuery paged;
  paged.limit = 3;
  for (int pages = 0; pages < 10; ++pages) {
    Result<EventPage> page = ledger_->QueryEvents(paged);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->indices.size(), 3u);
    all.insert(all.end(), page->indices.begin(), page->indices.end());
    if (!page->next_cursor) break;
    paged.cursor = *page->next_cursor;
  }
  EXPECT_EQ(all, (std::vector<uint64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EventQuery by_agent;
  by_agent.agent = "mon-1";
  by_agent.cursor = 3;
  by_agent.limit = 1;
  Result<EventPage> agent_page = ledger_->QueryEvents(by_agent);
  ASSERT_TRUE(agent_page.ok());
  EXPECT_EQ(agent_page->indices, (std::vector<uint64_t>{5}));
  EXPECT_EQ(agent_page->next_cursor, 6u);
}

// A subject's history newest first, paged on an index (and on the log itself, and with a filter
// checked per entry): every match once, in descending order, and no cursor after the last.
TEST_F(LedgerTest, QueriesNewestFirstWithCursorPaging) {
  TestAgent mon("mon-1");
  Enroll(mon, "monitor");  // 1
  for (int i = 0; i < 5; ++i) {
    MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));  // 2-6
  }
  auto pages = [&](const std::function<void(EventQuery&)>& set) {
    std::vector<uint64_t> all;
    EventQuery query;
    set(query);
    query.newest_first = true;
    query.limit = 2;
    for (int round = 0; round < 10; ++round) {
      Result<EventPage> page = ledger_->QueryEvents(query);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) break;
      EXPECT_LE(page->indices.size(), 2u);
      all.insert(all.end(), page->indices.begin(), page->indices.end());
      if (!page->next_cursor) break;
      query.cursor = *page->next_cursor;
    }
    return all;
  };
  EXPECT_EQ(pages([](EventQuery& q) { q.serial = "SN-1"; }),
            (std::vector<uint64_t>{6, 5, 4, 3, 2}));
  EXPECT_EQ(pages([](EventQuery&) {}), (std::vector<uint64_t>{6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(pages([](EventQuery& q) {
              q.agent = "mon-1";
              q.type = EventType::kMonitorHeartbeat;
            }),
            (std::vector<uint64_t>{6, 5, 4, 3, 2}));
  EXPECT_EQ(Query([](EventQuery& q) {
              q.serial = "SN-1";
              q.newest_first = true;
              q.cursor = 4;
            }),
            (std::vector<uint64_t>{3, 2}));
}

TEST_F(LedgerTest, LatestRecordAndAgentState) {
  MustAppend(gov_.Next("party.registered", testing::PartyFields("acme")));  // 1
  MustAppend(gov_.Next("party.registered", testing::PartyFields("acme")));  // 2: an update
  EXPECT_EQ(ledger_->LatestRecord(RecordKind::kParty, "acme"), 2u);
  EXPECT_EQ(ledger_->LatestRecord(RecordKind::kAgent, "gov"), 0u);
  EXPECT_FALSE(ledger_->LatestRecord(RecordKind::kSite, "acme").has_value());
  EXPECT_EQ(ledger_->Agent("gov")->last_seq, 2u);
  EXPECT_FALSE(ledger_->Agent("nobody").has_value());
}

TEST_F(LedgerTest, TilesMatchProofs) {
  FillUnsynced(300);
  Checkpoint checkpoint = Latest();
  ASSERT_EQ(checkpoint.size, 300u);

  Result<std::string> full = ledger_->Tile(HashTileId(0, 0));
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_EQ(full->size(), 256u * 32);
  Result<std::string> partial = ledger_->Tile(HashTileId(0, 1, 44));
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  std::string leaves = *full + *partial;
  for (uint64_t i : {0u, 1u, 255u, 256u, 299u}) {
    Hash leaf;
    std::copy_n(leaves.begin() + i * 32, 32, leaf.begin());
    EXPECT_EQ(leaf, ledger_->LeafHashAt(i).value());
    auto proof = ledger_->InclusionProof(i, 300);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyInclusion(i, 300, leaf, *proof, checkpoint.root)) << i;
  }
  EXPECT_FALSE(ledger_->Tile(HashTileId(0, 1, 45)).ok());
  EXPECT_FALSE(ledger_->Tile(HashTileId(1, 0, 2)).ok());

  Result<std::string> bundle = ledger_->Tile(BundleId(1, 44));
  ASSERT_TRUE(bundle.ok());
  auto entries = DecodeEntryBundle(*bundle);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 44u);
  EXPECT_EQ(LeafHash((*entries)[43]), ledger_->LeafHashAt(299).value());
}

// Fresh receipts are proved from nodes kept in memory; after a reopen every node comes from
// RocksDB. Both must give the same proofs.
TEST_F(LedgerTest, ProofsFromMemoryAndFromDiskAgree) {
  FillUnsynced(300);
  auto proofs = [&] {
    std::vector<std::vector<Hash>> all;
    for (uint64_t size : {1u, 2u, 7u, 64u, 257u, 300u}) {
      for (uint64_t index : {0u, 1u, 5u, 63u, 200u, 256u, 299u}) {
        if (index < size) all.push_back(ledger_->InclusionProof(index, size).value());
      }
      all.push_back(ledger_->ConsistencyProof(size, 300).value());
    }
    return all;
  };
  std::vector<std::vector<Hash>> from_memory = proofs();
  Reopen(Unsynced());
  EXPECT_EQ(proofs(), from_memory);
}

TEST_F(LedgerTest, ReadOnlyOpenSeesTheStateAtOpenAndRefusesWrites) {
  TestAgent mon("mon-1");
  Enroll(mon, "monitor");
  OpenOptions read_only;
  read_only.read_only = true;
  auto reader = Ledger::Open(dir_.path(), read_only);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->size(), 2u);
  EXPECT_EQ((*reader)->CheckpointNote(), ledger_->CheckpointNote());
  MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));
  EXPECT_EQ((*reader)->size(), 2u);
  EXPECT_EQ((*reader)
                ->Append(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")))
                .status.kind(),
            StatusKind::kUnavailable);
  EXPECT_TRUE((*reader)->EntryBytes(1).ok());
  EXPECT_FALSE((*reader)->EntryBytes(2).ok());
}

TEST_F(LedgerTest, ListenerSeesEveryEntryInOrderAfterCommit) {
  std::vector<uint64_t> seen;
  ledger_->SetAppendListener([&](const std::vector<Ledger::AppendedEntry>& group) {
    for (const auto& [entry, event] : group) {
      EXPECT_EQ(LeafHash(SerializeEntry(entry)), ledger_->LeafHashAt(entry.index).value());
      Result<Event> stored = ParseEvent(entry.envelope.payload);
      ASSERT_TRUE(stored.ok());
      EXPECT_EQ(event->agent, stored->agent);
      EXPECT_EQ(event->seq, stored->seq);
      seen.push_back(entry.index);
    }
    // Whole groups only: the last entry seen ends at a signed checkpoint.
    EXPECT_TRUE(ledger_->CheckpointNoteAt(group.back().entry.index + 1).ok());
  });
  TestAgent mon("mon-1");
  Enroll(mon, "monitor");
  MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1")));
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2}));
}

TEST_F(LedgerTest, IntegratedTimeNeverStepsBackAndDrivesTheTimeRule) {
  Timestamp clock = Now();
  OpenOptions options;
  options.clock = [&clock] { return clock; };
  Reopen(options);
  TestAgent mon("mon-1");
  Enroll(mon, "monitor");
  Timestamp first =
      ParseTime(
          MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("s", "SN-1"), clock))
              .integrated_time,
          "t")
          .value();
  clock = AddSeconds(clock, -3600);  // the wall clock steps back an hour
  Receipt later =
      MustAppend(mon.Next("monitor.heartbeat", testing::HeartbeatFields("s", "SN-1"), clock));
  EXPECT_EQ(ParseTime(later.integrated_time, "t").value(), first);
  // 300 s ahead of the (clamped) ledger clock is refused.
  AppendResult ahead = ledger_->Append(
      mon.Next("monitor.heartbeat", testing::HeartbeatFields("s", "SN-1"), AddSeconds(first, 301)));
  EXPECT_EQ(ahead.status.code(), "time_in_future");
}

}  // namespace
}  // namespace chipledger
