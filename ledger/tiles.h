// C2SP tlog-tiles (https://c2sp.org/tlog-tiles): tile paths, hash tiles and entry bundles.
#ifndef CHIPLEDGER_LEDGER_TILES_H_
#define CHIPLEDGER_LEDGER_TILES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/merkle.h"
#include "ledger/status.h"

namespace chipledger {

inline constexpr uint32_t kTileWidth = 256;

struct TileId {
  bool entries = false;  // an entry bundle (tile/entries/…) rather than a hash tile
  int level = 0;         // hash tiles only
  uint64_t index = 0;
  uint32_t width = kTileWidth;  // 1..256; 256 is a full tile
  bool full() const { return width == kTileWidth; }
};

// Parses the part after "tile/", e.g. "0/x001/234.p/17" or "entries/005". Refuses non-canonical
// index encodings and widths outside 1..255 for partial tiles.
Result<TileId> ParseTilePath(std::string_view path);
// The canonical path after "tile/".
std::string TilePath(const TileId& tile);

// Width of the tile (level, index) in a tree of `tree_size` leaves; 0 when it does not exist yet.
uint32_t TileWidthAt(int level, uint64_t index, uint64_t tree_size);

// The hash tile: `width` hashes of tree level 8*level, nodes index*256 .. index*256+width-1.
Result<std::string> HashTile(const TileId& tile, const NodeReader& nodes);

// Entry bundle: each entry as a big-endian uint16 length and its bytes.
std::string EncodeEntryBundle(const std::vector<std::string>& entries);
Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bundle);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_TILES_H_
