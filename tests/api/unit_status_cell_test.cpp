// Unit run status (issue 12) for non-major units, the overhaul filing's fields and back-to-back
// stops, over HTTPS. A production unit outside any major hazard source (a production cell of type
// unit without a hazard source, ADR 0019) files its stop like an S0 unit: its process points'
// alarms are suppressed and recorded, its gas detector's are not, the end ends it, and another
// enterprise's unit is refused or 404. An overhaul carries its content, unit head, responsible
// person and phone. Attack 12.10 (docs/security.md): an enterprise that ends a stop and files the
// next one at once (or after a short run) continues the same suppressed window, so the filing
// limit applies to the whole chain and the new stop is pending until an officer approves it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include "test_server.hpp"
#include "unit_status_support.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;
using namespace std::chrono;

namespace {

// 运城 (140800): 垣曲县 (140827) for A, 夏县 (140828) for B; no other API test uses them.
const std::string kA = "14082700001", kB = "14082800001";
const std::string kHazA = kA + "001";
std::string s0(int n) { return kHazA + "S000" + std::to_string(n); }
const std::string kCell = "USNM1", kCell2 = "USNM2";  // A's non-major units
const std::string kCellB = "USNMB1";                  // B's non-major unit
const std::string kMajorCell = "USMJ1";               // A's cell inside kHazA

long long count(const std::string& sql) {
  return shared_db().db().in_tx(
      [&](storage::Tx& tx) { return tx.exec_one(sql)["n"].get<long long>(); });
}

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, user_a, user_b, county, gateway_a;
  HttpsClient c() const { return srv->client(); }
  std::string at(system_clock::duration from_now) const {
    return core::format_rfc3339(srv->clock().now() + from_now);
  }
};

// A point of A on a non-major unit (`cell`) or on an S0 unit (`equip`) of kHazA.
json point(const std::string& quota, const std::string& cell, const std::string& equip,
           const std::string& type) {
  json p = {{"quota_code", quota},
            {"company_code", kA},
            {"name", "测点" + quota.substr(11)},
            {"indicator_type", type},
            {"value_kind", "analog"},
            {"unit", "℃"},
            {"range_low", 0},
            {"range_high", 200},
            {"h", 80},
            {"hh", 100},
            {"debounce_s", 0}};
  if (!cell.empty()) p["prodcell_id"] = cell;
  if (!equip.empty()) {
    p["hazard_code"] = kHazA;
    p["equip_code"] = equip;
  }
  return p;
}

void set_up(World& w) {
  auto c = w.srv->client();
  auto ok = [&](const std::string& path, const json& body) {
    auto r = c.post_json(path, body, w.admin);
    if (r.status / 100 != 2 && r.status != 409)
      throw std::runtime_error("unit status set-up: " + path + " " + r.body);
    return r.json();
  };
  for (const auto& [code, name] : {std::pair{"140827", "垣曲县"}, std::pair{"140828", "夏县"}})
    ok("/api/v1/regions",
       {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", "140800"}});
  ok("/api/v1/enterprises", {{"company_code", kA},
                             {"name", "垣曲非重大装置化工有限公司"},
                             {"region_code", "140827"},
                             {"status", "operating"}});
  ok("/api/v1/enterprises",
     {{"company_code", kB}, {"name", "夏县非重大装置化工有限公司"}, {"region_code", "140828"}});
  ok("/api/v1/hazard-sources",
     {{"hazard_code", kHazA}, {"company_code", kA}, {"name", "合成装置区"}, {"rank", 2}});
  for (int n = 1; n <= 8; ++n)
    ok("/api/v1/equipment", {{"equip_code", s0(n)},
                             {"company_code", kA},
                             {"hazard_code", kHazA},
                             {"equip_type", "S0"},
                             {"name", "合成装置" + std::to_string(n)}});
  for (const auto& [id, co, name] :
       {std::tuple{kCell, kA, "硝酸铵造粒装置"}, std::tuple{kCell2, kA, "装卸区"},
        std::tuple{kCellB, kB, "乙方装卸区"}})
    ok("/api/v1/production-cells",
       {{"prodcell_id", id}, {"company_code", co}, {"cell_type", "unit"}, {"name", name}});
  ok("/api/v1/production-cells", {{"prodcell_id", kMajorCell},
                                  {"company_code", kA},
                                  {"hazard_code", kHazA},
                                  {"cell_type", "unit"},
                                  {"name", "重大危险源内装置"}});
  // kCell: two temperatures and a combustible-gas detector; kCell2: a temperature.
  ok("/api/v1/monitoring-points", point(kA + "NT101", kCell, "", "temperature"));
  ok("/api/v1/monitoring-points", point(kA + "NT102", kCell, "", "temperature"));
  ok("/api/v1/monitoring-points", point(kA + "NG101", kCell, "", "combustible"));
  ok("/api/v1/monitoring-points", point(kA + "NT201", kCell2, "", "temperature"));
  // Two temperatures on each S0 unit.
  for (int n = 1; n <= 8; ++n)
    for (int k = 1; k <= 2; ++k)
      ok("/api/v1/monitoring-points",
         point(kA + "ST" + std::to_string(n) + "0" + std::to_string(k), "", s0(n), "temperature"));
  w.user_a = w.srv->make_user("usc_user_a", "enterprise_user", kA);
  w.user_b = w.srv->make_user("usc_user_b", "enterprise_user", kB);
  w.county = w.srv->make_user("usc_county", "county_officer", "140827");
  auto cred = ok("/api/v1/credentials",
                 {{"kind", "gateway"}, {"scope", {{"kind", "enterprise"}, {"code", kA}}}});
  w.gateway_a = cred["app_id"].get<std::string>() + "." + cred["secret"].get<std::string>();
}

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("usc_admin", "province_admin");
    set_up(*w);
    return w;
  }();
  return *w;
}

