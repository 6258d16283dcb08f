// Reads the log over HTTP as any outside client would: /checkpoint, then every entry bundle
// /tile/entries/<N>[.p/<W>] (C2SP tlog-tiles). Hash tiles are not needed: every hash is recomputed
// from the entries.
#include <httplib.h>

#include "auditor/cli/log_source.h"
#include "ledger/tiles.h"

namespace chipledger::audit {

namespace {

constexpr int kAttempts = 3;

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

  Status ReadEntries(uint64_t size, const EntryVisitor& visit) override {
    for (uint64_t n = 0; n * kTileWidth < size; ++n) {
      TileId tile{.entries = true, .level = 0, .index = n, .width = TileWidthAt(0, n, size)};
      Result<std::string> body = Get("/tile/" + TilePath(tile));
      if (!body.ok()) return body.status();
      Result<std::vector<std::string>> entries = DecodeEntryBundle(*body);
      if (!entries.ok()) {
        return Status::Corruption("tile/" + TilePath(tile) + ": " + entries.status().message());
      }
      if (entries->size() != tile.width) {
        return Status::Corruption("tile/" + TilePath(tile) + ": " +
                                  std::to_string(entries->size()) + " entries, expected " +
                                  std::to_string(tile.width));
      }
      for (const std::string& entry : *entries) visit(entry);
    }
    return Status::Ok();
  }

 private:
  Result<std::string> Get(const std::string& path) {
    std::string url = prefix_ + path;
    std::string failure;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      httplib::Result response = client_.Get(url);
      if (!response) {
        failure = httplib::to_string(response.error());
        continue;  // connection trouble: retry
      }
      if (response->status == 200) return std::move(response->body);
      failure = "HTTP " + std::to_string(response->status) + " " + response->body;
      if (response->status < 500) break;  // the answer will not change
    }
    return Status::Unavailable("GET " + url + ": " + failure);
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
