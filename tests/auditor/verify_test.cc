// The integrity verifier against real logs: a clean log passes, and each kind of tampering is
// caught under the check that names it.
#include "auditor/verify.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "ledger/ledger.h"
#include "tests/auditor/log_fixture.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::HandLog;
using chipledger::testing::InspectionFields;
using chipledger::testing::PartyFields;
using chipledger::testing::RevokeFields;
using chipledger::testing::TempDir;
using chipledger::testing::TestAgent;

std::unique_ptr<Verifier> Verify(const NoteVerifier& key, const std::string& note,
                                 const std::vector<std::string>& entries,
                                 std::optional<Checkpoint> previous = std::nullopt,
                                 size_t max_errors = Verifier::kDefaultMaxErrors) {
  auto verifier = std::make_unique<Verifier>(key, previous, max_errors);
  if (verifier->Begin(note)) {
    for (const std::string& entry : entries) verifier->Add(entry);
    verifier->Finish();
  }
  return verifier;
}

// "I3@4 I2@-": the errors' checks and indices, for readable assertions.
std::string Checks(const Verifier& verifier) {
  std::string out;
  for (const IntegrityError& error : verifier.errors()) {
    out += (out.empty() ? "" : " ") + error.check + "@" +
           (error.index ? std::to_string(*error.index) : "-");
  }
  return out;
}

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    // 0 genesis enrolment, 1 party, 2 inspector enrolled, 3 inspection, 4 inspector revoked.
    Add(log_agent_, "agent.enrolled", TestAgent::Enrollment(gov_, "authority", "gov"));
    Add(gov_, "party.registered", PartyFields("eu-1"));
    Add(gov_, "agent.enrolled", TestAgent::Enrollment(inspector_, "inspector", "gov"));
    Add(inspector_, "inspection.performed", InspectionFields("insp-1", "site-1"));
    Add(gov_, "agent.revoked", RevokeFields("insp"));
  }

  void Add(TestAgent& agent, std::string_view type, const nlohmann::json& fields) {
    log_.Append(agent.Next(type, fields, log_.EventTime()));
  }

  std::unique_ptr<Verifier> VerifyLog(std::optional<Checkpoint> previous = std::nullopt) {
    return Verify(log_.verifier(), log_.Note(), log_.entries(), previous);
  }

  HandLog log_;
  TestAgent log_agent_{"log", log_.log_key()};
  TestAgent gov_{"gov"};
  TestAgent inspector_{"insp"};
};

TEST_F(VerifyTest, CleanLogPasses) {
  auto verifier = VerifyLog();
  EXPECT_TRUE(verifier->ok()) << Checks(*verifier);
  EXPECT_EQ(verifier->entries_checked(), 5u);
}

TEST_F(VerifyTest, YieldsParsedEntriesForTheEngine) {
  Verifier verifier(log_.verifier(), std::nullopt);
  ASSERT_TRUE(verifier.Begin(log_.Note()));
  ASSERT_TRUE(verifier.Add(log_.entries()[0]).has_value());
  std::optional<VerifiedEntry> party = verifier.Add(log_.entries()[1]);
  ASSERT_TRUE(party.has_value());
  EXPECT_EQ(party->entry.index, 1u);
  ASSERT_TRUE(std::holds_alternative<PartyRegistered>(party->event.body));
  EXPECT_EQ(std::get<PartyRegistered>(party->event.body).id, "eu-1");
}

TEST_F(VerifyTest, CheckpointNotSignedByTheLogKeyFailsI1) {
  HandLog other;  // same origin, another key
  auto verifier = Verify(log_.verifier(), other.Note(), log_.entries());
  EXPECT_EQ(Checks(*verifier), "I1@-");
  EXPECT_EQ(verifier->entries_checked(), 0u);
}

TEST_F(VerifyTest, AlteredIntegratedTimeFailsTheRootAndTheNextEntrysPrev) {
  std::string note = log_.Note();
  std::string& entry = log_.entries()[2];
  size_t minute = entry.find("T00:02:00");
  ASSERT_NE(minute, std::string::npos) << entry;
  entry[minute + 5] = '3';  // 00:02 -> 00:03, still well-formed
  auto verifier = Verify(log_.verifier(), note, log_.entries());
  EXPECT_EQ(Checks(*verifier), "I3@3 I2@-");
}

