#include "api/console_routes.h"

#include <string>

#include "api/http_util.h"

namespace chipledger::api {
namespace {

std::string_view ContentTypeOf(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

const ConsoleFile* FindFile(std::string_view name) {
  for (const ConsoleFile& file : ConsoleFiles()) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

// Only this origin's scripts, styles, images and API: no inline script, nothing from elsewhere
// (the console must work with no internet access, and a script injected into a record must not
// run). frame-ancestors keeps it out of other sites' frames.
void SetSecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
}

void Send(httplib::Response& res, const ConsoleFile& file, std::string_view cache_control) {
  SetSecurityHeaders(res);
  res.set_header("Cache-Control", std::string(cache_control));
  res.set_content(std::string(file.body), std::string(ContentTypeOf(file.name)));
}

void GetIndex(Call& call) {
  const ConsoleFile* index = FindFile("index.html");
  if (!index) return SendError(call.res, 500, "internal", "console: index.html was not embedded");
  Send(call.res, *index, "no-cache");
}

void GetAsset(Call& call) {
  const std::string& path = call.params[0];  // "<version>/<file>" or "" for /console/
  if (path.empty()) return GetIndex(call);
  size_t slash = path.find('/');
  std::string_view version = std::string_view(path).substr(0, slash);
  const ConsoleFile* file =
      slash == std::string::npos ? nullptr : FindFile(std::string_view(path).substr(slash + 1));
  if (version != ConsoleVersion() || !file) {
    // An older build's asset (a page loaded before an upgrade): reloading the page fixes it.
    return SendError(call.res, 404, "not_found",
                     "/console/" + path + ": not part of this console build; reload /console/");
  }
  Send(call.res, *file, "public, max-age=31536000, immutable");
}

}  // namespace

void AddConsoleRoutes(Router* router) {
  router->Add("GET", "/console", Access::kAnyone, {},
              [](Call& call) { call.res.set_redirect("/console/", 301); });
  router->Add("GET", "/console/*", Access::kAnyone, {}, GetAsset);
}

}  // namespace chipledger::api
