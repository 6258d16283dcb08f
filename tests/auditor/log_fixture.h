// Hand-built logs for the auditor's tests: entries are chained and checkpointed exactly as the
// ledger does, but nothing is admitted, so tests can write what the ledger would refuse.
#ifndef CHIPLEDGER_TESTS_AUDITOR_LOG_FIXTURE_H_
#define CHIPLEDGER_TESTS_AUDITOR_LOG_FIXTURE_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/entry.h"
#include "ledger/merkle.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

class HandLog {
 public:
  explicit HandLog(KeyPair log_key = GenerateKeyPair()) : log_key_(std::move(log_key)) {}

  NoteVerifier verifier() const { return {origin_, log_key_.public_key}; }
  const KeyPair& log_key() const { return log_key_; }
  std::vector<std::string>& entries() { return entries_; }
  // The time the next entry is integrated at; events are stamped a second before.
  Timestamp clock() const { return clock_; }
  Timestamp EventTime() const { return AddSeconds(clock_, -1); }

  // Integrates an envelope as entry entries().size(), chained to the previous entry.
  void Append(const std::string& envelope_json) {
    Result<Envelope> envelope = ParseEnvelope(envelope_json);
    ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
    LogEntry entry{entries_.size(), clock_, prev_, *envelope};
    entries_.push_back(SerializeEntry(entry));
    prev_ = LeafHash(entries_.back());
    clock_ = AddSeconds(clock_, 60);
  }

  // A checkpoint note over the first `size` entries as they now are (all by default).
  std::string Note(std::optional<uint64_t> size = std::nullopt) const {
    uint64_t n = size.value_or(entries_.size());
    TreeBuilder tree;
    std::vector<TreeBuilder::Node> nodes;
    for (uint64_t i = 0; i < n; ++i) tree.Append(LeafHash(entries_[i]), &nodes);
    return SignCheckpoint(Checkpoint{origin_, n, tree.Root()}, log_key_);
  }

 private:
  KeyPair log_key_;
  std::string origin_ = "audit.test/log";
  std::vector<std::string> entries_;
  Hash prev_{};
  Timestamp clock_ = *ParseTime("2026-11-01T00:00:00Z", "clock");
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_AUDITOR_LOG_FIXTURE_H_
