#include "ledger/admission.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger {
namespace {

using testing::TestAgent;

// Runs the §4 checks that AgentRegistry owns, in order, and applies an admitted event.
class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionTest() : log_("log", GenerateKeyPair()), registry_(log_.key().public_key) {
    InitCrypto();
  }

  void SetUp() override {
    // Genesis: the log agent enrols the authority.
    ASSERT_TRUE(
        Admit(log_.Next("agent.enrolled", TestAgent::Enrollment(gov_, "authority", "gov"))).ok());
    ASSERT_TRUE(Enroll(op_, "site_operator", {"site-a"}).ok());
    ASSERT_TRUE(Enroll(inspector_, "inspector").ok());
    ASSERT_TRUE(Enroll(monitor_, "monitor").ok());
  }

  Status Admit(const std::string& envelope, Timestamp now = Now()) {
    Result<Candidate> candidate = ParseCandidate(envelope);
    if (!candidate.ok()) return candidate.status();
    Status status = registry_.Authorize(*candidate, next_index_, now);
    if (!status.ok()) return status;
    status = registry_.CheckSequence(*candidate, &expected_seq_, &expected_prev_);
    if (!status.ok()) return status;
    registry_.Apply(*candidate);
    ++next_index_;
    return status;
  }

  Status Enroll(const TestAgent& agent, std::string_view role,
                nlohmann::json sites = nlohmann::json::array(),
                std::optional<Timestamp> valid_until = std::nullopt) {
    nlohmann::json fields = TestAgent::Enrollment(agent, role, "org-1", sites);
    if (valid_until) fields["enroll"]["valid_until"] = FormatTime(*valid_until);
    return Admit(gov_.Next("agent.enrolled", fields));
  }

  // Adds a co-signature by `signer` to an envelope.
  static std::string CoSign(const std::string& envelope_json, const TestAgent& signer) {
    Result<Envelope> envelope = ParseEnvelope(envelope_json);
    EXPECT_TRUE(envelope.ok());
    SignEnvelope(&*envelope, signer.key());
    return SerializeEnvelope(*envelope);
  }

  TestAgent log_;
  TestAgent gov_{"gov"}, op_{"op-1"}, inspector_{"insp-1"}, monitor_{"mon-1"};
  AgentRegistry registry_;
  uint64_t next_index_ = 0;
  uint64_t expected_seq_ = 0;
  Hash expected_prev_{};
};

void ExpectRefused(const Status& status, StatusKind kind, std::string_view code,
                   std::string_view field = "") {
  EXPECT_EQ(status.kind(), kind) << status.ToString();
  EXPECT_EQ(status.code(), code) << status.ToString();
  EXPECT_NE(status.message().find(field), std::string::npos) << status.ToString();
}

TEST_F(AdmissionTest, AcceptsAChainedEventAndAdvancesTheHead) {
  std::string envelope = op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"));
  EXPECT_TRUE(Admit(envelope).ok());
  const AgentState* state = registry_.Find("op-1");
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->last_seq, 1u);
  EXPECT_EQ(state->last_payload_hash, op_.prev());
}

TEST_F(AdmissionTest, ParseErrorsAre400NamingTheField) {
  ExpectRefused(ParseCandidate("not json").status(), StatusKind::kInvalidArgument, "bad_envelope");
  Envelope wrong_type{
      "text/plain",
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump(),
      {}};
  SignEnvelope(&wrong_type, op_.key());
  ExpectRefused(ParseCandidate(SerializeEnvelope(wrong_type)).status(),
                StatusKind::kInvalidArgument, "bad_payload_type", "payloadType");
  std::string bad_base64 =
      nlohmann::json{
          {"payloadType", kEventPayloadType},
          {"payload", "!!notbase64"},
          {"signatures",
           {{{"keyid", KeyId(op_.key().public_key)}, {"sig", Base64Encode(Signature{})}}}}}
          .dump();
  ExpectRefused(ParseCandidate(bad_base64).status(), StatusKind::kInvalidArgument, "bad_base64",
                "payload");
  ExpectRefused(ParseCandidate(op_.SignPayload("[1,2]")).status(), StatusKind::kInvalidArgument,
                "bad_payload", "payload");
  nlohmann::json unknown = op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1"));
  unknown["chips"][0]["colour"] = "red";
  ExpectRefused(ParseCandidate(op_.SignPayload(unknown.dump())).status(),
                StatusKind::kInvalidArgument, "schema", "colour");
}

