// The scope matrix: two cities (太原 140100 and 大同 140200), each with a county, a park, an
// enterprise and one row of every registry collection. Every role looks at every collection
// from a province, city, county or enterprise scope: rows inside the scope are listed and
// readable; rows outside are absent from lists and answer 404 to GET, PATCH and DELETE (never
// 403, which would confirm they exist) and stay exactly as they were. Writers change rows
// inside their scope; read-only roles get 403 on rows they can see.
//
// Adding a registry collection is one entry in collections() below; the test
// EveryRegistryCollectionIsInTheMatrix fails until it is there.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/app/platform.hpp>
#include <hazmon/service/commitment_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/registry_store.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "janus_server.hpp"
#include "plant_model_support.hpp"
#include "test_server.hpp"

using namespace hazmon::test;
using nlohmann::json;

namespace {

std::string pad(int v, int width) {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s = "0" + s;
  return s;
}

// One city's slice of the world: the codes of its rows.
struct Side {
  std::string city, county, county_name, company, enterprise_name, park, hazard, prodcell, equip,
      gateway, quota, video, cas;
};
const Side kA{"140100", "140105",         "小店区",   "14010500001",         "太原矩阵化工有限公司",
              "SMPA",   "14010500001001", "SMCA",     "14010500001001G0001", "SMGWA000001",
              "SMQA1",  "SMCAMA1",        "9101-01-1"};
const Side kB{"140200", "140212",         "新荣区",   "14021200001",         "大同矩阵化工有限公司",
              "SMPB",   "14021200001001", "SMCB",     "14021200001001G0001", "SMGWB000001",
              "SMQB1",  "SMCAMB1",        "9102-02-2"};
// Chemicals from the seeded catalogue for rows created by the tests (one per caller, so that
// the UNIQUE (…, cas) constraints never collide).
const std::vector<std::string> kFreshCas = {"7664-41-7", "1333-74-0", "74-82-8",   "67-56-1",
                                            "71-43-2",   "75-44-5",   "7783-06-4", "630-08-0"};

// Who may write a collection (model::can_write_* and RegistryService's require_write).
enum class Rights {
  reference,    // regions and the chemicals catalogue: province_admin only
  parks,        // regulators: province_admin, city_officer, county_officer
  enterprises,  // regulators; an enterprise user may also update its own enterprise
  company,      // regulators and the enterprise's own users
  // Issue 9, attack 3: what lowers supervision is the regulator's.
  registered,  // regulators; an enterprise user may update its own (hazard sources: 备案 by the
               // regulator)
  watched,     // regulators; an enterprise user may create and update, not deactivate (points,
               // cameras; units, warehouses, their chemicals and loading platforms: issue
               // 12, coverage)
};
enum class Op { create, update, remove };

bool may(const std::string& role, Rights rights, Op op) {
  bool regulator = role == "province_admin" || role == "city_officer" || role == "county_officer";
  switch (rights) {
    case Rights::reference:
      return role == "province_admin";
    case Rights::parks:
      return regulator;
    case Rights::enterprises:
      return regulator || (op == Op::update && role == "enterprise_user");
    case Rights::company:
      return regulator || role == "enterprise_user";
    case Rights::registered:
      return regulator || (op == Op::update && role == "enterprise_user");
    case Rights::watched:
      return regulator || (op != Op::remove && role == "enterprise_user");
  }
  return false;
}

// How a row's scope is read off the row itself, for checking every listed item.
enum class ScopeCol { global, region, park, enterprise, company };

struct Collection {
  std::string name;  // URL segment
  Rights rights;
  ScopeCol scope;
  std::function<json(const Side&)> row;         // the fixture row of a side
  std::function<json(const Side&, int)> fresh;  // a new row of that side's enterprise, unique per n
  std::function<json(int)> change;              // a valid PATCH body, distinct per n
};

// In creation order: every row refers only to rows above it.
// The chemicals catalogue is global reference data: every role in every scope reads all of it,
// so it has no row "outside" anyone's scope; only province_admin may write it.
const std::vector<Collection>& collections() {
  static const std::vector<Collection> v = {
      {"regions", Rights::reference, ScopeCol::region,
       [](const Side& s) {
         return json{{"code", s.county},
                     {"name", s.county_name},
                     {"level", "county"},
                     {"parent_code", s.city}};
       },
       [](const Side& s, int n) {
         return json{{"code", s.city.substr(0, 4) + pad(50 + n, 2)},
                     {"name", "新区" + std::to_string(n)},
                     {"level", "county"},
                     {"parent_code", s.city}};
       },
       [](int n) {
         return json{{"name", "改名区" + std::to_string(n)}};
       }},
      {"parks", Rights::parks, ScopeCol::park,
       [](const Side& s) {
         return json{
             {"park_id", s.park}, {"name", s.county_name + "化工园区"}, {"region_code", s.county}};
       },
       [](const Side& s, int n) {
         return json{{"park_id", s.park + "N" + std::to_string(n)},
                     {"name", "新园区"},
                     {"region_code", s.county}};
       },
       [](int n) {
         return json{{"address", "园区路" + std::to_string(n) + "号"}};
       }},
      {"enterprises", Rights::enterprises, ScopeCol::enterprise,
       [](const Side& s) {
         return json{{"company_code", s.company},
                     {"name", s.enterprise_name},
                     {"region_code", s.county},
                     {"park_id", s.park},
                     {"status", "operating"}};
       },
       [](const Side& s, int n) {
         return json{{"company_code", s.county + pad(100 + n, 5)},
                     {"name", s.enterprise_name + "分厂" + std::to_string(n)},
                     {"region_code", s.county}};
       },
       [](int n) {
         return json{{"address", "化工路" + std::to_string(n) + "号"}};
       }},
      {"chemicals", Rights::reference, ScopeCol::global,
       [](const Side& s) {
         return json{{"cas", s.cas},
                     {"name", "矩阵试剂" + s.cas},
                     {"critical_quantity_t", 10},
                     {"beta", 1}};
       },
       [](const Side& s, int n) {
         return json{{"cas", s.cas.substr(0, 4) + pad(20 + n, 2) + "-00-0"}, {"name", "新试剂"}};
       },
       [](int n) {
         return json{{"alias", "别名" + std::to_string(n)}};
       }},
      {"hazard-sources", Rights::registered, ScopeCol::company,
       [](const Side& s) {
         return json{{"hazard_code", s.hazard},
                     {"company_code", s.company},
                     {"name", "罐区"},
                     {"rank", 4},
                     {"people_exposed", 10}};
       },
       [](const Side& s, int n) {
         return json{{"hazard_code", s.company + pad(100 + n, 3)},
                     {"company_code", s.company},
                     {"name", "新罐区"},
                     {"rank", 4}};
       },
       [](int n) {
         return json{{"address", "厂区" + std::to_string(n)}};
       }},
      {"production-cells", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"prodcell_id", s.prodcell},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"cell_type", "tank_farm"},
                     {"name", "储罐区"}};
       },
       [](const Side& s, int n) {
         return json{{"prodcell_id", s.prodcell + "N" + std::to_string(n)},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"cell_type", "unit"},
                     {"name", "装置"}};
       },
       [](int n) {
         return json{{"responsible_person", "王五" + std::to_string(n)}};
       }},
      {"equipment", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"equip_code", s.equip},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"prodcell_id", s.prodcell},
                     {"equip_type", "G0"},
                     {"name", "1号储罐"},
                     {"detail", {{"tank_type", "vertical"}, {"volume_m3", 100}}}};
       },
       [](const Side& s, int n) {
         return json{{"equip_code", s.hazard + "G0" + pad(100 + n, 3)},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"equip_type", "G0"},
                     {"name", "新储罐"}};
       },
       [](int n) {
         return json{{"location", "东区" + std::to_string(n)}};
       }},
      {"warehouses", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"warehouse_id", s.prodcell + "W"},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"name", "硝酸铵仓库"},
                     {"fire_class", "甲"},
                     {"fire_class_item", 3},
                     {"area_m2", 500}};
       },
       [](const Side& s, int n) {
         return json{{"warehouse_id", s.prodcell + "W" + std::to_string(n)},
                     {"company_code", s.company},
                     {"name", "新仓库"}};
       },
       [](int n) {
         return json{{"keeper", "保管员" + std::to_string(n)}};
       }},
      // A stored chemical (ammonium nitrate) decides what 附件5 §2 asks of its warehouse: the
      // enterprise does not deactivate one (attack 12.15).
      {"warehouse-chemicals", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"company_code", s.company},
                     {"warehouse_id", s.prodcell + "W"},
                     {"cas", "6484-52-2"},
                     {"max_quantity_t", 300}};
       },
       [](const Side& s, int n) {
         return json{{"company_code", s.company},
                     {"warehouse_id", s.prodcell + "W"},
                     {"cas", kFreshCas.at(n)},
                     {"max_quantity_t", 1}};
       },
       [](int n) {
         return json{{"max_quantity_t", 10 + n}};
       }},
      {"loading-platforms", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"platform_id", s.prodcell + "L"},
                     {"company_code", s.company},
                     {"name", "汽车装卸站台"},
                     {"positions", 4},
                     {"media", {"8006-61-9"}},
                     {"mode", "road"},
                     {"filling", "bottom"}};
       },
       [](const Side& s, int n) {
         return json{{"platform_id", s.prodcell + "L" + std::to_string(n)},
                     {"company_code", s.company},
                     {"name", "新站台"}};
       },
       [](int n) {
         return json{{"positions", 4 + n}};
       }},
      {"equipment-media", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"company_code", s.company},
                     {"equip_code", s.equip},
                     {"cas", "7782-50-5"},
                     {"form", "H4702"}};
       },
       [](const Side& s, int n) {
         return json{
             {"company_code", s.company}, {"equip_code", s.equip}, {"cas", kFreshCas.at(n)}};
       },
       [](int n) {
         return json{{"name", "介质" + std::to_string(n)}};
       }},
      {"enterprise-chemicals", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"company_code", s.company}, {"cas", "7782-50-5"}, {"usage", "raw_material"}};
       },
       [](const Side& s, int n) {
         return json{{"company_code", s.company}, {"cas", kFreshCas.at(n)}};
       },
       [](int n) {
         return json{{"annual_amount_t", 100 + n}};
       }},
      {"hazard-chemicals", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"cas", "7782-50-5"},
                     {"quantity_t", 10}};
       },
       [](const Side& s, int n) {
         return json{{"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"cas", kFreshCas.at(n)},
                     {"quantity_t", 1}};
       },
       [](int n) {
         return json{{"quantity_t", 10 + n}};
       }},
      {"responsible-persons", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"role", "principal"},
                     {"name", "张三"},
                     {"mobile", "13800000001"}};
       },
       [](const Side& s, int n) {
         return json{{"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"role", "technical"},
                     {"name", "李四" + std::to_string(n)}};
       },
       [](int n) {
         return json{{"position", "厂长" + std::to_string(n)}};
       }},
      {"gateways", Rights::company, ScopeCol::company,
       [](const Side& s) {
         return json{{"gateway_code", s.gateway}, {"company_code", s.company},
                     {"name", "采集网关"},        {"hazard_codes", {s.hazard}},
                     {"ip", "10.0.0.1"},          {"port", 502}};
       },
       [](const Side& s, int n) {
         return json{{"gateway_code", s.gateway.substr(0, 5) + pad(n, 6)},
                     {"company_code", s.company},
                     {"name", "新网关"}};
       },
       [](int n) {
         return json{{"location", "控制室" + std::to_string(n)}};
       }},
      {"monitoring-points", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"quota_code", s.quota},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"equip_code", s.equip},
                     {"gateway_code", s.gateway},
                     {"name", "液位"},
                     {"indicator_type", "level"},
                     {"value_kind", "analog"},
                     {"unit", "m"},
                     {"range_low", 0},
                     {"range_high", 20},
                     {"ll", 1},
                     {"l", 2},
                     {"h", 15},
                     {"hh", 18}};
       },
       [](const Side& s, int n) {
         return json{{"quota_code", s.company + s.quota + "N" + std::to_string(n)},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"name", "温度"},
                     {"indicator_type", "temperature"},
                     {"value_kind", "analog"}};
       },
       [](int n) {
         return json{{"bit_no", "LT-" + std::to_string(n)}};
       }},
      {"cameras", Rights::watched, ScopeCol::company,
       [](const Side& s) {
         return json{{"video_id", s.video},
                     {"company_code", s.company},
                     {"hazard_code", s.hazard},
                     {"prodcell_id", s.prodcell},
                     {"name", "罐区摄像机"},
                     {"scene_type", "tank_farm"},
                     {"rtsp_url", "rtsp://10.0.0.2/stream"}};
       },
       [](const Side& s, int n) {
         return json{{"video_id", s.company + s.video + "N" + std::to_string(n)},
                     {"company_code", s.company},
                     {"name", "大门"},
                     {"scene_type", "gate"}};
       },
       [](int n) {
         return json{{"location", "大门" + std::to_string(n)}};
       }},
  };
  return v;
}

