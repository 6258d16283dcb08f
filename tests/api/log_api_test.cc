// Submit, query and prove through the real chipledgerd; restart it and check that the log it
// serves afterwards extends the one before.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "ledger/merkle.h"
#include "ledger/tiles.h"
#include "tests/api/daemon_fixture.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

class LogApiTest : public DaemonTest {
 protected:
  Checkpoint CurrentCheckpoint() {
    httplib::Result res = client_->Get("/checkpoint");  // no token needed
    EXPECT_TRUE(res && res->status == 200);
    Result<Checkpoint> checkpoint = VerifyCheckpoint(res->body, log_key_);
    EXPECT_TRUE(checkpoint.ok()) << res->body;
    return checkpoint.ok() ? *checkpoint : Checkpoint{};
  }

  std::vector<Hash> Hashes(const json& list) {
    std::vector<Hash> out;
    for (const json& h : list) out.push_back(*HashFromHex(h.get<std::string>(), "hash"));
    return out;
  }

  // GET /v1/whitelist, its log signature checked; the payload.
  json SignedWhitelist() {
    httplib::Result whitelist = Get("/v1/whitelist");
    EXPECT_EQ(whitelist->status, 200) << whitelist->body;
    json signed_list = Json(whitelist);
    EXPECT_EQ(signed_list["payloadType"], "application/vnd.chipledger.whitelist.v1+json");
    Envelope envelope{signed_list["payloadType"],
                      *Base64Decode(signed_list["payload"].get<std::string>(), "payload"),
                      {}};
    envelope.signatures.push_back(
        {signed_list["signatures"][0]["keyid"],
         *SignatureFromBase64(signed_list["signatures"][0]["sig"].get<std::string>(), "sig")});
    EXPECT_TRUE(VerifyEnvelopeSignature(envelope, 0, log_key_.key));
    return json::parse(envelope.payload);
  }
};

TEST_F(LogApiTest, ReceiptIsCompleteEvidenceAndEntryReadsBack) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  std::string envelope = monitor.Next("monitor.heartbeat", Heartbeat("site-1", "chip-1"));
  Receipt receipt = MustSubmit(envelope);
  Result<Checkpoint> checkpoint = VerifyReceipt(receipt, log_key_);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->size, receipt.index + 1);

  httplib::Result res = Get("/v1/entries/" + std::to_string(receipt.index));
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  json entry = Json(res);
  EXPECT_EQ(entry["index"], receipt.index);
  EXPECT_EQ(entry["leaf_hash"], ToHex(receipt.leaf_hash));
  EXPECT_EQ(entry["event"]["agent"], "monitor-1");
  EXPECT_EQ(entry["event"]["online"][0]["serial"], "chip-1");
  EXPECT_EQ(entry["envelope"], json::parse(envelope));

  // The same event again is the same event: 200 and the original receipt.
  httplib::Result again = Post(envelope);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(ParseReceipt(again->body)->index, receipt.index);

  EXPECT_EQ(Get("/v1/entries/999")->status, 404);
  httplib::Result bad = Get("/v1/entries/x1");
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(Json(bad)["message"].get<std::string>().find("index"), std::string::npos);
}

