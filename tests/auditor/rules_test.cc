// Every rule of SPEC §8 (D1–D17, L1–L7, A1–A3): a case that fires it and a near miss that must
// not, fed as real signed envelopes through audit::Engine.
#include "tests/auditor/engine_fixture.h"

namespace chipledger::audit::testing {
namespace {

using RulesTest = EngineTest;

TEST_F(RulesTest, D1ShipmentNotReceivedEscalatesAfterTwiceTheWindow) {
  Dispatch("s-late", {"a-0"}, Day(0));
  Dispatch("s-ok", {"b-0"}, Day(0));
  Receive("s-ok", "lab-1", {"b-0"}, Day(13));
  EXPECT_FALSE(Fires("D1", "shipment", "s-late", Day(14)));
  auto high = FindingFor("D1", "shipment", "s-late", Day(15));
  ASSERT_TRUE(high);
  EXPECT_EQ(high->severity, Severity::kHigh);
  EXPECT_EQ(high->party, "lab");
  EXPECT_EQ(FindingFor("D1", "shipment", "s-late", Day(29))->severity, Severity::kCritical);
  EXPECT_FALSE(Fires("D1", "shipment", "s-ok", Day(60)));  // received on day 13
}

TEST_F(RulesTest, D2MissingIsCriticalExtraIsHigh) {
  Dispatch("s-missing", {"a-0", "a-1"}, Day(0));
  Receive("s-missing", "lab-1", {"a-0"}, Day(1));
  Dispatch("s-extra", {"b-0"}, Day(0));
  Receive("s-extra", "lab-1", {"b-0", "b-9"}, Day(1));
  Dispatch("s-exact", {"c-0", "c-1"}, Day(0));
  Receive("s-exact", "lab-1", {"c-1", "c-0"}, Day(1));
  EXPECT_EQ(FindingFor("D2", "shipment", "s-missing")->severity, Severity::kCritical);
  EXPECT_EQ(FindingFor("D2", "shipment", "s-extra")->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("D2", "shipment", "s-exact"));
}

TEST_F(RulesTest, D3WrongSiteOrForwarderConsignee) {
  Dispatch("s-diverted", {"a-0"}, Day(0));
  Receive("s-diverted", "lab-2", {"a-0"}, Day(1));
  Dispatch("s-forwarded", {"b-0"}, Day(0), "lic-1", "fwd");
  Receive("s-forwarded", "lab-1", {"b-0"}, Day(1));
  Dispatch("s-ok", {"c-0"}, Day(0));
  Receive("s-ok", "lab-1", {"c-0"}, Day(1));
  EXPECT_EQ(FindingFor("D3", "shipment", "s-diverted")->severity, Severity::kCritical);
  EXPECT_TRUE(Fires("D3", "shipment", "s-forwarded"));
  EXPECT_FALSE(Fires("D3", "shipment", "s-ok"));
}

TEST_F(RulesTest, D4ReceivedNotInstalledWithinWindow) {
  Dispatch("s-1", {"a-0", "a-1"}, Day(0));
  Receive("s-1", "lab-1", {"a-0", "a-1"}, Day(1));
  Install("lab-1", {"a-1"}, Day(30));  // day 29 after arrival
  EXPECT_FALSE(Fires("D4", "chip", "a-0", Day(31)));
  auto finding = FindingFor("D4", "chip", "a-0", Day(31.5));
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kMedium);
  EXPECT_EQ(finding->site, "lab-1");
  EXPECT_FALSE(Fires("D4", "chip", "a-1", Day(90)));
}

TEST_F(RulesTest, D5InstalledChipMissingFromInspection) {
  Deliver("s-1", Serials("a", 4), Day(0));
  Transfer({"a-3"}, "lab-1", "lab-2", Day(5));
  // a-2 is absent; a-3 was transferred away, so its absence is explained.
  uint64_t inspection = Inspect("insp-1", "lab-1", {"a-0", "a-1"}, Day(10));
  auto finding = FindingFor("D5", "chip", "a-2");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kCritical);
  EXPECT_EQ(finding->evidence.back(), inspection);
  EXPECT_FALSE(Fires("D5", "chip", "a-3"));
  EXPECT_FALSE(Fires("D5", "chip", "a-0"));
}

