// The backends the driver conformance suite runs on (driver_conformance_test.cc), and its
// fixture. A new storage driver is one more Backend and one more line in kBackends.
#ifndef CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_
#define CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_

#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/store/memory_driver.h"
#include "ledger/store/rocks_ledger.h"
#include "tests/ledger/faulty_file_system.h"
#include "tests/ledger/ledger_under_test.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

// A place a ledger lives in, on one backend, and the one fault every backend can have.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual Result<std::string> Create(const CreateOptions& options) = 0;  // the verifier key
  virtual Result<std::unique_ptr<Ledger>> Open(const OpenOptions& options) = 0;
  // Until Replug, every commit fails and the driver cannot recover.
  virtual void Unplug() = 0;
  virtual void Replug() = 0;
};

class RocksBackend final : public Backend {
 public:
  Result<std::string> Create(const CreateOptions& options) override {
    return Ledger::Create(dir_.path(), options);
  }
  Result<std::unique_ptr<Ledger>> Open(const OpenOptions& options) override {
    // No waiting between retries: the test decides when the disk returns.
    return store::OpenLedger(dir_.path(), options, {env_.get(), std::chrono::milliseconds(0)});
  }
  void Unplug() override { fs_->Inject(DiskFault::kUnplugged); }
  void Replug() override { fs_->Inject(DiskFault::kNone); }

 private:
  TempDir dir_;
  std::shared_ptr<FaultyFileSystem> fs_ = std::make_shared<FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
};

class MemoryBackend final : public Backend {
 public:
  Result<std::string> Create(const CreateOptions& options) override {
    return store::CreateMemoryLedger(store_, options);
  }
  Result<std::unique_ptr<Ledger>> Open(const OpenOptions& options) override {
    return store::OpenMemoryLedger(store_, options, std::chrono::milliseconds(0));
  }
  void Unplug() override {
    store_->FailCommitsAfter(0, Status::Unavailable("injected: unplugged"));
  }
  void Replug() override { store_->Heal(); }

 private:
  std::shared_ptr<store::MemoryStore> store_ = std::make_shared<store::MemoryStore>();
};

struct BackendFactory {
  const char* name;
  std::function<std::unique_ptr<Backend>()> make;
};

inline const BackendFactory kBackends[] = {
    {"RocksDB", [] { return std::make_unique<RocksBackend>(); }},
    {"Memory", [] { return std::make_unique<MemoryBackend>(); }},
};

class DriverConformanceTest : public ::testing::TestWithParam<BackendFactory>,
                              protected LedgerUnderTest {
 protected:
  void SetUp() override {
    InitCrypto();
    backend_ = GetParam().make();
    KeepVerifier(backend_->Create(
        CreateOptions{"ledger.test/conformance", {{"gov", gov_.key().public_key}}}));
    if (HasFatalFailure()) return;
    Reopen();
  }

  // The ledger closes before the store it lives in (a member of this fixture or a derived one).
  void TearDown() override { ledger_.reset(); }

  void Reopen() {
    ledger_.reset();
    auto opened = backend_->Open(OpenOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  // Enrols a monitor and appends `count` heartbeats of it at site-1.
  void Fill(TestAgent* monitor, int count) {
    Enroll(*monitor, "monitor");
    for (int i = 0; i < count; ++i) {
      MustAppend(
          monitor->Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-" + std::to_string(i))));
    }
  }

  std::unique_ptr<Backend> backend_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_
