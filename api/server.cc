#include "api/server.h"

#include <httplib.h>
#include <strings.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "api/client_address.h"
#include "api/console_routes.h"
#include "api/findings_stream.h"
#include "api/http_util.h"
#include "api/rate_limiter.h"
#include "api/router.h"
#include "api/service.h"
#include "api/tokens.h"
#include "cli/http_server.h"
#include "ledger/time.h"

namespace chipledger::api {
namespace {

using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

// What the access log and metrics need to know about the request this thread is serving: httplib
// serves each connection's requests on one worker thread, from pre-routing to the logger.
struct RequestContext {
  SteadyClock::time_point start;
  std::string route = "unmatched";
  std::string token_name;
  std::string client;      // ClientOf(): the peer, or the client a trusted proxy names
  std::string error_code;  // of an answer whose body the logger cannot see (RefuseAndClose)
};
thread_local RequestContext current;

std::string_view DefaultErrorCode(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "too_large";
    case 414:
      return "uri_too_long";
    case 431:
      return "headers_too_large";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal" : "error";
  }
}

bool IsLoopback(const std::string& addr) {
  return addr == "::1" || addr.rfind("127.", 0) == 0 || addr.rfind("::ffff:127.", 0) == 0;
}

bool HasBody(const httplib::Request& req) {
  if (req.has_header("Transfer-Encoding")) return true;
  return req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0";
}

// How the request's body is delimited must be unambiguous: a proxy in front that reads it
// another way would take the rest of this request for the next one (request smuggling), so
// RFC 9112 §6.1/§6.3's ambiguous cases are refused. Returns the refusal's message, or "".
std::string FramingProblem(const httplib::Request& req) {
  size_t lengths = req.get_header_value_count("Content-Length");
  size_t codings = req.get_header_value_count("Transfer-Encoding");
  if (lengths > 1) return "Content-Length: given more than once";
  if (lengths == 1) {
    std::string value = req.get_header_value("Content-Length");
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
      return "Content-Length: must be a decimal number of bytes";
    }
  }
  if (codings > 1) return "Transfer-Encoding: given more than once";
  if (codings == 1 && lengths == 1) {
    return "Content-Length and Transfer-Encoding: both given; send one";
  }
  if (codings == 1 && strcasecmp(req.get_header_value("Transfer-Encoding").c_str(), "chunked")) {
    return "Transfer-Encoding: not supported; send the body with a Content-Length";
  }
  return "";
}

// Answers with an error and then closes the connection: the server reads nothing more from it,
// in particular no unread body left behind a refused request.
void RefuseAndClose(const httplib::Request& req, httplib::Response& res, int status,
                    std::string_view code, std::string_view message) {
  std::string body = nlohmann::json{{"error", code}, {"message", message}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
  cli::SendAndClose(req, res, status, std::move(body), "application/json");
  current.error_code = code;
}

// A refusal before the body is read: the connection is closed when a body follows, so that its
// bytes are never read as the next request.
void RefuseUnread(const httplib::Request& req, httplib::Response& res, int status,
                  std::string_view code, std::string_view message) {
  if (HasBody(req)) return RefuseAndClose(req, res, status, code, message);
  SendError(res, status, code, message);
}

size_t HeaderBytes(const httplib::Request& req) {
  size_t total = 0;
  for (const auto& [name, value] : req.headers) total += name.size() + value.size() + 4;
  return total;
}

}  // namespace

struct Server::Impl {
  Impl(Ledger* ledger, const ServerConfig& config, LiveAudit* audit)
      : service{ledger, config, audit, {}},
        tokens(config.data),
        limiter(config.limits.rate_per_second, config.limits.rate_burst),
        proxies(TrustedProxies::Parse(config.trusted_proxies, "trusted_proxies")) {
    AddLogRoutes(&service, &router);
    findings_stream = AddFindingsStream(&service, &router);  // before /v1/findings/{id}
    AddRecordRoutes(&service, &router);
    AddConsoleRoutes(&router);
    router.Add("GET", "/healthz", Access::kAnyone, {}, [this](Call& call) {
      SendJson(call.res, 200, {{"status", "ok"}, {"tree_size", service.ledger->size()}});
    });
    router.Add("POST", "/v1/admin/backup", Access::kAdmin, {},
               [this](Call& call) { Backup(call); });
    router.Add("GET", "/metrics", Access::kOperator, {}, [this](Call& call) {
      std::string text = service.metrics.Render(service.ledger->stats(), service.ledger->size());
      if (witnessing) text += witnessing->RenderMetrics();
      call.res.set_content(text, "text/plain; version=0.0.4");
    });
  }