TEST_F(RulesTest, D5OnlyWithinTheSampledList) {
  Deliver("s-1", Serials("a", 3), Day(0));
  InspectOptions sampled;
  sampled.sampled = std::vector<std::string>{"a-0", "a-1"};
  Inspect("insp-1", "lab-1", {"a-0"}, Day(10), sampled);
  EXPECT_TRUE(Fires("D5", "chip", "a-1"));
  EXPECT_FALSE(Fires("D5", "chip", "a-2"));  // not covered by the sample
}

TEST_F(RulesTest, D6ObservedWhereTheBooksDoNotHoldIt) {
  Deliver("s-1", {"a-0"}, Day(0));
  Deliver("s-2", {"b-0"}, Day(0), "lab-2");
  Inspect("insp-1", "lab-1", {"a-0", "b-0", "ghost-1"}, Day(10));
  Heartbeat("lab-1", {"a-0", "b-0"}, Day(10.5));
  EXPECT_EQ(FindingFor("D6", "chip", "b-0")->severity, Severity::kHigh);
  EXPECT_TRUE(Fires("D6", "chip", "ghost-1"));
  EXPECT_FALSE(Fires("D6", "chip", "a-0"));
}

TEST_F(RulesTest, D7SameSerialTooFarTooFast) {
  Deliver("s-1", {"a-0", "a-1"}, Day(0));
  Heartbeat("lab-1", {"a-0", "a-1"}, Day(3));
  Heartbeat("far", {"a-0"}, AddSeconds(Day(3), 3600));  // Amsterdam to Sydney in an hour
  Transfer({"a-1"}, "lab-1", "lab-2", AddSeconds(Day(3), 60));
  Heartbeat("lab-2", {"a-1"}, AddSeconds(Day(3), 3600));  // ~75 km in an hour
  EXPECT_EQ(FindingFor("D7", "chip", "a-0")->severity, Severity::kCritical);
  EXPECT_FALSE(Fires("D7", "chip", "a-1"));
}

TEST_F(RulesTest, D8DispatchedAgainWhileNotReturned) {
  Deliver("s-1", {"a-0", "a-1"}, Day(0));
  Decommission("lab-1", {"a-1"}, Day(5), "returned");
  Dispatch("s-2", {"a-0"}, Day(6));
  Dispatch("s-3", {"a-1"}, Day(6));
  EXPECT_EQ(FindingFor("D8", "chip", "a-0")->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("D8", "chip", "a-1"));
  EXPECT_FALSE(Fires("D13", "chip", "a-1"));  // returned chips may ship again
}

TEST_F(RulesTest, D9LocationOutsideTheSiteRadiusPlusAccuracy) {
  Dispatch("s-1", {"a-0"}, Day(0));
  Dispatch("s-2", {"b-0"}, Day(0));
  // 0.0135° of latitude is about 1.5 km: outside 1000 m, inside 1000 m + 600 m accuracy.
  uint64_t far = Append(op_, "shipment.received",
                        {{"shipment", "s-1"},
                         {"site", "lab-1"},
                         {"chips", {"a-0"}},
                         {"seals", json::array()},
                         {"location", {{"lat", 52.0135}, {"lon", 4.0}, {"accuracy_m", 100}}}},
                        Day(1));
  uint64_t near = Append(op_, "shipment.received",
                         {{"shipment", "s-2"},
                          {"site", "lab-1"},
                          {"chips", {"b-0"}},
                          {"seals", json::array()},
                          {"location", {{"lat", 52.0135}, {"lon", 4.0}, {"accuracy_m", 600}}}},
                         Day(1));
  EXPECT_EQ(FindingFor("D9", "event", std::to_string(far))->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("D9", "event", std::to_string(near)));
}

