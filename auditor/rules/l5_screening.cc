// L5: a party on a screening list (by id, or by its registered name) at the time of an event
// naming it (critical). An event names the parties of Event::Parties() and the owners of the
// sites it acts at or sends chips to; the screening.listed event itself names nobody. A party
// registering (or re-registering) under a listed name is named by its own registration.
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

std::vector<std::string> NamedParties(const EventContext& context) {
  std::vector<std::string> parties = context.event.Parties();
  std::vector<std::string> sites;
  if (auto site = context.event.Site()) sites.push_back(*site);
  if (const auto* dispatch = std::get_if<ShipmentDispatched>(&context.event.body)) {
    sites.push_back(dispatch->destination_site);
  } else if (const auto* transfer = std::get_if<ChipTransferred>(&context.event.body)) {
    sites.push_back(transfer->to_site);
  }
  for (const auto& site : sites) {
    auto owner = context.state.SiteParty(site);
    if (owner && std::find(parties.begin(), parties.end(), *owner) == parties.end()) {
      parties.push_back(*owner);
    }
  }
  return parties;
}

class L5Screening : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (context.event.type == EventType::kScreeningListed) return;
    const auto* registration = std::get_if<PartyRegistered>(&context.event.body);
    for (const auto& party : NamedParties(context)) {
      bool listed_name = registration && context.state.NameScreened(registration->name);
      if (!context.state.Screened(party) && !listed_name) continue;
      book->Report("L5", Severity::kCritical, "party", party, Place{std::nullopt, party},
                   "party " + party + " is on a screening list and named by " +
                       std::string(EventTypeName(context.event.type)),
                   {context.index()});
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL5Screening() { return std::make_unique<L5Screening>(); }

}  // namespace chipledger::audit
