#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace chipledger {
namespace {

Hash H(std::string_view hex) {
  auto hash = HashFromHex(hex, "test vector");
  EXPECT_TRUE(hash.ok()) << hex;
  return hash.ok() ? *hash : Hash{};
}

std::vector<Hash> Hashes(std::initializer_list<const char*> hexes) {
  std::vector<Hash> out;
  for (const char* hex : hexes) out.push_back(H(hex));
  return out;
}

// RFC 9162 §2.1 written out as its recursive definitions over leaf hashes, memoised. It shares
// nothing with the implementation beyond NodeHash, so the two check each other.
class Reference {
 public:
  explicit Reference(std::vector<Hash> leaves) : leaves_(std::move(leaves)) {}

  static uint64_t Split(uint64_t n) {
    uint64_t k = 1;
    while (k * 2 < n) k *= 2;
    return k;
  }

  Hash Mth(uint64_t begin, uint64_t end) {
    if (end - begin == 1) return leaves_[begin];
    uint64_t key = begin << 32 | end;
    auto found = memo_.find(key);
    if (found != memo_.end()) return found->second;
    uint64_t k = Split(end - begin);
    Hash hash = NodeHash(Mth(begin, begin + k), Mth(begin + k, end));
    memo_.emplace(key, hash);
    return hash;
  }
  Hash Root(uint64_t size) { return size == 0 ? EmptyTreeRoot() : Mth(0, size); }

  // PATH(m, D[begin:end]), m absolute.
  std::vector<Hash> Path(uint64_t m, uint64_t begin, uint64_t end) {
    std::vector<Hash> path;
    AppendPath(m, begin, end, &path);
    return path;
  }

  // SUBPROOF(m, D[0:n], true).
  std::vector<Hash> Proof(uint64_t m, uint64_t n) {
    std::vector<Hash> proof;
    AppendSubproof(m, 0, n, true, &proof);
    return proof;
  }

  // Serves complete subtrees of the tree of `size` leaves, failing the test on any request for a
  // node outside it (the NodeReader contract).
  NodeReader Reader(uint64_t size) {
    return [this, size](int level, uint64_t index) -> Result<Hash> {
      uint64_t begin = index << level, end = (index + 1) << level;
      if (level < 0 || level > 62 || end > size) {
        ADD_FAILURE() << "node (" << level << ", " << index << ") outside tree of size " << size;
        return Status::NotFound("no_node", "outside the tree");
      }
      return Mth(begin, end);
    };
  }

 private:
  void AppendPath(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash>* path) {
    if (end - begin <= 1) return;
    uint64_t k = Split(end - begin);
    if (m < begin + k) {
      AppendPath(m, begin, begin + k, path);
      path->push_back(Mth(begin + k, end));
    } else {
      AppendPath(m, begin + k, end, path);
      path->push_back(Mth(begin, begin + k));
    }
  }

  // SUBPROOF(m - begin, D[begin:end], complete).
  void AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool complete,
                      std::vector<Hash>* proof) {
    if (m == end) {
      if (!complete) proof->push_back(Mth(begin, end));
      return;
    }
    uint64_t k = Split(end - begin);
    if (m <= begin + k) {
      AppendSubproof(m, begin, begin + k, complete, proof);
      proof->push_back(Mth(begin + k, end));
    } else {
      AppendSubproof(m, begin + k, end, false, proof);
      proof->push_back(Mth(begin, begin + k));
    }
  }

  std::vector<Hash> leaves_;
  std::unordered_map<uint64_t, Hash> memo_;  // keyed by begin << 32 | end
};

std::vector<Hash> NumberedLeaves(uint64_t count) {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < count; ++i) leaves.push_back(LeafHash("entry " + std::to_string(i)));
  return leaves;
}

// The RFC 6962 reference tree used by certificate-transparency, Trillian and
// transparency-dev/merkle (proof/verify_test.go).
std::vector<Hash> ReferenceLeaves() {
  std::vector<Hash> leaves;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    leaves.push_back(LeafHash(*FromHex(hex, "leaf")));
  }
  return leaves;
}

const char* const kReferenceRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

Hash FlipBit(Hash hash, size_t bit) {
  hash[bit / 8 % 32] ^= static_cast<uint8_t>(1 << bit % 8);
  return hash;
}

