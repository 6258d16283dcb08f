// Verifier::Export and Resume: the verifier's side of an audit snapshot (auditor/snapshot.h).
#include <bit>

#include "auditor/verify.h"

namespace chipledger::audit {

Verifier::Carried Verifier::Export() const {
  Carried carried{tree_.size(),     tree_.edge(), last_leaf_,
                  last_integrated_, {},           agents_.genesis_open()};
  for (const auto& [id, agent] : agents_.agents()) carried.agents.push_back(agent);
  return carried;
}

Status Verifier::Resume(Carried carried, const Checkpoint& at) {
  // One perfect subtree per set bit of the size, largest first, as TreeBuilder::Resume reads them.
  if (carried.size != at.size ||
      static_cast<size_t>(std::popcount(carried.size)) != carried.edge.size()) {
    return Status::Corruption("tree: " + std::to_string(carried.edge.size()) +
                              " right-edge hashes for " + std::to_string(carried.size) +
                              " leaves, at a checkpoint of size " + std::to_string(at.size));
  }
  size_t next = 0;
  Result<TreeBuilder> tree = TreeBuilder::Resume(
      carried.size, [&](int, uint64_t) -> Result<Hash> { return carried.edge[next++]; });
  if (!tree.ok()) return tree.status();
  if (Hash root = tree->Root(); root != at.root) {
    return Status::Corruption("tree: the right edge hashes to " + ToHex(root) +
                              ", the checkpoint's root is " + ToHex(at.root));
  }
  tree_ = *std::move(tree);
  last_leaf_ = carried.last_leaf;
  last_integrated_ = carried.last_integrated;
  for (AgentState& agent : carried.agents) agents_.Restore(std::move(agent));
  agents_.set_genesis_open(carried.genesis_open);
  return Status::Ok();
}

}  // namespace chipledger::audit
