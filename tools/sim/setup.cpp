// hazmon-sim setup: enterprises, hazard sources, gateways, monitoring points and gateway
// credentials through the registry API, written to the simulator's JSON file.
#include "sim.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <sys/stat.h>

namespace hazmon::sim {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct ApiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string describe(const HttpReply& r) {
  if (r.status == 0) return "no answer (" + r.error + ")";
  std::string out = "HTTP " + std::to_string(r.status);
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    if (j.contains("detail") && j["detail"].is_string())
      out += ": " + j["detail"].get<std::string>();
    else if (j.contains("title") && j["title"].is_string())
      out += ": " + j["title"].get<std::string>();
    if (j.contains("errors") && j["errors"].is_array())
      for (const auto& e : j["errors"]) out += " [" + e.dump() + "]";
  } else if (!r.body.empty()) {
    out += ": " + r.body.substr(0, 200);
  }
  return out;
}

json parse_or_throw(const HttpReply& r, const std::string& what) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw ApiError(what + ": the answer is not JSON");
  return j;
}

// Small deterministic hash (FNV-1a) so that codes and choices do not depend on the run.
std::uint64_t fnv(std::string_view s, std::uint64_t seed = 0) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// One monitoring point as setup creates it (the file stores what the server actually has).
json point_spec(const std::string& company, const std::string& hazard, const std::string& gateway,
                int n) {
  // A repeating mix per enterprise: 20 slots, 17 analog and 3 switch points.
  static const char* kPattern[] = {"level",    "temperature", "pressure",    "combustible",
                                   "toxic",    "level",       "temperature", "combustible",
                                   "pressure", "combustible", "level",       "temperature",
                                   "toxic",    "combustible", "grounding",   "overflow",
                                   "sis",      "level",       "pressure",    "combustible"};
  std::string kind = kPattern[(n - 1) % 20];
  char num[16];
  std::snprintf(num, sizeof num, "%03d", n);
  json p = {{"company_code", company},
            {"hazard_code", hazard},
            {"gateway_code", gateway},
            {"indicator_type", kind}};
  auto tank = std::string("T") + std::to_string(100 + (n + 1) / 2);
  std::string tag;
  if (kind == "level") {
    tag = "LT";
    p.update({{"name", "储罐" + tank + "液位"},
              {"value_kind", "analog"},
              {"unit", "m"},
              {"range_low", 0},
              {"range_high", 20},
              {"l", 2},
              {"h", 16},
              {"hh", 18},
              {"key_parameter", true}});
  } else if (kind == "temperature") {
    tag = "TT";
    p.update({{"name", "储罐" + tank + "温度"},
              {"value_kind", "analog"},
              {"unit", "℃"},
              {"range_low", -40},
              {"range_high", 120},
              {"l", -20},
              {"h", 45},
              {"hh", 60}});
  } else if (kind == "pressure") {
    tag = "PT";
    p.update({{"name", "储罐" + tank + "压力"},
              {"value_kind", "analog"},
              {"unit", "MPa"},
              {"range_low", 0},
              {"range_high", 2.5},
              {"l", 0.05},
              {"h", 1.6},
              {"hh", 2.0},
              {"key_parameter", true}});
  } else if (kind == "combustible") {
    tag = "GT";
    bool methane = n % 2 == 0;
    p.update({{"name", std::string(methane ? "甲烷" : "丙烷") + "可燃气体探测器GT" + num},
              {"value_kind", "analog"},
              {"unit", "%LEL"},
              {"range_low", 0},
              {"range_high", 100},
              {"h", 25},
              {"hh", 50},
              {"gas_cas", methane ? "74-82-8" : "74-98-6"}});
  } else if (kind == "toxic") {
    tag = "AT";
    bool h2s = n % 2 == 1;
    p.update({{"name", std::string(h2s ? "硫化氢" : "氨") + "有毒气体探测器AT" + num},
              {"value_kind", "analog"},
              {"unit", "ppm"},
              {"range_low", 0},
              {"range_high", 100},
              {"h", h2s ? 10 : 30},
              {"hh", h2s ? 20 : 60},
              {"gas_cas", h2s ? "7783-06-4" : "7664-41-7"}});
  } else if (kind == "grounding") {
    tag = "JD";
    p.update({{"name", std::string("装卸台静电接地JD") + num}, {"value_kind", "switch"}});
  } else if (kind == "overflow") {
    tag = "YL";
    p.update({{"name", std::string("装车鹤位防溢流YL") + num}, {"value_kind", "switch"}});
  } else {
    tag = "BP";
    p.update({{"name", std::string("SIS联锁旁路BP") + num}, {"value_kind", "switch"}});
  }
  p["quota_code"] = hazard + tag + num;
  p["bit_no"] = tag + num;
  return p;
}

