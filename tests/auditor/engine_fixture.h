// A small world for the rule engine's tests: real agents sign real envelopes, which go through
// ParseEnvelope/ParseEvent into chained LogEntries fed to audit::Engine, as the auditor does.
#ifndef CHIPLEDGER_TESTS_AUDITOR_ENGINE_FIXTURE_H_
#define CHIPLEDGER_TESTS_AUDITOR_ENGINE_FIXTURE_H_

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "auditor/engine.h"
#include "ledger/entry.h"
#include "ledger/event.h"
#include "tests/testing/test_agent.h"

namespace chipledger::audit::testing {

using chipledger::testing::TestAgent;
using nlohmann::json;

// Day d (fractional) after 2026-01-01T00:00:00Z.
inline Timestamp Day(double d) {
  return AddSeconds(ParseTime("2026-01-01T00:00:00Z", "t").value(), d * 86400);
}
inline Timestamp Hour(double h) { return Day(h / 24); }

inline std::vector<std::string> Serials(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + "-" + std::to_string(i));
  return out;
}

struct InspectOptions {
  TestAgent* agent = nullptr;  // default: the joint inspector `insp`
  std::vector<const TestAgent*> cosigners;
  std::optional<std::vector<std::string>> sampled;
  std::optional<std::string> check;
  std::string purpose = "life_sciences";
  std::map<std::string, std::string> attested;  // serial -> attested_id
  std::vector<std::pair<std::string, bool>> seals;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest()
      : log_("log"),
        gov_("gov"),
        exp_("exp"),
        op_("op"),
        op2_("op2"),
        insp_("insp"),
        self_insp_("selfinsp"),
        mon_("mon") {
    InitCrypto();
  }

  void SetUp() override {
    const Timestamp t = Day(-10);
    Append(log_, "agent.enrolled", TestAgent::Enrollment(gov_, "authority", "regulator"), t);
    for (auto [id, name, country, kind] : std::vector<std::array<std::string, 4>>{
             {"regulator", "Regulator", "NL", "authority"},
             {"acme", "Acme Chips", "US", "exporter"},
             {"lab", "Lab Corp", "NL", "end_user"},
             {"lab2", "Other Lab", "AU", "end_user"},
             {"fwd", "Quick Forwarding", "AE", "forwarder"},
             {"ib", "Joint Inspections", "CH", "inspection_body"}}) {
      Register("party.registered",
               {{"party", {{"id", id}, {"name", name}, {"country", country}, {"kind", kind}}}});
    }
    RegisterSite("lab-1", "lab", 52.0, 4.0, 100);
    RegisterSite("lab-2", "lab", 52.3, 4.9, 2);
    RegisterSite("far", "lab2", -33.87, 151.21, std::nullopt);
    Enroll(exp_, "exporter", "acme");
    Enroll(op_, "site_operator", "lab");
    Enroll(op2_, "site_operator", "lab2");
    Enroll(insp_, "inspector", "ib");
    Enroll(self_insp_, "inspector", "lab");
    Enroll(mon_, "monitor", "lab");
    IssueLicense("lic-1", "lab", {"lab-1", "lab-2"}, {"life_sciences"}, json::array({"NL", "DE"}));
    IssueLicense("lic-2", "lab2", {"far"}, {"climate"}, std::nullopt);
  }

  // Signs the next event of `agent` (co-signed by `cosigners`) and feeds it as the next entry,
  // integrated at `integrated` (default: the event's own time).
  uint64_t Append(TestAgent& agent, std::string_view type, const json& fields, Timestamp time,
                  std::optional<Timestamp> integrated = std::nullopt,
                  const std::vector<const TestAgent*>& cosigners = {}) {
    auto envelope = ParseEnvelope(agent.Next(type, fields, time));
    if (!envelope.ok()) {
      ADD_FAILURE() << envelope.status().ToString();
      return index_;
    }
    for (const TestAgent* cosigner : cosigners) SignEnvelope(&envelope.value(), cosigner->key());
    auto event = ParseEvent(envelope->payload);
    if (!event.ok()) {
      ADD_FAILURE() << type << ": " << event.status().ToString();
      return index_;
    }
    LogEntry entry{index_, integrated.value_or(time), prev_, *envelope};
    prev_ = Sha256(std::string(1, '\0') + SerializeEntry(entry));
    engine_.Apply(entry, *event);
    if (time > now_) now_ = time;
    return index_++;
  }

  uint64_t Register(std::string_view type, const json& fields, Timestamp t = Day(-10)) {
    return Append(gov_, type, fields, t);
  }

  void RegisterSite(const std::string& id, const std::string& party, double lat, double lon,
                    std::optional<double> power_kw) {
    json site = {{"id", id},
                 {"party", party},
                 {"name", id + " hall"},
                 {"country", party == "lab2" ? "AU" : "NL"},
                 {"lat", lat},
                 {"lon", lon},
                 {"radius_m", 1000}};
    if (power_kw) site["power_kw"] = *power_kw;
    Register("site.registered", {{"site", site}});
  }

  void Enroll(const TestAgent& agent, const std::string& role, const std::string& org) {
    Register("agent.enrolled", TestAgent::Enrollment(agent, role, org));
  }

  void IssueLicense(const std::string& id, const std::string& end_user,
                    const std::vector<std::string>& sites, const std::vector<std::string>& purposes,
                    std::optional<json> route) {
    json license = {{"id", id},
                    {"exporter", "acme"},
                    {"end_user", end_user},
                    {"sites", sites},
                    {"models", {"H100"}},
                    {"max_quantity", 20},
                    {"purposes", purposes},
                    {"valid_from", FormatTime(Day(-30))},
                    {"valid_until", FormatTime(Day(365))}};
    if (route) license["route"] = *route;
    Register("license.issued", {{"license", license}});
  }

