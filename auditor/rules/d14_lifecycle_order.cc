// D14: custody out of order (high): received without a dispatch naming the serial, installed
// before being received at that site, transferred or decommissioned from a site whose books do
// not hold it. Chips already decommissioned are left to D13.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D14LifecycleOrder : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, ShipmentReceived>) {
            Receipt(context, body, book);
          } else if constexpr (std::is_same_v<T, ChipInstalled>) {
            for (const auto& chip : body.chips) {
              NotOnBook(context, chip.serial, body.site, "installed before it was received at",
                        book);
            }
          } else if constexpr (std::is_same_v<T, ChipTransferred>) {
            for (const auto& serial : body.chips) {
              NotOnBook(context, serial, body.from_site, "transferred from", book);
            }
          } else if constexpr (std::is_same_v<T, ChipDecommissioned>) {
            for (const auto& serial : body.chips) {
              NotOnBook(context, serial, body.site, "decommissioned at", book);
            }
          }
        },
        context.event.body);
  }

 private:
  static void Receipt(const EventContext& context, const ShipmentReceived& receipt,
                      FindingBook* book) {
    for (const auto& serial : receipt.chips) {
      const ChipInfo* chip = context.Chip(serial);
      if (chip && (chip->shipment || chip->status == ChipStatus::kDecommissioned)) continue;
      book->Report("D14", Severity::kHigh, "chip", serial, context.PlaceOf(receipt.site),
                   "chip " + serial + " received at " + receipt.site + " without a dispatch",
                   {context.index()});
    }
  }

  static void NotOnBook(const EventContext& context, const std::string& serial,
                        const std::string& site, const std::string& what, FindingBook* book) {
    const ChipInfo* chip = context.Chip(serial);
    if (ReplayState::OnBook(chip, site)) return;
    if (chip && chip->status == ChipStatus::kDecommissioned) return;
    book->Report("D14", Severity::kHigh, "chip", serial, context.PlaceOf(site),
                 "chip " + serial + " " + what + " " + site, {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD14LifecycleOrder() { return std::make_unique<D14LifecycleOrder>(); }

}  // namespace chipledger::audit