TEST_F(VerifyTest, FlippedByteThatBreaksTheEntryFailsI3) {
  std::string note = log_.Note();
  log_.entries()[1][0] ^= 0x01;
  auto verifier = Verify(log_.verifier(), note, log_.entries());
  // Then the lost event's consequences: gov's chain skips it, so the enrolment at 2 does not
  // take effect and the inspector's event at 3 names an unknown key.
  EXPECT_EQ(Checks(*verifier), "I3@1 I3@2 I5@2 I4@3 I2@-");
}

TEST_F(VerifyTest, RemovedEntryFailsI3AndI2) {
  std::string note = log_.Note();
  log_.entries().erase(log_.entries().begin() + 2);
  auto verifier = Verify(log_.verifier(), note, log_.entries());
  std::string checks = Checks(*verifier);
  EXPECT_NE(checks.find("I3@2"), std::string::npos) << checks;
  EXPECT_NE(checks.find("I2@-"), std::string::npos) << checks;
}

TEST_F(VerifyTest, ReorderedEntriesFailI3EvenUnderAFreshCheckpoint) {
  std::swap(log_.entries()[1], log_.entries()[2]);
  auto verifier = VerifyLog();  // the checkpoint covers the reordered leaves: only I3 can tell
  std::string checks = Checks(*verifier);
  EXPECT_NE(checks.find("I3@1"), std::string::npos) << checks;
  EXPECT_NE(checks.find("I3@2"), std::string::npos) << checks;
  EXPECT_EQ(checks.find("I2"), std::string::npos) << checks;
}

TEST_F(VerifyTest, ForgedSignatureFailsI4) {
  TestAgent forger("gov", GenerateKeyPair());
  std::string bytes =
      gov_.Payload("party.registered", PartyFields("eu-2"), log_.EventTime()).dump();
  Result<Envelope> envelope = ParseEnvelope(forger.SignPayload(bytes));
  ASSERT_TRUE(envelope.ok());
  envelope->signatures[0].keyid = KeyId(gov_.key().public_key);  // claims gov's key
  log_.Append(SerializeEnvelope(*envelope));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I4@5");
}

TEST_F(VerifyTest, SeqGapFailsI5Once) {
  gov_.Next("party.registered", PartyFields("eu-2"), log_.EventTime());  // never logged
  Add(gov_, "party.registered", PartyFields("eu-3"));
  Add(gov_, "party.registered", PartyFields("eu-4"));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I5@5");
}

TEST_F(VerifyTest, ForkedAgentChainFailsI5) {
  TestAgent fork = gov_;  // the same agent, signing two different successors of one event
  Add(gov_, "party.registered", PartyFields("eu-2"));
  Add(fork, "party.registered", PartyFields("eu-3"));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I5@6");
}

TEST_F(VerifyTest, DuplicatePayloadFailsI7) {
  std::string envelope = gov_.Next("party.registered", PartyFields("eu-2"), log_.EventTime());
  log_.Append(envelope);
  log_.Append(envelope);
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I7@6");
}

TEST_F(VerifyTest, EventByRevokedAgentFailsI7) {
  Add(inspector_, "inspection.performed", InspectionFields("insp-2", "site-1"));
  auto verifier = VerifyLog();
  ASSERT_EQ(Checks(*verifier), "I7@5");
  EXPECT_NE(verifier->errors()[0].message.find("revoked"), std::string::npos);
}

TEST_F(VerifyTest, RoleThatMayNotSignFailsI7) {
  TestAgent exporter("exp");
  Add(gov_, "agent.enrolled", TestAgent::Enrollment(exporter, "exporter", "gov"));
  Add(exporter, "party.registered", PartyFields("eu-2"));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I7@6");
}

TEST_F(VerifyTest, SchemaViolationFailsI7) {
  nlohmann::json payload = gov_.Payload("party.registered", PartyFields("eu-2"), log_.EventTime());
  payload["party"]["colour"] = "red";  // unknown field
  log_.Append(gov_.SignPayload(payload.dump()));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I7@5");
}

// Issue 17: an entry stored before admission read every byte of the payload. The ledger that
// wrote it admitted a valid event followed by a NUL and 30 KB of bytes no parser reads.
TEST_F(VerifyTest, PayloadBytesAfterANulFailI7) {
  std::string bytes =
      gov_.Payload("party.registered", PartyFields("eu-2"), log_.EventTime()).dump();
  std::string junk;
  for (int i = 0; i < 30 * 1024; ++i) junk.push_back(static_cast<char>(0x80 + i % 0x80));
  log_.Append(gov_.SignPayload(bytes + std::string(1, '\0') + junk));
  auto verifier = VerifyLog();
  ASSERT_EQ(Checks(*verifier), "I7@5");
  EXPECT_NE(verifier->errors()[0].message.find("payload: NUL byte"), std::string::npos)
      << verifier->errors()[0].message;
}

