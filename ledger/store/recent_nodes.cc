#include "ledger/store/recent_nodes.h"

#include <mutex>

namespace chipledger::store {

namespace {

// Levels are below 64 and indices below 2^56 (a tree of 2^56 leaves is out of reach).
uint64_t Key(int level, uint64_t index) { return static_cast<uint64_t>(level) << 56 | index; }
int LevelOf(uint64_t key) { return static_cast<int>(key >> 56); }
uint64_t IndexOf(uint64_t key) { return key & ((uint64_t{1} << 56) - 1); }

// The first leaf after the subtree under node (level, index).
uint64_t LeafEnd(int level, uint64_t index) { return (index + 1) << level; }

}  // namespace

void RecentNodes::Add(const std::vector<TreeBuilder::Node>& nodes) {
  if (nodes.empty()) return;
  std::lock_guard lock(mu_);
  uint64_t newest = 0;
  for (const TreeBuilder::Node& node : nodes) {
    uint64_t key = Key(node.level, node.index);
    nodes_[key] = node.hash;
    if (node.level < kSpanLevel) low_.push_back(key);
    newest = std::max(newest, LeafEnd(node.level, node.index));
  }
  while (!low_.empty() &&
         LeafEnd(LevelOf(low_.front()), IndexOf(low_.front())) + kWindowLeaves < newest) {
    nodes_.erase(low_.front());
    low_.pop_front();
  }
}

std::optional<Hash> RecentNodes::Find(int level, uint64_t index) const {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(Key(level, index));
  if (it == nodes_.end()) return std::nullopt;
  return it->second;
}

}  // namespace chipledger::store
