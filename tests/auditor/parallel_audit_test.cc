// The parallel verification pipeline gives the results of one sequential pass: the same integrity
// errors (messages, order, entries named) and the same findings, on a log with planted integrity
// errors, key rotations and a revocation whose effect depends on each entry's position. Then the
// real chipledger-audit: --jobs 1 and --jobs 4 write the same report.json.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "auditor/pipeline.h"
#include "auditor/report.h"
#include "ledger/ledger.h"
#include "tests/auditor/log_fixture.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/shell.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::HandLog;
using chipledger::testing::Outcome;
using chipledger::testing::PartyFields;
using chipledger::testing::ReadFile;
using chipledger::testing::RevokeFields;
using chipledger::testing::Shell;
using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;
using nlohmann::json;

constexpr int kExporters = 4;

// One chip dispatched under a license nobody issued: an L1 finding.
json DispatchFields(const std::string& shipment) {
  return {{"shipment", shipment},
          {"license", "lic-none"},
          {"consignee", "lab"},
          {"destination_site", "site-1"},
          {"chips", {{{"serial", "SN-" + shipment}, {"model", "H100"}}}},
          {"seals", {"seal-" + shipment}},
          {"route", {"NL"}}};
}

// report.json of a log verified entry by entry with Verifier::Add (jobs unset), or through the
// pipeline on `jobs` threads; the rules see what chipledger-audit's sink gives them.
std::string AuditJson(const NoteVerifier& key, const std::string& note,
                      const std::vector<std::string>& entries, std::optional<unsigned> jobs) {
  Verifier verifier(key, std::nullopt);
  Engine engine;
  SiteActivity activity;
  std::optional<Checkpoint> checkpoint = verifier.Begin(note);
  auto sink = [&](std::optional<VerifiedEntry> verified) {
    if (!verified) return;
    engine.Apply(verified->entry, verified->event);
    activity.Add(verified->event);
  };
  if (jobs) {
    VerifyPipeline pipeline(&verifier, *jobs, sink);
    for (const std::string& entry : entries) pipeline.Push(entry);
    pipeline.Drain();
  } else {
    for (const std::string& entry : entries) sink(verifier.Add(entry));
  }
  verifier.Finish();
  Timestamp as_of = *ParseTime("2027-01-01T00:00:00Z", "as_of");
  return ReportToJson(BuildReport(verifier, checkpoint, engine, activity, as_of)).dump(2);
}

class ParallelAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Add(log_agent_, "agent.enrolled", TestAgent::Enrollment(gov_, "authority", "gov"));
    Add(gov_, "party.registered", PartyFields("lab"));
    for (int e = 0; e < kExporters; ++e) {
      exporters_.emplace_back("exp-" + std::to_string(e));
      keys_.push_back(exporters_.back().key());
      Add(gov_, "agent.enrolled", TestAgent::Enrollment(exporters_.back(), "exporter", "gov"));
    }
    // Many chunks of dispatches; every 150th entry rotates an exporter's key, so that the
    // entries right after it are signed by a key the workers may not know yet; exporter 3 is
    // revoked half-way, so its later dispatches are refused (I7) as of their position.
    for (int n = 0; n < 1500; ++n) {
      int e = n % kExporters;
      if (n % 150 == 149) Rotate(e, n);
      if (n == 700) Add(gov_, "agent.revoked", RevokeFields("exp-3"));
      Dispatch(e, "s-" + std::to_string(n));
    }
  }

  void Add(TestAgent& agent, std::string_view type, const json& fields) {
    log_.Append(agent.Next(type, fields, log_.EventTime()));
  }

  // Enrols a fresh key for exporter `e`; its chain goes on under the new key.
  void Rotate(int e, int n) {
    TestAgent fresh(exporters_[e].id(), KeyPairFromSeed(Seed(n)));
    keys_[e] = fresh.key();
    Add(gov_, "agent.enrolled", TestAgent::Enrollment(fresh, "exporter", "gov"));
  }

  // The exporter's next dispatch, signed with its current key.
  void Dispatch(int e, const std::string& shipment) {
    Result<Envelope> envelope = ParseEnvelope(
        exporters_[e].Next("shipment.dispatched", DispatchFields(shipment), log_.EventTime()));
    ASSERT_TRUE(envelope.ok()) << envelope.status().ToString();
    envelope->signatures.clear();
    SignEnvelope(&*envelope, keys_[e]);
    log_.Append(SerializeEnvelope(*envelope));
  }

  static std::array<uint8_t, 32> Seed(int n) {
    std::array<uint8_t, 32> seed{};
    seed[0] = static_cast<uint8_t>(n);
    seed[1] = static_cast<uint8_t>(n >> 8);
    seed[2] = 0x5a;
    return seed;
  }

  // Re-serialises entry `i` with `edit` applied (its leaf changes, so the next prev breaks too).
  void EditEntry(size_t i, const std::function<void(LogEntry*)>& edit) {
    Result<LogEntry> entry = ParseEntry(log_.entries()[i]);
    ASSERT_TRUE(entry.ok()) << entry.status().ToString();
    edit(&*entry);
    log_.entries()[i] = SerializeEntry(*entry);
  }

  HandLog log_;
  TestAgent log_agent_{"log", log_.log_key()};
  TestAgent gov_{"gov"};
  std::vector<TestAgent> exporters_;
  std::vector<KeyPair> keys_;  // each exporter's current key
};

