// Issue 13: every record view comes from the live audit engine's state. The batch audit
// (chipledger-audit over the data directory, and the same engine replaying it in-process) and the
// real chipledgerd read the same log; every view, list page and finding must agree, with the
// auditor's words (in_transit, suspended …) and numbers.
#include <algorithm>
#include <map>
#include <set>

#include "api/ledger_store.h"
#include "auditor/engine.h"
#include "ledger/entry.h"
#include "ledger/ledger.h"
#include "tests/api/daemon_fixture.h"
#include "tests/testing/shell.h"

namespace chipledger::testing {
namespace {

using nlohmann::json;

const std::string kAudit = CHIPLEDGER_BINARY_DIR "/auditor/chipledger-audit";

class RecordViewsTest : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    Start();
    for (const auto& [id, kind] : std::vector<std::pair<std::string, std::string>>{
             {"acme", "exporter"}, {"helix", "end_user"}, {"sand", "end_user"}}) {
      Register(
          "party.registered",
          {{"party", {{"id", id}, {"name", "Party " + id}, {"country", "NL"}, {"kind", kind}}}});
    }
    for (const auto& [site, party] : std::vector<std::pair<std::string, std::string>>{
             {"helix-1", "helix"}, {"helix-2", "helix"}, {"sand-1", "sand"}}) {
      Register("site.registered", {{"site",
                                    {{"id", site},
                                     {"party", party},
                                     {"name", site + " hall"},
                                     {"country", "NL"},
                                     {"lat", 52.0},
                                     {"lon", 4.0}}}});
    }
    Register("license.issued", {{"license",
                                 {{"id", "lic-1"},
                                  {"exporter", "acme"},
                                  {"end_user", "helix"},
                                  {"sites", {"helix-1", "helix-2"}},
                                  {"models", {"H100"}},
                                  {"max_quantity", 5},
                                  {"purposes", {"life_sciences"}},
                                  {"valid_from", FormatTime(AddSeconds(Now(), -30 * 86400))},
                                  {"valid_until", FormatTime(AddSeconds(Now(), 365 * 86400))}}}});
    for (const auto& [party, status] : std::vector<std::pair<std::string, std::string>>{
             {"helix", "approved"}, {"sand", "approved"}, {"sand", "suspended"}}) {
      Register("whitelist.decision", {{"party", party}, {"status", status}, {"reason", "review"}});
    }
    Enrol(exporter_, "exporter");
    Enrol(operator_, "site_operator", json::array({"helix-1", "helix-2"}));
    Enrol(inspector_, "inspector");
    Enrol(monitor_, "monitor", json::array({"helix-1"}));
    Dispatch("sh-1", {"C1", "C2", "C3", "C4"}, "helix-1");
    Dispatch("sh-2", {"C5", "C6"}, "helix-2");  // 6 chips under a license of 5: L2
    MustSubmit(operator_.Next("shipment.received",
                              {{"shipment", "sh-1"},
                               {"site", "helix-1"},
                               {"chips", {"C1", "C2", "C3", "C4"}},
                               {"seals", {{{"id", "seal-sh-1"}, {"intact", true}}}}}));
    json installed = json::array();
    for (const char* serial : {"C1", "C2", "C3"}) {
      installed.push_back({{"serial", serial}, {"host", "node-1"}});
    }
    MustSubmit(operator_.Next("chip.installed", {{"site", "helix-1"}, {"chips", installed}}));
    std::string now = FormatTime(Now());
    MustSubmit(
        monitor_.Next("monitor.heartbeat", {{"site", "helix-1"},
                                            {"window_start", now},
                                            {"window_end", now},
                                            {"online", {{{"serial", "C1"}}, {{"serial", "C2"}}}}}));
    // C3 installed but not observed: D5, the material balance missing C3.
    MustSubmit(
        inspector_.Next("inspection.performed",
                        {{"inspection", "insp-1"},
                         {"site", "helix-1"},
                         {"kind", "routine"},
                         {"observed", {{{"serial", "C1"}}, {{"serial", "C2"}}, {{"serial", "C4"}}}},
                         {"seals", json::array()},
                         {"purpose_observed", "life_sciences"},
                         {"evidence", json::array()},
                         {"result", "pass"}}));
  }

  void Register(const std::string& type, const json& fields) {
    MustSubmit(authority_.Next(type, fields));
  }