TEST_F(AdmissionTest, ParsedEnvelopeIsCheckedAsItsSerialization) {
  nlohmann::json fields = testing::InstallFields("site-a", "SN-1");
  auto add_chip = [&] {
    std::string serial = "S" + std::to_string(fields["chips"].size());
    fields["chips"].push_back({{"serial", serial}, {"host", "h"}});
  };
  // Whether the parsed envelope is admitted, having been checked as its serialization is.
  auto same_as_serialized = [&] {
    Result<Envelope> envelope =
        ParseEnvelope(op_.SignPayload(op_.Payload("chip.installed", fields).dump()));
    EXPECT_TRUE(envelope.ok());
    Result<Candidate> reparsed = ParseCandidate(SerializeEnvelope(*envelope));
    Result<Candidate> parsed = ParseCandidate(*envelope);
    EXPECT_EQ(parsed.ok(), reparsed.ok()) << fields["chips"].size() << " chips";
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().ToString(), reparsed.status().ToString());
      return false;
    }
    EXPECT_EQ(parsed->payload_hash, reparsed->payload_hash);
    return true;
  };
  EXPECT_TRUE(same_as_serialized());
  // Then one chip at a time across the size limit (about 1,500 chips): the size is exact.
  while (fields["chips"].size() < 1300) add_chip();
  while (same_as_serialized()) add_chip();
  Result<Envelope> duplicate =
      ParseEnvelope(op_.SignPayload(op_.Payload("chip.installed", fields).dump()));
  ASSERT_TRUE(duplicate.ok());
  duplicate->signatures.push_back(duplicate->signatures[0]);
  ExpectRefused(ParseCandidate(*duplicate).status(), StatusKind::kInvalidArgument,
                "duplicate_signer", "signatures[1].keyid");
}

TEST_F(AdmissionTest, OversizedEnvelopeIs413AfterParsing) {
  nlohmann::json fields = testing::InstallFields("site-a", "SN-1");
  for (int i = 0; i < 1500; ++i) {
    fields["chips"].push_back({{"serial", "SERIAL-" + std::to_string(i)}, {"host", "host-1"}});
  }
  std::string envelope = op_.SignPayload(op_.Payload("chip.installed", fields).dump());
  ASSERT_GT(envelope.size(), kMaxEnvelopeBytes);
  ExpectRefused(ParseCandidate(envelope).status(), StatusKind::kTooLarge, "too_large", "envelope");
  // A schema violation is reported first, as the table orders it.
  fields["chips"][0]["colour"] = "red";
  ExpectRefused(
      ParseCandidate(op_.SignPayload(op_.Payload("chip.installed", fields).dump())).status(),
      StatusKind::kInvalidArgument, "schema", "colour");
}

// An envelope given as a struct (as the ledger's own writers pass it) is measured as it would be
// serialized, escapes included: the size limit falls exactly where the JSON form's does.
TEST_F(AdmissionTest, EnvelopeStructIsMeasuredAsSerialized) {
  std::string payload =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  Envelope envelope = *ParseEnvelope(op_.SignPayload(payload));
  envelope.signatures[0].keyid.clear();
  const size_t bare = SerializeEnvelope(envelope).size();
  ASSERT_LT(bare + 6, kMaxEnvelopeBytes);
  // Control characters serialize as \u00XX (6 bytes), quotes and tabs as two.
  const size_t escaped = (kMaxEnvelopeBytes - bare - 1) / 6;  // and at least one plain byte
  std::string keyid(escaped, '\x01');
  keyid += std::string(kMaxEnvelopeBytes - bare - escaped * 6, 'a');
  envelope.signatures[0].keyid = keyid;
  ASSERT_EQ(SerializeEnvelope(envelope).size(), kMaxEnvelopeBytes);
  EXPECT_TRUE(ParseCandidate(envelope).ok());
  envelope.signatures[0].keyid = keyid.substr(0, keyid.size() - 1) + "\"";  // one byte more
  ASSERT_EQ(SerializeEnvelope(envelope).size(), kMaxEnvelopeBytes + 1);
  ExpectRefused(ParseCandidate(envelope).status(), StatusKind::kTooLarge, "too_large", "envelope");
  // Without escapes (measured in one pass), the limit falls at the same byte.
  envelope.signatures[0].keyid = std::string(kMaxEnvelopeBytes - bare, 'a');
  ASSERT_EQ(SerializeEnvelope(envelope).size(), kMaxEnvelopeBytes);
  EXPECT_TRUE(ParseCandidate(envelope).ok());
  envelope.signatures[0].keyid += 'a';
  ExpectRefused(ParseCandidate(envelope).status(), StatusKind::kTooLarge, "too_large", "envelope");
  // One quote (two bytes escaped) wherever it falls: in the first block of 16 bytes the plain
  // check reads at once, across a block's edge, or in the tail after the last whole block.
  const size_t plain = kMaxEnvelopeBytes - bare;
  for (size_t at : {size_t{0}, size_t{15}, size_t{16}, plain / 16 * 16 - 1, plain - 1}) {
    envelope.signatures[0].keyid = std::string(plain, 'a');
    envelope.signatures[0].keyid[at] = '"';
    ASSERT_EQ(SerializeEnvelope(envelope).size(), kMaxEnvelopeBytes + 1) << at;
    ExpectRefused(ParseCandidate(envelope).status(), StatusKind::kTooLarge, "too_large",
                  "envelope");
  }
}