TEST_F(RulesTest, D10SiteNotInspectedWithinWindow) {
  Deliver("s-1", {"a-0"}, Day(0));  // lab-1 holds chips from day 1
  Deliver("s-2", {"b-0"}, Day(0), "lab-2");
  Inspect("insp-2", "lab-2", {"b-0"}, Day(80));
  EXPECT_FALSE(Fires("D10", "site", "lab-1", Day(91)));
  std::optional<Finding> overdue = FindingFor("D10", "site", "lab-1", Day(91.5));
  ASSERT_TRUE(overdue.has_value());
  EXPECT_EQ(overdue->severity, Severity::kMedium);
  EXPECT_FALSE(Fires("D10", "site", "lab-2", Day(91.5)));
  EXPECT_TRUE(Fires("D10", "site", "lab-2", Day(171)));
  EXPECT_FALSE(Fires("D10", "site", "far", Day(400)));  // holds nothing
}

TEST_F(RulesTest, D11ChipDarkForMoreThanTheGap) {
  Deliver("s-1", Serials("a", 3), Day(0));
  // Hourly heartbeats from day 3: a-1 misses 23 hours and returns; a-2 stays dark 25 hours.
  for (int h = 1; h <= 25; ++h) {
    std::vector<std::string> online = {"a-0"};
    if (h > 23) online.push_back("a-1");
    Heartbeat("lab-1", online, AddSeconds(Day(3), h * 3600.0));
  }
  auto finding = FindingFor("D11", "chip", "a-2");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kMedium);
  EXPECT_FALSE(Fires("D11", "chip", "a-1"));
  EXPECT_FALSE(Fires("D11", "chip", "a-0"));
  EXPECT_FALSE(Fires("D11", "site", "lab-1"));  // one dark chip is no cluster
}

TEST_F(RulesTest, D11ClusterOfDarkChipsIsHigh) {
  Deliver("s-1", Serials("a", 12), Day(0));
  Deliver("s-2", Serials("b", 9), Day(0), "far");
  Heartbeat("lab-1", {"a-0", "a-1"}, Day(3));
  Heartbeat("lab-1", {"a-0", "a-1"}, Day(4.5));  // ten chips dark for 36 hours
  Heartbeat("far", {}, Day(3));
  Heartbeat("far", {}, Day(4.5));  // nine chips dark: below the cluster size
  EXPECT_EQ(FindingFor("D11", "site", "lab-1")->severity, Severity::kHigh);
  EXPECT_TRUE(Fires("D11", "chip", "b-0"));
  EXPECT_FALSE(Fires("D11", "site", "far"));
}

TEST_F(RulesTest, D12SealNotIntact) {
  Dispatch("s-1", {"a-0"}, Day(0));
  Dispatch("s-2", {"b-0"}, Day(0));
  Receive("s-1", "lab-1", {"a-0"}, Day(1), /*seal_intact=*/false);
  Receive("s-2", "lab-1", {"b-0"}, Day(1), /*seal_intact=*/true);
  auto finding = FindingFor("D12", "seal", "seal-s-1");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kHigh);
  EXPECT_EQ(finding->party, "lab");
  EXPECT_FALSE(Fires("D12", "seal", "seal-s-2"));
}

TEST_F(RulesTest, D13EventAfterDecommission) {
  Deliver("s-1", {"a-0", "a-1"}, Day(0));
  Decommission("lab-1", {"a-0"}, Day(5));
  Heartbeat("lab-1", {"a-0", "a-1"}, Day(6));
  EXPECT_EQ(FindingFor("D13", "chip", "a-0")->severity, Severity::kCritical);
  EXPECT_FALSE(Fires("D6", "chip", "a-0"));  // left to D13
  EXPECT_FALSE(Fires("D13", "chip", "a-1"));
}

