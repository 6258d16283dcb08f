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

TEST_F(AdmissionApiTest, ValidEventIs201) {
  Receipt receipt = MustSubmit(monitor_.Next("monitor.heartbeat", Heartbeat("site-1", "c1")));
  EXPECT_TRUE(VerifyReceipt(receipt, log_key_).ok());
}

}  // namespace
}  // namespace chipledger::testing
