// The Merkle nodes that fresh receipts need, kept in memory so that building a receipt after a
// group commit does not go to RocksDB: every node at level kSpanLevel and above (one in
// 2^kSpanLevel leaves, so few) and the lower nodes over the newest kWindowLeaves leaves. An
// inclusion proof for a leaf in that window reads only these. Anything else is a miss, and the
// caller reads RocksDB, which holds every node; the cache is never the only copy.
#ifndef CHIPLEDGER_LEDGER_STORE_RECENT_NODES_H_
#define CHIPLEDGER_LEDGER_STORE_RECENT_NODES_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "ledger/merkle.h"

namespace chipledger::store {

class RecentNodes {
 public:
  static constexpr int kSpanLevel = 12;
  static constexpr uint64_t kWindowLeaves = 16384;

  // Adds durable nodes, in append order (TreeBuilder::Append's output, group after group).
  void Add(const std::vector<TreeBuilder::Node>& nodes);
  std::optional<Hash> Find(int level, uint64_t index) const;

 private:
  // A plain mutex: lookups are a hash probe, and glibc's reader-preferring rwlock could keep the
  // committer waiting behind a stream of receipt builders.
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Hash> nodes_;  // by Key(level, index)
  std::deque<uint64_t> low_;                  // keys of nodes below kSpanLevel, oldest first
};

}  // namespace chipledger::store

#endif  // CHIPLEDGER_LEDGER_STORE_RECENT_NODES_H_
