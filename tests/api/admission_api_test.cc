// Every row of the SPEC §4 table, over HTTP against the real chipledgerd: the status, a JSON
// error naming the problem, and that a refused event changes nothing.
#include <gtest/gtest.h>

#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

class AdmissionApiTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    Start();
    Enrol(monitor_, "monitor", json::array({"site-1"}));
  }

  // Posts `body` and expects `status` with a JSON error whose message contains `mentions`.
  json ExpectRefused(const std::string& body, int status, const std::string& mentions) {
    uint64_t size_before = Json(Get("/healthz", ""))["tree_size"];
    httplib::Result res = Post(body);
    EXPECT_TRUE(res);
    if (!res) return nullptr;
    EXPECT_EQ(res->status, status) << res->body;
    json error = Json(res);
    EXPECT_TRUE(error["error"].is_string()) << res->body;
    EXPECT_NE(error["message"].get<std::string>().find(mentions), std::string::npos) << res->body;
    EXPECT_EQ(Json(Get("/healthz", ""))["tree_size"], size_before);  // nothing changed
    return error;
  }

  std::string SignedBy(const TestAgent& agent, const json& payload) {
    return agent.SignPayload(payload.dump());
  }

  TestAgent monitor_{"monitor-1"};
};

TEST_F(AdmissionApiTest, MalformedEnvelopesAre400) {
  ExpectRefused("not json", 400, "");
  json signatures = {{{"keyid", std::string(64, '0')}, {"sig", Base64Encode(Signature{})}}};
  json envelope = {{"payloadType", "text/plain"}, {"payload", "e30="}, {"signatures", signatures}};
  ExpectRefused(envelope.dump(), 400, "payloadType");
  envelope["payloadType"] = kEventPayloadType;
  envelope["payload"] = "!!!";
  ExpectRefused(envelope.dump(), 400, "payload");
  std::string array_payload = monitor_.SignPayload("[1,2]");
  ExpectRefused(array_payload, 400, "payload");
  json payload = monitor_.Payload("monitor.heartbeat", Heartbeat("site-1", "c1"));
  payload["online"][0]["colour"] = "red";  // unknown fields are refused at any depth
  ExpectRefused(SignedBy(monitor_, payload), 400, "colour");
}

TEST_F(AdmissionApiTest, OversizedEnvelopeIs413) {
  json payload = monitor_.Payload("monitor.heartbeat", Heartbeat("site-1", "c1"));
  payload["note"] = std::string(1500, 'n');
  json online = json::array();
  for (int i = 0; i < 2000; ++i) online.push_back({{"serial", "serial-" + std::to_string(i)}});
  payload["online"] = online;
  ExpectRefused(SignedBy(monitor_, payload), 413, "");
  ExpectRefused(std::string(200 * 1024, ' '), 413, "");  // beyond the HTTP body limit too
}

TEST_F(AdmissionApiTest, BadOrUnknownSignaturesAre401) {
  TestAgent stranger("monitor-1");  // the right id, a key the ledger never saw
  ExpectRefused(stranger.Next("monitor.heartbeat", Heartbeat("site-1", "c1")), 401, "");
  json envelope = json::parse(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
  std::string sig = envelope["signatures"][0]["sig"];
  sig[0] = sig[0] == 'A' ? 'B' : 'A';
  envelope["signatures"][0]["sig"] = sig;
  ExpectRefused(envelope.dump(), 401, "");
}

TEST_F(AdmissionApiTest, AuthorityRulesAre403) {
  // Site outside the agent's sites.
  TestAgent copy = monitor_;
  ExpectRefused(copy.Next("monitor.heartbeat", Heartbeat("site-2", "c1")), 403, "");
  // Role may not sign the type.
  ExpectRefused(copy.Next("chip.installed",
                          {{"site", "site-1"}, {"chips", {{{"serial", "c"}, {"host", "h"}}}}}),
                403, "");
  // Past valid_until.
  TestAgent expired("monitor-expired");
  json enrol = TestAgent::Enrollment(expired, "monitor", "org-1");
  enrol["enroll"]["valid_until"] = "2020-01-01T00:00:00Z";
  MustSubmit(authority_.Next("agent.enrolled", enrol));
  ExpectRefused(expired.Next("monitor.heartbeat", Heartbeat("site-1", "c1")), 403, "");
  // Revoked.
  TestAgent revoked("monitor-revoked");
  Enrol(revoked, "monitor");
  MustSubmit(authority_.Next("agent.revoked",
                             {{"revoke", {{"agent", "monitor-revoked"}, {"reason", "lost"}}}}));
  ExpectRefused(revoked.Next("monitor.heartbeat", Heartbeat("site-1", "c1")), 403, "");
}

TEST_F(AdmissionApiTest, TimeTooFarAheadIs400) {
  ExpectRefused(
      monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1"), AddSeconds(Now(), 3600)), 400,
      "time");
}

TEST_F(AdmissionApiTest, DuplicateIs200WithTheOriginalReceipt) {
  std::string envelope = monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1"));
  Receipt first = MustSubmit(envelope);
  httplib::Result again = Post(envelope);
  ASSERT_EQ(again->status, 200);
  Result<Receipt> receipt = ParseReceipt(again->body);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->index, first.index);
  EXPECT_EQ(receipt->leaf_hash, first.leaf_hash);
  EXPECT_TRUE(VerifyReceipt(*receipt, log_key_).ok());
}

