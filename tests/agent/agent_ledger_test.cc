// The agent against a real chipledgerd on 127.0.0.1: offline queueing, a server killed in the
// middle of a submit, a 409 resynchronisation, co-signing, receipts and proofs, and the binary.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>

#include "agent/agent.h"
#include "tests/agent/agent_fixture.h"

namespace chipledger::agent {
namespace {

using namespace testing;  // NOLINT: the harness

TEST_F(AgentLedgerTest, QueuesOfflineThenSubmitsInOrder) {
  Agent agent = NewAgent("inspector-1");
  server_.Stop(SIGTERM);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, Inspection(i)).ok());
  }
  Result<SubmitReport> offline = agent.Submit(Quick());
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.status().kind(), StatusKind::kUnavailable);
  EXPECT_EQ(agent.Outbox()->size(), 3u);
  EXPECT_TRUE(agent.Receipts()->empty());

  server_.Start(server_.port());
  Result<SubmitReport> online = agent.Submit(Quick());
  ASSERT_TRUE(online.ok()) << online.status().ToString();
  EXPECT_EQ(online->submitted, 3u);
  EXPECT_TRUE(agent.Outbox()->empty());
  ExpectReceipts(agent, 3);
  std::vector<StoredReceipt> receipts = *agent.Receipts();
  EXPECT_LT(receipts[0].receipt.index, receipts[1].receipt.index);
  EXPECT_LT(receipts[1].receipt.index, receipts[2].receipt.index);
}

TEST_F(AgentLedgerTest, SurvivesAServerKilledInTheMiddleOfASubmit) {
  constexpr int kEvents = 40;
  Agent agent = NewAgent("inspector-1");
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, Inspection(i)).ok());
  }
  uint64_t size_before = server_.TreeSize();
  std::atomic<bool> killed{false};
  SubmitOptions options = Quick(400);
  int receipts_seen = 0;
  options.on_receipt = [&](const StoredReceipt&) {
    if (++receipts_seen == 5) {
      server_.Signal(SIGKILL);  // the submit goes on against a dead server
      killed = true;
    }
  };
  std::thread restarter([&] {
    while (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    server_.Restart();
  });
  Result<SubmitReport> report = agent.Submit(options);
  restarter.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->submitted + report->duplicates, static_cast<size_t>(kEvents));
  EXPECT_TRUE(agent.Outbox()->empty());
  ExpectReceipts(agent, kEvents);
  // Each event is in the log exactly once.
  EXPECT_EQ(server_.TreeSize(), size_before + kEvents);
}

TEST_F(AgentLedgerTest, ConflictStopsThenResyncsWithoutForking) {
  Agent original = NewAgent("inspector-1");
  // A copy of the home taken before any event, as a restored backup would be.
  fs::path restored_home = fs::path(dir_.path()) / "restored";
  fs::copy(original.home(), restored_home, fs::copy_options::recursive);

  ASSERT_TRUE(original.Compose(EventType::kInspectionPerformed, Inspection(1)).ok());
  ASSERT_TRUE(original.Submit(Quick()).ok());
  Hash first_payload_hash = original.Receipts()->front().receipt.payload_hash;

  Result<Agent> restored = Agent::Open(restored_home);
  ASSERT_TRUE(restored.ok());
  ASSERT_TRUE(restored->Unlock("pw").ok());
  ASSERT_TRUE(restored->Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  Result<SubmitReport> refused = restored->Submit(Quick());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), "chain_diverged");
  EXPECT_NE(refused.status().message().find("expects seq 2"), std::string::npos)
      << refused.status().message();
  EXPECT_EQ(restored->Outbox()->size(), 1u);  // nothing dropped, nothing re-signed
  EXPECT_EQ(restored->Outbox()->front().seq, 1u);

  SubmitOptions resync = Quick();
  resync.resync = true;
  Result<SubmitReport> report = restored->Submit(resync);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->resynced, 1u);
  EXPECT_EQ(report->submitted, 1u);
  Result<StoredReceipt> stored = restored->ReceiptFor(2);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  Result<Event> event = ParseEvent(ParseEnvelope(stored->envelope)->payload);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->prev, first_payload_hash);  // continues the ledger's chain
  EXPECT_EQ(std::get<InspectionPerformed>(event->body).inspection, "insp-2");
  EXPECT_EQ(restored->head().seq, 2u);
}

