// The engine as a whole: a long scenario with many rules at once, stable finding ids,
// finding.resolved, the white list, the material balance, state views and parameters.
#include <algorithm>

#include "tests/auditor/engine_fixture.h"

namespace chipledger::audit::testing {
namespace {

std::vector<std::string> Keys(const std::vector<Finding>& findings) {
  std::vector<std::string> keys;
  for (const auto& f : findings) keys.push_back(f.rule + " " + f.subject_kind + ":" + f.subject_id);
  return keys;
}

const WhitelistEntry* Line(const std::vector<WhitelistEntry>& list, const std::string& party) {
  for (const auto& entry : list) {
    if (entry.party == party) return &entry;
  }
  return nullptr;
}

TEST_F(EngineTest, LongScenarioFiresExactlyTheExpectedRules) {
  Dispatch("s-1", Serials("a", 6), Day(0));
  Receive("s-1", "lab-1", Serials("a", 6), Day(1), /*seal_intact=*/false);
  Install("lab-1", Serials("a", 5), Day(2));  // a-5 stays uninstalled
  Dispatch("s-2", {"c-0", "c-1"}, Day(0), "lic-1", "lab", "lab-1", json::array({"NL", "RU"}));
  Dispatch("s-3", {"b-0"}, Day(0), "lic-1", "lab", "lab-2");
  Receive("s-3", "far", {"b-0"}, Day(1));
  InspectOptions own;
  own.agent = &self_insp_;
  own.purpose = "mining";
  Inspect("insp-1", "lab-1", {"a-0", "a-1", "a-2", "a-3", "x-9"}, Day(10), own);
  std::vector<std::string> online = {"a-0", "a-1", "a-2", "a-3"};
  Heartbeat("lab-1", online, Day(11), {{"a-0", "hw-x"}});
  Heartbeat("lab-1", online, Day(12.5), {{"a-0", "hw-y"}});
  Decommission("lab-1", {"a-3"}, Day(13));
  Heartbeat("lab-1", online, Day(13.5));
  Register("finding.resolved",
           {{"finding", FindingId("D12", "seal", "seal-s-1")}, {"resolution", "resealed"}},
           Day(14));
  Register(
      "check.requested",
      {{"check", "chk-1"}, {"site", "lab-2"}, {"kind", "challenge"}, {"due", FormatTime(Day(20))}},
      Day(15));

  std::vector<Finding> findings = engine_.Findings(Day(40));
  EXPECT_EQ(Keys(findings),
            (std::vector<std::string>{"D1 shipment:s-2", "D3 shipment:s-3", "D4 chip:a-5",
                                      "D4 chip:b-0", "D5 chip:a-4", "D5 chip:a-5", "D6 chip:x-9",
                                      "D11 chip:a-4", "D12 seal:seal-s-1", "D13 chip:a-3",
                                      "D15 chip:a-0", "D17 check:chk-1", "L6 shipment:s-2",
                                      "L7 inspection:insp-1", "A3 inspection:insp-1"}));
  for (const auto& finding : findings) {
    EXPECT_EQ(finding.resolved, finding.rule == "D12") << finding.rule;
    EXPECT_FALSE(finding.evidence.empty()) << finding.rule;
    EXPECT_TRUE(std::is_sorted(finding.evidence.begin(), finding.evidence.end()));
  }
  EXPECT_EQ(findings.front().severity, Severity::kCritical);  // D1 past twice the window
  // Queries do not change the engine, and the engine never reads the clock.
  EXPECT_EQ(Keys(engine_.Findings(Day(40))), Keys(findings));
  EXPECT_EQ(Keys(engine_.Findings(Day(5))),
            (std::vector<std::string>{"D3 shipment:s-3", "D5 chip:a-4", "D5 chip:a-5",
                                      "D6 chip:x-9", "D11 chip:a-4", "D12 seal:seal-s-1",
                                      "D13 chip:a-3", "D15 chip:a-0", "L6 shipment:s-2",
                                      "L7 inspection:insp-1", "A3 inspection:insp-1"}));
}

TEST_F(EngineTest, FindingIdsAreStableSha256Prefixes) {
  // printf 'D5\nchip:a-2' | sha256sum | cut -c1-32
  EXPECT_EQ(FindingId("D5", "chip", "a-2"), "9692e4a62bfff500d37f4d14f3e08ca4");
  Deliver("s-1", Serials("a", 3), Day(0));
  Inspect("insp-1", "lab-1", {"a-0", "a-1"}, Day(10));
  auto finding = FindingFor("D5", "chip", "a-2");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->id, "9692e4a62bfff500d37f4d14f3e08ca4");
  json j = FindingToJson(*finding);
  EXPECT_EQ(j["id"], finding->id);
  EXPECT_EQ(j["rule"], "D5");
  EXPECT_EQ(j["severity"], "critical");
  EXPECT_EQ(j["subject"], json({{"kind", "chip"}, {"id", "a-2"}}));
  EXPECT_EQ(j["site"], "lab-1");
  EXPECT_EQ(j["party"], "lab");
  EXPECT_EQ(j["status"], "open");
  EXPECT_TRUE(j["evidence"].is_array());
}

TEST_F(EngineTest, ResolutionClosesAFindingUntilNewEvidence) {
  Dispatch("s-1", {"a-0"}, Day(0));
  uint64_t broken = Receive("s-1", "lab-1", {"a-0"}, Day(1), /*seal_intact=*/false);
  const std::string id = FindingId("D12", "seal", "seal-s-1");
  EXPECT_FALSE(FindingFor("D12", "seal", "seal-s-1")->resolved);
  Register("finding.resolved", {{"finding", id}, {"resolution", "carrier damage"}}, Day(2));
  EXPECT_TRUE(FindingFor("D12", "seal", "seal-s-1")->resolved);
  Install("lab-1", {"a-0"}, Day(3));
  EXPECT_TRUE(FindingFor("D12", "seal", "seal-s-1")->resolved);  // unrelated events
  InspectOptions again;
  again.seals = {{"seal-s-1", false}};
  uint64_t reopened = Inspect("insp-1", "lab-1", {"a-0"}, Day(4), again);
  auto finding = FindingFor("D12", "seal", "seal-s-1");
  EXPECT_FALSE(finding->resolved);
  EXPECT_EQ(finding->evidence, (std::vector<uint64_t>{broken, reopened}));

  // A time-dependent finding stays resolved when only time passes (D1 escalates, not reopens).
  Dispatch("s-2", {"b-0"}, Day(0));
  Register("finding.resolved",
           {{"finding", FindingId("D1", "shipment", "s-2")}, {"resolution", "lost at sea"}},
           Day(20));
  auto d1 = FindingFor("D1", "shipment", "s-2", Day(40));
  ASSERT_TRUE(d1);
  EXPECT_TRUE(d1->resolved);
  EXPECT_EQ(d1->severity, Severity::kCritical);
}

TEST_F(EngineTest, EvidenceIsBoundedButStillReopens) {
  Deliver("s-1", {"a-0", "a-1"}, Day(0));
  for (int h = 1; h <= 80; ++h) Heartbeat("lab-1", {"a-0"}, AddSeconds(Day(3), h * 3600.0));
  auto dark = FindingFor("D11", "chip", "a-1");
  ASSERT_TRUE(dark);
  EXPECT_EQ(dark->evidence.size(), 50u);
  Register("finding.resolved", {{"finding", dark->id}, {"resolution", "repaired"}}, Day(7));
  EXPECT_TRUE(FindingFor("D11", "chip", "a-1")->resolved);
  Heartbeat("lab-1", {"a-0"}, Day(7.5));
  EXPECT_FALSE(FindingFor("D11", "chip", "a-1")->resolved);
}

TEST_F(EngineTest, WhitelistStatuses) {
  Deliver("s-1", {"a-0"}, Day(0));
  Deliver("s-2", {"b-0", "b-1"}, Day(0), "far");
  Inspect("insp-1", "lab-1", {"a-0"}, Day(10));
  Register("whitelist.decision", {{"party", "lab"}, {"status", "approved"}, {"reason", "ok"}},
           Day(3));
  Register("whitelist.decision", {{"party", "lab2"}, {"status", "approved"}, {"reason", "ok"}},
           Day(3));

  auto at20 = engine_.Whitelist(Day(20));
  ASSERT_EQ(at20.size(), 2u);  // end users only, by party id
  EXPECT_EQ(at20[0].party, "lab");
  EXPECT_EQ(at20[0].status, StandingStatus::kGoodStanding);
  EXPECT_EQ(at20[0].sites, (std::vector<std::string>{"lab-1", "lab-2"}));
  EXPECT_EQ(at20[0].licenses, (std::vector<std::string>{"lic-1"}));
  EXPECT_EQ(at20[0].chips_installed, 1u);
  EXPECT_EQ(at20[0].last_inspection, Day(10));
  EXPECT_EQ(at20[1].status, StandingStatus::kGoodStanding);
  EXPECT_EQ(at20[1].chips_installed, 2u);

  auto at95 = engine_.Whitelist(Day(95));  // far holds chips never inspected for 94 days
  EXPECT_EQ(Line(at95, "lab")->status, StandingStatus::kGoodStanding);
  EXPECT_EQ(Line(at95, "lab2")->status, StandingStatus::kLapsed);
  EXPECT_EQ(Line(at95, "lab2")->open_findings.at("medium"), 1u);  // D10

  Register("whitelist.decision", {{"party", "lab2"}, {"status", "suspended"}, {"reason", "audit"}},
           Day(21));
  Dispatch("s-3", {"c-0"}, Day(22));
  Receive("s-3", "lab-1", {"c-0"}, Day(23), /*seal_intact=*/false);  // D12, high, party lab
  auto suspended = engine_.Whitelist(Day(30));
  EXPECT_EQ(Line(suspended, "lab")->status, StandingStatus::kSuspended);
  EXPECT_EQ(Line(suspended, "lab")->open_findings.at("high"), 1u);
  EXPECT_EQ(Line(suspended, "lab2")->status, StandingStatus::kSuspended);

  Register("finding.resolved",
           {{"finding", FindingId("D12", "seal", "seal-s-3")}, {"resolution", "ok"}}, Day(24));
  EXPECT_EQ(Line(engine_.Whitelist(Day(30)), "lab")->status, StandingStatus::kGoodStanding);

  json payload = WhitelistPayload(engine_, Day(30), "origin\n5\nroot\n");
  EXPECT_EQ(payload["as_of"], FormatTime(Day(30)));
  EXPECT_EQ(payload["checkpoint"], "origin\n5\nroot\n");
  ASSERT_EQ(payload["end_users"].size(), 2u);
  EXPECT_EQ(payload["end_users"][0]["party"], "lab");
  EXPECT_EQ(payload["end_users"][0]["status"], "good_standing");
  EXPECT_EQ(payload["end_users"][1]["status"], "suspended");
  EXPECT_EQ(payload["end_users"][0]["last_inspection"], FormatTime(Day(10)));
}

TEST_F(EngineTest, NeverApprovedIsNotApproved) {
  auto list = engine_.Whitelist(Day(1));
  EXPECT_EQ(Line(list, "lab")->status, StandingStatus::kNotApproved);
  Register("whitelist.decision", {{"party", "lab"}, {"status", "suspended"}, {"reason", "x"}},
           Day(1));
  EXPECT_EQ(Line(engine_.Whitelist(Day(2)), "lab")->status, StandingStatus::kNotApproved);
  EXPECT_EQ(Line(list, "acme"), nullptr);  // exporters are not on the white list
}

TEST_F(EngineTest, MaterialBalancePerSite) {
  Deliver("s-1", Serials("a", 3), Day(0));
  Transfer({"a-2"}, "lab-1", "lab-2", Day(4));
  Dispatch("s-2", {"c-0", "c-1"}, Day(5));
  uint64_t inspection = Inspect("insp-1", "lab-1", {"a-0", "x-1"}, Day(10));
  std::vector<SiteBalance> balances = engine_.MaterialBalance();
  auto lab1 = std::find_if(balances.begin(), balances.end(),
                           [](const SiteBalance& b) { return b.site == "lab-1"; });
  ASSERT_NE(lab1, balances.end());
  EXPECT_EQ(lab1->party, "lab");
  EXPECT_EQ(lab1->book, (std::vector<std::string>{"a-0", "a-1"}));
  EXPECT_EQ(lab1->inspection, inspection);
  EXPECT_EQ(lab1->missing, (std::vector<std::string>{"a-1"}));
  EXPECT_EQ(lab1->unexpected, (std::vector<std::string>{"x-1"}));
  EXPECT_EQ(lab1->in_transit_shipments, 1u);
  EXPECT_EQ(lab1->in_transit_chips, 2u);
  json j = SiteBalanceToJson(*lab1);
  EXPECT_EQ(j["missing"], json::array({"a-1"}));
  auto lab2 = std::find_if(balances.begin(), balances.end(),
                           [](const SiteBalance& b) { return b.site == "lab-2"; });
  ASSERT_NE(lab2, balances.end());
  EXPECT_EQ(lab2->book, (std::vector<std::string>{"a-2"}));
  EXPECT_FALSE(lab2->inspection);
}

TEST_F(EngineTest, StateViews) {
  Dispatch("s-1", {"a-0"}, Day(0));
  uint64_t receipt = Receive("s-1", "lab-1", {"a-0"}, Day(1));
  uint64_t install = Install("lab-1", {"a-0"}, Day(2));
  json chip = engine_.ChipState("a-0");
  EXPECT_EQ(chip["status"], "installed");
  EXPECT_EQ(chip["site"], "lab-1");
  EXPECT_EQ(chip["host"], "node-1");
  EXPECT_EQ(chip["license"], "lic-1");
  EXPECT_EQ(chip["last_seen"]["index"], install);
  EXPECT_EQ(chip["custody"]["holder"], "lab");
  EXPECT_EQ(chip["custody"]["since_index"], receipt);
  EXPECT_TRUE(engine_.ChipState("nope").is_null());
  json site = engine_.SiteState("lab-1", Day(3), 24);
  EXPECT_EQ(site["inventory"]["installed"], 1);
  EXPECT_EQ(site["party"], "lab");
  EXPECT_EQ(engine_.PartyState("lab", Day(3), engine_.Whitelist(Day(3)))["sites"],
            json::array({"lab-1", "lab-2"}));
  EXPECT_EQ(engine_.LicenseState("lic-1", Day(3))["quantity_used"], 1);
  EXPECT_TRUE(engine_.LicenseState("nope", Day(3)).is_null());
  EXPECT_EQ(engine_.entries_applied(), index_);
  json stats = engine_.Stats();
  EXPECT_EQ(stats["entries"], index_);
  EXPECT_EQ(stats["events_by_type"]["shipment.dispatched"], 1);
}

// The shipment index behind a site's in-transit inventory and the shipment and chip lists follows
// receipts and redispatches, and pages like the lists it replaced.
TEST_F(EngineTest, ShipmentIndexFollowsReceiptsAndRedispatches) {
  Dispatch("s-1", {"a-0", "a-1"}, Day(0), "lic-1", "lab", "lab-1");
  Dispatch("s-2", {"b-0"}, Day(0), "lic-1", "lab", "lab-1");
  Dispatch("s-3", {"c-0"}, Day(0), "lic-1", "lab", "lab-2");
  Receive("s-1", "lab-1", {"a-0", "a-1"}, Day(1));
  Dispatch("s-3", {"c-0", "c-1"}, Day(2), "lic-1", "lab", "lab-1");  // redispatched elsewhere
  // The ids of one page of /v1/shipments, then "next:<cursor>" when more follow.
  auto ids = [&](std::map<std::string, std::string> filters, size_t limit = 100,
                 const std::string& after = "") {
    Engine::ListQuery query;
    query.filters = std::move(filters);
    query.limit = limit;
    query.after = after;
    query.as_of = Day(3);
    std::vector<std::string> out;
    Result<Engine::ListPage> page = engine_.List("shipments", query);
    EXPECT_TRUE(page.ok());
    for (const json& item : page->items) out.push_back(item["id"].get<std::string>());
    if (page->next) out.push_back("next:" + *page->next);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({{"site", "lab-1"}}), (V{"s-1", "s-2", "s-3"}));
  EXPECT_EQ(ids({{"site", "lab-1"}}, 1), (V{"s-1", "next:s-1"}));
  EXPECT_EQ(ids({{"site", "lab-1"}}, 1, "s-1"), (V{"s-2", "next:s-2"}));
  EXPECT_EQ(ids({{"site", "lab-1"}, {"status", "in_transit"}}), (V{"s-2", "s-3"}));
  EXPECT_EQ(ids({{"site", "lab-2"}}), V{});
  EXPECT_EQ(ids({{"status", "received"}}), V{"s-1"});
  EXPECT_EQ(ids({{"status", "in_transit"}, {"license", "lic-2"}}), V{});
  EXPECT_EQ(ids({{"site", "nowhere"}}), V{});
  EXPECT_EQ(engine_.SiteState("lab-1", Day(3), 24)["inventory"]["in_transit"], 3);
  EXPECT_EQ(engine_.SiteState("lab-2", Day(3), 24)["inventory"]["in_transit"], 0);

  Engine::ListQuery chips;
  chips.filters = {{"site", "lab-1"}, {"status", "in_transit"}};
  chips.limit = 2;
  Result<Engine::ListPage> page = engine_.List("chips", chips);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0]["serial"], "b-0");
  EXPECT_EQ(page->items[1]["serial"], "c-0");
  ASSERT_TRUE(page->next);
  chips.after = *page->next;
  page = engine_.List("chips", chips);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0]["serial"], "c-1");
  EXPECT_FALSE(page->next);
  chips.filters = {{"site", "lab-1"}};  // its books, then what is in transit to it
  chips.after.clear();
  chips.limit = 100;
  page = engine_.List("chips", chips);
  ASSERT_TRUE(page.ok());
  std::vector<std::string> serials;
  for (const json& item : page->items) serials.push_back(item["serial"].get<std::string>());
  EXPECT_EQ(serials, (V{"a-0", "a-1", "b-0", "c-0", "c-1"}));
}