  void Dispatch(const std::string& shipment, const std::vector<std::string>& serials,
                const std::string& site) {
    json chips = json::array();
    for (const auto& serial : serials) chips.push_back({{"serial", serial}, {"model", "H100"}});
    MustSubmit(exporter_.Next("shipment.dispatched", {{"shipment", shipment},
                                                      {"license", "lic-1"},
                                                      {"consignee", "helix"},
                                                      {"destination_site", site},
                                                      {"chips", chips},
                                                      {"seals", {"seal-" + shipment}},
                                                      {"route", {"NL"}}}));
  }

  json Ok(const std::string& path) {
    httplib::Result res = Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return nullptr;
    EXPECT_EQ(res->status, 200) << path << ": " << res->body;
    return Json(res);
  }

  // Every page of a paged route, `limit` at a time, following next_cursor; `key` holds the items.
  json AllPages(const std::string& path, const std::string& key = "items", int limit = 2) {
    json all = json::array();
    std::string cursor;
    for (int pages = 0; pages < 100; ++pages) {
      std::string sep = path.find('?') == std::string::npos ? "?" : "&";
      json page = Ok(path + sep + "limit=" + std::to_string(limit) +
                     (cursor.empty() ? "" : "&cursor=" + cursor));
      if (!page.is_object()) break;
      EXPECT_LE(page[key].size(), static_cast<size_t>(limit)) << path;
      for (json& item : page[key]) all.push_back(std::move(item));
      if (page["next_cursor"].is_null()) return all;
      cursor = page["next_cursor"].get<std::string>();
    }
    ADD_FAILURE() << path << ": paging did not end";
    return all;
  }

  // The batch side: the same engine replaying the served ledger (opened read-only).
  void Replay(audit::Engine* engine) {
    OpenOptions options;
    options.read_only = true;
    Result<std::unique_ptr<Ledger>> ledger =
        api::OpenLedger({.data = data_, .store = postgres_url_}, options);
    ASSERT_TRUE(ledger.ok()) << ledger.status().ToString();
    for (uint64_t index = 0; index < (*ledger)->size(); ++index) {
      Result<LogEntry> entry = ParseEntry((*ledger)->EntryBytes(index).value());
      ASSERT_TRUE(entry.ok());
      Result<Event> event = ParseEvent(entry->envelope.payload);
      ASSERT_TRUE(event.ok());
      engine->Apply(*entry, *event);
    }
  }

  TestAgent exporter_{"exporter-1"}, operator_{"operator-1"}, inspector_{"inspector-1"},
      monitor_{"monitor-1"};
};

TEST_F(RecordViewsTest, FindingsAndWhiteListEqualTheBatchAudit) {
  if (OnPostgres()) GTEST_SKIP() << "chipledger-audit reads a RocksDB data directory (no --store)";
  std::string out = dir_.path() + "/audit";
  Outcome run = Shell(Quote(kAudit) + " --data " + Quote(data_) + " --log-key " +
                      Quote(FormatVerifierKey(log_key_)) + " --out " + Quote(out) + " 2>&1");
  ASSERT_EQ(run.code, 1) << run.out;  // critical findings, integrity intact
  json report = json::parse(ReadFile(out + "/report.json"), nullptr, false);
  ASSERT_TRUE(report.is_object()) << run.out;

  json findings = AllPages("/v1/findings", "findings");
  EXPECT_EQ(findings, report["findings"]);
  std::set<std::string> rules;
  for (const json& f : findings) rules.insert(f["rule"].get<std::string>());
  EXPECT_TRUE(rules.count("D5") && rules.count("L2")) << findings.dump();

  for (const json& entry : report["whitelist"]) {
    std::string party = entry["party"].get<std::string>();
    json standing = Ok("/v1/parties/" + party)["state"]["whitelist"];
    ASSERT_TRUE(standing.is_object()) << party;
    EXPECT_FALSE(standing["why"].empty()) << party;
    standing.erase("why");
    EXPECT_EQ(standing, entry) << party;
  }
  json sand = Ok("/v1/parties/sand")["state"];
  EXPECT_EQ(sand["whitelist"]["status"], "suspended");
  EXPECT_EQ(sand["decision"], "suspended");
  EXPECT_NE(sand["whitelist"]["why"].dump().find("suspended"), std::string::npos);
  EXPECT_EQ(Ok("/v1/parties/helix")["state"]["whitelist"]["status"], "suspended");  // D5, L2
  EXPECT_EQ(Ok("/v1/parties/acme")["state"]["whitelist"], nullptr);  // not an end user
  EXPECT_EQ(AllPages("/v1/parties?status=suspended").size(), 2u);
}

