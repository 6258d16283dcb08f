#include "ledger/tiles.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chipledger {
namespace {

// Every complete node of a tree, per level, as a tile store keeps them.
class NodeStore {
 public:
  void Append(const Hash& leaf) {
    std::vector<TreeBuilder::Node> nodes;
    builder_.Append(leaf, &nodes);
    for (const auto& node : nodes) {
      if (levels_.size() <= static_cast<size_t>(node.level)) levels_.resize(node.level + 1);
      ASSERT_EQ(levels_[node.level].size(), node.index);
      levels_[node.level].push_back(node.hash);
    }
  }
  NodeReader Reader() const {
    return [this](int level, uint64_t index) -> Result<Hash> {
      if (level < 0 || static_cast<size_t>(level) >= levels_.size() ||
          index >= levels_[level].size()) {
        return Status::NotFound("no_node",
                                "no node " + std::to_string(level) + "/" + std::to_string(index));
      }
      return levels_[level][index];
    };
  }

 private:
  TreeBuilder builder_;
  std::vector<std::vector<Hash>> levels_;
};

Hash At(const std::string& tile, size_t i) {
  Hash hash;
  std::copy(tile.begin() + i * 32, tile.begin() + (i + 1) * 32, hash.begin());
  return hash;
}

// MTH of a tile's hashes taken as leaves of their own subtree: what one hash of the tile above
// must equal (tlog-tiles: "each hash in a tile is the Merkle Tree Hash of a full tile at the
// level below").
Hash SubtreeOf(const std::string& tile) {
  std::vector<Hash> level;
  for (size_t i = 0; i < tile.size() / 32; ++i) level.push_back(At(tile, i));
  while (level.size() > 1) {
    std::vector<Hash> up;
    for (size_t i = 0; i < level.size(); i += 2) up.push_back(NodeHash(level[i], level[i + 1]));
    level = up;
  }
  return level[0];
}

TEST(Tiles, PathKnownAnswers) {
  // c2sp.org/tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
  EXPECT_EQ(TilePath({.level = 0, .index = 1234067}), "0/x001/x234/067");
  EXPECT_EQ(TilePath({.level = 0, .index = 0}), "0/000");
  EXPECT_EQ(TilePath({.level = 3, .index = 999, .width = 7}), "3/999.p/7");
  EXPECT_EQ(TilePath({.level = 1, .index = 1000}), "1/x001/000");
  EXPECT_EQ(TilePath({.level = 15, .index = 455667}), "15/x455/667");
  EXPECT_EQ(TilePath({.level = 1, .index = 273, .width = 17}), "1/273.p/17");
  EXPECT_EQ(TilePath({.entries = true, .index = 5, .width = 12}), "entries/005.p/12");
  EXPECT_EQ(TilePath({.entries = true, .index = 1000000}), "entries/x001/x000/000");
  EXPECT_EQ(TilePath({.entries = true, .index = 123456789000}), "entries/x123/x456/x789/000");
  EXPECT_EQ(TilePath({.level = 0, .index = UINT64_MAX}), "0/x018/x446/x744/x073/x709/x551/615");
}

TEST(Tiles, ParseKnownPaths) {
  struct Case {
    const char* path;
    bool entries;
    int level;
    uint64_t index;
    uint32_t width;
  };
  const Case cases[] = {
      {"0/x001/x234/067", false, 0, 1234067, 256},
      {"0/x001/x234/067.p/89", false, 0, 1234067, 89},
      {"63/x999/x999/x999/x999/x999/999.p/255", false, 63, 999999999999999999, 255},
      {"0/001", false, 0, 1, 256},
      {"entries/x001/x234/067", true, 0, 1234067, 256},
      {"entries/000.p/1", true, 0, 0, 1},
      {"0/x018/x446/x744/x073/x709/x551/615", false, 0, UINT64_MAX, 256},
  };
  for (const Case& c : cases) {
    auto tile = ParseTilePath(c.path);
    ASSERT_TRUE(tile.ok()) << c.path << ": " << tile.status().ToString();
    EXPECT_EQ(tile->entries, c.entries) << c.path;
    EXPECT_EQ(tile->level, c.level) << c.path;
    EXPECT_EQ(tile->index, c.index) << c.path;
    EXPECT_EQ(tile->width, c.width) << c.path;
    EXPECT_EQ(tile->full(), c.width == 256) << c.path;
    EXPECT_EQ(TilePath(*tile), c.path);
  }
}

TEST(Tiles, PathsRoundTrip) {
  for (uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{999}, uint64_t{1000}, uint64_t{1001},
                         uint64_t{999999}, uint64_t{1000000}, uint64_t{1} << 40, UINT64_MAX}) {
    for (uint32_t width : {1u, 17u, 255u, 256u}) {
      for (TileId tile : {TileId{.level = 2, .index = index, .width = width},
                          TileId{.entries = true, .index = index, .width = width}}) {
        auto parsed = ParseTilePath(TilePath(tile));
        ASSERT_TRUE(parsed.ok()) << TilePath(tile);
        EXPECT_EQ(parsed->entries, tile.entries);
        EXPECT_EQ(parsed->level, tile.level);
        EXPECT_EQ(parsed->index, index);
        EXPECT_EQ(parsed->width, width);
      }
    }
  }
}

