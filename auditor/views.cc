// The record views the API serves for chips, sites, parties, licenses and shipments (docs/api.md,
// Record state), from the replayed state: the same words and numbers as report.json.
#include <algorithm>

#include "auditor/engine.h"
#include "auditor/engine_state.h"
#include "auditor/views_internal.h"

namespace chipledger::audit {

nlohmann::json OrNull(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json OrNull(const std::string* value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json TimeOrNull(const std::optional<Timestamp>& time) {
  return time ? nlohmann::json(FormatTime(*time)) : nlohmann::json(nullptr);
}

LicenseStatus LicenseStatusAt(const LicenseInfo& license, Timestamp as_of) {
  if (license.revoked) return LicenseStatus::kRevoked;
  if (as_of < license.record.valid_from) return LicenseStatus::kNotYetValid;
  if (as_of > license.record.valid_until) return LicenseStatus::kExpired;
  return LicenseStatus::kActive;
}

std::string_view LicenseStatusName(LicenseStatus status) {
  constexpr std::string_view kNames[] = {"active", "revoked", "expired", "not_yet_valid"};
  return kNames[static_cast<int>(status)];
}

nlohmann::json DecisionName(const PartyInfo& party) {
  if (!party.decision) return nullptr;
  constexpr std::string_view kNames[] = {"approved", "suspended", "removed"};
  return kNames[static_cast<int>(*party.decision)];
}

const WhitelistEntry* FindStanding(const std::vector<WhitelistEntry>& whitelist,
                                   std::string_view party) {
  auto it =
      std::lower_bound(whitelist.begin(), whitelist.end(), party,
                       [](const WhitelistEntry& e, std::string_view id) { return e.party < id; });
  return it != whitelist.end() && it->party == party ? &*it : nullptr;
}

std::string_view ShipmentStatusName(const ShipmentInfo& shipment) {
  return shipment.received ? "received" : "in_transit";
}

nlohmann::json ShipmentItem(const std::string& id, const ShipmentInfo& shipment) {
  return {{"id", id},
          {"license", shipment.license},
          {"consignee", shipment.consignee},
          {"destination_site", shipment.destination_site},
          {"chips", shipment.serials.size()},
          {"dispatched", FormatTime(shipment.dispatched)},
          {"dispatched_index", shipment.dispatched_index},
          {"received", TimeOrNull(shipment.received)},
          {"received_index",
           shipment.received ? nlohmann::json(shipment.received_index) : nlohmann::json(nullptr)},
          {"status", ShipmentStatusName(shipment)}};
}

namespace {

// Who holds the chip: the party owning the site whose books hold it; in transit, nobody yet.
nlohmann::json Custody(const ReplayState& state, const ChipInfo& chip) {
  nlohmann::json in_transit_to = nullptr;
  if (chip.status == ChipStatus::kInTransit) {
    const ShipmentInfo* shipment = chip.shipment ? state.Shipment(*chip.shipment) : nullptr;
    if (shipment) in_transit_to = shipment->destination_site;
  }
  std::optional<std::string> holder;
  nlohmann::json since = nullptr, since_index = nullptr;
  if (!chip.site.empty()) {
    holder = state.SiteParty(chip.site);
    since = TimeOrNull(chip.arrived);
    since_index = chip.booked_index;
  } else if (chip.status == ChipStatus::kInTransit) {
    since = FormatTime(chip.dispatched_time);
  }
  return {{"holder", holder ? nlohmann::json(*holder) : nullptr},
          {"site", OrNull(chip.site)},
          {"since", since},
          {"since_index", since_index},
          {"in_transit_to", in_transit_to}};
}

// Of the site's installed chips, those a heartbeat listed within `hours` before `as_of`.
nlohmann::json Coverage(const ReplayState& state, const SiteInfo& site, Timestamp as_of,
                        double hours) {
  Timestamp since = AddSeconds(as_of, -hours * 3600);
  uint64_t installed = 0, online = 0;
  nlohmann::json dark = nlohmann::json::array();
  for (const std::string& serial : site.book) {
    const ChipInfo* chip = state.Chip(serial);
    if (!chip || chip->status != ChipStatus::kInstalled) continue;
    ++installed;
    if (chip->last_online && *chip->last_online >= since) {
      ++online;
    } else {
      dark.push_back(serial);
    }
  }
  return {{"hours", hours},         {"since", FormatTime(since)},
          {"installed", installed}, {"online", online},
          {"dark", dark},           {"first_heartbeat", TimeOrNull(site.first_heartbeat)}};
}

nlohmann::json Inspection(const SiteInfo& site, Timestamp as_of, double inspection_days) {
  Timestamp from;
  bool overdue = InspectionOverdue(site, as_of, inspection_days, &from);
  bool holding = !site.book.empty() && site.holding_since;
  return {{"last", TimeOrNull(site.last_inspection)},
          {"last_index", site.latest_inspection ? nlohmann::json(*site.latest_inspection)
                                                : nlohmann::json(nullptr)},
          {"due", holding ? nlohmann::json(FormatTime(AddSeconds(from, inspection_days * 86400)))
                          : nlohmann::json(nullptr)},
          {"overdue", overdue}};
}

nlohmann::json ChecksDue(const ReplayState& state, std::string_view site, Timestamp as_of) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& [id, check] : state.checks()) {
    if (check.record.site != site || check.performed) continue;
    checks.push_back({{"check", id},
                      {"due", FormatTime(check.record.due)},
                      {"overdue", as_of > check.record.due}});
  }
  return checks;
}

nlohmann::json Inventory(const ReplayState& state, const SiteInfo& site, std::string_view id) {
  const SiteShipments* bound = state.ShipmentsTo(id);
  return {{"installed", site.installed},
          {"received", site.book.size() - site.installed},
          {"in_transit", bound ? bound->transit_chips : 0}};
}

// Why the white list gives the party its status, in the words of SPEC §9.
nlohmann::json Why(const WhitelistEntry& entry, const PartyInfo& party, const ReplayState& state,
                   Timestamp as_of, double inspection_days) {
  nlohmann::json why = nlohmann::json::array();
  if (!party.ever_approved) why.push_back("no whitelist.decision has approved it");
  if (party.ever_approved && party.decision != WhitelistStatus::kApproved) {
    why.push_back("the authority's latest whitelist.decision is " +
                  DecisionName(party).get<std::string>());
  }
  uint64_t serious = entry.open_findings.at("high") + entry.open_findings.at("critical");
  if (serious > 0) why.push_back(std::to_string(serious) + " open high or critical findings");
  for (const std::string& site_id : entry.sites) {
    const SiteInfo* site = state.Site(site_id);
    Timestamp since;
    if (site && InspectionOverdue(*site, as_of, inspection_days, &since)) {
      why.push_back("site " + site_id + " not inspected since " + FormatTime(since));
    }
  }
  if (why.empty()) {
    why.push_back("approved, no open high or critical finding, every site inspected in time");
  }
  return why;
}

}  // namespace

nlohmann::json Engine::ChipState(std::string_view serial) const {
  const ReplayState& state = state_->replay;
  const ChipInfo* chip = state.Chip(std::string(serial));
  if (!chip) return nullptr;
  nlohmann::json last_seen = nullptr;
  if (chip->last_seen) {
    last_seen = {{"site", chip->last_seen->site},
                 {"time", FormatTime(chip->last_seen->time)},
                 {"index", chip->last_seen->index}};
  }
  return {{"serial", serial},
          {"status", ChipStatusName(chip->status)},
          {"site", OrNull(chip->site)},
          {"host", OrNull(chip->host)},
          {"license", OrNull(chip->license)},
          {"model", OrNull(chip->model)},
          {"shipment", OrNull(chip->shipment)},
          {"attested_id", chip->attested_id ? nlohmann::json(*chip->attested_id) : nullptr},
          {"custody", Custody(state, *chip)},
          {"last_seen", last_seen}};
}

nlohmann::json Engine::SiteState(std::string_view site_id, Timestamp as_of,
                                 double coverage_hours) const {
  const ReplayState& state = state_->replay;
  const SiteInfo* site = state.Site(std::string(site_id));
  if (!site) return nullptr;
  nlohmann::json json = {
      {"registered", site->registered},
      {"inventory", Inventory(state, *site, site_id)},
      {"balance",
       {{"inspection", site->latest_inspection ? nlohmann::json(*site->latest_inspection)
                                               : nlohmann::json(nullptr)},
        {"observed", site->latest_gap.observed},
        {"missing", site->latest_gap.missing},
        {"unexpected", site->latest_gap.unexpected}}},
      {"coverage", Coverage(state, *site, as_of, coverage_hours)},
      {"inspection", Inspection(*site, as_of, params_.inspection_days)},
      {"checks", ChecksDue(state, site_id, as_of)}};
  if (site->registered) {
    const SiteRegistered& record = site->record;
    json.update({{"party", record.party},
                 {"name", record.name},
                 {"country", record.country},
                 {"lat", record.lat},
                 {"lon", record.lon},
                 {"radius_m", record.radius_m},
                 {"power_kw", record.power_kw ? nlohmann::json(*record.power_kw) : nullptr}});
  }
  return json;
}

nlohmann::json Engine::PartyState(std::string_view party_id, Timestamp as_of,
                                  const std::vector<WhitelistEntry>& whitelist) const {
  const ReplayState& state = state_->replay;
  std::string id(party_id);
  const PartyInfo* party = state.Party(id);
  if (!party) return nullptr;
  nlohmann::json sites = nlohmann::json::array(), licenses = nlohmann::json::array();
  for (const auto& [site_id, site] : state.sites()) {
    if (site.registered && site.record.party == id) sites.push_back(site_id);
  }
  for (const auto& [license_id, license] : state.licenses()) {
    if (license.record.end_user == id || license.record.exporter == id) {
      licenses.push_back(license_id);
    }
  }
  nlohmann::json standing = nullptr;
  if (const WhitelistEntry* entry = FindStanding(whitelist, id)) {
    standing = WhitelistEntryToJson(*entry);
    standing["why"] = Why(*entry, *party, state, as_of, params_.inspection_days);
  }
  nlohmann::json json = {{"registered", party->registered},
                         {"whitelist", standing},
                         {"decision", DecisionName(*party)},
                         {"screened", state.Screened(id)},
                         {"sites", sites},
                         {"licenses", licenses}};
  if (party->registered) {
    json.update({{"name", party->record.name},
                 {"country", party->record.country},
                 {"kind", PartyKindName(party->record.kind)}});
  }
  return json;
}

nlohmann::json Engine::ShipmentState(std::string_view shipment_id) const {
  const ShipmentInfo* shipment = state_->replay.Shipment(std::string(shipment_id));
  if (!shipment) return nullptr;
  nlohmann::json out = ShipmentItem(std::string(shipment_id), *shipment);
  out.erase("id");
  out["chips"] = shipment->serials;
  return out;
}

nlohmann::json Engine::LicenseState(std::string_view license_id, Timestamp as_of) const {
  const LicenseInfo* license = state_->replay.License(std::string(license_id));
  if (!license) return nullptr;
  const LicenseIssued& record = license->record;
  return {{"exporter", record.exporter},
          {"end_user", record.end_user},
          {"sites", record.sites},
          {"models", record.models},
          {"max_quantity", record.max_quantity},
          {"quantity_used", license->shipped},
          {"remaining", std::max<int64_t>(0, record.max_quantity - license->shipped)},
          {"purposes", record.purposes},
          {"valid_from", FormatTime(record.valid_from)},
          {"valid_until", FormatTime(record.valid_until)},
          {"route", record.route ? nlohmann::json(*record.route) : nullptr},
          {"status", LicenseStatusName(LicenseStatusAt(*license, as_of))},
          {"revoked", license->revoked},
          {"issued_index", license->index}};
}

}  // namespace chipledger::audit
