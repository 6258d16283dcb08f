// The backends the driver conformance suite runs on (driver_conformance_test.cc), and its
// fixture. A new storage driver is one more Backend and one more line in kBackends.
#ifndef CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_
#define CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_

#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "ledger/ledger.h"
#include "ledger/store/memory_driver.h"
#include "ledger/store/rocks_ledger.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

namespace chipledger::testing {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

// A disk whose writes fail with an I/O error while it is unplugged: files cannot be created, and
// appends and fsyncs to open ones fail (a lost fsync, as the memory driver's FailNextCommit).
class UnpluggedFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  UnpluggedFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "UnpluggedFileSystem"; }
  void SetUnplugged(bool unplugged) { unplugged_ = unplugged; }

  IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* file,
                           IODebugContext* dbg) override {
    if (unplugged_) return IOStatus::IOError(name, "injected: disk unplugged");
    IOStatus status = target()->NewWritableFile(name, options, file, dbg);
    if (status.ok()) *file = std::make_unique<File>(std::move(*file), &unplugged_);
    return status;
  }

 private:
  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>* unplugged)
        : FSWritableFileOwnerWrapper(std::move(file)), unplugged_(unplugged) {}
    IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                    IODebugContext* dbg) override {
      if (*unplugged_) return IOStatus::IOError("append", "injected: disk unplugged");
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                    const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
      if (*unplugged_) return IOStatus::IOError("append", "injected: disk unplugged");
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
      if (*unplugged_) return IOStatus::IOError("fsync", "injected: disk unplugged");
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
      if (*unplugged_) return IOStatus::IOError("fsync", "injected: disk unplugged");
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }

   private:
    const std::atomic<bool>* unplugged_;
  };

  std::atomic<bool> unplugged_{false};
};

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
  void Unplug() override { fs_->SetUnplugged(true); }
  void Replug() override { fs_->SetUnplugged(false); }

 private:
  TempDir dir_;
  std::shared_ptr<UnpluggedFileSystem> fs_ = std::make_shared<UnpluggedFileSystem>();
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

class DriverConformanceTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    InitCrypto();
    backend_ = GetParam().make();
    Result<std::string> key = backend_->Create(
        CreateOptions{"ledger.test/conformance", {{"gov", gov_.key().public_key}}});
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    Result<NoteVerifier> verifier = ParseVerifierKey(*key);
    ASSERT_TRUE(verifier.ok()) << verifier.status().ToString();
    verifier_ = *verifier;
    Reopen();
  }

  void Reopen() {
    ledger_.reset();
    auto opened = backend_->Open(OpenOptions{});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    ledger_ = std::move(opened).value();
  }

  Receipt MustAppend(const std::string& envelope) {
    AppendResult result = ledger_->Append(envelope);
    EXPECT_TRUE(result.status.ok()) << result.status.ToString();
    EXPECT_FALSE(result.duplicate);
    return result.receipt;
  }

  // Verifies a receipt against the log key and returns its checkpoint.
  Checkpoint Verified(const Receipt& receipt) {
    Result<Checkpoint> checkpoint = VerifyReceipt(receipt, verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? *checkpoint : Checkpoint{};
  }

  Checkpoint Latest() {
    Result<Checkpoint> checkpoint = VerifyCheckpoint(ledger_->CheckpointNote(), verifier_);
    EXPECT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
    return checkpoint.ok() ? *checkpoint : Checkpoint{};
  }

  // Enrols a monitor and appends `count` heartbeats of it at site-1.
  void Fill(TestAgent* monitor, int count) {
    MustAppend(gov_.Next("agent.enrolled", TestAgent::Enrollment(*monitor, "monitor", "gov")));
    for (int i = 0; i < count; ++i) {
      MustAppend(
          monitor->Next("monitor.heartbeat", HeartbeatFields("site-1", "SN-" + std::to_string(i))));
    }
  }

  std::unique_ptr<Backend> backend_;
  TestAgent gov_{"gov"};
  NoteVerifier verifier_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_
