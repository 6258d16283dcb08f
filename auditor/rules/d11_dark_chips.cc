// D11: an installed chip absent from a site's heartbeats for more than heartbeat_gap_hours while
// the site reports heartbeats (medium, per chip); dark_cluster or more chips of one site dark in
// the same heartbeat (high, per site). Absence is measured on the heartbeats' own clock: from
// the later of the chip's last heartbeat, its installation and the site's first heartbeat, to
// the window_end of the heartbeat that omits it.
#include <algorithm>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D11DarkChips : public EventRule<MonitorHeartbeat> {
 protected:
  void On(const EventContext& context, const MonitorHeartbeat& heartbeat,
          FindingBook* book) override {
    const SiteInfo* site = context.state.Site(heartbeat.site);
    if (!site || site->installed == 0 || AllInstalledOnline(context, heartbeat, *site)) return;
    // Sorted, to be walked along the books (sorted too); a chip online needs no further look.
    std::vector<std::string_view> online;
    online.reserve(heartbeat.online.size());
    for (const auto& chip : heartbeat.online) online.push_back(chip.serial);
    std::sort(online.begin(), online.end());
    Timestamp reporting_since = site->first_heartbeat.value_or(heartbeat.window_start);
    const double gap = context.params.heartbeat_gap_hours * 3600;
    Place place = context.PlaceOf(heartbeat.site);
    std::vector<std::string> dark;
    auto next_online = online.begin();
    for (const auto& serial : site->book) {
      while (next_online != online.end() && *next_online < serial) ++next_online;
      if (next_online != online.end() && *next_online == serial) continue;
      const ChipInfo* chip = context.Chip(serial);
      if (chip->status != ChipStatus::kInstalled) continue;
      Timestamp since = std::max(reporting_since, chip->installed.value_or(Timestamp{}));
      if (chip->last_online) since = std::max(since, *chip->last_online);
      double hours_dark = SecondsBetween(since, heartbeat.window_end);
      if (hours_dark <= gap) continue;
      dark.push_back(serial);
      book->Report("D11", Severity::kMedium, "chip", serial, place,
                   "chip " + serial + " at " + heartbeat.site + " absent from heartbeats for " +
                       std::to_string(static_cast<int64_t>(hours_dark / 3600)) + " h",
                   {context.index()});
    }
    if (dark.empty() || static_cast<int64_t>(dark.size()) < context.params.dark_cluster) return;
    book->Report("D11", Severity::kHigh, "site", heartbeat.site, place,
                 std::to_string(dark.size()) + " chips of " + heartbeat.site +
                     " dark together: " + JoinForMessage(dark),
                 {context.index()});
  }

 private:
  // True when the heartbeat lists every chip installed on the site's books, as it usually does:
  // then none is dark, and the books need no walk. Counts the event's chips (each named once,
  // already looked up) that the site's books hold as installed.
  static bool AllInstalledOnline(const EventContext& context, const MonitorHeartbeat& heartbeat,
                                 const SiteInfo& site) {
    uint64_t installed_online = 0;
    for (const auto& [serial, chip] : context.chips.named()) {
      installed_online += chip != nullptr && chip->status == ChipStatus::kInstalled &&
                          ReplayState::OnBook(chip, heartbeat.site);
    }
    return installed_online == site.installed;
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD11DarkChips() { return std::make_unique<D11DarkChips>(); }

}  // namespace chipledger::audit