// Issue 17: co-signatures no second party made, and envelopes that buy verifications.
TEST_F(VerifyTest, AgentCoSigningItsOwnEventFailsI7) {
  std::string envelope = gov_.Next("party.registered", PartyFields("eu-2"), log_.EventTime());
  Result<Envelope> parsed = ParseEnvelope(envelope);
  ASSERT_TRUE(parsed.ok());
  SignEnvelope(&*parsed, gov_.key());
  log_.Append(SerializeEnvelope(*parsed));
  auto verifier = VerifyLog();
  ASSERT_EQ(Checks(*verifier), "I7@5");
  EXPECT_NE(verifier->errors()[0].message.find("signatures[1].keyid"), std::string::npos);
}

TEST_F(VerifyTest, CoSignerListedTwiceFailsI7) {
  TestAgent exporter("exp");
  Add(gov_, "agent.enrolled", TestAgent::Enrollment(exporter, "exporter", "gov"));
  Result<Envelope> parsed =
      ParseEnvelope(gov_.Next("party.registered", PartyFields("eu-2"), log_.EventTime()));
  ASSERT_TRUE(parsed.ok());
  SignEnvelope(&*parsed, exporter.key());
  SignEnvelope(&*parsed, exporter.key());
  log_.Append(SerializeEnvelope(*parsed));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I7@6");
}

TEST_F(VerifyTest, MoreThanEightSignaturesFailI7) {
  Result<Envelope> parsed =
      ParseEnvelope(gov_.Next("party.registered", PartyFields("eu-2"), log_.EventTime()));
  ASSERT_TRUE(parsed.ok());
  for (int i = 0; i < 8; ++i) SignEnvelope(&*parsed, GenerateKeyPair());
  log_.Append(SerializeEnvelope(*parsed));
  auto verifier = VerifyLog();
  ASSERT_EQ(Checks(*verifier), "I7@5");
  EXPECT_NE(verifier->errors()[0].message.find("signatures: 9 given"), std::string::npos);
}

// Issue 17: re-enrolling a revoked agent with its old key used to reinstate it.
TEST_F(VerifyTest, RevokedKeyEnrolledAgainFailsI7AndStaysRevoked) {
  Add(gov_, "agent.enrolled", TestAgent::Enrollment(inspector_, "inspector", "gov"));
  Add(inspector_, "inspection.performed", InspectionFields("insp-2", "site-1"));
  auto verifier = VerifyLog();
  ASSERT_EQ(Checks(*verifier), "I7@5 I7@6");
  EXPECT_NE(verifier->errors()[0].message.find("the key of revoked agent"), std::string::npos)
      << verifier->errors()[0].message;
  EXPECT_NE(verifier->errors()[1].message.find("revoked"), std::string::npos);
}

TEST_F(VerifyTest, EventTimeFarAheadOfIntegrationFailsI7) {
  log_.Append(gov_.Next("party.registered", PartyFields("eu-2"), AddSeconds(log_.clock(), 400)));
  auto verifier = VerifyLog();
  EXPECT_EQ(Checks(*verifier), "I7@5");
}

TEST_F(VerifyTest, IntegratedTimeGoingBackwardsFailsI3) {
  HandLog backwards(log_.log_key());
  TestAgent log_agent("log", log_.log_key());
  TestAgent gov("gov");
  backwards.Append(log_agent.Next("agent.enrolled", TestAgent::Enrollment(gov, "authority", "gov"),
                                  backwards.EventTime()));
  // Rebuild entry 1 with an integrated time before entry 0's.
  Result<LogEntry> first = ParseEntry(backwards.entries()[0]);
  ASSERT_TRUE(first.ok());
  Timestamp earlier = AddSeconds(first->integrated_time, -3600);
  Result<Envelope> envelope =
      ParseEnvelope(gov.Next("party.registered", PartyFields("eu-1"), AddSeconds(earlier, -1)));
  ASSERT_TRUE(envelope.ok());
  LogEntry second{1, earlier, LeafHash(backwards.entries()[0]), *envelope};
  backwards.entries().push_back(SerializeEntry(second));
  auto verifier = Verify(backwards.verifier(), backwards.Note(), backwards.entries());
  EXPECT_EQ(Checks(*verifier), "I3@1");
}

