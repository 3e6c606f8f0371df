#include <hazmon/http/router.hpp>

namespace hazmon::http {
namespace {
std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

bool matches(const Route& r, const std::vector<std::string>& segs,
             std::map<std::string, std::string>* params) {
  if (r.segments.size() != segs.size()) return false;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const auto& p = r.segments[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (segs[i].empty()) return false;
      if (params) (*params)[p.substr(1, p.size() - 2)] = segs[i];
    } else if (p != segs[i]) {
      return false;
    }
  }
  return true;
}

bool is_literal(const Route& r) {
  for (const auto& p : r.segments)
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') return false;
  return true;
}
}  // namespace

void Router::add(std::string method, const std::string& pattern, Handler h, Exec exec,
                 Early early) {
  routes_.push_back(Route{std::move(method), split(pattern), std::move(h), exec, std::move(early)});
}

Router::Match Router::match(Request& req) const {
  Match m;
  auto segs = split(req.path);
  bool literal_known = false;  // a route without placeholders has exactly this path
  for (const auto& r : routes_) {
    if (!matches(r, segs, nullptr)) continue;
    m.path_known = true;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      // A fixed path answers 405 to its other methods rather than falling into a pattern
      // (GET /api/v1/auth/login is not the registry row "login" of collection "auth"); the
      // loop below still fills in Allow with the fixed path's methods.
      if (literal_known && !is_literal(r)) break;
      req.params.clear();
      matches(r, segs, &req.params);
      m.route = &r;
      return m;
    }
    if (is_literal(r)) literal_known = true;
  }
  // For the Allow header of a 405: the methods of the fixed path if there is one, else of the
  // patterns.
  for (const auto& r : routes_) {
    if (!matches(r, segs, nullptr) || (literal_known && !is_literal(r))) continue;
    if (m.allow.find(r.method) == std::string::npos)
      m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

}  // namespace hazmon::http