TEST_F(AdmissionTest, PayloadHashIsTheSha256OfThePayloadBytes) {
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  Result<Candidate> candidate = ParseCandidate(op_.SignPayload(bytes));
  ASSERT_TRUE(candidate.ok()) << candidate.status().ToString();
  EXPECT_EQ(candidate->payload_hash, Sha256(bytes));
}

TEST_F(AdmissionTest, UnknownAgentOrKeyIs401) {
  TestAgent stranger("stranger");
  ExpectRefused(Admit(stranger.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))),
                StatusKind::kUnauthenticated, "unknown_key", "agent");
  // op-1's payload signed by the inspector's (enrolled, but not op-1's) key.
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  ExpectRefused(Admit(inspector_.SignPayload(bytes)), StatusKind::kUnauthenticated, "unknown_key",
                "signatures[0].keyid");
}

TEST_F(AdmissionTest, SignatureThatDoesNotVerifyIs401) {
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  Result<Envelope> envelope = ParseEnvelope(op_.SignPayload(bytes));
  ASSERT_TRUE(envelope.ok());
  envelope->signatures[0].sig[0] ^= 1;
  ExpectRefused(Admit(SerializeEnvelope(*envelope)), StatusKind::kUnauthenticated, "bad_signature",
                "signatures[0].sig");
}

// Appenders verify signatures before queueing; the serial check must trust that only for the
// signer's current key.
TEST_F(AdmissionTest, PreverifiedSignatureIsTrustedOnlyUnderTheSignersCurrentKey) {
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  Result<Candidate> good = ParseCandidate(op_.SignPayload(bytes));
  ASSERT_TRUE(good.ok());
  PreverifySignature(&*good, 0, inspector_.key().public_key);
  EXPECT_TRUE(good->verified_keys.empty()) << "a signature that fails is not recorded";
  PreverifySignature(&*good, 0, op_.key().public_key);
  ASSERT_EQ(good->verified_keys.size(), 1u);
  EXPECT_EQ(good->verified_keys[0], op_.key().public_key);
  EXPECT_TRUE(registry_.Authorize(*good, next_index_, Now()).ok());

  Result<Envelope> envelope = ParseEnvelope(op_.SignPayload(bytes));
  ASSERT_TRUE(envelope.ok());
  envelope->signatures[0].sig[0] ^= 1;
  Result<Candidate> forged = ParseCandidate(SerializeEnvelope(*envelope));
  ASSERT_TRUE(forged.ok());
  forged->verified_keys = {inspector_.key().public_key};  // a hint for another key
  ExpectRefused(registry_.Authorize(*forged, next_index_, Now()), StatusKind::kUnauthenticated,
                "bad_signature", "signatures[0].sig");
}

