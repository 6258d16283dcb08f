// report.json's shape (SPEC §8) and its streamed bytes, findings.csv, the exit code, the summary,
// the entry spool and the self-contained, bounded HTML.
#include "auditor/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

Timestamp At(const char* text) { return *ParseTime(text, "time"); }

Finding MakeFinding(std::string rule, Severity severity, std::string subject, bool resolved) {
  Finding finding;
  finding.rule = std::move(rule);
  finding.severity = severity;
  finding.subject_kind = "chip";
  finding.subject_id = std::move(subject);
  finding.id = FindingId(finding.rule, finding.subject_kind, finding.subject_id);
  finding.site = "site-1";
  finding.party = "eu-1";
  finding.message = "chip <b>" + finding.subject_id + "</b> & co";
  finding.evidence = {3, 7};
  finding.resolved = resolved;
  return finding;
}

std::vector<Finding> SampleFindings() {
  return {MakeFinding("D5", Severity::kCritical, "SN-1", true),
          MakeFinding("D4", Severity::kMedium, "SN-2", false)};
}

Report SampleReport() {
  Report report;
  report.as_of = At("2026-11-23T08:15:00Z");
  report.checkpoint = Checkpoint{"audit.test/log", 12, Sha256("root")};
  report.integrity_ok = true;
  report.entries_checked = 12;
  SetFindings(&report, SampleFindings());
  WhitelistEntry good;
  good.party = "eu-1";
  good.status = StandingStatus::kGoodStanding;
  good.sites = {"site-1"};
  WhitelistEntry pending;
  pending.party = "eu-2";
  report.whitelist = {good, pending};
  SiteBalance balance;
  balance.site = "site-1";
  balance.party = "eu-1";
  balance.book = {"SN-1", "SN-2"};
  balance.inspection = 9;
  balance.observed = {"SN-2"};
  balance.missing = {"SN-1"};
  report.balance = {balance};
  return report;
}

TEST(ReportJsonTest, HasExactlyTheSpecFields) {
  nlohmann::json json = ReportToJson(SampleReport());
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"as_of", "findings", "integrity", "log", "stats",
                                            "whitelist"}));
  EXPECT_EQ(json["as_of"], "2026-11-23T08:15:00.000Z");
  // SPEC §8's fields, and which witnesses cosigned (none named here: no quorum).
  EXPECT_EQ(json["log"], (nlohmann::json{{"origin", "audit.test/log"},
                                         {"tree_size", 12},
                                         {"root", ToHex(Sha256("root"))},
                                         {"witnesses", nlohmann::json::array()},
                                         {"witness_quorum", nullptr}}));
  // SPEC §8's fields, and the checks not run on this log.
  EXPECT_EQ(json["integrity"], (nlohmann::json{{"ok", true},
                                               {"entries_checked", 12},
                                               {"errors", nlohmann::json::array()},
                                               {"not_run", nlohmann::json::array()}}));
  ASSERT_EQ(json["findings"].size(), 2u);
  EXPECT_EQ(json["findings"][0], FindingToJson(SampleFindings()[0]));
  EXPECT_EQ(json["whitelist"][1], WhitelistEntryToJson(SampleReport().whitelist[1]));
}

// A report with something in every member, nested arrays and objects included.
Report FullReport() {
  Report report = SampleReport();
  report.errors = {{"I3", 4, "prev \"differs\"\nsee"}, {"I2", std::nullopt, "root"}};
  report.not_run = {{"I6", "no checkpoint from an earlier audit (--state)"}};
  report.witnesses = {"w1"};
  report.witness_quorum = 1;
  report.cosignatures = {Cosignature{"w1", 1795000000, ""}};
  report.stats = {{"entries_audited", 12}, {"by_type", {{"a", 1}, {"b", {1, 2}}}}};
  report.whitelist[0].open_findings = {{"high", 2}};
  return report;
}

