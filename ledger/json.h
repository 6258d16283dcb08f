// The ledger's strict JSON reader for programs outside ledger/ (e.g. the agent's --fields
// files): exactly one UTF-8 JSON document, duplicate keys and trailing bytes refused, errors with
// the line and column.
#ifndef CHIPLEDGER_LEDGER_JSON_H_
#define CHIPLEDGER_LEDGER_JSON_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "ledger/status.h"

namespace chipledger {

// InvalidArgument "bad_json", the message prefixed by `what` (e.g. a file name): "WHAT: not valid
// UTF-8 JSON at line 3, column 7: …" or "WHAT: duplicate key \"site\"".
Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what);

}  // namespace chipledger

#endif  // CHIPLEDGER_LEDGER_JSON_H_
