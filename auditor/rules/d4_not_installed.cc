// D4: a chip received (or transferred in) and not installed within install_days (medium).
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D4NotInstalled : public Rule {
 public:
  void Evaluate(const ReplayState& state, const Params& params, Timestamp as_of,
                FindingBook* book) const override {
    const double window = params.install_days * 86400;
    for (const auto& [serial, chip] : state.chips()) {
      if (!chip.arrived) continue;
      Timestamp end;
      if (chip.status == ChipStatus::kReceived) {
        end = as_of;
      } else if (chip.status == ChipStatus::kInstalled && chip.installed) {
        end = *chip.installed;
      } else {
        continue;
      }
      double elapsed = SecondsBetween(*chip.arrived, end);
      if (elapsed <= window) continue;
      Place place{chip.site, state.SiteParty(chip.site)};
      std::string days = std::to_string(static_cast<int64_t>(elapsed / 86400));
      if (chip.status == ChipStatus::kInstalled) {
        book->Report(
            "D4", Severity::kMedium, "chip", serial, place,
            "chip " + serial + " installed " + days + " days after it arrived at " + chip.site,
            {chip.arrived_index, chip.installed_index});
      } else {
        book->Report("D4", Severity::kMedium, "chip", serial, place,
                     "chip " + serial + " at " + chip.site + " not installed " + days +
                         " days after it arrived",
                     {chip.arrived_index});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD4NotInstalled() { return std::make_unique<D4NotInstalled>(); }

}  // namespace chipledger::audit
