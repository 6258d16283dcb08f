// HTTP hardening (issue 17, docs/api.md "HTTP hardening"), through the real chipledgerd:
// ambiguous request framing, undeclared query parameters, POSTs without a body, clients behind
// trusted proxies, pipelining, and the modes of the data and backup directories.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tests/api/daemon_fixture.h"
#include "tests/testing/raw_connection.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

size_t CountResponses(const std::string& bytes) {
  size_t count = 0;
  for (size_t at = bytes.find("HTTP/1.1 "); at != std::string::npos;
       at = bytes.find("HTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

class HardeningApiTest : public DaemonTest {
 protected:
  std::string Request(const std::string& method, const std::string& path,
                      const std::string& headers) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
  }
};

TEST_F(HardeningApiTest, AmbiguousFramingIsRefusedAndTheConnectionClosed) {
  Start();
  const std::string smuggled = Request("GET", "/healthz", "");
  const std::string body = "{}";
  struct Case {
    std::string headers;
    std::string names;  // what the message must name
  };
  const std::vector<Case> cases = {
      {"Content-Length: 2\r\nContent-Length: " + std::to_string(2 + smuggled.size()) + "\r\n",
       "Content-Length"},
      {"Content-Length: 2\r\nContent-Length: 2\r\n", "Content-Length"},
      {"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding"},
      {"Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", "Transfer-Encoding"},
      {"Content-Length: +2\r\n", "Content-Length"},
      {"Transfer-Encoding: xchunked\r\n", "Transfer-Encoding"},
      {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "Transfer-Encoding"},
  };
  for (const Case& c : cases) {
    RawConnection conn(daemon_->port());
    ASSERT_TRUE(conn.Send(Request("POST", "/v1/events", c.headers) + body + smuggled));
    bool closed = false;
    SteadyClock::time_point start = SteadyClock::now();
    std::string answer = conn.ReadUntilClosed(milliseconds(4000), &closed);
    // Closed by the server at once, not by the 5 s keep-alive timeout.
    EXPECT_TRUE(closed) << c.headers;
    EXPECT_LT(SteadyClock::now() - start, milliseconds(3000)) << c.headers;
    EXPECT_EQ(StatusOf(answer), 400) << c.headers << answer;
    EXPECT_EQ(CountResponses(answer), 1u) << "the smuggled request was served: " << answer;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
    json error = BodyOf(answer);
    EXPECT_EQ(error["error"], "bad_framing") << answer;
    EXPECT_NE(error["message"].get<std::string>().find(c.names), std::string::npos) << answer;
  }
  // The refusals are counted; the server still answers.
  std::string metrics = Get("/metrics", "admin")->body;
  EXPECT_NE(metrics.find("chipledger_refusals_total{code=\"bad_framing\"} 7"), std::string::npos)
      << metrics;
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST_F(HardeningApiTest, UndeclaredQueryParametersAreRefusedOnEveryRoute) {
  Start();
  const std::vector<std::pair<std::string, std::string>> paths = {
      {"/v1/entries/0", "regulator"},
      {"/v1/events", "regulator"},
      {"/v1/proofs/inclusion?index=0&", "regulator"},
      {"/v1/proofs/consistency?old=1&", "witness"},
      {"/v1/chips/SN-1", "regulator"},
      {"/v1/sites/site-1", "regulator"},
      {"/v1/parties/party-1", "regulator"},
      {"/v1/agents/authority-1", "regulator"},
      {"/v1/licenses/license-1", "regulator"},
      {"/v1/findings", "regulator"},
      {"/v1/whitelist", "regulator"},
      {"/v1/chips/SN-1/events", "regulator"},
      {"/v1/chips?site=site-1&", "regulator"},
      {"/v1/sites", "regulator"},
      {"/v1/parties", "regulator"},
      {"/v1/licenses", "regulator"},
      {"/v1/agents", "regulator"},
      {"/v1/shipments", "regulator"},
      {"/tile/0/000.p/1", "regulator"},
      {"/tile/entries/000.p/1", "regulator"},
      {"/checkpoint", ""},
      {"/healthz", ""},
      {"/metrics", "admin"},
  };
  for (const auto& [path, role] : paths) {
    std::string url = path + (path.find('?') == std::string::npos ? "?" : "") + "verbose=1";
    httplib::Result res = Get(url, role);
    ASSERT_TRUE(res) << url;
    EXPECT_EQ(res->status, 400) << url << " " << res->body;
    EXPECT_EQ(Json(res)["error"], "bad_parameter") << url;
    EXPECT_EQ(Json(res)["message"], "verbose: unknown parameter") << url;
  }
  // POST routes take none either; a declared parameter given twice is refused too.
  httplib::Headers admin{{"Authorization", "Bearer " + tokens_["admin"]}};
  httplib::Result backup = client_->Post("/v1/admin/backup?path=/tmp/x", admin, "", "text/plain");
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->status, 400);
  EXPECT_EQ(Json(backup)["message"], "path: unknown parameter");
  httplib::Result submit = client_->Post("/v1/events?dry_run=1", "{}", "application/json");
  ASSERT_TRUE(submit);
  EXPECT_EQ(submit->status, 400);
  EXPECT_EQ(Json(submit)["message"], "dry_run: unknown parameter");
  httplib::Result twice = Get("/v1/proofs/inclusion?index=0&index=1");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  EXPECT_EQ(Json(twice)["message"], "index: given more than once");
  // Authentication comes first, as for any other refusal of a reader route.
  EXPECT_EQ(Get("/v1/entries/0?verbose=1", "")->status, 401);
  // Declared parameters still work.
  EXPECT_EQ(Get("/v1/proofs/inclusion?index=0")->status, 200);
  EXPECT_EQ(Get("/v1/events?limit=1")->status, 200);
}

TEST_F(HardeningApiTest, PostWithoutContentLengthHasAnEmptyBody) {
  if (OnPostgres()) GTEST_SKIP() << "backs up RocksDB; PostgreSQL answers 409 backup_unsupported";
  Start();
  RawConnection conn(daemon_->port());
  // `curl -X POST .../v1/admin/backup` sends neither Content-Length nor Transfer-Encoding.
  const std::string backup =
      Request("POST", "/v1/admin/backup", "Authorization: Bearer " + tokens_["admin"] + "\r\n");
  SteadyClock::time_point start = SteadyClock::now();
  ASSERT_TRUE(conn.Send(backup));
  std::string first = conn.ReadResponse(milliseconds(4000));
  EXPECT_LT(SteadyClock::now() - start, milliseconds(2000)) << "waited for a body";
  EXPECT_EQ(StatusOf(first), 201) << first;
  EXPECT_EQ(BodyOf(first)["path"].get<std::string>().rfind(data_ + "/backups/", 0), 0u) << first;
  // The connection stays usable; a submission without a body is an empty (refused) envelope.
  ASSERT_TRUE(conn.Send(Request("POST", "/v1/events", "")));
  std::string second = conn.ReadResponse(milliseconds(4000));
  EXPECT_EQ(StatusOf(second), 400) << second;
  EXPECT_EQ(BodyOf(second)["error"], "bad_envelope") << second;
}

TEST_F(HardeningApiTest, TrustedProxiesNameTheRateLimitedClient) {
  Start({{"trusted_proxies", {"127.0.0.0/8"}},
         {"limits", {{"rate_per_second", 0.01}, {"rate_burst", 2}}}});
  auto status = [this](const std::string& header, const std::string& value) {
    httplib::Headers headers{{header, value}};
    httplib::Result res = client_->Get("/healthz", headers);
    return res ? res->status : 0;
  };
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.1"), 200);
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.1"), 200);
  httplib::Result limited =
      client_->Get("/healthz", httplib::Headers{{"X-Forwarded-For", "203.0.113.1"}});
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(Json(limited)["message"], "too many requests from 203.0.113.1");
  // Each client has its own bucket behind the proxy.
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.2"), 200);
  EXPECT_EQ(status("X-Real-IP", "198.51.100.9"), 200);
  // Hops added by trusted proxies are skipped; the first untrusted address is the client.
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.1, 127.0.0.5"), 429);
  // What a client writes to the left of it is not believed.
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.3, 203.0.113.2"), 200);
  EXPECT_EQ(status("X-Forwarded-For", "203.0.113.4, 203.0.113.2"), 429);

  daemon_->Terminate();
  std::ifstream log(dir_.path() + "/chipledgerd.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(R"("peer":"127.0.0.1")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("remote":"203.0.113.1")"), std::string::npos) << text;
}

TEST_F(HardeningApiTest, ForwardedForIsIgnoredWithoutTrustedProxies) {
  Start({{"limits", {{"rate_per_second", 0.01}, {"rate_burst", 2}}}});
  int limited = 0;
  for (int i = 0; i < 3; ++i) {
    httplib::Headers headers{{"X-Forwarded-For", "203.0.113." + std::to_string(i)},
                             {"X-Real-IP", "198.51.100." + std::to_string(i)}};
    httplib::Result res = client_->Get("/healthz", headers);
    ASSERT_TRUE(res);
    if (res->status == 429) {
      ++limited;
      EXPECT_EQ(Json(res)["message"], "too many requests from 127.0.0.1");
    }
  }
  EXPECT_EQ(limited, 1);
}

TEST_F(HardeningApiTest, BadTrustedProxiesAreRefusedAtStart) {
  std::string text = LogOfRefusedStart(R"({"trusted_proxies": ["127.0.0.1", "10.0.0.0/33"]})");
  EXPECT_NE(text.find("trusted_proxies[1]: prefix length must be 0 to 32"), std::string::npos)
      << text;
}

// inet_pton reads up to a NUL, so without the check "10.0.0.1\0junk" would trust 10.0.0.1.
TEST_F(HardeningApiTest, AProxyAddressWithANulByteIsRefusedAtStart) {
  std::string text = LogOfRefusedStart(R"({"trusted_proxies": ["10.0.0.1\u0000junk"]})");
  EXPECT_NE(text.find("trusted_proxies[0]"), std::string::npos) << text;
}

TEST_F(HardeningApiTest, ARefusalBeforeTheBodyIsReadClosesTheConnection) {
  Start({{"limits", {{"rate_per_second", 0.01}, {"rate_burst", 1}}}});
  ASSERT_EQ(client_->Get("/healthz")->status, 200);
  RawConnection conn(daemon_->port());
  // The body is never read: were the connection kept, it would be parsed as the next request.
  const std::string body = Request("GET", "/healthz", "");
  ASSERT_TRUE(conn.Send(
      Request("POST", "/v1/events", "Content-Length: " + std::to_string(body.size()) + "\r\n") +
      body));
  bool closed = false;
  std::string answer = conn.ReadUntilClosed(milliseconds(4000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(StatusOf(answer), 429) << answer;
  EXPECT_EQ(CountResponses(answer), 1u) << answer;
  EXPECT_EQ(BodyOf(answer)["error"], "rate_limited") << answer;
}

// A documented limitation (docs/api.md "HTTP hardening"): cpp-httplib 0.11 reads each request
// through a fresh buffered stream, so a second request that arrived with the first is discarded
// with the first request's buffer; the connection then idles until the keep-alive timeout.
TEST_F(HardeningApiTest, PipelinedRequestsAfterTheFirstAreNotAnswered) {
  Start({{"limits", {{"keep_alive_timeout_s", 1}}}});
  RawConnection conn(daemon_->port());
  ASSERT_TRUE(conn.Send(Request("GET", "/healthz", "") + Request("GET", "/checkpoint", "")));
  bool closed = false;
  std::string answer = conn.ReadUntilClosed(milliseconds(5000), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_EQ(CountResponses(answer), 1u) << answer;
  // Requests sent one after the other's answer on one connection are all served.
  RawConnection sequential(daemon_->port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sequential.Send(Request("GET", "/healthz", "")));
    EXPECT_EQ(StatusOf(sequential.ReadResponse(milliseconds(3000))), 200) << i;
  }
}

TEST_F(HardeningApiTest, DataAndBackupDirectoriesAreOwnerOnly) {
  if (OnPostgres()) GTEST_SKIP() << "backs up RocksDB; PostgreSQL answers 409 backup_unsupported";
  mode_t old_mask = ::umask(022);
  std::string data = dir_.path() + "/new/ledger";
  Result<std::string> created = api::RunCommand(
      kChipledgerd, {"init", "--data", data, "--origin", "test.chipledger.example/log",
                     "--authority", authority_.id() + "=" + authority_.public_key_base64()});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(ModeOf(data), 0700u);
  EXPECT_EQ(ModeOf(dir_.path() + "/new"), 0700u);
  EXPECT_EQ(ModeOf(data_), 0700u);  // the fixture's, made the same way

  Start();
  httplib::Headers admin{{"Authorization", "Bearer " + tokens_["admin"]}};
  httplib::Result made = client_->Post("/v1/admin/backup", admin, "", "application/json");
  ASSERT_TRUE(made);
  ASSERT_EQ(made->status, 201) << made->body;
  EXPECT_EQ(ModeOf(data_ + "/backups"), 0700u);
  EXPECT_EQ(ModeOf(Json(made)["path"].get<std::string>()), 0700u);

  daemon_->Terminate();
  std::string offline = dir_.path() + "/offline/copy";
  Result<std::string> copied =
      api::RunCommand(kChipledgerd, {"backup", "--data", data_, "--out", offline});
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(ModeOf(offline), 0700u);
  EXPECT_EQ(ModeOf(dir_.path() + "/offline"), 0700u);
  ::umask(old_mask);
}

}  // namespace
}  // namespace chipledger::testing