TEST_F(AdmissionApiTest, SequenceGapIs409WithTheExpectedHead) {
  Receipt first = MustSubmit(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
  monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "lost"));  // never submitted
  json error =
      ExpectRefused(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c3")), 409, "");
  EXPECT_EQ(error["expected_seq"], 2);
  EXPECT_EQ(error["expected_prev"], ToHex(first.payload_hash));
}

// Issue 17: every byte of the envelope body and of the signed payload is read.
TEST_F(AdmissionApiTest, BytesAfterANulAre400) {
  json payload = monitor_.Payload("monitor.heartbeat", Heartbeat("site-1", "c1"));
  std::string junk;
  for (int i = 0; i < 30 * 1024; ++i) junk.push_back(static_cast<char>(0x80 + i % 0x80));
  ExpectRefused(monitor_.SignPayload(payload.dump() + std::string(1, '\0') + junk), 400,
                "payload: NUL byte");
  ExpectRefused(SignedBy(monitor_, payload) + std::string(1, '\0') + "junk", 400,
                "envelope: NUL byte");
  MustSubmit(SignedBy(monitor_, payload));
}

// Issue 17: 351 bogus signatures cost 20-33 ms of CPU before they were refused.
TEST_F(AdmissionApiTest, SignaturesAreBoundedAndUnknownSignersRefusedFirst) {
  json envelope = json::parse(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
  json flood = envelope;
  for (int i = 0; i < 350; ++i) flood["signatures"].push_back(envelope["signatures"][0]);
  flood["signatures"][1]["keyid"] = ToHex(Sha256("unknown"));
  ExpectRefused(flood.dump(), 400, "signatures: 351 given, at most 8 allowed");
  // Bogus signatures under unknown key ids: 401 without verifying the submitter's.
  json unknown = envelope;
  for (int i = 0; i < 7; ++i) {
    unknown["signatures"].push_back(
        {{"keyid", ToHex(Sha256(std::to_string(i)))}, {"sig", Base64Encode(Signature{})}});
  }
  ExpectRefused(unknown.dump(), 401, "signatures[1].keyid: no enrolled agent has this key");
  MustSubmit(envelope.dump());
}

// Issue 17: the log showed co-signatures no second party made.
TEST_F(AdmissionApiTest, SelfCoSignatureAndRepeatedCoSignerAre400) {
  TestAgent operator_agent("operator-1");
  Enrol(operator_agent, "site_operator", json::array({"site-1"}));
  std::string envelope = monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1"));
  auto co_signed = [&](std::vector<const TestAgent*> signers) {
    Result<Envelope> parsed = ParseEnvelope(envelope);
    EXPECT_TRUE(parsed.ok());
    for (const TestAgent* signer : signers) SignEnvelope(&*parsed, signer->key());
    return SerializeEnvelope(*parsed);
  };
  ExpectRefused(co_signed({&monitor_}), 400, "signatures[1].keyid: the same key as signatures[0]");
  ExpectRefused(co_signed({&operator_agent, &operator_agent}), 400,
                "signatures[2].keyid: the same key as signatures[1]");
  MustSubmit(co_signed({&operator_agent}));
}

// Issue 17: re-enrolling a revoked agent with its old key reinstated it.
TEST_F(AdmissionApiTest, RevokedKeyCannotBeEnrolledAgain) {
  MustSubmit(authority_.Next("agent.revoked",
                             {{"revoke", {{"agent", "monitor-1"}, {"reason", "key lost"}}}}));
  TestAgent authority_copy = authority_;
  json error = ExpectRefused(
      authority_copy.Next("agent.enrolled", TestAgent::Enrollment(monitor_, "monitor", "org-1")),
      403, "enroll.public_key: the key of revoked agent \"monitor-1\"");
  EXPECT_EQ(error["error"], "key_retired");
  ExpectRefused(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")), 403, "revoked");
  // A new key reinstates the agent, and its chain continues.
  TestAgent renewed("monitor-1");
  Enrol(renewed, "monitor", json::array({"site-1"}));
  MustSubmit(renewed.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
}

TEST_F(AdmissionApiTest, ValidEventIs201) {
  Receipt receipt = MustSubmit(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
  EXPECT_TRUE(VerifyReceipt(receipt, log_key_).ok());
}

}  // namespace
}  // namespace chipledger::testing
