// Incremental audits (docs/audit.md): an audit resumed from a snapshot gives the same results as
// one that reads the whole log. The snapshot round trip through the library, then the real
// chipledger-audit binary on a real ledger data directory: identical report.json, and every
// snapshot that must not be trusted (damaged, another log key or --param, judged past --as-of)
// falls back to a full audit, while a log forked below the snapshot fails I6.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auditor/snapshot.h"
#include "ledger/ledger.h"
#include "tests/auditor/log_fixture.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/shell.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::HandLog;
using chipledger::testing::InspectionFields;
using chipledger::testing::Outcome;
using chipledger::testing::PartyFields;
using chipledger::testing::Quote;
using chipledger::testing::ReadFile;
using chipledger::testing::Shell;
using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;
using nlohmann::json;

json SiteFields(const std::string& id, double lat, double lon) {
  return {{"site",
           {{"id", id},
            {"party", "eu-1"},
            {"name", id + " hall"},
            {"country", "NL"},
            {"lat", lat},
            {"lon", lon},
            {"radius_m", 1000}}}};
}

// A receipt of a shipment never dispatched, its seal broken: D12 and D14 (high).
json BrokenSealReceipt(const std::string& shipment, const std::string& seal) {
  return {{"shipment", shipment},
          {"site", "site-1"},
          {"chips", {shipment + "-SN"}},
          {"seals", {{{"id", seal}, {"intact", false}}}}};
}

// One chip, SN-1, dispatched to site-1 (under a license nobody issued: L1).
json Dispatch(const std::string& shipment) {
  return {{"shipment", shipment},
          {"license", "lic-none"},
          {"consignee", "eu-1"},
          {"destination_site", "site-1"},
          {"chips", {{{"serial", "SN-1"}, {"model", "H100"}}}},
          {"seals", {"seal-" + shipment}},
          {"route", {"NL"}}};
}

json Resolution(const std::string& seal) {
  return {{"finding", FindingId("D12", "seal", seal)}, {"resolution", "resealed"}};
}

// The audit's carried parts, fed by hand as chipledger-audit feeds them.
struct Audit {
  explicit Audit(const HandLog& log, std::optional<Checkpoint> previous = std::nullopt,
                 Params params = {})
      : verifier(log.verifier(), previous), engine(params) {}

  void Read(HandLog& log, const std::string& note, uint64_t begin, uint64_t end) {
    ASSERT_TRUE(verifier.Begin(note));
    for (uint64_t i = begin; i < end; ++i) {
      std::optional<VerifiedEntry> verified = verifier.Add(log.entries().at(i));
      ASSERT_TRUE(verified);
      engine.Apply(verified->entry, verified->event);
      activity.Add(verified->event);
    }
    verifier.Finish();
  }

  // Everything the reports take from the engine and the activity, as JSON.
  json Results(Timestamp as_of) const {
    json out = {
        {"stats", engine.Stats()}, {"findings", json::array()}, {"activity", json::array()}};
    for (const Finding& finding : engine.Findings(as_of))
      out["findings"].push_back(FindingToJson(finding));
    for (const WhitelistEntry& entry : engine.Whitelist(as_of)) {
      out["whitelist"].push_back(WhitelistEntryToJson(entry));
    }
    for (const SiteBalance& balance : engine.MaterialBalance()) {
      out["balance"].push_back(SiteBalanceToJson(balance));
    }
    for (const auto& [id, site] : activity.sites()) {
      out["activity"].push_back({id, site.name, site.party, json(site.days)});
    }
    return out;
  }

