#include "ledger/store/event_terms.h"

namespace chipledger::store {

namespace {

// Sites an event names besides the one it acts at (Event::Site()).
std::vector<std::string> OtherSites(const Event& event) {
  if (const auto* site = std::get_if<SiteRegistered>(&event.body)) return {site->id};
  if (const auto* shipment = std::get_if<ShipmentDispatched>(&event.body)) {
    return {shipment->destination_site};
  }
  if (const auto* transfer = std::get_if<ChipTransferred>(&event.body)) return {transfer->to_site};
  if (const auto* check = std::get_if<CheckRequested>(&event.body)) return {check->site};
  if (const auto* license = std::get_if<LicenseIssued>(&event.body)) return license->sites;
  return {};
}

}  // namespace

std::set<std::pair<Term, std::string>> EventTerms(const Event& event) {
  std::set<std::pair<Term, std::string>> terms;
  terms.emplace(Term::kType, std::string(EventTypeName(event.type)));
  terms.emplace(Term::kAgent, event.agent);
  if (const auto* enroll = std::get_if<AgentEnrolled>(&event.body)) {
    terms.emplace(Term::kAgent, enroll->agent);
  } else if (const auto* revoke = std::get_if<AgentRevoked>(&event.body)) {
    terms.emplace(Term::kAgent, revoke->agent);
  }
  if (std::optional<std::string> site = event.Site()) terms.emplace(Term::kSite, *site);
  for (std::string& site : OtherSites(event)) terms.emplace(Term::kSite, std::move(site));
  for (std::string_view serial : event.Serials()) terms.emplace(Term::kSerial, serial);
  for (std::string& party : event.Parties()) terms.emplace(Term::kParty, std::move(party));
  return terms;
}

std::optional<std::pair<RecordKind, std::string>> RegisteredRecord(const Event& event) {
  if (const auto* party = std::get_if<PartyRegistered>(&event.body)) {
    return std::pair{RecordKind::kParty, party->id};
  }
  if (const auto* site = std::get_if<SiteRegistered>(&event.body)) {
    return std::pair{RecordKind::kSite, site->id};
  }
  if (const auto* enroll = std::get_if<AgentEnrolled>(&event.body)) {
    return std::pair{RecordKind::kAgent, enroll->agent};
  }
  if (const auto* license = std::get_if<LicenseIssued>(&event.body)) {
    return std::pair{RecordKind::kLicense, license->id};
  }
  return std::nullopt;
}

}  // namespace chipledger::store
