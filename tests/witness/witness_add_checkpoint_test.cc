// tlog-witness add-checkpoint and monitor retrieval through the real chipledger-witness: the
// 200s and every refusal, with the exact status, content type and body the spec requires.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "tests/testing/raw_connection.h"
#include "tests/witness/witness_fixture.h"

namespace chipledger::testing {
namespace {

class AddCheckpointTest : public WitnessTest {
 protected:
  void SetUp() override {
    WitnessTest::SetUp();
    log_.GrowTo(40);
    Start({&log_});
  }

  // Expects `body` refused with `status`, and the refusal's reason in the body.
  void ExpectRefused(const std::string& body, int status, const std::string& reason) {
    httplib::Result res = Add(body);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->body.rfind(reason + ":", 0), 0u) << res->body;
  }

  std::string MonitorPath(const TestLog& log) const {
    return "/" + ToHex(Sha256(log.origin())) + "/checkpoint";
  }

  TestLog log_{"log.test.example/a", 1};
};

TEST_F(AddCheckpointTest, FirstAddThenGrowthAreCosigned) {
  ASSERT_EQ(client_->Get(MonitorPath(log_))->status, 404);  // never cosigned yet

  uint64_t before = static_cast<uint64_t>(std::time(nullptr));
  std::string first = MustCosign(log_, 0, 5);
  // One signature line: em dash, our name, base64(key id || u64 timestamp || signature).
  EXPECT_EQ(first.rfind("\xe2\x80\x94 " + std::string(kName) + " ", 0), 0u) << first;
  EXPECT_EQ(std::count(first.begin(), first.end(), '\n'), 1);
  auto cosigned = VerifyCosignatures(log_.Signed(5) + first, {witness_});
  ASSERT_TRUE(cosigned.ok());
  EXPECT_GE((*cosigned)[0].timestamp, before);
  EXPECT_LE((*cosigned)[0].timestamp, static_cast<uint64_t>(std::time(nullptr)));

  MustCosign(log_, 5, 12);   // a real consistency proof
  MustCosign(log_, 12, 12);  // the same checkpoint again
  MustCosign(log_, 12, 40);

  httplib::Result res = client_->Get(MonitorPath(log_));
  ASSERT_EQ(res->status, 200);
  Result<Checkpoint> latest = VerifyCheckpoint(res->body, {log_.origin(), log_.key().public_key});
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  EXPECT_EQ(latest->size, 40u);
  EXPECT_EQ(latest->root, log_.Root(40));
  auto ours = VerifyCosignatures(res->body, {witness_});
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(ours->size(), 1u);
  EXPECT_EQ(client_->Get("/" + std::string(64, '0') + "/checkpoint")->status, 404);
}

TEST_F(AddCheckpointTest, SignaturesOfUnknownKeysAreIgnored) {
  TestLog stranger("someone.else.example", 9);
  std::string checkpoint = log_.Signed(5);
  checkpoint += SignNote(CheckpointBody(log_.At(5)), stranger.origin(), stranger.key())
                    .substr(CheckpointBody(log_.At(5)).size() + 1);
  httplib::Result res = Add(FormatAddCheckpoint({0, {}, checkpoint}));
  ASSERT_EQ(res->status, 200) << res->body;
  // The monitor copy keeps the log's signature and ours, not the stranger's.
  std::string served = client_->Get(MonitorPath(log_))->body;
  EXPECT_EQ(served.find(stranger.origin()), std::string::npos) << served;
}

TEST_F(AddCheckpointTest, MalformedRequestsAre400) {
  ExpectRefused("old 05\n\n" + log_.Signed(5), 400, "bad_request");
  ExpectRefused("old 5\n" + log_.Signed(5), 400, "bad_request");  // no blank line
  ExpectRefused("old 0\n\nlog.test.example/a\n5\n", 400, "malformed_note");
  // Signed by the log, but not a checkpoint this log writes (an extension line).
  std::string body = CheckpointBody(log_.At(5)) + "extension\n";
  ExpectRefused(FormatAddCheckpoint({0, {}, SignNote(body, log_.origin(), log_.key())}), 400,
                "bad_checkpoint");
  ExpectRefused(log_.Request(12, 12).replace(0, 6, "old 13"), 400, "old_size_too_large");
  EXPECT_EQ(WitnessSize(log_), 0u);
}

TEST_F(AddCheckpointTest, UnknownOriginIs404) {
  TestLog other("other.test.example/b", 2);
  other.GrowTo(3);
  ExpectRefused(other.Request(0, 3), 404, "unknown_origin");
}

TEST_F(AddCheckpointTest, BadLogSignaturesAre403) {
  // Same origin, another key: its line is another key's, so no signature from the log's key.
  TestLog impostor(log_.origin(), 3);
  impostor.GrowTo(5);
  ExpectRefused(impostor.Request(0, 5), 403, "bad_checkpoint_signature");
  // The log key's name and key id on a signature that fails: the note is malformed.
  std::string checkpoint = log_.Signed(5);
  size_t sig = checkpoint.rfind(' ') + 10;
  checkpoint[sig] = checkpoint[sig] == 'A' ? 'B' : 'A';
  ExpectRefused(FormatAddCheckpoint({0, {}, checkpoint}), 403, "bad_checkpoint_signature");
  EXPECT_EQ(WitnessSize(log_), 0u);
}

TEST_F(AddCheckpointTest, StaleOldSizeIs409WithTheSize) {
  httplib::Result res = Add(log_.Request(3, 5));
  ASSERT_EQ(res->status, 409);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/x.tlog.size");
  EXPECT_EQ(res->body, "0\n");

  MustCosign(log_, 0, 12);
  for (uint64_t old_size : {0u, 5u, 20u}) {
    res = Add(log_.Request(old_size, 40));
    ASSERT_EQ(res->status, 409) << old_size;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/x.tlog.size");
    EXPECT_EQ(res->body, "12\n");
  }
}

TEST_F(AddCheckpointTest, InconsistentCheckpointsAre422) {
  // Size 0 with a root other than the empty tree's.
  ExpectRefused(
      FormatAddCheckpoint({0, {}, SignCheckpoint({log_.origin(), 0, Sha256("x")}, log_.key())}),
      422, "bad_empty_root");
  // Old size 0 with a proof.
  ExpectRefused(FormatAddCheckpoint({0, log_.Proof(3, 5), log_.Signed(5)}), 422,
                "unexpected_proof");
  MustCosign(log_, 0, 0);  // the empty tree itself is fine
  MustCosign(log_, 0, 12);

  // A proof that does not verify.
  std::vector<Hash> proof = log_.Proof(12, 40);
  proof[0][0] ^= 1;
  ExpectRefused(FormatAddCheckpoint({12, proof, log_.Signed(40)}), 422, "bad_proof");
  // A proof of the wrong length.
  proof = log_.Proof(12, 40);
  proof.pop_back();
  ExpectRefused(FormatAddCheckpoint({12, proof, log_.Signed(40)}), 422, "bad_proof");
  // A fork: the same log key signs another history; its own proof holds, not from our root.
  TestLog fork(log_.origin(), 1, "forged");
  fork.GrowTo(40);
  ExpectRefused(fork.Request(12, 40), 422, "bad_proof");
  // The same size with another root.
  ExpectRefused(fork.Request(12, 12), 422, "root_mismatch");
  // None of these moved the witness.
  EXPECT_EQ(WitnessSize(log_), 12u);
  MustCosign(log_, 12, 40);
}

TEST_F(AddCheckpointTest, OversizedBodyIs413) {
  std::string body = log_.Request(0, 5) + std::string(70 * 1024, 'x');
  httplib::Result res = Add(body);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  MustCosign(log_, 0, 5);
}

// 200 connections each sending its headers a byte every half second (forever within the
// per-read timeout) hold no thread another client needs: chipledgerd still gets its cosignature
// within a second.
TEST_F(AddCheckpointTest, SlowConnectionsDoNotBlockAddCheckpoint) {
  using std::chrono::milliseconds;
  SlowClients slow(
      daemon_->port(), 200,
      "POST /add-checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ", milliseconds(500));
  std::this_thread::sleep_for(milliseconds(1500));  // every one accepted and being read
  auto start = std::chrono::steady_clock::now();
  MustCosign(log_, 0, 5);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(slow.Open(), 200);  // they were all still being served
}

TEST_F(AddCheckpointTest, ChunkedBodyIsRefusedUnread) {
  RawConnection conn(daemon_->port());
  ASSERT_TRUE(conn.Send(
      "POST /add-checkpoint HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  bool closed = false;
  std::string answer = conn.ReadUntilClosed(std::chrono::milliseconds(10000), &closed);
  EXPECT_TRUE(closed) << answer;
  EXPECT_EQ(StatusOf(answer), 411) << answer;
  EXPECT_NE(answer.find("\r\n\r\nlength_required: "), std::string::npos) << answer;
  MustCosign(log_, 0, 5);
}

TEST_F(AddCheckpointTest, MetricsAndHealth) {
  MustCosign(log_, 0, 12);
  EXPECT_EQ(Add(log_.Request(3, 40))->status, 409);
  std::vector<Hash> proof = log_.Proof(12, 40);
  proof[0][0] ^= 1;
  ExpectRefused(FormatAddCheckpoint({12, proof, log_.Signed(40)}), 422, "bad_proof");

  httplib::Result res = client_->Get("/metrics");
  ASSERT_EQ(res->status, 200);
  const std::string& text = res->body;
  EXPECT_NE(text.find("chipledger_witness_cosigned_size{origin=\"log.test.example/a\"} 12\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chipledger_witness_requests_total{status=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("chipledger_witness_requests_total{status=\"409\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("chipledger_witness_refusals_total{reason=\"bad_proof\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("chipledger_witness_refusals_total{reason=\"old_size_mismatch\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/no/such/route")->status, 404);
  EXPECT_EQ(client_->Get("/add-checkpoint")->status, 405);
}

}  // namespace
}  // namespace chipledger::testing
