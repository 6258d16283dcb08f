// The agent's requests to the ledger (SPEC §6) through the shared client (cli/http_client.h):
// plain requests, no retry policy here.
#ifndef CHIPLEDGER_AGENT_LEDGER_CLIENT_H_
#define CHIPLEDGER_AGENT_LEDGER_CLIENT_H_

#include <optional>
#include <string>

#include "agent/agent.h"
#include "cli/http_client.h"
#include "ledger/status.h"

namespace chipledger::agent {

using cli::HttpAnswer;

// A transport failure (refused, name not found, TLS, timeout) is Unavailable, said in words; any
// HTTP answer is a value.
Result<HttpAnswer> PostEvent(const Config& config, const std::string& envelope);
Result<HttpAnswer> Get(const Config& config, const std::string& path_and_query,
                       const std::optional<std::string>& bearer);

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_LEDGER_CLIENT_H_
