// D9: an event's `location` farther from its site than the site's radius_m plus the fix's
// accuracy_m (high). The event's site is `site`, or `from_site` of a transfer.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D9Location : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    const Event& event = context.event;
    if (!event.location) return;
    std::optional<std::string> site_id = event.Site();
    if (!site_id) return;
    const SiteInfo* site = context.state.RegisteredSite(*site_id);
    if (!site) return;
    double meters = 1000 * DistanceKm(site->record.lat, site->record.lon, event.location->lat,
                                      event.location->lon);
    double allowed = site->record.radius_m + event.location->accuracy_m.value_or(0);
    if (meters <= allowed) return;
    book->Report("D9", Severity::kHigh, "event", std::to_string(context.index()),
                 context.PlaceOf(*site_id),
                 std::string(EventTypeName(event.type)) + " by " + event.agent + " located " +
                     std::to_string(static_cast<int64_t>(meters)) + " m from " + *site_id +
                     " (allowed " + std::to_string(static_cast<int64_t>(allowed)) + " m)",
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD9Location() { return std::make_unique<D9Location>(); }

}  // namespace chipledger::audit
