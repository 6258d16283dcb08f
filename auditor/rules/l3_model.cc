// L3: a dispatched chip model outside the license's `models` (high).
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class L3Model : public EventRule<ShipmentDispatched> {
 protected:
  void On(const EventContext& context, const ShipmentDispatched& dispatch,
          FindingBook* book) override {
    const LicenseInfo* license = context.state.License(dispatch.license);
    if (!license) return;  // L1
    const auto& models = license->record.models;
    std::vector<std::string> outside;
    for (const auto& chip : dispatch.chips) {
      bool listed = std::find(models.begin(), models.end(), chip.model) != models.end();
      if (!listed && std::find(outside.begin(), outside.end(), chip.model) == outside.end()) {
        outside.push_back(chip.model);
      }
    }
    if (outside.empty()) return;
    book->Report("L3", Severity::kHigh, "shipment", dispatch.shipment,
                 Place{dispatch.destination_site, dispatch.consignee},
                 "shipment " + dispatch.shipment + " carries models " + JoinForMessage(outside) +
                     " outside license " + dispatch.license,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL3Model() { return std::make_unique<L3Model>(); }

}  // namespace chipledger::audit
