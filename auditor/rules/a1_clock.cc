// A1: an event's `time` later than its integrated_time by more than max_skew_s, or earlier by
// more than max_backdate_days (medium).
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class A1Clock : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    double ahead = SecondsBetween(context.entry.integrated_time, context.event.time);
    std::string why;
    if (ahead > context.params.max_skew_s) {
      why = std::to_string(static_cast<int64_t>(ahead)) + " s after";
    } else if (-ahead > context.params.max_backdate_days * 86400) {
      why = std::to_string(static_cast<int64_t>(-ahead / 86400)) + " days before";
    } else {
      return;
    }
    std::optional<std::string> site = context.event.Site();
    book->Report("A1", Severity::kMedium, "event", std::to_string(context.index()),
                 site ? context.PlaceOf(*site) : Place{},
                 std::string(EventTypeName(context.event.type)) + " by " + context.event.agent +
                     " claims a time " + why + " its integration",
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeA1Clock() { return std::make_unique<A1Clock>(); }

}  // namespace chipledger::audit
