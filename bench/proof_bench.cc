// Proof generation and verification on a 10^6-leaf tree held in memory, every complete node kept
// per level (the layout a tile store has), so the numbers isolate the Merkle work from storage.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace chipledger {
namespace {

constexpr uint64_t kTreeSize = 1'000'000;
constexpr size_t kSamples = 1024;  // distinct indices / old sizes cycled through

class InMemoryTree {
 public:
  explicit InMemoryTree(uint64_t size) {
    std::vector<TreeBuilder::Node> created;
    for (uint64_t i = 0; i < size; ++i) {
      created.clear();
      builder_.Append(LeafHash("entry " + std::to_string(i)), &created);
      for (const auto& node : created) {
        if (levels_.size() <= static_cast<size_t>(node.level)) levels_.resize(node.level + 1);
        levels_[node.level].push_back(node.hash);
      }
    }
    reader_ = [this](int level, uint64_t index) -> Result<Hash> { return levels_[level][index]; };
  }

  const NodeReader& reader() const { return reader_; }
  Hash leaf(uint64_t index) const { return levels_[0][index]; }
  Hash root() const { return builder_.Root(); }

 private:
  TreeBuilder builder_;
  std::vector<std::vector<Hash>> levels_;
  NodeReader reader_;
};

const InMemoryTree& Tree() {
  static const InMemoryTree* tree = new InMemoryTree(kTreeSize);
  return *tree;
}

// Spread over the whole tree, including both ends.
uint64_t Sample(size_t i) { return i == 0 ? 0 : (i * 7919 * 127) % kTreeSize; }

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) std::abort();
  return std::move(*result);
}

void BM_InclusionProof(benchmark::State& state) {
  const InMemoryTree& tree = Tree();
  size_t i = 0;
  for (auto _ : state) {
    auto proof = InclusionProof(Sample(i++ % kSamples), kTreeSize, tree.reader());
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_InclusionProof);

void BM_ConsistencyProof(benchmark::State& state) {
  const InMemoryTree& tree = Tree();
  size_t i = 0;
  for (auto _ : state) {
    auto proof = ConsistencyProof(Sample(i++ % kSamples) + 1, kTreeSize, tree.reader());
    benchmark::DoNotOptimize(proof);
  }
}
BENCHMARK(BM_ConsistencyProof);

void BM_VerifyInclusion(benchmark::State& state) {
  const InMemoryTree& tree = Tree();
  std::vector<std::vector<Hash>> proofs;
  for (size_t i = 0; i < kSamples; ++i) {
    proofs.push_back(Must(InclusionProof(Sample(i), kTreeSize, tree.reader())));
  }
  const Hash root = tree.root();
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++ % kSamples;
    uint64_t index = Sample(k);
    if (!VerifyInclusion(index, kTreeSize, tree.leaf(index), proofs[k], root)) std::abort();
  }
}
BENCHMARK(BM_VerifyInclusion);

void BM_VerifyConsistency(benchmark::State& state) {
  const InMemoryTree& tree = Tree();
  std::vector<std::vector<Hash>> proofs;
  std::vector<Hash> old_roots;
  for (size_t i = 0; i < kSamples; ++i) {
    proofs.push_back(Must(ConsistencyProof(Sample(i) + 1, kTreeSize, tree.reader())));
    old_roots.push_back(Must(RootHash(Sample(i) + 1, tree.reader())));
  }
  const Hash root = tree.root();
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++ % kSamples;
    if (!VerifyConsistency(Sample(k) + 1, kTreeSize, old_roots[k], root, proofs[k])) std::abort();
  }
}
BENCHMARK(BM_VerifyConsistency);

// Appending a leaf: the hashing a ledger does per integrated entry.
void BM_TreeBuilderAppend(benchmark::State& state) {
  TreeBuilder builder;
  std::vector<TreeBuilder::Node> created;
  const Hash leaf = LeafHash("entry");
  for (auto _ : state) {
    created.clear();
    builder.Append(leaf, &created);
    benchmark::DoNotOptimize(created.data());
  }
}
BENCHMARK(BM_TreeBuilderAppend);

}  // namespace
}  // namespace chipledger

BENCHMARK_MAIN();
