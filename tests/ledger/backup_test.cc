// A backup restores to a ledger that verifies: its log recomputes to its checkpoint, every
// receipt handed out before the backup proves inclusion in it, and it keeps accepting events.
#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "ledger/merkle.h"
#include "tests/ledger/ledger_fixture.h"

namespace chipledger::testing {
namespace {

class BackupTest : public LedgerFixture {};

// Recomputes the root of the whole log from its entry bytes, trusting nothing the store says.
Hash RecomputedRoot(const Ledger& ledger) {
  TreeBuilder tree;
  std::vector<TreeBuilder::Node> ignored;
  for (uint64_t i = 0; i < ledger.size(); ++i) {
    Result<std::string> entry = ledger.EntryBytes(i);
    EXPECT_TRUE(entry.ok()) << entry.status().ToString();
    tree.Append(LeafHash(*entry), &ignored);
  }
  return tree.Root();
}

TEST_F(BackupTest, RestoredBackupVerifiesLogAndReceipts) {
  TestAgent inspector("inspector-1");
  Enroll(inspector, "inspector");
  std::vector<Receipt> receipts;
  for (int i = 0; i < 20; ++i) {
    receipts.push_back(MustAppend(gov_.Next("party.registered", {{"party",
                                                                  {{"id", "p" + std::to_string(i)},
                                                                   {"name", "Party"},
                                                                   {"country", "DE"},
                                                                   {"kind", "end_user"}}}})));
  }
  const std::string backup = dir_.path() + "-backup";
  ASSERT_TRUE(ledger_->Backup(backup).ok());
  const uint64_t backed_up_size = ledger_->size();
  MustAppend(gov_.Next(
      "party.registered",
      {{"party", {{"id", "late"}, {"name", "L"}, {"country", "FR"}, {"kind", "carrier"}}}}));
  ledger_.reset();  // the original is gone; only the backup remains

  auto restored = Ledger::Open(backup, OpenOptions{});
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  Ledger& ledger = **restored;
  EXPECT_EQ(ledger.size(), backed_up_size);
  Result<Checkpoint> checkpoint = VerifyCheckpoint(ledger.CheckpointNote(), verifier_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, backed_up_size);
  EXPECT_EQ(checkpoint->root, RecomputedRoot(ledger));

  for (const Receipt& receipt : receipts) {
    ASSERT_TRUE(VerifyReceipt(receipt, verifier_).ok());
    Result<Hash> leaf = ledger.LeafHashAt(receipt.index);
    ASSERT_TRUE(leaf.ok());
    EXPECT_EQ(*leaf, receipt.leaf_hash);
    Result<Checkpoint> old = VerifyCheckpoint(receipt.checkpoint, verifier_);
    ASSERT_TRUE(old.ok());
    auto proof = ledger.ConsistencyProof(old->size, checkpoint->size);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(
        VerifyConsistency(old->size, checkpoint->size, old->root, checkpoint->root, *proof));
  }

  // An agent whose event came after the backup sees the loss as a seq conflict: a restore
  // cannot silently drop an agent's events.
  AppendResult next = ledger.Append(gov_.Next(
      "party.registered",
      {{"party", {{"id", "after"}, {"name", "A"}, {"country", "FR"}, {"kind", "carrier"}}}}));
  EXPECT_EQ(next.status.kind(), StatusKind::kConflict);
  std::filesystem::remove_all(backup);
}

TEST_F(BackupTest, RefusesExistingDirectoryAndReadOnlyLedger) {
  EXPECT_EQ(ledger_->Backup(dir_.path()).kind(), StatusKind::kConflict);
  Reopen(OpenOptions{.read_only = true});
  EXPECT_EQ(ledger_->Backup(dir_.path() + "-ro-backup").kind(), StatusKind::kPermissionDenied);
}

}  // namespace
}  // namespace chipledger::testing
