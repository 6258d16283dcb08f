// D10: a site holding chips not inspected within inspection_days (medium). Fires for a gap that
// an inspection ended late (recorded when it happens) and for the gap still open at as_of.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

std::string OverdueMessage(const std::string& site, double seconds, bool still) {
  return "site " + site + (still ? " holding chips not inspected for " : " went ") +
         std::to_string(static_cast<int64_t>(seconds / 86400)) +
         (still ? " days" : " days without inspection while holding chips");
}

class D10InspectionOverdue : public EventRule<InspectionPerformed> {
 public:
  void Evaluate(const ReplayState& state, const Params& params, Timestamp as_of,
                FindingBook* book) const override {
    for (const auto& [id, site] : state.sites()) {
      Timestamp since;
      uint64_t since_index = 0;
      if (!InspectionOverdue(site, as_of, params.inspection_days, &since, &since_index)) continue;
      book->Report("D10", Severity::kMedium, "site", id, Place{id, state.SiteParty(id)},
                   OverdueMessage(id, SecondsBetween(since, as_of), true), {since_index});
    }
  }

 protected:
  void On(const EventContext& context, const InspectionPerformed& inspection,
          FindingBook* book) override {
    const SiteInfo* site = context.state.Site(inspection.site);
    Timestamp since;
    uint64_t since_index = 0;
    if (!site || !InspectionOverdue(*site, context.event.time, context.params.inspection_days,
                                    &since, &since_index)) {
      return;
    }
    book->Report("D10", Severity::kMedium, "site", inspection.site,
                 context.PlaceOf(inspection.site),
                 OverdueMessage(inspection.site, SecondsBetween(since, context.event.time), false),
                 {since_index, context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD10InspectionOverdue() {
  return std::make_unique<D10InspectionOverdue>();
}

}  // namespace chipledger::audit