// After its first read the live audit replaces only the findings that entries or time changed
// (api/engine_audit.h, FindingView): after new findings, more evidence and a resolution arrive
// between reads, its findings, counts and white list are still those of a full replay.
TEST_F(RecordViewsTest, FindingsKeptUpToDateEqualAFullReplay) {
  json first = AllPages("/v1/findings", "findings", 100);  // the view is built here
  ASSERT_FALSE(first.empty());
  Dispatch("sh-3", {"C7"}, "helix-1");  // L2 again: more evidence on the same finding
  MustSubmit(
      exporter_.Next("shipment.dispatched", {{"shipment", "sh-none"},
                                             {"license", "lic-none"},
                                             {"consignee", "sand"},
                                             {"destination_site", "sand-1"},
                                             {"chips", {{{"serial", "N1"}, {"model", "H100"}}}},
                                             {"seals", {"seal-sh-none"}},
                                             {"route", {"NL"}}}));  // L1: a new finding
  std::string d5 = audit::FindingId("D5", "chip", "C3");
  Register("finding.resolved", {{"finding", d5}, {"resolution", "found"}});
  json served = AllPages("/v1/findings", "findings", 100);
  json counts = Ok("/v1/findings/counts?status=open");
  json helix = Ok("/v1/parties/helix")["state"]["whitelist"];

  audit::Engine engine;
  Replay(&engine);
  json replayed = json::array();
  for (const audit::Finding& finding : engine.Findings(Now())) {
    replayed.push_back(audit::FindingToJson(finding));
  }
  EXPECT_EQ(served, replayed);
  EXPECT_NE(served, first);
  auto status_of = [&](const std::string& id) {
    for (const json& f : served) {
      if (f["id"] == id) return f["status"].get<std::string>();
    }
    return std::string("absent");
  };
  EXPECT_EQ(status_of(d5), "resolved");
  EXPECT_EQ(status_of(audit::FindingId("L1", "shipment", "sh-none")), "open");
  uint64_t open = 0;
  for (const json& f : replayed) open += f["status"] == "open" ? 1 : 0;
  EXPECT_EQ(counts["total"], open);
  helix.erase("why");
  for (const audit::WhitelistEntry& entry : engine.Whitelist(Now())) {
    if (entry.party == "helix") {
      EXPECT_EQ(helix, audit::WhitelistEntryToJson(entry));
    }
  }
}

TEST_F(RecordViewsTest, FindingsFilterAndPage) {
  json all = AllPages("/v1/findings", "findings", 100);
  ASSERT_GE(all.size(), 2u);
  json critical = AllPages("/v1/findings?severity=critical", "findings", 1);
  for (const json& f : critical) EXPECT_EQ(f["severity"], "critical");
  json d5 = AllPages("/v1/findings?rule=D5&subject_kind=chip&subject_id=C3", "findings");
  ASSERT_EQ(d5.size(), 1u);
  EXPECT_EQ(d5[0]["site"], "helix-1");
  uint64_t latest = d5[0]["evidence"].back().get<uint64_t>();
  for (const json& f : AllPages("/v1/findings?since=" + std::to_string(latest), "findings")) {
    EXPECT_GE(f["evidence"].back().get<uint64_t>(), latest);
  }
  EXPECT_EQ(Get("/v1/findings?cursor=nosuchfinding")->status, 400);
  EXPECT_EQ(Get("/v1/findings?limit=0")->status, 400);
  EXPECT_EQ(Get("/v1/findings?since=x")->status, 400);
}

