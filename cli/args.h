// Command-line parsing shared by chipledger-agent and chipledger-witness: `--flag value` pairs,
// repeatable flags, positionals.
#ifndef CHIPLEDGER_CLI_ARGS_H_
#define CHIPLEDGER_CLI_ARGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ledger/status.h"

namespace chipledger::cli {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;  // flag -> values, in order
  std::set<std::string> switches;                          // flags without a value

  std::optional<std::string> Get(const std::string& flag) const;
  std::string GetOr(const std::string& flag, std::string fallback) const;
  const std::vector<std::string>& All(const std::string& flag) const;
  bool Has(const std::string& flag) const { return switches.count(flag) > 0; }
};

// `with_value` and `switches` list the flags a command knows (without "--"); anything else is an
// error naming it.
Result<Args> ParseArgs(const std::vector<std::string>& argv,
                       const std::set<std::string>& with_value,
                       const std::set<std::string>& switches);

// The passphrase: --passphrase-file (its first line), else $CHIPLEDGER_PASSPHRASE, else a prompt
// on the terminal without echo (twice when `confirm`).
Result<std::string> ReadPassphrase(const std::optional<std::string>& file, bool confirm);

}  // namespace chipledger::cli

#endif  // CHIPLEDGER_CLI_ARGS_H_
