// D16: a site's installed chips × chip_watts above its declared power_kw (medium); judged when
// chips are installed and when the site is (re-)registered.
#include <set>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D16Power : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) override {
    if (const auto* install = std::get_if<ChipInstalled>(&context.event.body)) {
      const SiteInfo* site = context.state.RegisteredSite(install->site);
      if (!site) return;
      std::set<std::string> newly;
      for (const auto& chip : install->chips) {
        const ChipInfo* info = context.Chip(chip.serial);
        bool already =
            info && info->status == ChipStatus::kInstalled && info->site == install->site;
        if (!already) newly.insert(chip.serial);
      }
      Check(context, site->record, site->installed + newly.size(), book);
    } else if (const auto* registered = std::get_if<SiteRegistered>(&context.event.body)) {
      const SiteInfo* site = context.state.Site(registered->id);
      Check(context, *registered, site ? site->installed : 0, book);
    }
  }

 private:
  static void Check(const EventContext& context, const SiteRegistered& site, uint64_t installed,
                    FindingBook* book) {
    if (!site.power_kw) return;
    double watts = static_cast<double>(installed) * context.params.chip_watts;
    if (watts <= *site.power_kw * 1000) return;
    book->Report("D16", Severity::kMedium, "site", site.id, Place{site.id, site.party},
                 std::to_string(installed) + " chips installed at " + site.id + " draw " +
                     std::to_string(static_cast<int64_t>(watts / 1000)) +
                     " kW, above its declared " +
                     std::to_string(static_cast<int64_t>(*site.power_kw)) + " kW",
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD16Power() { return std::make_unique<D16Power>(); }

}  // namespace chipledger::audit
