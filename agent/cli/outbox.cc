// `outbox`: the queued events, one decoded, and the way out for an event the ledger refused for
// good (discard it, or replace it), the chain kept valid (Agent::Discard, Agent::Replace).
#include "agent/cli/commands.h"

namespace chipledger::agent::cli {
namespace {

using nlohmann::json;

Result<json> List(const Agent& agent) {
  Result<std::vector<QueuedEvent>> outbox = agent.Outbox();
  if (!outbox.ok()) return outbox.status();
  json events = json::array();
  for (const QueuedEvent& event : *outbox) {
    json item = QueuedJson(event);
    Result<std::optional<Refusal>> refusal = agent.RefusalOf(event.seq);
    if (refusal.ok() && *refusal) item["refused"] = (*refusal)->error;
    events.push_back(std::move(item));
  }
  return json{{"outbox", events}};
}

Result<json> Show(const Agent& agent, uint64_t seq) {
  Result<QueuedEvent> event = agent.Queued(seq);
  if (!event.ok()) return event.status();
  Result<Envelope> envelope = ParseEnvelope(event->envelope);
  if (!envelope.ok()) return envelope.status();
  json out = QueuedJson(*event);
  json signers = json::array();
  for (const EnvelopeSignature& signature : envelope->signatures)
    signers.push_back(signature.keyid);
  out["signed_by"] = signers;
  Result<std::optional<Refusal>> refusal = agent.RefusalOf(seq);
  if (!refusal.ok()) return refusal.status();
  if (*refusal) {
    out["refused"] = {{"status", (*refusal)->status},
                      {"error", (*refusal)->error},
                      {"message", (*refusal)->message}};
  }
  out["payload"] = json::parse(envelope->payload);
  return out;
}

Result<json> Replace(const Context& context, Agent* agent, uint64_t seq) {
  Result<QueuedEvent> refused = agent->Queued(seq);
  if (!refused.ok()) return refused.status();
  Result<EventType> type = context.args.Get("type")
                               ? EventTypeArgument(*context.args.Get("type"), "--type")
                               : Result<EventType>(refused->type);
  if (!type.ok()) return type.status();
  Result<json> fields = FieldsFile(context);
  if (!fields.ok()) return fields.status();
  Result<ComposeOptions> options = CommonFields(context);
  if (!options.ok()) return options.status();
  if (Status s = UnlockAgent(context, agent); !s.ok()) return s;
  Result<QueuedEvent> event = agent->Replace(seq, *type, *fields, *options);
  if (!event.ok()) return event.status();
  json out = QueuedJson(*event);
  out["replaced"] = seq;
  out["summary"] = Summarize(ParseEnvelope(event->envelope)->payload);
  return out;
}

Result<json> Discard(const Context& context, Agent* agent, uint64_t seq) {
  Result<std::vector<QueuedEvent>> outbox = agent->Outbox();
  if (!outbox.ok()) return outbox.status();
  // Re-signing the events after it needs the key; discarding the last queued one does not.
  if (outbox->size() > 1) {
    if (Status s = UnlockAgent(context, agent); !s.ok()) return s;
  }
  if (Status s = agent->Discard(seq); !s.ok()) return s;
  return json{
      {"discarded", seq}, {"resigned", outbox->size() - 1}, {"last_seq", agent->head().seq}};
}

}  // namespace

Result<json> OutboxCommand(const Context& context) {
  const std::vector<std::string>& words = context.args.positional;
  std::string action = words.empty() ? "list" : words[0];
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  if (action == "list" && words.size() <= 1) return List(*agent);
  const char* usage = "outbox show|discard|replace SEQ";
  if (action != "show" && action != "discard" && action != "replace") {
    return Usage("outbox: unknown action '" + action + "' (list, show, discard or replace)");
  }
  Result<uint64_t> seq = SeqArgument(context, usage, 1);
  if (!seq.ok()) return seq.status();
  if (action == "show") return Show(*agent, *seq);
  if (action == "discard") return Discard(context, &*agent, *seq);
  return Replace(context, &*agent, *seq);
}

}  // namespace chipledger::agent::cli
