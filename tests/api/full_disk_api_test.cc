// A really full disk under the real chipledgerd: its data directory is a small tmpfs, filled up
// with a ballast file. Writes must be refused with 507 while reads go on, nothing refused may
// reach the log, nothing acknowledged may leave it, and writing must resume once the ballast is
// gone — at run time, and after a restart on the full disk.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <thread>
#include <vector>

#include "ledger/merkle.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

// Larger than the ledger needs, smaller than the WAL block RocksDB preallocates (about 70 MB),
// so that no preallocated space hides the full disk from the WAL.
constexpr const char* kTmpfsOptions = "size=24m,mode=0700";

class FullDiskApiTest : public DaemonTest {
 protected:
  void SetUp() override {
    if (TestStoreIsPostgres()) {
      GTEST_SKIP() << "fills the disk of the RocksDB data directory; PostgreSQL's disk is its own";
    }
    std::string mountpoint = dir_.path() + "/ledger";
    std::filesystem::create_directories(mountpoint);
    if (::mount("tmpfs", mountpoint.c_str(), "tmpfs", 0, kTmpfsOptions) != 0) {
      if (errno == EPERM) {
        GTEST_SKIP() << "mount(2) of a tmpfs needs CAP_SYS_ADMIN: EPERM";
      }
      FAIL() << "mount tmpfs on " << mountpoint << ": " << std::strerror(errno);
    }
    mountpoint_ = mountpoint;
    DaemonTest::SetUp();
    ballast_ = data_ + "/ballast";
  }

  void TearDown() override {
    daemon_.reset();  // nothing may hold the file system when it goes
    if (HasFailure()) std::cerr << "chipledgerd's log:\n" << DaemonLog();
    if (!mountpoint_.empty()) {
      EXPECT_EQ(::umount2(mountpoint_.c_str(), MNT_DETACH), 0) << std::strerror(errno);
    }
  }

  std::string DaemonLog() const {
    std::ifstream log(dir_.path() + "/chipledgerd.log");
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  }