// The counts the console's overview shows are those of the findings pages, filter for filter.
TEST_F(RecordViewsTest, FindingCountsEqualTheFindingsTheyCount) {
  // Filters on what findings share (counted by group) and on each one (subject, since: visited).
  for (const std::string filter :
       {"", "status=open", "severity=critical", "site=helix-1", "rule=L2&status=open",
        "subject_kind=shipment&subject_id=sh-2", "since=20", "party=helix&since=1"}) {
    json findings = AllPages("/v1/findings?" + filter, "findings", 100);
    json counts = Ok("/v1/findings/counts?" + filter);
    EXPECT_EQ(counts["total"], findings.size()) << filter;
    std::map<std::string, uint64_t> by_rule,
        by_severity = {{"medium", 0}, {"high", 0}, {"critical", 0}};
    std::map<std::string, uint64_t> by_status = {{"open", 0}, {"resolved", 0}};
    for (const json& f : findings) {
      ++by_rule[f["rule"].get<std::string>()];
      ++by_severity[f["severity"].get<std::string>()];
      ++by_status[f["status"].get<std::string>()];
    }
    EXPECT_EQ(counts["by_rule"], json(by_rule)) << filter;
    EXPECT_EQ(counts["by_severity"], json(by_severity)) << filter;
    EXPECT_EQ(counts["by_status"], json(by_status)) << filter;
    EXPECT_EQ(counts["tree_size"], Ok("/healthz")["tree_size"]) << filter;
  }
  EXPECT_EQ(Get("/v1/findings/counts?severity=dire")->status, 400);
  EXPECT_EQ(Get("/v1/findings/counts?limit=5")->status, 400);  // counts do not page
}

TEST_F(RecordViewsTest, ShipmentViewListsItsChipsAndFindings) {
  json shipment = Ok("/v1/shipments/sh-2");
  json state = shipment["state"];
  EXPECT_EQ(state["chips"], json({"C5", "C6"}));
  EXPECT_EQ(state["status"], "in_transit");
  EXPECT_EQ(state["destination_site"], "helix-2");
  EXPECT_EQ(state["license"], "lic-1");
  EXPECT_EQ(state["received"], nullptr);
  json listed = AllPages("/v1/shipments?license=lic-1");
  ASSERT_EQ(listed.size(), 2u);
  json item = listed[1];
  EXPECT_EQ(item["chips"], 2);
  item.erase("id");
  item.erase("chips");
  state.erase("chips");
  EXPECT_EQ(state, item);  // the same words as the list
  EXPECT_EQ(Ok("/v1/shipments/sh-1")["state"]["status"], "received");
  for (const json& f : shipment["open_findings"]) {
    EXPECT_EQ(f["subject"]["kind"], "shipment");
    EXPECT_EQ(f["subject"]["id"], "sh-2");
  }
  httplib::Result missing = Get("/v1/shipments/sh-9");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json(missing)["error"], "not_found");
}

// A record view shows the first 100 of its open findings, in report order, and counts them all: a
// site with 105 (one L1 per shipment under a license never issued) lists the first page of
// /v1/findings?site=&status=open, and its total is that of /v1/findings/counts.
TEST_F(RecordViewsTest, RecordViewsShowTheFirstOpenFindingsAndCountThemAll) {
  for (int n = 0; n < 105; ++n) {
    std::string shipment = "sh-none-" + std::to_string(n);
    MustSubmit(
        exporter_.Next("shipment.dispatched",
                       {{"shipment", shipment},
                        {"license", "lic-none"},
                        {"consignee", "sand"},
                        {"destination_site", "sand-1"},
                        {"chips", {{{"serial", "N" + std::to_string(n)}, {"model", "H100"}}}},
                        {"seals", {"seal-" + shipment}},
                        {"route", {"NL"}}}));
  }
  json site = Ok("/v1/sites/sand-1");
  json counts = Ok("/v1/findings/counts?site=sand-1&status=open");
  EXPECT_GE(counts["total"], 105);
  EXPECT_EQ(site["open_findings_total"], counts["total"]);
  EXPECT_EQ(site["open_findings"],
            Ok("/v1/findings?site=sand-1&status=open&limit=100")["findings"]);
  json shipment = Ok("/v1/shipments/sh-none-7");
  ASSERT_EQ(shipment["open_findings"].size(), 1u);
  EXPECT_EQ(shipment["open_findings_total"], 1);
  EXPECT_EQ(shipment["open_findings"][0]["rule"], "L1");
  EXPECT_EQ(Ok("/v1/chips/C1")["open_findings_total"], Ok("/v1/chips/C1")["open_findings"].size());
}