TEST_F(RulesTest, D14LifecycleOutOfOrder) {
  Dispatch("s-1", {"a-0", "a-1"}, Day(0));
  Install("lab-1", {"a-0"}, Day(1));  // before its receipt
  Receive("s-1", "lab-1", {"a-0", "a-1"}, Day(2));
  Install("lab-1", {"a-1"}, Day(3));               // in order
  Receive("s-unknown", "lab-1", {"z-0"}, Day(2));  // no dispatch at all
  EXPECT_EQ(FindingFor("D14", "chip", "a-0")->severity, Severity::kHigh);
  EXPECT_TRUE(Fires("D14", "chip", "z-0"));
  EXPECT_FALSE(Fires("D14", "chip", "a-1"));
}

TEST_F(RulesTest, D15AttestedIdChanged) {
  Deliver("s-1", {"a-0", "a-1"}, Day(0));
  InspectOptions first;
  first.attested = {{"a-0", "hw-0"}, {"a-1", "hw-1"}};
  Inspect("insp-1", "lab-1", {"a-0", "a-1"}, Day(5), first);
  Heartbeat("lab-1", {"a-0", "a-1"}, Day(6), {{"a-0", "hw-0"}, {"a-1", "hw-other"}});
  EXPECT_EQ(FindingFor("D15", "chip", "a-1")->severity, Severity::kCritical);
  EXPECT_FALSE(Fires("D15", "chip", "a-0"));
}

TEST_F(RulesTest, D16InstalledPowerAboveDeclared) {
  // lab-2 declares 2 kW: two chips (1.4 kW) fit, a third (2.1 kW) does not.
  Deliver("s-1", Serials("a", 2), Day(0), "lab-2");
  EXPECT_FALSE(Fires("D16", "site", "lab-2"));
  Deliver("s-2", {"b-0"}, Day(0), "lab-2");
  EXPECT_EQ(FindingFor("D16", "site", "lab-2")->severity, Severity::kMedium);
}

TEST_F(RulesTest, D17CheckNotPerformedByDue) {
  Deliver("s-1", {"a-0"}, Day(0));
  Register(
      "check.requested",
      {{"check", "chk-1"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(10))}},
      Day(2));
  Register(
      "check.requested",
      {{"check", "chk-2"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(10))}},
      Day(2));
  InspectOptions named;
  named.check = "chk-2";
  Inspect("insp-1", "lab-1", {"a-0"}, Day(9), named);
  EXPECT_FALSE(Fires("D17", "check", "chk-1", Day(10)));
  EXPECT_EQ(FindingFor("D17", "check", "chk-1", Day(11))->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("D17", "check", "chk-2", Day(11)));
}

TEST_F(RulesTest, L1DispatchWithoutValidLicense) {
  Dispatch("s-none", {"a-0"}, Day(0), "lic-missing");
  Dispatch("s-expired", {"b-0"}, Day(366));
  Register("license.revoked", {{"license", "lic-2"}, {"reason", "breach"}}, Day(1));
  Dispatch("s-revoked", {"c-0"}, Day(2), "lic-2", "lab2", "far");
  Dispatch("s-ok", {"d-0"}, Day(0));
  EXPECT_EQ(FindingFor("L1", "shipment", "s-none")->severity, Severity::kCritical);
  EXPECT_TRUE(Fires("L1", "shipment", "s-expired"));
  EXPECT_TRUE(Fires("L1", "shipment", "s-revoked"));
  EXPECT_FALSE(Fires("L1", "shipment", "s-ok"));
}

TEST_F(RulesTest, L2CumulativeQuantityAboveMax) {
  Dispatch("s-1", Serials("a", 15), Day(0), "lic-2", "lab2", "far");
  Dispatch("s-2", Serials("b", 5), Day(1), "lic-2", "lab2", "far");  // 20: at the limit
  EXPECT_FALSE(Fires("L2", "license", "lic-2"));
  Dispatch("s-3", {"c-0"}, Day(2), "lic-2", "lab2", "far");
  auto finding = FindingFor("L2", "license", "lic-2");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kCritical);
  EXPECT_EQ(finding->party, "lab2");
}

