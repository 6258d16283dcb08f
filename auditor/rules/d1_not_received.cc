// D1: a shipment not received within receipt_days of its dispatch (high); after twice that,
// critical. A late receipt still leaves the finding: the deadline was missed.
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D1NotReceived : public Rule {
 public:
  void Evaluate(const ReplayState& state, const Params& params, Timestamp as_of,
                FindingBook* book) const override {
    const double window = params.receipt_days * 86400;
    for (const auto& [id, shipment] : state.shipments()) {
      Timestamp end = shipment.received ? std::min(*shipment.received, as_of) : as_of;
      double elapsed = SecondsBetween(shipment.dispatched, end);
      if (elapsed <= window) continue;
      Severity severity = elapsed > 2 * window ? Severity::kCritical : Severity::kHigh;
      std::string days = std::to_string(static_cast<int64_t>(elapsed / 86400));
      std::string message =
          shipment.received ? "shipment " + id + " received " + days + " days after dispatch"
                            : "shipment " + id + " not received " + days + " days after dispatch";
      Place place{shipment.destination_site, shipment.consignee};
      if (shipment.received) {
        book->Report("D1", severity, "shipment", id, place, message,
                     {shipment.dispatched_index, shipment.received_index});
      } else {
        book->Report("D1", severity, "shipment", id, place, message, {shipment.dispatched_index});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD1NotReceived() { return std::make_unique<D1NotReceived>(); }

}  // namespace chipledger::audit
