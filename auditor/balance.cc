// Per-site material balance: the books against the latest inspection, and what is in transit.
#include "auditor/engine.h"
#include "auditor/engine_state.h"

namespace chipledger::audit {

std::vector<SiteBalance> Engine::MaterialBalance() const {
  const ReplayState& state = state_->replay;
  std::map<std::string, SiteBalance> balances;
  auto balance_of = [&](const std::string& site_id) -> SiteBalance& {
    SiteBalance& balance = balances[site_id];
    balance.site = site_id;
    balance.party = state.SiteParty(site_id).value_or("");
    return balance;
  };
  for (const auto& [id, site] : state.sites()) {
    if (!site.registered && site.book.empty() && !site.latest_inspection) continue;
    SiteBalance& balance = balance_of(id);
    balance.book.assign(site.book.begin(), site.book.end());
    balance.inspection = site.latest_inspection;
    balance.observed = site.latest_gap.observed;
    balance.missing = site.latest_gap.missing;
    balance.unexpected = site.latest_gap.unexpected;
  }
  for (const auto& entry : state.shipments()) {
    const ShipmentInfo& shipment = entry.second;
    if (shipment.received) continue;
    SiteBalance& balance = balance_of(shipment.destination_site);
    ++balance.in_transit_shipments;
    balance.in_transit_chips += shipment.serials.size();
  }
  std::vector<SiteBalance> out;
  for (auto& [id, balance] : balances) out.push_back(std::move(balance));
  return out;
}

nlohmann::json SiteBalanceToJson(const SiteBalance& balance) {
  return {{"site", balance.site},
          {"party", balance.party},
          {"book", balance.book},
          {"inspection",
           balance.inspection ? nlohmann::json(*balance.inspection) : nlohmann::json(nullptr)},
          {"observed", balance.observed},
          {"missing", balance.missing},
          {"unexpected", balance.unexpected},
          {"in_transit",
           {{"shipments", balance.in_transit_shipments}, {"chips", balance.in_transit_chips}}}};
}

}  // namespace chipledger::audit
