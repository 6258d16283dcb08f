// report.json's shape (SPEC §8), the exit code, the summary and the self-contained HTML.
#include "auditor/report.h"

#include <gtest/gtest.h>

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

Report SampleReport() {
  Report report;
  report.as_of = At("2026-11-23T08:15:00Z");
  report.checkpoint = Checkpoint{"audit.test/log", 12, Sha256("root")};
  report.integrity_ok = true;
  report.entries_checked = 12;
  report.findings = {MakeFinding("D5", Severity::kCritical, "SN-1", true),
                     MakeFinding("D4", Severity::kMedium, "SN-2", false)};
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
  EXPECT_EQ(json["findings"][0], FindingToJson(SampleReport().findings[0]));
  EXPECT_EQ(json["whitelist"][1], WhitelistEntryToJson(SampleReport().whitelist[1]));
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
  report.findings[0].resolved = false;
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
  EXPECT_NE(html.find("id=\"finding-" + report.findings[1].id + "\""), std::string::npos);
  EXPECT_NE(html.find("Log integrity verified"), std::string::npos);
}

TEST(ReportHtmlTest, LinksEvidenceToTheServerWhenOneWasRead) {
  Report report = SampleReport();
  EXPECT_EQ(ReportToHtml(report).find("href=\"http"), std::string::npos);
  report.entry_url = "http://127.0.0.1:8080/v1/entries/";
  std::string html = ReportToHtml(report);
  EXPECT_NE(html.find("href=\"http://127.0.0.1:8080/v1/entries/7\">#7</a>"), std::string::npos);
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

}  // namespace
}  // namespace chipledger::audit