TEST_F(AdmissionTest, CoSignersMustVerifyAndBeEnrolled) {
  std::string envelope =
      inspector_.Next("inspection.performed", testing::InspectionFields("insp-a", "site-a"));
  TestAgent stranger("stranger");
  ExpectRefused(Admit(CoSign(envelope, stranger)), StatusKind::kUnauthenticated, "unknown_key",
                "signatures[1].keyid: no enrolled agent has this key");

  Result<Envelope> tampered = ParseEnvelope(CoSign(envelope, op_));
  ASSERT_TRUE(tampered.ok());
  tampered->signatures[1].sig[5] ^= 1;
  ExpectRefused(Admit(SerializeEnvelope(*tampered)), StatusKind::kUnauthenticated, "bad_signature",
                "signatures[1].sig");

  EXPECT_TRUE(Admit(CoSign(envelope, op_)).ok());
}

// Issue 17: what is signed and stored is every byte of the payload, so every byte is checked.
TEST_F(AdmissionTest, PayloadBytesAfterANulAre400NamingThePayload) {
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-1")).dump();
  std::string junk(30 * 1024, '\xC3');
  ExpectRefused(ParseCandidate(op_.SignPayload(bytes + std::string(1, '\0') + junk)).status(),
                StatusKind::kInvalidArgument, "bad_payload", "payload: NUL byte");
  ExpectRefused(ParseCandidate(op_.SignPayload(bytes) + std::string(1, '\0') + "junk").status(),
                StatusKind::kInvalidArgument, "bad_envelope", "envelope: NUL byte");
  EXPECT_TRUE(Admit(op_.SignPayload(bytes)).ok());
}

// Issue 17: an envelope cannot buy signature verifications. The bound is checked while parsing,
// and every signer is resolved before any signature is verified.
TEST_F(AdmissionTest, AtMostEightSignaturesEachByAKnownSignerBeforeAnyIsVerified) {
  std::vector<TestAgent> cosigners = {op_, monitor_};
  for (int i = 0; i < 5; ++i) {  // seven co-signers in all
    cosigners.emplace_back("extra-" + std::to_string(i));
    ASSERT_TRUE(Enroll(cosigners.back(), "monitor").ok());
  }
  std::string envelope =
      inspector_.Next("inspection.performed", testing::InspectionFields("insp-a", "site-a"));
  std::string seven = envelope;  // seven signatures: the submitter and six co-signers
  for (size_t i = 0; i + 1 < cosigners.size(); ++i) seven = CoSign(seven, cosigners[i]);
  std::string eight = CoSign(seven, cosigners.back());
  std::string nine = CoSign(eight, gov_);
  ExpectRefused(ParseCandidate(nine).status(), StatusKind::kInvalidArgument, "too_many_signatures",
                "signatures: 9 given, at most 8 allowed");
  // 351 bogus signatures (the probe's) are refused just the same, by count.
  Result<Envelope> flood = ParseEnvelope(envelope);
  ASSERT_TRUE(flood.ok());
  for (int i = 0; i < 350; ++i) {
    flood->signatures.push_back({ToHex(Sha256(std::to_string(i))), Signature{}});
  }
  ExpectRefused(ParseCandidate(SerializeEnvelope(*flood)).status(), StatusKind::kInvalidArgument,
                "too_many_signatures", "signatures: 351 given");

  // An unknown co-signer is found before the (forged) submitter's signature is checked.
  Result<Envelope> forged = ParseEnvelope(CoSign(seven, TestAgent("stranger")));
  ASSERT_TRUE(forged.ok());
  forged->signatures[0].sig[0] ^= 1;
  ExpectRefused(Admit(SerializeEnvelope(*forged)), StatusKind::kUnauthenticated, "unknown_key",
                "signatures[7].keyid: no enrolled agent has this key");
  EXPECT_TRUE(Admit(eight).ok());
}

TEST_F(AdmissionTest, NoAgentCoSignsItsOwnEventOrSignsTwice) {
  std::string envelope =
      inspector_.Next("inspection.performed", testing::InspectionFields("insp-a", "site-a"));
  ExpectRefused(Admit(CoSign(envelope, inspector_)), StatusKind::kInvalidArgument,
                "duplicate_signer", "signatures[1].keyid: the same key as signatures[0].keyid");
  ExpectRefused(Admit(CoSign(CoSign(CoSign(envelope, op_), monitor_), op_)),
                StatusKind::kInvalidArgument, "duplicate_signer",
                "signatures[3].keyid: the same key as signatures[1].keyid");
  // A forged duplicate (the right key id, any bytes) is refused as well, without verifying it.
  Result<Envelope> copied = ParseEnvelope(envelope);
  ASSERT_TRUE(copied.ok());
  copied->signatures.push_back({copied->signatures[0].keyid, Signature{}});
  ExpectRefused(ParseCandidate(SerializeEnvelope(*copied)).status(), StatusKind::kInvalidArgument,
                "duplicate_signer", "signatures[1].keyid");
  EXPECT_TRUE(Admit(CoSign(CoSign(envelope, op_), monitor_)).ok());
}