  Status Configure();
  std::string ClientOf(const httplib::Request& req) const;
  httplib::Server::HandlerResponse PreRoute(const httplib::Request& req, httplib::Response& res);
  void Dispatch(const httplib::Request& req, httplib::Response& res);
  bool Authorize(Access access, const httplib::Request& req, httplib::Response& res);
  void Log(const httplib::Request& req, const httplib::Response& res);
  [[nodiscard]] Status CatchUpAudit();
  Status StartWitnessing();
  void Backup(Call& call);

  Service service;
  TokenStore tokens;
  RateLimiter limiter;
  Result<TrustedProxies> proxies;  // an error only for a configuration LoadConfig would refuse
  Router router;
  std::unique_ptr<cli::HttpServer> http;
  std::unique_ptr<Witnessing> witnessing;
  std::unique_ptr<FindingsStream> findings_stream;
  std::mutex log_mu;
};

Status Server::Impl::Configure() {
  const ServerConfig& config = service.config;
  if (!proxies.ok()) return proxies.status();
  std::unique_ptr<httplib::Server> server;
  if (config.tls) {
    server = std::make_unique<httplib::SSLServer>(config.tls->cert_file.c_str(),
                                                  config.tls->key_file.c_str());
    if (!server->is_valid()) {
      return Status::InvalidArgument("bad_config", "tls: cannot load " + config.tls->cert_file +
                                                       " and " + config.tls->key_file);
    }
  } else {
    server = std::make_unique<httplib::Server>();
  }
  http = std::make_unique<cli::HttpServer>(std::move(server), config.limits);
  httplib::Server& routes = http->http();
  routes.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    Dispatch(req, res);
  };
  routes.Get(".*", dispatch);
  routes.Post(".*", dispatch);
  routes.Put(".*", dispatch);
  routes.Patch(".*", dispatch);
  routes.Delete(".*", dispatch);
  routes.Options(".*", dispatch);
  routes.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty() && !res.has_header("Content-Type")) {
      SendError(res, res.status, DefaultErrorCode(res.status),
                res.status == 404
                    ? "no such route"
                    : "request refused with HTTP status " + std::to_string(res.status));
    }
  });
  routes.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        SendError(res, 500, "internal", "internal error");
      });
  // Counted before the response is written (not in the logger, which runs after): a client that
  // reads /metrics right after an answer must find that answer counted.
  routes.set_post_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { Log(req, res); });
  return Status::Ok();
}

std::string Server::Impl::ClientOf(const httplib::Request& req) const {
  if (proxies->empty()) return req.remote_addr;
  std::vector<std::string> forwarded_for;
  size_t count = req.get_header_value_count("X-Forwarded-For");
  for (size_t i = 0; i < count; ++i) {
    forwarded_for.push_back(req.get_header_value("X-Forwarded-For", i));
  }
  return proxies->ClientOf(req.remote_addr, forwarded_for, req.get_header_value("X-Real-IP"));
}

