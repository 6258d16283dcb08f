// What a reader keeping its own view of the findings needs from the engine (engine.h,
// TakeRecordedChanges): the changes to the recorded findings, and one finding as recorded.
#include "auditor/engine.h"
#include "auditor/engine_state.h"

namespace chipledger::audit {

Engine::RecordedChanges Engine::TakeRecordedChanges() { return state_->findings.TakeChanges(); }

std::optional<Finding> Engine::RecordedFinding(std::string_view rule, std::string_view subject_kind,
                                               std::string_view subject_id) const {
  return state_->findings.Get(rule, subject_kind, subject_id);
}

}  // namespace chipledger::audit
