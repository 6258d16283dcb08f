// Dealing with an event the ledger refused for good (its role, its schema): show it, discard it
// or replace it, keeping the chain valid. Only the head of the outbox can be refused (submit goes
// in order and stops there), and only a refused event is changed: one the ledger has not refused
// may already be in it, and a signed fact in the ledger is never signed over.
#include <nlohmann/json.hpp>

#include "agent/agent.h"
#include "agent/home.h"
#include "ledger/durable_file.h"

namespace chipledger::agent {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Result<std::string> PayloadOf(const QueuedEvent& event) {
  Result<Envelope> envelope = ParseEnvelope(event.envelope);
  if (!envelope.ok()) return envelope.status();
  return envelope->payload;
}

}  // namespace

Result<std::optional<Refusal>> Agent::RefusalOf(uint64_t seq) const {
  fs::path path = RefusalPath(home_, seq);
  if (!fs::exists(path)) return std::optional<Refusal>();
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  json record = json::parse(*text, nullptr, false);
  if (!record.is_object() || !record.value("status", json()).is_number_integer()) {
    return Status::Corruption(path.string() + ": not a refusal record (move it aside)");
  }
  return std::optional<Refusal>(
      Refusal{record["status"].get<int>(), record.value("error", ""), record.value("message", "")});
}

Result<Agent::RefusedHead> Agent::LoadRefusedHead(uint64_t seq) const {
  Result<std::vector<QueuedEvent>> outbox = Outbox();
  if (!outbox.ok()) return outbox.status();
  if (outbox->empty() || outbox->front().seq != seq) {
    return Status::InvalidArgument(
        "not_refused",
        "seq " + std::to_string(seq) + ": only the event at the head of the outbox" +
            (outbox->empty() ? "" : " (seq " + std::to_string(outbox->front().seq) + ")") +
            " can be discarded or replaced, once the ledger has refused it");
  }
  Result<std::optional<Refusal>> refusal = RefusalOf(seq);
  if (!refusal.ok()) return refusal.status();
  if (!*refusal) {
    return Status::InvalidArgument(
        "not_refused", "seq " + std::to_string(seq) +
                           ": the ledger has not refused it (it may be in the ledger already); "
                           "run `chipledger-agent submit` first, and discard or replace it only "
                           "if the ledger refuses it");
  }
  Result<std::string> head_payload = PayloadOf(outbox->front());
  if (!head_payload.ok()) return head_payload.status();
  Result<Event> event = ParseEvent(*head_payload);
  if (!event.ok()) return event.status();
  RefusedHead head{*std::move(event), ChainHead{}, {}};
  head.base = ChainHead{seq - 1, head.event.prev};
  for (size_t i = 1; i < outbox->size(); ++i) {
    if ((*outbox)[i].signatures > 1) {
      return Status::Conflict("cosigned", "seq " + std::to_string((*outbox)[i].seq) +
                                              " carries co-signatures that re-signing would "
                                              "void; submit or discard it first");
    }
    Result<std::string> payload = PayloadOf((*outbox)[i]);
    if (!payload.ok()) return payload.status();
    head.after.push_back(*std::move(payload));
  }
  return head;
}

Status Agent::Discard(uint64_t seq) {
  Result<RefusedHead> head = LoadRefusedHead(seq);
  if (!head.ok()) return head.status();
  // The events after it take its place: seq, seq+1, … chained from its own prev.
  return Restage(head->base, head->after);
}

Result<QueuedEvent> Agent::Replace(uint64_t seq, EventType type, const json& fields,
                                   ComposeOptions options) {
  if (!key_) return Status::InvalidArgument("locked", "the key is locked: unlock it first");
  Result<RefusedHead> head = LoadRefusedHead(seq);
  if (!head.ok()) return head.status();
  if (!options.time) options.time = head->event.time;  // when the fact was observed
  Result<std::string> payload = PayloadAt(head->base, type, fields, options);
  if (!payload.ok()) return payload.status();
  head->after.insert(head->after.begin(), *payload);
  if (Status s = Restage(head->base, head->after); !s.ok()) return s;
  return Queued(seq);
}

}  // namespace chipledger::agent
