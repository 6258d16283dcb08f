// The backends the driver conformance suite runs on (driver_conformance_test.cc), and its
// fixture. A new storage driver is one more Backend and one more line in kBackends.
#ifndef CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_
#define CHIPLEDGER_TESTS_LEDGER_DRIVER_BACKENDS_H_

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "ledger/ledger.h"
#include "ledger/pg/pg_ledger.h"
#include "ledger/store/keys.h"
#include "ledger/store/memory_driver.h"
#include "ledger/store/rocks_ledger.h"
#include "tests/ledger/faulty_file_system.h"
#include "tests/ledger/ledger_under_test.h"
#include "tests/ledger/sample_events.h"
#include "tests/pg/pg_test_util.h"
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
  // Deletes stored entry `index` behind the closed ledger's back, as a damaged store would.
  virtual void LoseEntry(uint64_t index) = 0;
  // Why this machine cannot run the backend, or empty.
  virtual std::string Missing() const { return ""; }
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
  void LoseEntry(uint64_t index) override {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status opened = rocksdb::DB::Open(rocksdb::Options(), dir_.path() + "/db", &raw);
    ASSERT_TRUE(opened.ok()) << opened.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), store::EntryKey(index)).ok());
  }

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
  void LoseEntry(uint64_t index) override { store_->LoseEntry(index); }

 private:
  std::shared_ptr<store::MemoryStore> store_ = std::make_shared<store::MemoryStore>();
};

// PostgreSQL: a database of its own on the test process's server, the log key in a scratch
// directory. Unplugging forbids new sessions on the database and ends the sequencer's (PgDriver
// names it chipledger-sequencer), so commits fail and Recover cannot reconnect, while the
// readers' open sessions go on serving.
class PgBackend final : public Backend {
 public:
  PgBackend() {
    if (!Missing().empty()) return;
    Result<std::string> database = pg::testing::TestServer::Shared().NewDatabase();
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    if (database.ok()) database_ = *database;
  }
  std::string Missing() const override {
    if (pg::testing::TestServer::Installed()) return "";
    return "PostgreSQL 15 is not installed (no " + pg::testing::kBinDir +
           "initdb); setup.sh installs it";
  }
  Result<std::string> Create(const CreateOptions& options) override {
    return pg::CreatePgLedger(Options(), options);
  }
  Result<std::unique_ptr<Ledger>> Open(const OpenOptions& options) override {
    return pg::OpenPgLedger(Options(), options);
  }
  void Unplug() override {
    Admin("ALTER DATABASE " + database_ + " ALLOW_CONNECTIONS false");
    Admin("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = '" +
          database_ + "' AND application_name = 'chipledger-sequencer'");
  }
  void Replug() override { Admin("ALTER DATABASE " + database_ + " ALLOW_CONNECTIONS true"); }
  void LoseEntry(uint64_t index) override {
    auto db = pg::Connection::Open(pg::testing::TestServer::Shared().Conninfo(database_),
                                   std::chrono::milliseconds(5000));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // As a damaged table would: the rows that refer to the entry stay (no foreign key checks).
    Status done = (*db)->ExecScript(
        "SET session_replication_role = replica; DELETE FROM chipledger_entries WHERE idx = " +
        std::to_string(index));
    EXPECT_TRUE(done.ok()) << done.ToString();
  }

 private:
  pg::PgLedgerOptions Options() const {
    // A closed session's lock outlives it briefly (the server ends it asynchronously): a reopen
    // waits for the fence rather than failing.
    return pg::PgLedgerOptions{
        pg::PgStoreOptions{pg::testing::TestServer::Shared().Conninfo(database_),
                           std::chrono::milliseconds(5000), std::chrono::milliseconds(5000)},
        dir_.path() + "/log.key", std::chrono::milliseconds(0)};
  }
  static void Admin(const std::string& sql) {
    auto admin = pg::Connection::Open(pg::testing::TestServer::Shared().Conninfo("postgres"),
                                      std::chrono::milliseconds(5000));
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    Result<pg::Rows> done = (*admin)->Exec(sql);
    EXPECT_TRUE(done.ok()) << sql << ": " << done.status().ToString();
  }

  TempDir dir_;
  std::string database_;
};

struct BackendFactory {
  const char* name;
  std::function<std::unique_ptr<Backend>()> make;
};

// Test names and ctest's listing show the backend's name, not the struct's bytes.
inline void PrintTo(const BackendFactory& factory, std::ostream* out) { *out << factory.name; }

inline const BackendFactory kBackends[] = {
    {"RocksDB", [] { return std::make_unique<RocksBackend>(); }},
    {"Memory", [] { return std::make_unique<MemoryBackend>(); }},
    {"PostgreSQL", [] { return std::make_unique<PgBackend>(); }},
};

class DriverConformanceTest : public ::testing::TestWithParam<BackendFactory>,
                              protected LedgerUnderTest {
 protected:
  void SetUp() override {
    InitCrypto();
    backend_ = GetParam().make();
    if (std::string missing = backend_->Missing(); !missing.empty()) GTEST_SKIP() << missing;
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
