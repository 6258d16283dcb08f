// Engine::State (private): the replayed state, the findings recorded by event-driven rules, and
// the rules themselves.
#ifndef CHIPLEDGER_AUDITOR_ENGINE_STATE_H_
#define CHIPLEDGER_AUDITOR_ENGINE_STATE_H_

#include <memory>
#include <vector>

#include "auditor/engine.h"
#include "auditor/finding_book.h"
#include "auditor/rules/rule.h"
#include "auditor/state.h"

namespace chipledger::audit {

struct Engine::State {
  ReplayState replay;
  FindingBook findings;
  std::vector<std::unique_ptr<Rule>> rules;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_ENGINE_STATE_H_
