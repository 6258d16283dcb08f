#include "auditor/state.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <variant>

#include "ledger/crypto.h"

namespace chipledger::audit {

std::string_view ChipStatusName(ChipStatus status) {
  switch (status) {
    case ChipStatus::kInTransit:
      return "in_transit";
    case ChipStatus::kReceived:
      return "received";
    case ChipStatus::kInstalled:
      return "installed";
    case ChipStatus::kDecommissioned:
      return "decommissioned";
  }
  return "unknown";
}

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  constexpr double kEarthRadiusKm = 6371;
  constexpr double kRadians = std::numbers::pi / 180;
  double dlat = (lat2 - lat1) * kRadians;
  double dlon = (lon2 - lon1) * kRadians;
  double a = std::pow(std::sin(dlat / 2), 2) + std::cos(lat1 * kRadians) *
                                                   std::cos(lat2 * kRadians) *
                                                   std::pow(std::sin(dlon / 2), 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(a)));
}

bool FasterThan(double km, double seconds, double max_kmh) {
  if (km <= 0) return false;
  seconds = std::abs(seconds);
  if (seconds == 0) return true;
  return km / (seconds / 3600) > max_kmh;
}

bool InspectionOverdue(const SiteInfo& site, Timestamp as_of, double inspection_days,
                       Timestamp* since, uint64_t* since_index) {
  if (site.book.empty() || !site.holding_since) return false;
  Timestamp from = *site.holding_since;
  uint64_t from_index = site.holding_index;
  if (site.last_inspection && *site.last_inspection > from) {
    from = *site.last_inspection;
    from_index = site.last_inspection_index;
  }
  if (since) *since = from;
  if (since_index) *since_index = from_index;
  return SecondsBetween(from, as_of) > inspection_days * 86400;
}

std::string NormaliseName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