TEST_F(AgentLedgerTest, EventsLostLocallyStopWithTheGap) {
  Agent agent = NewAgent("inspector-1");
  ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, Inspection(1)).ok());
  ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  fs::remove(agent.home() / "outbox" / "00000000000000000001.json");
  Result<SubmitReport> report = agent.Submit(Quick());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), "chain_diverged");
  EXPECT_NE(report.status().message().find("lost locally"), std::string::npos)
      << report.status().message();
  EXPECT_EQ(agent.Outbox()->size(), 1u);
}

TEST_F(AgentLedgerTest, RefusedEventStaysQueuedWithTheLedgersError) {
  Agent agent = NewAgent("inspector-1");
  nlohmann::json elsewhere = Inspection(1);
  elsewhere["site"] = "site-9";  // outside the agent's sites: 403
  ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, elsewhere).ok());
  ASSERT_TRUE(agent.Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  Result<SubmitReport> report = agent.Submit(Quick());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().kind(), StatusKind::kPermissionDenied);
  EXPECT_NE(report.status().message().find("seq 1"), std::string::npos);
  EXPECT_EQ(agent.Outbox()->size(), 2u);
  EXPECT_TRUE(agent.Receipts()->empty());
}

TEST_F(AgentLedgerTest, CosignedInspectionAndConsistencyProof) {
  Agent inspector = NewAgent("inspector-1");
  Agent site_operator = NewAgent("operator-1", "site_operator");
  Result<QueuedEvent> queued = inspector.Compose(EventType::kInspectionPerformed, Inspection(1));
  ASSERT_TRUE(queued.ok());
  ASSERT_TRUE(site_operator.unlocked());
  Result<std::string> cosigned = site_operator.Cosign(queued->envelope);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();
  ASSERT_TRUE(inspector.ImportCosigned(*cosigned).ok());
  Result<SubmitReport> report = inspector.Submit(Quick());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  StoredReceipt first = *inspector.ReceiptFor(1);
  EXPECT_EQ(ParseEnvelope(first.envelope)->signatures.size(), 2u);

  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  Result<ConsistencyReport> proof = inspector.Prove(first, server_.Token("witness"));
  ASSERT_TRUE(proof.ok()) << proof.status().ToString();
  EXPECT_EQ(proof->old_checkpoint.size, first.receipt.tree_size);
  EXPECT_GT(proof->new_checkpoint.size, proof->old_checkpoint.size);
  // Without a reader token the ledger refuses the proof, and the agent says so.
  EXPECT_FALSE(inspector.Prove(first, std::nullopt).ok());
}

// A ledger that later serves an older copy of itself contradicts a checkpoint the agent has
// already proved, even when the receipt being proved predates the rollback.
TEST_F(AgentLedgerTest, ProveCatchesARollbackAfterAnEarlierProve) {
  Agent inspector = NewAgent("inspector-1");
  std::string token = server_.Token("witness");
  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(1)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  StoredReceipt first = *inspector.ReceiptFor(1);
  fs::path before = server_.Snapshot();

  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  Result<ConsistencyReport> proved = inspector.Prove(first, token);
  ASSERT_TRUE(proved.ok()) << proved.status().ToString();
  EXPECT_FALSE(proved->remembered.has_value());
  uint64_t seen = proved->new_checkpoint.size;
  Result<ConsistencyReport> again = inspector.Prove(first, token);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_TRUE(again->remembered.has_value());
  EXPECT_EQ(again->remembered->size, seen);

  server_.RollBackTo(before);
  ASSERT_LT(server_.TreeSize(), seen);
  // A smaller checkpoint may only lag (witnessing): it is fetched again for a while first.
  ProveOptions options;
  options.wait = std::chrono::milliseconds(300);
  options.poll = std::chrono::milliseconds(50);
  int waits = 0;
  options.on_wait = [&](uint64_t served, uint64_t needed) {
    EXPECT_LT(served, needed);
    EXPECT_EQ(needed, seen);
    ++waits;
  };
  Result<ConsistencyReport> rolled_back = inspector.Prove(first, token, options);
  EXPECT_GT(waits, 0);
  ASSERT_FALSE(rolled_back.ok());
  EXPECT_EQ(rolled_back.status().kind(), StatusKind::kCorruption);
  EXPECT_NE(rolled_back.status().message().find("checkpoint of size " + std::to_string(seen)),
            std::string::npos)
      << rolled_back.status().message();
}

