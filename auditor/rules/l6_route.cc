// L6: a dispatch route country outside the license's `route`, when the license gives one (high).
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class L6Route : public EventRule<ShipmentDispatched> {
 protected:
  void On(const EventContext& context, const ShipmentDispatched& dispatch,
          FindingBook* book) override {
    const LicenseInfo* license = context.state.License(dispatch.license);
    if (!license || !license->record.route) return;
    const auto& allowed = *license->record.route;
    std::vector<std::string> outside;
    for (const auto& country : dispatch.route) {
      if (std::find(allowed.begin(), allowed.end(), country) == allowed.end()) {
        outside.push_back(country);
      }
    }
    if (outside.empty()) return;
    book->Report("L6", Severity::kHigh, "shipment", dispatch.shipment,
                 Place{dispatch.destination_site, dispatch.consignee},
                 "shipment " + dispatch.shipment + " routed through " + JoinForMessage(outside) +
                     ", outside license " + dispatch.license,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL6Route() { return std::make_unique<L6Route>(); }

}  // namespace chipledger::audit
