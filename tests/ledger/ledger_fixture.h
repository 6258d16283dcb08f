// A freshly created ledger with one genesis authority, shared by the store's tests.
#ifndef CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
#define CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "tests/ledger/ledger_under_test.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

inline constexpr std::string_view kOrigin = "ledger.test/pilot";

class LedgerFixture : public ::testing::Test, protected LedgerUnderTest {
 protected:
  void SetUp() override {
    InitCrypto();
    KeepVerifier(Ledger::Create(
        dir_.path(), CreateOptions{std::string(kOrigin), {{"gov", gov_.key().public_key}}}));
    if (HasFatalFailure()) return;
    Reopen();
  }

  // The ledger closes before the store it lives in (a member of this fixture or a derived one).
  void TearDown() override { ledger_.reset(); }

  void Reopen(OpenOptions options = {}) {
    ledger_.reset();
    auto opened = Ledger::Open(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  TempDir dir_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_LEDGER_FIXTURE_H_