  uint64_t Dispatch(const std::string& shipment, const std::vector<std::string>& serials,
                    Timestamp t, const std::string& license = "lic-1",
                    const std::string& consignee = "lab", const std::string& site = "lab-1",
                    json route = json::array({"NL"}), const std::string& model = "H100") {
    json chips = json::array();
    for (const auto& serial : serials) chips.push_back({{"serial", serial}, {"model", model}});
    return Append(exp_, "shipment.dispatched",
                  {{"shipment", shipment},
                   {"license", license},
                   {"consignee", consignee},
                   {"destination_site", site},
                   {"chips", chips},
                   {"seals", {"seal-" + shipment}},
                   {"route", route}},
                  t);
  }

  TestAgent& OperatorOf(const std::string& site) { return site == "far" ? op2_ : op_; }

  uint64_t Receive(const std::string& shipment, const std::string& site,
                   const std::vector<std::string>& serials, Timestamp t, bool seal_intact = true) {
    return Append(OperatorOf(site), "shipment.received",
                  {{"shipment", shipment},
                   {"site", site},
                   {"chips", serials},
                   {"seals", {{{"id", "seal-" + shipment}, {"intact", seal_intact}}}}},
                  t);
  }

  uint64_t Install(const std::string& site, const std::vector<std::string>& serials, Timestamp t) {
    json chips = json::array();
    for (const auto& serial : serials) chips.push_back({{"serial", serial}, {"host", "node-1"}});
    return Append(OperatorOf(site), "chip.installed", {{"site", site}, {"chips", chips}}, t);
  }

  // Dispatch, receipt one day later and installation the day after, under lic-1 to lab-1.
  void Deliver(const std::string& shipment, const std::vector<std::string>& serials, Timestamp t,
               const std::string& site = "lab-1") {
    bool far = site == "far";
    Dispatch(shipment, serials, t, far ? "lic-2" : "lic-1", far ? "lab2" : "lab", site);
    Receive(shipment, site, serials, AddSeconds(t, 86400));
    Install(site, serials, AddSeconds(t, 2 * 86400));
  }

  uint64_t Inspect(const std::string& id, const std::string& site,
                   const std::vector<std::string>& observed, Timestamp t,
                   const InspectOptions& options = {}) {
    json chips = json::array();
    for (const auto& serial : observed) {
      json chip = {{"serial", serial}};
      if (auto it = options.attested.find(serial); it != options.attested.end()) {
        chip["attested_id"] = it->second;
      }
      chips.push_back(chip);
    }
    json seals = json::array();
    for (const auto& [seal, intact] : options.seals)
      seals.push_back({{"id", seal}, {"intact", intact}});
    json fields = {
        {"inspection", id},          {"site", site},    {"kind", "routine"},
        {"observed", chips},         {"seals", seals},  {"purpose_observed", options.purpose},
        {"evidence", json::array()}, {"result", "pass"}};
    if (options.sampled) fields["sampled"] = *options.sampled;
    if (options.check) fields["check"] = *options.check;
    TestAgent& agent = options.agent ? *options.agent : insp_;
    return Append(agent, "inspection.performed", fields, t, std::nullopt, options.cosigners);
  }

  uint64_t Heartbeat(const std::string& site, const std::vector<std::string>& online,
                     Timestamp window_end,
                     const std::map<std::string, std::string>& attested = {}) {
    json chips = json::array();
    for (const auto& serial : online) {
      json chip = {{"serial", serial}};
      if (auto it = attested.find(serial); it != attested.end()) chip["attested_id"] = it->second;
      chips.push_back(chip);
    }
    return Append(mon_, "monitor.heartbeat",
                  {{"site", site},
                   {"window_start", FormatTime(AddSeconds(window_end, -3600))},
                   {"window_end", FormatTime(window_end)},
                   {"online", chips}},
                  window_end);
  }

  uint64_t Transfer(const std::vector<std::string>& serials, const std::string& from,
                    const std::string& to, Timestamp t, const std::string& license = "lic-1") {
    return Append(op_, "chip.transferred",
                  {{"chips", serials}, {"from_site", from}, {"to_site", to}, {"license", license}},
                  t);
  }

  uint64_t Decommission(const std::string& site, const std::vector<std::string>& serials,
                        Timestamp t, const std::string& disposition = "destroyed") {
    return Append(OperatorOf(site), "chip.decommissioned",
                  {{"site", site},
                   {"chips", serials},
                   {"reason", "end of life"},
                   {"disposition", disposition}},
                  t);
  }

  std::optional<Finding> FindingFor(std::string_view rule, std::string_view kind,
                                    std::string_view subject, std::optional<Timestamp> as_of = {}) {
    for (auto& finding : engine_.Findings(as_of.value_or(now_))) {
      if (finding.rule == rule && finding.subject_kind == kind && finding.subject_id == subject) {
        return finding;
      }
    }
    return std::nullopt;
  }

  bool Fires(std::string_view rule, std::string_view kind, std::string_view subject,
             std::optional<Timestamp> as_of = {}) {
    return FindingFor(rule, kind, subject, as_of).has_value();
  }

  size_t Count(std::string_view rule, std::optional<Timestamp> as_of = {}) {
    size_t n = 0;
    for (const auto& finding : engine_.Findings(as_of.value_or(now_))) n += finding.rule == rule;
    return n;
  }

  Engine engine_;
  TestAgent log_, gov_, exp_, op_, op2_, insp_, self_insp_, mon_;
  uint64_t index_ = 0;
  Hash prev_{};
  Timestamp now_;
};

}  // namespace chipledger::audit::testing

#endif  // CHIPLEDGER_TESTS_AUDITOR_ENGINE_FIXTURE_H_
