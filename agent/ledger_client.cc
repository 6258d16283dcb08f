#include "agent/ledger_client.h"

#include <httplib.h>

namespace chipledger::agent {
namespace {

struct Endpoint {
  std::string origin;  // scheme://host[:port]
  std::string prefix;  // path prefix without a trailing slash, e.g. "/ledger"
};

Result<Endpoint> ParseUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (url.empty()) return Status::InvalidArgument("no_ledger", "ledger_url: not configured");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    return Status::InvalidArgument("bad_url", "ledger_url: must start with http:// or https://");
  }
  size_t path = url.find('/', scheme_end + 3);
  Endpoint endpoint{url.substr(0, path), path == std::string::npos ? "" : url.substr(path)};
  while (!endpoint.prefix.empty() && endpoint.prefix.back() == '/') endpoint.prefix.pop_back();
  return endpoint;
}

template <typename Send>
Result<HttpAnswer> Request(const Config& config, Send send) {
  Result<Endpoint> endpoint = ParseUrl(config.ledger_url);
  if (!endpoint.ok()) return endpoint.status();
  httplib::Client client(endpoint->origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  client.set_write_timeout(30);
  if (config.ca_file) client.set_ca_cert_path(config.ca_file->c_str());
  client.enable_server_certificate_verification(true);
  httplib::Result result = send(client, endpoint->prefix);
  if (!result) {
    return Status::Unavailable("ledger " + config.ledger_url +
                               " unreachable: " + httplib::to_string(result.error()));
  }
  return HttpAnswer{result->status, result->body};
}

}  // namespace

Result<HttpAnswer> PostEvent(const Config& config, const std::string& envelope) {
  return Request(config, [&](httplib::Client& client, const std::string& prefix) {
    return client.Post(prefix + "/v1/events", envelope, "application/json");
  });
}

Result<HttpAnswer> Get(const Config& config, const std::string& path_and_query,
                       const std::optional<std::string>& bearer) {
  return Request(config, [&](httplib::Client& client, const std::string& prefix) {
    httplib::Headers headers;
    if (bearer) headers.emplace("Authorization", "Bearer " + *bearer);
    return client.Get(prefix + path_and_query, headers);
  });
}

}  // namespace chipledger::agent