// Issue 17: re-enrolling a revoked agent with its old key used to reinstate the key.
TEST_F(AdmissionTest, RevokedKeyIsNeverEnrolledAgain) {
  ASSERT_TRUE(Admit(gov_.Next("agent.revoked", testing::RevokeFields("op-1"))).ok());
  TestAgent gov_before = gov_;
  ExpectRefused(Enroll(op_, "site_operator", {"site-a"}), StatusKind::kPermissionDenied,
                "key_retired", "enroll.public_key: the key of revoked agent \"op-1\"");
  gov_ = gov_before;
  TestAgent other("op-9", op_.key());  // the revoked key under another agent id
  ExpectRefused(Enroll(other, "site_operator"), StatusKind::kPermissionDenied, "key_retired",
                "revoked agent \"op-1\"");
  gov_ = gov_before;
  ExpectRefused(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))),
                StatusKind::kPermissionDenied, "agent_revoked", "agent");

  // A fresh key reinstates the agent; its chain continues; the revoked key stays retired.
  TestAgent fresh("op-1");
  ASSERT_TRUE(Enroll(fresh, "site_operator", {"site-a"}).ok());
  EXPECT_FALSE(registry_.Find("op-1")->revoked);
  ASSERT_EQ(registry_.Find("op-1")->retired_keys.size(), 1u);
  EXPECT_EQ(registry_.Find("op-1")->retired_keys[0], op_.key().public_key);
  EXPECT_TRUE(Admit(fresh.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))).ok());
  gov_before = gov_;
  ExpectRefused(Enroll(op_, "site_operator", {"site-a"}), StatusKind::kPermissionDenied,
                "key_retired", "a key agent \"op-1\" held before");
  gov_ = gov_before;
  // Enrolling an agent again with its current key (new sites, say) is no rotation.
  EXPECT_TRUE(Enroll(fresh, "site_operator", {"site-a", "site-b"}).ok());
  EXPECT_EQ(registry_.Find("op-1")->retired_keys.size(), 1u);
}

TEST_F(AdmissionTest, RotatedAwayKeyIsNeverEnrolledAgain) {
  TestAgent rotated("insp-1");
  ASSERT_TRUE(Enroll(rotated, "inspector").ok());
  TestAgent gov_before = gov_;
  ExpectRefused(Enroll(inspector_, "inspector"), StatusKind::kPermissionDenied, "key_retired",
                "enroll.public_key: a key agent \"insp-1\" held before");
  gov_ = gov_before;
  TestAgent other("insp-2", inspector_.key());
  ExpectRefused(Enroll(other, "inspector"), StatusKind::kPermissionDenied, "key_retired", "insp-1");
}

TEST_F(AdmissionTest, RevokedOrExpiredCoSignerIs403) {
  TestAgent expired("op-old");
  Timestamp now = Now();
  ASSERT_TRUE(Enroll(expired, "site_operator", nlohmann::json::array(), AddSeconds(now, -1)).ok());
  std::string envelope =
      inspector_.Next("inspection.performed", testing::InspectionFields("insp-a", "site-a"));
  ExpectRefused(Admit(CoSign(envelope, expired), now), StatusKind::kPermissionDenied,
                "cosigner_expired", "signatures[1]");
  ASSERT_TRUE(Admit(gov_.Next("agent.revoked", testing::RevokeFields("op-1"))).ok());
  ExpectRefused(Admit(CoSign(envelope, op_), now), StatusKind::kPermissionDenied,
                "cosigner_revoked", "signatures[1]");
}

TEST_F(AdmissionTest, RevokedAgentIs403) {
  ASSERT_TRUE(Admit(gov_.Next("agent.revoked", testing::RevokeFields("op-1"))).ok());
  EXPECT_TRUE(registry_.Find("op-1")->revoked);
  ExpectRefused(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))),
                StatusKind::kPermissionDenied, "agent_revoked", "agent");
}

