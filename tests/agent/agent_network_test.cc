// Network failures said in words (issue 16, item 3): the shared HTTP client against real sockets
// (nothing listening, a name that does not resolve, TLS to a plain-HTTP server, a server that
// never answers), and the agent and the auditor binaries as a user meets them: the cause, retry
// progress on a terminal only, and a ledger that does not sign with the configured log key.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <thread>

#include "cli/http_client.h"
#include "tests/agent/agent_fixture.h"

namespace chipledger::agent {
namespace {

using namespace testing;  // NOLINT: the harness
using chipledger::cli::HttpClient;
using chipledger::cli::HttpOptions;
using chipledger::cli::ParseHttpUrl;

// A TCP socket on 127.0.0.1 that listens (the kernel completes handshakes) but never answers;
// closed, its port has nothing listening.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), size), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { Close(); }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  std::string Url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port_);
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string Failure(const std::string& url, HttpOptions options = {}) {
  Result<HttpClient> client = HttpClient::Open(url, "--url", options);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) return "";
  Result<cli::HttpAnswer> answer = client->Get("/checkpoint");
  EXPECT_FALSE(answer.ok());
  EXPECT_EQ(answer.status().kind(), StatusKind::kUnavailable);
  return answer.ok() ? "" : answer.status().message();
}

TEST(HttpClientTest, UrlsAreCheckedWithTheFix) {
  struct Case {
    std::string url, expected;
  } cases[] = {
      {"localhost:8080", "--ledger: 'localhost:8080' has no scheme: write http://localhost:8080"},
      {"ftp://ledger", "--ledger: scheme 'ftp' is not supported: use http:// or https://"},
      {"http://", "--ledger: no host in 'http://'"},
      {"http://ledger:99999", "--ledger: port '99999' must be a number from 1 to 65535"},
      {"http://ledger/?x=1", "--ledger: 'http://ledger/?x=1' must not carry a query"},
      {"", "--ledger: empty"},
  };
  for (const Case& c : cases) {
    Result<cli::HttpUrl> url = ParseHttpUrl(c.url, "--ledger");
    ASSERT_FALSE(url.ok()) << c.url;
    EXPECT_EQ(url.status().message().substr(0, c.expected.size()), c.expected);
  }
  Result<cli::HttpUrl> url = ParseHttpUrl("https://[::1]:8443/ledger/", "--ledger");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->prefix, "/ledger");
  EXPECT_EQ(ParseHttpUrl("http://ledger.example", "--ledger")->port, 80);
}

TEST(HttpClientTest, TransportFailuresAreSaidInWords) {
  SilentListener silent;
  std::string timeout = Failure(silent.Url(), {.read_timeout_s = 1});
  EXPECT_NE(timeout.find("GET " + silent.Url() + "/checkpoint: timeout: 127.0.0.1:"),
            std::string::npos)
      << timeout;
  EXPECT_NE(timeout.find("accepted the connection but sent no answer within 1 s"),
            std::string::npos)
      << timeout;
  silent.Close();
  std::string refused = Failure(silent.Url());
  EXPECT_NE(refused.find("connection refused: nothing listens on 127.0.0.1:"), std::string::npos)
      << refused;

  std::string unknown = Failure("http://no-such-host.invalid:8080");
  EXPECT_NE(unknown.find("name not found: the host name 'no-such-host.invalid' does not resolve"),
            std::string::npos)
      << unknown;

  httplib::Server plain;
  plain.Get("/checkpoint", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("plain", "text/plain");
  });
  int port = plain.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { plain.listen_after_bind(); });
  while (!plain.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::string tls = Failure("https://127.0.0.1:" + std::to_string(port));
  EXPECT_NE(tls.find("TLS handshake with 127.0.0.1:" + std::to_string(port) +
                     " failed: is it a plain-HTTP server? (then write http:// in the URL)"),
            std::string::npos)
      << tls;
  plain.stop();
  serving.join();
}

class NetworkTest : public AgentBinaryTest {
 protected:
  void SetUp() override {
    AgentBinaryTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(KeygenInspector());
    fs::path fields = fs::path(dir_.path()) / "fields.json";
    std::ofstream(fields) << Inspection(1).dump();
    ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", fields.string()}).exit_code,
              0);
  }
};

