// D13: any event naming a chip after it was decommissioned (critical). A chip decommissioned as
// `returned` may be dispatched again (a return to the exporter); that dispatch is not D13.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D13AfterDecommission : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    const bool dispatch = context.event.type == EventType::kShipmentDispatched;
    std::optional<std::string> site = context.event.Site();
    for (const auto& [serial, chip] : context.chips.named()) {
      if (!chip || chip->status != ChipStatus::kDecommissioned) continue;
      if (dispatch && chip->disposition == Disposition::kReturned) continue;
      Place place = site ? context.PlaceOf(*site) : Place{};
      book->Report("D13", Severity::kCritical, "chip", serial, place,
                   "chip " + std::string(serial) + " named by " +
                       std::string(EventTypeName(context.event.type)) +
                       " after it was decommissioned",
                   {chip->decommissioned_index, context.index()});
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD13AfterDecommission() {
  return std::make_unique<D13AfterDecommission>();
}

}  // namespace chipledger::audit