// Every role, scoped to the province, city A, a county of city A, enterprise A, and a sibling
// county of city A that holds none of the rows.
struct Caller {
  std::string user, role, scope;
  bool sees_a, sees_b;
};
const std::vector<Caller> kCallers = {
    {"sm_padmin", "province_admin", "", true, true},
    {"sm_pofficer", "province_officer", "", true, true},
    {"sm_operator", "operator", "", true, true},
    {"sm_city", "city_officer", kA.city, true, false},
    {"sm_county", "county_officer", kA.county, true, false},
    {"sm_enterprise", "enterprise_user", kA.company, true, false},
    {"sm_sibling", "county_officer", "140106", false, false},
};

const hazmon::storage::EntityDef& def_of(const Collection& c) {
  const auto* d = hazmon::storage::find_entity(c.name);
  if (!d) throw std::runtime_error("no registry entity " + c.name);
  return *d;
}

std::string key_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

long long count_rows(const std::string& table) {
  return shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
    return tx.exec_one("SELECT count(*) AS n FROM " + table)["n"].get<long long>();
  });
}

// The shared world: one server, the rows of both sides, a token per caller.
struct World {
  std::unique_ptr<TestServer> srv;
  std::map<std::string, std::string> token;         // by user name
  std::map<std::string, std::string> key_a, key_b;  // by collection: URL key of each side's row
  std::map<std::string, json> snapshot_b;           // by collection: row B as stored after setup

  std::string admin() const { return token.at("sm_padmin"); }
  HttpsClient client() const { return srv->client(); }
};

World* build_world() {
  auto w = std::make_unique<World>();
  w->srv = std::make_unique<TestServer>(shared_db());
  auto c = w->client();
  w->token["sm_padmin"] = w->srv->make_user("sm_padmin", "province_admin");
  auto create = [&](const std::string& coll, const json& body) {
    auto r = c.post_json("/api/v1/" + coll, body, w->admin());
    if (r.status != 201)
      throw std::runtime_error("setup: POST " + coll + " " + body.dump() + " → " +
                               std::to_string(r.status) + " " + r.body);
    return r.json();
  };
  create("regions",
         {{"code", "140106"}, {"name", "迎泽区"}, {"level", "county"}, {"parent_code", kA.city}});
  for (const auto& coll : collections()) {
    const auto& key = def_of(coll).key;
    w->key_a[coll.name] = key_text(create(coll.name, coll.row(kA))[key]);
    w->key_b[coll.name] = key_text(create(coll.name, coll.row(kB))[key]);
  }
  for (const auto& who : kCallers)
    if (!w->token.count(who.user))
      w->token[who.user] = w->srv->make_user(who.user, who.role, who.scope);
  for (const auto& coll : collections()) {
    auto r = c.get("/api/v1/" + coll.name + "/" + w->key_b[coll.name], w->admin());
    if (r.status != 200) throw std::runtime_error("setup: GET " + coll.name + " B → " + r.body);
    w->snapshot_b[coll.name] = r.json();
  }
  for (const auto& side : {kA, kB}) {
    shared_db().exec("INSERT INTO deployment_task(company_code, task, deadline) VALUES ('" +
                     side.company + "', 'video_gateway', '2030-12-31'), ('" + side.company +
                     "', 'extended_access', '2030-12-31')");
  }
  return w.release();
}

World* world() {
  static World* w = nullptr;
  static std::string failure;
  if (!w && failure.empty()) {
    try {
      w = build_world();
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  if (!w) ADD_FAILURE() << "the scope matrix world could not be built: " << failure;
  return w;
}

// The answer is a problem document with the given status and code.
::testing::AssertionResult is_problem(const HttpResult& r, int status, const std::string& code) {
  auto j = r.json();
  if (r.status != status)
    return ::testing::AssertionFailure()
           << "status " << r.status << " (want " << status << "): " << r.body;
  if (r.header("content-type").rfind("application/problem+json", 0) != 0)
    return ::testing::AssertionFailure() << "content-type " << r.header("content-type");
  if (!j.is_object() || j.value("code", "") != code)
    return ::testing::AssertionFailure() << "code (want " << code << "): " << r.body;
  if (j.value("request_id", "").empty())
    return ::testing::AssertionFailure() << "no request_id: " << r.body;
  return ::testing::AssertionSuccess();
}

struct EnterpriseInfo {
  std::string region_code, park_id;
};
std::map<std::string, EnterpriseInfo> enterprises_by_code() {
  std::map<std::string, EnterpriseInfo> out;
  shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
    for (auto& r : tx.exec(
             "SELECT company_code, region_code, coalesce(park_id, '') AS park_id FROM enterprise"))
      out[r["company_code"].get<std::string>()] = {r["region_code"].get<std::string>(),
                                                   r["park_id"].get<std::string>()};
  });
  return out;
}

// Whether a listed item lies inside the caller's scope, judged from the item alone.
bool item_in_scope(const Caller& who, ScopeCol col, const json& item,
                   const std::map<std::string, EnterpriseInfo>& ents) {
  if (who.scope.empty() || col == ScopeCol::global) return true;
  bool region_scope = who.scope.size() == 6;
  std::string prefix = who.scope.substr(2) == "0000" ? who.scope.substr(0, 2)
                       : who.scope.substr(4) == "00" ? who.scope.substr(0, 4)
                                                     : who.scope;
  auto under = [&](const std::string& code) { return code.rfind(prefix, 0) == 0; };
  const EnterpriseInfo* own =
      region_scope || !ents.count(who.scope) ? nullptr : &ents.at(who.scope);
  switch (col) {
    case ScopeCol::global:
      return true;
    case ScopeCol::region:
      return region_scope ? under(item["code"]) : own && item["code"] == own->region_code;
    case ScopeCol::park:
      return region_scope ? under(item["region_code"]) : own && item["park_id"] == own->park_id;
    case ScopeCol::enterprise:
      return region_scope ? under(item["region_code"]) : item["company_code"] == who.scope;
    case ScopeCol::company: {
      auto it = ents.find(item["company_code"].get<std::string>());
      if (it == ents.end()) return false;
      return region_scope ? under(it->second.region_code) : item["company_code"] == who.scope;
    }
  }
  return false;
}

