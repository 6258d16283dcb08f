// D8: a serial dispatched again while not returned (high). A chip decommissioned with
// disposition `returned` may ship again; one destroyed is left to D13.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D8Redispatch : public EventRule<ShipmentDispatched> {
 protected:
  void On(const EventContext& context, const ShipmentDispatched& dispatch,
          FindingBook* book) override {
    for (const auto& shipped : dispatch.chips) {
      const ChipInfo* chip = context.Chip(shipped.serial);
      if (!chip || !chip->shipment || chip->status == ChipStatus::kDecommissioned) continue;
      const ShipmentInfo* before = context.state.Shipment(*chip->shipment);
      uint64_t before_index = before ? before->dispatched_index : context.index();
      book->Report("D8", Severity::kHigh, "chip", shipped.serial,
                   Place{dispatch.destination_site, dispatch.consignee},
                   "chip " + shipped.serial + " dispatched in " + dispatch.shipment +
                       " while still out under " + *chip->shipment,
                   {before_index, context.index()});
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD8Redispatch() { return std::make_unique<D8Redispatch>(); }

}  // namespace chipledger::audit