// What the simulator needs of a point, from the server's row (or the spec when offline).
json point_entry(const json& row) {
  json p = {{"quota_code", row["quota_code"]},
            {"name", row.value("name", "")},
            {"kind", row["indicator_type"]},
            {"value_kind", row["value_kind"]}};
  for (const char* k : {"unit", "range_low", "range_high", "ll", "l", "h", "hh"})
    p[k] = row.contains(k) ? row[k] : json(nullptr);
  return p;
}

int rank_for(const std::string& company, std::uint64_t seed) {
  auto r = fnv(company, seed) % 10;  // 10% level 1, 20% level 2, 30% level 3, 40% level 4
  return r < 1 ? 1 : r < 3 ? 2 : r < 6 ? 3 : 4;
}

std::string gateway_code_for(const std::string& company) { return "G" + company.substr(1); }

bool is_sim_made(const std::string& code, const std::string& name) {
  return code.size() == 11 && code[6] == '8' && name.rfind("模拟企业", 0) == 0;
}

class Registry {
 public:
  Registry(const Url& url, const TlsOptions& tls, std::string token)
      : client_(url, tls), token_(std::move(token)) {}

  // Creates the row, or finds it: returns the server's row either way.
  json create_or_get(const std::string& collection, const std::string& key, const json& body,
                     bool* created = nullptr) {
    auto r = call("POST", "/api/v1/" + collection, body.dump());
    if (r.status == 201) {
      if (created) *created = true;
      return parse_or_throw(r, collection);
    }
    if (r.status != 409) throw ApiError("creating " + collection + " " + key + ": " + describe(r));
    if (created) *created = false;
    auto g = call("GET", "/api/v1/" + collection + "/" + key, "");
    if (g.status != 200)
      throw ApiError(collection + " " + key +
                     " conflicts with an existing row that cannot be read (" + describe(g) +
                     "); is the name taken?");
    return parse_or_throw(g, collection);
  }

  HttpReply call(std::string_view method, const std::string& target, const std::string& body,
                 const std::string& bearer = {}) {
    for (int attempt = 0;; ++attempt) {
      auto r = client_.request(method, target, body, bearer.empty() ? token_ : bearer);
      if ((r.status == 0 || r.status == 503 || r.status == 429) && attempt < 5) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
        continue;
      }
      return r;
    }
  }

 private:
  SyncClient client_;
  std::string token_;
};

void write_file(const fs::path& out, const json& doc) {
  auto tmp = out;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + tmp.string());
    ::chmod(tmp.c_str(), 0600);  // it holds gateway secrets
    f << doc.dump(1) << "\n";
    if (!f.flush()) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, out);
}

std::string read_secret(const std::string& file) {
  std::ifstream f(file);
  if (!f) throw UsageError("cannot read the password file " + file);
  std::string pw;
  std::getline(f, pw);
  while (!pw.empty() && (pw.back() == '\r' || pw.back() == ' ')) pw.pop_back();
  if (pw.empty()) throw UsageError("the password file " + file + " is empty");
  return pw;
}

