// What the command files of chipledger-agent share: the parsed command line and helpers to open
// the home, read common flags and show a queued event.
#ifndef CHIPLEDGER_AGENT_CLI_COMMANDS_H_
#define CHIPLEDGER_AGENT_CLI_COMMANDS_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "agent/agent.h"
#include "cli/args.h"

namespace chipledger::agent::cli {

struct Context {
  std::filesystem::path home;
  bool json_output = false;
  std::optional<std::string> passphrase_file;
  chipledger::cli::Args args;
};

// A usage error (exit 2).
Status Usage(std::string message);
// The flag's value; a usage error when it is missing or empty.
Result<std::string> Require(const Context& context, const std::string& flag);
Result<Agent> OpenAgent(const Context& context, bool unlock);
// Asks for the passphrase and unlocks the key.
Status UnlockAgent(const Context& context, Agent* agent);
// --time, --location, --note.
Result<ComposeOptions> CommonFields(const Context& context);
nlohmann::json QueuedJson(const QueuedEvent& event);
// The one positional SEQ of `command` (words[index]).
Result<uint64_t> SeqArgument(const Context& context, const char* command, size_t index = 0);
// An event type by name; an unknown one lists the valid ones and suggests the closest.
Result<EventType> EventTypeArgument(const std::string& name, const std::string& what);
// --fields FILE: a JSON object of the type's own fields (strict JSON, errors with line/column).
Result<nlohmann::json> FieldsFile(const Context& context);

// Composing commands (compose.cc): they print what they sign and take --dry-run.
Result<nlohmann::json> Compose(const Context& context);
Result<nlohmann::json> Inspect(const Context& context);
Result<nlohmann::json> Receive(const Context& context);
Result<nlohmann::json> Install(const Context& context);
Result<nlohmann::json> Heartbeat(const Context& context);
// outbox [list | show SEQ | discard SEQ | replace SEQ --fields FILE [--type TYPE]] (outbox.cc).
Result<nlohmann::json> OutboxCommand(const Context& context);

}  // namespace chipledger::agent::cli

#endif  // CHIPLEDGER_AGENT_CLI_COMMANDS_H_