// /v1/events keeps SPEC's whole entries unless asked for summaries; histories the reverse.
TEST_F(RecordViewsTest, EventListsSummariseOnRequest) {
  json full = Ok("/v1/events?serial=C1&limit=100")["events"];
  json summaries = Ok("/v1/events?serial=C1&limit=100&view=summary")["events"];
  ASSERT_EQ(full.size(), 5u);
  ASSERT_EQ(summaries.size(), full.size());
  for (size_t i = 0; i < full.size(); ++i) {
    EXPECT_TRUE(full[i].contains("envelope"));
    EXPECT_EQ(summaries[i].size(), 6u);
    EXPECT_EQ(summaries[i]["index"], full[i]["index"]);
    EXPECT_EQ(summaries[i]["type"], full[i]["event"]["type"]);
  }
  json history = Ok("/v1/chips/C1/events?view=full&limit=100")["items"];
  ASSERT_EQ(history.size(), full.size());
  EXPECT_EQ(history.front(), full.back());  // newest first, whole entries
  EXPECT_EQ(Get("/v1/events?view=everything")->status, 400);
  EXPECT_EQ(Get("/v1/sites/helix-1/events?view=brief")->status, 400);
}

TEST_F(RecordViewsTest, RecordViewsEqualTheEngineReplayingTheLog) {
  json chips = {"C1", "C2", "C3", "C4", "C5", "C6"};
  json sites = {"helix-1", "helix-2", "sand-1"};
  json parties = {"acme", "helix", "sand"};
  // Served first, replayed second: nothing is appended in between.
  std::map<std::string, json> served;
  for (const json& serial : chips)
    served["chip " + serial.get<std::string>()] =
        Ok("/v1/chips/" + serial.get<std::string>())["state"];
  for (const json& site : sites)
    served["site " + site.get<std::string>()] = Ok("/v1/sites/" + site.get<std::string>())["state"];
  for (const json& party : parties)
    served["party " + party.get<std::string>()] =
        Ok("/v1/parties/" + party.get<std::string>())["state"];
  served["license lic-1"] = Ok("/v1/licenses/lic-1")["state"];
  std::map<std::string, json> lists;
  for (const char* list : {"/v1/sites", "/v1/parties", "/v1/licenses", "/v1/agents",
                           "/v1/shipments", "/v1/chips?site=helix-1", "/v1/chips?site=helix-2"}) {
    lists[list] = AllPages(list);
  }

  audit::Engine engine;
  Replay(&engine);
  Timestamp as_of = Now();
  std::vector<audit::WhitelistEntry> whitelist = engine.Whitelist(as_of);
  for (const json& serial : chips) {
    json state = served["chip " + serial.get<std::string>()];
    if (state["last_seen"].is_object()) state["last_seen"].erase("type");
    EXPECT_EQ(state, engine.ChipState(serial.get<std::string>())) << serial;
  }
  for (const json& site : sites) {
    json expected = engine.SiteState(site.get<std::string>(), as_of, 24);
    json state = served["site " + site.get<std::string>()];
    for (json* view : {&expected, &state}) (*view)["coverage"].erase("since");  // as of now
    EXPECT_EQ(state, expected) << site;
  }
  for (const json& party : parties) {
    EXPECT_EQ(served["party " + party.get<std::string>()],
              engine.PartyState(party.get<std::string>(), as_of, whitelist))
        << party;
  }
  json license = served["license lic-1"];
  license.erase("shipments");
  license.erase("shipments_next_cursor");
  EXPECT_EQ(license, engine.LicenseState("lic-1", as_of));
  for (const auto& [path, items] : lists) {
    audit::Engine::ListQuery query;
    query.limit = 1000;
    query.as_of = as_of;
    query.whitelist = &whitelist;
    std::string kind = path.substr(
        4, path.find('?') == std::string::npos ? std::string::npos : path.find('?') - 4);
    if (path.find("site=") != std::string::npos)
      query.filters["site"] = path.substr(path.find('=') + 1);
    Result<audit::Engine::ListPage> page = engine.List(kind, query);
    ASSERT_TRUE(page.ok()) << path;
    EXPECT_EQ(items, page->items) << path;
  }
}