class ScopeMatrix : public ::testing::TestWithParam<std::size_t> {
 protected:
  void SetUp() override {
    w_ = world();
    ASSERT_NE(w_, nullptr);
  }
  const Collection& coll() const { return collections().at(GetParam()); }
  bool sees(const Caller& who, bool side_a) const {
    return coll().scope == ScopeCol::global || (side_a ? who.sees_a : who.sees_b);
  }
  std::string url(bool side_a) const {
    return "/api/v1/" + coll().name + "/" +
           (side_a ? w_->key_a.at(coll().name) : w_->key_b.at(coll().name));
  }
  json admin_get(bool side_a) const {
    auto r = w_->client().get(url(side_a), w_->admin());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json();
  }
  World* w_ = nullptr;
};

TEST_P(ScopeMatrix, ListsAndReadsFollowTheScope) {
  auto c = w_->client();
  const auto& def = def_of(coll());
  auto ents = enterprises_by_code();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ") on " + coll().name);
    const auto& tok = w_->token.at(who.user);
    for (const std::string query : {"?limit=500", "?limit=500&include_inactive=true"}) {
      auto r = c.get("/api/v1/" + coll().name + query, tok);
      ASSERT_EQ(r.status, 200) << r.body;
      std::set<std::string> keys;
      auto list = r.json();
      for (const auto& item : list["items"]) {
        keys.insert(key_text(item[def.key]));
        EXPECT_TRUE(item_in_scope(who, coll().scope, item, ents))
            << "listed outside the scope: " << item.dump();
      }
      EXPECT_EQ(keys.count(w_->key_a.at(coll().name)) == 1, sees(who, true)) << query << ": row A";
      EXPECT_EQ(keys.count(w_->key_b.at(coll().name)) == 1, sees(who, false)) << query << ": row B";
    }
    // Filtering on the other enterprise finds nothing rather than its rows.
    const auto& filters = def.filters;
    if (std::find(filters.begin(), filters.end(), "company_code") != filters.end() &&
        !sees(who, false)) {
      auto r = c.get("/api/v1/" + coll().name + "?include_inactive=true&company_code=" + kB.company,
                     tok);
      ASSERT_EQ(r.status, 200) << r.body;
      EXPECT_TRUE(r.json()["items"].empty()) << r.body;
      EXPECT_EQ(r.json()["total"], 0);
    }
    for (bool side_a : {true, false}) {
      auto r = c.get(url(side_a), tok);
      if (sees(who, side_a)) {
        ASSERT_EQ(r.status, 200) << url(side_a) << ": " << r.body;
        EXPECT_EQ(key_text(r.json()[def.key]),
                  side_a ? w_->key_a.at(coll().name) : w_->key_b.at(coll().name));
      } else {
        EXPECT_TRUE(is_problem(r, 404, "not_found")) << url(side_a);
      }
    }
  }
}

TEST_P(ScopeMatrix, RowsTheCallerMayNotChangeStayUnchanged) {
  auto c = w_->client();
  int attempts = 0;
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ") on " + coll().name);
    const auto& tok = w_->token.at(who.user);
    for (bool side_a : {true, false}) {
      bool visible = sees(who, side_a);
      bool may_update = may(who.role, coll().rights, Op::update);
      bool may_remove = may(who.role, coll().rights, Op::remove);
      if (visible && may_update && may_remove) continue;  // WritersChangeRowsInsideTheirScope
      auto before = admin_get(side_a);
      if (!visible || !may_update) {
        ++attempts;
        auto r = c.patch_json(url(side_a), coll().change(90), tok);
        EXPECT_TRUE(is_problem(r, visible ? 403 : 404, visible ? "forbidden" : "not_found"))
            << "PATCH " << url(side_a);
      }
      if (!visible || !may_remove) {
        ++attempts;
        auto r = c.del(url(side_a), tok);
        EXPECT_TRUE(is_problem(r, visible ? 403 : 404, visible ? "forbidden" : "not_found"))
            << "DELETE " << url(side_a);
      }
      EXPECT_EQ(admin_get(side_a), before) << "the row changed";
    }
  }
  EXPECT_GT(attempts, 0);
  // Row B is untouched since setup, whatever happened to row A.
  EXPECT_EQ(admin_get(false), w_->snapshot_b.at(coll().name));
}

TEST_P(ScopeMatrix, WritersChangeRowsInsideTheirScope) {
  auto c = w_->client();
  const auto& def = def_of(coll());
  for (std::size_t n = 0; n < kCallers.size(); ++n) {
    const auto& who = kCallers[n];
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ") on " + coll().name);
    const auto& tok = w_->token.at(who.user);
    int tag = static_cast<int>(n);
    // PATCH of the row inside the scope.
    if (sees(who, true) && may(who.role, coll().rights, Op::update)) {
      auto body = coll().change(tag);
      auto r = c.patch_json(url(true), body, tok);
      ASSERT_EQ(r.status, 200) << r.body;
      for (auto& [k, v] : body.items()) EXPECT_EQ(r.json()[k], v) << k;
      EXPECT_EQ(admin_get(true)[body.begin().key()], body.begin().value());
    }
    // Creating rows inside the scope (enterprise A), then outside it (enterprise B).
    for (bool side_a : {true, false}) {
      auto body = coll().fresh(side_a ? kA : kB, tag);
      long long before = count_rows(def.table);
      auto r = c.post_json("/api/v1/" + coll().name, body, tok);
      bool inside = side_a ? who.sees_a : who.sees_b;
      if (!may(who.role, coll().rights, Op::create)) {
        EXPECT_TRUE(is_problem(r, 403, "forbidden")) << "POST " << body.dump();
      } else if (!inside) {
        // Creating under an enterprise or region the caller cannot see: it simply is not there.
        EXPECT_TRUE(is_problem(r, 422, "validation_failed")) << "POST " << body.dump();
      } else {
        ASSERT_EQ(r.status, 201) << body.dump() << " → " << r.body;
        auto key = key_text(r.json()[def.key]);
        auto path = "/api/v1/" + coll().name + "/" + key;
        EXPECT_EQ(c.get(path, tok).status, 200);
        auto d = c.del(path, tok);
        // The only person in a role of an active hazard source stays (attack 12.21).
        bool keeps_role = coll().name == "responsible-persons" && who.role == "enterprise_user";
        if (!may(who.role, coll().rights, Op::remove) ||
            keeps_role) {  // created, but deactivated by the regulator only
          EXPECT_TRUE(keeps_role ? is_problem(d, 422, "validation_failed")
                                 : is_problem(d, 403, "forbidden"))
              << "DELETE " << path;
          d = c.del(path, w_->admin());
        }
        ASSERT_EQ(d.status, 204) << d.body;
        auto after = c.get(path, w_->admin());
        EXPECT_EQ(after.json()["is_active"], false) << after.body;
        EXPECT_EQ(count_rows(def.table), before + 1);
        continue;
      }
      EXPECT_EQ(count_rows(def.table), before) << "a refused create stored a row";
    }
  }
}

std::string collection_name(const ::testing::TestParamInfo<std::size_t>& info) {
  std::string n = collections().at(info.param).name;
  for (auto& ch : n)
    if (ch == '-') ch = '_';
  return n;
}
INSTANTIATE_TEST_SUITE_P(Registry, ScopeMatrix, ::testing::Range<std::size_t>(0, 17),
                         collection_name);

class ScopeMatrixOther : public ::testing::Test {
 protected:
  void SetUp() override {
    w_ = world();
    ASSERT_NE(w_, nullptr);
  }
  World* w_ = nullptr;
};

TEST_F(ScopeMatrixOther, EveryRegistryCollectionIsInTheMatrix) {
  std::set<std::string> in_matrix, in_registry;
  for (const auto& c : collections()) in_matrix.insert(c.name);
  for (const auto& d : hazmon::storage::registry_entities()) in_registry.insert(d.name);
  EXPECT_EQ(in_matrix, in_registry);
  EXPECT_EQ(collections().size(), 17u) << "update the Range of INSTANTIATE_TEST_SUITE_P";
}

TEST_F(ScopeMatrixOther, DeploymentProgressAndTasksFollowTheScope) {
  auto c = w_->client();
  auto tasks_of = [](const std::string& company) {
    return shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return tx.exec(
          "SELECT task, status, note, updated_at FROM deployment_task WHERE company_code = $1 "
          "ORDER BY task",
          {company});
    });
  };
  auto tasks_b = tasks_of(kB.company);
  ASSERT_EQ(tasks_b.size(), 2u);
  for (std::size_t n = 0; n < kCallers.size(); ++n) {
    const auto& who = kCallers[n];
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto p = c.get("/api/v1/deployment/progress", tok);
    ASSERT_EQ(p.status, 200) << p.body;
    std::set<std::string> cities;
    auto progress = p.json();
    for (const auto& row : progress["by_city"]) cities.insert(row["city_code"].get<std::string>());
    EXPECT_EQ(cities.count(kA.city) == 1, who.sees_a) << p.body;
    EXPECT_EQ(cities.count(kB.city) == 1, who.sees_b) << p.body;
    if (!who.scope.empty()) {
      // A scoped caller's totals count only what it sees: two tasks of enterprise A, or none.
      long long total = 0;
      for (const auto& row : progress["by_task"]) total += row["total"].get<long long>();
      EXPECT_EQ(total, who.sees_a ? 2 : 0) << p.body;
      EXPECT_EQ(cities.size(), who.sees_a ? 1u : 0u) << p.body;
    }
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto r = c.get("/api/v1/deployment/tasks/" + side->company, tok);
      if (visible) {
        ASSERT_EQ(r.status, 200) << r.body;
        ASSERT_EQ(r.json()["items"].size(), 2u);
        auto items = r.json()["items"];
        for (const auto& t : items) EXPECT_EQ(t["company_code"], side->company);
      } else {
        EXPECT_TRUE(is_problem(r, 404, "not_found")) << side->company;
      }
    }
    bool writer = who.role == "province_admin" || who.role == "city_officer" ||
                  who.role == "county_officer" || who.role == "enterprise_user";
    json body = {{"status", "in_progress"}, {"note", "by " + who.user}};
    auto a = c.patch_json("/api/v1/deployment/tasks/" + kA.company + "/video_gateway", body, tok);
    if (!who.sees_a)
      EXPECT_TRUE(is_problem(a, 404, "not_found"));
    else if (!writer)
      EXPECT_TRUE(is_problem(a, 403, "forbidden"));
    else {
      ASSERT_EQ(a.status, 200) << a.body;
      EXPECT_EQ(a.json()["note"], "by " + who.user);
    }
    if (!who.sees_b) {
      auto b = c.patch_json("/api/v1/deployment/tasks/" + kB.company + "/video_gateway", body, tok);
      EXPECT_TRUE(is_problem(b, 404, "not_found"));
    }
  }
  EXPECT_EQ(tasks_of(kB.company), tasks_b) << "enterprise B's tasks changed";
}

