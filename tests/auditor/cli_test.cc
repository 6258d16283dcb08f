// Runs the real chipledger-audit binary on a ledger data directory (and, when chipledgerd is
// built, over HTTP against a real server) and checks its exit codes, reports and state file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "ledger/cosignature.h"
#include "ledger/ledger.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

struct Outcome {
  int code = -1;
  std::string out;
};

// Runs a shell command, capturing stdout (stderr passes through for diagnosis).
Outcome Shell(const std::string& command) {
  Outcome run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  int status = ::pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Quote(const std::string& text) { return "'" + text + "'"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json PartyFields(const std::string& id) {
  return {
      {"party", {{"id", id}, {"name", "Party " + id}, {"country", "NL"}, {"kind", "end_user"}}}};
}

// A received shipment that was never dispatched, with a broken seal: high findings (D12, D14).
nlohmann::json BrokenSealReceipt() {
  return {{"shipment", "SHP-1"},
          {"site", "site-1"},
          {"chips", {"SN-1"}},
          {"seals", {{{"id", "seal-1"}, {"intact", false}}}}};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Result<std::string> key = Ledger::Create(
        data_.path(), CreateOptions{"ledger.test/cli", {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    log_key_ = *key;
  }

  // Appends envelopes through a writable ledger, closed again before the audit runs.
  void Append(const std::vector<std::string>& envelopes) {
    auto ledger = Ledger::Open(data_.path(), OpenOptions{});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (const std::string& envelope : envelopes) {
      AppendResult result = (*ledger)->Append(envelope);
      ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    }
  }

  Outcome Audit(const std::string& data, const std::string& extra = "") {
    return Shell(Quote(kAudit) + " --data " + Quote(data) + " --log-key " + Quote(log_key_) +
                 " --out " + Quote(out_.path()) + " " + extra);
  }

  nlohmann::json ReportJson() {
    return nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false);
  }

  TempDir data_, out_;
  TestAgent gov_{"gov"};
  TestAgent operator_{"op"};
  std::string log_key_;
};

TEST_F(CliTest, CleanLogExitsZeroAndWritesBothReports) {
  Append({gov_.Next("party.registered", PartyFields("eu-1"))});
  Outcome run = Audit(data_.path());
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("integrity: ok, 2 entries verified"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(out_.path() + "/report.html"), std::string::npos) << run.out;
  nlohmann::json report = ReportJson();
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["integrity"]["ok"], true);
  EXPECT_EQ(report["integrity"]["entries_checked"], 2);
  EXPECT_EQ(report["log"]["origin"], "ledger.test/cli");
  EXPECT_EQ(report["log"]["tree_size"], 2);
  EXPECT_EQ(ReadFile(out_.path() + "/report.html").rfind("<!DOCTYPE html>", 0), 0u);
}

TEST_F(CliTest, OpenHighFindingExitsOneUnlessBelowTheThresholdOrAfterAsOf) {
  Append({gov_.Next("agent.enrolled", TestAgent::Enrollment(operator_, "site_operator", "gov"))});
  std::string before = FormatTime(Now());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a later integrated_time
  Append({operator_.Next("shipment.received", BrokenSealReceipt())});

  Outcome run = Audit(data_.path());
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_NE(run.out.find("high"), std::string::npos) << run.out;
  bool seal = false;
  nlohmann::json report = ReportJson();
  for (const nlohmann::json& finding : report["findings"]) seal |= finding["rule"] == "D12";
  EXPECT_TRUE(seal) << report.dump(2);

  Outcome as_of = Audit(data_.path(), "--as-of " + before);
  EXPECT_EQ(as_of.code, 0) << as_of.out;
  EXPECT_EQ(ReportJson()["integrity"]["entries_checked"], 3);  // still verified, not judged
  EXPECT_EQ(ReportJson()["findings"].size(), 0u);
}

TEST_F(CliTest, WrongLogKeyIsAnIntegrityFailure) {
  TempDir other;
  Result<std::string> other_key = Ledger::Create(
      other.path(), CreateOptions{"ledger.test/cli", {{"gov", gov_.key().public_key}}});
  ASSERT_TRUE(other_key.ok());
  log_key_ = *other_key;
  Outcome run = Audit(data_.path());
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_NE(run.out.find("integrity: FAILED"), std::string::npos) << run.out;
  nlohmann::json report = ReportJson();
  EXPECT_EQ(report["integrity"]["ok"], false);
  EXPECT_EQ(report["integrity"]["errors"][0]["check"], "I1");
}

TEST_F(CliTest, StateFileCatchesARollback) {
  TempDir snapshot;
  std::filesystem::copy(data_.path(), snapshot.path(), std::filesystem::copy_options::recursive);
  Append({gov_.Next("party.registered", PartyFields("eu-1"))});
  std::string state = out_.path() + "/state";

  Outcome first = Audit(data_.path(), "--state " + Quote(state));
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_NE(ReadFile(state).find("ledger.test/cli\n2\n"), std::string::npos) << ReadFile(state);

  Outcome again = Audit(data_.path(), "--state " + Quote(state));
  EXPECT_EQ(again.code, 0) << again.out;

  Outcome rolled_back = Audit(snapshot.path(), "--state " + Quote(state));
  EXPECT_EQ(rolled_back.code, 2) << rolled_back.out;
  EXPECT_EQ(ReportJson()["integrity"]["errors"][0]["check"], "I6");
  EXPECT_NE(ReadFile(state).find("ledger.test/cli\n2\n"), std::string::npos);  // not rolled back
}

TEST_F(CliTest, BadArgumentsExitThreeNamingTheFlag) {
  Outcome missing = Shell(Quote(kAudit) + " --data " + Quote(data_.path()) + " 2>&1");
  EXPECT_EQ(missing.code, 3);
  EXPECT_NE(missing.out.find("--log-key"), std::string::npos) << missing.out;
  Outcome severity = Audit(data_.path(), "--fail-on severe 2>&1");
  EXPECT_EQ(severity.code, 3);
  EXPECT_NE(severity.out.find("--fail-on"), std::string::npos) << severity.out;
  Outcome param = Audit(data_.path(), "--param receipt_dayz=3 2>&1");
  EXPECT_EQ(param.code, 3);
  EXPECT_NE(param.out.find("--param"), std::string::npos) << param.out;
  Outcome help = Shell(Quote(kAudit) + " --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: chipledger-audit"), std::string::npos);
}

// A witness verifier key from a fixed seed.
std::string WitnessVkey(const std::string& name, uint8_t seed) {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(seed);
  return FormatWitnessKey({name, KeyPairFromSeed(bytes).public_key});
}

// A data directory's checkpoint is the log's own, never cosigned: a reader requiring witnesses
// must fail I8 on it.
TEST_F(CliTest, WitnessesRequiredOnAnUncosignedCheckpointFailI8) {
  Append({gov_.Next("party.registered", PartyFields("eu-1"))});
  std::string a = WitnessVkey("witness-a.example", 1), b = WitnessVkey("witness-b.example", 2);
  std::string state = out_.path() + "/state";
  Outcome run = Audit(data_.path(), "--witness " + Quote(a) + " --witness " + Quote(b) +
                                        " --witness-quorum 1 --state " + Quote(state));
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_NE(run.out.find("witnesses: 0 of 2 cosigned (quorum 1)"), std::string::npos) << run.out;
  nlohmann::json report = ReportJson();
  EXPECT_EQ(report["integrity"]["ok"], false);
  ASSERT_EQ(report["integrity"]["errors"].size(), 1u) << report["integrity"].dump();
  nlohmann::json error = report["integrity"]["errors"][0];
  EXPECT_EQ(error["check"], "I8");
  EXPECT_TRUE(error["index"].is_null());
  std::string message = error["message"].get<std::string>();
  EXPECT_NE(message.find("missing: witness-a.example, witness-b.example"), std::string::npos)
      << message;
  EXPECT_EQ(report["log"]["witness_quorum"], 1);
  EXPECT_EQ(report["log"]["witnesses"], nlohmann::json::array());
  EXPECT_NE(ReadFile(out_.path() + "/report.html").find(message), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(state));  // an untrusted checkpoint is not remembered

  Outcome unwitnessed = Audit(data_.path());
  EXPECT_EQ(unwitnessed.code, 0) << unwitnessed.out;
  EXPECT_EQ(ReportJson()["integrity"]["not_run"][1]["check"], "I8");
}

TEST_F(CliTest, BadWitnessFlagsExitThreeNamingTheFlag) {
  std::string a = WitnessVkey("witness-a.example", 1), b = WitnessVkey("witness-b.example", 2);
  auto expect_refused = [&](const std::string& flags, const std::string& flag,
                            const std::string& why) {
    Outcome run = Audit(data_.path(), flags + " 2>&1");
    EXPECT_EQ(run.code, 3) << flags << "\n" << run.out;
    EXPECT_NE(run.out.find(flag + ": "), std::string::npos) << flags << "\n" << run.out;
    EXPECT_NE(run.out.find(why), std::string::npos) << flags << "\n" << run.out;
  };
  expect_refused("--witness not-a-key", "--witness", "witness key");
  expect_refused("--witness " + Quote(log_key_), "--witness", "witness key");  // a log key (0x01)
  expect_refused("--witness " + Quote(a) + " --witness " + Quote(a), "--witness", "named twice");
  expect_refused("--witness " + Quote(a) + " --witness-quorum 0", "--witness-quorum",
                 "between 1 and 1");
  expect_refused("--witness " + Quote(a) + " --witness " + Quote(b) + " --witness-quorum 3",
                 "--witness-quorum", "between 1 and 2");
  expect_refused("--witness " + Quote(a) + " --witness-quorum two", "--witness-quorum",
                 "positive integer");
  expect_refused("--witness-quorum 1", "--witness-quorum", "needs witnesses");
}

#ifdef CHIPLEDGER_HAVE_CHIPLEDGERD
const std::string kDaemon = CHIPLEDGER_BINARY_DIR "/api/chipledgerd";

// A running `chipledgerd serve`, stopped with SIGTERM.
class Server {
 public:
  explicit Server(const std::string& data) {
    int out[2];
    if (::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      int quiet = ::open("/dev/null", O_WRONLY);  // the request log
      ::dup2(quiet, STDERR_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execl(kDaemon.c_str(), kDaemon.c_str(), "serve", "--data", data.c_str(), "--listen",
              "127.0.0.1:0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    const std::string prefix = "chipledgerd listening on ";
    if (line.rfind(prefix, 0) == 0) url_ = line.substr(prefix.size());
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

// A ledger created with `chipledgerd init`, served by a real chipledgerd, and an auditor token.
class CliHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Outcome init = Shell(Quote(kDaemon) + " init --data " + Quote(data_.path()) +
                         " --origin ledger.test/http --authority gov=" + gov_.public_key_base64());
    ASSERT_EQ(init.code, 0);
    log_key_ = init.out.substr(0, init.out.find('\n'));
    Outcome token = Shell(Quote(kDaemon) + " token create --data " + Quote(data_.path()) +
                          " --role auditor --name audit-test");
    ASSERT_EQ(token.code, 0);
    bearer_ = token.out.substr(0, token.out.find('\n'));
    server_ = std::make_unique<Server>(data_.path());
    ASSERT_FALSE(server_->url().empty());
    client_ = std::make_unique<httplib::Client>(server_->url());
  }

  void Submit(const std::string& envelope) {
    auto response = client_->Post("/v1/events", envelope, "application/json");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 201) << response->body;
  }

  std::string AuditCommand() const {
    return Quote(kAudit) + " --url " + Quote(server_->url()) + " --log-key " + Quote(log_key_) +
           " --out " + Quote(out_.path());
  }

  TempDir data_, out_;
  TestAgent gov_{"gov"};
  std::string log_key_, bearer_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(CliHttpTest, AuditsARunningServerThroughTiles) {
  // More than one entry bundle, the last one partial.
  for (int i = 0; i < 300; ++i) {
    Submit(gov_.Next("party.registered", PartyFields("eu-" + std::to_string(i))));
  }

  std::string audit = AuditCommand();
  Outcome run = Shell(audit + " --token " + Quote(bearer_));
  EXPECT_EQ(run.code, 0) << run.out;
  nlohmann::json report =
      nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false);
  EXPECT_EQ(report["integrity"]["ok"], true);
  EXPECT_EQ(report["log"]["tree_size"], 301);

  // The data directory, read-only while the server holds it open, gives the same log.
  Outcome direct = Shell(Quote(kAudit) + " --data " + Quote(data_.path()) + " --log-key " +
                         Quote(log_key_) + " --out " + Quote(out_.path()));
  EXPECT_EQ(direct.code, 0) << direct.out;
  nlohmann::json direct_report =
      nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false);
  EXPECT_EQ(direct_report["log"], report["log"]);

  Outcome refused = Shell(audit + " --token wrong 2>&1");
  EXPECT_EQ(refused.code, 3) << refused.out;
  EXPECT_NE(refused.out.find("401"), std::string::npos) << refused.out;
}

// SPEC §8: the rules run live inside the server and in the batch audit; over the same log they
// must find exactly the same findings (ids, severities, subjects, evidence, status).
TEST_F(CliHttpTest, BatchAndLiveFindingsAreIdentical) {
  TestAgent operator_agent("op");
  Submit(
      gov_.Next("agent.enrolled", TestAgent::Enrollment(operator_agent, "site_operator", "gov")));
  Submit(operator_agent.Next("shipment.received", BrokenSealReceipt()));
  nlohmann::json second = BrokenSealReceipt();
  second["shipment"] = "SHP-2";
  second["chips"] = {"SN-2", "SN-3"};
  second["seals"] = {{{"id", "seal-2"}, {"intact", false}}};
  Submit(operator_agent.Next("shipment.received", second));

  Outcome run = Shell(AuditCommand() + " --token " + Quote(bearer_));
  EXPECT_EQ(run.code, 1) << run.out;  // high findings, integrity intact
  nlohmann::json batch =
      nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false)["findings"];
  auto live = client_->Get("/v1/findings", {{"Authorization", "Bearer " + bearer_}});
  ASSERT_TRUE(live);
  ASSERT_EQ(live->status, 200) << live->body;
  nlohmann::json live_findings = nlohmann::json::parse(live->body, nullptr, false)["findings"];
  ASSERT_GE(batch.size(), 4u) << batch.dump();  // D12 and D14 for each receipt
  EXPECT_EQ(live_findings, batch);
}
#endif

}  // namespace
}  // namespace chipledger::audit
