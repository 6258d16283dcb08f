// L7: an inspection's purpose_observed outside the purposes of the licenses in force at the site
// (high): the licenses of the chips on its books, or, if none, the licenses naming the site.
// An empty purpose_observed (not assessed) is not judged.
#include <algorithm>
#include <set>

#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

std::set<std::string> SiteLicenses(const ReplayState& state, const std::string& site_id) {
  std::set<std::string> licenses;
  if (const SiteInfo* site = state.Site(site_id)) {
    for (const auto& serial : site->book) {
      const ChipInfo* chip = state.Chip(serial);
      if (!chip->license.empty() && state.License(chip->license)) licenses.insert(chip->license);
    }
  }
  if (!licenses.empty()) return licenses;
  for (const auto& [id, license] : state.licenses()) {
    const auto& sites = license.record.sites;
    if (std::find(sites.begin(), sites.end(), site_id) != sites.end()) licenses.insert(id);
  }
  return licenses;
}

class L7Purpose : public EventRule<InspectionPerformed> {
 protected:
  void On(const EventContext& context, const InspectionPerformed& inspection,
          FindingBook* book) override {
    if (inspection.purpose_observed.empty()) return;
    std::set<std::string> licenses = SiteLicenses(context.state, inspection.site);
    if (licenses.empty()) return;
    for (const auto& id : licenses) {
      const auto& purposes = context.state.License(id)->record.purposes;
      if (std::find(purposes.begin(), purposes.end(), inspection.purpose_observed) !=
          purposes.end()) {
        return;
      }
    }
    book->Report("L7", Severity::kHigh, "inspection", inspection.inspection,
                 context.PlaceOf(inspection.site),
                 "inspection " + inspection.inspection + " observed purpose '" +
                     inspection.purpose_observed + "' at " + inspection.site +
                     ", outside licenses " +
                     JoinForMessage(std::vector<std::string>(licenses.begin(), licenses.end())),
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeL7Purpose() { return std::make_unique<L7Purpose>(); }

}  // namespace chipledger::audit
