// I8 (SPEC §8, §10): with witnesses named, the checkpoint note must carry valid cosignatures from
// at least the quorum of them; without, I8 is reported as not run. Cosigned notes are built here
// with the witnesses' keys, as a witness would cosign.
#include <gtest/gtest.h>

#include <memory>

#include "auditor/report.h"
#include "auditor/verify.h"
#include "ledger/cosignature.h"
#include "tests/auditor/log_fixture.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit {
namespace {

using chipledger::testing::HandLog;
using chipledger::testing::PartyFields;
using chipledger::testing::TestAgent;

constexpr uint64_t kCosignedAt = 1'795'000'000;

// A witness: its name and a key from a fixed seed.
struct Witness {
  std::string name;
  KeyPair key;

  static Witness Make(const std::string& name, uint8_t seed) {
    std::array<uint8_t, 32> bytes{};
    bytes.fill(seed);
    return {name, KeyPairFromSeed(bytes)};
  }
  std::string vkey() const { return FormatWitnessKey({name, key.public_key}); }
  // The cosignature line this witness adds to `note`.
  std::string Cosign(const std::string& note, uint64_t timestamp = kCosignedAt) const {
    Result<SignedNote> parsed = ParseSignedNote(note);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return chipledger::Cosign(parsed->text, name, key, timestamp);
  }
};

class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    log_.Append(log_agent_.Next("agent.enrolled", TestAgent::Enrollment(gov_, "authority", "gov"),
                                log_.EventTime()));
    log_.Append(gov_.Next("party.registered", PartyFields("eu-1"), log_.EventTime()));
  }

  static WitnessPolicy Policy(const std::vector<const Witness*>& witnesses,
                              std::optional<size_t> quorum = std::nullopt) {
    std::vector<std::string> vkeys;
    for (const Witness* witness : witnesses) vkeys.push_back(witness->vkey());
    Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, quorum);
    EXPECT_TRUE(policy.ok()) << policy.status().ToString();
    return *policy;
  }

  // The log's checkpoint note with the cosignature lines of `cosigners` appended.
  std::string Cosigned(const std::vector<const Witness*>& cosigners) const {
    std::string note = log_.Note();
    std::string lines;
    for (const Witness* witness : cosigners) lines += witness->Cosign(note);
    return note + lines;
  }

  std::unique_ptr<Verifier> Verify(const std::string& note, WitnessPolicy policy) {
    auto verifier = std::make_unique<Verifier>(log_.verifier(), std::nullopt, std::move(policy));
    if (verifier->Begin(note)) {
      for (const std::string& entry : log_.entries()) verifier->Add(entry);
      verifier->Finish();
    }
    return verifier;
  }

  static std::string I8Errors(const Verifier& verifier) {
    std::string out;
    for (const IntegrityError& error : verifier.errors()) {
      EXPECT_EQ(error.check, "I8") << error.message;
      EXPECT_FALSE(error.index.has_value());
      out += error.message + "\n";
    }
    return out;
  }

  HandLog log_;
  TestAgent log_agent_{"log", log_.log_key()};
  TestAgent gov_{"gov"};
  Witness alpha_ = Witness::Make("witness.gov-a.example", 1);
  Witness beta_ = Witness::Make("witness.gov-b.example", 2);
  Witness gamma_ = Witness::Make("witness.neutral.example", 3);
};

TEST_F(WitnessTest, QuorumOfValidCosignaturesPassesI8) {
  auto verifier = Verify(Cosigned({&alpha_, &beta_}), Policy({&alpha_, &beta_}));
  EXPECT_TRUE(verifier->ok()) << I8Errors(*verifier);
  ASSERT_EQ(verifier->cosignatures().size(), 2u);
  EXPECT_EQ(verifier->cosignatures()[0].witness, alpha_.name);
  EXPECT_EQ(verifier->cosignatures()[0].timestamp, kCosignedAt);
  for (const SkippedCheck& skipped : verifier->not_run()) EXPECT_NE(skipped.check, "I8");
}

TEST_F(WitnessTest, MissingCosignatureFailsI8NamingTheWitness) {
  auto verifier = Verify(Cosigned({&alpha_}), Policy({&alpha_, &beta_}));
  EXPECT_FALSE(verifier->ok());
  std::string errors = I8Errors(*verifier);
  EXPECT_NE(errors.find("missing: " + beta_.name), std::string::npos) << errors;
  EXPECT_EQ(errors.find(alpha_.name), std::string::npos) << errors;
  EXPECT_EQ(verifier->error_count(), 1u);
}