TEST_F(ParallelAuditTest, CleanLogGivesTheSameReportOnAnyNumberOfThreads) {
  std::string note = log_.Note();
  std::string sequential = AuditJson(log_.verifier(), note, log_.entries(), std::nullopt);
  json report = json::parse(sequential);
  // The revoked exporter's dispatches are the only integrity errors; L1 findings abound.
  ASSERT_FALSE(report["integrity"]["errors"].empty());
  for (const json& error : report["integrity"]["errors"]) EXPECT_EQ(error["check"], "I7") << error;
  EXPECT_GT(report["findings"].size(), 1000u);
  for (unsigned jobs : {1u, 2u, 4u, 8u}) {
    EXPECT_EQ(AuditJson(log_.verifier(), note, log_.entries(), jobs), sequential) << jobs;
  }
}

TEST_F(ParallelAuditTest, PlantedIntegrityErrorsAreReportedIdentically) {
  std::string note = log_.Note();  // signed before the tampering: the root fails too (I2)
  EditEntry(300, [](LogEntry* entry) { entry->envelope.signatures[0].sig[5] ^= 0x01; });
  EditEntry(600, [](LogEntry* entry) { entry->prev[0] ^= 0x01; });
  std::swap(log_.entries()[900], log_.entries()[901]);
  log_.entries()[1200][3] ^= 0x20;  // an entry that no longer parses
  std::string sequential = AuditJson(log_.verifier(), note, log_.entries(), std::nullopt);
  json errors = json::parse(sequential)["integrity"]["errors"];
  std::string checks;
  for (const json& error : errors) {
    if (error["check"] != "I7")
      checks += error["check"].get<std::string>() + "@" + error["index"].dump() + " ";
  }
  EXPECT_NE(checks.find("I4@300 I3@301"), std::string::npos) << checks;  // bad signature
  EXPECT_NE(checks.find("I3@600 I3@601"), std::string::npos) << checks;  // bad prev
  EXPECT_NE(checks.find("I3@900"), std::string::npos) << checks;         // reordered
  EXPECT_NE(checks.find("I3@1200"), std::string::npos) << checks;        // does not parse
  EXPECT_NE(checks.find("I2@null"), std::string::npos) << checks;        // the root
  for (unsigned jobs : {1u, 2u, 4u, 8u}) {
    EXPECT_EQ(AuditJson(log_.verifier(), note, log_.entries(), jobs), sequential) << jobs;
  }
}

// ---- the real binary ----

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

// Runs chipledger-audit; returns its exit code, its stdout and stderr in *output.
int RunAudit(const std::string& args, std::string* output) {
  Outcome run = Shell(kAudit + " " + args + " 2>&1");
  output->append(run.out);
  return run.code;
}

TEST(ParallelAuditCliTest, JobsOneAndJobsFourWriteTheSameReport) {
  InitCrypto();
  TempDir data, one, four;
  TestAgent gov("gov"), exporter("exp");
  Result<std::string> key = Ledger::Create(
      data.path(), CreateOptions{"ledger.test/parallel", {{"gov", gov.key().public_key}}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  {
    auto ledger = Ledger::Open(data.path(), OpenOptions{.read_only = false, .sync = false});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    std::vector<std::string> events = {
        gov.Next("agent.enrolled", TestAgent::Enrollment(exporter, "exporter", "gov"))};
    for (int n = 0; n < 700; ++n) {
      events.push_back(
          exporter.Next("shipment.dispatched", DispatchFields("s-" + std::to_string(n))));
    }
    for (const std::string& event : events) {
      AppendResult appended = (*ledger)->Append(event);
      ASSERT_TRUE(appended.status.ok()) << appended.status.ToString();
    }
  }
  std::string common =
      "--data " + data.path() + " --log-key '" + *key + "' --as-of 2099-01-01T00:00:00Z --out ";
  std::string output;
  int code = RunAudit(common + one.path() + " --jobs 1", &output);
  EXPECT_EQ(code, 1) << output;  // open findings
  EXPECT_EQ(RunAudit(common + four.path() + " --jobs 4", &output), code) << output;
  std::string report = ReadFile(one.path() + "/report.json");
  EXPECT_GE(json::parse(report)["findings"].size(), 700u);
  EXPECT_EQ(ReadFile(four.path() + "/report.json"), report);

  output.clear();
  EXPECT_EQ(RunAudit(common + one.path() + " --jobs 0", &output), 3);
  EXPECT_NE(output.find("--jobs: must be an integer from 1 to 256, not '0'"), std::string::npos)
      << output;
}

}  // namespace
}  // namespace chipledger::audit