// A witness verifier key from a fixed seed (SPEC §10).
std::string WitnessVkey(const std::string& name, uint8_t seed) {
  std::array<uint8_t, 32> bytes{};
  bytes.fill(seed);
  return FormatWitnessKey({name, KeyPairFromSeed(bytes).public_key});
}

TEST_F(AgentLedgerTest, WitnessConfigIsValidatedAndPersisted) {
  Agent agent = NewAgent("inspector-1");
  Config config = agent.config();
  config.witnesses = {WitnessVkey("witness-a.example", 1), "not-a-key"};
  Status bad_key = agent.SaveConfig(config);
  EXPECT_EQ(bad_key.kind(), StatusKind::kInvalidArgument);
  EXPECT_EQ(bad_key.message().rfind("witnesses: ", 0), 0u) << bad_key.message();
  config.witnesses = {WitnessVkey("witness-a.example", 1), WitnessVkey("witness-b.example", 2)};
  config.witness_quorum = 3;
  Status bad_quorum = agent.SaveConfig(config);
  EXPECT_EQ(bad_quorum.message().rfind("witness_quorum: ", 0), 0u) << bad_quorum.message();
  EXPECT_NE(bad_quorum.message().find("between 1 and 2"), std::string::npos);

  config.witness_quorum = 1;
  ASSERT_TRUE(agent.SaveConfig(config).ok());
  Result<Agent> reopened = Agent::Open(agent.home());
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ(reopened->config().witnesses, config.witnesses);
  EXPECT_EQ(reopened->config().witness_quorum, std::optional<size_t>(1));
  Result<WitnessPolicy> policy = reopened->Witnesses();
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->quorum, 1u);
}

// chipledgerd without witnesses serves the log's own checkpoint: an agent requiring witnesses
// refuses it, naming every witness whose cosignature is missing, and remembers nothing.
TEST_F(AgentLedgerTest, ProveRefusesACheckpointWithoutTheWitnessQuorum) {
  Agent inspector = NewAgent("inspector-1");
  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(1)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  std::string token = server_.Token("witness");
  Config config = inspector.config();
  config.witnesses = {WitnessVkey("witness-a.example", 1), WitnessVkey("witness-b.example", 2)};
  ASSERT_TRUE(inspector.SaveConfig(config).ok());

  Result<ConsistencyReport> proved = inspector.Prove(*inspector.ReceiptFor(1), token);
  ASSERT_FALSE(proved.ok());
  EXPECT_EQ(proved.status().kind(), StatusKind::kUnauthenticated);
  EXPECT_EQ(proved.status().code(), "witness_quorum");
  EXPECT_NE(proved.status().message().find("missing: witness-a.example, witness-b.example"),
            std::string::npos)
      << proved.status().message();
  EXPECT_FALSE(fs::exists(inspector.home() / "checkpoint"));

  // Without witnesses the same checkpoint is proved.
  config.witnesses.clear();
  ASSERT_TRUE(inspector.SaveConfig(config).ok());
  Result<ConsistencyReport> plain = inspector.Prove(*inspector.ReceiptFor(1), token);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_TRUE(plain->witnesses.empty());
}

