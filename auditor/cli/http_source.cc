// Reads the log over HTTP as any outside client would: /checkpoint, then every entry bundle
// /tile/entries/<N>[.p/<W>] (C2SP tlog-tiles). Hash tiles are not needed: every hash is recomputed
// from the entries.
#include <httplib.h>

#include <chrono>
#include <optional>
#include <thread>

#include "auditor/cli/log_source.h"
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
  HttpSource(const std::string& origin, std::string prefix, const std::string& token)
      : client_(origin), prefix_(std::move(prefix)) {
    client_.set_connection_timeout(10);
    client_.set_read_timeout(60);
    client_.set_keep_alive(true);
    client_.set_bearer_token_auth(token);
  }

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
    std::string url = prefix_ + path;
    std::string failure;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250 << attempt));
      httplib::Result response = client_.Get(url);
      if (!response) {
        failure = httplib::to_string(response.error());
        continue;  // connection trouble: retry
      }
      if (response->status == 200) return std::move(response->body);
      failure = "HTTP " + std::to_string(response->status) + " " + response->body;
      if (response->status < 500) return HttpError(response->status, "GET " + url + ": " + failure);
    }
    return Status::Unavailable("GET " + url + ": " + failure + " (after " +
                               std::to_string(kAttempts) + " attempts)");
  }

  httplib::Client client_;
  std::string prefix_;
};

}  // namespace

Result<std::unique_ptr<LogSource>> OpenHttp(const std::string& url, const std::string& token) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return Status::InvalidArgument("usage", "--url: no scheme in \"" + url + "\"");
  }
  size_t path_start = url.find('/', scheme_end + 3);
  std::string origin = url.substr(0, path_start);
  std::string prefix = path_start == std::string::npos ? "" : url.substr(path_start);
  return std::unique_ptr<LogSource>(new HttpSource(origin, prefix, token));
}

}  // namespace chipledger::audit