TEST_F(NetworkTest, AnOfflineSubmitSaysWhyAndShowsRetriesOnlyOnATerminal) {
  server_.Stop(SIGTERM);
  std::vector<std::string> submit = {Binary(),    "--home", home_.string(), "submit",
                                     "--retries", "2",      "--backoff",    "0.01"};
  ProcessResult piped = RunProcess(submit, dir_.path());
  EXPECT_EQ(piped.exit_code, 1);
  std::string refused =
      "connection refused: nothing listens on 127.0.0.1:" + std::to_string(server_.port()) +
      " (is the server running";
  EXPECT_NE(piped.err.find(refused), std::string::npos) << piped.err;
  EXPECT_NE(piped.err.find("failed 3 times"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("retrying"), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("Connection"), std::string::npos) << piped.err;

  std::optional<ProcessResult> on_terminal = RunOnTerminal(submit);
  if (!on_terminal) GTEST_SKIP() << "no pseudo-terminal on this machine (forkpty failed)";
  const ProcessResult& shown = *on_terminal;
  EXPECT_EQ(shown.exit_code, 1);
  EXPECT_NE(shown.out.find("GET " + server_.url() + "/checkpoint: " + refused), std::string::npos)
      << shown.out;
  EXPECT_NE(shown.out.find("; attempt 1 of 3, retrying in 0.01 s"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("; attempt 2 of 3, retrying in 0.02 s"), std::string::npos) << shown.out;
}

TEST_F(NetworkTest, ALedgerWithAnotherLogKeyIsRefusedBeforeAnythingIsSent) {
  TestAgent other_authority("authority-2");
  LedgerServer other(other_authority);
  other.Start();
  ASSERT_GT(other.port(), 0);
  ASSERT_EQ(RunAgent({"configure", "--ledger", other.url()}).exit_code, 0);
  uint64_t size = other.TreeSize();
  ProcessResult submit = RunAgent({"submit"});
  EXPECT_EQ(submit.exit_code, 1);
  EXPECT_NE(submit.err.find("wrong_log_key: the ledger at " + other.url() +
                            " does not sign its checkpoint with the configured log key"),
            std::string::npos)
      << submit.err;
  EXPECT_NE(submit.err.find("nothing was sent"), std::string::npos) << submit.err;
  EXPECT_EQ(other.TreeSize(), size);
  ASSERT_EQ(RunAgent({"configure", "--ledger", server_.url()}).exit_code, 0);
  EXPECT_EQ(RunAgent({"submit"}).exit_code, 0);
}

TEST_F(NetworkTest, TheAuditorSaysWhatFailedToo) {
  std::string audit = std::string(CHIPLEDGER_BINARY_DIR) + "/auditor/chipledger-audit";
  ASSERT_TRUE(fs::exists(audit)) << "build the chipledger-audit target";
  server_.Stop(SIGTERM);
  ProcessResult failed =
      RunProcess({audit, "--url", server_.url(), "--token", "t", "--log-key", server_.log_key(),
                  "--out", (fs::path(dir_.path()) / "audit").string()},
                 dir_.path());
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE((failed.out + failed.err).find("connection refused: nothing listens on 127.0.0.1:"),
            std::string::npos)
      << failed.out << failed.err;
}

// scripts/demo.sh deletes its data directory and starts servers on its ports: with one of them
// taken it must stop first, naming the port and the process, and delete nothing (it checks
// before it builds, so this runs no build).
TEST(DemoScriptTest, ABusyPortStopsTheDemoBeforeItDeletesAnything) {
  SilentListener busy;
  TempDir demo;
  fs::path canary = fs::path(demo.path()) / "ledger-of-an-earlier-run";
  std::ofstream(canary) << "keep me";
  std::string port = busy.Url().substr(busy.Url().rfind(':') + 1);
  ProcessResult run = RunProcess(
      {"/bin/bash", std::string(CHIPLEDGER_SOURCE_DIR) + "/scripts/demo.sh"}, demo.path(),
      {"CHIPLEDGER_DEMO_DIR=" + demo.path(), "CHIPLEDGER_DEMO_PORT=" + port});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_NE(run.err.find("demo.sh: port " + port + " is in use by agent_network_t"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("Nothing was deleted"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::exists(canary));
}

}  // namespace
}  // namespace chipledger::agent