// Everything one enterprise needs; `prior` is its entry from an earlier file, or null.
json setup_enterprise(Registry& reg, const std::string& company, const std::string& name,
                      int points, std::uint64_t seed, const json& prior) {
  json e = {{"company_code", company}, {"name", name}};
  std::string hazard = company + "001";
  auto hs = reg.create_or_get("hazard-sources", hazard,
                              {{"hazard_code", hazard},
                               {"company_code", company},
                               {"name", "模拟储罐区1号"},
                               {"rank", rank_for(company, seed)},
                               {"activity_type", "storage"}});
  if (hs.value("company_code", "") != company)
    throw ApiError("hazard source " + hazard + " belongs to another enterprise");
  e["hazard_code"] = hazard;
  e["rank"] = hs["rank"];
  std::string gw = gateway_code_for(company);
  auto g = reg.create_or_get("gateways", gw,
                             {{"gateway_code", gw},
                              {"company_code", company},
                              {"name", "模拟数据采集网关"},
                              {"vendor", "hazmon-sim"},
                              {"model", "SIM-1"},
                              {"acquisition_interval_s", 30},
                              {"hazard_codes", json::array({hazard})}});
  if (g.value("company_code", "") != company)
    throw ApiError("gateway code " + gw + " is taken by enterprise " +
                   g.value("company_code", "?"));
  e["gateway_code"] = gw;
  json pts = json::array();
  for (int n = 1; n <= points; ++n) {
    auto spec = point_spec(company, hazard, gw, n);
    auto row = reg.create_or_get("monitoring-points", spec["quota_code"].get<std::string>(), spec);
    if (row.value("company_code", "") != company)
      throw ApiError("point " + spec["quota_code"].get<std::string>() +
                     " belongs to another enterprise");
    if (row.contains("is_active") && row["is_active"].is_boolean() &&
        !row["is_active"].get<bool>()) {
      std::fprintf(stderr, "setup: point %s is deactivated on the server; left out\n",
                   row["quota_code"].get<std::string>().c_str());
      continue;
    }
    pts.push_back(point_entry(row));
  }
  e["points"] = std::move(pts);
  // A credential from the earlier file is kept while the server still accepts it.
  if (prior.is_object() && prior.contains("bearer") && prior["bearer"].is_string()) {
    auto bearer = prior["bearer"].get<std::string>();
    auto me = reg.call("GET", "/api/v1/auth/me", "", bearer);
    auto j = json::parse(me.body, nullptr, false);
    if (me.status == 200 && j.is_object() && j.value("role", "") == "gateway" &&
        j.contains("scope") && j["scope"].value("code", "") == company) {
      e["app_id"] = prior.value("app_id", "");
      e["bearer"] = bearer;
      return e;
    }
  }
  auto c = reg.call("POST", "/api/v1/credentials",
                    json{{"kind", "gateway"},
                         {"scope", {{"kind", "enterprise"}, {"code", company}}},
                         {"description", "hazmon-sim gateway " + gw}}
                        .dump());
  if (c.status != 201)
    throw ApiError("creating the gateway credential of " + company + ": " + describe(c));
  auto cj = parse_or_throw(c, "credential");
  e["app_id"] = cj["app_id"];
  e["bearer"] = cj["app_id"].get<std::string>() + "." + cj["secret"].get<std::string>();
  return e;
}

}  // namespace

