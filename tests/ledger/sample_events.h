// Type-specific fields of valid sample events, shared by the ledger's tests and benchmarks.
#ifndef CHIPLEDGER_TESTS_LEDGER_SAMPLE_EVENTS_H_
#define CHIPLEDGER_TESTS_LEDGER_SAMPLE_EVENTS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "ledger/time.h"

namespace chipledger::testing {

inline nlohmann::json PartyFields(const std::string& id) {
  return {
      {"party", {{"id", id}, {"name", "Party " + id}, {"country", "NL"}, {"kind", "end_user"}}}};
}

inline nlohmann::json InstallFields(const std::string& site, const std::string& serial) {
  return {{"site", site}, {"chips", {{{"serial", serial}, {"host", "host-1"}}}}};
}

inline nlohmann::json HeartbeatFields(const std::string& site, const std::string& serial) {
  std::string now = FormatTime(Now());
  return {{"site", site},
          {"window_start", now},
          {"window_end", now},
          {"online", {{{"serial", serial}}}}};
}

inline nlohmann::json InspectionFields(const std::string& id, const std::string& site) {
  return {{"inspection", id},
          {"site", site},
          {"kind", "routine"},
          {"observed", {{{"serial", "SN-1"}}}},
          {"seals", nlohmann::json::array()},
          {"purpose_observed", "life_sciences"},
          {"evidence", nlohmann::json::array()},
          {"result", "pass"}};
}

inline nlohmann::json TransferFields(const std::string& from, const std::string& to) {
  return {{"chips", {"SN-1"}}, {"from_site", from}, {"to_site", to}, {"license", "LIC-1"}};
}

inline nlohmann::json RevokeFields(const std::string& agent) {
  return {{"revoke", {{"agent", agent}, {"reason", "key lost"}}}};
}

}  // namespace chipledger::testing

#endif  // CHIPLEDGER_TESTS_LEDGER_SAMPLE_EVENTS_H_