void exceed(World& w, const std::string& data_id, const std::string& quota,
            system_clock::duration ago = seconds(100)) {
  unit_status::exceed(w, kA, data_id, quota, ago);
}

// The one alarm of `quota`: whether it was suppressed.
bool suppressed(World& w, const std::string& quota) {
  auto r = w.c().get("/api/v1/alarms?quota_code=" + quota, w.county);
  if (r.status != 200) throw std::runtime_error(r.body);
  auto items = r.json()["items"];
  if (items.size() != 1) throw std::runtime_error("alarms of " + quota + ": " + items.dump());
  return items[0]["suppressed"].get<bool>();
}

using unit_status::file;

json stop(World& w, const std::string& equip, system_clock::duration ago) {
  return file(
      w,
      {{"equip_code", equip}, {"status", "stopped"}, {"begin_at", w.at(-ago)}, {"reason", "停车"}},
      w.user_a);
}

std::string path_of(const json& s, const std::string& tail = "") {
  return "/api/v1/unit-statuses/" + std::to_string(s["id"].get<long long>()) + tail;
}

}  // namespace

TEST(UnitStatusCell, ANonMajorUnitsStopSuppressesItsProcessPointsButNotItsGasDetector) {
  auto& w = world();
  auto s = file(w,
                {{"prodcell_id", kCell},
                 {"status", "stopped"},
                 {"begin_at", w.at(-minutes(30))},
                 {"reason", "停车检查"}},
                w.user_a);
  EXPECT_EQ(s["prodcell_id"], kCell);
  EXPECT_TRUE(s["equip_code"].is_null()) << s.dump();
  EXPECT_TRUE(s["hazard_code"].is_null()) << s.dump();
  EXPECT_EQ(s["unit_name"], "硝酸铵造粒装置");
  ASSERT_EQ(s["filing"]["status"], "approved") << s.dump();
  // The same filing mechanism: an ordinary filing on the unit, listed to the county.
  bool listed = false;
  auto filings = w.c().get("/api/v1/filings?company_code=" + kA, w.county);
  auto listing = filings.json();
  for (const auto& f : listing["items"])
    if (f["id"] == s["filing"]["id"] && f["target_kind"] == "unit" && f["target_code"] == kCell)
      listed = true;
  EXPECT_TRUE(listed) << filings.body;

  exceed(w, "usc-cell-1", kA + "NT101");
  exceed(w, "usc-cell-2", kA + "NG101");
  exceed(w, "usc-cell-3", kA + "NT201");
  EXPECT_TRUE(suppressed(w, kA + "NT101")) << "the stop did not suppress its unit's temperature";
  EXPECT_FALSE(suppressed(w, kA + "NG101")) << "a unit status silenced a gas detector";
  EXPECT_FALSE(suppressed(w, kA + "NT201")) << "the stop silenced another unit";

  // Its history by prodcell_id; the end ends the filing and the suppression.
  auto hist = w.c().get("/api/v1/unit-statuses?prodcell_id=" + kCell, w.county);
  ASSERT_EQ(hist.status, 200) << hist.body;
  ASSERT_EQ(hist.json()["total"], 1) << hist.body;
  auto e = w.c().post_json(path_of(s, "/end"), {{"end_at", w.at(-minutes(10))}}, w.user_a);
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(e.json()["filing"]["ends_at"], w.at(-minutes(10))) << e.body;
  exceed(w, "usc-cell-4", kA + "NT102");
  EXPECT_FALSE(suppressed(w, kA + "NT102")) << "an ended stop still suppressed";
  EXPECT_EQ(count("SELECT count(*) AS n FROM unit_run_status WHERE prodcell_id = '" + kCell +
                  "' AND equip_code IS NULL"),
            1);
}

