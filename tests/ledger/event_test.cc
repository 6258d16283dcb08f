#include "ledger/event.h"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

using nlohmann::json;
using testing::TestAgent;

class EventTest : public ::testing::Test {
 protected:
  void SetUp() override { InitCrypto(); }

  // A complete, valid payload of `type` with `fields` as its own fields.
  static json Payload(std::string_view type, const json& fields) {
    TestAgent agent("agent-1");
    return agent.Payload(type, fields, ParseTime("2026-11-23T08:15:00Z", "t").value());
  }

  static Status ParseError(const json& payload) { return ParseEvent(payload.dump()).status(); }
};

json Dispatch() {
  return {{"shipment", "S-1"},
          {"license", "L-1"},
          {"consignee", "enduser"},
          {"destination_site", "dc-1"},
          {"chips", {{{"serial", "A1"}, {"model", "H100"}}, {{"serial", "A2"}, {"model", "H100"}}}},
          {"carrier", "dhl"},
          {"seals", {"seal-1"}},
          {"route", {"DE", "AE"}}};
}

TEST_F(EventTest, PaeMatchesTheDsseSpecExample) {
  EXPECT_EQ(Pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(Pae("", ""), "DSSEv1 0  0 ");
}

TEST_F(EventTest, SignedEnvelopeVerifiesAndSerializesCanonically) {
  KeyPair key = GenerateKeyPair();
  Envelope envelope{std::string(kEventPayloadType), "{\"v\":1}", {}};
  SignEnvelope(&envelope, key);
  ASSERT_EQ(envelope.signatures.size(), 1u);
  EXPECT_EQ(envelope.signatures[0].keyid, KeyId(key.public_key));
  EXPECT_TRUE(VerifyEnvelopeSignature(envelope, 0, key.public_key));
  EXPECT_FALSE(VerifyEnvelopeSignature(envelope, 1, key.public_key));
  EXPECT_FALSE(VerifyEnvelopeSignature(envelope, 0, GenerateKeyPair().public_key));

  std::string text = SerializeEnvelope(envelope);
  EXPECT_EQ(text, "{\"payloadType\":\"application/vnd.chipledger.event.v1+json\",\"payload\":\"" +
                      Base64Encode(std::string_view("{\"v\":1}")) +
                      "\",\"signatures\":[{\"keyid\":\"" + KeyId(key.public_key) + "\",\"sig\":\"" +
                      Base64Encode(envelope.signatures[0].sig) + "\"}]}");
  auto parsed = ParseEnvelope(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->payload, "{\"v\":1}");
  EXPECT_EQ(parsed->signatures[0].sig, envelope.signatures[0].sig);
  EXPECT_TRUE(VerifyEnvelopeSignature(*parsed, 0, key.public_key));
  EXPECT_EQ(SerializeEnvelope(*parsed), text);

  Envelope tampered = *parsed;
  tampered.payload = "{\"v\":2}";
  EXPECT_FALSE(VerifyEnvelopeSignature(tampered, 0, key.public_key));
}

TEST_F(EventTest, CoSignaturesVerifyIndependently) {
  KeyPair agent = GenerateKeyPair(), cosigner = GenerateKeyPair();
  Envelope envelope{std::string(kEventPayloadType), "{}", {}};
  SignEnvelope(&envelope, agent);
  SignEnvelope(&envelope, cosigner);
  auto parsed = ParseEnvelope(SerializeEnvelope(envelope));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(VerifyEnvelopeSignature(*parsed, 0, agent.public_key));
  EXPECT_TRUE(VerifyEnvelopeSignature(*parsed, 1, cosigner.public_key));
  EXPECT_FALSE(VerifyEnvelopeSignature(*parsed, 1, agent.public_key));
}

struct EnvelopeCase {
  std::string text;
  std::string code;
  std::string message_part;
};

TEST_F(EventTest, MalformedEnvelopesAreRefusedWithCodeAndField) {
  const std::string type = "\"payloadType\":\"application/vnd.chipledger.event.v1+json\"";
  const std::string sig = "\"sig\":\"" + Base64Encode(Signature{}) + "\"";
  const std::string keyid = "\"keyid\":\"" + std::string(64, 'a') + "\"";
  const std::string good_sigs = "\"signatures\":[{" + keyid + "," + sig + "}]";
  const EnvelopeCase cases[] = {
      {"not json", "bad_envelope", "envelope: not valid UTF-8 JSON"},
      {"[1]", "bad_envelope", "envelope: must be a JSON object"},
      {"{" + type + ",\"payload\":\"e30=\"}", "bad_envelope", "signatures: required field missing"},
      {"{" + type + ",\"payload\":\"e30=\",\"signatures\":[]}", "bad_envelope",
       "signatures: must have at least 1"},
      {"{" + type + ",\"payload\":\"e30=\"," + good_sigs + ",\"extra\":1}", "bad_envelope",
       "extra: unknown field"},
      {"{" + type + ",\"payload\":\"e30=\",\"signatures\":[{" + keyid + "," + sig + ",\"x\":1}]}",
       "bad_envelope", "signatures[0].x: unknown field"},
      {"{" + type + ",\"payload\":\"e30=\",\"signatures\":[{\"keyid\":\"" + std::string(64, 'A') +
           "\"," + sig + "}]}",
       "bad_envelope", "signatures[0].keyid: must be 64 lowercase hex"},
      {"{" + type + ",\"payload\":7," + good_sigs + "}", "bad_envelope",
       "payload: must be a string"},
      {"{" + type + "," + type + ",\"payload\":\"e30=\"," + good_sigs + "}", "bad_envelope",
       "duplicate key \"payloadType\""},
      {"{\"payloadType\":\"application/json\",\"payload\":\"e30=\"," + good_sigs + "}",
       "bad_payload_type", "payloadType: must be application/vnd.chipledger.event.v1+json"},
      {"{" + type + ",\"payload\":\"e30\"," + good_sigs + "}", "bad_base64", "payload:"},
      {"{" + type + ",\"payload\":\"e3 0=\"," + good_sigs + "}", "bad_base64", "payload:"},
      {"{" + type + ",\"payload\":\"e30=\",\"signatures\":[{" + keyid + ",\"sig\":\"AAAA\"}]}",
       "bad_base64", "signatures[0].sig:"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseEnvelope(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.status().kind(), StatusKind::kInvalidArgument);
    EXPECT_EQ(parsed.status().code(), c.code) << c.text << " -> " << parsed.status().ToString();
    EXPECT_NE(parsed.status().message().find(c.message_part), std::string::npos)
        << c.text << " -> " << parsed.status().message();
  }
}

TEST_F(EventTest, EventTypeNamesRoundTrip) {
  ASSERT_EQ(AllEventTypes().size(), 17u);
  std::set<std::string_view> names;
  for (EventType type : AllEventTypes()) {
    names.insert(EventTypeName(type));
    EXPECT_EQ(EventTypeFromName(EventTypeName(type)), type);
  }
  EXPECT_EQ(names.size(), 17u);
  EXPECT_EQ(EventTypeName(EventType::kShipmentDispatched), "shipment.dispatched");
  EXPECT_EQ(EventTypeFromName("shipment.Dispatched"), std::nullopt);
  EXPECT_EQ(RoleFromName("site_operator"), Role::kSiteOperator);
  EXPECT_EQ(RoleName(Role::kMonitor), "monitor");
  EXPECT_EQ(RoleFromName("admin"), std::nullopt);
  EXPECT_EQ(PartyKindName(PartyKind::kInspectionBody), "inspection_body");
}

TEST_F(EventTest, RolesSignExactlyTheSpecTable) {
  const std::map<Role, std::set<std::string>> allowed = {
      {Role::kAuthority,
       {"party.registered", "site.registered", "agent.enrolled", "agent.revoked", "license.issued",
        "license.revoked", "screening.listed", "check.requested", "whitelist.decision",
        "finding.resolved"}},
      {Role::kExporter, {"shipment.dispatched"}},
      {Role::kSiteOperator,
       {"shipment.received", "chip.installed", "chip.transferred", "chip.decommissioned"}},
      {Role::kInspector,
       {"shipment.received", "chip.installed", "inspection.performed", "chip.decommissioned"}},
      {Role::kMonitor, {"monitor.heartbeat"}}};
  for (const auto& [role, types] : allowed) {
    for (EventType type : AllEventTypes()) {
      EXPECT_EQ(RoleMaySign(role, type), types.contains(std::string(EventTypeName(type))))
          << RoleName(role) << " " << EventTypeName(type);
    }
  }
}

TEST_F(EventTest, ParsesCommonFields) {
  json payload = Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "fixed"}});
  payload["location"] = {{"lat", 52.5}, {"lon", 13.4}, {"accuracy_m", 12}};
  payload["note"] = "hello";
  auto event = ParseEvent(payload.dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->type, EventType::kFindingResolved);
  EXPECT_EQ(event->agent, "agent-1");
  EXPECT_EQ(event->seq, 1u);
  EXPECT_EQ(event->prev, Hash{});
  EXPECT_EQ(FormatTime(event->time), "2026-11-23T08:15:00.000Z");
  ASSERT_TRUE(event->location.has_value());
  EXPECT_DOUBLE_EQ(event->location->lat, 52.5);
  EXPECT_EQ(event->location->accuracy_m, 12.0);
  EXPECT_EQ(event->note, "hello");
  const auto& body = std::get<FindingResolved>(event->body);
  EXPECT_EQ(body.finding, "f1");
  EXPECT_EQ(body.resolution, "fixed");
}