TEST_F(AdmissionTest, AgentPastValidUntilIs403ByTheLedgerClock) {
  TestAgent temp("temp-1");
  Timestamp until = ParseTime(FormatTime(Now()), "until").value();  // as the enrolment records it
  ASSERT_TRUE(Enroll(temp, "monitor", nlohmann::json::array(), until).ok());
  std::string envelope =
      temp.Next("monitor.heartbeat", testing::HeartbeatFields("site-a", "SN-1"), until);
  ExpectRefused(Admit(envelope, AddSeconds(until, 1)), StatusKind::kPermissionDenied,
                "agent_expired", "agent");
  EXPECT_TRUE(Admit(envelope, until).ok());
}

TEST_F(AdmissionTest, RoleMayNotSignTheTypeIs403) {
  ExpectRefused(Admit(monitor_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))),
                StatusKind::kPermissionDenied, "role_forbidden", "monitor");
  ExpectRefused(Admit(op_.Next("party.registered", testing::PartyFields("p-1"))),
                StatusKind::kPermissionDenied, "role_forbidden", "party.registered");
}

TEST_F(AdmissionTest, SiteOutsideTheAgentsSitesIs403) {
  ExpectRefused(Admit(op_.Next("chip.installed", testing::InstallFields("site-b", "SN-1"))),
                StatusKind::kPermissionDenied, "site_forbidden", "site-b");
  // A transfer acts at its from_site.
  TestAgent fresh_op("op-2");
  ASSERT_TRUE(Enroll(fresh_op, "site_operator", {"site-a"}).ok());
  ExpectRefused(
      Admit(fresh_op.Next("chip.transferred", testing::TransferFields("site-b", "site-a"))),
      StatusKind::kPermissionDenied, "site_forbidden", "site-b");
  TestAgent other_op("op-3");
  ASSERT_TRUE(Enroll(other_op, "site_operator", {"site-a"}).ok());
  EXPECT_TRUE(
      Admit(other_op.Next("chip.transferred", testing::TransferFields("site-a", "site-b"))).ok());
  // Empty sites: any site.
  EXPECT_TRUE(
      Admit(inspector_.Next("inspection.performed", testing::InspectionFields("insp-z", "site-z")))
          .ok());
}

TEST_F(AdmissionTest, TimeMoreThan300SecondsAheadIs400) {
  Timestamp now = Now();
  ExpectRefused(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"),
                               AddSeconds(now, 301)),
                      now),
                StatusKind::kInvalidArgument, "time_in_future", "time");
  TestAgent other("op-4");
  ASSERT_TRUE(Enroll(other, "site_operator").ok());
  EXPECT_TRUE(Admit(other.Next("chip.installed", testing::InstallFields("site-a", "SN-1"),
                               AddSeconds(now, 299)),
                    now)
                  .ok());
}

TEST_F(AdmissionTest, BrokenChainIs409WithTheExpectedValues) {
  ASSERT_TRUE(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))).ok());
  Hash head = op_.prev();
  op_.Next("chip.installed", testing::InstallFields("site-a", "SN-2"));  // never submitted
  ExpectRefused(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-3"))),
                StatusKind::kConflict, "seq_conflict", "seq");
  EXPECT_EQ(expected_seq_, 2u);
  EXPECT_EQ(expected_prev_, head);
  // Right seq, wrong prev.
  nlohmann::json forked = op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-4"));
  forked["seq"] = 2;
  ExpectRefused(Admit(op_.SignPayload(forked.dump())), StatusKind::kConflict, "seq_conflict",
                "prev");
  EXPECT_EQ(registry_.Find("op-1")->last_seq, 1u);
  EXPECT_EQ(registry_.Find("op-1")->last_payload_hash, head);
}

TEST_F(AdmissionTest, RotationRetiresTheOldKeyAndContinuesTheChain) {
  ASSERT_TRUE(Admit(op_.Next("chip.installed", testing::InstallFields("site-a", "SN-1"))).ok());
  TestAgent rotated("op-1");  // same id, new key
  ASSERT_TRUE(Enroll(rotated, "site_operator", {"site-a"}).ok());
  Timestamp t = Now();
  std::string bytes =
      op_.Payload("chip.installed", testing::InstallFields("site-a", "SN-2"), t).dump();
  ExpectRefused(Admit(op_.SignPayload(bytes)), StatusKind::kUnauthenticated, "unknown_key",
                "signatures[0].keyid");
  EXPECT_TRUE(Admit(rotated.SignPayload(bytes)).ok());  // seq 2, prev = the seq-1 payload
  EXPECT_EQ(registry_.Find("op-1")->last_seq, 2u);
  EXPECT_EQ(registry_.Find("op-1")->key, rotated.key().public_key);
}

