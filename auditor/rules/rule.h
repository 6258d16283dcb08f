// The rule interface (private to the auditor). A rule judges each event against the replayed
// state as it stood before that event (OnEvent), and may also judge the state as of a time
// (Evaluate) for the rules that fire on something not happening by a deadline. Rules record into
// a FindingBook; Evaluate writes into an overlay of the engine's book (FindingBook(base)), so
// queries never change the engine.
//
// Adding a rule: one file in auditor/rules/ defining a Make<Name>() factory, and one line in
// auditor/rules/registry.cc.
#ifndef CHIPLEDGER_AUDITOR_RULES_RULE_H_
#define CHIPLEDGER_AUDITOR_RULES_RULE_H_

#include <memory>
#include <string>
#include <vector>

#include "auditor/engine.h"
#include "auditor/finding_book.h"
#include "auditor/state.h"
#include "ledger/entry.h"
#include "ledger/event.h"

namespace chipledger::audit {

struct EventContext {
  const LogEntry& entry;
  const Event& event;
  const ReplayState& state;  // before this event
  const Params& params;
  const std::vector<const AgentInfo*>& signers;  // per signature; nullptr when unknown
  uint64_t index() const { return entry.index; }
  // The event's place: `site`, and that site's owner as party.
  Place PlaceOf(const std::string& site) const { return Place{site, state.SiteParty(site)}; }
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual void OnEvent(const EventContext&, FindingBook*) {}
  virtual void Evaluate(const ReplayState&, const Params&, Timestamp /*as_of*/,
                        FindingBook*) const {}
};

// "a, b, c" for messages; long lists end with "… (N in all)".
inline std::string JoinForMessage(const std::vector<std::string>& items) {
  constexpr size_t kShown = 10;
  std::string out;
  for (size_t i = 0; i < items.size() && i < kShown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > kShown) out += ", … (" + std::to_string(items.size()) + " in all)";
  return out;
}

// Every rule, in SPEC §8 order. Rules keep no state of their own: whatever one carries from event
// to event lives in ReplayState, so that an audit snapshot of it is complete (auditor/snapshot.h).
std::vector<std::unique_ptr<Rule>> AllRules();

// A rule that looks only at events whose body is `Body`.
template <typename Body>
class EventRule : public Rule {
 public:
  void OnEvent(const EventContext& context, FindingBook* book) final {
    if (const auto* body = std::get_if<Body>(&context.event.body)) On(context, *body, book);
  }

 protected:
  virtual void On(const EventContext& context, const Body& body, FindingBook* book) = 0;
};

}  // namespace chipledger::audit

#endif  // CHIPLEDGER_AUDITOR_RULES_RULE_H_