TEST_F(EventTest, ParsesShipmentDispatchedIntoTypedFields) {
  auto event = ParseEvent(Payload("shipment.dispatched", Dispatch()).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const auto& d = std::get<ShipmentDispatched>(event->body);
  EXPECT_EQ(d.shipment, "S-1");
  EXPECT_EQ(d.destination_site, "dc-1");
  ASSERT_EQ(d.chips.size(), 2u);
  EXPECT_EQ(d.chips[1].serial, "A2");
  EXPECT_EQ(d.chips[1].model, "H100");
  EXPECT_EQ(d.carrier, "dhl");
  EXPECT_EQ(d.route, (std::vector<std::string>{"DE", "AE"}));
  EXPECT_EQ(event->Site(), std::nullopt);
  EXPECT_EQ(event->Serials(), (std::vector<std::string_view>{"A1", "A2"}));
  EXPECT_EQ(event->Parties(), (std::vector<std::string>{"enduser", "dhl"}));
}

TEST_F(EventTest, ParsesNestedRegistryBodies) {
  KeyPair key = GenerateKeyPair();
  json enroll = {{"enroll",
                  {{"agent", "insp-1"},
                   {"public_key", Base64Encode(key.public_key)},
                   {"role", "inspector"},
                   {"org", "iaea"},
                   {"sites", {"dc-1"}},
                   {"valid_until", "2027-01-01T00:00:00Z"}}}};
  auto event = ParseEvent(Payload("agent.enrolled", enroll).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const auto& e = std::get<AgentEnrolled>(event->body);
  EXPECT_EQ(e.public_key, key.public_key);
  EXPECT_EQ(e.role, Role::kInspector);
  EXPECT_EQ(e.sites, std::vector<std::string>{"dc-1"});
  EXPECT_EQ(e.valid_until, ParseTime("2027-01-01T00:00:00Z", "t").value());
  EXPECT_EQ(event->Parties(), std::vector<std::string>{"iaea"});

  json site = {{"site",
                {{"id", "dc-1"},
                 {"party", "enduser"},
                 {"name", "Data centre 1"},
                 {"country", "AE"},
                 {"lat", 25.2},
                 {"lon", 55.3}}}};
  auto registered = ParseEvent(Payload("site.registered", site).dump());
  ASSERT_TRUE(registered.ok()) << registered.status().ToString();
  EXPECT_EQ(std::get<SiteRegistered>(registered->body).radius_m, 1000);
  EXPECT_EQ(std::get<SiteRegistered>(registered->body).power_kw, std::nullopt);
  EXPECT_EQ(registered->Site(), std::nullopt);
}

TEST_F(EventTest, SiteSerialsAndPartiesFollowTheEventType) {
  json transfer = {{"chips", {"A2", "A1", "A2", "A3", "A1"}},
                   {"from_site", "dc-1"},
                   {"to_site", "dc-2"},
                   {"license", "L-1"}};
  auto event = ParseEvent(Payload("chip.transferred", transfer).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->Site(), "dc-1");
  // Once each, in the order of their first mention.
  EXPECT_EQ(event->Serials(), (std::vector<std::string_view>{"A2", "A1", "A3"}));

  json inspection = {{"inspection", "I-1"},
                     {"site", "dc-2"},
                     {"kind", "routine"},
                     {"sampled", {"B1"}},
                     {"observed", {{{"serial", "B2"}, {"attested_id", "hw-9"}}}},
                     {"seals", json::array()},
                     {"purpose_observed", "life_sciences"},
                     {"evidence", json::array()},
                     {"result", "pass"}};
  event = ParseEvent(Payload("inspection.performed", inspection).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->Site(), "dc-2");
  EXPECT_EQ(event->Serials(), (std::vector<std::string_view>{"B1", "B2"}));
  EXPECT_EQ(std::get<InspectionPerformed>(event->body).observed[0].attested_id, "hw-9");

  json check = {
      {"check", "C-1"}, {"site", "dc-3"}, {"kind", "challenge"}, {"due", "2026-12-01T00:00:00Z"}};
  event = ParseEvent(Payload("check.requested", check).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(event->Site(), "dc-3");

  json screening = {{"name", "Shell Co"}, {"list", "entity"}, {"listed", true}};
  event = ParseEvent(Payload("screening.listed", screening).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_TRUE(event->Parties().empty());
  EXPECT_EQ(std::get<ScreeningListed>(event->body).name, "Shell Co");
}

TEST_F(EventTest, HeartbeatReadsRoundTripTimesPerLandmark) {
  json heartbeat = {{"site", "dc-1"},
                    {"window_start", "2026-11-23T08:00:00Z"},
                    {"window_end", "2026-11-23T08:15:00.5Z"},
                    {"online", {{{"serial", "A1"}}, {{"serial", "A2"}, {"attested_id", "x"}}}},
                    {"rtt_ms", {{"fra", 12.5}, {"dxb", 3}}}};
  auto event = ParseEvent(Payload("monitor.heartbeat", heartbeat).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  const auto& h = std::get<MonitorHeartbeat>(event->body);
  ASSERT_TRUE(h.rtt_ms.has_value());
  EXPECT_EQ(h.rtt_ms->at("fra"), 12.5);
  EXPECT_EQ(h.rtt_ms->at("dxb"), 3.0);
  EXPECT_EQ(h.window_end.unix_nanos - h.window_start.unix_nanos, 900'500'000'000);

  heartbeat["rtt_ms"]["fra"] = -1;
  EXPECT_EQ(ParseError(Payload("monitor.heartbeat", heartbeat)).message(),
            "payload.rtt_ms.fra: must be a number >= 0");
}

struct PayloadCase {
  std::function<void(json&)> edit;
  std::string message;
};

TEST_F(EventTest, SchemaErrorsNameTheFieldByJsonPath) {
  const PayloadCase cases[] = {
      {[](json& p) { p["chips"][1]["serial"] = "bad serial"; },
       "payload.chips[1].serial: must be 1-64 chars of [A-Za-z0-9._-]"},
      {[](json& p) { p.erase("shipment"); }, "payload.shipment: required field missing"},
      {[](json& p) { p["chips"][0]["colour"] = "red"; }, "payload.chips[0].colour: unknown field"},
      {[](json& p) { p["extra"] = 1; }, "payload.extra: unknown field"},
      {[](json& p) { p["chips"] = json::array(); }, "payload.chips: must have at least 1 item(s)"},
      {[](json& p) { p["route"][1] = "XK"; },
       "payload.route[1]: must be an ISO 3166-1 alpha-2 country code"},
      {[](json& p) { p["consignee"] = "a b"; },
       "payload.consignee: must be 1-64 chars of [A-Za-z0-9._:-]"},
      {[](json& p) { p["consignee"] = std::string(65, 'a'); },
       "payload.consignee: must be 1-64 chars of [A-Za-z0-9._:-]"},
      {[](json& p) { p["seq"] = 0; }, "payload.seq: must be an integer from 1 to 9007199254740991"},
      {[](json& p) { p["seq"] = 1.0; },
       "payload.seq: must be an integer from 1 to 9007199254740991"},
      {[](json& p) { p["seq"] = "1"; },
       "payload.seq: must be an integer from 1 to 9007199254740991"},
      {[](json& p) { p["v"] = 2; }, "payload.v: must be the integer 1"},
      {[](json& p) { p["type"] = "shipment.lost"; },
       "payload.type: must be one of party.registered"},
      {[](json& p) { p["prev"] = std::string(64, 'F'); },
       "payload.prev: must be 64 lowercase hex characters"},
      {[](json& p) { p["time"] = "2026-11-23T08:15:00+00:00"; },
       "payload.time: must be RFC 3339 UTC"},
      {[](json& p) {
         p["location"] = {{"lat", 91}, {"lon", 0}};
       },
       "payload.location.lat: must be a number from -90 to 90"},
      {[](json& p) {
         p["location"] = {{"lat", 0}, {"lon", 0}, {"alt", 0}};
       },
       "payload.location.alt: unknown field"},
      {[](json& p) { p["note"] = std::string(2001, 'x'); },
       "payload.note: must be 0-2000 characters (has 2001)"},
      {[](json& p) { p["carrier"] = nullptr; }, "payload.carrier: must be a string"},
  };
  for (const auto& c : cases) {
    json payload = Payload("shipment.dispatched", Dispatch());
    c.edit(payload);
    Status status = ParseError(payload);
    EXPECT_EQ(status.code(), "schema") << payload.dump();
    EXPECT_EQ(status.message().substr(0, c.message.size()), c.message) << status.message();
  }
}

TEST_F(EventTest, LongUnknownKeysAreCutShortInMessagesOnACodePointBoundary) {
  json payload = Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "ok"}});
  std::string key = "k";
  for (int i = 0; i < 1000; ++i) key += "\xC3\xA9";  // é
  payload[key] = 1;
  EXPECT_EQ(ParseError(payload).message(),
            "payload.k" + key.substr(1, 62) + "...: unknown field");  // 31 é, not 31.5
}

TEST_F(EventTest, NoteLengthCountsCodePointsNotBytes) {
  json payload = Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "ok"}});
  std::string note;
  for (int i = 0; i < 2000; ++i) note += "\xC3\xA9";  // é: 2 bytes, 1 code point
  payload["note"] = note;
  EXPECT_TRUE(ParseEvent(payload.dump()).ok());
  payload["note"] = note + "e";
  EXPECT_EQ(ParseError(payload).message(), "payload.note: must be 0-2000 characters (has 2001)");
}

