// Durability under kill -9: a child process (this binary again, running CrashTest.Child) appends
// from several threads and prints every receipt once Append has returned; the parent kills it
// mid-run, reopens the ledger, and checks that every acknowledged event is at its index and that
// the reopened log is consistent with the last checkpoint the child handed out.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "ledger/ledger.h"
#include "tests/ledger/sample_events.h"
#include "tests/testing/test_agent.h"

extern char** environ;

namespace chipledger {
namespace {

constexpr const char* kChildDirVariable = "CHIPLEDGER_CRASH_CHILD_DIR";
constexpr int kAgents = 4;

std::string AgentId(int i) { return "mon-" + std::to_string(i); }

// Agent keys derive from fixed seeds so that parent and child agree without sharing files.
KeyPair AgentKey(int i) {
  std::array<uint8_t, 32> seed{};
  seed[0] = static_cast<uint8_t>(i + 1);
  return KeyPairFromSeed(seed);
}

// The next event of agent `i`, continuing the chain the ledger holds for it.
std::string NextHeartbeat(const AgentState& state, const KeyPair& key) {
  nlohmann::json payload = testing::HeartbeatFields("site-a", "SN-1");
  payload["v"] = 1;
  payload["type"] = "monitor.heartbeat";
  payload["agent"] = state.id;
  payload["seq"] = state.last_seq + 1;
  payload["prev"] = ToHex(state.last_payload_hash);
  payload["time"] = FormatTime(Now());
  Envelope envelope{std::string(kEventPayloadType), payload.dump(), {}};
  SignEnvelope(&envelope, key);
  return SerializeEnvelope(envelope);
}

// Child: append forever from kAgents threads; one line per acknowledged receipt.
[[noreturn]] void RunChild(const std::string& dir) {
  auto ledger = Ledger::Open(dir, OpenOptions{});
  if (!ledger.ok()) {
    std::fprintf(stderr, "child: %s\n", ledger.status().ToString().c_str());
    std::_Exit(2);
  }
  std::mutex out_mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < kAgents; ++i) {
    threads.emplace_back([&, i] {
      KeyPair key = AgentKey(i);
      AgentState state = *(*ledger)->Agent(AgentId(i));
      for (;;) {
        AppendResult result = (*ledger)->Append(NextHeartbeat(state, key));
        std::string line;
        if (!result.status.ok() || result.duplicate) {
          line = "error " + result.status.ToString() + "\n";
        } else {
          state.last_seq += 1;
          state.last_payload_hash = result.receipt.payload_hash;
          line = "ack " + std::to_string(result.receipt.index) + " " +
                 ToHex(result.receipt.payload_hash) + " " +
                 Base64Encode(result.receipt.checkpoint) + "\n";
        }
        std::lock_guard lock(out_mu);
        if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) std::_Exit(3);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::_Exit(0);
}

TEST(CrashTest, Child) {
  const char* dir = std::getenv(kChildDirVariable);
  if (dir == nullptr) GTEST_SKIP() << "runs only as the child of KillNineLosesNoAcknowledgedEvent";
  RunChild(dir);
}

struct Ack {
  uint64_t index;
  std::string payload_hash;
  std::string checkpoint;
};

// Runs the child until it has acknowledged at least `acks` events, then kills it with SIGKILL;
// returns every acknowledgement it printed.
std::vector<Ack> RunAndKill(const std::string& dir, size_t acks) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe(pipe_fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string filter = "--gtest_filter=CrashTest.Child";
  std::string exe = "/proc/self/exe";
  std::vector<char*> argv = {exe.data(), filter.data(), nullptr};
  std::vector<std::string> env_strings = {std::string(kChildDirVariable) + "=" + dir};
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), envp.data()), 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);

  std::vector<Ack> result;
  FILE* out = ::fdopen(pipe_fds[0], "r");
  char* line = nullptr;
  size_t capacity = 0;
  bool killed = false;
  while (::getline(&line, &capacity, out) > 0) {
    std::istringstream fields(line);
    std::string kind, note_base64;
    Ack ack;
    fields >> kind;
    if (kind == "error") ADD_FAILURE() << "child: " << line;
    if (kind != "ack") continue;  // GoogleTest's own output
    fields >> ack.index >> ack.payload_hash >> note_base64;
    ack.checkpoint = Base64Decode(note_base64, "checkpoint").value();
    result.push_back(ack);
    if (!killed && result.size() >= acks) {
      ::kill(pid, SIGKILL);  // lines already in the pipe are acknowledged too: keep reading
      killed = true;
    }
  }
  std::free(line);
  std::fclose(out);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(killed) << "the child stopped before acknowledging " << acks << " events";
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  return result;
}

TEST(CrashTest, KillNineLosesNoAcknowledgedEvent) {
  InitCrypto();
  testing::TempDir dir;
  testing::TestAgent gov("gov");
  Result<std::string> verifier_key =
      Ledger::Create(dir.path(), CreateOptions{"crash.test/log", {{"gov", gov.key().public_key}}});
  ASSERT_TRUE(verifier_key.ok()) << verifier_key.status().ToString();
  NoteVerifier verifier = ParseVerifierKey(*verifier_key).value();
  {
    auto ledger = Ledger::Open(dir.path(), OpenOptions{});
    ASSERT_TRUE(ledger.ok());
    for (int i = 0; i < kAgents; ++i) {
      testing::TestAgent agent(AgentId(i), AgentKey(i));
      AppendResult enrolled = (*ledger)->Append(
          gov.Next("agent.enrolled", testing::TestAgent::Enrollment(agent, "monitor", "gov")));
      ASSERT_TRUE(enrolled.status.ok()) << enrolled.status.ToString();
    }
  }

  for (int round = 0; round < 3; ++round) {
    std::vector<Ack> acks = RunAndKill(dir.path(), 40 + 17 * round);
    ASSERT_FALSE(acks.empty());
    auto ledger = Ledger::Open(dir.path(), OpenOptions{});
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();

    Checkpoint last_handed_out;
    std::string last_note;
    for (const Ack& ack : acks) {
      Result<std::string> bytes = (*ledger)->EntryBytes(ack.index);
      ASSERT_TRUE(bytes.ok()) << "acknowledged entry " << ack.index << " is lost";
      Result<LogEntry> entry = ParseEntry(*bytes);
      ASSERT_TRUE(entry.ok());
      EXPECT_EQ(ToHex(Sha256(entry->envelope.payload)), ack.payload_hash) << ack.index;
      Result<Checkpoint> checkpoint = VerifyCheckpoint(ack.checkpoint, verifier);
      ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
      EXPECT_GT(checkpoint->size, ack.index);
      if (checkpoint->size > last_handed_out.size) {
        last_handed_out = *checkpoint;
        last_note = ack.checkpoint;
      }
    }
    Result<Checkpoint> now = VerifyCheckpoint((*ledger)->CheckpointNote(), verifier);
    ASSERT_TRUE(now.ok());
    ASSERT_GE(now->size, last_handed_out.size);
    EXPECT_EQ((*ledger)->CheckpointNoteAt(last_handed_out.size).value(), last_note);
    auto proof = (*ledger)->ConsistencyProof(last_handed_out.size, now->size);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    EXPECT_TRUE(
        VerifyConsistency(last_handed_out.size, now->size, last_handed_out.root, now->root, *proof))
        << "round " << round;
  }
}

}  // namespace
}  // namespace chipledger
