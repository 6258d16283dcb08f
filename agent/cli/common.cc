#include <algorithm>
#include <numeric>

#include "agent/cli/commands.h"
#include "ledger/durable_file.h"
#include "ledger/json.h"

namespace chipledger::agent::cli {
namespace {

// Levenshtein distance, for "did you mean".
size_t Distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0]++;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Status Usage(std::string message) { return Status::InvalidArgument("usage", std::move(message)); }

Result<std::string> Require(const Context& context, const std::string& flag) {
  std::optional<std::string> value = context.args.Get(flag);
  if (!value || value->empty()) return Usage("--" + flag + ": required");
  return *value;
}

Status UnlockAgent(const Context& context, Agent* agent) {
  Result<std::string> passphrase = chipledger::cli::ReadPassphrase(context.passphrase_file, false);
  if (!passphrase.ok()) return passphrase.status();
  return agent->Unlock(*passphrase);
}

Result<Agent> OpenAgent(const Context& context, bool unlock) {
  Result<Agent> agent = Agent::Open(context.home);
  if (!agent.ok() || !unlock) return agent;
  if (Status s = UnlockAgent(context, &*agent); !s.ok()) return s;
  return agent;
}

Result<ComposeOptions> CommonFields(const Context& context) {
  ComposeOptions options;
  if (auto time = context.args.Get("time")) {
    Result<Timestamp> parsed = ParseTime(*time, "--time");
    if (!parsed.ok()) return parsed.status();
    options.time = *parsed;
  }
  if (auto location = context.args.Get("location")) {
    Result<Location> parsed = ParseLocation(*location);
    if (!parsed.ok()) return parsed.status();
    options.location = *parsed;
  }
  options.note = context.args.Get("note");
  return options;
}

nlohmann::json QueuedJson(const QueuedEvent& event) {
  return {{"seq", event.seq},
          {"type", EventTypeName(event.type)},
          {"payload_hash", ToHex(event.payload_hash)},
          {"signatures", event.signatures}};
}

Result<uint64_t> SeqArgument(const Context& context, const char* command, size_t index) {
  const std::vector<std::string>& words = context.args.positional;
  uint64_t seq = 0;
  if (words.size() != index + 1 || !ParseCanonicalDecimal(words[index], &seq) || seq == 0) {
    return Usage(std::string(command) + ": needs one SEQ (a positive integer)");
  }
  return seq;
}

Result<EventType> EventTypeArgument(const std::string& name, const std::string& what) {
  if (std::optional<EventType> type = EventTypeFromName(name)) return *type;
  std::string names, closest;
  size_t best = SIZE_MAX;
  for (EventType type : AllEventTypes()) {
    std::string candidate(EventTypeName(type));
    names += (names.empty() ? "" : ", ") + candidate;
    if (size_t d = Distance(name, candidate); d < best) best = d, closest = candidate;
  }
  std::string hint = best <= 3 ? "; did you mean " + closest + "?" : "";
  return Usage(what + ": unknown event type '" + name + "'" + hint + " (the types: " + names + ")");
}

Result<nlohmann::json> FieldsFile(const Context& context) {
  Result<std::string> file = Require(context, "fields");
  if (!file.ok()) return file.status();
  Result<std::string> text = ReadFile(*file);
  if (!text.ok()) return text.status();
  Result<nlohmann::json> fields = ParseJson(*text, "--fields " + *file);
  if (!fields.ok()) return Usage(fields.status().message());
  return fields;
}

}  // namespace chipledger::agent::cli
