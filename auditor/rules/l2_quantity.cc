// L2: chips dispatched under a license beyond its max_quantity, counted over all its shipments
// (critical).
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class L2Quantity : public EventRule<ShipmentDispatched> {
 protected:
  void On(const EventContext& context, const ShipmentDispatched& dispatch,
          FindingBook* book) override {
    const LicenseInfo* license = context.state.License(dispatch.license);
    if (!license) return;
    int64_t total = license->shipped + static_cast<int64_t>(dispatch.chips.size());
    if (total <= license->record.max_quantity) return;
    book->Report("L2", Severity::kCritical, "license", dispatch.license,
                 Place{dispatch.destination_site, license->record.end_user},
                 "license " + dispatch.license + " has shipped " + std::to_string(total) +
                     " chips, above its max_quantity " +
                     std::to_string(license->record.max_quantity),
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL2Quantity() { return std::make_unique<L2Quantity>(); }

}  // namespace chipledger::audit
