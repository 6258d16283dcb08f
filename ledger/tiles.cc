#include "ledger/tiles.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace chipledger {
namespace {

constexpr int kMaxTileLevel = 63;  // tlog-tiles: <L> is 0..63
constexpr int kTileHeight = 8;     // a tile spans 8 tree levels (256 = 2^8 hashes)
constexpr std::string_view kEntriesPrefix = "entries/";
constexpr std::string_view kPartialMarker = ".p/";

Status BadPath(std::string_view path, std::string why) {
  return Status::InvalidArgument("bad_tile_path",
                                 "tile path \"" + std::string(path) + "\": " + std::move(why));
}

// ASCII decimal with no sign and no leading zeros, at most `max`.
bool ParseSmallDecimal(std::string_view text, uint32_t max, uint32_t* value) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size() && *value <= max;
}

bool IsThreeDigits(std::string_view text) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return text.size() == 3 && digit(text[0]) && digit(text[1]) && digit(text[2]);
}

std::string ThreeDigits(uint64_t group) {
  return {static_cast<char>('0' + group / 100), static_cast<char>('0' + group / 10 % 10),
          static_cast<char>('0' + group % 10)};
}

// "x001/x234/067" → 1234067: three-digit groups, "x" on all but the last, no leading "x000".
bool ParseTileIndex(std::string_view text, uint64_t* index) {
  *index = 0;
  bool first = true;
  while (true) {
    size_t slash = text.find('/');
    bool last = slash == std::string_view::npos;
    std::string_view element = text.substr(0, slash);
    if (!last) {
      if (element.empty() || element[0] != 'x' || (first && element == "x000")) return false;
      element.remove_prefix(1);
    }
    if (!IsThreeDigits(element)) return false;
    uint64_t group = (element[0] - '0') * 100 + (element[1] - '0') * 10 + (element[2] - '0');
    if (*index > (UINT64_MAX - group) / 1000) return false;
    *index = *index * 1000 + group;
    if (last) return true;
    text.remove_prefix(slash + 1);
    first = false;
  }
}

std::string FormatTileIndex(uint64_t index) {
  std::string path = ThreeDigits(index % 1000);
  for (index /= 1000; index > 0; index /= 1000) path = "x" + ThreeDigits(index % 1000) + "/" + path;
  return path;
}

}  // namespace

Result<TileId> ParseTilePath(std::string_view path) {
  TileId tile;
  std::string_view rest = path;
  if (rest.substr(0, kEntriesPrefix.size()) == kEntriesPrefix) {
    tile.entries = true;
    rest.remove_prefix(kEntriesPrefix.size());
  } else {
    size_t slash = rest.find('/');
    uint32_t level = 0;
    if (slash == std::string_view::npos ||
        !ParseSmallDecimal(rest.substr(0, slash), kMaxTileLevel, &level)) {
      return BadPath(path, "level must be \"entries\" or a decimal 0..63");
    }
    tile.level = static_cast<int>(level);
    rest.remove_prefix(slash + 1);
  }
  size_t partial = rest.find(kPartialMarker);
  if (partial != std::string_view::npos) {
    if (!ParseSmallDecimal(rest.substr(partial + kPartialMarker.size()), kTileWidth - 1,
                           &tile.width) ||
        tile.width == 0) {
      return BadPath(path, "partial width must be a decimal 1..255");
    }
    rest = rest.substr(0, partial);
  }
  if (!ParseTileIndex(rest, &tile.index)) {
    return BadPath(path, "index must be canonical three-digit elements, e.g. x001/x234/067");
  }
  return tile;
}

std::string TilePath(const TileId& tile) {
  std::string path = tile.entries ? std::string(kEntriesPrefix) : std::to_string(tile.level) + "/";
  path += FormatTileIndex(tile.index);
  if (!tile.full()) path += std::string(kPartialMarker) + std::to_string(tile.width);
  return path;
}

uint32_t TileWidthAt(int level, uint64_t index, uint64_t tree_size) {
  if (level < 0 || level > kMaxTileLevel) return 0;
  int shift = level * kTileHeight;
  // The tile's hashes are the complete nodes of tree level 8*level.
  uint64_t nodes = shift >= 64 ? 0 : tree_size >> shift;
  uint64_t start = index * kTileWidth;
  if (index > UINT64_MAX / kTileWidth || nodes <= start) return 0;
  return static_cast<uint32_t>(std::min<uint64_t>(nodes - start, kTileWidth));
}

Result<std::string> HashTile(const TileId& tile, const NodeReader& nodes) {
  if (tile.entries) {
    return Status::InvalidArgument("bad_tile", "an entry bundle is not a hash tile");
  }
  int tree_level = tile.level * kTileHeight;
  if (tile.level < 0 || tree_level > 63 || tile.width == 0 || tile.width > kTileWidth ||
      tile.index > (UINT64_MAX >> tree_level) / kTileWidth) {
    return Status::InvalidArgument("bad_tile", "tile " + TilePath(tile) + " cannot exist");
  }
  std::string out;
  out.reserve(tile.width * sizeof(Hash));
  for (uint32_t i = 0; i < tile.width; ++i) {
    auto hash = nodes(tree_level, tile.index * kTileWidth + i);
    if (!hash.ok()) return hash.status();
    out.append(AsBytes(*hash));
  }
  return out;
}

std::string EncodeEntryBundle(const std::vector<std::string>& entries) {
  std::string bundle;
  for (const std::string& entry : entries) {
    // SPEC §5 caps entries at 65,535 bytes and the ledger refuses larger ones before writing, so
    // a longer one here is a programming error that must not be silently truncated.
    if (entry.size() > 0xffff) std::abort();
    bundle.push_back(static_cast<char>(entry.size() >> 8));
    bundle.push_back(static_cast<char>(entry.size() & 0xff));
    bundle.append(entry);
  }
  return bundle;
}

Result<std::vector<std::string>> DecodeEntryBundle(std::string_view bundle) {
  std::vector<std::string> entries;
  while (!bundle.empty()) {
    if (bundle.size() < 2) {
      return Status::InvalidArgument(
          "bad_entry_bundle",
          "entry bundle: truncated length of entry " + std::to_string(entries.size()));
    }
    size_t length = static_cast<uint8_t>(bundle[0]) << 8 | static_cast<uint8_t>(bundle[1]);
    if (bundle.size() - 2 < length) {
      return Status::InvalidArgument(
          "bad_entry_bundle",
          "entry bundle: entry " + std::to_string(entries.size()) + " is truncated");
    }
    entries.emplace_back(bundle.substr(2, length));
    bundle.remove_prefix(2 + length);
  }
  return entries;
}

}  // namespace chipledger