namespace {

template <typename Map, typename Key>
const typename Map::mapped_type* FindIn(const Map& map, const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

const ChipInfo* ReplayState::Chip(std::string_view serial) const { return FindIn(chips_, serial); }
const SiteInfo* ReplayState::Site(const std::string& site) const { return FindIn(sites_, site); }
const SiteInfo* ReplayState::RegisteredSite(const std::string& site) const {
  const SiteInfo* info = Site(site);
  return info && info->registered ? info : nullptr;
}
const ShipmentInfo* ReplayState::Shipment(const std::string& shipment) const {
  return FindIn(shipments_, shipment);
}
const LicenseInfo* ReplayState::License(const std::string& license) const {
  return FindIn(licenses_, license);
}
const PartyInfo* ReplayState::Party(const std::string& party) const {
  return FindIn(parties_, party);
}
const AgentInfo* ReplayState::Agent(const std::string& agent) const {
  return FindIn(agents_, agent);
}

std::optional<std::string> ReplayState::SiteParty(const std::string& site) const {
  const SiteInfo* info = RegisteredSite(site);
  if (!info) return std::nullopt;
  return info->record.party;
}

bool ReplayState::Screened(const std::string& party) const {
  auto listed = screened_parties_.find(party);
  if (listed != screened_parties_.end() && !listed->second.empty()) return true;
  const PartyInfo* info = Party(party);
  return info && info->registered && NameScreened(info->record.name);
}

bool ReplayState::NameScreened(std::string_view name) const {
  auto named = screened_names_.find(NormaliseName(name));
  return named != screened_names_.end() && !named->second.empty();
}

bool ReplayState::OnBook(const std::string& serial, const std::string& site) const {
  return OnBook(Chip(serial), site);
}

bool ReplayState::OnBook(const ChipInfo* chip, std::string_view site) {
  return chip && !chip->site.empty() && chip->site == site;
}

InspectionGap ReplayState::Gap(const InspectionPerformed& inspection) const {
  InspectionGap gap;
  std::set<std::string> observed;
  for (const auto& chip : inspection.observed) {
    if (observed.insert(chip.serial).second) gap.observed.push_back(chip.serial);
    if (!OnBook(chip.serial, inspection.site)) gap.unexpected.push_back(chip.serial);
  }
  auto check = [&](const std::string& serial) {
    if (OnBook(serial, inspection.site) && !observed.count(serial)) gap.missing.push_back(serial);
  };
  if (inspection.sampled) {
    std::set<std::string> sampled(inspection.sampled->begin(), inspection.sampled->end());
    for (const auto& serial : sampled) check(serial);
  } else if (const SiteInfo* site = Site(inspection.site)) {
    for (const auto& serial : site->book) check(serial);
  }
  return gap;
}

const SiteShipments* ReplayState::ShipmentsTo(std::string_view site) const {
  auto it = shipment_index_.by_site.find(site);
  return it == shipment_index_.by_site.end() ? nullptr : &it->second;
}

void ReplayState::RebuildIndexes() {
  shipment_index_ = ShipmentIndex{};
  for (const auto& [id, shipment] : shipments_) IndexShipment(id, shipment, false);
}

void ReplayState::DropIndexes() {
  indexed_ = false;
  shipment_index_ = ShipmentIndex{};
}

void ReplayState::IndexShipment(const std::string& id, const ShipmentInfo& shipment, bool remove) {
  if (!indexed_) return;
  SiteShipments& site = shipment_index_.by_site[shipment.destination_site.str()];
  bool received = shipment.received.has_value();
  for (KeySet* set : {received ? &site.received : &site.in_transit,
                      received ? &shipment_index_.received : &shipment_index_.in_transit}) {
    if (remove) {
      set->erase(&id);
    } else {
      set->emplace_hint(set->end(), &id);  // a rebuild visits shipments in id order
    }
  }
  if (received) return;
  for (const std::string& serial : shipment.serials) {
    auto chip = chips_.find(serial);  // every serial a dispatch names has a chip
    if (chip == chips_.end()) continue;
    if (!remove) {
      ++site.transit_serials[&chip->first];
      continue;
    }
    auto listed = site.transit_serials.find(&chip->first);
    if (listed != site.transit_serials.end() && --listed->second == 0) {
      site.transit_serials.erase(listed);
    }
  }
  site.transit_chips = remove ? site.transit_chips - shipment.serials.size()
                              : site.transit_chips + shipment.serials.size();
}

const Observation* ReplayState::InspectorLastAt(const std::string& agent) const {
  return FindIn(inspector_last_at_, agent);
}

std::vector<const AgentInfo*> ReplayState::Signers(const LogEntry& entry,
                                                   const Event& event) const {
  std::vector<const AgentInfo*> signers;
  for (size_t i = 0; i < entry.envelope.signatures.size(); ++i) {
    if (i == 0) {
      signers.push_back(Agent(event.agent));
      continue;
    }
    auto it = agent_by_key_id_.find(entry.envelope.signatures[i].keyid);
    signers.push_back(it == agent_by_key_id_.end() ? nullptr : Agent(it->second));
  }
  return signers;
}

void ReplayState::Apply(const LogEntry& entry, const Event& event) {
  ++entries_;
  ++event_counts_[event.type];
  TrackInspector(entry, event);
  if (event.agent == kLogAgentId && !entry.envelope.signatures.empty()) {
    // The genesis signer: the log key signs as the built-in `log` agent, which has no role.
    AgentInfo& log = agents_[std::string(kLogAgentId)];
    log.id = kLogAgentId;
    log.key_id = entry.envelope.signatures[0].keyid;
    agent_by_key_id_[log.key_id] = log.id;
  }
  ApplyRegistry(entry, event);
  ApplyCustody(entry, event);
}

// Before the event's own registry changes: the agent's role as it stood when it acted.
void ReplayState::TrackInspector(const LogEntry& entry, const Event& event) {
  const AgentInfo* agent = Agent(event.agent);
  if (!agent || agent->role != Role::kInspector) return;
  std::optional<std::string> site = event.Site();
  if (!site || !RegisteredSite(*site)) return;
  inspector_last_at_[agent->id] = Observation{Name(*site), event.time, entry.index};
}

void ReplayState::Enroll(const AgentEnrolled& enroll) {
  AgentInfo& agent = agents_[enroll.agent];
  if (!agent.key_id.empty()) agent_by_key_id_.erase(agent.key_id);
  agent.id = enroll.agent;
  agent.role = enroll.role;
  agent.org = enroll.org;
  agent.key_id = KeyId(enroll.public_key);
  agent.revoked = false;
  agent_by_key_id_[agent.key_id] = agent.id;
}

void ReplayState::Screen(const ScreeningListed& listing) {
  auto update = [&](std::set<ScreeningList>& lists) {
    if (listing.listed) {
      lists.insert(listing.list);
    } else {
      lists.erase(listing.list);
    }
  };
  if (listing.party) update(screened_parties_[*listing.party]);
  if (listing.name) update(screened_names_[NormaliseName(*listing.name)]);
}

void ReplayState::ApplyRegistry(const LogEntry& entry, const Event& event) {
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, PartyRegistered>) {
          PartyInfo& party = parties_[body.id];
          party.registered = true;
          party.record = body;
        } else if constexpr (std::is_same_v<T, SiteRegistered>) {
          SiteInfo& site = sites_[body.id];
          site.registered = true;
          site.record = body;
        } else if constexpr (std::is_same_v<T, AgentEnrolled>) {
          Enroll(body);
        } else if constexpr (std::is_same_v<T, AgentRevoked>) {
          if (auto it = agents_.find(body.agent); it != agents_.end()) it->second.revoked = true;
        } else if constexpr (std::is_same_v<T, LicenseIssued>) {
          LicenseInfo& license = licenses_[body.id];
          license.record = body;
          license.index = entry.index;
          license.revoked = false;
        } else if constexpr (std::is_same_v<T, LicenseRevoked>) {
          if (auto it = licenses_.find(body.license); it != licenses_.end()) {
            it->second.revoked = true;
          }
        } else if constexpr (std::is_same_v<T, ScreeningListed>) {
          Screen(body);
        } else if constexpr (std::is_same_v<T, CheckRequested>) {
          checks_[body.check] = CheckInfo{body, entry.index, std::nullopt, 0};
        } else if constexpr (std::is_same_v<T, WhitelistDecision>) {
          PartyInfo& party = parties_[body.party];
          party.decision = body.status;
          if (body.status == WhitelistStatus::kApproved) party.ever_approved = true;
        }
      },
      event.body);
}