TEST(ParamsTest, SetParsesNamesAndRejectsBadValues) {
  Params params;
  EXPECT_TRUE(params.Set("receipt_days=5").ok());
  EXPECT_EQ(params.receipt_days, 5);
  EXPECT_TRUE(params.Set("dark_cluster=3").ok());
  EXPECT_EQ(params.dark_cluster, 3);
  EXPECT_TRUE(params.Set("max_skew_s=0.5").ok());
  EXPECT_EQ(params.max_skew_s, 0.5);
  Status unknown = params.Set("receipt_weeks=2");
  EXPECT_FALSE(unknown.ok());
  EXPECT_NE(unknown.message().find("receipt_weeks"), std::string::npos);
  EXPECT_FALSE(params.Set("receipt_days").ok());
  EXPECT_FALSE(params.Set("receipt_days=-1").ok());
  EXPECT_FALSE(params.Set("receipt_days=abc").ok());
  EXPECT_FALSE(params.Set("dark_cluster=2.5").ok());
  EXPECT_EQ(params.receipt_days, 5);
}

TEST(SeverityTest, NamesRoundTrip) {
  for (Severity s : {Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    EXPECT_EQ(SeverityFromName(SeverityName(s)), s);
  }
  EXPECT_FALSE(SeverityFromName("low"));
}

}  // namespace
}  // namespace chipledger::audit::testing
