// What every ledger test holds (the ledger, its verifier key, the genesis authority "gov") and
// the checks they all make, shared by the store's fixture (ledger_fixture.h) and the driver
// conformance suite (driver_backends.h).
#ifndef CHIPLEDGER_TESTS_LEDGER_LEDGER_UNDER_TEST_H_
#define CHIPLEDGER_TESTS_LEDGER_LEDGER_UNDER_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "ledger/ledger.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

class LedgerUnderTest {
 protected:
  // Keeps the verifier key a Create returned; fails the test if there is none.
  void KeepVerifier(const Result<std::string>& key) {
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<NoteVerifier> verifier = ParseVerifierKey(*key);
    ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
    verifier_ = *verifier;
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

  // Verifies a receipt against the log key and returns its checkpoint.
  Checkpoint Verified(const Receipt& receipt) { return Checked(VerifyReceipt(receipt, verifier_)); }

  Checkpoint Latest() { return Checked(VerifyCheckpoint(ledger_->CheckpointNote(), verifier_)); }

  TestAgent gov_{"gov"};
  NoteVerifier verifier_;
  std::unique_ptr<Ledger> ledger_;

 private:
  static Checkpoint Checked(const Result<Checkpoint>& checkpoint) {
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? *checkpoint : Checkpoint{};
  }
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_LEDGER_UNDER_TEST_H_
