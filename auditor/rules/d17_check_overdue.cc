// D17: a requested check with no inspection.performed at its site naming it by its `due`
// (high). A late inspection still leaves the finding.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class D17CheckOverdue : public Rule {
 public:
  void Evaluate(const ReplayState& state, const Params&, Timestamp as_of,
                FindingBook* book) const override {
    for (const auto& [id, check] : state.checks()) {
      Timestamp end = check.performed ? *check.performed : as_of;
      if (end <= check.record.due) continue;
      const std::string& site = check.record.site;
      Place place{site, state.SiteParty(site)};
      if (check.performed) {
        book->Report("D17", Severity::kHigh, "check", id, place,
                     "check " + id + " at " + site + " performed after its due " +
                         FormatTime(check.record.due),
                     {check.index, check.performed_index});
      } else {
        book->Report("D17", Severity::kHigh, "check", id, place,
                     "check " + id + " at " + site + " not performed by its due " +
                         FormatTime(check.record.due),
                     {check.index});
      }
    }
  }
};

}  // namespace

std::unique_ptr<Rule> MakeD17CheckOverdue() { return std::make_unique<D17CheckOverdue>(); }

}  // namespace chipledger::audit
