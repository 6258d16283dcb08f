#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agent/agent.h"
#include "tests/testing/test_agent.h"

namespace chipledger::agent {
namespace {

namespace fs = std::filesystem;

nlohmann::json Heartbeat(int n) {
  return {{"site", "site-1"},
          {"window_start", "2026-11-23T08:00:00Z"},
          {"window_end", "2026-11-23T09:00:00Z"},
          {"online", {{{"serial", "SN-" + std::to_string(n)}}}}};
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Agent> agent =
        Agent::Create(home_, {"monitor-1", "", "", {}, {}, {}, {}}, "pw", FastKdfCost());
    ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  }
  Agent OpenUnlocked() {
    Result<Agent> agent = Agent::Open(home_);
    EXPECT_TRUE(agent.ok()) << agent.status().ToString();
    EXPECT_TRUE(agent->Unlock("pw").ok());
    return *std::move(agent);
  }

  testing::TempDir dir_;
  fs::path home_ = fs::path(dir_.path()) / "agent";
};

TEST_F(OutboxTest, EventsChainInOrderAndSurviveReopening) {
  {
    Agent agent = OpenUnlocked();
    for (int i = 0; i < 12; ++i) {
      Result<QueuedEvent> event = agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(i));
      ASSERT_TRUE(event.ok()) << event.status().ToString();
      EXPECT_EQ(event->seq, static_cast<uint64_t>(i + 1));
    }
  }
  Result<Agent> reopened = Agent::Open(home_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->head().seq, 12u);
  Result<std::vector<QueuedEvent>> outbox = reopened->Outbox();
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 12u);
  Hash prev{};
  for (size_t i = 0; i < outbox->size(); ++i) {
    const QueuedEvent& queued = (*outbox)[i];
    EXPECT_EQ(queued.seq, i + 1);
    Result<Envelope> envelope = ParseEnvelope(queued.envelope);
    ASSERT_TRUE(envelope.ok());
    Result<Event> event = ParseEvent(envelope->payload);
    ASSERT_TRUE(event.ok());
    EXPECT_EQ(event->seq, i + 1);
    EXPECT_EQ(event->prev, prev) << "seq " << i + 1 << " does not chain";
    EXPECT_EQ(event->agent, "monitor-1");
    ASSERT_EQ(envelope->signatures.size(), 1u);
    EXPECT_EQ(envelope->signatures[0].keyid, reopened->key_id());
    EXPECT_TRUE(VerifyEnvelopeSignature(*envelope, 0, reopened->public_key()));
    prev = Sha256(envelope->payload);
  }
  EXPECT_EQ(reopened->head().prev, prev);
  // The chain continues after reopening: no seq is reused.
  ASSERT_TRUE(reopened->Unlock("pw").ok());
  Result<QueuedEvent> next = reopened->Compose(EventType::kMonitorHeartbeat, Heartbeat(99));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seq, 13u);
}

TEST_F(OutboxTest, CrashBetweenOutboxAndHeadWritesIsRepaired) {
  {
    Agent agent = OpenUnlocked();
    ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(1)).ok());
    ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(2)).ok());
  }
  // As if power failed after the outbox file of seq 2 was written but before head.json was.
  std::ofstream(home_ / "head.json", std::ios::trunc)
      << R"({"seq":1,"prev":")" << std::string(64, '0') << "\"}\n";
  // And a temp file a crashed write left behind.
  std::ofstream(home_ / "outbox" / "00000000000000000003.json.tmp") << "{half";
  Agent agent = OpenUnlocked();
  EXPECT_EQ(agent.head().seq, 2u);
  Result<std::vector<QueuedEvent>> outbox = agent.Outbox();
  ASSERT_TRUE(outbox.ok()) << outbox.status().ToString();
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_EQ(agent.head().prev, outbox->back().payload_hash);
  Result<QueuedEvent> next = agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(3));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->seq, 3u);
}

TEST_F(OutboxTest, ComposingNeedsTheKey) {
  Result<Agent> agent = Agent::Open(home_);
  ASSERT_TRUE(agent.ok());
  Result<QueuedEvent> event = agent->Compose(EventType::kMonitorHeartbeat, Heartbeat(1));
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.status().code(), "locked");
  EXPECT_EQ(agent->head().seq, 0u);
}

TEST_F(OutboxTest, RefusedEventsLeaveTheChainUntouched) {
  Agent agent = OpenUnlocked();
  nlohmann::json bad = Heartbeat(1);
  bad["online"][0]["serial"] = "bad serial!";
  ASSERT_FALSE(agent.Compose(EventType::kMonitorHeartbeat, bad).ok());
  EXPECT_EQ(agent.head().seq, 0u);
  EXPECT_TRUE(agent.Outbox()->empty());
  ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(1)).ok());
  EXPECT_EQ(agent.head().seq, 1u);
}