TEST(UnitStatusCell, AnotherEnterprisesUnitIsRefusedOrNotFound) {
  auto& w = world();
  auto b = file(w, {{"prodcell_id", kCellB}, {"status", "running"}}, w.user_b);
  EXPECT_EQ(w.c().get(path_of(b), w.user_a).status, 404);
  EXPECT_EQ(w.c().get(path_of(b), w.county).status, 404);
  EXPECT_EQ(w.c().post_json(path_of(b, "/end"), json::object(), w.user_a).status, 404);
  auto refused = [&](const json& body, const std::string& pointer) {
    auto r = w.c().post_json("/api/v1/unit-statuses", body, w.user_a);
    EXPECT_EQ(r.status, 422) << body.dump() << r.body;
    EXPECT_NE(r.body.find(pointer), std::string::npos) << r.body;
  };
  // B's unit; a cell inside a major hazard source (its S0 files); both names; neither.
  refused({{"prodcell_id", kCellB}, {"status", "stopped"}, {"reason", "x"}}, "/prodcell_id");
  refused({{"prodcell_id", kMajorCell}, {"status", "running"}}, "/prodcell_id");
  refused({{"prodcell_id", kCell2}, {"equip_code", s0(1)}, {"status", "running"}}, "/prodcell_id");
  refused({{"status", "running"}}, "/equip_code");
  // Nor may A's user file a plain filing on B's unit.
  auto f = w.c().post_json("/api/v1/filings",
                           {{"company_code", kA},
                            {"target_kind", "unit"},
                            {"target_code", kCellB},
                            {"filing_type", "shutdown"},
                            {"starts_at", w.at(minutes(0))},
                            {"ends_at", w.at(hours(1))}},
                           w.user_a);
  EXPECT_EQ(f.status, 422) << f.body;
  EXPECT_EQ(count("SELECT count(*) AS n FROM unit_run_status WHERE prodcell_id IN ('" + kCellB +
                  "', '" + kMajorCell + "')"),
            1);
}