TEST_F(RulesTest, L3ModelOutsideLicense) {
  Dispatch("s-1", {"a-0"}, Day(0), "lic-1", "lab", "lab-1", json::array({"NL"}), "B200");
  Dispatch("s-2", {"b-0"}, Day(0));
  EXPECT_EQ(FindingFor("L3", "shipment", "s-1")->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("L3", "shipment", "s-2"));
}

TEST_F(RulesTest, L4ConsigneeSitesAndTransfers) {
  Dispatch("s-wrong-user", {"a-0"}, Day(0), "lic-1", "lab2", "lab-1");
  Dispatch("s-wrong-site", {"b-0"}, Day(0), "lic-1", "lab", "far");
  Deliver("s-ok", {"c-0", "c-1"}, Day(0));
  uint64_t away = Transfer({"c-0"}, "lab-1", "far", Day(5));
  uint64_t within = Transfer({"c-1"}, "lab-1", "lab-2", Day(5));
  EXPECT_EQ(FindingFor("L4", "shipment", "s-wrong-user")->severity, Severity::kCritical);
  EXPECT_TRUE(Fires("L4", "shipment", "s-wrong-site"));
  EXPECT_FALSE(Fires("L4", "shipment", "s-ok"));
  EXPECT_TRUE(Fires("L4", "event", std::to_string(away)));
  EXPECT_FALSE(Fires("L4", "event", std::to_string(within)));
}

TEST_F(RulesTest, L5ScreenedPartyNamedByAnEvent) {
  Register("screening.listed", {{"name", "other   LAB"}, {"list", "entity"}, {"listed", true}},
           Day(0));
  Dispatch("s-1", {"a-0"}, Day(1), "lic-2", "lab2", "far");
  // acme is listed only after its dispatch, and fwd is listed then delisted before its event.
  Register("screening.listed", {{"party", "acme"}, {"list", "sdn"}, {"listed", true}}, Day(2));
  Register("screening.listed", {{"party", "fwd"}, {"list", "sdn"}, {"listed", true}}, Day(2));
  Register("screening.listed", {{"party", "fwd"}, {"list", "sdn"}, {"listed", false}}, Day(3));
  Register("whitelist.decision", {{"party", "fwd"}, {"status", "approved"}, {"reason", "ok"}},
           Day(4));
  Register("party.registered",
           {{"party",
             {{"id", "newco"}, {"name", "Other Lab"}, {"country", "AU"}, {"kind", "end_user"}}}},
           Day(5));
  EXPECT_TRUE(Fires("L5", "party", "newco"));  // registered under a listed name
  auto finding = FindingFor("L5", "party", "lab2");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kCritical);
  EXPECT_FALSE(Fires("L5", "party", "acme"));
  EXPECT_FALSE(Fires("L5", "party", "fwd"));
}

TEST_F(RulesTest, L6RouteOutsideLicense) {
  Dispatch("s-1", {"a-0"}, Day(0), "lic-1", "lab", "lab-1", json::array({"NL", "RU"}));
  Dispatch("s-2", {"b-0"}, Day(0), "lic-1", "lab", "lab-1", json::array({"DE", "NL"}));
  Dispatch("s-3", {"c-0"}, Day(0), "lic-2", "lab2", "far", json::array({"RU"}));  // no route
  EXPECT_EQ(FindingFor("L6", "shipment", "s-1")->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("L6", "shipment", "s-2"));
  EXPECT_FALSE(Fires("L6", "shipment", "s-3"));
}

TEST_F(RulesTest, L7PurposeOutsideLicense) {
  Deliver("s-1", {"a-0"}, Day(0));
  InspectOptions mining;
  mining.purpose = "crypto_mining";
  Inspect("insp-bad", "lab-1", {"a-0"}, Day(5), mining);
  Inspect("insp-ok", "lab-1", {"a-0"}, Day(6));
  EXPECT_EQ(FindingFor("L7", "inspection", "insp-bad")->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("L7", "inspection", "insp-ok"));
}