TEST(Tiles, NonCanonicalPathsAreRefused) {
  const char* const paths[] = {
      "",
      "0",
      "0/",
      "/000",
      "0//000",
      "0/x001/x234/067.p/",
      "0/x001/x234/067.p",
      "0/x001/x234/",
      "0/x001/x234",
      "0/x001/",
      "0/x001",
      "1/x001/.p/abc",
      "64/x001/002",
      "-1/x001/002",
      "abc/x001/002",
      "8/001/002",
      "8/x001/0002",
      "8/x001/-002",
      "8/x001/002.p/256",
      "63/x999/x999/x999/x999/x999/x999/999.p/255",  // beyond 2^64
      "0/x018/x446/x744/x073/x709/x551/616",         // 2^64
      "0/x000/001",                                  // leading zero group
      "00/000",
      "01/000",
      "0/1",
      "0/01",
      "0/0001",
      "0/00a",
      "0/X001/000",
      "0/000.p/0",
      "0/000.p/007",
      "0/000.p/1.p/2",
      "0/000/",
      "entries/",
      "entries",
      "entries/x000/123",
      "entries/000.p/256",
      "entry/000",
  };
  for (const char* path : paths) {
    auto tile = ParseTilePath(path);
    ASSERT_FALSE(tile.ok()) << path;
    EXPECT_EQ(tile.status().kind(), StatusKind::kInvalidArgument) << path;
    EXPECT_NE(tile.status().message().find("\"" + std::string(path) + "\""), std::string::npos)
        << tile.status().message();
  }
}

TEST(Tiles, WidthAtTreeSizes) {
  // c2sp.org/tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles,
  // one partial level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of
  // width 17, and one partial level 2 tile of width 1."
  for (uint64_t n = 0; n < 273; ++n) EXPECT_EQ(TileWidthAt(0, n, 70000), 256u) << n;
  EXPECT_EQ(TileWidthAt(0, 273, 70000), 112u);
  EXPECT_EQ(TileWidthAt(0, 274, 70000), 0u);
  EXPECT_EQ(TileWidthAt(1, 0, 70000), 256u);
  EXPECT_EQ(TileWidthAt(1, 1, 70000), 17u);
  EXPECT_EQ(TileWidthAt(1, 2, 70000), 0u);
  EXPECT_EQ(TileWidthAt(2, 0, 70000), 1u);
  EXPECT_EQ(TileWidthAt(3, 0, 70000), 0u);
  // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of
  // width 1."
  EXPECT_EQ(TileWidthAt(0, 0, 256), 256u);
  EXPECT_EQ(TileWidthAt(1, 0, 256), 1u);
  EXPECT_EQ(TileWidthAt(0, 1, 256), 0u);

  EXPECT_EQ(TileWidthAt(0, 0, 0), 0u);
  EXPECT_EQ(TileWidthAt(0, 0, 255), 255u);
  EXPECT_EQ(TileWidthAt(1, 0, 1024), 4u);
  EXPECT_EQ(TileWidthAt(1, 0, UINT64_MAX), 256u);
  EXPECT_EQ(TileWidthAt(7, 0, UINT64_MAX), 255u);
  EXPECT_EQ(TileWidthAt(8, 0, UINT64_MAX), 0u);
  EXPECT_EQ(TileWidthAt(63, 0, UINT64_MAX), 0u);
  EXPECT_EQ(TileWidthAt(64, 0, UINT64_MAX), 0u);
  EXPECT_EQ(TileWidthAt(-1, 0, UINT64_MAX), 0u);
  EXPECT_EQ(TileWidthAt(0, UINT64_MAX, UINT64_MAX), 0u);
}