TEST(UnitStatusCell, TheGatewayUploadsANonMajorUnitsOverhaulWhichWaitsForApproval) {
  auto& w = world();
  json rows = json::array({{{"prodcell_id", kCell2},
                            {"status", "overhaul"},
                            {"begin_at", w.at(-minutes(20))},
                            {"reason", "年度检修"},
                            {"content", "更换装车鹤管"},
                            {"responsible_person", "检修甲"},
                            {"responsible_phone", "13912345678"}},
                           {{"prodcell_id", kCellB}, {"status", "running"}}});
  auto r = w.c().post_json("/api/v1/upload/unit-status", rows, w.gateway_a);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["accepted"], 1) << r.body;
  ASSERT_EQ(r.json()["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(r.json()["rejected"][0]["index"], 1);
  auto list = w.c().get("/api/v1/unit-statuses?current=true&prodcell_id=" + kCell2, w.county);
  ASSERT_EQ(list.json()["items"].size(), 1u) << list.body;
  auto s = list.json()["items"][0];
  EXPECT_EQ(s["source"], "upload");
  EXPECT_EQ(s["content"], "更换装车鹤管");
  EXPECT_EQ(s["filing"]["status"], "pending") << "a machine credential silenced a unit";
}

TEST(UnitStatusCell, AnOverhaulCarriesItsFilingFields) {
  auto& w = world();
  json body = {{"equip_code", s0(5)},
               {"status", "overhaul"},
               {"begin_at", w.at(-minutes(20))},
               {"reason", "年度大检修"}};
  auto r = w.c().post_json("/api/v1/unit-statuses", body, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  for (const char* p : {"/content", "/responsible_person", "/responsible_phone"})
    EXPECT_NE(r.body.find(p), std::string::npos) << p << " " << r.body;
  body["content"] = "更换合成塔内件";
  body["unit_head"] = "装置主任乙";
  body["responsible_person"] = "检修负责人丙";
  body["responsible_phone"] = "12345";
  r = w.c().post_json("/api/v1/unit-statuses", body, w.user_a);
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_NE(r.body.find("/responsible_phone"), std::string::npos) << r.body;
  body["responsible_phone"] = "0359-6123456";
  auto s = file(w, body, w.user_a);
  EXPECT_EQ(s["content"], "更换合成塔内件");
  EXPECT_EQ(s["unit_head"], "装置主任乙");
  EXPECT_EQ(s["responsible_person"], "检修负责人丙");
  EXPECT_EQ(s["responsible_phone"], "0359-6123456");
  // The filing names the responsible person.
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM filing WHERE id = " +
            std::to_string(s["filing"]["id"].get<long long>()) + " AND person = '检修负责人丙'"),
      1);
  // Only an overhaul carries them.
  auto run =
      w.c().post_json("/api/v1/unit-statuses",
                      {{"equip_code", s0(5)}, {"status", "running"}, {"content", "x"}}, w.user_a);
  EXPECT_EQ(run.status, 422) << run.body;
  EXPECT_NE(run.body.find("/content"), std::string::npos) << run.body;
}

// Attack 12.10: end a stop and file the next one at once, for ever.
TEST(UnitStatusAttack, BackToBackStopsCannotOutlastTheFilingLimit) {
  auto& w = world();
  auto first = stop(w, s0(1), hours(24 * 6));  // 6 days ago, open: 7 days, in force
  ASSERT_EQ(first["filing"]["status"], "approved") << first.dump();
  auto e = w.c().post_json(path_of(first, "/end"), {{"end_at", w.at(-minutes(5))}}, w.user_a);
  ASSERT_EQ(e.status, 200) << e.body;
  auto next = stop(w, s0(1), minutes(4));  // alone 7 days; with the first, 13
  ASSERT_EQ(next["filing"]["status"], "pending") << next.dump();
  EXPECT_NE(next["pending_reason"].get<std::string>().find("back-to-back"), std::string::npos)
      << next.dump();
  exceed(w, "usc-chain-1", kA + "ST101");
  EXPECT_FALSE(suppressed(w, kA + "ST101")) << "a chained stop suppressed without approval";
  // In force once the county approves it, like an over-long single stop.
  auto ap = w.c().post_json(
      "/api/v1/filings/" + std::to_string(next["filing"]["id"].get<long long>()) + "/approve",
      {{"note", "连续停车已核实"}}, w.county);
  ASSERT_EQ(ap.status, 200) << ap.body;
  exceed(w, "usc-chain-2", kA + "ST102");
  EXPECT_TRUE(suppressed(w, kA + "ST102"));
}

TEST(UnitStatusAttack, AShortRunBetweenStopsDoesNotBreakTheChain) {
  auto& w = world();
  // s0(2): stopped 6 days, ran 30 minutes, stopped again: one window.
  ASSERT_EQ(stop(w, s0(2), hours(24 * 6))["filing"]["status"], "approved");
  file(w, {{"equip_code", s0(2)}, {"status", "running"}, {"begin_at", w.at(-hours(3))}}, w.user_a);
  auto again = stop(w, s0(2), minutes(150));
  EXPECT_EQ(again["filing"]["status"], "pending") << again.dump();
  exceed(w, "usc-chain-3", kA + "ST201");
  EXPECT_FALSE(suppressed(w, kA + "ST201"));
  // s0(3), the control: stopped a day, ran five days, stopped again: a new window, in force.
  ASSERT_EQ(stop(w, s0(3), hours(24 * 6))["filing"]["status"], "approved");
  file(w, {{"equip_code", s0(3)}, {"status", "running"}, {"begin_at", w.at(-hours(24 * 5))}},
       w.user_a);
  auto fresh = stop(w, s0(3), hours(2));
  EXPECT_EQ(fresh["filing"]["status"], "approved") << fresh.dump();
  exceed(w, "usc-chain-4", kA + "ST301");
  EXPECT_TRUE(suppressed(w, kA + "ST301"));
}

