// chipledgerd with witnesses (SPEC §10), all real processes on 127.0.0.1: two chipledger-witness
// servers cosign the log's checkpoints; GET /checkpoint serves the newest checkpoint carrying the
// quorum; a witness that is down, or one that lies, never delays a receipt and never gets an
// invalid cosignature served; the witnessed checkpoint survives a restart; a forked copy of the
// ledger signed with the same key is refused by the witnesses.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ledger/cosignature.h"
#include "ledger/witness_protocol.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

const std::string kWitnessBinary =
    std::string(CHIPLEDGER_BINARY_DIR) + "/witness/chipledger-witness";

std::string Trimmed(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// One chipledger-witness: its own data directory and key, served for one log.
class WitnessProcess {
 public:
  WitnessProcess(const std::string& dir, const std::string& name) : dir_(dir) {
    Result<std::string> vkey =
        api::RunCommand(kWitnessBinary, {"init", "--data", dir, "--name", name});
    EXPECT_TRUE(vkey.ok()) << vkey.status().ToString();
    vkey_ = vkey.ok() ? Trimmed(*vkey) : "";
  }

  // Serves `log_vkey` on `port` (0: any free port; then the same port on later starts).
  void Start(const std::string& log_vkey) {
    Result<std::unique_ptr<api::Daemon>> started = api::Daemon::Start(
        kWitnessBinary,
        {"--data", dir_, "--listen", "127.0.0.1:" + std::to_string(port_), "--log", log_vkey},
        dir_ + ".log");
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    daemon_ = std::move(*started);
    port_ = daemon_->port();
  }
  void Kill() { daemon_->Kill(); }
  // Killed rather than stopped: a SIGTERM'd witness waits out chipledgerd's idle keep-alive
  // connection (5 s) before it exits, and these tests do not test the witness's shutdown.
  ~WitnessProcess() {
    if (daemon_) daemon_->Kill();
  }

  const std::string& vkey() const { return vkey_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  json Config() const { return {{"url", url()}, {"vkey", vkey_}}; }

 private:
  std::string dir_, vkey_;
  int port_ = 0;
  std::unique_ptr<api::Daemon> daemon_;
};

// A witness that misbehaves on every add-checkpoint. kLie: it answers with a cosignature line
// carrying a configured witness's name and key id but made with another key (an invalid
// cosignature). kStall: it holds the request without answering, past chipledgerd's timeout.
class BadWitness {
 public:
  enum Behaviour { kLie, kStall };

  BadWitness(const WitnessKey& impersonated, Behaviour behaviour) : impersonated_(impersonated) {
    server_.Post(
        "/add-checkpoint", [this, behaviour](const httplib::Request& req, httplib::Response& res) {
          ++requests_;
          if (behaviour == kStall) return Stall(res);
          Result<AddCheckpointRequest> request = ParseAddCheckpoint(req.body);
          if (!request.ok()) return void(res.status = 400);
          Result<SignedNote> note = ParseSignedNote(request->checkpoint);
          if (!note.ok()) return void(res.status = 400);
          // A cosignature by another key, labelled with the impersonated key's name and id.
          KeyPair other = GenerateKeyPair();
          std::string text(note->text);
          Result<SignedNote> signed_by_other =
              ParseSignedNote(text + "\n" + Cosign(text, impersonated_.name, other, 1700000000));
          res.set_content(NoteSignatureLine(impersonated_.name, impersonated_.KeyId(),
                                            signed_by_other->signatures.back().signature),
                          "text/plain");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~BadWitness() {
    stopping_ = true;
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  void Stall(httplib::Response& res) {
    for (int i = 0; i < 200 && !stopping_; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    res.status = 503;
  }

  WitnessKey impersonated_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
};

class WitnessingTest : public DaemonTest {
 protected:
  std::string LogVkey() const { return FormatVerifierKey(log_key_); }

  WitnessPolicy Policy(const std::vector<std::string>& vkeys, size_t quorum) {
    Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, quorum);
    EXPECT_TRUE(policy.ok()) << policy.status().ToString();
    return policy.ok() ? *policy : WitnessPolicy{};
  }

  std::string CheckpointNote() {
    httplib::Result res = Get("/checkpoint", "");
    return res && res->status == 200 ? res->body : "";
  }

  // Waits (bounded) until GET /checkpoint carries the quorum of `policy` at the ledger's size.
  std::string AwaitWitnessed(const WitnessPolicy& policy) {
    uint64_t size = TreeSize();
    for (int i = 0; i < 300; ++i) {
      std::string note = CheckpointNote();
      Result<Checkpoint> checkpoint = VerifyCheckpoint(note, log_key_);
      if (checkpoint.ok() && checkpoint->size >= size && CheckWitnessQuorum(note, policy).ok()) {
        return note;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no witnessed checkpoint of size " << size << "; last: " << CheckpointNote();
    return "";
  }

  uint64_t TreeSize() {
    httplib::Result res = Get("/healthz", "");
    return res ? Json(res)["tree_size"].get<uint64_t>() : 0;
  }

  std::string Metrics() {
    httplib::Result res = Get("/metrics", "admin");
    return res ? res->body : "";
  }

  // Registers `count` parties, each with its own id so that every submission is a new event.
  void SubmitSome(int count) {
    for (int i = 0; i < count; ++i) {
      json party = {{"id", "p" + std::to_string(next_party_++)},
                    {"name", "P"},
                    {"country", "AE"},
                    {"kind", "end_user"}};
      MustSubmit(authority_.Next("party.registered", {{"party", party}}));
    }
  }

  int next_party_ = 0;
};

TEST_F(WitnessingTest, TwoWitnessesCosignAndCheckpointCarriesTheQuorum) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  WitnessProcess b(dir_.path() + "/wb", "witness.gov-b.example/w1");
  a.Start(LogVkey());
  b.Start(LogVkey());
  Start({{"witnesses", {a.Config(), b.Config()}}, {"witness_quorum", 2}});
  WitnessPolicy policy = Policy({a.vkey(), b.vkey()}, 2);

  SubmitSome(5);
  std::string note = AwaitWitnessed(policy);
  Result<SignedNote> parsed = ParseSignedNote(note);
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->signatures.size(), 3u);
  EXPECT_EQ(parsed->signatures[0].name, log_key_.name);  // the log's signature line first

  SubmitSome(3);
  AwaitWitnessed(policy);
  std::string metrics = Metrics();
  EXPECT_NE(metrics.find("chipledger_witness_cosigned_size{witness=\"witness.gov-a.example/w1\"}"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("chipledger_witness_failures_total{witness=\"witness.gov-b.example/w1\"} 0"),
      std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("chipledger_witnessed_size " + std::to_string(TreeSize())),
            std::string::npos)
      << metrics;
}

TEST_F(WitnessingTest, AWitnessDownDelaysNoReceiptAndCosignsOnceBack) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  WitnessProcess b(dir_.path() + "/wb", "witness.gov-b.example/w1");
  a.Start(LogVkey());
  b.Start(LogVkey());
  b.Kill();                                          // b's port is known; nothing listens on it
  Start({{"witnesses", {a.Config(), b.Config()}}});  // quorum: both
  WitnessPolicy both = Policy({a.vkey(), b.vkey()}, 2);

  SubmitSome(10);  // every receipt arrives although b is down (MustSubmit expects 201)
  EXPECT_FALSE(CheckWitnessQuorum(CheckpointNote(), both).ok());
  b.Start(LogVkey());
  AwaitWitnessed(both);
  std::string metrics = Metrics();
  EXPECT_EQ(
      metrics.find("chipledger_witness_failures_total{witness=\"witness.gov-b.example/w1\"} 0\n"),
      std::string::npos)
      << "b's failures were counted:\n"
      << metrics;
}

TEST_F(WitnessingTest, ALyingWitnessIsNeverServed) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  a.Start(LogVkey());
  KeyPair liar_key = GenerateKeyPair();
  WitnessKey liar{"witness.liar.example/w1", liar_key.public_key};
  BadWitness lying(liar, BadWitness::kLie);
  Start({{"witnesses", {a.Config(), {{"url", lying.url()}, {"vkey", FormatWitnessKey(liar)}}}},
         {"witness_quorum", 1}});

  SubmitSome(3);
  std::string note = AwaitWitnessed(Policy({a.vkey()}, 1));
  for (int i = 0; i < 100 && lying.requests() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GT(lying.requests(), 0);
  note = CheckpointNote();
  Result<SignedNote> parsed = ParseSignedNote(note);
  ASSERT_TRUE(parsed.ok());
  for (const NoteSignature& line : parsed->signatures) EXPECT_NE(line.name, liar.name) << note;
  // A reader naming the liar checks its line if one were there: none is, so the note verifies.
  EXPECT_TRUE(VerifyCosignatures(note, {liar}).ok());
  EXPECT_NE(Metrics().find("chipledger_witness_up{witness=\"witness.liar.example/w1\"} 0"),
            std::string::npos);
}

TEST_F(WitnessingTest, ASlowWitnessHoldsBackNoReceiptAndNoOtherWitness) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  a.Start(LogVkey());
  WitnessKey slow{"witness.slow.example/w1", GenerateKeyPair().public_key};
  BadWitness stalling(slow, BadWitness::kStall);
  Start({{"witnesses", {a.Config(), {{"url", stalling.url()}, {"vkey", FormatWitnessKey(slow)}}}},
         {"witness_quorum", 1}});
  WitnessPolicy policy = Policy({a.vkey()}, 1);

  for (int round = 0; round < 3; ++round) {  // receipts keep coming while the slow one hangs
    SubmitSome(5);
    AwaitWitnessed(policy);  // and a keeps cosigning each new size
  }
  EXPECT_GT(stalling.requests(), 0);
  EXPECT_EQ(CheckpointNote().find(slow.name), std::string::npos);
}

TEST_F(WitnessingTest, RestartServesThePersistedWitnessedCheckpoint) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  a.Start(LogVkey());
  json config = {{"witnesses", {a.Config()}}};
  Start(config);
  WitnessPolicy policy = Policy({a.vkey()}, 1);
  SubmitSome(4);
  std::string witnessed = AwaitWitnessed(policy);
  a.Kill();
  daemon_->Kill();  // kill -9: the witnessed checkpoint was written before it was served
  Start(config);
  EXPECT_EQ(CheckpointNote(), witnessed);
}

TEST_F(WitnessingTest, AForkedCopySignedWithTheSameKeyIsRefused) {
  WitnessProcess a(dir_.path() + "/wa", "witness.gov-a.example/w1");
  WitnessProcess b(dir_.path() + "/wb", "witness.gov-b.example/w1");
  a.Start(LogVkey());
  b.Start(LogVkey());
  json config = {{"witnesses", {a.Config(), b.Config()}}};
  Start(config);
  WitnessPolicy policy = Policy({a.vkey(), b.vkey()}, 2);
  SubmitSome(3);
  AwaitWitnessed(policy);

  // The operator copies the ledger, then both copies go on with different histories.
  httplib::Result backup = client_->Post(
      "/v1/admin/backup", httplib::Headers{{"Authorization", "Bearer " + tokens_["admin"]}}, "",
      "application/json");
  ASSERT_TRUE(backup);
  ASSERT_EQ(backup->status, 201) << backup->body;
  std::string backup_path = Json(backup)["path"];
  TestAgent forked_authority = authority_;  // the same agent signs both versions
  SubmitSome(2);                            // the real log grows
  AwaitWitnessed(policy);

  std::ofstream(dir_.path() + "/fork.json") << config.dump();
  Result<std::unique_ptr<api::Daemon>> fork = api::Daemon::Start(
      kChipledgerd,
      {"--data", backup_path, "--listen", "127.0.0.1:0", "--config", dir_.path() + "/fork.json"},
      dir_.path() + "/fork.log");
  ASSERT_TRUE(fork.ok()) << fork.status().ToString();
  httplib::Client fork_client((*fork)->host(), (*fork)->port());
  // The fork grows past the witnesses' size, so it must prove consistency with what they cosigned.
  for (int i = 0; i < 3; ++i) {
    json party = {{"id", "other" + std::to_string(i)},
                  {"name", "O"},
                  {"country", "AE"},
                  {"kind", "end_user"}};
    httplib::Result posted = fork_client.Post(
        "/v1/events", forked_authority.Next("party.registered", {{"party", party}}),
        "application/json");
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 201) << posted->body;
  }
  std::string text;
  for (int i = 0; i < 200 && text.find("HTTP 422") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream log(dir_.path() + "/fork.log");
    text.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(text.find("HTTP 422"), std::string::npos) << "the witnesses did not refuse:\n" << text;
  httplib::Result fork_checkpoint = fork_client.Get("/checkpoint");
  ASSERT_TRUE(fork_checkpoint);
  EXPECT_FALSE(CheckWitnessQuorum(fork_checkpoint->body, policy).ok()) << fork_checkpoint->body;
}

}  // namespace
}  // namespace chipledger::testing