// Runs before cpp-httplib reads the body: refusals that need no body, and requests that have
// none.
httplib::Server::HandlerResponse Server::Impl::PreRoute(const httplib::Request& req,
                                                        httplib::Response& res) {
  current = RequestContext{SteadyClock::now(), "unmatched", "", ClientOf(req), ""};
  using HR = httplib::Server::HandlerResponse;
  if (std::string problem = FramingProblem(req); !problem.empty()) {
    RefuseAndClose(req, res, 400, "bad_framing", problem);
    return HR::Handled;
  }
  if (HeaderBytes(req) > service.config.limits.max_header_bytes) {
    RefuseUnread(req, res, 431, "headers_too_large",
                 "request headers exceed " +
                     std::to_string(service.config.limits.max_header_bytes) + " bytes");
    return HR::Handled;
  }
  if (auto refusal = cli::RefuseBodyUnread(req, service.config.limits.max_body_bytes)) {
    RefuseAndClose(req, res, refusal->status, refusal->code, refusal->message);
    return HR::Handled;
  }
  int retry_after = 1;
  if (!limiter.Allow(current.client, SteadyClock::now(), &retry_after)) {
    res.set_header("Retry-After", std::to_string(retry_after));
    RefuseUnread(req, res, 429, "rate_limited", "too many requests from " + current.client);
    return HR::Handled;
  }
  // Without Content-Length or Transfer-Encoding a request has no body (RFC 9112 §6.3), but
  // cpp-httplib 0.11 would read a POST's body until the connection closes and answer 400 when
  // the read times out (`curl -X POST` sends neither header). Such a request is served here.
  if (req.method != "GET" && req.method != "HEAD" && !req.has_header("Content-Length") &&
      !req.has_header("Transfer-Encoding")) {
    Dispatch(req, res);
    return HR::Handled;
  }
  return HR::Unhandled;
}

void Server::Impl::Dispatch(const httplib::Request& req, httplib::Response& res) {
  Router::Match match = router.Find(req.method == "HEAD" ? "GET" : req.method, req.path);
  if (!match.route) {
    if (!match.other_method) return SendError(res, 404, "not_found", req.path + ": no such route");
    res.set_header("Allow", router.AllowedMethods(req.path));
    return SendError(res, 405, "method_not_allowed",
                     req.method + " " + req.path + ": method not allowed");
  }
  current.route = match.route->pattern;
  if (!Authorize(match.route->access, req, res)) return;
  if (Status params = CheckParams(req, match.route->params); !params.ok()) {
    return SendStatus(res, params);
  }
  Call call{req, res, std::move(match.params)};
  match.route->handler(call);
}

// Online backup into DATA/backups/<size>-<time>: a RocksDB checkpoint (hard links, cheap), the
// log key and the reader tokens, for the operator to copy off the machine. Takes no path from
// the request.
void Server::Impl::Backup(Call& call) {
  uint64_t size = service.ledger->size();
  std::string stamp = FormatTime(Now());
  std::erase_if(stamp, [](char c) { return c == ':' || c == '-' || c == '.'; });
  std::string dir = service.config.data + "/backups/" + std::to_string(size) + "-" + stamp;
  if (Status made = service.ledger->Backup(dir); !made.ok()) return SendStatus(call.res, made);
  if (Status copied = CopyTokens(service.config.data, dir); !copied.ok()) {
    return SendStatus(call.res, copied);
  }
  SendJson(call.res, 201, {{"path", dir}, {"tree_size_at_least", size}});
}

bool Server::Impl::Authorize(Access access, const httplib::Request& req, httplib::Response& res) {
  if (access == Access::kAnyone) return true;
  if (access == Access::kOperator && service.config.metrics_from_loopback &&
      IsLoopback(current.client)) {
    return true;
  }
  std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  std::optional<TokenRecord> token;
  if (header.size() > kScheme.size() && strncasecmp(header.c_str(), "bearer ", 7) == 0) {
    token = tokens.Lookup(std::string_view(header).substr(kScheme.size()));
  }
  if (!token) {
    res.set_header("WWW-Authenticate", "Bearer");
    SendError(res, 401, "unauthenticated",
              header.empty() ? "a bearer token is required" : "unknown bearer token");
    return false;
  }
  current.token_name = token->name;
  ReaderRole role = token->role;
  bool allowed = false;
  switch (access) {
    case Access::kAnyone:
      allowed = true;
      break;
    case Access::kReader:
      allowed = role == ReaderRole::kRegulator || role == ReaderRole::kAuditor;
      break;
    case Access::kWitness:
      allowed = role != ReaderRole::kAdmin;
      break;
    case Access::kOperator:
    case Access::kAdmin:
      allowed = role == ReaderRole::kAdmin;
      break;
  }
  if (!allowed) {
    SendError(res, 403, "forbidden",
              "role " + std::string(ReaderRoleName(role)) + " may not read " + req.path);
  }
  return allowed;
}

