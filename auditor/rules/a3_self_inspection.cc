// A3: an inspection whose signers (submitter and co-signers) are all agents of the inspected
// site's own organisation (medium). One signer of another organisation clears it; a signature
// whose key is not an enrolled agent's does not.
#include "auditor/rules/rule.h"

namespace chipledger::audit {
namespace {

class A3SelfInspection : public EventRule<InspectionPerformed> {
 protected:
  void On(const EventContext& context, const InspectionPerformed& inspection,
          FindingBook* book) override {
    std::optional<std::string> owner = context.state.SiteParty(inspection.site);
    if (!owner) return;
    for (const AgentInfo* signer : context.signers) {
      if (signer && signer->org != *owner) return;
    }
    book->Report("A3", Severity::kMedium, "inspection", inspection.inspection,
                 Place{inspection.site, owner},
                 "inspection " + inspection.inspection + " of " + inspection.site +
                     " signed only by agents of its own organisation " + *owner,
                 {context.index()});
  }
};

}  // namespace

std::unique_ptr<Rule> MakeA3SelfInspection() { return std::make_unique<A3SelfInspection>(); }

}  // namespace chipledger::audit