void ReplayState::ApplyCustody(const LogEntry& entry, const Event& event) {
  const uint64_t index = entry.index;
  const Timestamp time = event.time;
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, ShipmentDispatched>) {
          Dispatch(body, time, index);
        } else if constexpr (std::is_same_v<T, ShipmentReceived>) {
          Receive(body, time, index);
        } else if constexpr (std::is_same_v<T, ChipInstalled>) {
          Install(body, time, index);
        } else if constexpr (std::is_same_v<T, InspectionPerformed>) {
          Inspect(body, time, index);
        } else if constexpr (std::is_same_v<T, MonitorHeartbeat>) {
          Heartbeat(body, time, index);
        } else if constexpr (std::is_same_v<T, ChipTransferred>) {
          Transfer(body, time, index);
        } else if constexpr (std::is_same_v<T, ChipDecommissioned>) {
          Decommission(body, index);
        }
      },
      event.body);
}

void ReplayState::Record(ChipInfo* chip, uint64_t index) {
  if (!chip->history.empty() && chip->history.back() == index) return;
  if (chip->history.size() == kMaxChipHistory) chip->history.erase(chip->history.begin());
  chip->history.push_back(index);
}

void ReplayState::Attest(ChipInfo* chip, const std::optional<std::string>& attested_id) {
  if (attested_id && !chip->attested_id) chip->attested_id = attested_id;
}

void ReplayState::Move(ChipInfo* chip, const std::string& serial, const std::string& site,
                       ChipStatus status, Timestamp time, uint64_t index) {
  if (!site.empty() && chip->site == site) {  // a step at the same site: the books do not change
    SiteInfo& same_site = sites_[site];
    if (chip->status == ChipStatus::kInstalled) --same_site.installed;
    if (status == ChipStatus::kInstalled) ++same_site.installed;
    chip->status = status;
    return;
  }
  if (!chip->site.empty()) {
    SiteInfo& old_site = sites_[chip->site];
    if (chip->status == ChipStatus::kInstalled) --old_site.installed;
    old_site.book.erase(serial);
    if (old_site.book.empty()) old_site.holding_since.reset();
  }
  chip->site = site;
  chip->status = status;
  if (site.empty()) return;
  SiteInfo& new_site = sites_[site];
  if (new_site.book.empty()) {
    new_site.holding_since = time;
    new_site.holding_index = index;
  }
  new_site.book.insert(serial);
  chip->booked_index = index;
  if (status == ChipStatus::kInstalled) ++new_site.installed;
}

void ReplayState::Dispatch(const ShipmentDispatched& dispatch, Timestamp time, uint64_t index) {
  auto [slot, added] = shipments_.try_emplace(dispatch.shipment);
  const std::string& id = slot->first;
  ShipmentInfo& shipment = slot->second;
  if (!added) IndexShipment(id, shipment, true);  // redispatched: indexed anew below
  shipment = ShipmentInfo{Name(dispatch.license),
                          Name(dispatch.consignee),
                          Name(dispatch.destination_site),
                          {},
                          time,
                          index,
                          std::nullopt,
                          0};
  if (auto it = licenses_.find(dispatch.license); it != licenses_.end()) {
    it->second.shipped += static_cast<int64_t>(dispatch.chips.size());
  }
  for (const auto& shipped : dispatch.chips) {
    shipment.serials.push_back(shipped.serial);
    ChipInfo& chip = chips_[shipped.serial];
    Move(&chip, shipped.serial, "", ChipStatus::kInTransit, time, index);
    chip.model = shipped.model;
    chip.license = dispatch.license;
    chip.shipment = &id;
    chip.dispatched_time = time;
    chip.arrived.reset();
    chip.installed.reset();
    chip.host.clear();
    Record(&chip, index);
  }
  IndexShipment(id, shipment, false);
}

