// The composing commands: what is about to be signed is shown first (a summary on the terminal,
// --dry-run: the summary and the exact payload bytes, nothing signed), because a signed fact in
// the ledger cannot be taken back.
#include <iostream>

#include "agent/cli/commands.h"

namespace chipledger::agent::cli {
namespace {

using nlohmann::json;

// Composes and queues: the fields come from a file or a field command.
Result<json> Queue(const Context& context, EventType type, const Result<json>& fields) {
  if (!fields.ok()) return fields.status();
  Result<ComposeOptions> options = CommonFields(context);
  if (!options.ok()) return options.status();
  // One time for the preview and the signature: what is shown is what is signed.
  if (!options->time) options->time = Now();
  Result<Agent> agent = OpenAgent(context, false);
  if (!agent.ok()) return agent.status();
  Result<std::string> payload = agent->Preview(type, *fields, *options);
  if (!payload.ok()) return payload.status();
  std::vector<std::string> summary = Summarize(*payload);
  if (context.args.Has("dry-run")) {
    return json{{"dry_run", true}, {"summary", summary}, {"payload", *payload}};
  }
  if (!context.json_output) {
    std::cout << "signing and queueing:\n";
    for (const std::string& line : summary) std::cout << "  " << line << "\n";
  }
  if (Status s = UnlockAgent(context, &*agent); !s.ok()) return s;
  Result<QueuedEvent> event = agent->Compose(type, *fields, *options);
  if (!event.ok()) return event.status();
  json out = QueuedJson(*event);
  out["queued"] = agent->Outbox().ok() ? agent->Outbox()->size() : 0;
  if (context.json_output) out["summary"] = summary;
  return out;
}

}  // namespace

Result<json> Compose(const Context& context) {
  if (context.args.positional.size() != 1) return Usage("compose: needs one event TYPE");
  Result<EventType> type = EventTypeArgument(context.args.positional[0], "TYPE");
  if (!type.ok()) return type.status();
  return Queue(context, *type, FieldsFile(context));
}

Result<json> Inspect(const Context& context) {
  InspectionInput input;
  for (auto [flag, target] : {std::pair{"inspection", &input.inspection},
                              {"site", &input.site},
                              {"purpose", &input.purpose}}) {
    Result<std::string> value = Require(context, flag);
    if (!value.ok()) return value.status();
    *target = *value;
  }
  input.kind = context.args.GetOr("kind", "routine");
  input.result = context.args.GetOr("result", "pass");
  input.check = context.args.Get("check");
  if (auto file = context.args.Get("observed")) input.observed = *file;
  if (auto file = context.args.Get("sampled")) input.sampled = *file;
  input.seals = context.args.All("seal");
  input.evidence = context.args.All("evidence");
  return Queue(context, EventType::kInspectionPerformed, InspectionFields(input));
}

Result<json> Receive(const Context& context) {
  Result<std::string> shipment = Require(context, "shipment");
  Result<std::string> site = Require(context, "site");
  Result<std::string> chips = Require(context, "chips");
  for (const auto* r : {&shipment, &site, &chips}) {
    if (!r->ok()) return r->status();
  }
  ReceiptInput input{*shipment, *site, *chips, context.args.All("seal")};
  return Queue(context, EventType::kShipmentReceived, ReceiptFields(input));
}

Result<json> Install(const Context& context) {
  Result<std::string> site = Require(context, "site");
  Result<std::string> chips = Require(context, "chips");
  if (!site.ok()) return site.status();
  if (!chips.ok()) return chips.status();
  return Queue(context, EventType::kChipInstalled, InstallFields({*site, *chips}));
}

Result<json> Heartbeat(const Context& context) {
  Result<std::string> site = Require(context, "site");
  Result<std::string> start = Require(context, "window-start");
  Result<std::string> online = Require(context, "online");
  for (const auto* r : {&site, &start, &online}) {
    if (!r->ok()) return r->status();
  }
  HeartbeatInput input{*site, *start, context.args.GetOr("window-end", FormatTime(Now())), *online,
                       context.args.All("rtt")};
  return Queue(context, EventType::kMonitorHeartbeat, HeartbeatFields(input));
}

}  // namespace chipledger::agent::cli