// Every way of corrupting a valid inclusion proof that the verifier must notice.
void ExpectInclusionMutantsFail(uint64_t index, uint64_t size, const Hash& leaf,
                                const std::vector<Hash>& proof, const Hash& root) {
  SCOPED_TRACE("inclusion of " + std::to_string(index) + " in " + std::to_string(size));
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> mutant = proof;
    mutant[i] = FlipBit(mutant[i], i * 37 + index * 11 + size);
    EXPECT_FALSE(VerifyInclusion(index, size, leaf, mutant, root)) << "bit flip in hash " << i;
  }
  EXPECT_FALSE(VerifyInclusion(index - 1, size, leaf, proof, root)) << "index - 1";
  EXPECT_FALSE(VerifyInclusion(index + 1, size, leaf, proof, root)) << "index + 1";
  EXPECT_FALSE(VerifyInclusion(index ^ 2, size, leaf, proof, root)) << "index ^ 2";
  EXPECT_FALSE(VerifyInclusion(index, size * 2, leaf, proof, root)) << "size * 2";
  EXPECT_FALSE(VerifyInclusion(index, size / 2, leaf, proof, root)) << "size / 2";
  EXPECT_FALSE(VerifyInclusion(index, size, FlipBit(leaf, 0), proof, root)) << "wrong leaf";
  EXPECT_FALSE(VerifyInclusion(index, size, leaf, proof, FlipBit(root, 255))) << "wrong root";
  std::vector<Hash> extended = proof;
  extended.push_back(root);
  EXPECT_FALSE(VerifyInclusion(index, size, leaf, extended, root)) << "extended";
  extended.insert(extended.begin(), leaf);
  extended.pop_back();
  EXPECT_FALSE(VerifyInclusion(index, size, leaf, extended, root)) << "prepended";
  if (!proof.empty()) {
    std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
    EXPECT_FALSE(VerifyInclusion(index, size, leaf, truncated, root)) << "truncated";
  }
}

void ExpectConsistencyMutantsFail(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                                  const Hash& new_root, const std::vector<Hash>& proof) {
  SCOPED_TRACE("consistency " + std::to_string(old_size) + " -> " + std::to_string(new_size));
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<Hash> mutant = proof;
    mutant[i] = FlipBit(mutant[i], i * 41 + old_size * 13 + new_size);
    EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, mutant))
        << "bit flip in hash " << i;
  }
  EXPECT_FALSE(VerifyConsistency(old_size - 1, new_size, old_root, new_root, proof)) << "old - 1";
  EXPECT_FALSE(VerifyConsistency(old_size + 1, new_size, old_root, new_root, proof)) << "old + 1";
  EXPECT_FALSE(VerifyConsistency(old_size, new_size * 2, old_root, new_root, proof)) << "new * 2";
  EXPECT_FALSE(VerifyConsistency(old_size, new_size / 2, old_root, new_root, proof)) << "new / 2";
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, new_root, old_root, proof)) << "swapped";
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, FlipBit(old_root, 7), new_root, proof));
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, FlipBit(new_root, 9), proof));
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, {})) << "empty";
  std::vector<Hash> extended = proof;
  extended.push_back(new_root);
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, extended)) << "extended";
  extended.insert(extended.begin(), old_root);
  extended.pop_back();
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, extended)) << "prepended";
  std::vector<Hash> truncated(proof.begin(), proof.end() - 1);
  EXPECT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, truncated)) << "truncated";
}

