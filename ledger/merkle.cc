#include "ledger/merkle.h"

#include <bit>
#include <string>

namespace chipledger {

Hash LeafHash(std::string_view entry) {
  Sha256Hasher hasher;
  hasher.Update(std::string_view("\x00", 1));
  hasher.Update(entry);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  Sha256Hasher hasher;
  hasher.Update(std::string_view("\x01", 1));
  hasher.Update(AsBytes(left));
  hasher.Update(AsBytes(right));
  return hasher.Finish();
}

Hash EmptyTreeRoot() { return Sha256(""); }

namespace {

// The largest power of two strictly smaller than n (n >= 2): RFC 9162's split point k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Appends the hashes of the complete subtrees that make up leaves [begin, end), largest first.
// Every range the RFC recursion visits starts at a multiple of the largest power of two not
// exceeding its size, so these are the subtrees of the binary decomposition of its size.
Status ReadDecomposition(uint64_t begin, uint64_t end, const NodeReader& nodes,
                         std::vector<Hash>* out) {
  for (int level = 63; level >= 0; --level) {
    uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    auto node = nodes(level, begin >> level);
    if (!node.ok()) return node.status();
    out->push_back(*node);
    begin += width;
  }
  return Status::Ok();
}

// MTH of a decomposition (non-empty): each subtree is the left child of the rest's root.
Hash FoldFromRight(const std::vector<Hash>& parts) {
  Hash hash = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) hash = NodeHash(parts[i], hash);
  return hash;
}

// MTH of leaves [begin, end), end > begin: ReadDecomposition and FoldFromRight in one pass from
// the right end, smallest subtree first, without allocating (this runs for every proof hash).
Result<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeReader& nodes) {
  Hash hash{};
  bool first = true;
  for (int level = 0; end > begin; ++level) {
    uint64_t width = uint64_t{1} << level;
    if (((end - begin) & width) == 0) continue;
    end -= width;
    auto node = nodes(level, end >> level);
    if (!node.ok()) return node.status();
    hash = first ? *node : NodeHash(*node, hash);
    first = false;
  }
  return hash;
}

// RFC 9162 §2.1.3.1 PATH(index - begin, D[begin:end]), appended leaf upwards.
Status AppendPath(uint64_t index, uint64_t begin, uint64_t end, const NodeReader& nodes,
                  std::vector<Hash>* proof) {
  if (end - begin <= 1) return Status::Ok();
  uint64_t mid = begin + SplitPoint(end - begin);
  Status inner = index < mid ? AppendPath(index, begin, mid, nodes, proof)
                             : AppendPath(index, mid, end, nodes, proof);
  if (!inner.ok()) return inner;
  auto sibling = index < mid ? RangeHash(mid, end, nodes) : RangeHash(begin, mid, nodes);
  if (!sibling.ok()) return sibling.status();
  proof->push_back(*sibling);
  return Status::Ok();
}

// RFC 9162 §2.1.4.1 SUBPROOF(old_end - begin, D[begin:end], complete), appended leaf upwards.
Status AppendSubproof(uint64_t old_end, uint64_t begin, uint64_t end, bool complete,
                      const NodeReader& nodes, std::vector<Hash>* proof) {
  if (old_end == end) {
    if (complete) return Status::Ok();
    auto hash = RangeHash(begin, end, nodes);
    if (!hash.ok()) return hash.status();
    proof->push_back(*hash);
    return Status::Ok();
  }
  uint64_t mid = begin + SplitPoint(end - begin);
  Status inner = old_end <= mid ? AppendSubproof(old_end, begin, mid, complete, nodes, proof)
                                : AppendSubproof(old_end, mid, end, false, nodes, proof);
  if (!inner.ok()) return inner;
  auto sibling = old_end <= mid ? RangeHash(mid, end, nodes) : RangeHash(begin, mid, nodes);
  if (!sibling.ok()) return sibling.status();
  proof->push_back(*sibling);
  return Status::Ok();
}

}  // namespace

Result<Hash> RootHash(uint64_t size, const NodeReader& nodes) {
  if (size == 0) return EmptyTreeRoot();
  return RangeHash(0, size, nodes);
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size, const NodeReader& nodes) {
  if (index >= size) {
    return Status::InvalidArgument(
        "bad_proof_request",
        "index " + std::to_string(index) + " is not below tree_size " + std::to_string(size));
  }
  std::vector<Hash> proof;
  Status status = AppendPath(index, 0, size, nodes, &proof);
  if (!status.ok()) return status;
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                           const NodeReader& nodes) {
  if (old_size == 0 || old_size > new_size) {
    return Status::InvalidArgument("bad_proof_request",
                                   "old size " + std::to_string(old_size) +
                                       " must be at least 1 and at most new size " +
                                       std::to_string(new_size));
  }
  std::vector<Hash> proof;
  if (old_size == new_size) return proof;
  Status status = AppendSubproof(old_size, 0, new_size, true, nodes, &proof);
  if (!status.ok()) return status;
  return proof;
}

bool VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf,
                     const std::vector<Hash>& proof, const Hash& root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size > new_size) return false;
  // Every tree extends the empty tree; there is nothing to prove.
  if (old_size == 0) return proof.empty() && old_root == EmptyTreeRoot();
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;

  // When the old tree is a complete subtree its root is the proof's implicit first node.
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

Result<TreeBuilder> TreeBuilder::Resume(uint64_t size, const NodeReader& nodes) {
  TreeBuilder builder;
  Status status = ReadDecomposition(0, size, nodes, &builder.edge_);
  if (!status.ok()) return status;
  builder.size_ = size;
  return builder;
}

void TreeBuilder::Append(const Hash& leaf, std::vector<Node>* out) {
  Hash hash = leaf;
  int level = 0;
  uint64_t index = size_;
  out->push_back({level, index, hash});
  // Each trailing one bit of the old size is a perfect subtree that the new leaf completes.
  while ((size_ >> level) & 1) {
    hash = NodeHash(edge_.back(), hash);
    edge_.pop_back();
    ++level;
    index >>= 1;
    out->push_back({level, index, hash});
  }
  edge_.push_back(hash);
  ++size_;
}

Hash TreeBuilder::Root() const { return edge_.empty() ? EmptyTreeRoot() : FoldFromRight(edge_); }

}  // namespace chipledger
