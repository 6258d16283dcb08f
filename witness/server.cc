#include "witness/server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/http_server.h"
#include "ledger/checkpoint.h"
#include "ledger/time.h"
#include "witness/metrics.h"

namespace chipledger::witness {
namespace {

using SteadyClock = std::chrono::steady_clock;

// What the access log knows about the request this thread serves: httplib serves a connection's
// requests one after another on one worker thread, from pre-routing to post-routing.
struct RequestContext {
  bool started = false;
  SteadyClock::time_point start;
  std::string origin;
  std::string reason;
};
thread_local RequestContext current;

void SendText(httplib::Response& res, int status, std::string body, const std::string& type) {
  res.status = status;
  res.set_content(std::move(body), type.c_str());
}

// The reason recorded for refusals httplib makes itself, before any handler.
std::string DefaultReason(int status) {
  switch (status) {
    case 404:
      return "no_route";
    case 413:
      return "too_large";
    default:
      return status >= 500 ? "internal" : "bad_http_request";
  }
}

}  // namespace

struct Server::Impl {
  Impl(Witness* w, ServerOptions o)
      : witness(w),
        options(std::move(o)),
        server(std::make_unique<httplib::Server>(), options.limits),
        http(server.http()) {}

  void Configure();
  void AddRoutes();
  void Log(const httplib::Request& req, const httplib::Response& res);

  Witness* witness;
  ServerOptions options;
  Metrics metrics;
  cli::HttpServer server;
  httplib::Server& http;
  std::mutex log_mu;
};

void Server::Impl::AddRoutes() {
  http.Post("/add-checkpoint", [this](const httplib::Request& req, httplib::Response& res) {
    Answer answer = witness->AddCheckpoint(req.body);
    current.origin = answer.origin;
    current.reason = answer.reason;
    SendText(res, answer.status, std::move(answer.body), answer.content_type);
  });
  // tlog-witness: "The request MUST be an HTTP POST".
  http.Get("/add-checkpoint", [](const httplib::Request&, httplib::Response& res) {
    current.reason = "method_not_allowed";
    res.set_header("Allow", "POST");
    SendText(res, 405, "method_not_allowed: add-checkpoint takes a POST\n",
             std::string(kTextContentType));
  });
  // tlog-witness monitor retrieval: GET <prefix>/<lowercase hex SHA-256 of origin>/checkpoint.
  http.Get(
      "/([0-9a-f]{64})/checkpoint", [this](const httplib::Request& req, httplib::Response& res) {
        std::optional<std::string> note = witness->LatestCheckpoint(req.matches[1].str());
        if (!note) {
          current.reason = "not_cosigned";
          return SendText(res, 404, "not_cosigned: no checkpoint cosigned for this origin hash\n",
                          std::string(kTextContentType));
        }
        SendText(res, 200, std::move(*note), std::string(kTextContentType));
      });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    SendText(res, 200, metrics.Render(witness->Sizes()), "text/plain; version=0.0.4");
  });
  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendText(res, 200, "ok\n", std::string(kTextContentType));
  });
}

void Server::Impl::Configure() {
  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    current = RequestContext{true, SteadyClock::now(), "", ""};
    if (auto refusal = cli::RefuseBodyUnread(req, options.limits.max_body_bytes)) {
      current.reason = refusal->code;
      cli::SendAndClose(req, res, refusal->status, refusal->code + ": " + refusal->message + "\n",
                        std::string(kTextContentType).c_str());
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty() || res.has_header("Content-Type")) return;  // a handler's own refusal
    current.reason = DefaultReason(res.status);
    std::string why =
        res.status == 413
            ? "request body exceeds " + std::to_string(options.limits.max_body_bytes) + " bytes"
            : "refused with HTTP status " + std::to_string(res.status);
    res.set_content(current.reason + ": " + why + "\n", std::string(kTextContentType).c_str());
  });
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        current.reason = "internal";
        SendText(res, 500, "internal: internal error\n", std::string(kTextContentType));
      });
  // Before the response is written, so a client reading /metrics right after an answer finds it
  // counted.
  http.set_post_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { Log(req, res); });
  AddRoutes();
}

void Server::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestContext context = std::move(current);
  current = RequestContext{};  // requests refused before pre-routing must not inherit it
  metrics.Record(res.status, context.reason);
  if (!options.access_log && res.status < 500) return;
  double ms = context.started
                  ? cli::RoundedMilliseconds(
                        std::chrono::duration<double>(SteadyClock::now() - context.start).count())
                  : 0;
  nlohmann::json line = {{"time", FormatTime(Now())}, {"remote", req.remote_addr},
                         {"method", req.method},      {"path", req.path},
                         {"status", res.status},      {"ms", ms}};
  if (!context.origin.empty()) line["origin"] = context.origin;
  if (!context.reason.empty()) line["reason"] = context.reason;
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(log_mu);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

Server::Server(Witness* witness, ServerOptions options)
    : impl_(std::make_unique<Impl>(witness, std::move(options))) {}

Server::~Server() = default;

Result<int> Server::Bind() {
  impl_->Configure();
  return impl_->server.Bind(impl_->options.listen, "--listen");
}

Status Server::Run() { return impl_->server.Run(); }

void Server::Stop() { impl_->server.Stop(); }

}  // namespace chipledger::witness
