// L1: a dispatch without a license valid at its time: missing, not yet valid, expired or revoked
// (critical).
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class L1LicenseValidity : public EventRule<ShipmentDispatched> {
 protected:
  void On(const EventContext& context, const ShipmentDispatched& dispatch,
          FindingBook* book) override {
    const LicenseInfo* license = context.state.License(dispatch.license);
    const Timestamp time = context.event.time;
    std::string why;
    if (!license) {
      why = "was never issued";
    } else if (license->revoked) {
      why = "was revoked";
    } else if (time < license->record.valid_from) {
      why = "is not valid before " + FormatTime(license->record.valid_from);
    } else if (time > license->record.valid_until) {
      why = "expired " + FormatTime(license->record.valid_until);
    } else {
      return;
    }
    book->Report("L1", Severity::kCritical, "shipment", dispatch.shipment,
                 Place{dispatch.destination_site, dispatch.consignee},
                 "shipment " + dispatch.shipment + " dispatched under license " + dispatch.license +
                     ", which " + why,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL1LicenseValidity() { return std::make_unique<L1LicenseValidity>(); }

}  // namespace chipledger::audit