TEST_F(EventTest, ScreeningNeedsExactlyOneOfPartyAndName) {
  json both = {{"party", "p1"}, {"name", "P One"}, {"list", "sdn"}, {"listed", true}};
  EXPECT_EQ(ParseError(Payload("screening.listed", both)).message(),
            "payload: must have exactly one of party and name");
  json neither = {{"list", "sdn"}, {"listed", false}};
  EXPECT_EQ(ParseError(Payload("screening.listed", neither)).message(),
            "payload: must have exactly one of party and name");
}

TEST_F(EventTest, PayloadsParsersCouldReadTwoWaysAreRefused) {
  std::string good = Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "ok"}}).dump();
  ASSERT_TRUE(ParseEvent(good).ok());
  std::string duplicated = good.substr(0, good.size() - 1) + ",\"finding\":\"f2\"}";
  Status status = ParseEvent(duplicated).status();
  EXPECT_EQ(status.code(), "bad_payload");
  EXPECT_EQ(status.message(), "payload: duplicate key \"finding\"");
  EXPECT_EQ(ParseEvent("\xEF\xBB\xBF" + good).status().code(), "bad_payload");
  EXPECT_EQ(ParseEvent("[]").status().message(), "payload: must be a JSON object");
  EXPECT_EQ(ParseEvent("{\"note\":\"\xFF\"}").status().code(), "bad_payload");
  EXPECT_EQ(ParseEvent("").status().code(), "bad_payload");
}

