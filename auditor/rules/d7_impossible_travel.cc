// D7: one serial seen at two sites with less time between the sightings than travel at
// max_speed_kmh would need (critical): a cloned serial or an unrecorded move. Sightings are
// receipts, installations, inspections and heartbeats, at the sites' registered coordinates.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D7ImpossibleTravel : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    std::visit(
        [&](const auto& body) {
          using T = std::decay_t<decltype(body)>;
          if constexpr (std::is_same_v<T, ShipmentReceived>) {
            for (const auto& serial : body.chips) Check(context, serial, body.site, book);
          } else if constexpr (std::is_same_v<T, ChipInstalled>) {
            for (const auto& chip : body.chips) Check(context, chip.serial, body.site, book);
          } else if constexpr (std::is_same_v<T, InspectionPerformed>) {
            for (const auto& chip : body.observed) Check(context, chip.serial, body.site, book);
          } else if constexpr (std::is_same_v<T, MonitorHeartbeat>) {
            for (const auto& chip : body.online) Check(context, chip.serial, body.site, book);
          }
        },
        context.event.body);
  }

 private:
  static void Check(const EventContext& context, const std::string& serial, const std::string& site,
                    FindingBook* book) {
    const ChipInfo* chip = context.Chip(serial);
    if (!chip || !chip->last_seen || chip->last_seen->site == site) return;
    const SiteInfo* here = context.state.RegisteredSite(site);
    const SiteInfo* there = context.state.RegisteredSite(chip->last_seen->site);
    if (!here || !there) return;
    double km =
        DistanceKm(there->record.lat, there->record.lon, here->record.lat, here->record.lon);
    double seconds = SecondsBetween(chip->last_seen->time, context.event.time);
    if (!FasterThan(km, seconds, context.params.max_speed_kmh)) return;
    book->Report("D7", Severity::kCritical, "chip", serial, context.PlaceOf(site),
                 "chip " + serial + " seen at " + chip->last_seen->site + " and at " + site + " (" +
                     std::to_string(static_cast<int64_t>(km)) + " km) " +
                     std::to_string(static_cast<int64_t>(std::abs(seconds) / 60)) +
                     " minutes apart",
                 {chip->last_seen->index, context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD7ImpossibleTravel() { return std::make_unique<D7ImpossibleTravel>(); }

}  // namespace chipledger::audit