  Verifier verifier;
  Engine engine;
  SiteActivity activity;
};

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Add(log_agent_, "agent.enrolled", TestAgent::Enrollment(gov_, "authority", "gov"));
    Add(gov_, "party.registered", PartyFields("eu-1"));
    Add(gov_, "party.registered", PartyFields("ib"));
    Add(gov_, "site.registered", SiteFields("site-1", 52.0, 4.0));
    Add(gov_, "site.registered", SiteFields("far", -33.87, 151.21));
    Add(gov_, "agent.enrolled", TestAgent::Enrollment(operator_, "site_operator", "eu-1"));
    Add(gov_, "agent.enrolled", TestAgent::Enrollment(inspector_, "inspector", "ib"));
    Add(gov_, "agent.enrolled", TestAgent::Enrollment(exporter_, "exporter", "eu-1"));
    Add(operator_, "shipment.received", BrokenSealReceipt("SHP-1", "seal-1"));
    Add(exporter_, "shipment.dispatched", Dispatch("SHP-3"));
    Add(inspector_, "inspection.performed", InspectionFields("insp-1", "site-1"));
    boundary_ = log_.entries().size();
    // After the boundary: a finding from before it resolved, the inspector a minute later on the
    // other side of the world (A2, which needs where it was before the boundary), a new finding,
    // the chip in transit dispatched again (D8, which names the shipment it is still out under).
    Add(gov_, "finding.resolved", Resolution("seal-1"));
    Add(exporter_, "shipment.dispatched", Dispatch("SHP-4"));
    Add(inspector_, "inspection.performed", InspectionFields("insp-2", "far"));
    Add(operator_, "shipment.received", BrokenSealReceipt("SHP-2", "seal-2"));
  }

  void Add(TestAgent& agent, std::string_view type, const json& fields) {
    log_.Append(agent.Next(type, fields, log_.EventTime()));
  }

  Checkpoint At(uint64_t size) const { return *VerifyCheckpoint(log_.Note(size), log_.verifier()); }

  // The snapshot of an audit of the entries before the boundary.
  std::string SnapshotAtBoundary() {
    Audit first(log_);
    first.Read(log_, log_.Note(boundary_), 0, boundary_);
    EXPECT_TRUE(first.verifier.ok());
    Result<std::string> bytes =
        SaveSnapshot(log_.Note(boundary_), first.engine, first.activity, first.verifier);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? *bytes : "";
  }

  HandLog log_;
  TestAgent log_agent_{"log", log_.log_key()};
  TestAgent gov_{"gov"};
  TestAgent operator_{"op"};
  TestAgent inspector_{"insp"};
  TestAgent exporter_{"exp"};
  uint64_t boundary_ = 0;
};

TEST_F(SnapshotTest, RestoredAuditJudgesLaterEntriesExactlyAsAFullOne) {
  Audit full(log_, At(boundary_));
  full.Read(log_, log_.Note(), 0, log_.entries().size());
  ASSERT_TRUE(full.verifier.ok());

  Result<Snapshot> snapshot = Snapshot::Parse(SnapshotAtBoundary(), log_.verifier());
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ(snapshot->checkpoint().size, boundary_);
  Audit resumed(log_, At(boundary_));
  ASSERT_TRUE(snapshot->RestoreInto(&resumed.engine, &resumed.activity, &resumed.verifier).ok());
  EXPECT_EQ(resumed.engine.entries_applied(), boundary_);
  resumed.Read(log_, log_.Note(), boundary_, log_.entries().size());
  EXPECT_TRUE(resumed.verifier.ok());
  EXPECT_EQ(resumed.verifier.entries_checked(), full.verifier.entries_checked());

  Timestamp as_of = log_.clock();
  EXPECT_EQ(resumed.Results(as_of), full.Results(as_of));
  std::map<std::string, bool> resolved;  // by rule and subject
  for (const Finding& finding : resumed.engine.Findings(as_of)) {
    resolved[finding.rule + " " + finding.subject_id] = finding.resolved;
    if (finding.rule == "D8") {
      EXPECT_TRUE(finding.message.ends_with("under SHP-3")) << finding.message;
    }
  }
  EXPECT_TRUE(resolved.contains("D8 SN-1")) << "the chip's shipment was lost";
  EXPECT_TRUE(resolved.at("D12 seal-1"));
  EXPECT_FALSE(resolved.at("D12 seal-2"));
  EXPECT_TRUE(resolved.contains("A2 insp")) << "the inspector's last site was lost";
}

TEST_F(SnapshotTest, EveryDamagedByteIsRefused) {
  std::string bytes = SnapshotAtBoundary();
  ASSERT_TRUE(Snapshot::Parse(bytes, log_.verifier()).ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x10;
    Result<Snapshot> parsed = Snapshot::Parse(damaged, log_.verifier());
    ASSERT_FALSE(parsed.ok()) << "byte " << i;
    EXPECT_EQ(parsed.status().kind(), StatusKind::kCorruption);
  }
  EXPECT_FALSE(Snapshot::Parse(bytes.substr(0, bytes.size() - 1), log_.verifier()).ok());
}