// nlohmann's lexer reads a NUL byte as the end of its input: whatever followed one used to be
// signed and stored without ever being read (issue 17).
TEST_F(EventTest, EveryByteMustBelongToTheOneJsonDocument) {
  std::string good = Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "ok"}}).dump();
  ASSERT_TRUE(ParseEvent(good).ok());
  std::string junk;
  for (int i = 0; i < 30 * 1024; ++i) junk.push_back(static_cast<char>(0x80 + i % 0x80));
  Status after_nul = ParseEvent(good + std::string(1, '\0') + junk).status();
  EXPECT_EQ(after_nul.code(), "bad_payload");
  EXPECT_EQ(after_nul.message(), "payload: NUL byte at offset " + std::to_string(good.size()) +
                                     " (the text must be exactly one JSON document)");
  EXPECT_EQ(ParseEvent(good + std::string(1, '\0')).status().code(), "bad_payload");
  // A raw NUL inside a string, or before the document, is no better.
  std::string in_string = good;
  in_string.insert(good.find("\"ok\"") + 2, 1, '\0');
  EXPECT_EQ(ParseEvent(in_string).status().code(), "bad_payload");
  EXPECT_EQ(ParseEvent(std::string(1, '\0') + good).status().code(), "bad_payload");
  // Trailing bytes without a NUL, and invalid UTF-8 after the document, were already refused.
  EXPECT_EQ(ParseEvent(good + "junk").status().code(), "bad_payload");
  EXPECT_EQ(ParseEvent(good + "\xFF").status().code(), "bad_payload");
  EXPECT_EQ(ParseEvent(good + junk).status().code(), "bad_payload");
  // Whitespace after the document is JSON; an escaped NUL is a valid character of a string.
  EXPECT_TRUE(ParseEvent(good + " \n").ok());
  json escaped = json::parse(good);
  escaped["note"] = std::string("a\0b", 3);
  ASSERT_NE(escaped.dump().find("\\u0000"), std::string::npos);
  EXPECT_TRUE(ParseEvent(escaped.dump()).ok());

  // The envelope, read by the same reader.
  KeyPair key = GenerateKeyPair();
  Envelope envelope{std::string(kEventPayloadType), good, {}};
  SignEnvelope(&envelope, key);
  std::string text = SerializeEnvelope(envelope);
  ASSERT_TRUE(ParseEnvelope(text).ok());
  Status envelope_nul = ParseEnvelope(text + std::string(1, '\0') + "junk").status();
  EXPECT_EQ(envelope_nul.code(), "bad_envelope");
  EXPECT_EQ(envelope_nul.message().rfind("envelope: NUL byte at offset", 0), 0u)
      << envelope_nul.message();
}