  // Fills the file system up to its last byte.
  void FillDisk() {
    int fd = ::open(ballast_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    std::vector<char> chunk(1 << 20, 'x');
    for (size_t size = chunk.size(); size > 0; size /= 2) {
      while (::write(fd, chunk.data(), size) > 0) {
      }
      ASSERT_EQ(errno, ENOSPC) << std::strerror(errno);
    }
    ::close(fd);
  }

  void FreeDisk() { ASSERT_TRUE(std::filesystem::remove(ballast_)); }

  // Posts the next heartbeat of `agent`, serial `serial`; the agent's chain advances only if the
  // ledger took it, so a refused event is sent again as the same seq, as a real agent would.
  httplib::Result PostHeartbeat(TestAgent* agent, const std::string& serial) {
    Timestamp time = Now();
    json fields = Heartbeat("site-1", serial);
    httplib::Result res =
        Post(agent->SignPayload(agent->Payload("monitor.heartbeat", fields, time).dump()));
    if (res && res->status == 201) {
      agent->Next("monitor.heartbeat", fields, time);
      Result<Receipt> receipt = ParseReceipt(res->body);
      EXPECT_TRUE(receipt.ok()) << res->body;
      if (receipt.ok()) acknowledged_[serial] = *receipt;
    } else if (res) {
      refused_.insert(serial);
    }
    return res;
  }

  // Posts until the disk is full: expects 201s and then a 507 that says so.
  void PostUntilFull(TestAgent* agent) {
    for (int n = 0; n < 200; ++n) {
      httplib::Result res = PostHeartbeat(agent, "full-" + std::to_string(n));
      ASSERT_TRUE(res);
      if (res->status == 201) continue;
      ASSERT_EQ(res->status, 507) << res->body;
      EXPECT_EQ(Json(res)["error"], "insufficient_storage");
      EXPECT_NE(Json(res)["message"].get<std::string>().find("is full"), std::string::npos);
      return;
    }
    FAIL() << "200 events fit on a full disk";
  }

  // Posts until the ledger writes again (it retries at most once a second).
  void PostUntilWritten(TestAgent* agent) {
    for (int n = 0; n < 300; ++n) {
      httplib::Result res = PostHeartbeat(agent, "again-" + std::to_string(n));
      ASSERT_TRUE(res);
      if (res->status == 201) return;
      ASSERT_EQ(res->status, 507) << res->body;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "no write succeeded within 30 s of freeing the disk";
  }

  // Reads that must not need the disk to have space.
  void ExpectReadsServe(const std::string& checkpoint) {
    httplib::Result note = client_->Get("/checkpoint");
    ASSERT_TRUE(note);
    EXPECT_EQ(note->body, checkpoint);
    Result<Checkpoint> verified = VerifyCheckpoint(note->body, log_key_);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(Get("/v1/entries/" + std::to_string(verified->size - 1))->status, 200);
    EXPECT_EQ(
        Get("/v1/proofs/inclusion?index=0&tree_size=" + std::to_string(verified->size))->status,
        200);
    EXPECT_EQ(Get("/tile/0/000.p/1")->status, 200);
    EXPECT_EQ(Get("/tile/entries/000.p/1")->status, 200);
    EXPECT_EQ(Get("/v1/events?limit=5")->status, 200);
    EXPECT_EQ(Json(Get("/healthz", ""))["tree_size"], verified->size);
    EXPECT_NE(Get("/metrics", "admin")->body.find("chipledger_storage_writable 0"),
              std::string::npos);
  }

  // Every acknowledged event is in the log at its receipt's index; no refused one is anywhere.
  void ExpectLogHoldsExactlyTheAcknowledged() {
    uint64_t size = Json(Get("/healthz", ""))["tree_size"];
    std::set<std::string> logged;
    for (uint64_t i = 0; i < size; ++i) {
      json entry = Json(Get("/v1/entries/" + std::to_string(i)));
      json online = entry["event"].value("online", json::array());
      if (!online.empty()) logged.insert(online[0]["serial"].get<std::string>());
    }
    for (const auto& [serial, receipt] : acknowledged_) {
      ASSERT_LT(receipt.index, size) << serial;
      json entry = Json(Get("/v1/entries/" + std::to_string(receipt.index)));
      EXPECT_EQ(entry["leaf_hash"], ToHex(receipt.leaf_hash)) << serial;
      EXPECT_EQ(entry["event"]["online"][0]["serial"], serial);
      EXPECT_TRUE(VerifyReceipt(receipt, log_key_).ok()) << serial;
    }
    for (const std::string& serial : refused_) EXPECT_FALSE(logged.count(serial)) << serial;
    EXPECT_EQ(logged.size(), acknowledged_.size());
  }

  // The log now is consistent with `checkpoint`, handed out before the disk filled up.
  void ExpectExtends(const std::string& checkpoint) {
    Result<Checkpoint> old = VerifyCheckpoint(checkpoint, log_key_);
    Result<Checkpoint> now = VerifyCheckpoint(client_->Get("/checkpoint")->body, log_key_);
    ASSERT_TRUE(old.ok() && now.ok());
    json proof = Json(Get("/v1/proofs/consistency?old=" + std::to_string(old->size) +
                          "&new=" + std::to_string(now->size)));
    std::vector<Hash> hashes;
    for (const json& h : proof["hashes"]) hashes.push_back(*HashFromHex(h.get<std::string>(), "h"));
    EXPECT_TRUE(VerifyConsistency(old->size, now->size, old->root, now->root, hashes));
  }

  std::string mountpoint_;
  std::string ballast_;
  std::map<std::string, Receipt> acknowledged_;  // by serial
  std::set<std::string> refused_;
};

TEST_F(FullDiskApiTest, RefusesWritesWith507ServesReadsAndResumesWhenSpaceReturns) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  ASSERT_EQ(PostHeartbeat(&monitor, "before")->status, 201);

  FillDisk();
  PostUntilFull(&monitor);
  std::string checkpoint = client_->Get("/checkpoint")->body;
  ExpectReadsServe(checkpoint);
  // Past the retry interval, the next append tries to write again, and finds the disk still full.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_EQ(PostHeartbeat(&monitor, "still-full")->status, 507);
  ExpectReadsServe(checkpoint);

  FreeDisk();
  PostUntilWritten(&monitor);
  EXPECT_NE(Get("/metrics", "admin")->body.find("chipledger_storage_writable 1"),
            std::string::npos);
  ASSERT_EQ(PostHeartbeat(&monitor, "after")->status, 201);
  ExpectLogHoldsExactlyTheAcknowledged();
  ExpectExtends(checkpoint);

  // And all of it survives a restart.
  ASSERT_EQ(daemon_->Terminate(), 0);
  Start();
  ExpectLogHoldsExactlyTheAcknowledged();
  ASSERT_EQ(PostHeartbeat(&monitor, "restarted")->status, 201);
}

TEST_F(FullDiskApiTest, RestartOnAFullDiskServesReadsAndResumesWhenSpaceReturns) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  ASSERT_EQ(PostHeartbeat(&monitor, "before")->status, 201);
  std::string checkpoint = client_->Get("/checkpoint")->body;
  ASSERT_EQ(daemon_->Terminate(), 0);

  FillDisk();
  Start();
  EXPECT_NE(DaemonLog().find("READ-ONLY"), std::string::npos);
  ExpectReadsServe(checkpoint);
  httplib::Result refused = PostHeartbeat(&monitor, "while-full");
  ASSERT_EQ(refused->status, 507) << refused->body;
  EXPECT_EQ(Json(refused)["error"], "insufficient_storage");
  ExpectReadsServe(checkpoint);

  FreeDisk();
  PostUntilWritten(&monitor);
  ASSERT_EQ(PostHeartbeat(&monitor, "after")->status, 201);
  ExpectLogHoldsExactlyTheAcknowledged();
  ExpectExtends(checkpoint);
  ASSERT_EQ(daemon_->Terminate(), 0);
  Start();
  ExpectLogHoldsExactlyTheAcknowledged();
}

}  // namespace
}  // namespace chipledger::testing
