// D5: a chip on a site's books absent from an inspection that covered it (critical): the
// material balance book − observed ≠ 0. D6: a serial observed (inspection, heartbeat) at a site
// whose books do not hold it (high). Decommissioned chips are left to D13.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D5D6Balance : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (const auto* inspection = std::get_if<InspectionPerformed>(&context.event.body)) {
      Inspection(context, *inspection, book);
    } else if (const auto* heartbeat = std::get_if<MonitorHeartbeat>(&context.event.body)) {
      for (const auto& online : heartbeat->online) {
        Unexpected(context, online.serial, heartbeat->site, book);
      }
    }
  }

 private:
  static void Inspection(const EventContext& context, const InspectionPerformed& inspection,
                         FindingBook* book) {
    InspectionGap gap = context.state.Gap(inspection);
    for (const auto& serial : gap.missing) {
      book->Report("D5", Severity::kCritical, "chip", serial, context.PlaceOf(inspection.site),
                   "chip " + serial + " on the books of " + inspection.site +
                       " not observed by inspection " + inspection.inspection,
                   {context.Chip(serial)->booked_index, context.index()});
    }
    for (const auto& serial : gap.unexpected) {
      Unexpected(context, serial, inspection.site, book);
    }
  }

  static void Unexpected(const EventContext& context, const std::string& serial,
                         const std::string& site, FindingBook* book) {
    const ChipInfo* chip = context.Chip(serial);
    if (ReplayState::OnBook(chip, site)) return;
    if (chip && chip->status == ChipStatus::kDecommissioned) return;
    std::string books = chip && !chip->site.empty() ? "held by " + chip->site
                        : chip                      ? std::string(ChipStatusName(chip->status))
                                                    : "unknown to the log";
    book->Report("D6", Severity::kHigh, "chip", serial, context.PlaceOf(site),
                 "chip " + serial + " observed at " + site + " but " + books, {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD5D6Balance() { return std::make_unique<D5D6Balance>(); }

}  // namespace chipledger::audit
