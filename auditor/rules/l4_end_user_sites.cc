// L4: a dispatch whose consignee is not the license's end user or whose destination is not one of
// its sites (subject: the shipment); a transfer to a site outside its license, or under a license
// never issued (subject: the event) — critical.
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

bool Lists(const std::vector<std::string>& sites, const std::string& site) {
  return std::find(sites.begin(), sites.end(), site) != sites.end();
}

class L4EndUserSites : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (const auto* dispatch = std::get_if<ShipmentDispatched>(&context.event.body)) {
      Dispatch(context, *dispatch, book);
    } else if (const auto* transfer = std::get_if<ChipTransferred>(&context.event.body)) {
      Transfer(context, *transfer, book);
    }
  }

 private:
  static void Dispatch(const EventContext& context, const ShipmentDispatched& dispatch,
                       FindingBook* book) {
    const LicenseInfo* license = context.state.License(dispatch.license);
    if (!license) return;  // L1
    std::string why;
    if (dispatch.consignee != license->record.end_user) {
      why = "consignee " + dispatch.consignee + " is not its end user " + license->record.end_user;
    } else if (!Lists(license->record.sites, dispatch.destination_site)) {
      why = "destination " + dispatch.destination_site + " is not one of its sites";
    } else {
      return;
    }
    book->Report(
        "L4", Severity::kCritical, "shipment", dispatch.shipment,
        Place{dispatch.destination_site, dispatch.consignee},
        "shipment " + dispatch.shipment + " under license " + dispatch.license + ": " + why,
        {context.index()});
  }

  static void Transfer(const EventContext& context, const ChipTransferred& transfer,
                       FindingBook* book) {
    const LicenseInfo* license = context.state.License(transfer.license);
    if (license && Lists(license->record.sites, transfer.to_site)) return;
    std::string why = license ? transfer.to_site + " is not one of its sites" : "never issued";
    book->Report("L4", Severity::kCritical, "event", std::to_string(context.index()),
                 context.PlaceOf(transfer.to_site),
                 "transfer of " + JoinForMessage(transfer.chips) + " from " + transfer.from_site +
                     " to " + transfer.to_site + " under license " + transfer.license + ": " + why,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL4EndUserSites() { return std::make_unique<L4EndUserSites>(); }

}  // namespace chipledger::audit
