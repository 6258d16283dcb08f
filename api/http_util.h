// Helpers at the HTTP edge: JSON bodies, errors as {"error", "message"}, strict parameters.
#ifndef CHIPLEDGER_API_HTTP_UTIL_H_
#define CHIPLEDGER_API_HTTP_UTIL_H_

#include <httplib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace chipledger::api {

int HttpStatusOf(StatusKind kind);
void SendJson(httplib::Response& res, int status, const nlohmann::json& body);
void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message);
void SendStatus(httplib::Response& res, const Status& status);
// The error code an error response carries, for metrics; "" when it has none.
std::string ErrorCodeOf(const httplib::Response& res);

// Strict unsigned decimal (no sign, no leading zeros except "0"); `what` names the field.
Result<uint64_t> ParseUint(std::string_view text, std::string_view what);

// Refuses query parameters not in `allowed`, and any given twice, naming the parameter. The
// dispatcher calls it with the route's declared parameters (Route::params).
Status CheckParams(const httplib::Request& req, const std::vector<std::string>& allowed);
std::optional<std::string> Param(const httplib::Request& req, const char* name);
// An optional unsigned parameter.
Result<std::optional<uint64_t>> UintParam(const httplib::Request& req, const char* name);

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_HTTP_UTIL_H_
