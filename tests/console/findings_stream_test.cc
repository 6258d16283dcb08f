// GET /v1/findings/stream against the real chipledgerd: access, parameters, a finding arriving as
// it opens and as it resolves, and resuming from an entry index (?from= and Last-Event-ID).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "ledger/time.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

// One open stream on a raw socket, read on a thread of its own; the chunked body is unframed as
// it arrives. Raw rather than httplib::Client: closing a client from another thread while its
// request blocks is not thread-safe (ThreadSanitizer reports it), while shutdown(2) on the
// socket ends the reader's recv at once.
class Stream {
 public:
  Stream(int port, const std::string& path, const httplib::Headers& headers)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    request += "\r\n";
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) !=
            static_cast<ssize_t>(request.size())) {
      ADD_FAILURE() << "cannot open " << path;
    }
    reader_ = std::thread([this] { Read(); });
  }
  ~Stream() {
    ::shutdown(fd_, SHUT_RDWR);
    reader_.join();
    ::close(fd_);
  }

  // Waits (generously: the machine may be loaded) for a message whose text contains `needle`;
  // returns its data as JSON, or null on timeout.
  json WaitFor(const std::string& needle) {
    std::unique_lock<std::mutex> lock(mu_);
    json found;
    arrived_.wait_for(lock, std::chrono::seconds(30), [&] {
      for (size_t start = 0, end; (end = text_.find("\n\n", start)) != std::string::npos;
           start = end + 2) {
        std::string message = text_.substr(start, end - start);
        size_t data = message.find("data: ");
        if (message.find(needle) == std::string::npos || data == std::string::npos) continue;
        found = json::parse(message.substr(data + 6));
        found["_id"] = message.substr(4, message.find('\n') - 4);
        return true;
      }
      return false;
    });
    return found;
  }

  std::string Text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  void Read() {
    std::string raw;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd_, buf, sizeof(buf), 0)) > 0;) {
      raw.append(buf, static_cast<size_t>(n));
      std::lock_guard<std::mutex> lock(mu_);
      Unframe(&raw);
      arrived_.notify_all();
    }
  }
  // Moves every complete chunk of `raw` (after the response head) to text_.
  void Unframe(std::string* raw) {
    if (!head_done_) {
      size_t end = raw->find("\r\n\r\n");
      if (end == std::string::npos) return;
      raw->erase(0, end + 4);
      head_done_ = true;
    }
    for (size_t line; (line = raw->find("\r\n")) != std::string::npos;) {
      size_t size = std::stoul(raw->substr(0, line), nullptr, 16);
      if (raw->size() < line + 2 + size + 2) return;
      text_.append(*raw, line + 2, size);
      raw->erase(0, line + 2 + size + 2);
    }
  }

  int fd_;
  bool head_done_ = false;  // guarded by mu_
  std::mutex mu_;
  std::condition_variable arrived_;
  std::string text_;
  std::thread reader_;
};

class FindingsStreamTest : public DaemonTest {
 protected:
  httplib::Headers Auth(const std::string& role = "regulator") {
    return {{"Authorization", "Bearer " + tokens_[role]}};
  }
  std::unique_ptr<Stream> Open(const std::string& path, httplib::Headers extra = {}) {
    httplib::Headers headers = Auth();
    headers.insert(extra.begin(), extra.end());
    return std::make_unique<Stream>(daemon_->port(), path, headers);
  }
  // A check requested with its due an hour ago: D17 (high) opens at once.
  Receipt RequestOverdueCheck() {
    MustSubmit(authority_.Next(
        "party.registered",
        {{"party",
          {{"id", "helix"}, {"name", "Helix"}, {"country", "AE"}, {"kind", "end_user"}}}}));
    MustSubmit(authority_.Next("site.registered", {{"site",
                                                    {{"id", "site-1"},
                                                     {"party", "helix"},
                                                     {"name", "Site one"},
                                                     {"country", "AE"},
                                                     {"lat", 24.4},
                                                     {"lon", 54.4}}}}));
    std::string due = FormatTime(AddSeconds(Now(), -3600));
    return MustSubmit(authority_.Next(
        "check.requested",
        {{"check", "chk-1"}, {"site", "site-1"}, {"kind", "challenge"}, {"due", due}}));
  }
};

TEST_F(FindingsStreamTest, RefusesWithoutReaderTokenAndBadResumePoints) {
  Start();
  EXPECT_EQ(Get("/v1/findings/stream", "")->status, 401);
  EXPECT_EQ(Get("/v1/findings/stream", "witness")->status, 403);
  httplib::Result bad_from = Get("/v1/findings/stream?from=-1");
  EXPECT_EQ(bad_from->status, 400);
  EXPECT_NE(bad_from->body.find("from"), std::string::npos) << bad_from->body;
  httplib::Headers bad_id = Auth();
  bad_id.emplace("Last-Event-ID", "abc");
  httplib::Result res = client_->Get("/v1/findings/stream", bad_id);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Last-Event-ID"), std::string::npos) << res->body;
}

TEST_F(FindingsStreamTest, SendsFindingsAsTheyOpenAndResolve) {
  Start();
  std::unique_ptr<Stream> stream = Open("/v1/findings/stream");
  json ready = stream->WaitFor("event: ready");
  ASSERT_FALSE(ready.is_null()) << stream->Text();
  Receipt check = RequestOverdueCheck();

  json opened = stream->WaitFor("\"opened\"");
  ASSERT_FALSE(opened.is_null()) << stream->Text();
  EXPECT_EQ(opened["finding"]["rule"], "D17");
  EXPECT_EQ(opened["finding"]["evidence"], json::array({check.index}));
  // The id is the tree size the change was seen at: it covers the entry that caused it.
  EXPECT_GT(std::stoull(opened["_id"].get<std::string>()), check.index);

  MustSubmit(authority_.Next("finding.resolved", {{"finding", opened["finding"]["id"]},
                                                  {"resolution", "check rescheduled"}}));
  json resolved = stream->WaitFor("\"resolved\"");
  ASSERT_FALSE(resolved.is_null()) << stream->Text();
  EXPECT_EQ(resolved["finding"]["id"], opened["finding"]["id"]);
  EXPECT_EQ(resolved["finding"]["status"], "resolved");
}

TEST_F(FindingsStreamTest, ResumesFromAnEntryIndex) {
  Start();
  Receipt check = RequestOverdueCheck();
  // From before the check's entry (Last-Event-ID, as EventSource resumes): it is replayed.
  std::unique_ptr<Stream> replayed =
      Open("/v1/findings/stream", {{"Last-Event-ID", std::to_string(check.index)}});
  json again = replayed->WaitFor("\"D17\"");
  ASSERT_FALSE(again.is_null()) << replayed->Text();
  EXPECT_EQ(again["change"], "opened");
  // From after it (?from=): only the ready message, no replay.
  std::unique_ptr<Stream> later =
      Open("/v1/findings/stream?from=" + std::to_string(check.index + 1));
  ASSERT_FALSE(later->WaitFor("event: ready").is_null()) << later->Text();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(later->Text().find("event: finding"), std::string::npos) << later->Text();
}

}  // namespace
}  // namespace chipledger::testing
