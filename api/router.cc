#include "api/router.h"

namespace chipledger::api {
namespace {

template <typename S>
std::vector<S> Split(std::string_view path) {
  std::vector<S> out;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Access access,
                 std::vector<std::string> params, RouteHandler handler) {
  segments_.push_back(Split<std::string>(pattern));
  routes_.push_back(
      Route{std::move(method), std::move(pattern), access, std::move(params), std::move(handler)});
}

bool Router::Matches(const std::vector<std::string>& pattern,
                     const std::vector<std::string_view>& path, std::vector<std::string>* params) {
  params->clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "*") {
      if (i >= path.size()) return false;
      std::string rest(path[i]);
      for (size_t j = i + 1; j < path.size(); ++j) rest += "/" + std::string(path[j]);
      params->push_back(std::move(rest));
      return true;
    }
    if (i >= path.size()) return false;
    if (pattern[i] == "{}") {
      if (path[i].empty()) return false;
      params->emplace_back(path[i]);
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return pattern.size() == path.size();
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path[0] != '/') return match;
  std::vector<std::string_view> parts = Split<std::string_view>(path);
  std::vector<std::string> params;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Matches(segments_[i], parts, &params)) continue;
    if (routes_[i].method != method) {
      match.other_method = true;
      continue;
    }
    match.route = &routes_[i];
    match.params = std::move(params);
    return match;
  }
  return match;
}

std::string Router::AllowedMethods(std::string_view path) const {
  std::string out;
  std::vector<std::string_view> parts = Split<std::string_view>(path);
  std::vector<std::string> params;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Matches(segments_[i], parts, &params)) continue;
    if (out.find(routes_[i].method) != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + routes_[i].method;
  }
  return out;
}

}  // namespace chipledger::api
