// The current-state views the API serves for chips, sites, parties and licenses.
#include "auditor/engine.h"
#include "auditor/engine_state.h"

namespace chipledger::audit {

namespace {

nlohmann::json OrNull(const std::string& value) {
  return value.empty() ? nlohmann::json(nullptr) : nlohmann::json(value);
}

nlohmann::json TimeOrNull(const std::optional<Timestamp>& time) {
  return time ? nlohmann::json(FormatTime(*time)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json Engine::ChipState(std::string_view serial) const {
  const ChipInfo* chip = state_->replay.Chip(std::string(serial));
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
          {"last_seen", last_seen},
          {"history", chip->history}};
}

nlohmann::json Engine::SiteState(std::string_view site_id) const {
  const ReplayState& state = state_->replay;
  const SiteInfo* site = state.Site(std::string(site_id));
  if (!site) return nullptr;
  nlohmann::json json = {
      {"site", site_id},
      {"registered", site->registered},
      {"chips_held", site->book.size()},
      {"chips_installed", site->installed},
      {"last_inspection", TimeOrNull(site->last_inspection)},
      {"latest_inspection_index", site->latest_inspection ? nlohmann::json(*site->latest_inspection)
                                                          : nlohmann::json(nullptr)},
      {"book", site->book}};
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

nlohmann::json Engine::PartyState(std::string_view party_id) const {
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
  nlohmann::json decision = nullptr;
  if (party->decision) {
    constexpr std::string_view kNames[] = {"approved", "suspended", "removed"};
    decision = kNames[static_cast<int>(*party->decision)];
  }
  nlohmann::json json = {{"party", id},
                         {"registered", party->registered},
                         {"screened", state.Screened(id)},
                         {"whitelist_decision", decision},
                         {"sites", sites},
                         {"licenses", licenses}};
  if (party->registered) {
    json.update({{"name", party->record.name},
                 {"country", party->record.country},
                 {"kind", PartyKindName(party->record.kind)}});
  }
  return json;
}

nlohmann::json Engine::LicenseState(std::string_view license_id) const {
  const LicenseInfo* license = state_->replay.License(std::string(license_id));
  if (!license) return nullptr;
  const LicenseIssued& record = license->record;
  return {{"license", license_id},
          {"exporter", record.exporter},
          {"end_user", record.end_user},
          {"sites", record.sites},
          {"models", record.models},
          {"max_quantity", record.max_quantity},
          {"purposes", record.purposes},
          {"valid_from", FormatTime(record.valid_from)},
          {"valid_until", FormatTime(record.valid_until)},
          {"route", record.route ? nlohmann::json(*record.route) : nullptr},
          {"revoked", license->revoked},
          {"shipped", license->shipped},
          {"issued_index", license->index}};
}

}  // namespace chipledger::audit
