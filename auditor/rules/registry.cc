// The list of rules the engine runs, one line each.
#include "auditor/rules/rule.h"

#define CHIPLEDGER_RULES(X) \
  X(D1NotReceived)          \
  X(D2D3Receipt)            \
  X(D4NotInstalled)         \
  X(D5D6Balance)            \
  X(D7ImpossibleTravel)     \
  X(D8Redispatch)           \
  X(D9Location)             \
  X(D10InspectionOverdue)   \
  X(D11DarkChips)           \
  X(D12BrokenSeal)          \
  X(D13AfterDecommission)   \
  X(D14LifecycleOrder)      \
  X(D15AttestedId)          \
  X(D16Power)               \
  X(D17CheckOverdue)        \
  X(L1LicenseValidity)      \
  X(L2Quantity)             \
  X(L3Model)                \
  X(L4EndUserSites)         \
  X(L5Screening)            \
  X(L6Route)                \
  X(L7Purpose)              \
  X(A1Clock)                \
  X(A2InspectorTravel)      \
  X(A3SelfInspection)

namespace chipledger::audit {

#define CHIPLEDGER_DECLARE_RULE(name) std::unique_ptr<Rule> Make##name();
CHIPLEDGER_RULES(CHIPLEDGER_DECLARE_RULE)
#undef CHIPLEDGER_DECLARE_RULE

std::vector<std::unique_ptr<Rule>> AllRules() {
  std::vector<std::unique_ptr<Rule>> rules;
#define CHIPLEDGER_ADD_RULE(name) rules.push_back(Make##name());
  CHIPLEDGER_RULES(CHIPLEDGER_ADD_RULE)
#undef CHIPLEDGER_ADD_RULE
  return rules;
}

}  // namespace chipledger::audit