TEST_F(LogApiTest, EventsFilterAndPaginate) {
  Start();
  TestAgent a("monitor-a"), b("monitor-b");
  Enrol(a, "monitor");
  Enrol(b, "monitor");
  for (int i = 0; i < 5; ++i) {
    MustSubmit(a.Next("monitor.heartbeat", Heartbeat("site-a", "chip-" + std::to_string(i))));
    MustSubmit(b.Next("monitor.heartbeat", Heartbeat("site-b", "chip-" + std::to_string(i))));
  }
  // `agent` matches what the agent submitted and its own enrolment.
  json page = Json(Get("/v1/events?agent=monitor-a&limit=2"));
  ASSERT_EQ(page["events"].size(), 2u);
  std::vector<uint64_t> seen;
  while (true) {
    for (const json& e : page["events"]) {
      json event = e["event"];
      EXPECT_TRUE(event["agent"] == "monitor-a" || event["enroll"]["agent"] == "monitor-a");
      seen.push_back(e["index"]);
    }
    if (page["next_cursor"].is_null()) break;
    page = Json(
        Get("/v1/events?agent=monitor-a&limit=2&cursor=" + page["next_cursor"].get<std::string>()));
  }
  ASSERT_EQ(seen.size(), 6u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));  // newest last

  EXPECT_EQ(Json(Get("/v1/events?site=site-b"))["events"].size(), 5u);
  EXPECT_EQ(Json(Get("/v1/events?serial=chip-3"))["events"].size(), 2u);
  EXPECT_EQ(Json(Get("/v1/events?type=agent.enrolled"))["events"].size(), 3u);  // + genesis
  EXPECT_EQ(
      Json(Get("/v1/events?type=monitor.heartbeat&serial=chip-0&agent=monitor-b"))["events"].size(),
      1u);
  EXPECT_EQ(Json(Get("/v1/events?since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z"))["events"]
                .size(),
            0u);
  EXPECT_EQ(
      Json(Get("/v1/events?since=2000-01-01T00:00:00Z&type=monitor.heartbeat"))["events"].size(),
      10u);

  for (const char* query :
       {"limit=0", "limit=1001", "type=no.such", "since=yesterday", "cursor=-1", "colour=red"}) {
    httplib::Result res = Get(std::string("/v1/events?") + query);
    EXPECT_EQ(res->status, 400) << query;
    std::string param = std::string(query).substr(0, std::string(query).find('='));
    EXPECT_NE(Json(res)["message"].get<std::string>().find(param), std::string::npos) << query;
  }
}

TEST_F(LogApiTest, ProofsVerifyAgainstCheckpoints) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  Checkpoint old_checkpoint = CurrentCheckpoint();
  std::vector<Receipt> receipts;
  for (int i = 0; i < 6; ++i) {
    receipts.push_back(
        MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c" + std::to_string(i)))));
  }
  Checkpoint now = CurrentCheckpoint();
  for (const Receipt& r : receipts) {
    json proof = Json(Get("/v1/proofs/inclusion?index=" + std::to_string(r.index) +
                          "&tree_size=" + std::to_string(now.size)));
    EXPECT_EQ(proof["leaf_hash"], ToHex(r.leaf_hash));
    EXPECT_TRUE(VerifyInclusion(r.index, now.size, r.leaf_hash, Hashes(proof["hashes"]), now.root));
  }
  json consistency = Json(Get("/v1/proofs/consistency?old=" + std::to_string(old_checkpoint.size) +
                                  "&new=" + std::to_string(now.size),
                              "witness"));
  EXPECT_TRUE(VerifyConsistency(old_checkpoint.size, now.size, old_checkpoint.root, now.root,
                                Hashes(consistency["hashes"])));
  EXPECT_EQ(Get("/v1/proofs/inclusion?index=99")->status, 400);
  EXPECT_EQ(Get("/v1/proofs/consistency?old=0&new=2")->status, 400);
  EXPECT_EQ(Get("/v1/proofs/consistency?new=2")->status, 400);
}