TEST_F(ScopeMatrixOther, GradingFollowsTheScope) {
  auto c = w_->client();
  auto hs_b = c.get("/api/v1/hazard-sources/" + kB.hazard, w_->admin()).json();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto path = "/api/v1/hazard-sources/" + side->hazard + "/grading";
      auto g = c.get(path, tok);
      if (visible) {
        ASSERT_EQ(g.status, 200) << g.body;
        EXPECT_EQ(g.json()["hazard_code"], side->hazard);
        EXPECT_EQ(g.json()["is_major_hazard"], true)
            << g.body;  // 10 t of chlorine (Q = 5 t): S ≥ 2
        EXPECT_EQ(g.json()["stored"], false);
      } else {
        EXPECT_TRUE(is_problem(g, 404, "not_found")) << path;
      }
      if (side == &kB && who.sees_b) continue;  // row B stays as set up
      auto s = c.post_json(path, json::object(), tok);
      if (!visible) {
        EXPECT_TRUE(is_problem(s, 404, "not_found")) << "POST " << path;
      } else if (!may(who.role, Rights::company, Op::update)) {
        EXPECT_TRUE(is_problem(s, 403, "forbidden")) << "POST " << path;
      } else {
        ASSERT_EQ(s.status, 200) << s.body;
        EXPECT_EQ(s.json()["stored"], true);
        auto hs = c.get("/api/v1/hazard-sources/" + side->hazard, tok).json();
        EXPECT_EQ(hs["rank"], s.json()["level"]) << hs.dump();
      }
    }
  }
  EXPECT_EQ(c.get("/api/v1/hazard-sources/" + kB.hazard, w_->admin()).json(), hs_b);
}

TEST_F(ScopeMatrixOther, GatewayCredentialsOnlyForVisibleEnterprises) {
  auto c = w_->client();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    bool regulator =
        who.role == "province_admin" || who.role == "city_officer" || who.role == "county_officer";
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      long long before = count_rows("api_credential");
      auto r = c.post_json(
          "/api/v1/credentials",
          {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", side->company}}}}, tok);
      if (!regulator) {
        EXPECT_TRUE(is_problem(r, 403, "forbidden"));
      } else if (!visible) {
        EXPECT_TRUE(is_problem(r, 404, "not_found"));
      } else {
        ASSERT_EQ(r.status, 201) << r.body;
        // The credential reads its own enterprise and nothing else.
        auto bearer =
            r.json()["app_id"].get<std::string>() + "." + r.json()["secret"].get<std::string>();
        EXPECT_EQ(c.get("/api/v1/enterprises/" + side->company, bearer).status, 200);
        const auto* other = side == &kA ? &kB : &kA;
        EXPECT_TRUE(
            is_problem(c.get("/api/v1/enterprises/" + other->company, bearer), 404, "not_found"));
        EXPECT_EQ(count_rows("api_credential"), before + 1);
        continue;
      }
      EXPECT_EQ(count_rows("api_credential"), before);
    }
  }
}

// A reference to a row outside the caller's scope is refused exactly like a reference to a row
// that does not exist, so that writes cannot be used to probe for rows the caller cannot see.
TEST_F(ScopeMatrixOther, ReferencesOutsideTheScopeLookLikeMissingRows) {
  auto c = w_->client();
  struct Probe {
    std::string method, target;
    std::function<json(const std::string&)> body;  // with the referenced key
    std::string outside, missing, table;
  };
  const std::vector<Probe> probes = {
      {"PATCH", "/api/v1/enterprises/" + kA.company,
       [](const std::string& k) {
         return json{{"park_id", k}};
       },
       kB.park, "SMPX", "enterprise"},
      {"POST", "/api/v1/monitoring-points",
       [](const std::string& k) {
         return json{{"quota_code", kA.company + "SMQREF"},
                     {"company_code", kA.company},
                     {"hazard_code", kA.hazard},
                     {"gateway_code", k},
                     {"name", "压力"},
                     {"indicator_type", "pressure"},
                     {"value_kind", "analog"}};
       },
       kB.gateway, "SMGWX000001", "monitoring_point"},
      {"POST", "/api/v1/cameras",
       [](const std::string& k) {
         return json{{"video_id", kA.company + "SMCAMREF"},
                     {"company_code", kA.company},
                     {"prodcell_id", k},
                     {"name", "门"},
                     {"scene_type", "gate"}};
       },
       kB.prodcell, "SMCX", "camera"},
      {"POST", "/api/v1/equipment",
       [](const std::string& k) {
         return json{{"equip_code", kA.hazard + "G0099"},
                     {"company_code", kA.company},
                     {"hazard_code", kA.hazard},
                     {"prodcell_id", k},
                     {"equip_type", "G0"},
                     {"name", "罐"}};
       },
       kB.prodcell, "SMCX", "equipment"},
  };
  auto send = [&](const Probe& p, const std::string& key, const std::string& tok) {
    auto h = std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + tok},
                                                              {"Content-Type", "application/json"}};
    return c.request(p.method, p.target, p.body(key).dump(), h);
  };
  // The answer with the referenced key blanked out.
  auto shape = [](const HttpResult& r, const std::string& key) {
    std::string b = r.json().value("errors", json::array()).dump();
    for (auto at = b.find(key); at != std::string::npos; at = b.find(key))
      b.replace(at, key.size(), "<key>");
    return std::to_string(r.status) + " " + b;
  };
  int compared = 0;
  for (const auto& who : kCallers) {
    if (who.sees_b || !who.sees_a) continue;
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    for (const auto& p : probes) {
      SCOPED_TRACE(p.method + " " + p.target);
      auto enterprise_before = c.get("/api/v1/enterprises/" + kA.company, w_->admin()).json();
      long long rows = count_rows(p.table);
      auto missing = send(p, p.missing, tok);
      auto outside = send(p, p.outside, tok);
      if (missing.status == 403) {  // the role may not write here at all
        EXPECT_TRUE(is_problem(outside, 403, "forbidden"));
      } else {
        EXPECT_TRUE(is_problem(missing, 422, "validation_failed"));
        EXPECT_EQ(shape(outside, p.outside), shape(missing, p.missing)) << outside.body;
        ++compared;
      }
      EXPECT_EQ(count_rows(p.table), rows);
      EXPECT_EQ(c.get("/api/v1/enterprises/" + kA.company, w_->admin()).json(), enterprise_before);
    }
  }
  EXPECT_GT(compared, 0);
  // Enterprise A's user still sees only its own park.
  auto parks = c.get("/api/v1/parks", w_->token.at("sm_enterprise")).json();
  ASSERT_EQ(parks["items"].size(), 1u) << parks.dump();
  EXPECT_EQ(parks["items"][0]["park_id"], kA.park);
}

// The daily safety commitments (安全承诺): lists, history and the summary follow the scope; a
// commitment or enterprise outside it is 404.
TEST_F(ScopeMatrixOther, CommitmentsFollowTheScope) {
  auto c = w_->client();
  auto today = w_->srv->platform().commitments().today();
  std::map<std::string, std::string> id;  // company → commitment id
  for (const auto* side : {&kA, &kB}) {
    shared_db().exec(
        "INSERT INTO safety_commitment (company_code, day, units_total, units_running, "
        "units_stopped, units_startup, units_trial, units_overhaul, key_process_count, "
        "risk_grade, committer, committer_role, duty_leader, duty_phone, committed_at, source, "
        "filed_by) VALUES ('" +
        side->company + "', '" + today +
        "', 1, 1, 0, 0, 0, 0, 0, 'blue', '矩阵', 'enterprise_principal', '值班', "
        "'13900000000', now(), 'dashboard', 'sm') ON CONFLICT DO NOTHING");
    id[side->company] = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return std::to_string(*tx.one<long long>(
          "SELECT id FROM safety_commitment WHERE company_code = $1 AND day = $2::date",
          {side->company, today}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/commitments?day=" + today + "&limit=1000", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();  // not a temporary's member in the range-for (it would dangle)
    for (const auto& item : listed["items"]) seen.insert(item["company_code"].get<std::string>());
    EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a);
    EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b);
    auto summary = c.get("/api/v1/commitments/summary?group_by=city&day=" + today, tok);
    ASSERT_EQ(summary.status, 200) << summary.body;
    std::set<std::string> cities;
    auto figures = summary.json();
    for (const auto& g : figures["regions"]) cities.insert(g["region_code"].get<std::string>());
    EXPECT_EQ(cities.count(kA.city) == 1, who.sees_a) << summary.body;
    EXPECT_EQ(cities.count(kB.city) == 1, who.sees_b) << summary.body;
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto h = c.get("/api/v1/commitments/" + id[side->company] + "/history", tok);
      auto by_code = c.get("/api/v1/commitments?company_code=" + side->company, tok);
      if (visible) {
        EXPECT_EQ(h.status, 200) << h.body;
        EXPECT_EQ(by_code.status, 200) << by_code.body;
      } else {
        EXPECT_TRUE(is_problem(h, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(by_code, 404, "not_found")) << side->company;
      }
    }
  }
}