// Real witnesses: chipledgerd asks two chipledger-witness servers to cosign and serves the
// witnessed checkpoint, which may lag a fresh receipt; prove waits for it, shows who cosigned and
// remembers the cosigned note. With a witness down the served checkpoint stops growing, and prove
// says that the witnessed checkpoint does not cover a newer receipt.
TEST_F(AgentLedgerTest, ProveWithRealWitnesses) {
  ASSERT_TRUE(fs::exists(WitnessServer::Binary())) << "build the chipledger-witness target";
  auto alpha = std::make_unique<WitnessServer>("witness-a.example", server_.log_key());
  auto beta = std::make_unique<WitnessServer>("witness-b.example", server_.log_key());
  server_.Configure({{"witnesses", {alpha->Config(), beta->Config()}}});
  server_.Stop(SIGTERM);
  server_.Start(server_.port());
  Agent inspector = NewAgent("inspector-1");
  Config config = inspector.config();
  config.witnesses = {alpha->vkey(), beta->vkey()};
  ASSERT_TRUE(inspector.SaveConfig(config).ok());
  std::string token = server_.Token("witness");

  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(1)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  StoredReceipt first = *inspector.ReceiptFor(1);
  Result<ConsistencyReport> proved = inspector.Prove(first, token);  // waits up to 10 s
  ASSERT_TRUE(proved.ok()) << proved.status().ToString();
  EXPECT_GE(proved->new_checkpoint.size, first.receipt.tree_size);
  EXPECT_EQ(proved->witness_quorum, 2u);
  ASSERT_EQ(proved->witnesses.size(), 2u);
  for (const WitnessStatus& witness : proved->witnesses) {
    EXPECT_TRUE(witness.timestamp.has_value()) << witness.name;
  }
  std::string remembered = Slurp(inspector.home() / "checkpoint");
  EXPECT_TRUE(CheckWitnessQuorum(remembered, *inspector.Witnesses()).ok()) << remembered;

  beta.reset();  // the quorum (both) can no longer be met: the served checkpoint stays
  ASSERT_TRUE(inspector.Compose(EventType::kInspectionPerformed, Inspection(2)).ok());
  ASSERT_TRUE(inspector.Submit(Quick()).ok());
  ProveOptions options;
  options.wait = std::chrono::milliseconds(1000);
  Result<ConsistencyReport> stale = inspector.Prove(*inspector.ReceiptFor(2), token, options);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().kind(), StatusKind::kUnavailable);
  EXPECT_NE(stale.status().message().find(
                "the witnessed checkpoint (size " + std::to_string(proved->new_checkpoint.size) +
                ") does not yet cover the receipt (size " +
                std::to_string(inspector.ReceiptFor(2)->receipt.tree_size) + ")"),
            std::string::npos)
      << stale.status().message();
}

