// Reads the log over HTTP as any outside client would: /checkpoint, then every entry bundle
// /tile/entries/<N>[.p/<W>] (C2SP tlog-tiles). Hash tiles are not needed: every hash is recomputed
// from the entries.
#include <chrono>
#include <optional>
#include <thread>

#include "auditor/cli/log_source.h"
#include "cli/http_client.h"
#include "ledger/tiles.h"

namespace chipledger::audit {

namespace {

constexpr int kAttempts = 3;

// "256–511": the entries a bundle holds.
std::string Range(const TileId& tile) {
  uint64_t first = tile.index * kTileWidth;
  return std::to_string(first) + "–" + std::to_string(first + tile.width - 1);
}

// Visits a bundle's entries from the `skip`-th on (at most its width); says what is wrong with
// it, if anything.
std::optional<std::string> ReadBundle(const TileId& tile, std::string_view body, uint64_t skip,
                                      const LogSource::EntryVisitor& visit) {
  Result<std::vector<std::string>> entries = DecodeEntryBundle(body);
  if (!entries.ok()) return entries.status().message();
  for (size_t i = skip; i < entries->size() && i < tile.width; ++i) visit((*entries)[i]);
  if (entries->size() == tile.width) return std::nullopt;
  return std::to_string(entries->size()) + " entries, the checkpoint's size needs " +
         std::to_string(tile.width);
}

// The kind of a failed answer: refusals keep theirs, so that the audit can tell a missing tile
// (evidence) from a refused token or a server error (no evidence).
Status HttpError(int code, const std::string& message) {
  switch (code) {
    case 401:
      return Status::Unauthenticated("http_401", message);
    case 403:
      return Status::PermissionDenied("http_403", message);
    case 404:
    case 410:
      return Status::NotFound("http_404", message);
    default:
      return Status::Unavailable(message);
  }
}

class HttpSource : public LogSource {
 public:
  explicit HttpSource(cli::HttpClient client) : client_(std::move(client)) {}

  Result<std::string> CheckpointNote() override { return Get("/checkpoint"); }

  Status ReadEntries(uint64_t begin, uint64_t size, const EntryVisitor& visit,
                     const MismatchVisitor& mismatch) override {
    for (uint64_t n = begin / kTileWidth; n * kTileWidth < size; ++n) {
      TileId tile{.entries = true, .level = 0, .index = n, .width = TileWidthAt(0, n, size)};
      Result<std::string> body = Get("/tile/" + TilePath(tile));
      if (!body.ok() && body.status().kind() != StatusKind::kNotFound) return body.status();
      uint64_t skip = begin > n * kTileWidth ? begin - n * kTileWidth : 0;
      std::optional<std::string> wrong =
          body.ok() ? ReadBundle(tile, *body, skip, visit)
                    : "the checkpoint covers it but the server says " + body.status().message();
      if (wrong) {
        mismatch(n * kTileWidth,
                 "tile/" + TilePath(tile) + " (entries " + Range(tile) + "): " + *wrong);
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

 private:
  Result<std::string> Get(const std::string& path) {
    std::string url = client_.Origin() + client_.url().prefix + path;
    std::string failure;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
      Result<cli::HttpAnswer> response = client_.Get(path);
      if (!response.ok()) {
        failure = response.status().message();  // connection trouble, in words: retry
        continue;
      }
      if (response->status == 200) return std::move(response->body);
      failure = "GET " + url + ": HTTP " + std::to_string(response->status) + " " + response->body;
      if (response->status < 500) return HttpError(response->status, failure);
    }
    return Status::Unavailable(failure + " (after " + std::to_string(kAttempts) + " attempts)");
  }

  cli::HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<LogSource>> OpenHttp(const std::string& url, const std::string& token) {
  Result<cli::HttpClient> client = cli::HttpClient::Open(
      url, "--url",
      {.bearer = token, .connect_timeout_s = 10, .read_timeout_s = 60, .keep_alive = true});
  if (!client.ok()) return Status::InvalidArgument("usage", client.status().message());
  return std::unique_ptr<LogSource>(new HttpSource(std::move(*client)));
}

}  // namespace chipledger::audit
