// The list views the API pages through (docs/api.md, List routes): sites, parties, licenses,
// agents, shipments and a site's chips, each ordered by id and filtered, from the replayed state.
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <set>
#include <vector>

#include "auditor/engine.h"
#include "auditor/engine_state.h"
#include "auditor/views_internal.h"

namespace chipledger::audit {
namespace {

using nlohmann::json;
using Item = std::optional<json>;
using ListQuery = Engine::ListQuery;
using ListPage = Engine::ListPage;

const std::string& KeyOf(const std::string& key) { return key; }
const std::string& KeyOf(const std::string* key) { return *key; }
template <typename Value>
const std::string& KeyOf(const std::pair<const std::string, Value>& entry) {
  return entry.first;
}

// The first element of `ordered` (ordered by id) after `after`, or its first when `after` is empty.
template <typename Ordered>
auto After(const Ordered& ordered, const std::string& after) {
  return after.empty() ? ordered.begin() : ordered.upper_bound(after);
}

// Items of `ordered` (a std::map or std::set by id, or a KeySet) after `query.after`, `make`
// turning each into an item or nullopt (filtered out); `next` is set only when another item follows
// the page.
template <typename Ordered, typename Make>
ListPage Page(const Ordered& ordered, const ListQuery& query, Make make) {
  ListPage page;
  auto it = After(ordered, query.after);
  const std::string* last = nullptr;
  for (; it != ordered.end(); ++it) {
    const std::string& id = KeyOf(*it);
    if (query.keep && !query.keep(id)) continue;
    Item item = make(*it);
    if (!item) continue;
    if (page.items.size() == query.limit) {
      page.next = *last;
      break;
    }
    page.items.push_back(std::move(*item));
    last = &id;
  }
  return page;
}

// The filter's value, or null when the query does not set it.
const std::string* Filter(const ListQuery& query, const char* name) {
  auto it = query.filters.find(name);
  return it == query.filters.end() ? nullptr : &it->second;
}

bool Differs(const std::string* wanted, std::string_view value) {
  return wanted && *wanted != value;
}

// InvalidArgument unless the filter is unset or one of `allowed`.
Status CheckChoice(const ListQuery& query, const char* name,
                   std::initializer_list<std::string_view> allowed) {
  const std::string* value = Filter(query, name);
  if (!value || std::find(allowed.begin(), allowed.end(), *value) != allowed.end()) {
    return Status::Ok();
  }
  std::string list;
  for (std::string_view choice : allowed) list += (list.empty() ? "" : ", ") + std::string(choice);
  return Status::InvalidArgument("bad_parameter", std::string(name) + ": must be one of " + list);
}

ListPage Sites(const ReplayState& state, const ListQuery& query, double inspection_days) {
  const std::string* party = Filter(query, "party");
  return Page(state.sites(), query, [&](const auto& entry) -> Item {
    const auto& [id, site] = entry;
    std::optional<std::string> owner = state.SiteParty(id);
    if (party && owner != *party) return std::nullopt;
    return json{{"id", id},
                {"registered", site.registered},
                {"party", owner ? json(*owner) : json(nullptr)},
                {"name", site.registered ? json(site.record.name) : json(nullptr)},
                {"country", site.registered ? json(site.record.country) : json(nullptr)},
                {"chips_installed", site.installed},
                {"chips_held", site.book.size()},
                {"last_inspection", TimeOrNull(site.last_inspection)},
                {"inspection_overdue", InspectionOverdue(site, query.as_of, inspection_days)}};
  });
}

ListPage Parties(const ReplayState& state, const ListQuery& query) {
  const std::string* status = Filter(query, "status");
  const std::string* kind = Filter(query, "kind");
  return Page(state.parties(), query, [&](const auto& entry) -> Item {
    const auto& [id, party] = entry;
    const WhitelistEntry* standing = FindStanding(*query.whitelist, id);
    json whitelist_status = standing ? json(StandingStatusName(standing->status)) : json(nullptr);
    if (status && whitelist_status != *status) return std::nullopt;
    std::string_view kind_name = party.registered ? PartyKindName(party.record.kind) : "";
    if (Differs(kind, kind_name)) return std::nullopt;
    return json{{"id", id},
                {"name", party.registered ? json(party.record.name) : json(nullptr)},
                {"country", party.registered ? json(party.record.country) : json(nullptr)},
                {"kind", party.registered ? json(kind_name) : json(nullptr)},
                {"whitelist_status", whitelist_status},
                {"decision", DecisionName(party)},
                {"screened", state.Screened(id)}};
  });
}

ListPage Licenses(const ReplayState& state, const ListQuery& query) {
  const std::string* party = Filter(query, "party");
  const std::string* status = Filter(query, "status");
  return Page(state.licenses(), query, [&](const auto& entry) -> Item {
    const auto& [id, license] = entry;
    const LicenseIssued& record = license.record;
    if (party && record.exporter != *party && record.end_user != *party) return std::nullopt;
    std::string_view license_status = LicenseStatusName(LicenseStatusAt(license, query.as_of));
    if (Differs(status, license_status)) return std::nullopt;
    return json{{"id", id},
                {"exporter", record.exporter},
                {"end_user", record.end_user},
                {"max_quantity", record.max_quantity},
                {"quantity_used", license.shipped},
                {"valid_from", FormatTime(record.valid_from)},
                {"valid_until", FormatTime(record.valid_until)},
                {"status", license_status}};
  });
}

ListPage Agents(const ReplayState& state, const ListQuery& query) {
  const std::string* role = Filter(query, "role");
  const std::string* org = Filter(query, "org");
  return Page(state.agents(), query, [&](const auto& entry) -> Item {
    const auto& [id, agent] = entry;
    std::string_view role_name = agent.role ? RoleName(*agent.role) : "";
    if (Differs(role, role_name) || Differs(org, agent.org)) return std::nullopt;
    return json{{"id", id},
                {"role", agent.role ? json(role_name) : json(nullptr)},
                {"org", agent.org},
                {"key_id", agent.key_id},
                {"revoked", agent.revoked}};
  });
}

// Walks the index's shipments of the destination site or status asked for, so that a filter
// matching few (or none) does not walk every shipment; `license` is checked one by one.
ListPage Shipments(const ReplayState& state, const ListQuery& query) {
  const std::string* license = Filter(query, "license");
  const std::string* site = Filter(query, "site");
  const std::string* status = Filter(query, "status");
  auto item = [&](const std::string& id, const ShipmentInfo& shipment) -> Item {
    if (Differs(license, shipment.license) || Differs(site, shipment.destination_site) ||
        Differs(status, ShipmentStatusName(shipment))) {
      return std::nullopt;
    }
    return ShipmentItem(id, shipment);
  };
  if (!site && !status) {
    return Page(state.shipments(), query,
                [&](const auto& entry) { return item(entry.first, entry.second); });
  }
  std::vector<const KeySet*> sets;
  if (site) {
    const SiteShipments* bound = state.ShipmentsTo(*site);
    if (!bound) return ListPage{};
    if (!status || *status == "in_transit") sets.push_back(&bound->in_transit);
    if (!status || *status == "received") sets.push_back(&bound->received);
  } else {
    const ShipmentIndex& index = state.shipment_index();
    sets.push_back(*status == "received" ? &index.received : &index.in_transit);
  }
  auto indexed = [&](const std::string* id) { return item(*id, *state.Shipment(*id)); };
  if (sets.size() == 1) return Page(*sets.front(), query, indexed);
  // Both statuses of one site: a page's worth of each, in one order.
  KeySet candidates;
  for (const KeySet* set : sets) {
    size_t taken = 0;
    for (auto it = After(*set, query.after); it != set->end() && taken <= query.limit; ++it) {
      if (!Differs(license, state.Shipment(**it)->license)) {
        candidates.insert(*it);
        ++taken;
      }
    }
  }
  return Page(candidates, query, indexed);
}

// The serials a site's chip list pages through: its books and what is in transit to it (the
// index's serials of the shipments in transit to it), those `status` keeps, after `query.after`.
// Only the first limit + 1 of each are taken (the page, and whether more follow): a site
// receiving 300,000 chips would otherwise have every serial visited per page.
std::set<std::string> SiteSerials(const ReplayState& state, const ListQuery& query,
                                  const std::string& site_id, const std::string* status) {
  std::set<std::string> serials;
  auto take = [&](auto from, auto to, auto serial_of) {
    for (size_t taken = 0; from != to && taken <= query.limit; ++from) {
      const std::string& serial = serial_of(*from);
      const ChipInfo* chip = state.Chip(serial);
      if (!chip || Differs(status, ChipStatusName(chip->status))) continue;
      serials.insert(serial);
      ++taken;
    }
  };
  const SiteInfo* site = state.Site(site_id);
  if (site && (!status || *status != "in_transit")) {
    take(After(site->book, query.after), site->book.end(),
         [](const std::string& serial) -> const std::string& { return serial; });
  }
  const SiteShipments* bound = state.ShipmentsTo(site_id);
  if (bound && (!status || *status == "in_transit")) {
    take(After(bound->transit_serials, query.after), bound->transit_serials.end(),
         [](const auto& listed) -> const std::string& { return *listed.first; });
  }
  return serials;
}

ListPage Chips(const ReplayState& state, const ListQuery& query) {
  const std::string& site = *Filter(query, "site");
  const std::string* status = Filter(query, "status");
  return Page(
      SiteSerials(state, query, site, status), query, [&](const std::string& serial) -> Item {
        const ChipInfo* chip = state.Chip(serial);
        if (!chip) return std::nullopt;
        std::string_view chip_status = ChipStatusName(chip->status);
        if (Differs(status, chip_status)) return std::nullopt;
        return json{{"serial", serial},
                    {"status", chip_status},
                    {"site", OrNull(chip->site)},
                    {"host", OrNull(chip->host)},
                    {"model", OrNull(chip->model)},
                    {"license", OrNull(chip->license)},
                    {"shipment", OrNull(chip->shipment)},
                    {"last_seen",
                     chip->last_seen ? json(FormatTime(chip->last_seen->time)) : json(nullptr)}};
      });
}

}  // namespace

Result<Engine::ListPage> Engine::List(std::string_view kind, const ListQuery& query) const {
  const ReplayState& state = state_->replay;
  if (kind == "sites") return Sites(state, query, params_.inspection_days);
  if (kind == "parties") {
    Status status =
        CheckChoice(query, "status", {"good_standing", "lapsed", "suspended", "not_approved"});
    if (!status.ok()) return status;
    return Parties(state, query);
  }
  if (kind == "licenses") {
    Status status = CheckChoice(query, "status", {"active", "revoked", "expired", "not_yet_valid"});
    if (!status.ok()) return status;
    return Licenses(state, query);
  }
  if (kind == "agents") return Agents(state, query);
  if (kind == "shipments") {
    Status status = CheckChoice(query, "status", {"in_transit", "received"});
    if (!status.ok()) return status;
    return Shipments(state, query);
  }
  if (kind == "chips") {
    if (!Filter(query, "site")) {
      return Status::InvalidArgument("bad_parameter",
                                     "site: required (the chips of one site are listed)");
    }
    Status status = CheckChoice(query, "status", {"received", "installed", "in_transit"});
    if (!status.ok()) return status;
    return Chips(state, query);
  }
  return Status::InvalidArgument("bad_parameter", "kind: no list of " + std::string(kind));
}

}  // namespace chipledger::audit
