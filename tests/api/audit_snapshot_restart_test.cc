// chipledgerd restarts from DATA/audit.snapshot (api/audit_snapshot.h) and its views are then
// those of a full replay: after kill -9 while agents submit and while a snapshot is being
// written, after a clean stop, and when the snapshot is damaged or belongs to another history
// (then it says so and replays in full).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "ledger/durable_file.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Snapshots every few entries and every 50 ms, so that they are written all the time.
const json kConfig = {{"audit_snapshot", {{"every_entries", 5}, {"every_s", 0.05}}}};
constexpr int kExporters = 4;

class AuditSnapshotRestartTest : public DaemonTest {
 protected:
  std::string SnapshotPath() const { return data_ + "/audit.snapshot"; }
  std::string LogPath() const { return dir_.path() + "/chipledgerd.log"; }

  // Starts the server and returns what it logged while starting.
  std::string StartAndLog() {
    std::error_code ignored;
    uintmax_t offset = fs::exists(LogPath()) ? fs::file_size(LogPath()) : 0;
    Start(kConfig);
    std::ifstream log(LogPath());
    log.seekg(static_cast<std::streamoff>(offset));
    return std::string((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  }

  void Register() {
    MustSubmit(authority_.Next(
        "party.registered",
        {{"party", {{"id", "lab"}, {"name", "Lab"}, {"country", "NL"}, {"kind", "end_user"}}}}));
    EnrolExporters();
  }

  // New exporters each time: after a crash an agent's last envelope may be lost or logged, and a
  // test agent cannot tell which to chain on.
  void EnrolExporters() {
    for (int i = 0; i < kExporters; ++i) {
      exporters_.emplace_back("exporter-" + std::to_string(exporters_.size()));
      Enrol(exporters_.back(), "exporter");
    }
  }

  // A one-chip shipment under a license never issued: an L1 finding and a chip record each.
  std::string Dispatch(TestAgent& exporter, int n) {
    std::string shipment = exporter.id() + "-" + std::to_string(n);
    return exporter.Next("shipment.dispatched",
                         {{"shipment", shipment},
                          {"license", "lic-none"},
                          {"consignee", "lab"},
                          {"destination_site", "site-1"},
                          {"chips", {{{"serial", "SN-" + shipment}, {"model", "H100"}}}},
                          {"seals", {"seal-" + shipment}},
                          {"route", {"NL"}}});
  }

  void DispatchInOrder(int count) {
    for (int n = 0; n < count; ++n) MustSubmit(Dispatch(exporters_[0], next_++));
  }

  // The newest exporters submit until the server goes away; returns when `acks` were accepted
  // and the server was killed as soon as `moment` held (it returns true), or after 30 s.
  void KillWhileSubmitting(int acks, const std::function<bool()>& moment) {
    std::atomic<int> accepted{0}, running{kExporters};
    std::vector<std::thread> clients;
    for (size_t a = exporters_.size() - kExporters; a < exporters_.size(); ++a) {
      clients.emplace_back([&, a, host = daemon_->host(), port = daemon_->port()] {
        httplib::Client client(host, port);
        for (int n = 1;; ++n) {
          httplib::Result res =
              client.Post("/v1/events", Dispatch(exporters_[a], n), "application/json");
          if (!res) break;  // the server is gone
          if (res->status == 201) ++accepted;
        }
        --running;
      });
    }
    while (accepted < acks && running > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    bool held = false;
    while (!(held = moment()) && std::chrono::steady_clock::now() < deadline) {
    }
    daemon_->Kill();
    for (std::thread& client : clients) client.join();
    EXPECT_GE(accepted, acks);
    EXPECT_TRUE(held) << "the moment to kill did not come within 30 s";
  }

  // Kills the server while a snapshot is being written (its temporary file exists): not during
  // the first write (a restart then has a previous snapshot), nor on the stale temporary file of
  // the previous kill (the first write renames it away).
  void KillWhileSubmittingAndSnapshotting(int acks) {
    std::string temporary = SnapshotPath() + ".tmp";
    bool previous_done = false;
    KillWhileSubmitting(acks, [&] {
      previous_done = previous_done || (fs::exists(SnapshotPath()) && !fs::exists(temporary));
      return previous_done && fs::exists(temporary);
    });
  }

  // The inode of DATA/audit.snapshot, 0 when there is none: a new snapshot is a new file renamed
  // over the old one.
  ino_t SnapshotInode() const {
    struct stat status {};
    return ::stat(SnapshotPath().c_str(), &status) == 0 ? status.st_ino : 0;
  }

  // Kills the server right after a snapshot was written whole (renamed into place) while the
  // exporters keep submitting, so that the log ends past it.
  void KillRightAfterAFinishedSnapshot(int acks) {
    std::string temporary = SnapshotPath() + ".tmp";
    std::optional<ino_t> old;  // the snapshot when the kill was armed
    KillWhileSubmitting(acks, [&] {
      ino_t now = SnapshotInode();
      if (!old) old = now;
      return now != 0 && now != *old && !fs::exists(temporary);
    });
  }

  // N of the restart's "catching up N entries", or -1 when it did not say.
  static int64_t CaughtUp(const std::string& log) {
    static const std::string kSaid = "catching up ";
    size_t at = log.rfind(kSaid);
    return at == std::string::npos ? -1 : std::stoll(log.substr(at + kSaid.size()));
  }

  // What the record views say; the white list without its time and signature.
  json Views() {
    json views;
    // The shipment and chip lists read the shipment index a restore rebuilds.
    for (const char* path :
         {"/v1/findings", "/v1/findings?rule=L1&status=open", "/v1/parties/lab", "/v1/sites/site-1",
          "/v1/shipments?site=site-1&limit=100", "/v1/shipments?status=in_transit&limit=100",
          "/v1/chips?site=site-1&status=in_transit&limit=100"}) {
      httplib::Result res = Get(path);
      views[path] = res ? Json(res) : json("no answer");
    }
    for (const TestAgent& exporter : exporters_) {
      std::string chip = "/v1/chips/SN-" + exporter.id() + "-1";
      httplib::Result res = Get(chip);
      views[chip] = res ? Json(res) : json("no answer");
    }
    httplib::Result list = Get("/v1/whitelist");
    json envelope = list ? Json(list) : json::object();
    if (envelope.contains("payload")) {
      Result<std::string> payload = Base64Decode(envelope["payload"].get<std::string>(), "payload");
      if (payload.ok()) views["whitelist"] = json::parse(*payload)["end_users"];
    }
    return views;
  }

  // The views of a server started with the snapshot deleted (a full replay); the snapshot is
  // put back afterwards and the server stopped.
  json FullReplayViews() {
    std::string kept = dir_.path() + "/kept.snapshot";
    bool had = fs::exists(SnapshotPath());
    if (had) fs::rename(SnapshotPath(), kept);
    EXPECT_NE(StartAndLog().find("no snapshot at"), std::string::npos);
    json views = Views();
    daemon_->Kill();  // not a clean stop: that would write a snapshot
    fs::remove(SnapshotPath());
    if (had) fs::rename(kept, SnapshotPath());
    return views;
  }

  std::vector<TestAgent> exporters_;
  int next_ = 1;
};

TEST_F(AuditSnapshotRestartTest, KillNineWhileSubmittingAndSnapshottingThenViewsEqualFullReplay) {
  Start(kConfig);
  Register();
  for (int round = 1; round <= 3; ++round) {
    if (round > 1) EnrolExporters();
    KillWhileSubmittingAndSnapshotting(60);
    std::string log = StartAndLog();
    EXPECT_NE(log.find("live audit: restored from"), std::string::npos) << log;
    EXPECT_EQ(log.find("WARNING"), std::string::npos) << log;
  }
  json restored = Views();
  ASSERT_FALSE(restored["/v1/findings?rule=L1&status=open"]["findings"].empty());
  daemon_->Kill();
  EXPECT_EQ(restored, FullReplayViews());
}

// kill -9 just after a snapshot was completed, agents still submitting: the restart restores it,
// replays the entries logged after it (the catch-up), and answers exactly as a full replay.
TEST_F(AuditSnapshotRestartTest, KillNineRightAfterAFinishedSnapshotThenCatchUpEqualsFullReplay) {
  Start(kConfig);
  Register();
  int64_t caught_up = 0;
  for (int round = 1; round <= 3; ++round) {
    if (round > 1) EnrolExporters();
    KillRightAfterAFinishedSnapshot(40);
    std::string log = StartAndLog();
    EXPECT_NE(log.find("live audit: restored from"), std::string::npos) << log;
    EXPECT_EQ(log.find("WARNING"), std::string::npos) << log;
    ASSERT_GE(CaughtUp(log), 0) << log;
    caught_up += CaughtUp(log);
  }
  EXPECT_GT(caught_up, 0) << "every kill came before any entry past its snapshot";
  json restored = Views();
  ASSERT_FALSE(restored["/v1/findings?rule=L1&status=open"]["findings"].empty());
  daemon_->Kill();
  EXPECT_EQ(restored, FullReplayViews());
}

TEST_F(AuditSnapshotRestartTest, CleanStopSavesTheStateAndTheRestartCatchesUpNothing) {
  Start(kConfig);
  Register();
  DispatchInOrder(5);
  json before = Views();
  EXPECT_EQ(daemon_->Terminate(), 0);
  std::string log = StartAndLog();
  EXPECT_NE(log.find("catching up 0 entries"), std::string::npos) << log;
  EXPECT_EQ(Views(), before);
  DispatchInOrder(3);
  json grown = Views();
  daemon_->Kill();
  EXPECT_EQ(grown, FullReplayViews());
}

TEST_F(AuditSnapshotRestartTest, DamagedSnapshotIsReportedAndReplayedInFull) {
  Start(kConfig);
  Register();
  DispatchInOrder(10);
  EXPECT_EQ(daemon_->Terminate(), 0);
  Result<std::string> read = ReadFile(SnapshotPath());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::string good = *read;
  json expected = FullReplayViews();
  struct Damage {
    const char* name;
    std::string bytes;
    const char* why;
  };
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x20;
  for (const Damage& damage : {Damage{"flipped byte", flipped, "checksum mismatch"},
                               Damage{"truncated", good.substr(0, good.size() / 2), "checksum"},
                               Damage{"not a snapshot", "hello\n", "no magic"}}) {
    std::ofstream(SnapshotPath(), std::ios::binary | std::ios::trunc) << damage.bytes;
    std::string log = StartAndLog();
    EXPECT_NE(log.find("WARNING: live audit: the snapshot"), std::string::npos) << damage.name;
    EXPECT_NE(log.find(damage.why), std::string::npos) << damage.name << ": " << log;
    EXPECT_EQ(Views(), expected) << damage.name;
    EXPECT_EQ(daemon_->Terminate(), 0);  // and writes a good one again
    EXPECT_NE(StartAndLog().find("restored from"), std::string::npos) << damage.name;
    daemon_->Kill();
  }
}

// A snapshot taken at tree size B, put beside (a) the ledger as a backup made before B had it,
// (b) a ledger signed with the same key that grew past B with other entries (a rewritten log):
// neither is its log, both are replayed in full.
TEST_F(AuditSnapshotRestartTest, SnapshotOfAnotherHistoryIsRefused) {
  if (OnPostgres()) GTEST_SKIP() << "forks the ledger by copying the RocksDB data directory";
  Start(kConfig);
  Register();
  DispatchInOrder(3);
  EXPECT_EQ(daemon_->Terminate(), 0);
  std::string original = data_, fork = dir_.path() + "/fork";
  fs::copy(original, fork, fs::copy_options::recursive);
  Start(kConfig);
  DispatchInOrder(4);
  EXPECT_EQ(daemon_->Terminate(), 0);
  std::string snapshot_b = dir_.path() + "/b.snapshot";
  fs::copy_file(SnapshotPath(), snapshot_b);

  data_ = fork;
  struct Case {
    const char* name;
    int grow;  // entries appended to the fork first
    const char* why;
  };
  for (const Case& c : {Case{"older backup", 0, "was the ledger restored from an older backup?"},
                        Case{"rewritten log", 9, "a snapshot of another log"}}) {
    if (c.grow > 0) {
      fs::remove(SnapshotPath());
      Start(kConfig);
      TestAgent other("exporter-other");
      Enrol(other, "exporter");
      for (int n = 1; n < c.grow; ++n) MustSubmit(Dispatch(other, n));
      daemon_->Kill();
    }
    fs::copy_file(snapshot_b, SnapshotPath(), fs::copy_options::overwrite_existing);
    std::string log = StartAndLog();
    EXPECT_NE(log.find("WARNING: live audit: the snapshot"), std::string::npos) << c.name;
    EXPECT_NE(log.find(c.why), std::string::npos) << c.name << ": " << log;
    json views = Views();
    daemon_->Kill();
    EXPECT_EQ(views, FullReplayViews()) << c.name;
  }
}

}  // namespace
}  // namespace chipledger::testing
