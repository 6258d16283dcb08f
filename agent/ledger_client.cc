#include "agent/ledger_client.h"

namespace chipledger::agent {
namespace {

Result<cli::HttpClient> Connect(const Config& config, const std::optional<std::string>& bearer) {
  if (config.ledger_url.empty()) {
    return Status::InvalidArgument(
        "no_ledger", "ledger_url: not configured (chipledger-agent configure --ledger URL)");
  }
  return cli::HttpClient::Open(config.ledger_url, "ledger_url",
                               {.ca_file = config.ca_file, .bearer = bearer});
}

}  // namespace

Result<HttpAnswer> PostEvent(const Config& config, const std::string& envelope) {
  Result<cli::HttpClient> client = Connect(config, std::nullopt);
  if (!client.ok()) return client.status();
  return client->Post("/v1/events", envelope, "application/json");
}

Result<HttpAnswer> Get(const Config& config, const std::string& path_and_query,
                       const std::optional<std::string>& bearer) {
  Result<cli::HttpClient> client = Connect(config, bearer);
  if (!client.ok()) return client.status();
  return client->Get(path_and_query);
}

}  // namespace chipledger::agent