TEST_F(AdmissionTest, LogAgentSignsOnlyGenesisEnrolments) {
  TestAgent second("gov-2");
  // Still genesis: only log has signed so far.
  AgentRegistry fresh(log_.key().public_key);
  TestAgent log("log", log_.key());
  Result<Candidate> party = ParseCandidate(log.Next("party.registered", testing::PartyFields("p")));
  ASSERT_TRUE(party.ok());
  ExpectRefused(fresh.Authorize(*party, 0, Now()), StatusKind::kPermissionDenied, "role_forbidden",
                "log");

  // In the fixture, authorities have signed: genesis is closed.
  EXPECT_FALSE(registry_.genesis_open());
  ExpectRefused(
      Admit(log_.Next("agent.enrolled", TestAgent::Enrollment(second, "authority", "gov-2"))),
      StatusKind::kPermissionDenied, "role_forbidden", "log");
}

TEST_F(AdmissionTest, NoOneMayEnrolOrRevokeTheLogAgent) {
  TestAgent fake_log("log");
  ExpectRefused(
      Admit(gov_.Next("agent.enrolled", TestAgent::Enrollment(fake_log, "authority", "gov"))),
      StatusKind::kPermissionDenied, "role_forbidden", "log");
  ExpectRefused(Admit(gov_.Next("agent.revoked", testing::RevokeFields("log"))),
                StatusKind::kPermissionDenied, "role_forbidden", "log");
}

TEST_F(AdmissionTest, AgentStateRoundTrips) {
  TestAgent temp("temp-9");
  Timestamp until = ParseTime("2030-01-01T00:00:00.000Z", "t").value();
  ASSERT_TRUE(Enroll(temp, "inspector", {"site-a", "site-b"}, until).ok());
  ASSERT_TRUE(
      Admit(temp.Next("inspection.performed", testing::InspectionFields("i", "site-a"))).ok());
  const AgentState& state = *registry_.Find("temp-9");
  Result<AgentState> decoded = DecodeAgentState(EncodeAgentState(state));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(EncodeAgentState(*decoded), EncodeAgentState(state));
  EXPECT_EQ(decoded->role, Role::kInspector);
  EXPECT_EQ(decoded->valid_until, until);
  EXPECT_EQ(decoded->last_seq, 1u);
  EXPECT_EQ(decoded->sites.size(), 2u);
  // Retired keys are kept, and restoring them keeps them retired.
  TestAgent rotated("temp-9");
  ASSERT_TRUE(Enroll(rotated, "inspector").ok());
  Result<AgentState> with_retired = DecodeAgentState(EncodeAgentState(*registry_.Find("temp-9")));
  ASSERT_TRUE(with_retired.ok()) << with_retired.status().ToString();
  EXPECT_EQ(with_retired->retired_keys, std::vector<PublicKey>{temp.key().public_key});
  AgentRegistry restored(log_.key().public_key);
  restored.Restore(*registry_.Find("gov"));
  restored.Restore(*with_retired);
  Result<Candidate> again = ParseCandidate(
      gov_.Next("agent.enrolled", TestAgent::Enrollment(temp, "inspector", "org-1")));
  ASSERT_TRUE(again.ok());
  restored.set_genesis_open(false);
  ExpectRefused(restored.Authorize(*again, next_index_, Now()), StatusKind::kPermissionDenied,
                "key_retired", "temp-9");
  // States written before keys were retired have no retired_keys.
  nlohmann::json old_format = nlohmann::json::parse(EncodeAgentState(state));
  old_format.erase("retired_keys");
  Result<AgentState> old_state = DecodeAgentState(old_format.dump());
  ASSERT_TRUE(old_state.ok()) << old_state.status().ToString();
  EXPECT_TRUE(old_state->retired_keys.empty());
  Result<AgentState> log_state = DecodeAgentState(EncodeAgentState(*registry_.Find("log")));
  ASSERT_TRUE(log_state.ok());
  EXPECT_FALSE(log_state->role.has_value());
  EXPECT_FALSE(DecodeAgentState("{\"id\":1}").ok());
}

}  // namespace
}  // namespace chipledger
