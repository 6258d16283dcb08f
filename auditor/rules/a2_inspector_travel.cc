// A2: one inspector acting at two sites with less time between the events than travel at
// max_speed_kmh would need (high). Positions are the sites' registered coordinates.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class A2InspectorTravel : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    const AgentInfo* agent = context.state.Agent(context.event.agent);
    if (!agent || agent->role != Role::kInspector) return;
    std::optional<std::string> site_id = context.event.Site();
    const SiteInfo* site = site_id ? context.state.RegisteredSite(*site_id) : nullptr;
    if (!site) return;
    const Observation* last = context.state.InspectorLastAt(agent->id);
    if (!last) return;
    Observation before = *last;
    Observation here{Name(*site_id), context.event.time, context.index()};
    const SiteInfo* there = context.state.RegisteredSite(before.site);
    if (before.site == *site_id || !there) return;
    double km =
        DistanceKm(there->record.lat, there->record.lon, site->record.lat, site->record.lon);
    double seconds = SecondsBetween(before.time, here.time);
    if (!FasterThan(km, seconds, context.params.max_speed_kmh)) return;
    book->Report("A2", Severity::kHigh, "agent", agent->id, Place{*site_id, agent->org},
                 "inspector " + agent->id + " at " + before.site + " and " + *site_id + " (" +
                     std::to_string(static_cast<int64_t>(km)) + " km) " +
                     std::to_string(static_cast<int64_t>(std::abs(seconds) / 60)) +
                     " minutes apart",
                 {before.index, here.index});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeA2InspectorTravel() { return std::make_unique<A2InspectorTravel>(); }

}  // namespace chipledger::audit
