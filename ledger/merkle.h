// The RFC 6962 / RFC 9162 Merkle tree over log entries: hashing, roots, inclusion and consistency
// proofs (hashes ordered from the leaf upwards, RFC 9162), and their verification.
//
// Proof generation reads the hashes of complete subtrees through a NodeReader, so that a store
// keeping every complete node (the tlog-tiles layout) answers any proof with O(log n) reads.
#ifndef CHIPLEDGER_LEDGER_MERKLE_H_
#define CHIPLEDGER_LEDGER_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ledger/crypto.h"
#include "ledger/status.h"

namespace chipledger {

Hash LeafHash(std::string_view entry);               // SHA-256(0x00 || entry)
Hash NodeHash(const Hash& left, const Hash& right);  // SHA-256(0x01 || left || right)
Hash EmptyTreeRoot();                                // SHA-256("")

// The hash of the complete subtree of 2^level leaves starting at leaf index << level. Only asked
// for subtrees that lie wholly inside the tree being proved.
using NodeReader = std::function<Result<Hash>(int level, uint64_t index)>;

// MTH of the first `size` leaves.
Result<Hash> RootHash(uint64_t size, const NodeReader& nodes);
// Audit path for leaf `index` in the tree of `size` leaves. Requires index < size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes);
// Consistency proof from `old_size` to `new_size`. Requires 0 < old_size <= new_size; empty when
// equal.
Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& nodes);

// RFC 9162 §2.1.3.2: true when `proof` shows `leaf` at `index` in the tree of `size` with `root`.
bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root);
// RFC 9162 §2.1.4.2. Also true for old_size == new_size with an empty proof and equal roots.
bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof);

// Builds the tree incrementally as leaves are appended, reporting every complete node it creates,
// so a store can persist them. Keeps only the O(log n) right edge in memory.
class TreeBuilder {
 public:
  struct Node {
    int level;
    uint64_t index;
    Hash hash;
  };

  TreeBuilder() = default;
  // Resumes a tree of `size` leaves; reads the right-edge complete nodes through `nodes`.
  static Result<TreeBuilder> Resume(uint64_t size, const NodeReader& nodes);

  // Adds a leaf hash; appends the new complete nodes (the leaf itself at level 0 first) to `out`.
  void Append(const Hash& leaf, std::vector<Node>* out);
  uint64_t size() const { return size_; }
  Hash Root() const;
  // The roots of the perfect subtrees of the current size, largest first: what Resume's
  // NodeReader hands back, for a caller that persists the builder (the audit's snapshot).
  const std::vector<Hash>& edge() const { return edge_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> edge_;  // roots of the perfect subtrees of the current size, largest first
};

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_MERKLE_H_