void ReplayState::Receive(const ShipmentReceived& receipt, Timestamp time, uint64_t index) {
  if (auto it = shipments_.find(receipt.shipment); it != shipments_.end() && !it->second.received) {
    IndexShipment(it->first, it->second, true);
    it->second.received = time;
    it->second.received_index = index;
    IndexShipment(it->first, it->second, false);
  }
  Name site(receipt.site);
  for (const auto& serial : receipt.chips) {
    ChipInfo& chip = chips_[serial];
    bool installed_here = chip.status == ChipStatus::kInstalled && chip.site == receipt.site;
    if (!installed_here) {
      Move(&chip, serial, receipt.site, ChipStatus::kReceived, time, index);
      chip.arrived = time;
      chip.arrived_index = index;
    }
    chip.last_seen = Observation{site, time, index};
    Record(&chip, index);
  }
}

void ReplayState::Install(const ChipInstalled& install, Timestamp time, uint64_t index) {
  Name site(install.site);
  for (const auto& installed : install.chips) {
    ChipInfo& chip = chips_[installed.serial];
    if (chip.status != ChipStatus::kInstalled || chip.site != install.site) {
      Move(&chip, installed.serial, install.site, ChipStatus::kInstalled, time, index);
      chip.installed = time;
      chip.installed_index = index;
    }
    chip.host = installed.host;
    chip.last_seen = Observation{site, time, index};
    Record(&chip, index);
  }
}

void ReplayState::Inspect(const InspectionPerformed& inspection, Timestamp time, uint64_t index) {
  InspectionGap gap = Gap(inspection);
  SiteInfo& site = sites_[inspection.site];
  site.last_inspection = time;
  site.last_inspection_index = index;
  site.latest_inspection = index;
  site.latest_gap = std::move(gap);
  Name site_name(inspection.site);
  for (const auto& observed : inspection.observed) {
    ChipInfo& chip = chips_[observed.serial];
    Attest(&chip, observed.attested_id);
    if (observed.host && chip.site == inspection.site) chip.host = *observed.host;
    chip.last_seen = Observation{site_name, time, index};
    Record(&chip, index);
  }
  if (inspection.check) {
    auto it = checks_.find(*inspection.check);
    if (it != checks_.end() && !it->second.performed && it->second.record.site == inspection.site) {
      it->second.performed = time;
      it->second.performed_index = index;
    }
  }
}

void ReplayState::Heartbeat(const MonitorHeartbeat& heartbeat, Timestamp time, uint64_t index) {
  SiteInfo& site = sites_[heartbeat.site];
  if (!site.first_heartbeat) site.first_heartbeat = heartbeat.window_start;
  Name site_name(heartbeat.site);  // one lookup, not one per chip
  for (const auto& online : heartbeat.online) {
    ChipInfo& chip = chips_[online.serial];
    Attest(&chip, online.attested_id);
    chip.last_online = heartbeat.window_end;
    chip.last_seen = Observation{site_name, time, index};
  }
}

void ReplayState::Transfer(const ChipTransferred& transfer, Timestamp time, uint64_t index) {
  for (const auto& serial : transfer.chips) {
    ChipInfo& chip = chips_[serial];
    Move(&chip, serial, transfer.to_site, ChipStatus::kReceived, time, index);
    chip.license = transfer.license;
    chip.arrived = time;
    chip.arrived_index = index;
    chip.installed.reset();
    chip.host.clear();
    Record(&chip, index);
  }
}

void ReplayState::Decommission(const ChipDecommissioned& decommission, uint64_t index) {
  for (const auto& serial : decommission.chips) {
    ChipInfo& chip = chips_[serial];
    Move(&chip, serial, "", ChipStatus::kDecommissioned, Timestamp{}, index);
    chip.disposition = decommission.disposition;
    chip.decommissioned_index = index;
    chip.host.clear();
    Record(&chip, index);
  }
}

}  // namespace chipledger::audit
