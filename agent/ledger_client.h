// The agent's only HTTP code: plain requests to the ledger (SPEC §6), no retry policy here.
#ifndef CHIPLEDGER_AGENT_LEDGER_CLIENT_H_
#define CHIPLEDGER_AGENT_LEDGER_CLIENT_H_

#include <optional>
#include <string>

#include "agent/agent.h"
#include "ledger/status.h"

namespace chipledger::agent {

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// A transport failure (refused, reset, timeout) is Unavailable; any HTTP answer is a value.
Result<HttpAnswer> PostEvent(const Config& config, const std::string& envelope);
Result<HttpAnswer> Get(const Config& config, const std::string& path_and_query,
                       const std::optional<std::string>& bearer);

}  // namespace chipledger::agent

#endif  // CHIPLEDGER_AGENT_LEDGER_CLIENT_H_
