// A freshly created ledger with one genesis authority, shared by the store's tests.
#ifndef CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
#define CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

inline constexpr std::string_view kOrigin = "ledger.test/pilot";

class LedgerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    Result<std::string> key = Ledger::Create(
        dir_.path(), CreateOptions{std::string(kOrigin), {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<NoteVerifier> verifier = ParseVerifierKey(*key);
    ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
    verifier_ = *verifier;
    Reopen();
  }

  void Reopen(OpenOptions options = {}) {
    ledger_.reset();
    auto opened = Ledger::Open(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  // Appends and expects a new entry (201); returns its receipt.
  Receipt MustAppend(const std::string& envelope) {
    AppendResult result = ledger_->Append(envelope);
    EXPECT_TRUE(result.status.ok()) << result.status.ToString();
    EXPECT_FALSE(result.duplicate);
    return result.receipt;
  }

  void Enroll(const TestAgent& agent, std::string_view role) {
    MustAppend(gov_.Next("agent.enrolled", TestAgent::Enrollment(agent, role, "gov")));
  }

  TempDir dir_;
  TestAgent gov_{"gov"};
  NoteVerifier verifier_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
