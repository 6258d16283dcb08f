#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/agent.h"
#include "tests/testing/test_agent.h"

namespace chipledger::agent {
namespace {

namespace fs = std::filesystem;

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Agent> agent = Agent::Create(
        dir_.path() + "/home", {"inspector-1", "", "", {}, {}, {}, {}}, "pw", FastKdfCost());
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
    agent_.emplace(*std::move(agent));
  }
  fs::path Write(const std::string& name, const std::string& content) {
    fs::path path = fs::path(dir_.path()) / name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  Event Payload(const QueuedEvent& queued) {
    return *ParseEvent(ParseEnvelope(queued.envelope)->payload);
  }

  testing::TempDir dir_;
  std::optional<Agent> agent_;
};

TEST_F(ComposeTest, InspectionFromFieldFiles) {
  InspectionInput input;
  input.inspection = "insp-7";
  input.site = "site-1";
  input.purpose = "life_sciences";
  input.kind = "challenge";
  input.result = "fail";
  input.check = "check-3";
  input.observed = Write("observed.txt", "# serial,attested_id,host\nSN-1,ATT-1,host-a\n\nSN-2\n");
  input.sampled = Write("sampled.txt", "SN-1\nSN-2\nSN-3\n");
  input.seals = {"SEAL-1=intact", "SEAL-2=broken"};
  input.evidence = {Write("rack.JPG", "jpeg bytes").string() + "=rack 4 front",
                    Write("notes.bin", "abc").string()};
  Result<nlohmann::json> fields = InspectionFields(input);
  ASSERT_TRUE(fields.ok()) << fields.status().ToString();
  Result<Location> location = ParseLocation("52.1,4.3,15");
  ASSERT_TRUE(location.ok());
  Result<QueuedEvent> queued = agent_->Compose(EventType::kInspectionPerformed, *fields,
                                               {std::nullopt, *location, "hall B"});
  ASSERT_TRUE(queued.ok()) << queued.status().ToString();
  Event event = Payload(*queued);
  const auto& inspection = std::get<InspectionPerformed>(event.body);
  EXPECT_EQ(inspection.kind, InspectionKind::kChallenge);
  EXPECT_EQ(inspection.result, InspectionResult::kFail);
  EXPECT_EQ(inspection.check, "check-3");
  ASSERT_EQ(inspection.observed.size(), 2u);
  EXPECT_EQ(inspection.observed[0].attested_id, "ATT-1");
  EXPECT_EQ(inspection.observed[0].host, "host-a");
  EXPECT_FALSE(inspection.observed[1].attested_id.has_value());
  EXPECT_EQ(inspection.sampled->size(), 3u);
  ASSERT_EQ(inspection.seals.size(), 2u);
  EXPECT_TRUE(inspection.seals[0].intact);
  EXPECT_FALSE(inspection.seals[1].intact);
  ASSERT_EQ(inspection.evidence.size(), 2u);
  EXPECT_EQ(inspection.evidence[0].sha256, Sha256("jpeg bytes"));
  EXPECT_EQ(inspection.evidence[0].media_type, "image/jpeg");
  EXPECT_EQ(inspection.evidence[0].description, "rack 4 front");
  EXPECT_EQ(inspection.evidence[1].sha256, Sha256("abc"));
  EXPECT_EQ(inspection.evidence[1].media_type, "application/octet-stream");
  EXPECT_EQ(inspection.evidence[1].description, "notes.bin");
  ASSERT_TRUE(event.location.has_value());
  EXPECT_DOUBLE_EQ(event.location->lat, 52.1);
  EXPECT_EQ(event.location->accuracy_m, 15);
  EXPECT_EQ(event.note, "hall B");
  EXPECT_EQ(event.agent, "inspector-1");
}

TEST_F(ComposeTest, ReceiptInstallAndHeartbeatCommands) {
  Result<nlohmann::json> receipt =
      ReceiptFields({"ship-1", "site-1", Write("chips.txt", "SN-1\nSN-2\n"), {"S-1=intact"}});
  ASSERT_TRUE(receipt.ok());
  Result<QueuedEvent> received = agent_->Compose(EventType::kShipmentReceived, *receipt);
  ASSERT_TRUE(received.ok()) << received.status().ToString();
  EXPECT_EQ(std::get<ShipmentReceived>(Payload(*received).body).chips.size(), 2u);

  Result<nlohmann::json> install =
      InstallFields({"site-1", Write("hosts.txt", "SN-1,host-a,slot-0\nSN-2,host-b\n")});
  ASSERT_TRUE(install.ok());
  Result<QueuedEvent> installed = agent_->Compose(EventType::kChipInstalled, *install);
  ASSERT_TRUE(installed.ok()) << installed.status().ToString();
  Event install_event = Payload(*installed);
  const auto& chips = std::get<ChipInstalled>(install_event.body).chips;
  EXPECT_EQ(chips[0].slot, "slot-0");
  EXPECT_EQ(chips[1].host, "host-b");

  Result<nlohmann::json> heartbeat = HeartbeatFields({"site-1",
                                                      "2026-11-23T08:00:00Z",
                                                      "2026-11-23T09:00:00Z",
                                                      Write("online.txt", "SN-1,ATT-1\n"),
                                                      {"fra=12.5", "ams=3"}});
  ASSERT_TRUE(heartbeat.ok());
  Result<QueuedEvent> beat = agent_->Compose(EventType::kMonitorHeartbeat, *heartbeat);
  ASSERT_TRUE(beat.ok()) << beat.status().ToString();
  EXPECT_EQ(std::get<MonitorHeartbeat>(Payload(*beat).body).rtt_ms->at("fra"), 12.5);
  EXPECT_EQ(beat->seq, 3u);
}

TEST_F(ComposeTest, ErrorsNameTheField) {
  auto message = [&](const nlohmann::json& fields, EventType type) {
    Result<QueuedEvent> queued = agent_->Compose(type, fields);
    EXPECT_FALSE(queued.ok());
    return queued.ok() ? std::string() : queued.status().message();
  };
  nlohmann::json inspection = {{"inspection", "i-1"},
                               {"site", "site-1"},
                               {"kind", "routine"},
                               {"observed", nlohmann::json::array()},
                               {"seals", nlohmann::json::array()},
                               {"purpose_observed", "x"},
                               {"evidence", nlohmann::json::array()},
                               {"result", "pass"}};
  ASSERT_TRUE(agent_->Compose(EventType::kInspectionPerformed, inspection).ok());

  nlohmann::json bad_serial = inspection;
  bad_serial["observed"] = {{{"serial", "SN-1"}}, {{"serial", "bad serial/1"}}};
  EXPECT_NE(message(bad_serial, EventType::kInspectionPerformed).find("observed[1].serial"),
            std::string::npos);
  nlohmann::json unknown = inspection;
  unknown["sealz"] = nlohmann::json::array();
  EXPECT_NE(message(unknown, EventType::kInspectionPerformed).find("sealz"), std::string::npos);
  nlohmann::json bad_result = inspection;
  bad_result["result"] = "maybe";
  EXPECT_NE(message(bad_result, EventType::kInspectionPerformed).find("result"), std::string::npos);
  nlohmann::json sets_seq = inspection;
  sets_seq["seq"] = 9;
  EXPECT_NE(message(sets_seq, EventType::kInspectionPerformed).find("fields.seq"),
            std::string::npos);
  nlohmann::json missing = inspection;
  missing.erase("site");
  EXPECT_NE(message(missing, EventType::kInspectionPerformed).find("site"), std::string::npos);
  EXPECT_NE(message(nlohmann::json::array(), EventType::kInspectionPerformed).find("fields"),
            std::string::npos);
  // None of the refused events took a seq.
  EXPECT_EQ(agent_->head().seq, 1u);
}

TEST_F(ComposeTest, EveryEventTypeComposesFromAFieldsObject) {
  nlohmann::json fields = {
      {"party.registered",
       {{"party", {{"id", "acme"}, {"name", "Acme"}, {"country", "NL"}, {"kind", "end_user"}}}}},
      {"license.revoked", {{"license", "lic-1"}, {"reason", "expired"}}},
      {"chip.decommissioned",
       {{"site", "site-1"},
        {"chips", {"SN-1"}},
        {"reason", "burnt"},
        {"disposition", "destroyed"}}},
      {"chip.transferred",
       {{"chips", {"SN-1"}}, {"from_site", "site-1"}, {"to_site", "site-2"}, {"license", "l"}}},
      {"shipment.dispatched",
       {{"shipment", "ship-1"},
        {"license", "lic-1"},
        {"consignee", "acme"},
        {"destination_site", "site-1"},
        {"chips", {{{"serial", "SN-1"}, {"model", "H100"}}}},
        {"seals", {"S-1"}},
        {"route", {"NL", "DE"}}}},
  };
  uint64_t seq = 0;
  for (const auto& [name, body] : fields.items()) {
    std::optional<EventType> type = EventTypeFromName(name);
    ASSERT_TRUE(type.has_value()) << name;
    Result<QueuedEvent> queued = agent_->Compose(*type, body);
    ASSERT_TRUE(queued.ok()) << name << ": " << queued.status().ToString();
    EXPECT_EQ(queued->seq, ++seq);
    EXPECT_EQ(queued->type, *type);
  }
}

TEST(FieldParsingTest, SealsLocationsAndRecordFiles) {
  EXPECT_FALSE(ParseSeal("S-1").ok());
  EXPECT_FALSE(ParseSeal("S-1=cracked").ok());
  EXPECT_FALSE(ParseSeal("=intact").ok());
  EXPECT_FALSE(ParseSeal("S-1=broken")->intact);
  EXPECT_FALSE(ParseLocation("91,0").ok());
  EXPECT_NE(ParseLocation("1,x").status().message().find("location.lon"), std::string::npos);
  EXPECT_FALSE(ParseLocation("1,2,-3").ok());
  EXPECT_FALSE(ParseLocation("1").ok());
  EXPECT_FALSE(ParseLocation("1,2,3,4").ok());
  testing::TempDir dir;
  fs::path file = fs::path(dir.path()) / "wide.txt";
  std::ofstream(file) << "SN-1\nSN-2,a,b,c\n";
  Result<std::vector<std::vector<std::string>>> rows = ReadRecords(file, ObservedFormat());
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(ReadRecords(fs::path(dir.path()) / "absent.txt", SampledFormat()).ok());
  EXPECT_FALSE(HashEvidence(fs::path(dir.path()) / "absent.jpg", "").ok());
}

}  // namespace
}  // namespace chipledger::agent
