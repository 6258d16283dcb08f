// The regulator console (issue 14): static pages served by chipledgerd at /console/, embedded in
// the binary at build time (console/embed.cmake generates ConsoleFiles from console/*). The pages
// need no token; the data they show comes from the reader routes, with the token the user types.
#ifndef CHIPLEDGER_API_CONSOLE_ROUTES_H_
#define CHIPLEDGER_API_CONSOLE_ROUTES_H_

#include <span>
#include <string_view>

#include "api/router.h"

namespace chipledger::api {

struct ConsoleFile {
  std::string_view name;  // e.g. "app.js"
  std::string_view body;
};
// Generated: every console file, and a hash of all of them that names this build of the console.
std::span<const ConsoleFile> ConsoleFiles();
std::string_view ConsoleVersion();

// GET /console (redirect), /console/ (index.html, never cached) and /console/<version>/<file>
// (immutable: a new build has a new version, so a page never mixes two builds' scripts).
void AddConsoleRoutes(Router* router);

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_CONSOLE_ROUTES_H_