// The key processes and the coverage check (docs/processes.md): the catalogue for everyone; the
// coverage summary, an enterprise's coverage and its processes follow the scope (404 outside);
// registry writers add processes inside their scope (404 outside) and regulators remove them (an
// enterprise user gets 403), other roles 403, and rows they may not change stay.
TEST_F(ScopeMatrixOther, KeyProcessesAndCoverageFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> kept;  // company → a row no caller removes
  for (const auto* side : {&kA, &kB}) {
    auto r = c.post_json("/api/v1/enterprise-processes",
                         {{"company_code", side->company}, {"process_code", "E1506"}}, w_->admin());
    ASSERT_EQ(r.status, 201) << r.body;
    kept[side->company] = std::to_string(r.json()["id"].get<long long>());
  }
  const std::set<std::string> writers = {"province_admin", "city_officer", "county_officer",
                                         "enterprise_user"};
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto cat = c.get("/api/v1/processes", tok);
    ASSERT_EQ(cat.status, 200) << cat.body;
    EXPECT_EQ(cat.json()["processes"].size(), 18u);
    auto summary = c.get("/api/v1/coverage?group_by=city", tok);
    ASSERT_EQ(summary.status, 200) << summary.body;
    std::set<std::string> cities;
    auto figures = summary.json();
    for (const auto& g : figures["regions"]) cities.insert(g["region_code"].get<std::string>());
    EXPECT_EQ(cities.count(kA.city) == 1, who.sees_a) << summary.body;
    EXPECT_EQ(cities.count(kB.city) == 1, who.sees_b) << summary.body;
    auto stats = c.get("/api/v1/statistics/coverage?group_by=county", tok);
    ASSERT_EQ(stats.status, 200) << stats.body;
    std::set<std::string> counties;
    auto rows = stats.json();
    for (const auto& g : rows["rows"]) counties.insert(g["region_code"].get<std::string>());
    EXPECT_EQ(counties.count(kA.county) == 1, who.sees_a) << stats.body;
    EXPECT_EQ(counties.count(kB.county) == 1, who.sees_b) << stats.body;
    auto csv = c.get("/api/v1/statistics/coverage?group_by=county&format=csv", tok);
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.body.find(kA.county_name) != std::string::npos, who.sees_a);
    EXPECT_EQ(csv.body.find(kB.county_name) != std::string::npos, who.sees_b);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto cov = c.get("/api/v1/coverage/enterprises/" + side->company, tok);
      auto list = c.get("/api/v1/enterprise-processes?company_code=" + side->company, tok);
      auto add = c.post_json("/api/v1/enterprise-processes",
                             {{"company_code", side->company}, {"process_code", "E1503"}}, tok);
      auto del_kept = c.del("/api/v1/enterprise-processes/" + kept[side->company], tok);
      if (visible) {
        EXPECT_EQ(cov.status, 200) << cov.body;
        EXPECT_TRUE(cov.json()["checked"].get<bool>()) << cov.body;
        EXPECT_EQ(list.status, 200) << list.body;
      } else {
        EXPECT_TRUE(is_problem(cov, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(list, 404, "not_found")) << side->company;
      }
      if (!writers.count(who.role)) {
        EXPECT_TRUE(is_problem(add, 403, "forbidden")) << add.body;
        EXPECT_TRUE(is_problem(del_kept, 403, "forbidden")) << del_kept.body;
      } else if (!visible) {
        EXPECT_TRUE(is_problem(add, 404, "not_found")) << add.body;
        // An enterprise user may not stop a process anywhere: the role is refused first (403).
        if (who.role == "enterprise_user")
          EXPECT_TRUE(is_problem(del_kept, 403, "forbidden")) << del_kept.body;
        else
          EXPECT_TRUE(is_problem(del_kept, 404, "not_found")) << del_kept.body;
      } else if (who.role == "enterprise_user") {
        // Its own enterprise: it declares a process, but stopping one (its own new one too) is
        // the regulator's: a stopped process leaves the coverage check (attack 12.9).
        ASSERT_EQ(add.status, 201) << add.body;
        auto added =
            "/api/v1/enterprise-processes/" + std::to_string(add.json()["id"].get<long long>());
        EXPECT_TRUE(is_problem(c.del(added, tok), 403, "forbidden"));
        EXPECT_TRUE(is_problem(del_kept, 403, "forbidden")) << del_kept.body;
        EXPECT_EQ(c.del(added, w_->admin()).status, 204);
      } else {
        ASSERT_EQ(add.status, 201) << add.body;
        EXPECT_EQ(add.json()["process_name"], "氯化工艺");
        auto del = c.del(
            "/api/v1/enterprise-processes/" + std::to_string(add.json()["id"].get<long long>()),
            tok);
        EXPECT_EQ(del.status, 204) << del.body;
        // Put the kept row back for the next caller (a writer inside the scope may remove it).
        if (del_kept.status == 204) {
          auto again =
              c.post_json("/api/v1/enterprise-processes",
                          {{"company_code", side->company}, {"process_code", "E1506"}}, tok);
          ASSERT_EQ(again.status, 201) << again.body;
          kept[side->company] = std::to_string(again.json()["id"].get<long long>());
        } else {
          ADD_FAILURE() << "DELETE of a visible row by a writer: " << del_kept.body;
        }
      }
    }
  }
  for (const auto* side : {&kA, &kB}) {
    auto r = c.get("/api/v1/enterprise-processes?company_code=" + side->company, w_->admin());
    ASSERT_EQ(r.status, 200) << r.body;
    auto items = r.json()["items"];
    ASSERT_EQ(items.size(), 1u) << r.body;
    EXPECT_EQ(items[0]["process_code"], "E1506");
  }
}

// Special work permits (特殊作业票): lists, a permit, the per-region counts and the commitment
// check follow the scope (404 outside); only the enterprise's own users move a permit (others 403,
// another enterprise's 404), and nothing changes.
TEST_F(ScopeMatrixOther, WorkPermitsFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> id;  // company → an in-progress hot-work permit
  for (const auto* side : {&kA, &kB}) {
    id[side->company] = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return std::to_string(*tx.one<long long>(
          "INSERT INTO work_permit (company_code, permit_no, work_type, grade, location, "
          "begin_at, end_at, responsible, responsible_mobile, state, started_at, source, "
          "created_by, created_at, updated_at) VALUES ($1, 'SM-1', 'hot_work', '1', '罐区', "
          "now(), now() + interval '8 hours', '负责人', '13900000000', 'in_progress', now(), "
          "'dashboard', 'sm', now(), now()) RETURNING id",
          {side->company}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/work-permits?in_progress=true&limit=1000", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();
    for (const auto& item : listed["items"]) seen.insert(item["company_code"].get<std::string>());
    EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a);
    EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b);
    auto summary = c.get("/api/v1/work-permits/summary?group_by=city", tok);
    ASSERT_EQ(summary.status, 200) << summary.body;
    std::set<std::string> cities;
    auto figures = summary.json();
    for (const auto& g : figures["regions"]) cities.insert(g["region_code"].get<std::string>());
    EXPECT_EQ(cities.count(kA.city) == 1, who.sees_a) << summary.body;
    EXPECT_EQ(cities.count(kB.city) == 1, who.sees_b) << summary.body;
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto one = c.get("/api/v1/work-permits/" + id[side->company], tok);
      auto check =
          c.get("/api/v1/work-permits/commitment-check?company_code=" + side->company, tok);
      // start on a permit in progress: 409 where it is found, so nothing changes either way.
      auto move = c.post_json("/api/v1/work-permits/" + id[side->company] + "/transitions",
                              {{"action", "start"}}, tok);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(check.status, 200) << check.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(check, 404, "not_found")) << side->company;
      }
      if (who.role != "enterprise_user")
        EXPECT_TRUE(is_problem(move, 403, "forbidden")) << move.body;
      else if (!visible)
        EXPECT_TRUE(is_problem(move, 404, "not_found")) << move.body;
      else
        EXPECT_TRUE(is_problem(move, 409, "conflict")) << move.body;
    }
  }
  for (const auto* side : {&kA, &kB}) {
    auto changes = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return *tx.one<long long>("SELECT count(*) FROM work_permit_change WHERE permit_id = $1",
                                {id[side->company]});
    });
    EXPECT_EQ(changes, 0) << side->company;
  }
}

