// D2: received serials differ from the shipment's manifest (missing: critical; extra: high).
// D3: received at a site other than the destination, or by a forwarder consignee (critical).
#include <set>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D2D3Receipt : public EventRule<ShipmentReceived> {
 protected:
  void On(const EventContext& context, const ShipmentReceived& receipt,
          FindingBook* book) override {
    const ShipmentInfo* shipment = context.state.Shipment(receipt.shipment);
    if (!shipment) return;  // received without dispatch: D14
    Place place{receipt.site, shipment->consignee};
    CompareManifest(context, receipt, *shipment, place, book);
    if (receipt.site != shipment->destination_site) {
      book->Report("D3", Severity::kCritical, "shipment", receipt.shipment, place,
                   "shipment " + receipt.shipment + " received at " + receipt.site +
                       ", not its destination " + shipment->destination_site,
                   {shipment->dispatched_index, context.index()});
    }
    const PartyInfo* consignee = context.state.Party(shipment->consignee);
    if (consignee && consignee->registered && consignee->record.kind == PartyKind::kForwarder) {
      book->Report(
          "D3", Severity::kCritical, "shipment", receipt.shipment, place,
          "shipment " + receipt.shipment + " consigned to forwarder " + shipment->consignee,
          {shipment->dispatched_index, context.index()});
    }
  }

 private:
  static void CompareManifest(const EventContext& context, const ShipmentReceived& receipt,
                              const ShipmentInfo& shipment, const Place& place, FindingBook* book) {
    std::set<std::string> shipped(shipment.serials.begin(), shipment.serials.end());
    std::set<std::string> received(receipt.chips.begin(), receipt.chips.end());
    std::vector<std::string> missing, extra;
    for (const auto& serial : shipped) {
      if (!received.count(serial)) missing.push_back(serial);
    }
    for (const auto& serial : received) {
      if (!shipped.count(serial)) extra.push_back(serial);
    }
    if (!extra.empty()) {
      book->Report(
          "D2", Severity::kHigh, "shipment", receipt.shipment, place,
          "shipment " + receipt.shipment + " received with extra serials " + JoinForMessage(extra),
          {shipment.dispatched_index, context.index()});
    }
    if (!missing.empty()) {
      book->Report(
          "D2", Severity::kCritical, "shipment", receipt.shipment, place,
          "shipment " + receipt.shipment + " received without serials " + JoinForMessage(missing),
          {shipment.dispatched_index, context.index()});
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD2D3Receipt() { return std::make_unique<D2D3Receipt>(); }

}  // namespace chipledger::audit