std::string StreamedJson(const Report& report) {
  std::ostringstream out;
  WriteReportJson(report, out);
  return out.str();
}

TEST(ReportJsonTest, StreamIsTheSameBytesAsTheDocument) {
  Report full = FullReport();
  EXPECT_EQ(StreamedJson(full), ReportToJson(full).dump(2) + "\n");
  Report empty;
  EXPECT_EQ(StreamedJson(empty), ReportToJson(empty).dump(2) + "\n");
}

TEST(ReportJsonTest, IntegrityErrorsAndAMissingCheckpoint) {
  Report report = SampleReport();
  report.checkpoint.reset();
  report.integrity_ok = false;
  report.errors = {{"I1", std::nullopt, "checkpoint: bad signature"}, {"I3", 4, "prev differs"}};
  nlohmann::json json = ReportToJson(report);
  EXPECT_TRUE(json["log"]["root"].is_null());
  EXPECT_EQ(json["integrity"]["ok"], false);
  EXPECT_EQ(json["integrity"]["errors"],
            (nlohmann::json{
                {{"check", "I1"}, {"index", nullptr}, {"message", "checkpoint: bad signature"}},
                {{"check", "I3"}, {"index", 4}, {"message", "prev differs"}}}));
}

TEST(ExitCodeTest, FollowsTheThreshold) {
  Report report = SampleReport();  // open: one medium; resolved: one critical
  EXPECT_EQ(ExitCode(report, Severity::kHigh), 0);
  EXPECT_EQ(ExitCode(report, Severity::kCritical), 0);
  EXPECT_EQ(ExitCode(report, Severity::kMedium), 1);
  std::vector<Finding> findings = SampleFindings();
  findings[0].resolved = false;
  SetFindings(&report, findings);
  EXPECT_EQ(ExitCode(report, Severity::kCritical), 1);
  report.integrity_ok = false;
  EXPECT_EQ(ExitCode(report, Severity::kCritical), 2);
}