TEST_F(RulesTest, A1TimeAheadOrBackdated) {
  uint64_t ahead = Register(
      "check.requested",
      {{"check", "c-1"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(100))}},
      AddSeconds(Day(1), 600));
  Append(
      gov_, "check.requested",
      {{"check", "c-2"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(100))}},
      Day(1), AddSeconds(Day(1), 8 * 86400));
  uint64_t backdated = index_ - 1;
  uint64_t slightly = Append(
      gov_, "check.requested",
      {{"check", "c-3"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(100))}},
      AddSeconds(Day(20), 100), Day(20));
  uint64_t late = Append(
      gov_, "check.requested",
      {{"check", "c-4"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(100))}},
      Day(21), Day(27));
  EXPECT_FALSE(Fires("A1", "event", std::to_string(ahead)));  // integrated at its own time
  EXPECT_EQ(FindingFor("A1", "event", std::to_string(backdated))->severity, Severity::kMedium);
  EXPECT_FALSE(Fires("A1", "event", std::to_string(slightly)));
  EXPECT_FALSE(Fires("A1", "event", std::to_string(late)));
  uint64_t future = Append(
      gov_, "check.requested",
      {{"check", "c-5"}, {"site", "lab-1"}, {"kind", "challenge"}, {"due", FormatTime(Day(100))}},
      AddSeconds(Day(30), 301), Day(30));
  EXPECT_TRUE(Fires("A1", "event", std::to_string(future)));
}

TEST_F(RulesTest, A2InspectorAtTwoSitesTooFast) {
  Inspect("i-1", "lab-1", {}, Day(1));
  Inspect("i-2", "far", {}, AddSeconds(Day(1), 3600));  // Sydney an hour later
  InspectOptions self;
  self.agent = &self_insp_;
  Inspect("i-3", "lab-1", {}, Day(10), self);
  Inspect("i-4", "lab-2", {}, AddSeconds(Day(10), 3600), self);  // 75 km in an hour
  auto finding = FindingFor("A2", "agent", "insp");
  ASSERT_TRUE(finding);
  EXPECT_EQ(finding->severity, Severity::kHigh);
  EXPECT_FALSE(Fires("A2", "agent", "selfinsp"));
}

TEST_F(RulesTest, A3InspectionSignedOnlyByTheSitesOwnOrganisation) {
  Deliver("s-1", {"a-0"}, Day(0));
  InspectOptions own;
  own.agent = &self_insp_;
  Inspect("i-own", "lab-1", {"a-0"}, Day(5), own);
  InspectOptions cosigned = own;
  cosigned.cosigners = {&insp_};
  Inspect("i-cosigned", "lab-1", {"a-0"}, Day(6), cosigned);
  Inspect("i-joint", "lab-1", {"a-0"}, Day(7));
  EXPECT_EQ(FindingFor("A3", "inspection", "i-own")->severity, Severity::kMedium);
  EXPECT_FALSE(Fires("A3", "inspection", "i-cosigned"));
  EXPECT_FALSE(Fires("A3", "inspection", "i-joint"));
}

TEST_F(RulesTest, A3CosignersAreResolvedByTheirCurrentKeys) {
  Deliver("s-1", {"a-0"}, Day(0));
  TestAgent rotated("insp");  // the joint inspector's new key
  Enroll(rotated, "inspector", "ib");
  InspectOptions stale;
  stale.agent = &self_insp_;
  stale.cosigners = {&insp_};  // signed with the rotated-out key
  Inspect("i-stale", "lab-1", {"a-0"}, Day(5), stale);
  InspectOptions fresh = stale;
  fresh.cosigners = {&rotated};
  Inspect("i-fresh", "lab-1", {"a-0"}, Day(6), fresh);
  EXPECT_TRUE(Fires("A3", "inspection", "i-stale"));
  EXPECT_FALSE(Fires("A3", "inspection", "i-fresh"));
}

}  // namespace
}  // namespace chipledger::audit::testing
