// What a field inspector trips over (issue 16), through the real chipledger-agent against a real
// chipledgerd: input files and their header rows, what compose is about to sign (--dry-run and
// the summary), a refused event at the head of the outbox (show, discard, replace), and the
// smaller papercuts (event type, JSON errors, passphrase length, ledger URL).
#include <gtest/gtest.h>

#include "tests/agent/agent_fixture.h"

namespace chipledger::agent {
namespace {

using namespace testing;  // NOLINT: the harness
using nlohmann::json;

class FieldTest : public AgentBinaryTest {
 protected:
  void SetUp() override {
    AgentBinaryTest::SetUp();
    ASSERT_NO_FATAL_FAILURE(KeygenInspector());
  }
  fs::path Write(const std::string& name, const std::string& content) {
    fs::path path = fs::path(dir_.path()) / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  ProcessResult Inspect(const std::string& observed_file, std::vector<std::string> more = {}) {
    std::vector<std::string> args = {"inspect",
                                     "--inspection",
                                     "insp-1",
                                     "--site",
                                     "site-1",
                                     "--purpose",
                                     "life_sciences",
                                     "--observed",
                                     observed_file,
                                     "--time",
                                     "2026-11-23T08:00:00Z"};
    args.insert(args.end(), more.begin(), more.end());
    return RunAgent(args);
  }
  // A queued event decoded, as `outbox show SEQ --json` prints it.
  json Show(uint64_t seq) {
    ProcessResult shown = RunAgent({"outbox", "show", std::to_string(seq), "--json"});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    return shown.exit_code == 0 ? json::parse(shown.out) : json();
  }
  size_t Queued() {
    ProcessResult listed = RunAgent({"outbox", "--json"});
    EXPECT_EQ(listed.exit_code, 0) << listed.err;
    return json::parse(listed.out)["outbox"].size();
  }
};

TEST_F(FieldTest, TheDocumentedHeaderRowIsSkippedAndNoOtherHeaderIsSigned) {
  ProcessResult with_header = Inspect(
      Write("observed.csv", "serial,attested_id,host\nSN-1,,host-a\nSN-2,ATT-2\n"), {"--json"});
  ASSERT_EQ(with_header.exit_code, 0) << with_header.err;
  json observed = Show(1)["payload"]["observed"];
  ASSERT_EQ(observed.size(), 2u) << observed;
  EXPECT_EQ(observed[0], json({{"serial", "SN-1"}, {"host", "host-a"}}));
  EXPECT_EQ(observed[1], json({{"serial", "SN-2"}, {"attested_id", "ATT-2"}}));

  // An install file (serial,host) given as --observed: its header is not --observed's.
  ProcessResult install_file = Inspect(Write("hosts.csv", "serial,host\nSN-1,node-1\n"));
  EXPECT_EQ(install_file.exit_code, 1);
  EXPECT_NE(install_file.err.find("line 1, column 1 (serial): 'serial' is a column name, so this "
                                  "looks like a header row; --observed takes "
                                  "serial[,attested_id[,host]]"),
            std::string::npos)
      << install_file.err;
  // A header further down, quotes, too many columns, a repeated serial, a serial that is not one.
  struct Case {
    std::string content, expected;
  } cases[] = {
      {"SN-1\nSerial,Host\n", "line 2, column 1 (serial): 'Serial' is a column name"},
      {"\"SN-1\",ATT\n", "line 1, column 1 (serial): quotes are not supported"},
      {"SN-1,a,b,c\n", "line 1: 4 columns, but --observed takes serial[,attested_id[,host]]"},
      {"SN-1\n# comment\nSN-1\n", "line 3, column 1 (serial): serial SN-1 is already on line 1"},
      {"SN 1\n", "line 1, column 1 (serial): 'SN 1' is not a serial"},
  };
  for (const Case& c : cases) {
    ProcessResult refused = Inspect(Write("bad.csv", c.content));
    EXPECT_EQ(refused.exit_code, 1) << c.content;
    EXPECT_NE(refused.err.find(c.expected), std::string::npos) << refused.err;
  }
  EXPECT_EQ(Queued(), 1u);  // nothing refused was queued
}

TEST_F(FieldTest, InstallFilesNeedTheHostColumn) {
  fs::path chips = Write("install.csv", "serial,host,slot\nSN-1,node-1,0\nSN-2\n");
  ProcessResult install = RunAgent({"install", "--site", "site-1", "--chips", chips.string()});
  EXPECT_EQ(install.exit_code, 1);
  EXPECT_NE(install.err.find("install.csv line 3, column 2 (host): empty, but --chips needs "
                             "serial,host[,slot]"),
            std::string::npos)
      << install.err;
}

TEST_F(FieldTest, DryRunPrintsExactlyWhatWouldBeSignedAndSignsNothing) {
  fs::path observed = Write("observed.csv", "SN-1,ATT-1,host-a\nSN-2\n");
  // No passphrase at all: a dry run does not sign.
  ProcessResult dry =
      RunProcess({Binary(), "--home", home_.string(), "inspect", "--inspection", "insp-1", "--site",
                  "site-1", "--purpose", "life_sciences", "--observed", observed.string(), "--time",
                  "2026-11-23T08:00:00Z", "--dry-run", "--json"},
                 dir_.path());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  json preview = json::parse(dry.out);
  EXPECT_EQ(preview["dry_run"], true);
  EXPECT_EQ(Queued(), 0u);

  ProcessResult human = Inspect(observed.string());
  ASSERT_EQ(human.exit_code, 0) << human.err;
  for (const char* line :
       {"signing and queueing:", "  type: inspection.performed", "  seq: 1", "  site: site-1",
        "  observed: 2", "    attested_id=ATT-1 host=host-a serial=SN-1", "    serial=SN-2"}) {
    EXPECT_NE(human.out.find(std::string(line) + "\n"), std::string::npos) << human.out;
  }
  // What the dry run printed is, byte for byte, what was signed and queued.
  Result<Envelope> queued = ParseEnvelope(Slurp(home_ / "outbox" / "00000000000000000001.json"));
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->payload, preview["payload"].get<std::string>());
}

TEST_F(FieldTest, ARefusedHeadEventIsShownThenReplacedAndTheChainStaysValid) {
  fs::path elsewhere = Write("elsewhere.json", [] {
    json fields = Inspection(1);
    fields["site"] = "site-9";  // not one of the inspector's sites: 403
    return fields.dump();
  }());
  fs::path here = Write("here.json", Inspection(2).dump());
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", elsewhere.string()}).exit_code,
            0);
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", here.string()}).exit_code, 0);
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", here.string()}).exit_code, 0);