TEST(SummaryTest, CountsOpenFindingsAndWhitelistStatuses) {
  std::string summary = Summary(SampleReport());
  EXPECT_NE(summary.find("integrity: ok, 12 entries verified"), std::string::npos) << summary;
  EXPECT_NE(summary.find("open findings: critical 0 high 0 medium 1 (resolved 1)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("good_standing 1"), std::string::npos) << summary;
  EXPECT_NE(summary.find("not_approved 1"), std::string::npos) << summary;
}

TEST(SummaryTest, SaysWhichChecksDidNotRunAndWhy) {
  Report report = SampleReport();
  EXPECT_EQ(Summary(report).find("not run"), std::string::npos);
  report.not_run = {{"I2", "the checkpoint did not verify (I1)"},
                    {"I3", "the checkpoint did not verify (I1)"},
                    {"I8", "no witnesses named (--witness)"}};
  EXPECT_NE(Summary(report).find("not run: I2, I3 (the checkpoint did not verify (I1)); I8 (no "
                                 "witnesses named (--witness))\n"),
            std::string::npos)
      << Summary(report);
}

std::string Csv(const Report& report) {
  std::ostringstream out;
  WriteFindingsCsv(report, out);
  return out.str();
}

TEST(FindingsCsvTest, OneQuotedRowPerFindingUnderAHeader) {
  Report report = SampleReport();
  std::vector<Finding> findings = SampleFindings();
  findings[1].message = "said \"hi\", then\nleft";
  findings[1].evidence = {9, 4, 11};
  findings[1].party.reset();
  SetFindings(&report, findings);
  report.entries.times = {{4, At("2026-11-20T10:00:00Z")}};
  std::string csv = Csv(report);
  const Finding& d4 = findings[1];
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "id,rule,severity,status,subject_kind,subject_id,site,party,first_seen,evidence,"
            "message");
  // The first evidence entry is the lowest index, whatever the order; its time from the spool.
  EXPECT_NE(csv.find("\r\n" + d4.id +
                     ",D4,medium,open,chip,SN-2,site-1,,2026-11-20T10:00:00.000Z,9 4 11,\"said "
                     "\"\"hi\"\", then\nleft\"\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(findings[0].id + ",D5,critical,resolved,chip,SN-1,site-1,eu-1,,3 7,"),
            std::string::npos)
      << csv;
}

TEST(FindingsCsvTest, CellsThatASpreadsheetWouldEvaluateAreText) {
  Report report = SampleReport();
  Finding finding = SampleFindings()[0];
  finding.subject_id = "=HYPERLINK(\"http://x\")";
  finding.site = "+1";
  finding.party = "@SUM(A1)";
  finding.message = "-2, or so";
  SetFindings(&report, {finding});
  std::string csv = Csv(report);
  EXPECT_NE(
      csv.find(",chip,\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'@SUM(A1),,3 7,\"'-2, or so\"\r\n"),
      std::string::npos)
      << csv;
}

// A typical event of each shape the summary reads: ids, a serial list, seals.
Event ParsedEvent(chipledger::testing::TestAgent& agent, std::string_view type,
                  const nlohmann::json& fields) {
  Result<Event> event = ParseEvent(agent.Payload(type, fields).dump());
  EXPECT_TRUE(event.ok()) << event.status().ToString();
  return event.ok() ? *event : Event{};
}

TEST(EntrySpoolTest, FindsTheSummariesAndTimesAskedForInOnePass) {
  InitCrypto();
  chipledger::testing::TestAgent agent("op");
  Result<EntrySpool> spool = EntrySpool::Create();
  ASSERT_TRUE(spool.ok()) << spool.status().ToString();
  nlohmann::json received = {{"shipment", "SHP-1"},
                             {"site", "site-1"},
                             {"chips", {"SN-1", "SN-2", "SN-3", "SN-4", "SN-5", "SN-6"}},
                             {"seals", {{{"id", "seal-1"}, {"intact", false}}}}};
  nlohmann::json decommissioned = {{"site", "site-1"},
                                   {"chips", {"SN-1"}},
                                   {"reason", "burnt\tout\nfully"},
                                   {"disposition", "destroyed"}};
  for (uint64_t index = 0; index < 1000; ++index) {
    LogEntry entry;
    entry.index = index;
    entry.integrated_time = Timestamp{static_cast<int64_t>(index) * kNanosPerSecond};
    spool->Add(entry, index == 999 ? ParsedEvent(agent, "chip.decommissioned", decommissioned)
                                   : ParsedEvent(agent, "shipment.received", received));
  }
  Result<SpooledEntries> found = spool->Find({7, 999, 5000}, {0, 7, 500});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_EQ(found->summaries.size(), 2u);  // 5000 was never spooled
  const EntrySummary& seven = found->summaries.at(7);
  EXPECT_EQ(seven.type, "shipment.received");
  EXPECT_EQ(seven.agent, "op");
  EXPECT_EQ(seven.site, "site-1");
  EXPECT_EQ(seven.integrated_time.unix_nanos, 7 * kNanosPerSecond);
  // The tab would have split the spool's line: it reads as a space.
  EXPECT_EQ(
      seven.said,
      "shipment SHP-1; chips SN-1, SN-2, SN-3, SN-4, SN-5, … (6); seals seal-1 NOT intact (1)");
  // A tab or line break would have split the spool's line: it reads as a space.
  EXPECT_EQ(found->summaries.at(999).said, "chips SN-1 (1); reason burnt out fully");
  ASSERT_EQ(found->times.size(), 3u);
  EXPECT_EQ(found->times[2],
            (std::pair<uint64_t, Timestamp>{500, Timestamp{500 * kNanosPerSecond}}));
}

TEST(SiteActivityTest, CountsEventsPerSiteDayAndLane) {
  InitCrypto();
  chipledger::testing::TestAgent agent("op");
  auto add = [&](SiteActivity* activity, std::string_view type, const nlohmann::json& fields,
                 const char* time) {
    Result<Event> event = ParseEvent(agent.Payload(type, fields, At(time)).dump());
    ASSERT_TRUE(event.ok()) << event.status().ToString();
    activity->Add(*event);
  };
  SiteActivity activity;
  nlohmann::json install = {{"site", "site-1"}, {"chips", {{{"serial", "SN-1"}, {"host", "h"}}}}};
  add(&activity, "chip.installed", install, "2026-11-02T01:00:00Z");
  add(&activity, "chip.installed", install, "2026-11-02T23:00:00Z");
  add(&activity, "chip.transferred",
      {{"chips", {"SN-1"}}, {"from_site", "site-1"}, {"to_site", "site-2"}, {"license", "L"}},
      "2026-11-03T00:00:00Z");
  ASSERT_EQ(activity.sites().size(), 2u);
  const SiteActivity::Site& site = activity.sites().at("site-1");
  ASSERT_EQ(site.days.size(), 2u);
  int64_t day = At("2026-11-02T00:00:00Z").unix_nanos / (86400 * kNanosPerSecond);
  EXPECT_EQ(site.days.at(day)[static_cast<size_t>(Lane::kInstalled)], 2u);
  EXPECT_EQ(site.days.at(day + 1)[static_cast<size_t>(Lane::kMoved)], 1u);
  EXPECT_EQ(activity.sites().at("site-2").days.at(day + 1)[static_cast<size_t>(Lane::kMoved)], 1u);
}

TEST(ReportHtmlTest, IsSelfContainedAndEscaped) {
  Report report = SampleReport();
  report.activity["site-1"].name = "Hall <A>";
  report.activity["site-1"].days[20400][static_cast<size_t>(Lane::kHeartbeat)] = 24;
  std::string html = ReportToHtml(report);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  for (const char* fetches : {"<script", "<link", "src=", "@import", "url("}) {
    EXPECT_EQ(html.find(fetches), std::string::npos) << fetches;
  }
  EXPECT_NE(html.find("chip &lt;b&gt;SN-2&lt;/b&gt; &amp; co"), std::string::npos);
  EXPECT_EQ(html.find("<b>SN-2</b>"), std::string::npos);
  EXPECT_NE(html.find("Hall &lt;A&gt;"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("24 &times; Heartbeats"), std::string::npos);
  EXPECT_NE(html.find("id=\"finding-" + SampleFindings()[1].id + "\""), std::string::npos);
  EXPECT_NE(html.find("Log integrity verified"), std::string::npos);
}

TEST(ReportHtmlTest, SummarisesEvidenceInlineInsteadOfLinkingToTheApi) {
  Report report = SampleReport();
  report.entries.summaries[7] = {7,
                                 At("2026-11-20T10:00:00Z"),
                                 At("2026-11-20T09:59:00Z"),
                                 "shipment.received",
                                 "op-<1>",
                                 "site-1",
                                 "shipment SHP-1; seals seal-1 NOT intact (1)"};
  report.entry_url = "http://127.0.0.1:8080/console/#/entry/";
  std::string html = ReportToHtml(report);
  // A browser cannot open the API without a bearer token: evidence links to the console's entry
  // page, which asks for one.
  EXPECT_EQ(html.find("/v1/entries"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"http://127.0.0.1:8080/console/#/entry/7\">#7</a></span> "
                      "<b>shipment.received</b> by op-&lt;1&gt; at site-1, integrated "
                      "2026-11-20T10:00:00.000Z"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("shipment SHP-1; seals seal-1 NOT intact (1)"), std::string::npos);
  EXPECT_NE(html.find("#3</a></span> <span class=\"muted\">not read in this audit"),
            std::string::npos);
  EXPECT_NE(html.find("<code>http://127.0.0.1:8080/console/#/entry/N</code>"), std::string::npos);
}

TEST(ReportHtmlTest, ShowsIntegrityFailure) {
  Report report = SampleReport();
  report.integrity_ok = false;
  report.errors = {{"I4", 5, "signatures[0].sig: does not verify"}};
  report.error_count = 3;
  std::string html = ReportToHtml(report);
  EXPECT_NE(html.find("Log integrity FAILED"), std::string::npos);
  EXPECT_NE(html.find("signatures[0].sig: does not verify"), std::string::npos);
  EXPECT_NE(html.find("2 further errors are not listed"), std::string::npos);
}

// Issue 12: 300,000 findings made a 153 MB page no browser opens. Built directly, no log needed.
TEST(ReportHtmlTest, StaysUnderTenMegabytesWithThreeHundredThousandFindings) {
  Report report = SampleReport();
  std::vector<Finding> findings;
  for (int i = 0; i < 300000; ++i) {
    Finding finding = MakeFinding("L1", Severity::kCritical, "SHP-" + std::to_string(i), false);
    finding.subject_kind = "shipment";
    finding.site = "site-" + std::to_string(i % 1000);
    finding.evidence = {static_cast<uint64_t>(i)};
    findings.push_back(std::move(finding));
  }
  findings[5].severity = Severity::kMedium;
  findings.back().message = std::string(2000, 'x');  // longer than the page should show
  SetFindings(&report, std::move(findings));
  chipledger::testing::TempDir out;
  ASSERT_TRUE(WriteReportFiles(out.path(), report).ok());
  std::string html;
  {
    std::ifstream in(out.path() + "/report.html");
    std::ostringstream text;
    text << in.rdbuf();
    html = text.str();
  }
  EXPECT_LT(html.size(), 10u << 20);
  EXPECT_NE(html.find("The 500 most severe of 300000 findings are shown (open before resolved, "
                      "newest first); the other 299500 are in report.json and findings.csv"),
            std::string::npos);
  // Newest first: the last critical finding is shown, the oldest and the medium one are not.
  EXPECT_NE(html.find("SHP-299999"), std::string::npos);
  EXPECT_NE(html.find(std::string(1000, 'x') + "…<br>"), std::string::npos);
  EXPECT_EQ(html.find("SHP-0<"), std::string::npos);
  EXPECT_EQ(html.find("SHP-5<"), std::string::npos);
  EXPECT_NE(html.find("299999 finding(s), 500 shown"), std::string::npos);
  EXPECT_NE(html.find("<td><b>L1</b></td><td>Dispatch without a valid license</td><td>299999</td>"
                      "<td>0</td><td>1</td><td>0</td>"),
            std::string::npos);
  EXPECT_NE(html.find("950 more sites with fewer findings"), std::string::npos);
  // Everything is in the machine-readable files: a header and a row per finding.
  std::ifstream csv(out.path() + "/findings.csv");
  size_t rows = 0;
  for (std::string line; std::getline(csv, line);) ++rows;
  EXPECT_EQ(rows, 300001u);
  std::ifstream json(out.path() + "/report.json");  // its bytes are checked on a small report
  size_t rules = 0;
  for (std::string line; std::getline(json, line);) rules += line == "      \"rule\": \"L1\",";
  EXPECT_EQ(rules, 300000u);
  for (const char* name : {"report.json", "findings.csv", "report.html"}) {
    EXPECT_FALSE(std::filesystem::exists(out.path() + "/" + name + ".tmp")) << name;
  }
}

TEST(ReportFilesTest, AnUnwritableDirectoryIsAnErrorNamingOut) {
  chipledger::testing::TempDir out;
  std::string file = out.path() + "/file";
  std::ofstream(file) << "x";
  Status written = WriteReportFiles(file + "/reports", SampleReport());
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.message().find("--out " + file + "/reports"), std::string::npos)
      << written.message();
}

}  // namespace
}  // namespace chipledger::audit
