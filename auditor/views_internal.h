// What the record views (auditor/views.cc) and the list views (auditor/view_lists.cc) share.
#ifndef CHIPLEDGER_AUDITOR_VIEWS_INTERNAL_H_
#define CHIPLEDGER_AUDITOR_VIEWS_INTERNAL_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auditor/engine.h"
#include "auditor/state.h"

namespace chipledger::audit {

nlohmann::json OrNull(const std::string& value);
nlohmann::json OrNull(const std::string* value);  // null for nullptr
nlohmann::json TimeOrNull(const std::optional<Timestamp>& time);

// A license as of a time: revoked first, then outside its validity, else active.
enum class LicenseStatus { kActive, kRevoked, kExpired, kNotYetValid };
LicenseStatus LicenseStatusAt(const LicenseInfo& license, Timestamp as_of);
std::string_view LicenseStatusName(LicenseStatus status);

// A shipment as /v1/shipments lists it: {id, license, consignee, destination_site, chips (the
// count), dispatched, dispatched_index, received, received_index, status}.
nlohmann::json ShipmentItem(const std::string& id, const ShipmentInfo& shipment);
std::string_view ShipmentStatusName(const ShipmentInfo& shipment);

// The latest whitelist.decision about the party: approved, suspended, removed, or null.
nlohmann::json DecisionName(const PartyInfo& party);
// The party's line of `whitelist` (ordered by party id, as Engine::Whitelist returns it).
const WhitelistEntry* FindStanding(const std::vector<WhitelistEntry>& whitelist,
                                   std::string_view party);

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_VIEWS_INTERNAL_H_