  // Before the ledger refused it, it cannot be discarded: it may be in the ledger already.
  ProcessResult early = RunAgent({"outbox", "discard", "1"});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.err.find("the ledger has not refused it"), std::string::npos) << early.err;

  ProcessResult refused = RunAgent({"submit"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("`chipledger-agent outbox show 1`"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("`outbox discard 1`"), std::string::npos) << refused.err;
  json shown = Show(1);
  EXPECT_EQ(shown["refused"]["status"], 403) << shown;
  EXPECT_EQ(shown["payload"]["site"], "site-9");
  EXPECT_EQ(shown["signed_by"].size(), 1u);
  ProcessResult not_head = RunAgent({"outbox", "discard", "2"});
  EXPECT_EQ(not_head.exit_code, 1);
  EXPECT_NE(not_head.err.find("only the event at the head of the outbox (seq 1)"),
            std::string::npos)
      << not_head.err;

  ProcessResult replaced =
      RunAgent({"outbox", "replace", "1", "--fields", here.string(), "--json"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(Show(1)["payload"]["site"], "site-1");
  EXPECT_EQ(Show(1)["payload"]["time"], shown["payload"]["time"]);  // the observation's time
  EXPECT_FALSE(Show(1).contains("refused"));
  ProcessResult submitted = RunAgent({"submit", "--json"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  EXPECT_EQ(json::parse(submitted.out)["submitted"], 3);
  ExpectReceiptsInHome(3);
}

TEST_F(FieldTest, ADiscardedHeadEventLeavesNoGapTheLedgerRefuses) {
  fs::path elsewhere = Write("elsewhere.json", [] {
    json fields = Inspection(1);
    fields["site"] = "site-9";
    return fields.dump();
  }());
  fs::path here = Write("here.json", Inspection(2).dump());
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", here.string()}).exit_code, 0);
  ASSERT_EQ(RunAgent({"submit"}).exit_code, 0);
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", elsewhere.string()}).exit_code,
            0);
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", here.string()}).exit_code, 0);
  ASSERT_EQ(RunAgent({"submit"}).exit_code, 1);

  ProcessResult discarded = RunAgent({"outbox", "discard", "2", "--json"});
  ASSERT_EQ(discarded.exit_code, 0) << discarded.err;
  EXPECT_EQ(json::parse(discarded.out)["resigned"], 1);
  json moved = Show(2);  // the event after it, re-signed at its seq
  EXPECT_EQ(moved["payload"]["site"], "site-1");
  EXPECT_EQ(RunAgent({"outbox", "show", "3"}).exit_code, 1);
  ProcessResult submitted = RunAgent({"submit", "--json"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  ExpectReceiptsInHome(2);
  // The last queued event needs no re-signing, so no passphrase.
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", elsewhere.string()}).exit_code,
            0);
  ASSERT_EQ(RunAgent({"submit"}).exit_code, 1);
  ProcessResult last = RunProcess(
      {Binary(), "--home", home_.string(), "outbox", "discard", "3", "--json"}, dir_.path());
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_EQ(Queued(), 0u);
  ASSERT_EQ(RunAgent({"compose", "inspection.performed", "--fields", here.string()}).exit_code, 0);
  ASSERT_EQ(RunAgent({"submit"}).exit_code, 0);
  ExpectReceiptsInHome(3);
}

TEST_F(FieldTest, PapercutsAreRefusedWithTheFix) {
  fs::path fields = Write("fields.json", Inspection(1).dump());
  ProcessResult typo = RunAgent({"compose", "inspection.perfomed", "--fields", fields.string()});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown event type 'inspection.perfomed'; did you mean "
                          "inspection.performed?"),
            std::string::npos)
      << typo.err;
  ProcessResult unknown = RunAgent({"compose", "xyz", "--fields", fields.string()});
  EXPECT_NE(unknown.err.find("(the types: party.registered, "), std::string::npos) << unknown.err;

  fs::path broken = Write("broken.json", "{\n  \"site\": \"site-1\",\n  oops\n}\n");
  ProcessResult json_error =
      RunAgent({"compose", "inspection.performed", "--fields", broken.string()});
  EXPECT_EQ(json_error.exit_code, 2);
  EXPECT_NE(json_error.err.find("broken.json: not valid UTF-8 JSON at line 3, column"),
            std::string::npos)
      << json_error.err;
  fs::path twice = Write("twice.json", "{\"site\": \"a\", \"site\": \"b\"}");
  ProcessResult duplicate =
      RunAgent({"compose", "inspection.performed", "--fields", twice.string()});
  EXPECT_NE(duplicate.err.find("duplicate key \"site\""), std::string::npos) << duplicate.err;

  ProcessResult no_scheme = RunAgent({"configure", "--ledger", "localhost:8080"});
  EXPECT_EQ(no_scheme.exit_code, 2);
  EXPECT_NE(no_scheme.err.find("--ledger: 'localhost:8080' has no scheme: write "
                               "http://localhost:8080"),
            std::string::npos)
      << no_scheme.err;

  home_ = fs::path(dir_.path()) / "other-home";
  ProcessResult short_passphrase =
      RunAgent({"keygen", "--agent", "inspector-2", "--fast-kdf"}, "x");
  EXPECT_EQ(short_passphrase.exit_code, 2);
  EXPECT_NE(short_passphrase.err.find("use at least 8"), std::string::npos) << short_passphrase.err;
  EXPECT_FALSE(fs::exists(home_ / "key.json"));
}

}  // namespace
}  // namespace chipledger::agent
