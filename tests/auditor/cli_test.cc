// Runs the real chipledger-audit binary on a ledger data directory (and, when chipledgerd is
// built, over HTTP against a real server) and checks its exit codes, reports and state file.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <rocksdb/db.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "ledger/cosignature.h"
#include "ledger/ledger.h"
#include "ledger/store/keys.h"
#include "ledger/tiles.h"
#include "tests/testing/shell.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::Outcome;
using chipledger::testing::Quote;
using chipledger::testing::ReadFile;
using chipledger::testing::Shell;
using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

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
  EXPECT_NE(run.out.find(out_.path() + "/findings.csv"), std::string::npos) << run.out;
  EXPECT_EQ(ReadFile(out_.path() + "/findings.csv"),
            "id,rule,severity,status,subject_kind,subject_id,site,party,first_seen,evidence,"
            "message\r\n");
}

TEST_F(CliTest, OpenHighFindingExitsOneUnlessBelowTheThresholdOrAfterAsOf) {
  Append({gov_.Next("agent.enrolled", TestAgent::Enrollment(operator_, "site_operator", "gov"))});
  std::string before = FormatTime(Now());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a later integrated_time
  Append({operator_.Next("shipment.received", BrokenSealReceipt())});

  Outcome run = Audit(data_.path());
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_NE(run.out.find("high"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(": 3 entries\n"), std::string::npos) << run.out;  // every one judged
  bool seal = false;
  nlohmann::json report = ReportJson();
  for (const nlohmann::json& finding : report["findings"]) seal |= finding["rule"] == "D12";
  EXPECT_TRUE(seal) << report.dump(2);
  // Each report has it: the CSV with the evidence entry and when it was integrated, the page
  // with what that entry said.
  std::string csv = ReadFile(out_.path() + "/findings.csv");
  EXPECT_NE(csv.find(",D12,high,open,seal,seal-1,site-1,,20"), std::string::npos) << csv;
  EXPECT_NE(csv.find("Z,2,"), std::string::npos) << csv;
  std::string html = ReadFile(out_.path() + "/report.html");
  EXPECT_NE(html.find("#2</span> <b>shipment.received</b> by op at site-1, integrated 20"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("shipment SHP-1; chips SN-1 (1); seals seal-1 NOT intact (1)"),
            std::string::npos);

  Outcome as_of = Audit(data_.path(), "--as-of " + before);
  EXPECT_EQ(as_of.code, 0) << as_of.out;
  // Issue 16: the summary says what --as-of left out.
  EXPECT_NE(as_of.out.find("judged as of " + before +
                           ": 2 entries; 1 integrated after it were verified but not judged\n"),
            std::string::npos)
      << as_of.out;
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
  // Nothing after I1 was checked, and every report says so rather than "pass".
  nlohmann::json not_run = nlohmann::json::array();
  for (const char* check : {"I2", "I3", "I4", "I5", "I6", "I7", "I8"}) {
    not_run.push_back({{"check", check}, {"reason", "the checkpoint did not verify (I1)"}});
  }
  EXPECT_EQ(report["integrity"]["not_run"], not_run);
  EXPECT_NE(run.out.find("not run: I2, I3, I4, I5, I6, I7, I8 (the checkpoint did not verify "
                         "(I1))\n"),
            std::string::npos)
      << run.out;
  std::string html = ReadFile(out_.path() + "/report.html");
  EXPECT_EQ(html.find("status pass"), std::string::npos);
  size_t rows = 0;
  for (size_t at = html.find("not run</span>"); at != std::string::npos;
       at = html.find("not run</span>", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 7u) << html;
  EXPECT_NE(html.find("no entry was read and no other check ran"), std::string::npos);
}

// A data directory that lost an entry its checkpoint covers is evidence against the log (exit 2,
// I2 at that entry), never an outage.
TEST_F(CliTest, EntryLostFromTheDataDirectoryIsAnIntegrityFailureAtIt) {
  Append({gov_.Next("party.registered", PartyFields("eu-1")),
          gov_.Next("party.registered", PartyFields("eu-2")),
          gov_.Next("party.registered", PartyFields("eu-3"))});
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), data_.path() + "/db", &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), store::EntryKey(2)).ok());
  }
  Outcome run = Audit(data_.path());
  EXPECT_EQ(run.code, 2) << run.out;
  nlohmann::json report = ReportJson();
  ASSERT_TRUE(report.is_object()) << run.out;
  EXPECT_EQ(report["integrity"]["ok"], false);
  ASSERT_FALSE(report["integrity"]["errors"].empty());
  nlohmann::json error = report["integrity"]["errors"][0];
  EXPECT_EQ(error["check"], "I2");
  EXPECT_EQ(error["index"], 2);
  EXPECT_NE(error["message"].get<std::string>().find("entry 2: not in the store"),
            std::string::npos)
      << error;
}