TEST_F(LogApiTest, TilesServeTheTree) {
  Start();
  Checkpoint checkpoint = CurrentCheckpoint();  // the genesis enrolment only
  ASSERT_EQ(checkpoint.size, 1u);
  httplib::Result partial = Get("/tile/0/000.p/1");
  ASSERT_EQ(partial->status, 200) << partial->body;
  EXPECT_EQ(partial->body.size(), 32u);
  EXPECT_EQ(partial->get_header_value("Cache-Control").find("immutable"), std::string::npos);
  Result<std::vector<std::string>> bundle = DecodeEntryBundle(Get("/tile/entries/000.p/1")->body);
  ASSERT_TRUE(bundle.ok());
  ASSERT_EQ(bundle->size(), 1u);
  EXPECT_EQ(ToHex(LeafHash((*bundle)[0])), ToHex(checkpoint.root));  // a one-leaf tree

  EXPECT_EQ(Get("/tile/0/000")->status, 404);      // not full yet
  EXPECT_EQ(Get("/tile/0/000.p/2")->status, 404);  // beyond the tree
  EXPECT_EQ(Get("/tile/0/banana")->status, 400);

  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  for (int i = 0; i < 254; ++i) {
    MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c" + std::to_string(i))));
  }
  httplib::Result full = Get("/tile/0/000");
  ASSERT_EQ(full->status, 200);
  EXPECT_EQ(full->body.size(), 256u * 32);
  EXPECT_EQ(full->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(full->body.substr(0, 32), partial->body);
}

TEST_F(LogApiTest, RestartKeepsTheLogAndExtendsIt) {
  Start();
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c1")));
  Checkpoint before = CurrentCheckpoint();
  ASSERT_EQ(daemon_->Terminate(), 0);  // SIGTERM: graceful, exit 0

  Start();
  EXPECT_EQ(CurrentCheckpoint().size, before.size);
  Receipt r = MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", "c2")));
  EXPECT_EQ(r.index, before.size);
  Checkpoint after = CurrentCheckpoint();
  json proof = Json(Get("/v1/proofs/consistency?old=" + std::to_string(before.size) +
                        "&new=" + std::to_string(after.size)));
  EXPECT_TRUE(
      VerifyConsistency(before.size, after.size, before.root, after.root, Hashes(proof["hashes"])));
}

// Two servers on one port would each take a share of the agents' connections, unnoticed.
TEST_F(LogApiTest, ASecondServerCannotTakeTheSamePort) {
  Start();
  std::string other = dir_.path() + "/other";
  ASSERT_TRUE(
      api::RunCommand(kChipledgerd,
                      {"init", "--data", other, "--origin", "other.chipledger.example/log",
                       "--authority", authority_.id() + "=" + authority_.public_key_base64()})
          .ok());
  std::string listen = daemon_->host() + ":" + std::to_string(daemon_->port());
  Result<std::unique_ptr<api::Daemon>> second = api::Daemon::Start(
      kChipledgerd, {"--data", other, "--listen", listen}, dir_.path() + "/second.log");
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(Get("/healthz", "")->status, 200);  // the first one still serves
}

TEST_F(LogApiTest, RecordViewsFollowTheLog) {
  Start();
  TestAgent exporter("exporter-1"), operator_("operator-1");
  MustSubmit(authority_.Next(
      "party.registered",
      {{"party", {{"id", "p-1"}, {"name", "End User"}, {"country", "NL"}, {"kind", "end_user"}}}}));
  MustSubmit(authority_.Next("site.registered", {{"site",
                                                  {{"id", "site-1"},
                                                   {"party", "p-1"},
                                                   {"name", "DC"},
                                                   {"country", "NL"},
                                                   {"lat", 52.0},
                                                   {"lon", 4.0}}}}));
  Enrol(exporter, "exporter");
  Enrol(operator_, "site_operator", json::array({"site-1"}));
  MustSubmit(
      exporter.Next("shipment.dispatched", {{"shipment", "sh-1"},
                                            {"license", "lic-1"},
                                            {"consignee", "p-1"},
                                            {"destination_site", "site-1"},
                                            {"chips", {{{"serial", "SN1"}, {"model", "X100"}}}},
                                            {"seals", json::array()},
                                            {"route", json::array({"NL"})}}));
  MustSubmit(operator_.Next(
      "shipment.received",
      {{"shipment", "sh-1"}, {"site", "site-1"}, {"chips", {"SN1"}}, {"seals", json::array()}}));
  MustSubmit(operator_.Next(
      "chip.installed", {{"site", "site-1"}, {"chips", {{{"serial", "SN1"}, {"host", "h-7"}}}}}));

  json chip = Json(Get("/v1/chips/SN1"));
  EXPECT_EQ(chip["state"]["status"], "installed");
  EXPECT_EQ(chip["state"]["site"], "site-1");
  EXPECT_EQ(chip["state"]["host"], "h-7");
  EXPECT_EQ(chip["state"]["license"], "lic-1");
  EXPECT_EQ(chip["history"].size(), 3u);
  EXPECT_EQ(Get("/v1/chips/SN404")->status, 404);

  json site = Json(Get("/v1/sites/site-1"));
  EXPECT_EQ(site["record"]["party"], "p-1");
  EXPECT_GE(site["events"].size(), 3u);
  EXPECT_EQ(Json(Get("/v1/parties/p-1"))["record"]["kind"], "end_user");
  json agent = Json(Get("/v1/agents/operator-1"));
  EXPECT_EQ(agent["state"]["role"], "site_operator");
  EXPECT_EQ(agent["state"]["last_seq"], 2);
  EXPECT_EQ(agent["state"]["revoked"], false);
  EXPECT_EQ(Get("/v1/licenses/lic-1")->status, 404);  // dispatched under, never issued
  EXPECT_EQ(Get("/v1/sites/nowhere")->status, 404);
}

// A client that sends half a request and stops holds only its own connection: submissions from
// others are still admitted and acknowledged.
TEST_F(LogApiTest, StuckClientDoesNotStallSubmissions) {
  Start({{"limits", {{"max_connections", 4}}}});
  TestAgent monitor("monitor-1");
  Enrol(monitor, "monitor");
  int stuck = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(daemon_->port()));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(connect(stuck, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  std::string partial = "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{";
  ASSERT_EQ(write(stuck, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  for (int i = 0; i < 5; ++i) {
    Receipt r = MustSubmit(monitor.Next("monitor.heartbeat", Heartbeat("s", std::to_string(i))));
    EXPECT_TRUE(VerifyReceipt(r, log_key_).ok());
  }
  close(stuck);
}

TEST_F(LogApiTest, LiveAuditServesFindingsAndASignedWhiteList) {
  Start();
  TestAgent operator_("operator-1");
  Enrol(operator_, "site_operator");
  MustSubmit(
      operator_.Next("shipment.received", {{"shipment", "sh-1"},
                                           {"site", "site-1"},
                                           {"chips", {"SN1"}},
                                           {"seals", {{{"id", "seal-1"}, {"intact", false}}}}}));
  httplib::Result res = Get("/v1/findings?rule=D12");
  ASSERT_EQ(res->status, 200) << res->body;
  json findings = Json(res)["findings"];
  ASSERT_EQ(findings.size(), 1u) << res->body;
  EXPECT_EQ(findings[0]["subject"]["kind"], "seal");
  EXPECT_EQ(findings[0]["status"], "open");
  EXPECT_EQ(Get("/v1/findings?severity=dire")->status, 400);

  json payload = SignedWhitelist();
  EXPECT_TRUE(payload["end_users"].is_array());
  EXPECT_TRUE(VerifyCheckpoint(payload["checkpoint"].get<std::string>(), log_key_).ok());
  EXPECT_EQ(Get("/v1/whitelist", "witness")->status, 403);
}

// A signed white list is computed on exactly the entries of the checkpoint it names, even while
// registrations keep arriving.
TEST_F(LogApiTest, WhiteListCountsExactlyTheEntriesOfItsCheckpoint) {
  Start();
  constexpr int kParties = 40;
  std::vector<uint64_t> registered_at(kParties);  // the entry index of each registration
  std::atomic<bool> done{false};
  std::thread writer([&] {
    httplib::Client client(daemon_->host(), daemon_->port());
    for (int i = 0; i < kParties; ++i) {
      std::string id = "p-" + std::to_string(i);
      httplib::Result res = client.Post(
          "/v1/events",
          authority_.Next(
              "party.registered",
              {{"party", {{"id", id}, {"name", id}, {"country", "NL"}, {"kind", "end_user"}}}}),
          "application/json");
      registered_at[i] = res && res->status == 201 ? Json(res)["index"].get<uint64_t>() : 0;
    }
    done = true;
  });
  std::vector<json> lists;
  while (!done) lists.push_back(SignedWhitelist());
  writer.join();
  lists.push_back(SignedWhitelist());
  for (const json& list : lists) {
    Result<Checkpoint> checkpoint =
        VerifyCheckpoint(list["checkpoint"].get<std::string>(), log_key_);
    ASSERT_TRUE(checkpoint.ok());
    size_t counted = std::count_if(registered_at.begin(), registered_at.end(),
                                   [&](uint64_t i) { return i > 0 && i < checkpoint->size; });
    EXPECT_EQ(list["end_users"].size(), counted) << "checkpoint size " << checkpoint->size;
  }
  EXPECT_EQ(lists.back()["end_users"].size(), static_cast<size_t>(kParties));
}

}  // namespace
}  // namespace chipledger::testing
