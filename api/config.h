// chipledgerd's configuration: a JSON file (docs/api.md lists every key); CLI flags override it.
#ifndef CHIPLEDGER_API_CONFIG_H_
#define CHIPLEDGER_API_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/http_server.h"
#include "cli/serve.h"
#include "ledger/status.h"

namespace chipledger::api {

// The HTTP bounds chipledgerd shares with the witness (cli::HttpLimits: body size, connections,
// time bounds) and its own. docs/api.md "Limits" lists every bound, in-process and in nginx.
struct Limits : cli::HttpLimits {
  size_t max_header_bytes = 16 * 1024;  // all request headers together; 431 beyond
  size_t max_page_size = 1000;          // largest `limit` of GET /v1/events
  double rate_per_second = 1000;        // per client address; 0 turns rate limiting off
  double rate_burst = 2000;
};

struct TlsFiles {
  std::string cert_file, key_file;  // PEM
};

// A witness chipledgerd asks for cosignatures (SPEC §10): its add-checkpoint URL prefix and its
// C2SP verifier key (type 0x04).
struct WitnessConfig {
  std::string url;
  std::string vkey;
};

// When chipledgerd saves its live audit's state to DATA/audit.snapshot (api/audit_snapshot.h,
// docs/operations.md "Restarts"): after `every_entries` new entries or `every_s` seconds with any,
// whichever comes first, and at a clean stop.
struct AuditSnapshotConfig {
  uint64_t every_entries = 20000;
  double every_s = 60;
};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data;
  std::optional<TlsFiles> tls;
  Limits limits;
  bool metrics_from_loopback = false;  // else /metrics needs an admin token
  bool access_log = true;              // one JSON line per request on stderr
  // Addresses or networks ("10.0.0.5", "172.16.0.0/12") of reverse proxies whose
  // X-Forwarded-For / X-Real-IP name the client (api/client_address.h); none by default.
  std::vector<std::string> trusted_proxies;
  std::vector<WitnessConfig> witnesses;
  std::optional<size_t> witness_quorum;  // default: all witnesses
  AuditSnapshotConfig audit_snapshot;
};

// Reads a config file; unknown keys and wrong types are refused, naming the key.
Result<ServerConfig> LoadConfig(const std::string& path);

// The witnesses' vkeys are distinct and the quorum is between 1 and their number.
Status CheckWitnesses(const ServerConfig& config);

using cli::HostPort;
using cli::ParseListen;

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_CONFIG_H_