TEST(Tiles, HashTilesHoldTheTreeLevels) {
  constexpr uint64_t kSize = 70000;
  NodeStore store;
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < kSize; ++i) {
    leaves.push_back(LeafHash("entry " + std::to_string(i)));
    store.Append(leaves.back());
  }
  NodeReader nodes = store.Reader();

  auto partial = HashTile({.level = 0, .index = 273, .width = 112}, nodes);
  ASSERT_TRUE(partial.ok());
  ASSERT_EQ(partial->size(), 112u * 32);
  for (size_t i = 0; i < 112; ++i) EXPECT_EQ(At(*partial, i), leaves[273 * 256 + i]);

  // Each level-1 hash is the MTH of the full level-0 tile below it, and so on up.
  auto level1 = HashTile({.level = 1, .index = 0}, nodes);
  ASSERT_TRUE(level1.ok());
  ASSERT_EQ(level1->size(), 256u * 32);
  for (uint64_t n : {uint64_t{0}, uint64_t{100}, uint64_t{255}}) {
    auto below = HashTile({.level = 0, .index = n}, nodes);
    ASSERT_TRUE(below.ok());
    EXPECT_EQ(At(*level1, n), SubtreeOf(*below)) << "level-0 tile " << n;
  }
  auto level2 = HashTile({.level = 2, .index = 0, .width = 1}, nodes);
  ASSERT_TRUE(level2.ok());
  EXPECT_EQ(At(*level2, 0), SubtreeOf(*level1));
  // The full level-2 hash is the root of the first 65,536 leaves.
  auto root = RootHash(65536, nodes);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(At(*level2, 0), *root);

  auto level1_partial = HashTile({.level = 1, .index = 1, .width = 17}, nodes);
  ASSERT_TRUE(level1_partial.ok());
  EXPECT_EQ(level1_partial->size(), 17u * 32);
}

TEST(Tiles, HashTileRefusesImpossibleTiles) {
  NodeStore store;
  store.Append(LeafHash("only"));
  EXPECT_EQ(HashTile({.entries = true, .index = 0, .width = 1}, store.Reader()).status().code(),
            "bad_tile");
  EXPECT_EQ(HashTile({.level = 8, .index = 0, .width = 1}, store.Reader()).status().code(),
            "bad_tile");
  EXPECT_EQ(HashTile({.level = 0, .index = 0, .width = 0}, store.Reader()).status().code(),
            "bad_tile");
  // A tile reaching past the stored tree fails with the store's error, not garbage.
  EXPECT_EQ(HashTile({.level = 0, .index = 0, .width = 2}, store.Reader()).status().code(),
            "no_node");
  auto one = HashTile({.level = 0, .index = 0, .width = 1}, store.Reader());
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(At(*one, 0), LeafHash("only"));
}

TEST(Tiles, EntryBundleKnownBytes) {
  std::string bundle = EncodeEntryBundle({"a", "", "bc", std::string(300, 'z')});
  EXPECT_EQ(bundle.substr(0, 9), std::string("\x00\x01"
                                             "a"
                                             "\x00\x00"
                                             "\x00\x02"
                                             "bc",
                                             9));
  EXPECT_EQ(bundle.substr(9, 2), std::string("\x01\x2c", 2));
  EXPECT_EQ(bundle.size(), 11u + 300);
  auto decoded = DecodeEntryBundle(bundle);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, (std::vector<std::string>{"a", "", "bc", std::string(300, 'z')}));

  std::string largest(65535, '\x7b');
  std::string big = EncodeEntryBundle({largest});
  EXPECT_EQ(big.substr(0, 2), "\xff\xff");
  auto big_decoded = DecodeEntryBundle(big);
  ASSERT_TRUE(big_decoded.ok());
  EXPECT_EQ(big_decoded->at(0), largest);

  EXPECT_EQ(EncodeEntryBundle({}), "");
  auto empty = DecodeEntryBundle("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Tiles, TruncatedBundlesAreRefused) {
  std::string bundle = EncodeEntryBundle({"first", "second"});
  for (size_t cut = 1; cut < bundle.size(); ++cut) {
    if (cut == 7) continue;  // exactly the first entry: a valid one-entry bundle
    auto decoded = DecodeEntryBundle(bundle.substr(0, cut));
    ASSERT_FALSE(decoded.ok()) << cut;
    EXPECT_EQ(decoded.status().code(), "bad_entry_bundle");
    EXPECT_NE(decoded.status().message().find("entry"), std::string::npos);
  }
  auto first = DecodeEntryBundle(bundle.substr(0, 7));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::vector<std::string>{"first"});
}

}  // namespace
}  // namespace chipledger