TEST_F(OutboxTest, ResyncReSignsTheQueueOntoTheLedgersHead) {
  Agent agent = OpenUnlocked();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(i)).ok());
  }
  Hash ledger_prev = Sha256("the ledger's seq 4");
  ASSERT_TRUE(agent.Resync(5, ledger_prev).ok());
  Result<std::vector<QueuedEvent>> outbox = agent.Outbox();
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 3u);
  Hash prev = ledger_prev;
  for (size_t i = 0; i < 3; ++i) {
    Result<Event> event = ParseEvent(ParseEnvelope((*outbox)[i].envelope)->payload);
    ASSERT_TRUE(event.ok());
    EXPECT_EQ(event->seq, 5 + i);
    EXPECT_EQ(event->prev, prev);
    EXPECT_EQ(std::get<MonitorHeartbeat>(event->body).online[0].serial,
              "SN-" + std::to_string(i));  // same content, new place in the chain
    prev = (*outbox)[i].payload_hash;
  }
  EXPECT_EQ(agent.head().seq, 7u);
  EXPECT_FALSE(fs::exists(home_ / "outbox.new"));
  EXPECT_FALSE(fs::exists(home_ / "outbox.old"));
  Result<Agent> reopened = Agent::Open(home_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->head().seq, 7u);
}

TEST_F(OutboxTest, ResyncBelowAReceiptedSeqIsRefused) {
  Agent agent = OpenUnlocked();
  ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(1)).ok());
  // This agent holds a receipt for seq 5; a ledger that now expects seq 3 lost accepted events.
  std::ofstream(home_ / "receipts" / "00000000000000000005.json") << "{}";
  Status refused = agent.Resync(3, Sha256("x"));
  EXPECT_EQ(refused.code(), "ledger_lost_events");
  EXPECT_EQ(agent.Outbox()->front().seq, 1u);  // nothing re-signed
  EXPECT_TRUE(agent.Resync(6, Sha256("x")).ok());
}

TEST_F(OutboxTest, InterruptedResyncSwapIsCompletedOnOpen) {
  {
    Agent agent = OpenUnlocked();
    ASSERT_TRUE(agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(1)).ok());
    ASSERT_TRUE(agent.Resync(4, Sha256("x")).ok());
  }
  // As if power failed between the two renames of the swap.
  fs::rename(home_ / "outbox", home_ / "outbox.new");
  fs::create_directory(home_ / "outbox.old");
  Result<Agent> agent = Agent::Open(home_);
  ASSERT_TRUE(agent.ok()) << agent.status().ToString();
  Result<std::vector<QueuedEvent>> outbox = agent->Outbox();
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 1u);
  EXPECT_EQ(outbox->front().seq, 4u);
  EXPECT_FALSE(fs::exists(home_ / "outbox.old"));
}

TEST_F(OutboxTest, ImportKeepsPayloadAndAddsCosignatures) {
  Agent agent = OpenUnlocked();
  Result<QueuedEvent> queued = agent.Compose(EventType::kMonitorHeartbeat, Heartbeat(1));
  ASSERT_TRUE(queued.ok());
  KeyPair operator_key = GenerateKeyPair();
  Result<std::string> cosigned = CosignEnvelope(queued->envelope, operator_key);
  ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();
  EXPECT_EQ(CosignEnvelope(*cosigned, operator_key).status().code(), "already_signed");
  Result<QueuedEvent> imported = agent.ImportCosigned(*cosigned);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->signatures, 2u);
  EXPECT_EQ(imported->payload_hash, queued->payload_hash);
  Envelope envelope = *ParseEnvelope(agent.Queued(1)->envelope);
  EXPECT_TRUE(VerifyEnvelopeSignature(envelope, 0, agent.public_key()));
  EXPECT_TRUE(VerifyEnvelopeSignature(envelope, 1, operator_key.public_key));

  // A different payload under the same seq is refused, and so is a foreign first signature.
  Envelope altered = envelope;
  altered.payload += " ";
  EXPECT_FALSE(agent.ImportCosigned(SerializeEnvelope(altered)).ok());
  Envelope foreign{envelope.payload_type, envelope.payload, {}};
  SignEnvelope(&foreign, operator_key);
  Result<QueuedEvent> refused = agent.ImportCosigned(SerializeEnvelope(foreign));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("signatures[0]"), std::string::npos);
  // Resync would void the co-signature: refused.
  EXPECT_EQ(agent.Resync(3, Sha256("x")).code(), "cosigned");
}

}  // namespace
}  // namespace chipledger::agent
