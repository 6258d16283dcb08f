// D12: a seal reported not intact, on receipt or inspection (high).
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D12BrokenSeal : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (const auto* receipt = std::get_if<ShipmentReceived>(&context.event.body)) {
      const ShipmentInfo* shipment = context.state.Shipment(receipt->shipment);
      Place place{receipt->site, shipment ? std::optional(shipment->consignee)
                                          : context.state.SiteParty(receipt->site)};
      Check(context, receipt->seals, receipt->site, place, book);
    } else if (const auto* inspection = std::get_if<InspectionPerformed>(&context.event.body)) {
      Check(context, inspection->seals, inspection->site, context.PlaceOf(inspection->site), book);
    }
  }

 private:
  static void Check(const EventContext& context, const std::vector<SealState>& seals,
                    const std::string& site, const Place& place, FindingBook* book) {
    for (const auto& seal : seals) {
      if (seal.intact) continue;
      book->Report("D12", Severity::kHigh, "seal", seal.id, place,
                   "seal " + seal.id + " reported broken at " + site + " by " +
                       std::string(EventTypeName(context.event.type)),
                   {context.index()});
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD12BrokenSeal() { return std::make_unique<D12BrokenSeal>(); }

}  // namespace chipledger::audit