// Circulars (docs/circulars.md): per side a published and a withdrawn circular of the province
// naming that side's enterprise, with a PDF. The list, a circular, its recipients, its attachment
// and the per-city counts follow the scope (404 outside), and what was sent for it is the
// province's alone (403 for the rest who read it); an acknowledgement of the withdrawn one
// is 403 for everyone but the enterprise's users, 404 for another enterprise's, 409 where found,
// and nothing is acknowledged.
TEST_F(ScopeMatrixOther, CircularsFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> live, gone, file;  // company → circulars, the attachment
  for (const auto* side : {&kA, &kB}) {
    shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      auto add = [&](const char* state) {
        auto id = std::to_string(*tx.one<long long>(
            "INSERT INTO circular (kind, title, body, state, ack_deadline, created_by, created_at, "
            "updated_at, published_by, published_at, withdrawn_by, withdrawn_at, "
            "withdraw_reason) VALUES ('other', '矩阵通报', '', $1, now() + interval '3 days', "
            "'sm', now(), now(), 'sm', now(), CASE WHEN $1 = 'withdrawn' THEN 'sm' END, "
            "CASE WHEN $1 = 'withdrawn' THEN now() END, "
            "CASE WHEN $1 = 'withdrawn' THEN '矩阵撤回' END) RETURNING id",
            {std::string(state)}));
        tx.exec_count("INSERT INTO circular_recipient (circular_id, company_code) VALUES ($1, $2)",
                      {id, side->company});
        return id;
      };
      live[side->company] = add("published");
      gone[side->company] = add("withdrawn");
      file[side->company] = std::to_string(*tx.one<long long>(
          "INSERT INTO circular_attachment (circular_id, name, content_type, size_bytes, sha256, "
          "content, uploaded_by, uploaded_at) VALUES ($1, 'a.pdf', 'application/pdf', 5, 'x', "
          "decode('255044462d', 'hex'), 'sm', now()) RETURNING id",
          {live[side->company]}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/circulars?limit=1000", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();
    for (const auto& item : listed["items"])
      seen.insert(std::to_string(item["id"].get<long long>()));
    auto summary = c.get("/api/v1/circulars/summary?group_by=city", tok);
    ASSERT_EQ(summary.status, 200) << summary.body;
    std::set<std::string> cities;
    auto figures = summary.json();
    for (const auto& g : figures["regions"]) cities.insert(g["region_code"].get<std::string>());
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      const auto& id = live[side->company];
      EXPECT_EQ(seen.count(id) == 1, visible) << side->company;
      EXPECT_EQ(seen.count(gone[side->company]) == 1, visible) << side->company;
      EXPECT_EQ(cities.count(side->city) == 1, visible) << summary.body;
      auto one = c.get("/api/v1/circulars/" + id, tok);
      auto recipients = c.get("/api/v1/circulars/" + id + "/recipients", tok);
      auto pdf = c.get("/api/v1/circulars/" + id + "/attachments/" + file[side->company], tok);
      auto ack = c.post_json("/api/v1/circulars/" + gone[side->company] + "/acknowledgement",
                             {{"reply", "矩阵"}}, tok);
      // What was sent for a circular is its issuer's (here the province's) to read.
      auto sent = c.get("/api/v1/circulars/" + id + "/notifications", tok);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(recipients.status, 200) << recipients.body;
        EXPECT_EQ(pdf.status, 200) << pdf.body;
        EXPECT_EQ(pdf.body, "%PDF-");
        if (who.role == "province_admin" || who.role == "province_officer")
          EXPECT_EQ(sent.status, 200) << sent.body;
        else
          EXPECT_TRUE(is_problem(sent, 403, "forbidden")) << sent.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(recipients, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(pdf, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(sent, 404, "not_found")) << side->company;
      }
      if (who.role != "enterprise_user")
        EXPECT_TRUE(is_problem(ack, 403, "forbidden")) << ack.body;
      else if (!visible)
        EXPECT_TRUE(is_problem(ack, 404, "not_found")) << ack.body;
      else
        EXPECT_TRUE(is_problem(ack, 409, "conflict")) << ack.body;
    }
  }
  for (const auto* side : {&kA, &kB}) {
    auto acked = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return *tx.one<long long>(
          "SELECT count(acknowledged_at) FROM circular_recipient WHERE circular_id IN ($1, $2)",
          {live[side->company], gone[side->company]});
    });
    EXPECT_EQ(acked, 0) << side->company;
  }
}

// SIS loops (docs/sis.md): the list, a loop with its history follow the scope (404 outside);
// only the enterprise's own users end a bypass (others 403, another enterprise's 404), and nothing
// changes: the bypass has ended already (409 where it is found).
TEST_F(ScopeMatrixOther, SisLoopsFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> loop, bypass;  // company → its loop, its ended bypass
  for (const auto* side : {&kA, &kB}) {
    shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      loop[side->company] = std::to_string(*tx.one<long long>(
          "INSERT INTO sis_loop (company_code, tag, name, source, created_by, created_at, "
          "updated_at) VALUES ($1, 'SM-SIS-1', '矩阵联锁', 'dashboard', 'sm', now(), now()) "
          "RETURNING id",
          {side->company}));
      bypass[side->company] = std::to_string(*tx.one<long long>(
          "INSERT INTO sis_bypass (loop_id, applicant, approver, reason, begin_at, expiry_at, "
          "state, approved_at, approved_by, ended_at, ended_by, source, filed_by, created_at) "
          "VALUES ($1, '申请人', '审批人', '校验', now(), now() + interval '8 hours', 'ended', "
          "now(), 'sm', now(), 'sm', 'dashboard', 'sm', now()) RETURNING id",
          {loop[side->company]}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/sis-loops", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();
    for (const auto& item : listed["items"]) seen.insert(item["company_code"].get<std::string>());
    EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a);
    EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto one = c.get("/api/v1/sis-loops/" + loop[side->company], tok);
      auto end = c.post_json("/api/v1/sis-bypasses/" + bypass[side->company] + "/end",
                             json::object(), tok);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(one.json()["bypasses"].size(), 1u) << one.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
      }
      if (who.role != "enterprise_user")
        EXPECT_TRUE(is_problem(end, 403, "forbidden")) << end.body;
      else if (!visible)
        EXPECT_TRUE(is_problem(end, 404, "not_found")) << end.body;
      else
        EXPECT_TRUE(is_problem(end, 409, "conflict")) << end.body;
    }
  }
  for (const auto* side : {&kA, &kB}) {
    auto ended_by = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return *tx.one<std::string>("SELECT ended_by FROM sis_bypass WHERE id = $1",
                                  {bypass[side->company]});
    });
    EXPECT_EQ(ended_by, "sm") << side->company;
  }
}

// The five systems' records (docs/five-systems.md): patrols, their findings, duty check-ins,
// routine use and the five-systems statistics follow the scope (404 outside, absent from
// lists); an officer cannot patrol an enterprise he cannot see (422, nothing stored), other
// roles may not patrol at all (403), and an enterprise answers only its own findings.
TEST_F(ScopeMatrixOther, PatrolsAndRoutineUseFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> patrol, finding;  // company → id
  for (const auto* side : {&kA, &kB}) {
    auto pid = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return std::to_string(*tx.one<long long>(
          "INSERT INTO patrol (company_code, kind, officer_name, officer_level, started_at, "
          "ended_at) VALUES ($1, 'onsite', 'sm_matrix', 'province', now() - interval '2 hours', "
          "now() - interval '1 hour') RETURNING id",
          {side->company}));
    });
    patrol[side->company] = pid;
    finding[side->company] = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return std::to_string(*tx.one<long long>(
          "INSERT INTO patrol_finding (patrol_id, company_code, description, severity, "
          "follow_up, deadline, created_at, created_by) VALUES ($1::bigint, $2, '矩阵', "
          "'general', '整改', now() - interval '1 minute', now(), 'sm_matrix') RETURNING id",
          {pid, side->company}));
    });
  }
  auto rows = [&](const char* table) { return count_rows(table); };
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto seen_in = [&](const std::string& url, const char* key) {
      auto r = c.get(url, tok);
      EXPECT_EQ(r.status, 200) << url << ": " << r.body;
      std::set<std::string> seen;
      auto j = r.json();  // not a temporary's member in the range-for (it would dangle)
      for (const auto& item : j[key])
        seen.insert(item.value("company_code", item.value("code", "")));
      return seen;
    };
    for (const auto& url : {std::string("/api/v1/patrols?limit=1000"),
                            std::string("/api/v1/patrol-findings?overdue=true&limit=1000"),
                            std::string("/api/v1/routine-use?limit=1000")}) {
      auto seen = seen_in(url, "items");
      EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a) << url;
      EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b) << url;
    }
    auto cities = seen_in("/api/v1/statistics/five-systems?by=city", "rows");
    EXPECT_EQ(cities.count(kA.city) == 1, who.sees_a);
    EXPECT_EQ(cities.count(kB.city) == 1, who.sees_b);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto one = c.get("/api/v1/patrols/" + patrol[side->company], tok);
      auto use = c.get("/api/v1/routine-use?company_code=" + side->company, tok);
      auto duty = c.get("/api/v1/duty-checkins?company_code=" + side->company, tok);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(use.status, 200) << use.body;
        EXPECT_EQ(duty.status, 200) << duty.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(use, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(duty, 404, "not_found")) << side->company;
        // Not patrolled, not answered, not confirmed from outside; nothing stored.
        auto before = rows("patrol");
        auto start = c.post_json("/api/v1/patrols",
                                 {{"company_code", side->company}, {"kind", "online"}}, tok);
        bool officer = who.role == "province_admin" || who.role == "province_officer" ||
                       who.role == "city_officer" || who.role == "county_officer";
        EXPECT_TRUE(officer ? is_problem(start, 422, "validation_failed")
                            : is_problem(start, 403, "forbidden"))
            << start.body;
        EXPECT_EQ(rows("patrol"), before);
        auto reply = c.post_json("/api/v1/patrol-findings/" + finding[side->company] + "/reply",
                                 {{"reply", "越权"}}, tok);
        EXPECT_TRUE(is_problem(reply, who.role == "enterprise_user" ? 404 : 403,
                               who.role == "enterprise_user" ? "not_found" : "forbidden"))
            << reply.body;
      }
    }
  }
  // The rows are as they were: nobody outside answered them.
  auto state = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
    return *tx.one<long long>(
        "SELECT count(*) FROM patrol_finding WHERE created_by = 'sm_matrix' AND state = 'open'");
  });
  EXPECT_EQ(state, 2);
}

}  // namespace

