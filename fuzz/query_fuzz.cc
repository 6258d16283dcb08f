// A request target at the HTTP edge (api/router.h, api/http_util.h): the path as the router
// matches it and the query string as cpp-httplib splits it (its parse_query_text, as in the
// server), then the strict checks the routes apply. An accepted number prints back as its text,
// an accepted time parses again, and a route's matched segments are pieces of the path.
#include <httplib.h>

#include "api/http_util.h"
#include "api/router.h"
#include "fuzz/fuzz_check.h"
#include "ledger/time.h"

namespace {

using namespace chipledger;

// Route shapes of chipledgerd (api/log_routes.cc, api/record_routes.cc), with the parameters of
// GET /v1/events, the route that takes the most.
const api::Router& Routes() {
  static const api::Router router = [] {
    api::Router r;
    const std::vector<std::string> events = {"type",  "site",  "serial", "agent", "party",
                                             "since", "until", "cursor", "limit"};
    r.Add("GET", "/v1/events", api::Access::kReader, events, nullptr);
    r.Add("POST", "/v1/events", api::Access::kAnyone, {}, nullptr);
    r.Add("GET", "/tile/*", api::Access::kReader, {}, nullptr);
    r.Add("GET", "/v1/entries/{}", api::Access::kReader, {}, nullptr);
    r.Add("GET", "/v1/chips/{}", api::Access::kReader, {}, nullptr);
    return r;
  }();
  return router;
}

void CheckRoute(std::string_view path) {
  api::Router::Match match = Routes().Find("GET", path);
  if (!match.route) return;
  for (const std::string& segment : match.params) {
    fuzz::Check(path.find(segment) != std::string_view::npos, "a matched segment is in the path");
  }
}

void CheckParams(const httplib::Request& req) {
  if (!api::CheckParams(req, Routes().Find("GET", "/v1/events").route->params).ok()) return;
  for (const char* name : {"cursor", "limit"}) {
    Result<std::optional<uint64_t>> value = api::UintParam(req, name);
    if (!value.ok() || !value->has_value()) continue;
    fuzz::Check(std::to_string(**value) == req.get_param_value(name),
                "an accepted number is its canonical decimal");
  }
  for (const char* name : {"since", "until"}) {
    std::optional<std::string> text = api::Param(req, name);
    if (!text) continue;
    Result<Timestamp> time = ParseTime(*text, name);
    fuzz::Check(!time.ok() || ParseTime(FormatTime(*time), name).ok(),
                "an accepted time formats to a time");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target = fuzz::Input(data, size);
  size_t question = target.find('?');
  CheckRoute(target.substr(0, question));
  if (question == std::string_view::npos) return 0;
  httplib::Request req;
  httplib::detail::parse_query_text(std::string(target.substr(question + 1)), req.params);
  CheckParams(req);
  return 0;
}