void Server::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  double seconds = std::chrono::duration<double>(SteadyClock::now() - current.start).count();
  service.metrics.RecordRequest(current.route, res.status, seconds);
  // cpp-httplib's own refusals (a malformed request line, say) skip PreRoute: this thread's
  // context is then the previous request's, whose client and error code must not be reused.
  std::string code = current.error_code.empty() ? ErrorCodeOf(res) : current.error_code;
  std::string client = current.client.empty() ? req.remote_addr : current.client;
  current.error_code.clear();
  current.client.clear();
  if (!code.empty()) service.metrics.RecordRefusal(code);
  if (!service.config.access_log && res.status < 500) return;
  json line = {{"time", FormatTime(Now())},
               {"level", res.status >= 500 ? "error" : "info"},
               {"remote", client},
               {"method", req.method},
               {"path", req.path},
               {"route", current.route},
               {"status", res.status},
               {"bytes", res.body.size()},
               {"ms", cli::RoundedMilliseconds(seconds)}};
  if (!current.token_name.empty()) line["token"] = current.token_name;
  if (client != req.remote_addr) line["peer"] = req.remote_addr;
  if (!code.empty()) line["error"] = code;
  std::string text = line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(log_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

// Before the server answers anything: entries the snapshot does not cover, read as one range.
Status Server::Impl::CatchUpAudit() {
  LiveAudit* audit = service.audit;
  if (!audit) return Status::Ok();
  Status read = service.ledger->ReadEntries(
      audit->restored_size(), service.ledger->size(), [audit](uint64_t, std::string_view bytes) {
        // Admitted entries always parse; one that did not would be the integrity audit's finding.
        Result<LogEntry> entry = ParseEntry(bytes);
        if (!entry.ok()) return Status::Ok();
        Result<Event> event = ParseEvent(entry->envelope.payload);
        if (event.ok()) audit->OnEntries({{*entry, &*event}});
        return Status::Ok();
      });
  if (!read.ok()) return Status::IOError("live audit: reading the log: " + read.ToString());
  service.ledger->SetAppendListener(
      [audit](const std::vector<Ledger::AppendedEntry>& group) { audit->OnEntries(group); });
  return Status::Ok();
}

Status Server::Impl::StartWitnessing() {
  const ServerConfig& config = service.config;
  if (config.witnesses.empty()) return Status::Ok();
  WitnessingOptions options;
  options.witnesses = config.witnesses;
  options.quorum = config.witness_quorum;
  options.state_path = config.data + "/witnessed-checkpoint";
  Result<std::unique_ptr<Witnessing>> created = Witnessing::Create(service.ledger, options);
  if (!created.ok()) return created.status();
  witnessing = std::move(*created);
  service.witnessing = witnessing.get();
  witnessing->Start();
  return Status::Ok();
}

Server::Server(Ledger* ledger, const ServerConfig& config, LiveAudit* audit)
    : impl_(std::make_unique<Impl>(ledger, config, audit)) {}

Server::~Server() {
  if (impl_->witnessing) impl_->witnessing->Stop();
  if (impl_->service.audit) impl_->service.ledger->SetAppendListener(nullptr);
}

Result<int> Server::Bind() {
  if (Status s = impl_->Configure(); !s.ok()) return s;
  Result<int> port = impl_->http->Bind(impl_->service.config.listen, "listen");
  if (!port.ok()) return port;
  if (Status caught_up = impl_->CatchUpAudit(); !caught_up.ok()) return caught_up;
  if (Status started = impl_->StartWitnessing(); !started.ok()) return started;
  return port;
}

Status Server::Run() { return impl_->http->Run(); }

void Server::Stop() {
  if (impl_->http) impl_->http->Stop();
}

}  // namespace chipledger::api