TEST(UnitStatusAttack, APlainFilingBeforeTheStopCountsToo) {
  auto& w = world();
  // An ordinary filing on s0(4) for six days, ended ten minutes ago; then a unit status stop.
  auto f = w.c().post_json("/api/v1/filings",
                           {{"company_code", kA},
                            {"target_kind", "equipment"},
                            {"target_code", s0(4)},
                            {"filing_type", "shutdown"},
                            {"starts_at", w.at(-hours(24 * 6))},
                            {"ends_at", w.at(-minutes(10))},
                            {"reason", "停车"}},
                           w.user_a);
  ASSERT_EQ(f.status, 201) << f.body;
  ASSERT_EQ(f.json()["status"], "approved") << f.body;
  auto s = stop(w, s0(4), minutes(5));
  EXPECT_EQ(s["filing"]["status"], "pending") << s.dump();
  exceed(w, "usc-chain-5", kA + "ST401");
  EXPECT_FALSE(suppressed(w, kA + "ST401"));
}

TEST(UnitStatusAttack, PlainFilingsBackToBackAreChainedToo) {
  auto& w = world();
  auto filing = [&](system_clock::duration from, system_clock::duration to) {
    auto r = w.c().post_json("/api/v1/filings",
                             {{"company_code", kA},
                              {"target_kind", "equipment"},
                              {"target_code", s0(6)},
                              {"filing_type", "shutdown"},
                              {"starts_at", w.at(from)},
                              {"ends_at", w.at(to)},
                              {"reason", "停车"}},
                             w.user_a);
    if (r.status != 201) throw std::runtime_error(r.body);
    return r.json();
  };
  ASSERT_EQ(filing(-hours(24 * 6), -minutes(10))["status"], "approved");
  auto next = filing(-minutes(5), hours(48));  // two days alone; eight with the first
  EXPECT_EQ(next["status"], "pending") << next.dump();
  EXPECT_FALSE(next["pending_reason"].is_null());
  exceed(w, "usc-chain-6", kA + "ST601");
  EXPECT_FALSE(suppressed(w, kA + "ST601"));
}

// Attack 12.10 the other way round: the window ahead is filed first, then the one before it.
// The chain is the suppressed time around the new window, after it as well as before it.
TEST(UnitStatusAttack, AWindowFiledAheadCountsWithTheOneBeforeIt) {
  auto& w = world();
  auto filing = [&](const std::string& equip, system_clock::duration from,
                    system_clock::duration to) {
    auto r = w.c().post_json("/api/v1/filings",
                             {{"company_code", kA},
                              {"target_kind", "equipment"},
                              {"target_code", equip},
                              {"filing_type", "shutdown"},
                              {"starts_at", w.at(from)},
                              {"ends_at", w.at(to)},
                              {"reason", "停车"}},
                             w.user_a);
    if (r.status != 201) throw std::runtime_error(r.body);
    return r.json();
  };
  // s0(7): six days from two hours ahead, in force; then four days up to it: ten days in all.
  ASSERT_EQ(filing(s0(7), hours(2), hours(2 + 24 * 6))["status"], "approved");
  auto before = filing(s0(7), -hours(24 * 4), hours(2));
  EXPECT_EQ(before["status"], "pending") << before.dump();
  exceed(w, "usc-chain-7", kA + "ST701");
  EXPECT_FALSE(suppressed(w, kA + "ST701")) << "a window filed behind one ahead outlasts the limit";
  // s0(8): a plain filing from tomorrow for six days, then a unit stop since yesterday (open:
  // seven days alone, eight with the filing ahead).
  ASSERT_EQ(filing(s0(8), hours(24), hours(24 * 7))["status"], "approved");
  auto s = stop(w, s0(8), hours(24));
  EXPECT_EQ(s["filing"]["status"], "pending") << s.dump();
  EXPECT_NE(s["pending_reason"].get<std::string>().find("back-to-back"), std::string::npos)
      << s.dump();
  exceed(w, "usc-chain-8", kA + "ST801");
  EXPECT_FALSE(suppressed(w, kA + "ST801"));
}