TEST_F(RecordViewsTest, ViewsSayWhatRegulatorsAsk) {
  json c3 = Ok("/v1/chips/C3");
  EXPECT_EQ(c3["state"]["status"], "installed");
  EXPECT_EQ(c3["state"]["custody"]["holder"], "helix");
  EXPECT_EQ(c3["state"]["site"], "helix-1");
  EXPECT_EQ(c3["open_findings"][0]["rule"], "D5");
  json c1 = Ok("/v1/chips/C1")["state"];
  EXPECT_EQ(c1["last_seen"]["type"], "inspection.performed");
  json c5 = Ok("/v1/chips/C5")["state"];
  EXPECT_EQ(c5["status"], "in_transit");
  EXPECT_EQ(c5["custody"]["holder"], nullptr);
  EXPECT_EQ(c5["custody"]["in_transit_to"], "helix-2");

  json site = Ok("/v1/sites/helix-1")["state"];
  EXPECT_EQ(site["inventory"], json({{"installed", 3}, {"received", 1}, {"in_transit", 0}}));
  EXPECT_EQ(site["balance"]["missing"], json::array({"C3"}));
  EXPECT_EQ(site["balance"]["observed"], json::array({"C1", "C2", "C4"}));
  EXPECT_EQ(site["coverage"]["online"], 2);
  EXPECT_EQ(site["coverage"]["dark"], json::array({"C3"}));
  EXPECT_EQ(site["inspection"]["overdue"], false);
  EXPECT_EQ(Ok("/v1/sites/helix-2")["state"]["inventory"]["in_transit"], 2);

  json license = Ok("/v1/licenses/lic-1")["state"];
  EXPECT_EQ(license["quantity_used"], 6);
  EXPECT_EQ(license["remaining"], 0);
  EXPECT_EQ(license["status"], "active");
  EXPECT_EQ(license["shipments"].size(), 2u);

  auto ids = [](const json& items, const char* key) {
    std::vector<std::string> out;
    for (const json& item : items) out.push_back(item[key].get<std::string>());
    return out;
  };
  EXPECT_EQ(ids(AllPages("/v1/chips?site=helix-1&status=installed"), "serial"),
            (std::vector<std::string>{"C1", "C2", "C3"}));
  EXPECT_EQ(ids(AllPages("/v1/chips?site=helix-1"), "serial"),  // received ones too
            (std::vector<std::string>{"C1", "C2", "C3", "C4"}));
  EXPECT_EQ(ids(AllPages("/v1/chips?site=helix-2&status=in_transit"), "serial"),
            (std::vector<std::string>{"C5", "C6"}));
  EXPECT_EQ(ids(AllPages("/v1/sites?party=helix"), "id"),
            (std::vector<std::string>{"helix-1", "helix-2"}));
  EXPECT_EQ(ids(AllPages("/v1/shipments?status=in_transit"), "id"),
            (std::vector<std::string>{"sh-2"}));
  EXPECT_EQ(ids(AllPages("/v1/agents?site=helix-1"), "id"),
            (std::vector<std::string>{"monitor-1", "operator-1"}));
  EXPECT_EQ(ids(AllPages("/v1/agents?role=inspector"), "id"),
            (std::vector<std::string>{"inspector-1"}));
  EXPECT_EQ(Get("/v1/chips")->status, 400);  // site required
  EXPECT_EQ(Get("/v1/licenses?status=dormant")->status, 400);
  EXPECT_EQ(Get("/v1/sites?colour=red")->status, 400);
}

// Histories are summaries, newest first, and the pages cover the history once.
TEST_F(RecordViewsTest, HistoriesPageNewestFirst) {
  json chip = Ok("/v1/chips/C1");
  json embedded = chip["history"];
  ASSERT_EQ(embedded.size(), 5u);  // dispatched, received, installed, heartbeat, inspection
  EXPECT_EQ(embedded[0]["type"], "inspection.performed");
  EXPECT_EQ(embedded[4]["type"], "shipment.dispatched");
  EXPECT_EQ(embedded[0].size(), 6u);  // index, integrated_time, type, agent, time, site
  EXPECT_EQ(embedded[0]["site"], "helix-1");
  EXPECT_EQ(AllPages("/v1/chips/C1/events", "items", 2), embedded);
  json site = AllPages("/v1/sites/helix-1/events", "items", 3);
  for (size_t i = 1; i < site.size(); ++i) {
    EXPECT_GT(site[i - 1]["index"].get<uint64_t>(), site[i]["index"].get<uint64_t>());
  }
  json heartbeats = AllPages("/v1/agents/monitor-1/events?type=monitor.heartbeat", "items");
  ASSERT_EQ(heartbeats.size(), 1u);
  EXPECT_EQ(heartbeats[0]["agent"], "monitor-1");
  json events = Ok("/v1/events?order=newest_first&limit=2");
  ASSERT_EQ(events["events"].size(), 2u);
  EXPECT_GT(events["events"][0]["index"].get<uint64_t>(),
            events["events"][1]["index"].get<uint64_t>());
  EXPECT_EQ(Get("/v1/events?order=sideways")->status, 400);
  EXPECT_EQ(Get("/v1/chips/NOPE")->status, 404);
}

}  // namespace
}  // namespace chipledger::testing