// I6 compares with the checkpoint of an earlier run: on the first one there is none to compare.
TEST_F(CliTest, FirstRunWithStateSaysI6WasNotRun) {
  Append({gov_.Next("party.registered", PartyFields("eu-1"))});
  std::string state = out_.path() + "/state";
  const std::string reason = "no checkpoint from an earlier audit (--state)";
  Outcome first = Audit(data_.path(), "--state " + Quote(state));
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_EQ(ReportJson()["integrity"]["not_run"][0],
            (nlohmann::json{{"check", "I6"}, {"reason", reason}}));
  EXPECT_NE(first.out.find("not run: I6 (" + reason + "); I8 (no witnesses named"),
            std::string::npos)
      << first.out;
  std::string i6 =
      "<b>I6</b></td><td>Consistent with the checkpoint verified on the previous "
      "run</td><td>";
  EXPECT_NE(ReadFile(out_.path() + "/report.html")
                .find(i6 +
                      "<span class=\"status not_run\">not "
                      "run</span> <span class=\"note\">" +
                      reason),
            std::string::npos);

  Outcome second = Audit(data_.path(), "--state " + Quote(state));
  EXPECT_EQ(second.code, 0) << second.out;
  EXPECT_EQ(ReportJson()["integrity"]["not_run"][0]["check"], "I8");
  EXPECT_EQ(second.out.find("I6"), std::string::npos) << second.out;
  EXPECT_NE(ReadFile(out_.path() + "/report.html").find(i6 + "<span class=\"status pass\">pass"),
            std::string::npos);
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

// ---- chipledger-audit verify: offline verification of a file ----

Outcome VerifyFile(const std::string& log_key, const std::string& file,
                   const std::string& extra = "") {
  return Shell(Quote(kAudit) + " verify --log-key " + Quote(log_key) + " " + extra + " " +
               Quote(file) + " 2>&1");
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST_F(CliTest, VerifyACheckpointNoteFromTheDataDirectory) {
  Append({gov_.Next("party.registered", PartyFields("eu-1"))});
  auto ledger = Ledger::Open(data_.path(), OpenOptions{.read_only = true});
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  std::string note = out_.path() + "/checkpoint";
  WriteFile(note, (*ledger)->CheckpointNote());

  Outcome run = VerifyFile(log_key_, note);
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("file: a checkpoint note"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("verified: checkpoint of size 2 (root "), std::string::npos) << run.out;

  Outcome json_run = VerifyFile(log_key_, note, "--json");
  EXPECT_EQ(json_run.code, 0) << json_run.out;
  nlohmann::json out = nlohmann::json::parse(json_run.out, nullptr, false);
  EXPECT_EQ(out["file"], "checkpoint");
  EXPECT_EQ(out["verified"], true);
  EXPECT_EQ(out["checkpoint"]["size"], 2);

  // Required witnesses: the log's own checkpoint carries no cosignature.
  std::string a = WitnessVkey("witness-a.example", 1);
  Outcome witnessed = VerifyFile(log_key_, note, "--witness " + Quote(a));
  EXPECT_EQ(witnessed.code, 2) << witnessed.out;
  EXPECT_NE(witnessed.out.find("FAILED: checkpoint: "), std::string::npos) << witnessed.out;
  EXPECT_NE(witnessed.out.find("witness-a.example"), std::string::npos) << witnessed.out;
}

TEST_F(CliTest, VerifyRefusesWhatItCannotReadOrRecognise) {
  std::string junk = out_.path() + "/junk";
  WriteFile(junk, "not a ledger file\n");
  Outcome unrecognised = VerifyFile(log_key_, junk);
  EXPECT_EQ(unrecognised.code, 3) << unrecognised.out;
  EXPECT_NE(unrecognised.out.find("neither a JSON object nor a signed note"), std::string::npos)
      << unrecognised.out;
  Outcome missing = VerifyFile(log_key_, out_.path() + "/absent");
  EXPECT_EQ(missing.code, 3) << missing.out;
  EXPECT_NE(missing.out.find("not a readable file"), std::string::npos) << missing.out;
  Outcome bad_key = VerifyFile("not-a-key", junk);
  EXPECT_EQ(bad_key.code, 3) << bad_key.out;
  EXPECT_NE(bad_key.out.find("--log-key: "), std::string::npos) << bad_key.out;
  Outcome no_file = Shell(Quote(kAudit) + " verify --log-key " + Quote(log_key_) + " 2>&1");
  EXPECT_EQ(no_file.code, 3) << no_file.out;
  EXPECT_NE(no_file.out.find("FILE: "), std::string::npos) << no_file.out;
  Outcome help = Shell(Quote(kAudit) + " verify --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: chipledger-audit verify"), std::string::npos) << help.out;
}

// ---- A server that contradicts its own signed checkpoint is evidence, not an outage ----

// Serves a real log's signed checkpoint and entry bundles (C2SP tlog-tiles) on 127.0.0.1, as
// chipledgerd does, but passes every bundle through `tamper`: it returns the body to serve, or
// nullopt for an error of status `refusal` (404 by default). Requests without the bearer token
// get 401.
class TileServer {
 public:
  using Tamper =
      std::function<std::optional<std::string>(const TileId&, std::vector<std::string> entries)>;

  TileServer(std::string note, std::vector<std::string> entries, Tamper tamper, int refusal = 404)
      : note_(std::move(note)),
        entries_(std::move(entries)),
        tamper_(std::move(tamper)),
        refusal_(refusal) {
    server_.Get("/checkpoint",
                [this](const httplib::Request& request, httplib::Response& response) {
                  if (Authorized(request, response)) response.set_content(note_, "text/plain");
                });
    server_.Get(R"(/tile/(entries/.+))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  if (Authorized(request, response)) ServeBundle(request.matches[1], response);
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TileServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  static constexpr const char* kToken = "reader-token";

 private:
  bool Authorized(const httplib::Request& request, httplib::Response& response) {
    if (request.get_header_value("Authorization") == std::string("Bearer ") + kToken) return true;
    response.status = 401;
    response.set_content("{\"error\":\"unauthenticated\"}", "application/json");
    return false;
  }

  void ServeBundle(const std::string& path, httplib::Response& response) {
    Result<TileId> tile = ParseTilePath(path);
    uint64_t first = tile.ok() ? tile->index * kTileWidth : entries_.size();
    if (!tile.ok() || first + tile->width > entries_.size()) {
      response.status = 404;
      return;
    }
    std::vector<std::string> entries(
        entries_.begin() + static_cast<ptrdiff_t>(first),
        entries_.begin() + static_cast<ptrdiff_t>(first + tile->width));
    std::optional<std::string> body = tamper_(*tile, std::move(entries));
    if (!body) {
      response.status = refusal_;
      return;
    }
    response.set_content(*body, "application/octet-stream");
  }

  std::string note_;
  std::vector<std::string> entries_;
  Tamper tamper_;
  int refusal_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// A real ledger of 260 entries (a full bundle 0 and a partial bundle 1 of 4), built once.
class TamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    InitCrypto();
    dir_ = new TempDir();
    TestAgent gov("gov");
    Result<std::string> key = Ledger::Create(
        dir_->path(), CreateOptions{"ledger.test/tamper", {{"gov", gov.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    log_key_ = new std::string(*key);
    auto ledger = Ledger::Open(dir_->path(), OpenOptions{});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (int i = 0; i < 259; ++i) {
      AppendResult appended =
          (*ledger)->Append(gov.Next("party.registered", PartyFields("eu-" + std::to_string(i))));
      ASSERT_TRUE(appended.status.ok()) << appended.status.ToString();
    }
    note_ = new std::string((*ledger)->CheckpointNote());
    entries_ = new std::vector<std::string>();
    for (uint64_t i = 0; i < (*ledger)->size(); ++i) entries_->push_back(*(*ledger)->EntryBytes(i));
  }
  static void TearDownTestSuite() {
    delete entries_;
    delete note_;
    delete log_key_;
    delete dir_;
  }

  // Audits a TileServer that tampers with bundle `tile` only.
  Outcome AuditTampered(uint64_t tile, const TileServer::Tamper& tamper,
                        const std::string& token = TileServer::kToken, int refusal = 404) {
    auto serve = [&](const TileId& id, std::vector<std::string> entries) {
      if (id.index == tile) return tamper(id, std::move(entries));
      return std::optional<std::string>(EncodeEntryBundle(entries));
    };
    TileServer server(*note_, *entries_, serve, refusal);
    return AuditUrl(server.url(), token);
  }

  Outcome AuditUrl(const std::string& url, const std::string& token) {
    std::filesystem::remove(out_.path() + "/report.json");
    return Shell(Quote(kAudit) + " --url " + Quote(url) + " --token " + Quote(token) +
                 " --log-key " + Quote(*log_key_) + " --out " + Quote(out_.path()) + " 2>&1");
  }

  // The report's integrity errors under `check` at entry `index` (nullopt: not about one entry).
  size_t Errors(const std::string& check, std::optional<uint64_t> index) {
    nlohmann::json report =
        nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false);
    EXPECT_TRUE(report.is_object()) << "no report.json";
    if (!report.is_object()) return 0;
    EXPECT_EQ(report["integrity"]["ok"], false);
    size_t n = 0;
    for (const nlohmann::json& error : report["integrity"]["errors"]) {
      bool at = index ? error["index"] == *index : error["index"].is_null();
      if (error["check"] == check && at) ++n;
    }
    EXPECT_TRUE(std::filesystem::exists(out_.path() + "/report.html"));
    return n;
  }

  static TempDir* dir_;
  static std::string* log_key_;
  static std::string* note_;
  static std::vector<std::string>* entries_;
  TempDir out_;
};

TempDir* TamperTest::dir_ = nullptr;
std::string* TamperTest::log_key_ = nullptr;
std::string* TamperTest::note_ = nullptr;
std::vector<std::string>* TamperTest::entries_ = nullptr;

TEST_F(TamperTest, UntamperedLogVerifies) {
  Outcome run = AuditTampered(0, [](const TileId&, std::vector<std::string> entries) {
    return std::optional<std::string>(EncodeEntryBundle(entries));
  });
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("integrity: ok, 260 entries verified"), std::string::npos) << run.out;
}

TEST_F(TamperTest, MissingEntryIsAnIntegrityFailureAtThatEntry) {
  Outcome run = AuditTampered(0, [](const TileId&, std::vector<std::string> entries) {
    entries.erase(entries.begin() + 10);
    return std::optional<std::string>(EncodeEntryBundle(entries));
  });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_EQ(Errors("I2", 0), 1u);   // bundle 0: 255 entries, 256 needed
  EXPECT_GE(Errors("I3", 10), 1u);  // entry 11 stands where entry 10 should
}

TEST_F(TamperTest, ExtraEntryIsAnIntegrityFailureAtThatEntry) {
  Outcome run = AuditTampered(1, [](const TileId&, std::vector<std::string> entries) {
    entries.insert(entries.begin() + 2, entries[1]);
    return std::optional<std::string>(EncodeEntryBundle(entries));
  });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_EQ(Errors("I2", 256), 1u);  // bundle 1: 5 entries, 4 needed
  EXPECT_GE(Errors("I3", 258), 1u);  // a second copy of entry 257
}

TEST_F(TamperTest, ReorderedEntriesAreAnIntegrityFailure) {
  Outcome run = AuditTampered(0, [](const TileId&, std::vector<std::string> entries) {
    std::swap(entries[20], entries[21]);
    return std::optional<std::string>(EncodeEntryBundle(entries));
  });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_GE(Errors("I3", 20), 1u);
  EXPECT_EQ(Errors("I2", std::nullopt), 1u);  // the root
}

TEST_F(TamperTest, AlteredByteIsAnIntegrityFailure) {
  Outcome run = AuditTampered(0, [](const TileId&, std::vector<std::string> entries) {
    std::string& entry = entries[30];
    size_t at = entry.find("\"sig\":\"") + 7;  // one byte of the envelope's signature
    entry[at] = entry[at] == 'A' ? 'B' : 'A';
    return std::optional<std::string>(EncodeEntryBundle(entries));
  });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_GE(Errors("I4", 30), 1u);            // the envelope's signature no longer verifies
  EXPECT_EQ(Errors("I3", 31), 1u);            // the next entry's prev
  EXPECT_EQ(Errors("I2", std::nullopt), 1u);  // the root
}

TEST_F(TamperTest, TruncatedLengthPrefixIsAnIntegrityFailure) {
  Outcome run = AuditTampered(1, [](const TileId&, std::vector<std::string> entries) {
    entries.pop_back();
    return std::optional<std::string>(EncodeEntryBundle(entries) + '\x01');  // half a length
  });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_EQ(Errors("I2", 256), 1u);
  nlohmann::json report =
      nlohmann::json::parse(ReadFile(out_.path() + "/report.json"), nullptr, false);
  EXPECT_NE(report.dump().find("truncated length"), std::string::npos) << report.dump(2);
}

TEST_F(TamperTest, TileTheCheckpointCoversButTheServerLacksIsAnIntegrityFailure) {
  Outcome run = AuditTampered(
      1, [](const TileId&, std::vector<std::string>) { return std::optional<std::string>(); });
  EXPECT_EQ(run.code, 2) << run.out;
  EXPECT_EQ(Errors("I2", 256), 1u);
}

TEST_F(TamperTest, RefusedTokenAndUnreachableServerCannotRun) {
  Outcome refused = AuditTampered(
      0,
      [](const TileId&, std::vector<std::string> entries) {
        return std::optional<std::string>(EncodeEntryBundle(entries));
      },
      "wrong-token");
  EXPECT_EQ(refused.code, 3) << refused.out;
  EXPECT_NE(refused.out.find("401"), std::string::npos) << refused.out;
  EXPECT_FALSE(std::filesystem::exists(out_.path() + "/report.json"));

  std::string url;
  {
    TileServer closed(*note_, *entries_, nullptr);
    url = closed.url();
  }  // nothing listens there any more: connection refused
  Outcome unreachable = AuditUrl(url, TileServer::kToken);
  EXPECT_EQ(unreachable.code, 3) << unreachable.out;
  EXPECT_FALSE(std::filesystem::exists(out_.path() + "/report.json"));
}

TEST_F(TamperTest, ServerErrorAfterRetriesCannotRun) {
  Outcome failing = AuditTampered(
      1, [](const TileId&, std::vector<std::string>) { return std::optional<std::string>(); },
      TileServer::kToken, 503);
  EXPECT_EQ(failing.code, 3) << failing.out;
  EXPECT_NE(failing.out.find("HTTP 503"), std::string::npos) << failing.out;
  EXPECT_NE(failing.out.find("after 3 attempts"), std::string::npos) << failing.out;
  EXPECT_FALSE(std::filesystem::exists(out_.path() + "/report.json"));
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
// A white list, a receipt and the checkpoint fetched from a real chipledgerd verify offline; an
// altered white list does not.
TEST_F(CliHttpTest, VerifiesWhatTheServerHandsOutOffline) {
  auto created = client_->Post("/v1/events", gov_.Next("party.registered", PartyFields("helix")),
                               "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  Submit(gov_.Next("party.registered", PartyFields("sandgrain")));
  httplib::Headers auth = {{"Authorization", "Bearer " + bearer_}};
  auto whitelist = client_->Get("/v1/whitelist", auth);
  ASSERT_TRUE(whitelist);
  ASSERT_EQ(whitelist->status, 200) << whitelist->body;
  auto checkpoint = client_->Get("/checkpoint", auth);
  ASSERT_TRUE(checkpoint);
  ASSERT_EQ(checkpoint->status, 200) << checkpoint->body;

  std::string list = out_.path() + "/whitelist.json";
  std::ofstream(list, std::ios::binary) << whitelist->body;
  Outcome run = Shell(Quote(kAudit) + " verify --log-key " + Quote(log_key_) + " " + Quote(list));
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_NE(run.out.find("file: a signed white list"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("signed by the log key ledger.test/http+"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("2 end users: helix not_approved, sandgrain not_approved"),
            std::string::npos)
      << run.out;

  nlohmann::json envelope = nlohmann::json::parse(whitelist->body);
  std::string payload = envelope["payload"];
  payload[payload.size() / 2] = payload[payload.size() / 2] == 'A' ? 'B' : 'A';
  envelope["payload"] = payload;
  std::ofstream(list, std::ios::binary) << envelope.dump();
  Outcome altered =
      Shell(Quote(kAudit) + " verify --json --log-key " + Quote(log_key_) + " " + Quote(list));
  EXPECT_EQ(altered.code, 2) << altered.out;
  nlohmann::json failed = nlohmann::json::parse(altered.out, nullptr, false);
  EXPECT_EQ(failed["verified"], false) << altered.out;
  EXPECT_NE(failed["failure"].get<std::string>().find("does not verify"), std::string::npos);

  for (const std::string& file : {created->body, checkpoint->body}) {
    std::string path = out_.path() + "/file";
    std::ofstream(path, std::ios::binary) << file;
    Outcome verified =
        Shell(Quote(kAudit) + " verify --log-key " + Quote(log_key_) + " " + Quote(path));
    EXPECT_EQ(verified.code, 0) << verified.out;
    EXPECT_NE(verified.out.find("signed by the log key ledger.test/http+"), std::string::npos)
        << verified.out;
  }
}
#endif

}  // namespace
}  // namespace chipledger::audit
