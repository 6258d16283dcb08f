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
#include <string_view>
#include <utility>
#include <vector>

#include "auditor/engine.h"
#include "auditor/finding_book.h"
#include "auditor/state.h"
#include "ledger/entry.h"
#include "ledger/event.h"

namespace chipledger::audit {

// The chips an event names (Event::Serials), each looked up once for all the rules judging it:
// a heartbeat's chips were otherwise looked up by serial by four rules each.
class EventChips {
 public:
  EventChips(const ReplayState& state, const Event& event);
  // state.Chip(serial), without a lookup when `serial` is the event's own string met in the
  // event's order, as a rule walking one of its lists meets them.
  const ChipInfo* Find(std::string_view serial) const;
  // Every serial the event names, once each in payload order, with its chip (nullptr: unknown).
  const std::vector<std::pair<std::string_view, const ChipInfo*>>& named() const { return chips_; }

 private:
  const ReplayState& state_;
  std::vector<std::pair<std::string_view, const ChipInfo*>> chips_;  // in Serials() order
  mutable size_t next_ = 0;  // where the rule walking the list is expected next
};

struct EventContext {
  const LogEntry& entry;
  const Event& event;
  const ReplayState& state;  // before this event
  const Params& params;
  const std::vector<const AgentInfo*>& signers;  // per signature; nullptr when unknown
  const EventChips& chips;
  uint64_t index() const { return entry.index; }
  // state.Chip(serial), cheaper for the event's own serials.
  const ChipInfo* Chip(std::string_view serial) const { return chips.Find(serial); }
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