TEST_F(ScopeMatrixOther, UnitStatusesFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> id;  // company → an ended stop of its production unit
  for (const auto* side : {&kA, &kB}) {
    id[side->company] = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      auto unit = side->hazard + "S0901";
      tx.exec_count(
          "INSERT INTO equipment (equip_code, company_code, hazard_code, equip_type, name) "
          "VALUES ($1, $2, $3, 'S0', '矩阵装置') ON CONFLICT DO NOTHING",
          {unit, side->company, side->hazard});
      return std::to_string(*tx.one<long long>(
          "INSERT INTO unit_run_status (company_code, equip_code, status, begin_at, end_at, "
          "reason, source, filed_by, created_at, updated_at) VALUES ($1, $2, 'stopped', "
          "now() - interval '2 hours', now() - interval '1 hour', '停车', 'dashboard', 'sm', "
          "now(), now()) RETURNING id",
          {side->company, unit}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/unit-statuses?limit=1000", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();
    for (const auto& item : listed["items"]) seen.insert(item["company_code"].get<std::string>());
    EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a);
    EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto one = c.get("/api/v1/unit-statuses/" + id[side->company], tok);
      auto check =
          c.get("/api/v1/unit-statuses/commitment-check?company_code=" + side->company, tok);
      // Ending an ended status: 409 where it is found, so nothing changes either way.
      auto end =
          c.post_json("/api/v1/unit-statuses/" + id[side->company] + "/end", json::object(), tok);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(check.status, 200) << check.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(check, 404, "not_found")) << side->company;
      }
      if (who.role != "enterprise_user")
        EXPECT_TRUE(is_problem(end, 403, "forbidden")) << end.body;
      else if (!visible)
        EXPECT_TRUE(is_problem(end, 404, "not_found")) << end.body;
      else
        EXPECT_TRUE(is_problem(end, 409, "conflict")) << end.body;
    }
  }
}

// The city platforms forwarding to the province (docs/federation.md "Province side"): the
// province's people read every one, a city officer those of its own city, everyone else 403.
TEST_F(ScopeMatrixOther, CityPlatformsFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> app_of;  // city → the platform credential made here
  for (const auto* side : {&kA, &kB}) {
    auto r = c.post_json("/api/v1/credentials",
                         {{"kind", "city_platform"},
                          {"scope", {{"kind", "region"}, {"code", side->city}}},
                          {"description", "scope matrix"}},
                         w_->admin());
    ASSERT_EQ(r.status, 201) << r.body;
    app_of[side->city] = r.json()["app_id"].get<std::string>();
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    auto r = c.get("/api/v1/city-platforms", w_->token.at(who.user));
    if (who.role == "county_officer" || who.role == "enterprise_user") {
      EXPECT_TRUE(is_problem(r, 403, "forbidden")) << r.body;
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.body;
    std::set<std::string> apps;
    auto j = r.json();
    for (const auto& i : j["items"]) {
      apps.insert(i["app_id"].get<std::string>());
      if (!who.scope.empty()) {
        EXPECT_EQ(i["region_code"].get<std::string>().substr(0, 4), who.scope.substr(0, 4));
      }
    }
    EXPECT_EQ(apps.count(app_of[kA.city]), 1u);
    EXPECT_EQ(apps.count(app_of[kB.city]) == 1, who.scope.empty());
  }
}

// 接入与部署 (issue 12): an enterprise's connection status is listed to whoever sees the
// enterprise and to nobody else (a region outside the scope is 404); a city's duties to the
// province and to the officers of that city and its counties; enterprise users see no duties.
TEST_F(ScopeMatrixOther, ConnectionStatusAndCityDutiesFollowTheScope) {
  auto c = w_->client();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto r = c.get("/api/v1/deployment/connection?limit=1000&region=" + side->county, tok);
      bool listed = false;
      if (r.status == 200) {
        auto j = r.json();
        for (const auto& i : j["items"]) listed = listed || i["company_code"] == side->company;
      } else {
        EXPECT_TRUE(is_problem(r, 404, "not_found")) << r.body;
      }
      EXPECT_EQ(listed, visible) << side->company << ": " << r.body.substr(0, 300);
    }
    auto d = c.get("/api/v1/deployment/city-duties", tok);
    if (who.role == "enterprise_user") {
      EXPECT_TRUE(is_problem(d, 403, "forbidden")) << d.body;
      continue;
    }
    ASSERT_EQ(d.status, 200) << d.body;
    std::set<std::string> cities;
    auto dj = d.json();
    for (const auto& x : dj["items"]) cities.insert(x["city_code"].get<std::string>());
    EXPECT_EQ(cities.count(kA.city), 1u);
    EXPECT_EQ(cities.count(kB.city) == 1, who.scope.empty()) << d.body.substr(0, 300);
  }
}

// GET /api/v1/nodes (ADR 0028) is deployment data, not a region's: the admin and the operator
// read it; every scoped caller (and the province officer) gets 403, and what it lists names
// nodes only, no enterprise, region or camera.
TEST_F(ScopeMatrixOther, NodesAreForTheAdminAndTheOperatorOnly) {
  auto c = w_->client();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    auto r = c.get("/api/v1/nodes", w_->token.at(who.user));
    if (who.role != "province_admin" && who.role != "operator") {
      EXPECT_TRUE(is_problem(r, 403, "forbidden")) << r.body;
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    ASSERT_FALSE(j["items"].empty()) << "the serving node writes its row at start";
    for (const auto& n : j["items"]) {
      std::set<std::string> keys;
      for (const auto& [k, v] : n.items()) keys.insert(k);
      EXPECT_EQ(keys, (std::set<std::string>{"node_id", "started_at", "last_seen", "alive",
                                             "version", "cameras_held", "this_node"}));
    }
    EXPECT_EQ(r.body.find(kA.company), std::string::npos);
  }
}

// 3-D plant models (docs/plant-models.md, attack 13.20): a model of each side, read by every
// caller: its list, the model and its files inside the scope, 404 outside (never 403); a
// caller outside cannot delete it, and it stays.
TEST_F(ScopeMatrixOther, PlantModelsFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> model;  // company → its model's id
  for (const auto* side : {&kA, &kB}) {
    auto up = c.request(
        "POST", "/api/v1/upload/enterprises/" + side->company + "/plant-models?name=sm",
        good_model_zip(),
        {{"Authorization", "Bearer " + w_->admin()}, {"Content-Type", "application/zip"}});
    ASSERT_EQ(up.status, 201) << up.body;
    model[side->company] = std::to_string(up.json()["id"].get<long long>());
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto base = "/api/v1/plant-models/" + model[side->company];
      auto list = c.get("/api/v1/enterprises/" + side->company + "/plant-models", tok);
      auto one = c.get(base, tok);
      auto file = c.get(base + "/files/tiles/box.b3dm", tok);
      if (visible) {
        EXPECT_EQ(list.status, 200) << list.body;
        EXPECT_EQ(list.json()["total"], 1) << list.body;
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(file.status, 200) << side->company;
      } else {
        EXPECT_TRUE(is_problem(list, 404, "not_found")) << list.body;
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << one.body;
        EXPECT_TRUE(is_problem(file, 404, "not_found")) << file.body;
        auto gone = c.del(base, tok);
        EXPECT_TRUE(is_problem(gone, 404, "not_found")) << gone.body;
      }
    }
  }
  for (const auto* side : {&kA, &kB}) {
    EXPECT_EQ(c.get("/api/v1/plant-models/" + model[side->company], w_->admin()).status, 200);
    EXPECT_EQ(c.del("/api/v1/plant-models/" + model[side->company], w_->admin()).status, 204);
  }
}

// Duty-room calls (docs/calls.md): a call is its two rooms' (the province's, a city's or county's,
// an enterprise's), not everything inside a scope: the province does not read a city's call to its
// enterprise. Callees are picked inside the caller's scope or above it (13.22). The world's
// sessions on a second server with calls on (a real Janus; scripts/setup.sh installs it).
TEST_F(ScopeMatrixOther, CallsFollowTheirRooms) {
  ASSERT_TRUE(JanusServer::available()) << "janus is not installed (scripts/setup.sh installs it)";
  JanusServer janus;
  TestServerOptions o;
  o.calls = janus.calls_config<json>();
  TestServer srv(shared_db(), o);
  auto c = srv.client();
  auto tok = [&](const char* user) { return w_->token.at(user); };
  auto place = [&](const char* user, const char* kind, const std::string& code) {
    return c.post_json("/api/v1/calls", {{"callee_kind", kind}, {"callee_code", code}}, tok(user));
  };
  auto id_of = [](const HttpResult& r) { return r.json()["id"].get<long long>(); };
  // 太原's city calls its enterprise; the province calls 大同.
  auto a = place("sm_city", "enterprise", kA.company);
  ASSERT_EQ(a.status, 201) << a.body;
  auto b = place("sm_padmin", "region", kB.city);
  ASSERT_EQ(b.status, 201) << b.body;
  const std::map<std::string, std::pair<bool, bool>> sees = {
      // user → (sees A's call, sees the province's call to 大同)
      {"sm_padmin", {false, true}},     {"sm_pofficer", {false, true}},
      {"sm_city", {true, false}},       {"sm_county", {false, false}},
      {"sm_enterprise", {true, false}}, {"sm_sibling", {false, false}},
  };
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& t = w_->token.at(who.user);
    auto list = c.get("/api/v1/calls", t);
    if (who.role == "operator") {
      EXPECT_TRUE(is_problem(list, 403, "forbidden")) << list.body;
      EXPECT_TRUE(
          is_problem(c.get("/api/v1/calls/" + std::to_string(id_of(a)), t), 403, "forbidden"));
      continue;
    }
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<long long> ids;
    auto items = list.json()["items"];
    for (const auto& x : items) ids.insert(x["id"].get<long long>());
    auto [see_a, see_b] = sees.at(who.user);
    EXPECT_EQ(ids.count(id_of(a)) == 1, see_a) << list.body;
    EXPECT_EQ(ids.count(id_of(b)) == 1, see_b) << list.body;
    for (auto [id, visible] : {std::pair{id_of(a), see_a}, std::pair{id_of(b), see_b}}) {
      auto one = c.get("/api/v1/calls/" + std::to_string(id), t);
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << one.body;
        auto join = c.post_json("/api/v1/calls/" + std::to_string(id) + "/join", json::object(), t);
        EXPECT_TRUE(is_problem(join, 404, "not_found")) << join.body;
      }
    }
  }
  // Placing: inside the scope and above it, never across.
  auto ok_then_end = [&](const char* user, const char* kind, const std::string& code) {
    auto r = place(user, kind, code);
    EXPECT_EQ(r.status, 201) << user << " → " << code << ": " << r.body;
    if (r.status == 201) {
      EXPECT_EQ(c.post_json("/api/v1/calls/" + std::to_string(id_of(r)) + "/end", json::object(),
                            tok(user))
                    .status,
                200);
    }
  };
  ok_then_end("sm_county", "enterprise", kA.company);
  ok_then_end("sm_enterprise", "region", kA.county);
  ok_then_end("sm_enterprise", "region", kA.city);
  ok_then_end("sm_pofficer", "enterprise", kB.company);
  for (auto [user, kind, code] : std::vector<std::tuple<const char*, const char*, std::string>>{
           {"sm_city", "enterprise", kB.company},
           {"sm_city", "region", kB.city},
           {"sm_county", "region", kB.county},
           {"sm_sibling", "enterprise", kA.company},
           {"sm_enterprise", "enterprise", kB.company},
           {"sm_enterprise", "region", kB.city}}) {
    auto r = place(user, kind, code);
    EXPECT_TRUE(is_problem(r, 422, "validation_failed")) << user << " → " << code << ": " << r.body;
  }
  for (auto [id, user] : {std::pair{id_of(a), "sm_city"}, std::pair{id_of(b), "sm_padmin"}})
    EXPECT_EQ(c.post_json("/api/v1/calls/" + std::to_string(id) + "/end", json::object(), tok(user))
                  .status,
              200);
  // A Janus session's pushed events (GET /api/v1/janus/{session}/events) are its creator's only.
  auto js =
      c.post_json("/api/v1/janus", {{"janus", "create"}, {"transaction", "s"}}, tok("sm_city"));
  ASSERT_EQ(js.status, 200) << js.body;
  auto events =
      "/api/v1/janus/" + std::to_string(js.json()["data"]["id"].get<long long>()) + "/events";
  for (const auto& who : kCallers) {
    if (who.user == "sm_city") continue;
    auto r = c.get(events, w_->token.at(who.user));
    EXPECT_EQ(r.status, who.role == "operator" ? 403 : 404) << who.user << ": " << r.body;
  }
}