TEST(Merkle, HashesKnownAnswers) {
  EXPECT_EQ(ToHex(EmptyTreeRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(ToHex(LeafHash("")), kReferenceRoots[0]);
  // The root of the two-leaf reference tree is NodeHash of its two leaves.
  auto leaves = ReferenceLeaves();
  EXPECT_EQ(ToHex(NodeHash(leaves[0], leaves[1])), kReferenceRoots[1]);
}

TEST(Merkle, ReferenceTreeRootsAtEverySize) {
  Reference reference(ReferenceLeaves());
  TreeBuilder builder;
  std::vector<TreeBuilder::Node> nodes;
  auto leaves = ReferenceLeaves();
  for (uint64_t size = 1; size <= 8; ++size) {
    auto root = RootHash(size, reference.Reader(size));
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(ToHex(*root), kReferenceRoots[size - 1]) << "size " << size;
    builder.Append(leaves[size - 1], &nodes);
    EXPECT_EQ(ToHex(builder.Root()), kReferenceRoots[size - 1]) << "size " << size;
  }
  auto empty = RootHash(0, reference.Reader(0));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, EmptyTreeRoot());
  EXPECT_EQ(TreeBuilder().Root(), EmptyTreeRoot());
}

TEST(Merkle, ReferenceInclusionProofs) {
  struct Vector {
    uint64_t index, size;
    std::vector<Hash> proof;
  };
  const Vector vectors[] = {
      {0, 1, {}},
      {0, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {5, 8,
       Hashes({"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 3, Hashes({"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"})},
      {1, 5,
       Hashes({"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
  };
  auto leaves = ReferenceLeaves();
  Reference reference(leaves);
  for (const Vector& v : vectors) {
    SCOPED_TRACE("index " + std::to_string(v.index) + " size " + std::to_string(v.size));
    auto proof = InclusionProof(v.index, v.size, reference.Reader(v.size));
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, v.proof);
    Hash root = H(kReferenceRoots[v.size - 1]);
    EXPECT_TRUE(VerifyInclusion(v.index, v.size, leaves[v.index], v.proof, root));
    ExpectInclusionMutantsFail(v.index, v.size, leaves[v.index], v.proof, root);
  }
}

TEST(Merkle, ReferenceConsistencyProofs) {
  struct Vector {
    uint64_t old_size, new_size;
    std::vector<Hash> proof;
  };
  const Vector vectors[] = {
      {1, 1, {}},
      {1, 8,
       Hashes({"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
               "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"})},
      {6, 8,
       Hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
      {2, 5,
       Hashes({"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
               "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"})},
      {6, 7,
       Hashes({"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
               "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
               "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"})},
  };
  Reference reference(ReferenceLeaves());
  for (const Vector& v : vectors) {
    SCOPED_TRACE(std::to_string(v.old_size) + " -> " + std::to_string(v.new_size));
    auto proof = ConsistencyProof(v.old_size, v.new_size, reference.Reader(v.new_size));
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, v.proof);
    Hash old_root = H(kReferenceRoots[v.old_size - 1]);
    Hash new_root = H(kReferenceRoots[v.new_size - 1]);
    EXPECT_TRUE(VerifyConsistency(v.old_size, v.new_size, old_root, new_root, v.proof));
    if (!v.proof.empty()) {
      ExpectConsistencyMutantsFail(v.old_size, v.new_size, old_root, new_root, v.proof);
    }
  }
}

TEST(Merkle, VerifyRejectsMalformedInclusion) {
  Hash leaf = LeafHash("data");
  EXPECT_TRUE(VerifyInclusion(0, 1, leaf, {}, leaf));
  EXPECT_FALSE(VerifyInclusion(0, 1, leaf, {}, EmptyTreeRoot()));
  EXPECT_FALSE(VerifyInclusion(0, 0, leaf, {}, leaf)) << "index == size == 0";
  EXPECT_FALSE(VerifyInclusion(1, 1, leaf, {}, leaf)) << "index == size";
  EXPECT_FALSE(VerifyInclusion(2, 1, leaf, {}, leaf)) << "index > size";
  EXPECT_FALSE(VerifyInclusion(0, 1, leaf, {leaf}, leaf)) << "proof too long for size 1";
  EXPECT_FALSE(VerifyInclusion(UINT64_MAX, UINT64_MAX, leaf, {}, leaf));
}

TEST(Merkle, VerifyRejectsMalformedConsistency) {
  Hash a = LeafHash("a"), b = LeafHash("b");
  Hash empty = EmptyTreeRoot();
  EXPECT_TRUE(VerifyConsistency(0, 0, empty, empty, {}));
  EXPECT_TRUE(VerifyConsistency(0, 5, empty, a, {})) << "every tree extends the empty tree";
  EXPECT_FALSE(VerifyConsistency(0, 5, a, b, {})) << "size 0 with a non-empty root";
  EXPECT_FALSE(VerifyConsistency(0, 5, empty, a, {a})) << "size 0 with a non-empty proof";
  EXPECT_FALSE(VerifyConsistency(0, 0, empty, empty, {empty}));
  EXPECT_TRUE(VerifyConsistency(3, 3, a, a, {}));
  EXPECT_FALSE(VerifyConsistency(3, 3, a, b, {})) << "equal sizes, different roots";
  EXPECT_FALSE(VerifyConsistency(3, 3, a, a, {a})) << "equal sizes, non-empty proof";
  EXPECT_FALSE(VerifyConsistency(2, 1, a, b, {})) << "old > new";
  EXPECT_FALSE(VerifyConsistency(2, 1, a, b, {a})) << "old > new";
  EXPECT_FALSE(VerifyConsistency(1, 2, a, b, {})) << "missing proof";
  // Size 1 -> 2 proves with the second leaf; the same proof must not pass for 2 -> 1.
  Hash root2 = NodeHash(a, b);
  EXPECT_TRUE(VerifyConsistency(1, 2, a, root2, {b}));
  EXPECT_FALSE(VerifyConsistency(2, 1, root2, a, {b}));
}

TEST(Merkle, ProofRequestsOutsideTheTreeAreRefused) {
  Reference reference(NumberedLeaves(4));
  auto past_end = InclusionProof(4, 4, reference.Reader(4));
  ASSERT_FALSE(past_end.ok());
  EXPECT_EQ(past_end.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(past_end.status().message().find("index 4"), std::string::npos);
  EXPECT_FALSE(InclusionProof(0, 0, reference.Reader(0)).ok());
  EXPECT_FALSE(ConsistencyProof(0, 4, reference.Reader(4)).ok());
  EXPECT_FALSE(ConsistencyProof(4, 3, reference.Reader(4)).ok());
  auto same = ConsistencyProof(4, 4, reference.Reader(4));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST(Merkle, ReaderErrorsPropagate) {
  NodeReader failing = [](int, uint64_t) -> Result<Hash> {
    return Status::IOError("disk on fire");
  };
  EXPECT_EQ(RootHash(5, failing).status().message(), "disk on fire");
  EXPECT_EQ(InclusionProof(1, 5, failing).status().message(), "disk on fire");
  EXPECT_EQ(ConsistencyProof(3, 5, failing).status().message(), "disk on fire");
  EXPECT_EQ(TreeBuilder::Resume(5, failing).status().message(), "disk on fire");
  EXPECT_TRUE(RootHash(0, failing).ok()) << "the empty tree needs no reads";
}

// Every inclusion proof of every leaf and every consistency proof between every pair of sizes
// equals the RFC's recursive definition, verifies against the recursively computed roots and
// fails under every corruption.
TEST(Merkle, AllProofsOfSmallTrees) {
  constexpr uint64_t kMaxSize = 300;
  Reference reference(NumberedLeaves(kMaxSize));
  for (uint64_t size = 1; size <= kMaxSize; ++size) {
    NodeReader nodes = reference.Reader(size);
    Hash root = reference.Root(size);
    auto computed_root = RootHash(size, nodes);
    ASSERT_TRUE(computed_root.ok());
    ASSERT_EQ(*computed_root, root) << "size " << size;
    // Full mutation sweeps on a subset keep the test fast; plain checks cover everything.
    bool sweep = size <= 40 || size % 37 == 0;
    for (uint64_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(index, size, nodes);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, reference.Path(index, 0, size)) << index << " in " << size;
      Hash leaf = reference.Mth(index, index + 1);
      ASSERT_TRUE(VerifyInclusion(index, size, leaf, *proof, root)) << index << " in " << size;
      if (sweep) ExpectInclusionMutantsFail(index, size, leaf, *proof, root);
    }
    for (uint64_t old_size = 1; old_size < size; ++old_size) {
      auto proof = ConsistencyProof(old_size, size, nodes);
      ASSERT_TRUE(proof.ok());
      ASSERT_EQ(*proof, reference.Proof(old_size, size)) << old_size << " " << size;
      Hash old_root = reference.Root(old_size);
      ASSERT_TRUE(VerifyConsistency(old_size, size, old_root, root, *proof))
          << old_size << " -> " << size;
      if (sweep) ExpectConsistencyMutantsFail(old_size, size, old_root, root, *proof);
    }
    if (HasFailure()) return;
  }
}

TEST(Merkle, ProofsOfLargerTrees) {
  constexpr uint64_t kSize = 5000;
  Reference reference(NumberedLeaves(kSize));
  for (uint64_t size : {511u, 512u, 513u, 1023u, 1025u, 4096u, 4999u, 5000u}) {
    NodeReader nodes = reference.Reader(size);
    Hash root = reference.Root(size);
    for (uint64_t index : {uint64_t{0}, size / 3, size / 2, size - 2, size - 1}) {
      auto proof = InclusionProof(index, size, nodes);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyInclusion(index, size, reference.Mth(index, index + 1), *proof, root));
      ExpectInclusionMutantsFail(index, size, reference.Mth(index, index + 1), *proof, root);
    }
    for (uint64_t old_size : {uint64_t{1}, uint64_t{256}, size / 2, size - 1}) {
      auto proof = ConsistencyProof(old_size, size, nodes);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(VerifyConsistency(old_size, size, reference.Root(old_size), root, *proof));
      ExpectConsistencyMutantsFail(old_size, size, reference.Root(old_size), root, *proof);
    }
  }
}

// A store of complete nodes answers proofs with O(log n) reads, whatever the tree size.
TEST(Merkle, ProofsReadLogarithmicallyManyNodes) {
  int reads = 0;
  NodeReader counting = [&reads](int level, uint64_t index) -> Result<Hash> {
    ++reads;
    return Sha256(std::to_string(level) + "/" + std::to_string(index));
  };
  const uint64_t size = (uint64_t{1} << 40) + 12345;
  ASSERT_TRUE(InclusionProof(size / 3, size, counting).ok());
  EXPECT_LE(reads, 2 * 41);
  reads = 0;
  ASSERT_TRUE(ConsistencyProof(size / 3, size, counting).ok());
  EXPECT_LE(reads, 3 * 41);
  reads = 0;
  ASSERT_TRUE(RootHash(size, counting).ok());
  EXPECT_LE(reads, 41);
}

TEST(Merkle, TreeBuilderReportsEveryCompleteNodeOnce) {
  constexpr uint64_t kSize = 300;
  auto leaves = NumberedLeaves(kSize);
  Reference reference(leaves);
  TreeBuilder builder;
  std::map<std::pair<int, uint64_t>, Hash> reported;
  for (uint64_t i = 0; i < kSize; ++i) {
    std::vector<TreeBuilder::Node> nodes;
    builder.Append(leaves[i], &nodes);
    ASSERT_FALSE(nodes.empty());
    EXPECT_EQ(nodes[0].level, 0);
    EXPECT_EQ(nodes[0].index, i);
    EXPECT_EQ(nodes[0].hash, leaves[i]);
    for (const auto& node : nodes) {
      // Each node completed by leaf i ends at leaf i.
      EXPECT_EQ((node.index + 1) << node.level, i + 1);
      EXPECT_EQ(node.hash, reference.Mth(node.index << node.level, (node.index + 1) << node.level));
      EXPECT_TRUE(reported.emplace(std::make_pair(node.level, node.index), node.hash).second);
    }
    EXPECT_EQ(builder.size(), i + 1);
    EXPECT_EQ(builder.Root(), reference.Root(i + 1));
  }
  // Every complete subtree of the final tree was reported.
  size_t complete = 0;
  for (int level = 0; (uint64_t{1} << level) <= kSize; ++level) complete += kSize >> level;
  EXPECT_EQ(reported.size(), complete);
}

TEST(Merkle, TreeBuilderResumesFromStoredNodes) {
  constexpr uint64_t kSize = 100;
  auto leaves = NumberedLeaves(kSize + 5);
  Reference reference(leaves);
  for (uint64_t size = 0; size <= kSize; ++size) {
    auto resumed = TreeBuilder::Resume(size, reference.Reader(size));
    ASSERT_TRUE(resumed.ok());
    EXPECT_EQ(resumed->size(), size);
    EXPECT_EQ(resumed->Root(), reference.Root(size));
    std::vector<TreeBuilder::Node> nodes;
    for (uint64_t i = size; i < size + 5; ++i) resumed->Append(leaves[i], &nodes);
    EXPECT_EQ(resumed->Root(), reference.Root(size + 5)) << "resumed at " << size;
  }
}

}  // namespace
}  // namespace chipledger