TEST_F(VerifyTest, ConsistentPreviousCheckpointPasses) {
  Result<Checkpoint> previous = VerifyCheckpoint(log_.Note(3), log_.verifier());
  ASSERT_TRUE(previous.ok());
  auto verifier = VerifyLog(*previous);
  EXPECT_TRUE(verifier->ok()) << Checks(*verifier);
}

TEST_F(VerifyTest, ForkedPreviousCheckpointFailsI6) {
  HandLog fork(log_.log_key());  // the same log key and origin, a different history
  TestAgent log_agent("log", log_.log_key());
  TestAgent gov("gov");
  fork.Append(log_agent.Next("agent.enrolled", TestAgent::Enrollment(gov, "authority", "gov"),
                             fork.EventTime()));
  fork.Append(gov.Next("party.registered", PartyFields("eu-other"), fork.EventTime()));
  Result<Checkpoint> previous = VerifyCheckpoint(fork.Note(), log_.verifier());
  ASSERT_TRUE(previous.ok());
  auto verifier = VerifyLog(*previous);
  EXPECT_EQ(Checks(*verifier), "I6@-");
}

TEST_F(VerifyTest, RollbackFailsI6) {
  Result<Checkpoint> previous = VerifyCheckpoint(log_.Note(), log_.verifier());
  ASSERT_TRUE(previous.ok());
  log_.entries().resize(3);
  auto verifier = VerifyLog(*previous);
  EXPECT_EQ(Checks(*verifier), "I6@-");
  EXPECT_NE(verifier->errors()[0].message.find("rollback"), std::string::npos);
}

TEST_F(VerifyTest, ErrorListIsBoundedButEveryErrorIsCounted) {
  std::string note = log_.Note();
  for (std::string& entry : log_.entries()) entry[0] = '[';
  auto verifier = Verify(log_.verifier(), note, log_.entries(), std::nullopt, 2);
  EXPECT_EQ(verifier->errors().size(), 2u);
  EXPECT_EQ(verifier->error_count(), 6u);  // five unparsable entries and the root
  EXPECT_FALSE(verifier->ok());
}

// A log written by the real ledger verifies; tampering with its stored bytes is caught.
TEST(VerifyLedgerTest, LogWrittenByTheLedgerVerifies) {
  InitCrypto();
  TempDir dir;
  TestAgent gov("gov"), inspector("insp");
  Result<std::string> key = Ledger::Create(
      dir.path(), CreateOptions{"ledger.test/audit", {{"gov", gov.key().public_key}}});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<NoteVerifier> verifier_key = ParseVerifierKey(*key);
  ASSERT_TRUE(verifier_key.ok());
  auto ledger = Ledger::Open(dir.path(), OpenOptions{});
  ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
  for (const std::string& envelope :
       {gov.Next("agent.enrolled", TestAgent::Enrollment(inspector, "inspector", "gov")),
        gov.Next("party.registered", PartyFields("eu-1")),
        inspector.Next("inspection.performed", InspectionFields("insp-1", "site-1")),
        gov.Next("agent.revoked", RevokeFields("insp"))}) {
    AppendResult result = (*ledger)->Append(envelope);
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  }
  AppendResult refused = (*ledger)->Append(
      inspector.Next("inspection.performed", InspectionFields("insp-2", "site-1")));
  EXPECT_EQ(refused.status.kind(), StatusKind::kPermissionDenied);

  std::vector<std::string> entries;
  for (uint64_t i = 0; i < (*ledger)->size(); ++i) {
    Result<std::string> bytes = (*ledger)->EntryBytes(i);
    ASSERT_TRUE(bytes.ok());
    entries.push_back(*bytes);
  }
  std::string note = (*ledger)->CheckpointNote();
  auto clean = Verify(*verifier_key, note, entries);
  EXPECT_TRUE(clean->ok()) << Checks(*clean);
  EXPECT_EQ(clean->entries_checked(), 5u);

  size_t digit = entries[3].find("\"index\":3") + 8;
  entries[3][digit] = '4';
  auto tampered = Verify(*verifier_key, note, entries);
  EXPECT_EQ(Checks(*tampered), "I3@3 I3@4 I2@-");
}

}  // namespace
}  // namespace chipledger::audit
