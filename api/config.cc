#include "api/config.h"

#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "api/client_address.h"
#include "cli/http_client.h"
#include "ledger/cosignature.h"

namespace chipledger::api {
namespace {

using nlohmann::json;
using FieldSetter = std::function<Status(const json& value, const std::string& path)>;

Status WrongType(const std::string& path, std::string_view expected) {
  return Status::InvalidArgument("bad_config", path + ": must be " + std::string(expected));
}

FieldSetter StringField(std::string* out) {
  return [out](const json& v, const std::string& path) {
    if (!v.is_string()) return WrongType(path, "a string");
    *out = v.get<std::string>();
    return Status::Ok();
  };
}

FieldSetter BoolField(bool* out) {
  return [out](const json& v, const std::string& path) {
    if (!v.is_boolean()) return WrongType(path, "true or false");
    *out = v.get<bool>();
    return Status::Ok();
  };
}

template <typename T>
FieldSetter NumberField(T* out, double min, double max) {
  return [out, min, max](const json& v, const std::string& path) {
    bool integral = std::is_integral_v<T>;
    if (!v.is_number() || (integral && !v.is_number_integer())) {
      return WrongType(path, integral ? "an integer" : "a number");
    }
    double d = v.get<double>();
    if (d < min || d > max) {
      return Status::InvalidArgument(
          "bad_config",
          path + ": must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    *out = integral ? static_cast<T>(v.get<int64_t>()) : static_cast<T>(d);
    return Status::Ok();
  };
}

// Applies `fields` to the object `value`, refusing keys it does not know.
Status ApplyObject(const json& value, const std::string& path,
                   const std::map<std::string, FieldSetter>& fields) {
  if (!value.is_object()) return WrongType(path.empty() ? "config" : path, "an object");
  for (const auto& [key, item] : value.items()) {
    std::string item_path = path.empty() ? key : path + "." + key;
    auto field = fields.find(key);
    if (field == fields.end()) {
      return Status::InvalidArgument("bad_config", item_path + ": unknown key");
    }
    if (Status s = field->second(item, item_path); !s.ok()) return s;
  }
  return Status::Ok();
}

// A key an earlier version read: refused with what replaced it, so an old configuration fails
// with the fix in its message rather than a bare "unknown key".
FieldSetter ReplacedField(std::string replacement) {
  return [replacement](const json&, const std::string& path) {
    return Status::InvalidArgument(
        "bad_config", path + ": no longer read; use " + replacement + " instead (docs/api.md)");
  };
}

FieldSetter LimitsField(Limits* limits) {
  return [limits](const json& v, const std::string& path) {
    return ApplyObject(
        v, path,
        {{"max_body_bytes", NumberField(&limits->max_body_bytes, 1024, 1 << 24)},
         {"max_header_bytes", NumberField(&limits->max_header_bytes, 1024, 1 << 20)},
         {"max_page_size", NumberField(&limits->max_page_size, 1, 100000)},
         {"rate_per_second", NumberField(&limits->rate_per_second, 0, 1e9)},
         {"rate_burst", NumberField(&limits->rate_burst, 1, 1e9)},
         {"max_connections", NumberField(&limits->max_connections, 1, 65536)},
         {"threads", ReplacedField("limits.max_connections")},
         {"read_timeout_s", NumberField(&limits->read_timeout_s, 1, 3600)},
         {"write_timeout_s", NumberField(&limits->write_timeout_s, 1, 3600)},
         {"keep_alive_timeout_s", NumberField(&limits->keep_alive_timeout_s, 1, 3600)},
         {"keep_alive_max_requests", NumberField(&limits->keep_alive_max_requests, 1, 1e9)}});
  };
}

FieldSetter AuditSnapshotField(AuditSnapshotConfig* snapshot) {
  return [snapshot](const json& v, const std::string& path) {
    return ApplyObject(v, path,
                       {{"every_entries", NumberField(&snapshot->every_entries, 1, 1e12)},
                        {"every_s", NumberField(&snapshot->every_s, 0.01, 86400)}});
  };
}

FieldSetter TlsField(std::optional<TlsFiles>* tls) {
  return [tls](const json& v, const std::string& path) {
    TlsFiles files;
    Status s = ApplyObject(
        v, path,
        {{"cert_file", StringField(&files.cert_file)}, {"key_file", StringField(&files.key_file)}});
    if (!s.ok()) return s;
    if (files.cert_file.empty() || files.key_file.empty()) {
      return Status::InvalidArgument("bad_config", path + ": needs cert_file and key_file");
    }
    *tls = files;
    return Status::Ok();
  };
}

FieldSetter WitnessesField(std::vector<WitnessConfig>* witnesses) {
  return [witnesses](const json& v, const std::string& path) {
    if (!v.is_array()) return WrongType(path, "an array of {\"url\", \"vkey\"}");
    for (size_t i = 0; i < v.size(); ++i) {
      std::string item_path = path + "[" + std::to_string(i) + "]";
      WitnessConfig witness;
      Status s =
          ApplyObject(v[i], item_path,
                      {{"url", StringField(&witness.url)}, {"vkey", StringField(&witness.vkey)}});
      if (!s.ok()) return s;
      if (Result<cli::HttpUrl> url = cli::ParseHttpUrl(witness.url, item_path + ".url");
          !url.ok()) {
        return Status::InvalidArgument("bad_config", url.status().message());
      }
      if (Result<WitnessKey> key = ParseWitnessKey(witness.vkey); !key.ok()) {
        return Status::InvalidArgument("bad_config",
                                       item_path + ".vkey: " + key.status().message());
      }
      witnesses->push_back(std::move(witness));
    }
    return Status::Ok();
  };
}

FieldSetter TrustedProxiesField(std::vector<std::string>* proxies) {
  return [proxies](const json& v, const std::string& path) {
    if (!v.is_array()) return WrongType(path, "an array of addresses or networks");
    std::vector<std::string> entries;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) return WrongType(path + "[" + std::to_string(i) + "]", "a string");
      entries.push_back(v[i].get<std::string>());
    }
    Result<TrustedProxies> parsed = TrustedProxies::Parse(entries, path);
    if (!parsed.ok()) return parsed.status();
    *proxies = std::move(entries);
    return Status::Ok();
  };
}

FieldSetter QuorumField(std::optional<size_t>* quorum) {
  return [quorum](const json& v, const std::string& path) {
    size_t value = 0;
    Status s = NumberField(&value, 1, 1000)(v, path);
    if (s.ok()) *quorum = value;
    return s;
  };
}

}  // namespace

Status CheckWitnesses(const ServerConfig& config) {
  std::vector<std::string> vkeys;
  for (const WitnessConfig& witness : config.witnesses) vkeys.push_back(witness.vkey);
  Result<WitnessPolicy> policy = MakeWitnessPolicy(vkeys, config.witness_quorum);
  if (!policy.ok()) {
    return Status::InvalidArgument("bad_config",
                                   "witnesses/witness_quorum: " + policy.status().message());
  }
  return Status::Ok();
}

Result<ServerConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("bad_config", path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("bad_config", path + ": not JSON");
  ServerConfig config;
  Status s = ApplyObject(doc, "",
                         {{"listen", StringField(&config.listen)},
                          {"data", StringField(&config.data)},
                          {"tls", TlsField(&config.tls)},
                          {"limits", LimitsField(&config.limits)},
                          {"metrics_from_loopback", BoolField(&config.metrics_from_loopback)},
                          {"access_log", BoolField(&config.access_log)},
                          {"trusted_proxies", TrustedProxiesField(&config.trusted_proxies)},
                          {"witnesses", WitnessesField(&config.witnesses)},
                          {"witness_quorum", QuorumField(&config.witness_quorum)},
                          {"audit_snapshot", AuditSnapshotField(&config.audit_snapshot)}});
  if (!s.ok()) return Status::InvalidArgument(s.code(), path + ": " + s.message());
  if (s = CheckWitnesses(config); !s.ok())
    return Status::InvalidArgument(s.code(), path + ": " + s.message());
  if (Result<HostPort> listen = ParseListen(config.listen); !listen.ok()) return listen.status();
  return config;
}

}  // namespace chipledger::api