TEST_F(AgentBinaryTest, FieldWalkthrough) {
  ASSERT_TRUE(fs::exists(Binary()));
  ProcessResult keygen = RunAgent({"keygen", "--agent", "inspector-1", "--ledger", server_.url(),
                                   "--log-key", server_.log_key(), "--fast-kdf", "--json"});
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  nlohmann::json key = nlohmann::json::parse(keygen.out);
  Result<PublicKey> public_key = PublicKeyFromBase64(key["public_key"].get<std::string>(), "pk");
  ASSERT_TRUE(public_key.ok());
  EXPECT_EQ(key["key_id"], KeyId(*public_key));
  Enroll("inspector-1", *public_key, "inspector");

  fs::path observed = fs::path(dir_.path()) / "observed.txt";
  std::ofstream(observed) << "SN-1,ATT-1,host-a\nSN-2\n";
  fs::path photo = fs::path(dir_.path()) / "rack.jpg";
  std::ofstream(photo) << "photo";
  ProcessResult inspect =
      RunAgent({"inspect", "--inspection", "insp-1", "--site", "site-1", "--purpose",
                "life_sciences", "--observed", observed.string(), "--seal", "S-1=intact",
                "--evidence", photo.string() + "=rack 4", "--location", "52.1,4.3,10", "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["seq"], 1);

  ProcessResult bad = RunAgent({"inspect", "--inspection", "insp-2", "--site", "site-1",
                                "--purpose", "x", "--seal", "S-1=cracked"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("S-1"), std::string::npos) << bad.err;

  ProcessResult submit = RunAgent({"submit", "--json"}, "not needed");
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_EQ(nlohmann::json::parse(submit.out)["submitted"], 1);

  ProcessResult status = RunAgent({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  nlohmann::json state = nlohmann::json::parse(status.out);
  EXPECT_EQ(state["last_seq"], 1);
  EXPECT_EQ(state["outbox"], 0);
  EXPECT_EQ(state["last_receipt"]["seq"], 1);

  ProcessResult verified = RunAgent({"verify-receipt", "1", "--json"});
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(nlohmann::json::parse(verified.out)["verified"], true);

  // A tampered copy of the receipt is rejected offline.
  nlohmann::json stored =
      nlohmann::json::parse(Slurp(home_ / "receipts" / "00000000000000000001.json"));
  std::string& root_line = stored["receipt"]["checkpoint"].get_ref<std::string&>();
  size_t root = root_line.find('\n', root_line.find('\n') + 1) + 1;
  root_line[root] = root_line[root] == 'A' ? 'B' : 'A';
  fs::path tampered = fs::path(dir_.path()) / "tampered.json";
  std::ofstream(tampered) << stored.dump();
  ProcessResult rejected =
      RunAgent({"verify-receipt", tampered.string(), "--log-key", server_.log_key()});
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("receipt"), std::string::npos) << rejected.err;

  ProcessResult help = RunAgent({"submit", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--resync"), std::string::npos);
}

// The conflict and `submit --resync` as an operator meets them: a home restored from a backup
// taken before its last submission.
TEST_F(AgentBinaryTest, RestoredHomeStopsOnConflictThenResyncs) {
  ASSERT_NO_FATAL_FAILURE(KeygenInspector());
  fs::path backup = fs::path(dir_.path()) / "backup";
  fs::copy(home_, backup, fs::copy_options::recursive);
  auto inspect = [&](const std::string& id) {
    return RunAgent({"inspect", "--inspection", id, "--site", "site-1", "--purpose",
                     "life_sciences", "--json"});
  };
  ASSERT_EQ(inspect("insp-1").exit_code, 0);
  ASSERT_EQ(RunAgent({"submit", "--json"}).exit_code, 0);

  fs::remove_all(home_);
  fs::copy(backup, home_, fs::copy_options::recursive);
  ASSERT_EQ(inspect("insp-2").exit_code, 0);
  ProcessResult conflict = RunAgent({"submit", "--json"});
  EXPECT_EQ(conflict.exit_code, 1);
  EXPECT_NE(conflict.err.find("chain_diverged"), std::string::npos) << conflict.err;

  ProcessResult resync = RunAgent({"submit", "--resync", "--json"});
  ASSERT_EQ(resync.exit_code, 0) << resync.err;
  nlohmann::json report = nlohmann::json::parse(resync.out);
  EXPECT_EQ(report["resynced"], 1);
  EXPECT_EQ(report["submitted"], 1);
  ProcessResult status = RunAgent({"status", "--json"});
  EXPECT_EQ(nlohmann::json::parse(status.out)["last_receipt"]["seq"], 2);
}

TEST_F(AgentBinaryTest, WrongPassphraseIsAClearErrorAndChangesNothing) {
  ProcessResult keygen =
      RunAgent({"keygen", "--agent", "inspector-1", "--fast-kdf"}, "right-passphrase");
  ASSERT_EQ(keygen.exit_code, 0) << keygen.err;
  fs::path fields = fs::path(dir_.path()) / "fields.json";
  std::ofstream(fields) << Inspection(1).dump();
  ProcessResult compose = RunAgent({"compose", "inspection.performed", "--fields", fields.string()},
                                   "wrong-passphrase");
  EXPECT_EQ(compose.exit_code, 1);
  EXPECT_NE(compose.err.find("wrong passphrase"), std::string::npos) << compose.err;
  ProcessResult status = RunAgent({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(status.out)["last_seq"], 0);
  // No terminal and no passphrase: an error, not a hang.
  ProcessResult no_tty = RunProcess({Binary(), "--home", home_.string(), "compose",
                                     "inspection.performed", "--fields", fields.string()},
                                    dir_.path());
  EXPECT_EQ(no_tty.exit_code, 2);
  EXPECT_NE(no_tty.err.find("CHIPLEDGER_PASSPHRASE"), std::string::npos) << no_tty.err;
  ProcessResult right = RunAgent({"compose", "inspection.performed", "--fields", fields.string()},
                                 "right-passphrase");
  EXPECT_EQ(right.exit_code, 0) << right.err;
}

TEST_F(AgentBinaryTest, ConfigureWitnessesNamesTheFlagAtFault) {
  ASSERT_EQ(RunAgent({"keygen", "--agent", "inspector-1", "--fast-kdf"}).exit_code, 0);
  std::string a = WitnessVkey("witness-a.example", 1), b = WitnessVkey("witness-b.example", 2);
  auto refused = [&](const std::vector<std::string>& flags, const std::string& flag,
                     const std::string& why) {
    std::vector<std::string> args = {"configure"};
    args.insert(args.end(), flags.begin(), flags.end());
    ProcessResult run = RunAgent(args);
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_NE(run.err.find(flag + ": "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(why), std::string::npos) << run.err;
  };
  refused({"--witness", "not-a-key"}, "--witness", "witness key");
  refused({"--witness", a, "--witness", a}, "--witness", "named twice");
  refused({"--witness", a, "--witness", b, "--witness-quorum", "3"}, "--witness-quorum",
          "between 1 and 2");
  refused({"--witness", a, "--witness-quorum", "0"}, "--witness-quorum", "between 1 and 1");
  refused({"--witness", a, "--witness-quorum", "all"}, "--witness-quorum", "positive integer");
  refused({"--witness-quorum", "1"}, "--witness-quorum", "needs witnesses");
  EXPECT_EQ(Slurp(home_ / "config.json").find("witness"), std::string::npos);  // unchanged

  ProcessResult set =
      RunAgent({"configure", "--witness", a, "--witness", b, "--witness-quorum", "1", "--json"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  nlohmann::json shown = nlohmann::json::parse(set.out)["witnesses"];
  EXPECT_EQ(shown["names"], (nlohmann::json{"witness-a.example", "witness-b.example"}));
  EXPECT_EQ(shown["quorum"], 1);
  nlohmann::json saved = nlohmann::json::parse(Slurp(home_ / "config.json"));
  EXPECT_EQ(saved["witnesses"], (nlohmann::json{a, b}));
  EXPECT_EQ(saved["witness_quorum"], 1);
  // Another flag alone keeps the witnesses; an empty --witness and --witness-quorum clear them.
  ASSERT_EQ(RunAgent({"configure", "--token", "t"}).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(Slurp(home_ / "config.json"))["witnesses"].size(), 2u);
  ProcessResult cleared = RunAgent({"configure", "--witness", "", "--witness-quorum", ""});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.err;
  EXPECT_EQ(Slurp(home_ / "config.json").find("witness"), std::string::npos);
}

TEST_F(AgentBinaryTest, ProveRefusesAnUnwitnessedCheckpointNamingTheWitnesses) {
  ASSERT_NO_FATAL_FAILURE(KeygenInspector());
  ASSERT_EQ(RunAgent({"inspect", "--inspection", "insp-1", "--site", "site-1", "--purpose",
                      "life_sciences"})
                .exit_code,
            0);
  ASSERT_EQ(RunAgent({"submit"}).exit_code, 0);
  ASSERT_EQ(RunAgent({"configure", "--token", server_.Token("witness"), "--witness",
                      WitnessVkey("witness-a.example", 1), "--witness",
                      WitnessVkey("witness-b.example", 2)})
                .exit_code,
            0);
  ProcessResult prove = RunAgent({"prove", "1"});
  EXPECT_EQ(prove.exit_code, 1);
  EXPECT_NE(prove.err.find("witness_quorum"), std::string::npos) << prove.err;
  EXPECT_NE(prove.err.find("missing: witness-a.example, witness-b.example"), std::string::npos)
      << prove.err;
  EXPECT_FALSE(fs::exists(home_ / "checkpoint"));
}

}  // namespace
}  // namespace chipledger::agent