TEST_F(EventTest, DeeplyNestedInputIsRefusedWithoutExhaustingTheStack) {
  const std::string arrays = std::string(200000, '[') + std::string(200000, ']');
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  objects += "1" + std::string(100000, '}');
  std::string payload =
      Payload("finding.resolved", {{"finding", "f1"}, {"resolution", "ok"}}).dump();
  payload.back() = ',';
  EXPECT_EQ(ParseEvent(payload + "\"note\":" + arrays + "}").status().message(),
            "payload.note: must be a string");
  EXPECT_EQ(ParseEvent(objects).status().code(), "schema");
  EXPECT_EQ(ParseEnvelope(arrays).status().code(), "bad_envelope");
}

TEST_F(EventTest, RegistryBodiesSitUnderTheirKey) {
  json party = {{"id", "p1"}, {"name", "P"}, {"country", "DE"}, {"kind", "exporter"}};
  EXPECT_EQ(ParseError(Payload("party.registered", party)).message(),
            "payload.party: required field missing");
  auto event = ParseEvent(Payload("party.registered", {{"party", party}}).dump());
  ASSERT_TRUE(event.ok()) << event.status().ToString();
  EXPECT_EQ(std::get<PartyRegistered>(event->body).kind, PartyKind::kExporter);
  party["kind"] = "smuggler";
  EXPECT_EQ(ParseError(Payload("party.registered", {{"party", party}})).message(),
            "payload.party.kind: must be one of exporter, end_user, carrier, forwarder, "
            "inspection_body, authority");
}

}  // namespace
}  // namespace chipledger