// GB/T 28181 channels made cameras (ADR 0034): only the device's writers inside their scope
// (404 outside, 403 for read-only roles and machines); one camera per channel, of the device's
// own enterprise; deactivating is the regulator's (403 for enterprise users, as in the registry).
TEST_F(ScopeMatrixOther, Gb28181CamerasFollowTheScope) {
  auto c = w_->client();
  const std::string channel = "14010000001310000043";
  std::map<std::string, std::string> dev;  // company → its device row id
  for (const auto* side : {&kA, &kB}) {
    shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      auto id = *tx.one<long long>(
          "INSERT INTO gb_device (device_id, company_code, name, kind, created_by, created_at, "
          "updated_at) VALUES ('14010000001180000043', $1, '矩阵视频NVR', 'nvr', 'sm', now(), "
          "now()) RETURNING id",
          {side->company});
      tx.exec_count(
          "INSERT INTO gb_channel (device_row, channel_id, name, updated_at) VALUES "
          "($1::bigint, $2, '矩阵通道', now())",
          {std::to_string(id), channel});
      dev[side->company] = std::to_string(id);
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    bool writer = who.role == "province_admin" || who.role == "city_officer" ||
                  who.role == "county_officer" || who.role == "enterprise_user";
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto base = "/api/v1/gb28181/devices/" + dev[side->company] + "/channels/";
      auto made = c.post_json(base + channel + "/camera", {{"scene_type", "other"}}, tok);
      auto del = c.del(base + "14010000001310000099/camera", tok);  // a channel with no camera
      if (!writer) {
        EXPECT_EQ(made.status, 403) << made.body;
        EXPECT_EQ(del.status, 403) << del.body;
      } else if (!visible) {
        EXPECT_TRUE(is_problem(made, 404, "not_found")) << made.body;
        EXPECT_TRUE(is_problem(del, 404, "not_found")) << del.body;
      } else {
        EXPECT_TRUE(made.status == 201 || made.status == 409) << made.body;  // 409: made before
        EXPECT_EQ(del.status, who.role == "enterprise_user" ? 403 : 404) << del.body;
      }
    }
  }
  for (const auto* side : {&kA, &kB}) {
    auto rows = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      return tx.exec(
          "SELECT company_code FROM camera WHERE gb_device_row = $1::bigint AND is_active",
          {dev[side->company]});
    });
    ASSERT_EQ(rows.size(), 1u) << side->company;
    EXPECT_EQ(rows[0]["company_code"], side->company);
  }
}

// GB/T 28181 devices (docs/gb28181.md): listed and read inside the scope only, 404 outside for
// GET, PATCH and DELETE; writers change their own side's row, read-only roles get 403; a row
// outside the scope keeps its name and password.
TEST_F(ScopeMatrixOther, Gb28181DevicesFollowTheScope) {
  auto c = w_->client();
  std::map<std::string, std::string> dev;  // company → its device row id
  for (const auto* side : {&kA, &kB}) {
    shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
      dev[side->company] = std::to_string(*tx.one<long long>(
          "INSERT INTO gb_device (device_id, company_code, name, kind, password_sealed, "
          "created_by, created_at, updated_at) VALUES ('14010000001180000042', $1, '矩阵NVR', "
          "'nvr', 'v1:00', 'sm', now(), now()) RETURNING id",
          {side->company}));
    });
  }
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto list = c.get("/api/v1/gb28181/devices", tok);
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> seen;
    auto listed = list.json();
    for (const auto& item : listed["items"]) {
      seen.insert(item["company_code"].get<std::string>());
      EXPECT_FALSE(item.contains("password_sealed"));
    }
    EXPECT_EQ(seen.count(kA.company) == 1, who.sees_a);
    EXPECT_EQ(seen.count(kB.company) == 1, who.sees_b);
    bool writer = who.role == "province_admin" || who.role == "city_officer" ||
                  who.role == "county_officer" || who.role == "enterprise_user";
    for (const auto* side : {&kA, &kB}) {
      bool visible = side == &kA ? who.sees_a : who.sees_b;
      auto path = "/api/v1/gb28181/devices/" + dev[side->company];
      auto one = c.get(path, tok);
      auto patch = c.patch_json(path, {{"name", "改名" + who.user}}, tok);
      auto del = c.del(path + "0", tok);  // a row that is not there: 404 for everyone who may write
      if (visible) {
        EXPECT_EQ(one.status, 200) << one.body;
        EXPECT_EQ(patch.status, writer ? 200 : 403) << patch.body;
      } else {
        EXPECT_TRUE(is_problem(one, 404, "not_found")) << side->company;
        EXPECT_TRUE(is_problem(patch, writer ? 404 : 403, writer ? "not_found" : "forbidden"))
            << patch.body;
      }
      EXPECT_EQ(del.status, writer ? 404 : 403) << del.body;
    }
  }
  auto b = shared_db().db().in_tx([&](hazmon::storage::Tx& tx) {
    return tx.exec_one("SELECT name, password_sealed FROM gb_device WHERE id = $1",
                       {dev[kB.company]});
  });
  EXPECT_EQ(b["name"].get<std::string>().rfind("改名sm_padmin", 0), 0u) << b.dump();
  EXPECT_EQ(b["password_sealed"], "v1:00");
}

// City federation (docs/federation.md): the forwarder's state and the uploads the province
// refused are the instance's operations data, not a region's: the admin and the operator read
// them, only the admin queues parked uploads again; every scoped caller (and the province
// officer) gets 403. This instance is a province: it says so and has nothing parked.
TEST_F(ScopeMatrixOther, FederationStatusIsForTheAdminAndTheOperatorOnly) {
  auto c = w_->client();
  for (const auto& who : kCallers) {
    SCOPED_TRACE(who.user + " (" + who.role + " " + who.scope + ")");
    const auto& tok = w_->token.at(who.user);
    auto st = c.get("/api/v1/federation/status", tok);
    auto parked = c.get("/api/v1/federation/parked", tok);
    auto retry = c.post_json("/api/v1/federation/parked/retry", json::object(), tok);
    bool reader = who.role == "province_admin" || who.role == "operator";
    if (!reader) {
      EXPECT_TRUE(is_problem(st, 403, "forbidden")) << st.body;
      EXPECT_TRUE(is_problem(parked, 403, "forbidden")) << parked.body;
      EXPECT_TRUE(is_problem(retry, 403, "forbidden")) << retry.body;
      continue;
    }
    ASSERT_EQ(st.status, 200) << st.body;
    EXPECT_EQ(st.json()["mode"], "province");
    EXPECT_EQ(st.json()["forwarding"], false);
    ASSERT_EQ(parked.status, 200) << parked.body;
    EXPECT_TRUE(parked.json()["items"].empty());
    if (who.role == "operator") {
      EXPECT_TRUE(is_problem(retry, 403, "forbidden")) << retry.body;
    } else {
      ASSERT_EQ(retry.status, 200) << retry.body;
      EXPECT_EQ(retry.json()["requeued"], 0);
    }
    EXPECT_TRUE(is_problem(c.post_json("/api/v1/federation/parked/1/retry", json::object(), tok),
                           who.role == "operator" ? 403 : 404,
                           who.role == "operator" ? "forbidden" : "not_found"));
  }
}