TEST_F(WitnessTest, NoteWithoutCosignaturesFailsI8NamingEveryWitness) {
  auto verifier = Verify(log_.Note(), Policy({&alpha_, &beta_}));
  std::string errors = I8Errors(*verifier);
  EXPECT_NE(errors.find(alpha_.name + ", " + beta_.name), std::string::npos) << errors;
  // The entries are still verified: I8 fails alone.
  EXPECT_EQ(verifier->entries_checked(), log_.entries().size());
  EXPECT_EQ(verifier->error_count(), 1u);
}

TEST_F(WitnessTest, CosignatureThatDoesNotVerifyFailsI8) {
  std::string note = log_.Note();
  // beta's cosignature over another checkpoint (an older tree), put on this one.
  std::string other = log_.Note(1);
  auto verifier =
      Verify(note + alpha_.Cosign(note) + beta_.Cosign(other), Policy({&alpha_, &beta_}, 1));
  std::string errors = I8Errors(*verifier);
  EXPECT_NE(errors.find("cosignature by " + beta_.name + " does not verify"), std::string::npos)
      << errors;
}

TEST_F(WitnessTest, CosignaturesFromUnknownWitnessesAreIgnored) {
  auto verifier = Verify(Cosigned({&gamma_, &alpha_}), Policy({&alpha_}));
  EXPECT_TRUE(verifier->ok()) << I8Errors(*verifier);
  ASSERT_EQ(verifier->cosignatures().size(), 1u);
  EXPECT_EQ(verifier->cosignatures()[0].witness, alpha_.name);
  // Alone, an unknown witness's cosignature counts for nothing.
  auto unknown = Verify(Cosigned({&gamma_}), Policy({&alpha_}));
  EXPECT_NE(I8Errors(*unknown).find("missing: " + alpha_.name), std::string::npos);
}

TEST_F(WitnessTest, QuorumOfOneOfTwoIsMetByEither) {
  for (const Witness* cosigner : {&alpha_, &beta_}) {
    auto verifier = Verify(Cosigned({cosigner}), Policy({&alpha_, &beta_}, 1));
    EXPECT_TRUE(verifier->ok()) << cosigner->name << ": " << I8Errors(*verifier);
  }
  auto none = Verify(log_.Note(), Policy({&alpha_, &beta_}, 1));
  EXPECT_NE(I8Errors(*none).find("0 of the 1"), std::string::npos);
}

TEST_F(WitnessTest, WithoutWitnessesI8IsNotRunRatherThanPassed) {
  auto verifier = Verify(Cosigned({&alpha_}), WitnessPolicy{});
  EXPECT_TRUE(verifier->ok());
  EXPECT_TRUE(verifier->cosignatures().empty());
  bool i8 = false;
  for (const SkippedCheck& skipped : verifier->not_run()) i8 |= skipped.check == "I8";
  EXPECT_TRUE(i8);
}

TEST_F(WitnessTest, ReportRecordsTheWitnessesAndI8) {
  auto verifier = Verify(Cosigned({&alpha_}), Policy({&alpha_, &beta_}));
  Engine engine{Params{}};
  Report report = BuildReport(*verifier, Checkpoint{}, engine, SiteActivity{}, log_.clock());
  nlohmann::json json = ReportToJson(report);
  EXPECT_EQ(json["log"]["witnesses"],
            (nlohmann::json{{{"name", alpha_.name}, {"timestamp", kCosignedAt}}}));
  EXPECT_EQ(json["log"]["witness_quorum"], 2);
  EXPECT_EQ(json["integrity"]["errors"][0]["check"], "I8");
  EXPECT_EQ(ExitCode(report, Severity::kCritical), 2);
  std::string html = ReportToHtml(report);
  EXPECT_NE(html.find("<b>I8</b>"), std::string::npos);
  EXPECT_NE(html.find(beta_.name + "</td><td><span class=\"bad\">missing"), std::string::npos);
  EXPECT_NE(Summary(report).find("witnesses: 1 of 2 cosigned (quorum 2): " + alpha_.name),
            std::string::npos)
      << Summary(report);

  auto unwitnessed = Verify(log_.Note(), WitnessPolicy{});
  Report plain = BuildReport(*unwitnessed, Checkpoint{}, engine, SiteActivity{}, log_.clock());
  nlohmann::json plain_json = ReportToJson(plain);
  EXPECT_TRUE(plain_json["log"]["witness_quorum"].is_null());
  EXPECT_EQ(plain_json["log"]["witnesses"], nlohmann::json::array());
  bool i8_not_run = false;
  for (const nlohmann::json& skipped : plain_json["integrity"]["not_run"]) {
    i8_not_run |= skipped["check"] == "I8";
  }
  EXPECT_TRUE(i8_not_run) << plain_json["integrity"].dump();
  EXPECT_NE(ReportToHtml(plain).find("not run</span> <span class=\"note\">no witnesses named"),
            std::string::npos);
}

}  // namespace
}  // namespace chipledger::audit