int cmd_setup(const std::vector<std::string>& args) {
  Options o(args, {"--offline"},
            {"--url", "--user", "--password-file", "--enterprises", "--points", "--out", "--seed",
             "--ca-file", "--parallel"});
  const auto out = fs::path(o.required("--out"));
  const int n_ent = static_cast<int>(o.integer("--enterprises", 0, 1, 100000));
  if (n_ent == 0) throw UsageError("--enterprises is required");
  const int n_pts = static_cast<int>(o.integer("--points", 20, 1, 999));
  const auto seed = static_cast<std::uint64_t>(o.integer("--seed", 1, 0, 1LL << 40));
  const int parallel = static_cast<int>(o.integer("--parallel", 4, 1, 32));

  json prior_doc = json::object();
  if (fs::exists(out)) {
    std::ifstream f(out);
    prior_doc = json::parse(f, nullptr, false);
    if (!prior_doc.is_object())
      throw UsageError(out.string() + " exists and is not a hazmon-sim file");
  }
  std::string url_text = o.str("--url", prior_doc.value("url", std::string()));
  if (url_text.empty()) throw UsageError("--url is required");
  auto url = parse_url(url_text);
  std::map<std::string, json> prior;
  std::vector<std::string> prior_order;
  if (prior_doc.contains("enterprises"))
    for (const auto& e : prior_doc["enterprises"]) {
      prior[e["company_code"].get<std::string>()] = e;
      prior_order.push_back(e["company_code"].get<std::string>());
    }

  json doc = {{"format", "hazmon-sim/1"},
              {"url", url.text},
              {"seed", seed},
              {"points_per_enterprise", n_pts},
              {"enterprises", json::array()}};

  if (o.flag("--offline")) {
    // Made-up codes, no server: for `run` against `hazmon-sim sink`.
    for (int i = 1; i <= n_ent; ++i) {
      char code[16];
      std::snprintf(code, sizeof code, "1401009%04d", i % 10000);
      std::string company = code;
      std::string hazard = company + "001";
      json e = {{"company_code", company},
                {"name", "离线模拟企业" + company},
                {"hazard_code", hazard},
                {"rank", rank_for(company, seed)},
                {"gateway_code", gateway_code_for(company)},
                {"app_id", "offline"},
                {"bearer", "offline.offline"},
                {"points", json::array()}};
      for (int n = 1; n <= n_pts; ++n)
        e["points"].push_back(point_entry(point_spec(company, hazard, e["gateway_code"], n)));
      doc["enterprises"].push_back(std::move(e));
    }
    write_file(out, doc);
    std::printf("setup (offline): %d enterprises × %d points written to %s\n", n_ent, n_pts,
                out.c_str());
    return 0;
  }

  TlsOptions tls{o.str("--ca-file", "")};
  std::string user = o.str("--user", "admin");
  std::string password = read_secret(o.required("--password-file"));
  SyncClient login(url, tls);
  auto lr = login.request("POST", "/api/v1/auth/login",
                          json{{"username", user}, {"password", password}}.dump());
  if (lr.status != 200) throw ApiError("login as " + user + " failed: " + describe(lr));
  std::string token = parse_or_throw(lr, "login")["token"].get<std::string>();
  Registry main_reg(url, tls, token);

  // The enterprises the server has (the roster's and any made by an earlier setup).
  std::map<std::string, json> listed;
  for (int offset = 0;;) {
    auto r =
        main_reg.call("GET", "/api/v1/enterprises?limit=500&offset=" + std::to_string(offset), "");
    if (r.status != 200) throw ApiError("listing enterprises: " + describe(r));
    auto j = parse_or_throw(r, "enterprises");
    for (const auto& e : j["items"]) listed[e["company_code"].get<std::string>()] = e;
    offset += static_cast<int>(j["items"].size());
    if (j["items"].empty() || offset >= j.value("total", 0)) break;
  }
  // Order: the earlier file's enterprises, then the roster's (by code), then earlier simulated
  // ones.
  std::vector<std::pair<std::string, std::string>> chosen;  // code, name
  std::set<std::string> taken;
  auto take = [&](const std::string& code, const std::string& name) {
    if (static_cast<int>(chosen.size()) < n_ent && taken.insert(code).second)
      chosen.emplace_back(code, name);
  };
  for (const auto& code : prior_order)
    if (auto it = listed.find(code); it != listed.end()) take(code, it->second.value("name", ""));
  for (const auto& [code, e] : listed)
    if (!is_sim_made(code, e.value("name", ""))) take(code, e.value("name", ""));
  for (const auto& [code, e] : listed)
    if (is_sim_made(code, e.value("name", ""))) take(code, e.value("name", ""));
  // Fresh enterprises when N exceeds what exists: region of the first listed one, serial 8NNNN.
  std::string region = "140100";
  for (const auto& [code, e] : listed)
    if (e.contains("region_code") && e["region_code"].is_string()) {
      region = e["region_code"].get<std::string>();
      break;
    }
  int created_ent = 0;
  for (int serial = 1; static_cast<int>(chosen.size()) < n_ent; ++serial) {
    if (serial > 9999) throw ApiError("no free enterprise codes left under " + region + "8NNNN");
    char code[16];
    std::snprintf(code, sizeof code, "%s8%04d", region.c_str(), serial);
    if (taken.count(code) || listed.count(code)) continue;
    std::string name = std::string("模拟企业") + code;
    bool created = false;
    auto row = main_reg.create_or_get(
        "enterprises", code,
        {{"company_code", code}, {"name", name}, {"region_code", region}, {"status", "operating"}},
        &created);
    if (created) ++created_ent;
    take(code, row.value("name", name));
  }

  // Per enterprise, in parallel over a few connections.
  std::vector<json> results(chosen.size());
  std::atomic<std::size_t> next{0};
  std::atomic<int> done{0};
  std::mutex err_mu;
  std::string first_error;
  std::vector<std::thread> workers;
  for (int w = 0; w < std::min<int>(parallel, static_cast<int>(chosen.size())); ++w) {
    workers.emplace_back([&] {
      try {
        Registry reg(url, tls, token);
        for (std::size_t i; (i = next.fetch_add(1)) < chosen.size();) {
          {
            std::lock_guard lk(err_mu);
            if (!first_error.empty()) return;
          }
          const auto& [code, name] = chosen[i];
          auto p = prior.count(code) ? prior[code] : json();
          results[i] = setup_enterprise(reg, code, name, n_pts, seed, p);
          int d = ++done;
          if (d % 20 == 0)
            std::fprintf(stderr, "setup: %d/%zu enterprises ready\n", d, chosen.size());
        }
      } catch (const std::exception& e) {
        std::lock_guard lk(err_mu);
        if (first_error.empty()) first_error = e.what();
      }
    });
  }
  for (auto& t : workers) t.join();
  if (!first_error.empty()) {
    // Keep what was done so that the next setup reuses it (credentials are shown only once).
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].is_object())
        doc["enterprises"].push_back(results[i]);
      else if (prior.count(chosen[i].first))
        doc["enterprises"].push_back(prior[chosen[i].first]);
    }
    doc["incomplete"] = true;
    write_file(out, doc);
    throw ApiError(first_error);
  }
  std::size_t n_points = 0;
  for (auto& r : results) {
    n_points += r["points"].size();
    doc["enterprises"].push_back(std::move(r));
  }
  write_file(out, doc);
  std::printf("setup: %zu enterprises (%d new), %zu monitoring points, written to %s\n",
              chosen.size(), created_ent, n_points, out.c_str());
  return 0;
}

}  // namespace hazmon::sim
