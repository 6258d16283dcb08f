// Tile paths (ledger/tiles.h ParseTilePath): non-canonical paths are refused, so an accepted path
// is exactly TilePath of the tile it names.
#include "fuzz/fuzz_check.h"
#include "ledger/tiles.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chipledger;
  std::string_view path = fuzz::Input(data, size);
  Result<TileId> tile = ParseTilePath(path);
  if (!tile.ok()) return 0;
  fuzz::Check(TilePath(*tile) == path, "an accepted tile path is canonical");
  fuzz::Check(tile->width >= 1 && tile->width <= kTileWidth, "a tile is 1 to 256 wide");
  (void)TileWidthAt(tile->entries ? 0 : tile->level, tile->index, tile->index * kTileWidth + 1);
  return 0;
}
