// A small router: method and path pattern to handler, with the access each route needs and the
// query parameters it takes. Patterns are '/'-separated; "{}" matches one segment, a final "*"
// the rest of the path.
#ifndef CHIPLEDGER_API_ROUTER_H_
#define CHIPLEDGER_API_ROUTER_H_

#include <httplib.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace chipledger::api {

enum class Access {
  kAnyone,    // agents, /checkpoint, /healthz
  kReader,    // regulator, auditor
  kWitness,   // regulator, auditor, witness
  kOperator,  // admin (or loopback when metrics_from_loopback)
  kAdmin,     // admin only
};

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  std::vector<std::string> params;  // the segments matched by "{}" and "*", in order
};
using RouteHandler = std::function<void(Call&)>;

struct Route {
  std::string method;
  std::string pattern;  // also the route's name in metrics and logs
  Access access;
  // The query parameters the route takes; the dispatcher refuses any other, and any given twice,
  // before the handler runs (docs/api.md "Routes").
  std::vector<std::string> params;
  RouteHandler handler;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Access access, std::vector<std::string> params,
           RouteHandler handler);

  struct Match {
    const Route* route = nullptr;  // null: no route for this method and path
    bool other_method = false;     // the path has routes, for other methods (405)
    std::vector<std::string> params;
  };
  Match Find(std::string_view method, std::string_view path) const;
  // Methods that have a route for `path`, comma-separated (the Allow header of a 405).
  std::string AllowedMethods(std::string_view path) const;

 private:
  static bool Matches(const std::vector<std::string>& pattern,
                      const std::vector<std::string_view>& path, std::vector<std::string>* params);

  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // of routes_[i].pattern
};

}  // namespace chipledger::api

#endif  // CHIPLEDGER_API_ROUTER_H_
