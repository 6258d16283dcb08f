#include "api/http_util.h"

#include <algorithm>
#include <charconv>

namespace chipledger::api {

int HttpStatusOf(StatusKind kind) {
  switch (kind) {
    case StatusKind::kOk:
      return 200;
    case StatusKind::kInvalidArgument:
      return 400;
    case StatusKind::kUnauthenticated:
      return 401;
    case StatusKind::kPermissionDenied:
      return 403;
    case StatusKind::kNotFound:
      return 404;
    case StatusKind::kConflict:
      return 409;
    case StatusKind::kTooLarge:
      return 413;
    case StatusKind::kIOError:
    case StatusKind::kCorruption:
      return 500;
    case StatusKind::kUnavailable:
      return 503;
    case StatusKind::kInsufficientStorage:
      return 507;
  }
  return 500;
}

void SendJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void SendError(httplib::Response& res, int status, std::string_view code,
               std::string_view message) {
  SendJson(res, status, {{"error", code}, {"message", message}});
}

void SendStatus(httplib::Response& res, const Status& status) {
  SendError(res, HttpStatusOf(status.kind()), status.code(), status.message());
}

std::string ErrorCodeOf(const httplib::Response& res) {
  if (res.status < 400) return "";
  nlohmann::json body = nlohmann::json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) return "";
  auto it = body.find("error");
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<uint64_t> ParseUint(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0')) {
    return Status::InvalidArgument("bad_parameter",
                                   std::string(what) + ": must be an unsigned decimal integer");
  }
  return value;
}

Status CheckParams(const httplib::Request& req, const std::vector<std::string>& allowed) {
  for (const auto& [name, value] : req.params) {
    bool known = std::find(allowed.begin(), allowed.end(), name) != allowed.end();
    if (!known) return Status::InvalidArgument("bad_parameter", name + ": unknown parameter");
    if (req.get_param_value_count(name.c_str()) > 1) {
      return Status::InvalidArgument("bad_parameter", name + ": given more than once");
    }
  }
  return Status::Ok();
}

std::optional<std::string> Param(const httplib::Request& req, const char* name) {
  if (!req.has_param(name)) return std::nullopt;
  return req.get_param_value(name);
}

Result<std::optional<uint64_t>> UintParam(const httplib::Request& req, const char* name) {
  std::optional<std::string> text = Param(req, name);
  if (!text) return std::optional<uint64_t>();
  Result<uint64_t> value = ParseUint(*text, name);
  if (!value.ok()) return value.status();
  return std::optional<uint64_t>(*value);
}

}  // namespace chipledger::api