TEST_F(SnapshotTest, RefusesAnotherLogKeyOtherParamsAndAnUnjudgedTail) {
  std::string bytes = SnapshotAtBoundary();
  HandLog other;
  Result<Snapshot> foreign = Snapshot::Parse(bytes, other.verifier());
  ASSERT_FALSE(foreign.ok());
  EXPECT_NE(foreign.status().message().find("not signed by the log key"), std::string::npos);

  Result<Snapshot> snapshot = Snapshot::Parse(bytes, log_.verifier());
  ASSERT_TRUE(snapshot.ok());
  Params params;
  ASSERT_TRUE(params.Set("receipt_days=7").ok());
  Audit other_params(log_, At(boundary_), params);
  Status restored =
      snapshot->RestoreInto(&other_params.engine, &other_params.activity, &other_params.verifier);
  EXPECT_EQ(restored.kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(restored.message().find("receipt_days=7"), std::string::npos) << restored.message();

  // Verified but not judged (after --as-of): a snapshot would miss those entries.
  Audit partial(log_);
  ASSERT_TRUE(partial.verifier.Begin(log_.Note(2)));
  std::optional<VerifiedEntry> first = partial.verifier.Add(log_.entries()[0]);
  ASSERT_TRUE(first);
  partial.engine.Apply(first->entry, first->event);
  partial.verifier.Add(log_.entries()[1]);
  EXPECT_FALSE(SaveSnapshot(log_.Note(2), partial.engine, partial.activity, partial.verifier).ok());
}

// ---- The real chipledger-audit on a real data directory ----

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class IncrementalCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Result<std::string> key = Ledger::Create(
        data_.path(), CreateOptions{"ledger.test/incr", {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    log_key_ = *key;
    Append({gov_.Next("party.registered", PartyFields("eu-1")),
            gov_.Next("site.registered", SiteFields("site-1", 52.0, 4.0)),
            gov_.Next("agent.enrolled", TestAgent::Enrollment(operator_, "site_operator", "eu-1")),
            operator_.Next("shipment.received", BrokenSealReceipt("SHP-1", "seal-1"))});
  }

  void Append(const std::vector<std::string>& envelopes, const std::string& dir = "") {
    auto ledger = Ledger::Open(dir.empty() ? data_.path() : dir, OpenOptions{});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (const std::string& envelope : envelopes) {
      AppendResult result = (*ledger)->Append(envelope);
      ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    }
  }

  // The growth after the first audit: a finding from before resolved, a new one opened.
  void Grow(const std::string& dir = "") {
    Append({gov_.Next("finding.resolved", Resolution("seal-1")),
            operator_.Next("shipment.received", BrokenSealReceipt("SHP-2", "seal-2")),
            gov_.Next("party.registered", PartyFields("eu-2"))},
           dir);
  }

  Outcome Run(const std::string& state, const std::string& out, const std::string& extra = "",
              const std::string& data = "") {
    return Shell(Quote(kAudit) + " --data " + Quote(data.empty() ? data_.path() : data) +
                 " --log-key " + Quote(log_key_) + " --state " + Quote(state) + " --out " +
                 Quote(out) + " --as-of " + as_of_ + " " + extra + " 2>&1");
  }

  // A first audit into `state`, then a copy of both state files as `copy`.
  void FirstAudit(const std::string& state, const std::string& copy) {
    Outcome first = Run(state, out_.path());
    ASSERT_EQ(first.code, 1) << first.out;  // D12, D14 open
    ASSERT_TRUE(std::filesystem::exists(state + ".snapshot")) << first.out;
    for (const char* suffix : {"", ".snapshot", ".entries"}) {
      std::filesystem::copy_file(state + suffix, copy + suffix);
    }
  }

  json Report(const std::string& out) {
    return json::parse(ReadFile(out + "/report.json"), nullptr, false);
  }

  // Audits the grown log from `state` and in full from `copy`: all three reports must be the
  // same, report.html with the same evidence summaries although the incremental audit did not
  // read the entries before the snapshot (they come from FILE.entries).
  void ExpectSameAsFull(const std::string& state, const std::string& copy,
                        const std::string& expected_line) {
    TempDir full_out;
    Outcome incremental = Run(state, out_.path());
    EXPECT_NE(incremental.out.find(expected_line), std::string::npos) << incremental.out;
    Outcome full = Run(copy, full_out.path(), "--full");
    EXPECT_EQ(full.out.find("resuming"), std::string::npos) << full.out;
    EXPECT_EQ(incremental.code, full.code) << incremental.out << full.out;
    json report = Report(out_.path());
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report, Report(full_out.path()));
    for (const char* file : {"/report.html", "/findings.csv"}) {
      EXPECT_EQ(ReadFile(out_.path() + file), ReadFile(full_out.path() + file)) << file;
    }
    EXPECT_EQ(ReadFile(state), ReadFile(copy));  // both at the new checkpoint
  }

  TempDir data_, out_, state_dir_;
  TestAgent gov_{"gov"};
  TestAgent operator_{"op"};
  std::string log_key_;
  std::string as_of_ = "2100-01-01T00:00:00Z";  // after every entry, the same for every run
  std::string state_ = state_dir_.path() + "/state";
  std::string copy_ = state_dir_.path() + "/copy";
};

TEST_F(IncrementalCliTest, ResumedAuditWritesTheSameReportAsAFullOne) {
  FirstAudit(state_, copy_);
  Grow();
  ExpectSameAsFull(state_, copy_, "resuming from the snapshot at tree size 5");
  json report = Report(out_.path());
  EXPECT_EQ(report["integrity"]["ok"], true);
  EXPECT_EQ(report["integrity"]["entries_checked"], 8);
  std::map<std::string, std::string> status;
  for (const json& finding : report["findings"]) {
    if (finding["rule"] == "D12") status[finding["subject"]["id"]] = finding["status"];
  }
  EXPECT_EQ(status,
            (std::map<std::string, std::string>{{"seal-1", "resolved"}, {"seal-2", "open"}}));
  // The first receipt, before the snapshot, is summarised from the saved spool.
  std::string html = ReadFile(out_.path() + "/report.html");
  EXPECT_NE(html.find("#4</span> <b>shipment.received</b> by op at site-1"), std::string::npos);
  EXPECT_EQ(html.find("not read in this audit"), std::string::npos);
  // And once more with nothing new: the snapshot was renewed at the new checkpoint.
  EXPECT_NE(Run(state_, out_.path()).out.find("resuming from the snapshot at tree size 8"),
            std::string::npos);
}

// Without FILE.entries (or with one of other entries) the audit still resumes; only report.html's
// summaries of entries before the snapshot are missing, and it says so.
TEST_F(IncrementalCliTest, MissingOrWrongEntrySpoolOnlyLeavesOldEvidenceUnsummarised) {
  FirstAudit(state_, copy_);
  std::string entries = ReadFile(state_ + ".entries");
  ASSERT_EQ(std::count(entries.begin(), entries.end(), '\n'), 5) << entries;
  Grow();
  for (const std::string& spool :
       {std::string(), entries.substr(0, entries.rfind('\n', entries.size() - 2) + 1)}) {
    std::filesystem::remove(state_ + ".entries");
    if (!spool.empty()) WriteFile(state_ + ".entries", spool);  // entries 0-3 of 5
    std::filesystem::copy_file(copy_ + ".snapshot", state_ + ".snapshot",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(copy_, state_, std::filesystem::copy_options::overwrite_existing);
    Outcome run = Run(state_, out_.path());
    EXPECT_EQ(run.code, 1) << run.out;
    EXPECT_NE(run.out.find("resuming from the snapshot at tree size 5"), std::string::npos)
        << run.out;
    EXPECT_NE(
        run.out.find("will not summarise entries before the snapshot: " + state_ + ".entries"),
        std::string::npos)
        << run.out;
    std::string html = ReadFile(out_.path() + "/report.html");
    EXPECT_NE(html.find("#4</span> <span class=\"muted\">not read in this audit"),
              std::string::npos);
    EXPECT_NE(html.find("#6</span> <b>shipment.received</b>"), std::string::npos);
  }
}

TEST_F(IncrementalCliTest, DamagedSnapshotFallsBackToAFullAudit) {
  FirstAudit(state_, copy_);
  Grow();
  std::string bytes = ReadFile(state_ + ".snapshot");
  bytes[bytes.size() / 2] ^= 0x01;
  WriteFile(state_ + ".snapshot", bytes);
  ExpectSameAsFull(state_, copy_,
                   "full audit: the snapshot " + state_ +
                       ".snapshot is not used: snapshot: SHA-256 checksum mismatch");
}

TEST_F(IncrementalCliTest, SnapshotOfAnotherLogKeyFallsBackToAFullAudit) {
  FirstAudit(state_, copy_);
  TempDir other_data;
  Result<std::string> other_key = Ledger::Create(
      other_data.path(), CreateOptions{"ledger.test/incr", {{"gov", gov_.key().public_key}}});
  ASSERT_TRUE(other_key.ok());
  std::swap(log_key_, *other_key);
  std::string other_state = state_dir_.path() + "/other";
  Run(other_state, out_.path(), "", other_data.path());
  std::swap(log_key_, *other_key);
  ASSERT_TRUE(std::filesystem::exists(other_state + ".snapshot"));
  std::filesystem::copy_file(other_state + ".snapshot", state_ + ".snapshot",
                             std::filesystem::copy_options::overwrite_existing);
  Grow();
  ExpectSameAsFull(state_, copy_, "not signed by the log key");
}

TEST_F(IncrementalCliTest, OtherParamsOrAnEarlierAsOfFallBackToAFullAudit) {
  FirstAudit(state_, copy_);
  Grow();
  TempDir out;
  Outcome params = Run(state_, out.path(), "--param receipt_days=7");
  EXPECT_NE(params.out.find("full audit"), std::string::npos) << params.out;
  EXPECT_NE(params.out.find("this run uses receipt_days=7"), std::string::npos) << params.out;
  // That run judged everything again with its parameters, and left a snapshot made with them.
  Outcome same = Run(state_, out.path(), "--param receipt_days=7");
  EXPECT_NE(same.out.find("resuming from the snapshot at tree size 8"), std::string::npos)
      << same.out;

  as_of_ = "2000-01-01T00:00:00Z";
  Outcome earlier = Run(state_, out.path(), "--param receipt_days=7");
  EXPECT_NE(earlier.out.find("is before its last judged entry"), std::string::npos) << earlier.out;
  EXPECT_NE(earlier.out.find("no snapshot written"), std::string::npos) << earlier.out;
  EXPECT_FALSE(std::filesystem::exists(state_ + ".snapshot"));
}

TEST_F(IncrementalCliTest, StateFileWithOnlyANoteGivesAFullAuditThenASnapshot) {
  FirstAudit(state_, copy_);
  std::filesystem::remove(state_ + ".snapshot");  // as written before snapshots existed
  Grow();
  std::filesystem::remove(copy_ + ".snapshot");
  ExpectSameAsFull(state_, copy_, "is not used: there is none yet");
  EXPECT_TRUE(std::filesystem::exists(state_ + ".snapshot"));
}

TEST_F(IncrementalCliTest, LogForkedBelowTheSnapshotFailsI6) {
  TempDir fork;
  std::filesystem::copy(data_.path(), fork.path(), std::filesystem::copy_options::recursive);
  TestAgent gov_copy = gov_;
  Append({gov_.Next("party.registered", PartyFields("eu-9"))});
  FirstAudit(state_, copy_);
  // The fork rewrites entry 5 and grows past the snapshot's size.
  gov_ = gov_copy;
  Append({gov_.Next("party.registered", PartyFields("eu-8"))}, fork.path());
  Grow(fork.path());
  Outcome forked = Run(state_, out_.path(), "", fork.path());
  EXPECT_EQ(forked.code, 2) << forked.out;
  EXPECT_NE(forked.out.find("resuming from the snapshot at tree size 6"), std::string::npos)
      << forked.out;
  json report = Report(out_.path());
  ASSERT_FALSE(report["integrity"]["errors"].empty()) << report.dump(2);
  EXPECT_EQ(report["integrity"]["errors"][0]["check"], "I6") << report.dump(2);
  EXPECT_NE(ReadFile(state_).find("ledger.test/incr\n6\n"), std::string::npos);  // kept
}

}  // namespace
}  // namespace chipledger::audit
