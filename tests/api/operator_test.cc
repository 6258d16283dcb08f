// What an operator does by hand, through the real chipledgerd: the documented backup command,
// backups of a served ledger, a port that cannot be bound, listing and revoking tokens, and the
// access log (issue 16, item 4).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "api/tokens.h"
#include "tests/api/daemon_fixture.h"
#include "tests/testing/shell.h"

namespace chipledger::testing {
namespace {

const std::string kOperations = std::string(CHIPLEDGER_SOURCE_DIR) + "/docs/operations.md";

class OperatorTest : public DaemonTest {
 protected:
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(daemon_->port()); }
  // Runs chipledgerd with `args` (already quoted), stdout and stderr together.
  static Outcome Chipledgerd(const std::string& args) {
    return Shell("timeout 60 " + Quote(kChipledgerd) + " " + args + " 2>&1");
  }
  std::string Backup(const std::string& out) {
    return "backup --data " + Quote(data_) + " --out " + Quote(out);
  }
  int StatusWith(const std::string& token) {
    httplib::Result res = client_->Get("/v1/findings", {{"Authorization", "Bearer " + token}});
    return res ? res->status : -1;
  }
};

// The backup command of docs/operations.md, exactly as written but for the server's address.
std::string DocumentedBackupCommand() {
  std::smatch found;
  std::string text = ReadFile(kOperations);
  std::regex command("`(curl -X POST[^`]*/v1/admin/backup)`");
  if (!std::regex_search(text, found, command)) return "";
  return found[1];
}

TEST_F(OperatorTest, TheDocumentedBackupCommandWorksAndTheBackupKeepsTheTokens) {
  Start();
  std::string command = DocumentedBackupCommand();
  ASSERT_NE(command, "") << kOperations << " shows no curl command for /v1/admin/backup";
  command = std::regex_replace(command, std::regex("http://127\\.0\\.0\\.1:8080"), Url());
  Outcome made = Shell("ADMIN_TOKEN=" + tokens_["admin"] + "; " + command + " 2>/dev/null");
  ASSERT_EQ(made.code, 0) << command;
  nlohmann::json answer = nlohmann::json::parse(made.out, nullptr, false);
  ASSERT_TRUE(answer.contains("path")) << command << "\n" << made.out;

  // Without any body option too (curl then sends no Content-Length).
  Outcome bare = Shell("curl -s -X POST -H 'Authorization: Bearer " + tokens_["admin"] + "' " +
                       Url() + "/v1/admin/backup");
  EXPECT_NE(bare.out.find("\"path\""), std::string::npos) << bare.out;

  // A server restored from the backup knows the readers' tokens.
  daemon_->Terminate();
  data_ = answer["path"];
  Start();
  EXPECT_EQ(StatusWith(tokens_["regulator"]), 200);
}

TEST_F(OperatorTest, AnOfflineBackupKeepsTheTokens) {
  std::string out = dir_.path() + "/offline";
  ASSERT_EQ(Chipledgerd(Backup(out)).code, 0);
  data_ = out;
  Start();
  EXPECT_EQ(StatusWith(tokens_["auditor"]), 200);
}

TEST_F(OperatorTest, BackingUpOrServingAServedLedgerSaysWhatToDo) {
  Start();
  Outcome backup = Chipledgerd(Backup(dir_.path() + "/copy"));
  EXPECT_EQ(backup.code, 1);
  std::string pid = std::to_string(daemon_->pid());
  EXPECT_NE(backup.out.find("is being served by process " + pid), std::string::npos) << backup.out;
  EXPECT_NE(backup.out.find("curl -X POST"), std::string::npos) << backup.out;
  EXPECT_EQ(backup.out.find("IO error"), std::string::npos) << backup.out;

  Outcome serve = Chipledgerd("serve --data " + Quote(data_) + " --listen 127.0.0.1:0");
  EXPECT_EQ(serve.code, 1);
  EXPECT_NE(serve.out.find("is being served by process " + pid), std::string::npos) << serve.out;
}

TEST_F(OperatorTest, AnAddressThatCannotBeBoundSaysWhy) {
  int busy = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(busy, reinterpret_cast<sockaddr*>(&address), length), 0);
  ASSERT_EQ(::listen(busy, 1), 0);
  ASSERT_EQ(::getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::string port = std::to_string(ntohs(address.sin_port));

  Outcome in_use = Chipledgerd("serve --data " + Quote(data_) + " --listen 127.0.0.1:" + port);
  ::close(busy);
  EXPECT_EQ(in_use.code, 1);
  EXPECT_NE(in_use.out.find("cannot bind 127.0.0.1:" + port + ": the address is in use"),
            std::string::npos)
      << in_use.out;

  // 192.0.2.1 (TEST-NET-1) is nobody's address.
  Outcome foreign = Chipledgerd("serve --data " + Quote(data_) + " --listen 192.0.2.1:8080");
  EXPECT_EQ(foreign.code, 1);
  EXPECT_NE(foreign.out.find("\"192.0.2.1\" is not an address of this machine"), std::string::npos)
      << foreign.out;
}

TEST_F(OperatorTest, ARevokedTokenIsRefusedAtItsNextRequest) {
  Start();
  std::string by_name = CreateToken("auditor", "field-audit");
  std::string by_id = CreateToken("regulator", "ministry-b");
  ASSERT_EQ(StatusWith(by_name), 200);
  ASSERT_EQ(StatusWith(by_id), 200);

  Outcome list = Chipledgerd("token list --data " + Quote(data_));
  ASSERT_EQ(list.code, 0) << list.out;
  std::string id = api::TokenId(by_id);
  EXPECT_TRUE(std::regex_search(list.out, std::regex(id + " +regulator +\\S+ +ministry-b\n")))
      << list.out;
  EXPECT_NE(list.out.find("field-audit"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find(by_name), std::string::npos) << "the list shows a token itself";

  Outcome revoked = Chipledgerd("token revoke --data " + Quote(data_) + " --token field-audit");
  ASSERT_EQ(revoked.code, 0) << revoked.out;
  EXPECT_EQ(StatusWith(by_name), 401);
  EXPECT_EQ(StatusWith(by_id), 200);
  ASSERT_EQ(Chipledgerd("token revoke --data " + Quote(data_) + " --token " + id).code, 0);
  EXPECT_EQ(StatusWith(by_id), 401);
  EXPECT_EQ(StatusWith(tokens_["regulator"]), 200);

  Outcome unknown = Chipledgerd("token revoke --data " + Quote(data_) + " --token field-audit");
  EXPECT_EQ(unknown.code, 1);
  EXPECT_NE(unknown.out.find("no token has this name or id"), std::string::npos) << unknown.out;
  Outcome after = Chipledgerd("token list --data " + Quote(data_));
  EXPECT_EQ(after.out.find("field-audit"), std::string::npos) << after.out;
}

TEST_F(OperatorTest, TheAccessLogRoundsMillisecondsToTheMicrosecond) {
  Start();
  for (int i = 0; i < 20; ++i) ASSERT_EQ(StatusWith(tokens_["regulator"]), 200);
  daemon_->Terminate();
  std::string log = ReadFile(dir_.path() + "/chipledgerd.log");
  std::regex ms("\"ms\":([0-9.e+-]+)");
  int lines = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), ms); it != std::sregex_iterator();
       ++it, ++lines) {
    EXPECT_TRUE(std::regex_match((*it)[1].str(), std::regex("[0-9]+(\\.[0-9]{1,3})?"))) << (*it)[0];
  }
  EXPECT_GE(lines, 20) << log;
}

}  // namespace
}  // namespace chipledger::testing
