// RegistryService against PostgreSQL: CRUD of the main entities, validation with JSON pointers,
// references across enterprises, immutable fields, deactivation, scoping and GB 18218 grading.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/config/config.hpp>
#include <hazmon/service/registry_service.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::model::Principal;
using hazmon::model::Role;
using hazmon::model::Scope;
using hazmon::service::ListParams;
using hazmon::service::RegistryService;
using nlohmann::json;
using namespace hazmon::test;

namespace {

// Codes of this file: enterprises 1401000xxxx (太原) and 1402000xxxx (大同).
class RegistryPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();  // empty registry: lists can be counted exactly
    svc_ = new RegistryService(db_->db(), hazmon::config::home_dir() / "schemas");
  }
  static void TearDownTestSuite() {
    delete svc_;
    delete db_;
    svc_ = nullptr;
    db_ = nullptr;
  }
  static TestDatabase* db_;
  static RegistryService* svc_;

  RegistryService& svc = *svc_;
  Principal admin = province_admin();

  static json enterprise(const std::string& code, const std::string& name,
                         const std::string& region = "") {
    return {{"company_code", code},
            {"name", name},
            {"region_code", region.empty() ? code.substr(0, 4) + "00" : region}};
  }
  static json hazard_source(const std::string& hazard_code, int rank = 4) {
    return {{"hazard_code", hazard_code},
            {"company_code", hazard_code.substr(0, 11)},
            {"name", "罐区 " + hazard_code},
            {"rank", rank}};
  }
  static json equipment(const std::string& equip_code, const std::string& type,
                        json detail = json::object()) {
    return {{"equip_code", equip_code},
            {"company_code", equip_code.substr(0, 11)},
            {"hazard_code", equip_code.substr(0, 14)},
            {"equip_type", type},
            {"name", "设备 " + equip_code},
            {"detail", std::move(detail)}};
  }
  static json point(const std::string& quota, const std::string& hazard_code) {
    return {{"quota_code", quota},
            {"company_code", hazard_code.substr(0, 11)},
            {"hazard_code", hazard_code},
            {"name", "液位 " + quota},
            {"indicator_type", "level"},
            {"value_kind", "analog"},
            {"unit", "m"},
            {"range_low", 0},
            {"range_high", 20}};
  }

  // An enterprise with one hazard source "<code>001".
  void seed(const std::string& code, const std::string& name) {
    svc.create(admin, "enterprises", enterprise(code, name));
    svc.create(admin, "hazard-sources", hazard_source(code + "001"));
  }

  std::optional<Caught> create_fails(const Principal& who, const std::string& entity,
                                     const json& body) {
    return caught([&] { svc.create(who, entity, body); });
  }

  std::vector<std::string> keys(const json& list, const char* key) {
    std::vector<std::string> out;
    for (auto& r : list["items"]) out.push_back(r[key].get<std::string>());
    return out;
  }
};
TestDatabase* RegistryPg::db_ = nullptr;
RegistryService* RegistryPg::svc_ = nullptr;

}  // namespace

// --- enterprises -------------------------------------------------------------------------------

TEST_F(RegistryPg, EnterpriseCreateGetUpdateDeactivate) {
  auto body = enterprise("14010000001", "太原一号化工有限公司");
  body["lon"] = 112.55;
  body["lat"] = 37.87;
  body["uscc"] = "91140100MA0K000001";
  auto created = svc.create(admin, "enterprises", body);
  EXPECT_EQ(created["company_code"], "14010000001");
  EXPECT_EQ(created["is_active"], true);
  EXPECT_EQ(created["status"], "operating");
  EXPECT_EQ(created["source"], "platform");
  EXPECT_DOUBLE_EQ(created["lon"].get<double>(), 112.55);
  EXPECT_EQ(created["created_at"].get<std::string>().back(), 'Z');
  EXPECT_TRUE(created["max_hazard_rank"].is_null());

  EXPECT_EQ(svc.get(admin, "enterprises", "14010000001"), created);

  auto updated = svc.update(admin, "enterprises", "14010000001",
                            {{"principal", "张三"}, {"status", "suspended"}});
  EXPECT_EQ(updated["principal"], "张三");
  EXPECT_EQ(updated["status"], "suspended");
  EXPECT_EQ(updated["name"], "太原一号化工有限公司") << "fields not in the patch keep their value";
  EXPECT_EQ(svc.get(admin, "enterprises", "14010000001")["status"], "suspended");
  // null removes an optional field.
  EXPECT_TRUE(svc.update(admin, "enterprises", "14010000001", {{"lon", nullptr}})["lon"].is_null());

  ListParams q;
  q.q = "太原一号";
  EXPECT_EQ(svc.list(admin, "enterprises", q)["total"], 1);
  svc.deactivate(admin, "enterprises", "14010000001");
  EXPECT_EQ(svc.list(admin, "enterprises", q)["total"], 0);
  q.include_inactive = true;
  auto with_inactive = svc.list(admin, "enterprises", q);
  ASSERT_EQ(with_inactive["total"], 1);
  EXPECT_EQ(with_inactive["items"][0]["is_active"], false);
}

TEST_F(RegistryPg, EnterpriseCodeMustStartWithItsCity) {
  auto c =
      create_fails(admin, "enterprises", enterprise("14020000002", "错位化工有限公司", "140100"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  EXPECT_TRUE(c->has_pointer("/company_code")) << c->pointers();
}

TEST_F(RegistryPg, SchemaViolationsNameTheField) {
  auto body = enterprise("14010000003", "坐标错误化工有限公司");
  body["lon"] = 200;
  body["company_code"] = "1401000000X";
  auto c = create_fails(admin, "enterprises", body);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  EXPECT_TRUE(c->has_pointer("/lon")) << c->pointers();
  EXPECT_TRUE(c->has_pointer("/company_code")) << c->pointers();
  auto not_object = caught([&] { svc.create(admin, "enterprises", json::array()); });
  ASSERT_TRUE(not_object);
  EXPECT_EQ(not_object->code, Errc::validation_failed);
  auto unknown = caught([&] { svc.get(admin, "no-such-things", "x"); });
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->code, Errc::not_found);
}

TEST_F(RegistryPg, DuplicateCreateIsAConflict) {
  svc.create(admin, "enterprises", enterprise("14010000004", "重复化工有限公司"));
  auto same_key =
      create_fails(admin, "enterprises", enterprise("14010000004", "另一个化工有限公司"));
  ASSERT_TRUE(same_key);
  EXPECT_EQ(same_key->code, Errc::conflict);
  auto same_name =
      create_fails(admin, "enterprises", enterprise("14010000005", "重复化工有限公司"));
  ASSERT_TRUE(same_name);
  EXPECT_EQ(same_name->code, Errc::conflict);
  svc.create(admin, "hazard-sources", hazard_source("14010000004001"));
  auto hs = create_fails(admin, "hazard-sources", hazard_source("14010000004001"));
  ASSERT_TRUE(hs);
  EXPECT_EQ(hs->code, Errc::conflict);
}

// --- hazard sources ----------------------------------------------------------------------------

TEST_F(RegistryPg, HazardSourceCreateGetUpdateDeactivate) {
  svc.create(admin, "enterprises", enterprise("14010000010", "危险源化工有限公司"));
  auto body = hazard_source("14010000010001", 3);
  body["people_exposed"] = 40;
  body["commissioning_date"] = "2015-06-30";
  auto created = svc.create(admin, "hazard-sources", body);
  EXPECT_EQ(created["rank"], 3);
  EXPECT_EQ(created["commissioning_date"], "2015-06-30");
  EXPECT_EQ(svc.get(admin, "hazard-sources", "14010000010001")["people_exposed"], 40);
  EXPECT_EQ(svc.update(admin, "hazard-sources", "14010000010001", {{"name", "液氯罐区"}})["name"],
            "液氯罐区");

  svc.create(admin, "hazard-sources", hazard_source("14010000010002"));
  ListParams p;
  p.filters["company_code"] = "14010000010";
  EXPECT_EQ(keys(svc.list(admin, "hazard-sources", p), "hazard_code"),
            (std::vector<std::string>{"14010000010001", "14010000010002"}));
  svc.deactivate(admin, "hazard-sources", "14010000010002");
  EXPECT_EQ(keys(svc.list(admin, "hazard-sources", p), "hazard_code"),
            std::vector<std::string>{"14010000010001"});
  p.include_inactive = true;
  EXPECT_EQ(svc.list(admin, "hazard-sources", p)["total"], 2);

  // A deactivated hazard source cannot be referenced by new rows.
  auto c = create_fails(admin, "equipment", equipment("14010000010002G0001", "G0"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  EXPECT_TRUE(c->has_pointer("/hazard_code")) << c->pointers();
}

TEST_F(RegistryPg, HazardCodeMustStartWithTheCompanyCode) {
  svc.create(admin, "enterprises", enterprise("14010000011", "前缀化工有限公司"));
  auto body = hazard_source("14010000099001");
  body["company_code"] = "14010000011";
  auto c = create_fails(admin, "hazard-sources", body);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  EXPECT_TRUE(c->has_pointer("/hazard_code")) << c->pointers();
}

TEST_F(RegistryPg, RankAndAlphaMustAgreeWithGb18218) {
  svc.create(admin, "enterprises", enterprise("14010000012", "分级化工有限公司"));
  auto body = hazard_source("14010000012001", 4);
  body["r_value"] = 60;  // grades as level 2
  body["alpha"] = 1.0;
  body["people_exposed"] = 120;  // α = 2
  auto c = create_fails(admin, "hazard-sources", body);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  EXPECT_TRUE(c->has_pointer("/rank")) << c->pointers();
  EXPECT_TRUE(c->has_pointer("/alpha")) << c->pointers();
  body["rank"] = 2;
  body["alpha"] = 2.0;
  EXPECT_EQ(svc.create(admin, "hazard-sources", body)["rank"], 2);
}

TEST_F(RegistryPg, ImmutableFieldsCannotBeChanged) {
  seed("14010000013", "不变化工有限公司");
  svc.create(admin, "enterprises", enterprise("14010000014", "另一家不变化工有限公司"));

  auto code = caught([&] {
    svc.update(admin, "hazard-sources", "14010000013001", {{"hazard_code", "14010000013009"}});
  });
  ASSERT_TRUE(code);
  EXPECT_EQ(code->code, Errc::validation_failed);
  EXPECT_TRUE(code->has_pointer("/hazard_code")) << code->pointers();

  auto owner = caught([&] {
    svc.update(admin, "hazard-sources", "14010000013001", {{"company_code", "14010000014"}});
  });
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->code, Errc::validation_failed);
  EXPECT_TRUE(owner->has_pointer("/company_code")) << owner->pointers();

  auto ent = caught([&] {
    svc.update(admin, "enterprises", "14010000013", {{"company_code", "14010000015"}});
  });
  ASSERT_TRUE(ent);
  EXPECT_TRUE(ent->has_pointer("/company_code")) << ent->pointers();

  auto readonly = caught([&] {
    svc.update(admin, "enterprises", "14010000013", {{"is_active", false}});
  });
  ASSERT_TRUE(readonly);
  EXPECT_TRUE(readonly->has_pointer("/is_active")) << readonly->pointers();

  // Nothing changed; sending the same value again is allowed.
  auto row = svc.get(admin, "hazard-sources", "14010000013001");
  EXPECT_EQ(row["company_code"], "14010000013");
  EXPECT_EQ(svc.update(admin, "hazard-sources", "14010000013001",
                       {{"hazard_code", "14010000013001"}, {"name", "新名称"}})["name"],
            "新名称");
  auto missing = caught([&] {
    svc.update(admin, "hazard-sources", "14010000013009", {{"name", "x"}});
  });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code, Errc::not_found);
}

// --- equipment ---------------------------------------------------------------------------------

TEST_F(RegistryPg, EquipmentWithTankAppendix) {
  seed("14010000020", "储罐化工有限公司");
  json tank = {{"tank_type", "vertical"},   {"volume_m3", 5000},       {"capacity_t", 3200.5},
               {"medium_cas", "7782-50-5"}, {"medium_state", "H4702"}, {"pressure_unit", "HJC01"}};
  auto created = svc.create(admin, "equipment", equipment("14010000020001G0001", "G0", tank));
  EXPECT_EQ(created["detail"], tank);
  EXPECT_EQ(created["equip_type"], "G0");
  EXPECT_EQ(created["process_codes"], json::array());
  EXPECT_EQ(svc.get(admin, "equipment", "14010000020001G0001")["detail"]["tank_type"], "vertical");

  tank["volume_m3"] = 6000;
  EXPECT_EQ(svc.update(admin, "equipment", "14010000020001G0001",
                       {{"detail", tank}})["detail"]["volume_m3"],
            6000);

  // A production unit's appendix on a unit.
  json unit = {{"processes", {"E1501", "E15101"}}, {"has_sis", true}, {"interlock_count", 12}};
  EXPECT_EQ(svc.create(admin, "equipment", equipment("14010000020001S0001", "S0", unit))["detail"],
            unit);

  svc.deactivate(admin, "equipment", "14010000020001S0001");
  ListParams p;
  p.filters["hazard_code"] = "14010000020001";
  EXPECT_EQ(keys(svc.list(admin, "equipment", p), "equip_code"),
            std::vector<std::string>{"14010000020001G0001"});
}

TEST_F(RegistryPg, EquipmentWithTheWrongAppendixIsRejected) {
  seed("14010000021", "附表化工有限公司");
  // A production unit's fields on a tank.
  auto c = create_fails(
      admin, "equipment",
      equipment("14010000021001G0001", "G0", {{"processes", {"E1501"}}, {"has_sis", true}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  ASSERT_FALSE(c->fields.empty());
  for (auto& f : c->fields) EXPECT_EQ(f.pointer.rfind("/detail", 0), 0u) << c->pointers();
  // A tank field of the wrong type.
  auto t = create_fails(admin, "equipment",
                        equipment("14010000021001G0002", "G0", {{"volume_m3", "big"}}));
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->has_pointer("/detail/volume_m3")) << t->pointers();
  // And a valid tank cannot be turned into a wrong one by an update.
  svc.create(admin, "equipment",
             equipment("14010000021001G0003", "G0", {{"tank_type", "spherical"}}));
  auto u = caught([&] {
    svc.update(admin, "equipment", "14010000021001G0003", {{"detail", {{"positions", 4}}}});
  });
  ASSERT_TRUE(u);
  EXPECT_EQ(u->code, Errc::validation_failed);
  EXPECT_EQ(svc.get(admin, "equipment", "14010000021001G0003")["detail"],
            json({{"tank_type", "spherical"}}));
}

TEST_F(RegistryPg, EquipmentCodeMustMatchHazardSourceAndType) {
  seed("14010000022", "编码化工有限公司");
  auto type = create_fails(admin, "equipment", equipment("14010000022001S0001", "G0"));
  ASSERT_TRUE(type);
  EXPECT_EQ(type->code, Errc::validation_failed);
  EXPECT_TRUE(type->has_pointer("/equip_code")) << type->pointers();

  auto body = equipment("14010000022002G0001", "G0");
  body["hazard_code"] = "14010000022001";
  auto prefix = create_fails(admin, "equipment", body);
  ASSERT_TRUE(prefix);
  EXPECT_TRUE(prefix->has_pointer("/equip_code")) << prefix->pointers();
}

// --- references across enterprises ------------------------------------------------------------

TEST_F(RegistryPg, RowsCannotReferToAnotherEnterprisesHazardSource) {
  seed("14010000030", "甲方化工有限公司");
  seed("14010000031", "乙方化工有限公司");
  auto body = equipment("14010000030001G0001", "G0");
  body["hazard_code"] = "14010000031001";
  body["equip_code"] = "14010000031001G0001";
  auto eq = create_fails(admin, "equipment", body);
  ASSERT_TRUE(eq);
  EXPECT_EQ(eq->code, Errc::validation_failed);
  EXPECT_TRUE(eq->has_pointer("/hazard_code")) << eq->pointers();

  auto hc = create_fails(admin, "hazard-chemicals",
                         {{"company_code", "14010000030"},
                          {"hazard_code", "14010000031001"},
                          {"cas", "7782-50-5"},
                          {"quantity_t", 1}});
  ASSERT_TRUE(hc);
  EXPECT_TRUE(hc->has_pointer("/hazard_code")) << hc->pointers();

  auto mp = point("MP-X-1", "14010000031001");
  mp["company_code"] = "14010000030";
  auto pc = create_fails(admin, "monitoring-points", mp);
  ASSERT_TRUE(pc);
  EXPECT_TRUE(pc->has_pointer("/hazard_code")) << pc->pointers();
}

TEST_F(RegistryPg, RowsCannotReferToAnotherEnterprisesGatewayOrCell) {
  seed("14010000032", "丙方化工有限公司");
  seed("14010000033", "丁方化工有限公司");
  svc.create(
      admin, "gateways",
      {{"gateway_code", "GW000000033"}, {"company_code", "14010000033"}, {"name", "丁方网关"}});
  svc.create(admin, "production-cells",
             {{"prodcell_id", "CELL33"},
              {"company_code", "14010000033"},
              {"hazard_code", "14010000033001"},
              {"cell_type", "tank_farm"},
              {"name", "丁方罐区"}});

  auto mp = point("MP-32-1", "14010000032001");
  mp["gateway_code"] = "GW000000033";
  auto gw = create_fails(admin, "monitoring-points", mp);
  ASSERT_TRUE(gw);
  EXPECT_EQ(gw->code, Errc::validation_failed);
  EXPECT_TRUE(gw->has_pointer("/gateway_code")) << gw->pointers();

  auto eq = equipment("14010000032001G0001", "G0");
  eq["prodcell_id"] = "CELL33";
  auto cell = create_fails(admin, "equipment", eq);
  ASSERT_TRUE(cell);
  EXPECT_TRUE(cell->has_pointer("/prodcell_id")) << cell->pointers();

  auto unknown = point("MP-32-2", "14010000032001");
  unknown["gateway_code"] = "GW000000404";
  auto nf = create_fails(admin, "monitoring-points", unknown);
  ASSERT_TRUE(nf);
  EXPECT_TRUE(nf->has_pointer("/gateway_code")) << nf->pointers();
}

// --- monitoring points -------------------------------------------------------------------------

TEST_F(RegistryPg, MonitoringPointCreateGetUpdateDeactivate) {
  seed("14010000040", "测点化工有限公司");
  svc.create(admin, "equipment", equipment("14010000040001G0001", "G0"));
  auto body = point("LT-40-1", "14010000040001");
  body["equip_code"] = "14010000040001G0001";
  body["ll"] = 1;
  body["l"] = 2;
  body["h"] = 16;
  body["hh"] = 18;
  auto created = svc.create(admin, "monitoring-points", body);
  EXPECT_EQ(created["quota_code"], "LT-40-1");
  EXPECT_DOUBLE_EQ(created["h"].get<double>(), 16);
  EXPECT_EQ(created["debounce_s"], 30);
  EXPECT_EQ(created["in_use"], true);
  EXPECT_EQ(
      svc.update(admin, "monitoring-points", "LT-40-1", {{"h", 17}, {"in_use", false}})["in_use"],
      false);
  EXPECT_DOUBLE_EQ(svc.get(admin, "monitoring-points", "LT-40-1")["h"].get<double>(), 17);
  svc.deactivate(admin, "monitoring-points", "LT-40-1");
  ListParams p;
  p.filters["company_code"] = "14010000040";
  EXPECT_EQ(svc.list(admin, "monitoring-points", p)["total"], 0);
  p.include_inactive = true;
  EXPECT_EQ(svc.list(admin, "monitoring-points", p)["total"], 1);
}

TEST_F(RegistryPg, MonitoringPointLimitsMustBeOrdered) {
  seed("14010000041", "阈值化工有限公司");
  auto inverted = point("LT-41-1", "14010000041001");
  inverted["l"] = 15;
  inverted["h"] = 5;
  auto c = create_fails(admin, "monitoring-points", inverted);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::validation_failed);
  // L ≥ H: check_limits reports it on the high limit it compares against.
  EXPECT_TRUE(c->has_pointer("/h")) << c->pointers();

  auto equal = point("LT-41-2", "14010000041001");
  equal["l"] = 5;
  equal["h"] = 5;
  auto e = create_fails(admin, "monitoring-points", equal);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->has_pointer("/h")) << e->pointers();

  auto ll = point("LT-41-3", "14010000041001");
  ll["ll"] = 3;
  ll["l"] = 2;
  auto l = create_fails(admin, "monitoring-points", ll);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->has_pointer("/ll")) << l->pointers();

  auto range = point("LT-41-4", "14010000041001");
  range["hh"] = 25;  // range_high is 20
  auto r = create_fails(admin, "monitoring-points", range);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has_pointer("/hh")) << r->pointers();

  auto sw = point("SW-41-5", "14010000041001");
  sw["value_kind"] = "switch";
  sw["indicator_type"] = "sis";
  sw["h"] = 1;
  auto s = create_fails(admin, "monitoring-points", sw);
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->has_pointer("/value_kind")) << s->pointers();

  // An update is checked against the merged row.
  auto ok = point("LT-41-6", "14010000041001");
  ok["l"] = 2;
  ok["h"] = 10;
  svc.create(admin, "monitoring-points", ok);
  auto u = caught([&] { svc.update(admin, "monitoring-points", "LT-41-6", {{"l", 12}}); });
  ASSERT_TRUE(u);
  EXPECT_EQ(u->code, Errc::validation_failed);
  EXPECT_DOUBLE_EQ(svc.get(admin, "monitoring-points", "LT-41-6")["l"].get<double>(), 2);
}

TEST_F(RegistryPg, MonitoringPointEquipmentMustBelongToItsHazardSource) {
  seed("14010000042", "设备归属化工有限公司");
  svc.create(admin, "hazard-sources", hazard_source("14010000042002"));
  svc.create(admin, "equipment", equipment("14010000042002G0001", "G0"));
  auto body = point("LT-42-1", "14010000042001");
  body["equip_code"] = "14010000042002G0001";
  auto c = create_fails(admin, "monitoring-points", body);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->has_pointer("/equip_code")) << c->pointers();
}

// --- scoping and roles -------------------------------------------------------------------------

TEST_F(RegistryPg, CityScopeSeesOnlyItsCity) {
  seed("14010000050", "太原范围化工有限公司");
  seed("14020000050", "大同范围化工有限公司");
  auto taiyuan = city_officer("140100");
  auto datong = city_officer("140200");

  EXPECT_EQ(svc.get(taiyuan, "enterprises", "14010000050")["name"], "太原范围化工有限公司");
  auto hidden = caught([&] { svc.get(datong, "enterprises", "14010000050"); });
  ASSERT_TRUE(hidden);
  EXPECT_EQ(hidden->code, Errc::not_found);
  auto hidden_hs = caught([&] { svc.get(datong, "hazard-sources", "14010000050001"); });
  ASSERT_TRUE(hidden_hs);
  EXPECT_EQ(hidden_hs->code, Errc::not_found);

  ListParams all;
  all.limit = 500;
  auto datong_enterprises = svc.list(datong, "enterprises", all);
  auto datong_sources = svc.list(datong, "hazard-sources", all);
  ASSERT_FALSE(datong_enterprises["items"].empty());
  ASSERT_FALSE(datong_sources["items"].empty());
  for (auto& r : datong_enterprises["items"])
    EXPECT_EQ(r["region_code"].get<std::string>().substr(0, 4), "1402") << r["company_code"];
  for (auto& r : datong_sources["items"])
    EXPECT_EQ(r["company_code"].get<std::string>().substr(0, 4), "1402") << r["hazard_code"];
  EXPECT_LT(datong_enterprises["total"].get<long long>(),
            svc.list(admin, "enterprises", all)["total"].get<long long>());
  ListParams q;
  q.q = "范围化工";
  EXPECT_EQ(keys(svc.list(datong, "enterprises", q), "company_code"),
            std::vector<std::string>{"14020000050"});
  EXPECT_EQ(keys(svc.list(admin, "enterprises", q), "company_code"),
            (std::vector<std::string>{"14010000050", "14020000050"}));

  // Writing outside the city fails as if the row were not there.
  auto upd = caught([&] {
    svc.update(datong, "enterprises", "14010000050", {{"principal", "x"}});
  });
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->code, Errc::not_found);
  auto deact = caught([&] { svc.deactivate(datong, "hazard-sources", "14010000050001"); });
  ASSERT_TRUE(deact);
  EXPECT_EQ(deact->code, Errc::not_found);
  auto ent = create_fails(datong, "enterprises", enterprise("14010000051", "越界化工有限公司"));
  ASSERT_TRUE(ent);
  EXPECT_EQ(ent->code, Errc::validation_failed);
  EXPECT_TRUE(ent->has_pointer("/region_code")) << ent->pointers();
  auto hs = create_fails(datong, "hazard-sources", hazard_source("14010000050002"));
  ASSERT_TRUE(hs);
  EXPECT_TRUE(hs->has_pointer("/company_code")) << hs->pointers();
  EXPECT_EQ(svc.get(admin, "enterprises", "14010000050")["is_active"], true);

  // Inside its city the officer may write.
  EXPECT_EQ(svc.create(taiyuan, "hazard-sources", hazard_source("14010000050002"))["hazard_code"],
            "14010000050002");
}

TEST_F(RegistryPg, EnterpriseScopeSeesOnlyItself) {
  seed("14010000052", "自家化工有限公司");
  seed("14010000053", "邻家化工有限公司");
  auto me = principal(Role::enterprise_user, Scope::enterprise("14010000052"), "ent52");
  EXPECT_EQ(svc.get(me, "hazard-sources", "14010000052001")["company_code"], "14010000052");
  auto other = caught([&] { svc.get(me, "hazard-sources", "14010000053001"); });
  ASSERT_TRUE(other);
  EXPECT_EQ(other->code, Errc::not_found);
  EXPECT_EQ(keys(svc.list(me, "enterprises", {}), "company_code"),
            std::vector<std::string>{"14010000052"});
  // It may maintain its own rows, but not create or deactivate enterprises.
  EXPECT_EQ(
      svc.update(me, "enterprises", "14010000052", {{"duty_phone", "0351-1234567"}})["duty_phone"],
      "0351-1234567");
  auto create = create_fails(me, "enterprises", enterprise("14010000054", "新开化工有限公司"));
  ASSERT_TRUE(create);
  EXPECT_EQ(create->code, Errc::forbidden);
  auto deact = caught([&] { svc.deactivate(me, "enterprises", "14010000052"); });
  ASSERT_TRUE(deact);
  EXPECT_EQ(deact->code, Errc::forbidden);
  auto move = caught([&] {
    svc.update(me, "enterprises", "14010000052", {{"region_code", "140200"}});
  });
  ASSERT_TRUE(move);
  EXPECT_TRUE(move->has_pointer("/region_code")) << move->pointers();
}

TEST_F(RegistryPg, ReadOnlyRolesCannotWrite) {
  seed("14010000055", "只读化工有限公司");
  auto officer = principal(Role::province_officer, Scope::province(), "officer");
  EXPECT_EQ(svc.get(officer, "enterprises", "14010000055")["company_code"], "14010000055");
  auto c = create_fails(officer, "hazard-sources", hazard_source("14010000055002"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::forbidden);
  auto u = caught([&] {
    svc.update(officer, "hazard-sources", "14010000055001", {{"name", "x"}});
  });
  ASSERT_TRUE(u);
  EXPECT_EQ(u->code, Errc::forbidden);
}

// --- GB 18218 grading --------------------------------------------------------------------------

TEST_F(RegistryPg, GradeHazardSourceFromItsChemicals) {
  seed("14010000060", "氯碱分级化工有限公司");
  svc.create(admin, "hazard-sources", hazard_source("14010000060002", 3));
  svc.update(admin, "hazard-sources", "14010000060001", {{"people_exposed", 120}});
  // Chlorine Q = 5 t, β = 4; ammonia Q = 10 t, β = 2 (seeded by migration 0002).
  svc.create(admin, "hazard-chemicals",
             {{"company_code", "14010000060"},
              {"hazard_code", "14010000060001"},
              {"cas", "7782-50-5"},
              {"quantity_t", 25}});
  svc.create(admin, "hazard-chemicals",
             {{"company_code", "14010000060"},
              {"hazard_code", "14010000060001"},
              {"cas", "7664-41-7"},
              {"quantity_t", 50}});

  // S = 25/5 + 50/10 = 10; R = α·Σβq/Q = 2 × (4·5 + 2·5) = 60 → level 2.
  auto dry = svc.grade_hazard_source(admin, "14010000060001", false);
  EXPECT_DOUBLE_EQ(dry["s"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(dry["alpha"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(dry["r"].get<double>(), 60.0);
  EXPECT_EQ(dry["is_major_hazard"], true);
  EXPECT_EQ(dry["level"], 2);
  EXPECT_EQ(dry["stored"], false);
  EXPECT_EQ(dry["chemicals"].size(), 2u);
  EXPECT_EQ(svc.get(admin, "hazard-sources", "14010000060001")["rank"], 4)
      << "a dry run stores nothing";
  EXPECT_TRUE(svc.get(admin, "enterprises", "14010000060")["max_hazard_rank"].is_null());

  auto stored = svc.grade_hazard_source(admin, "14010000060001", true);
  EXPECT_EQ(stored["stored"], true);
  auto hs = svc.get(admin, "hazard-sources", "14010000060001");
  EXPECT_EQ(hs["rank"], 2);
  EXPECT_DOUBLE_EQ(hs["r_value"].get<double>(), 60.0);
  EXPECT_DOUBLE_EQ(hs["alpha"].get<double>(), 2.0);
  // The most severe rank of its active hazard sources: min(2, 3).
  EXPECT_EQ(svc.get(admin, "enterprises", "14010000060")["max_hazard_rank"], 2);
  // The graded row is still a valid row: later edits pass validation.
  EXPECT_EQ(svc.update(admin, "hazard-sources", "14010000060001", {{"address", "北厂区"}})["rank"],
            2);
}

TEST_F(RegistryPg, GradingNeedsPeopleExposedAndAMajorQuantity) {
  seed("14010000061", "小量化工有限公司");
  auto no_people = caught([&] { svc.grade_hazard_source(admin, "14010000061001", false); });
  ASSERT_TRUE(no_people);
  EXPECT_EQ(no_people->code, Errc::validation_failed);
  EXPECT_TRUE(no_people->has_pointer("/people_exposed")) << no_people->pointers();

  svc.update(admin, "hazard-sources", "14010000061001", {{"people_exposed", 10}});
  svc.create(admin, "hazard-chemicals",
             {{"company_code", "14010000061"},
              {"hazard_code", "14010000061001"},
              {"cas", "67-56-1"},
              {"quantity_t", 100}});
  auto g = svc.grade_hazard_source(admin, "14010000061001", false);
  EXPECT_DOUBLE_EQ(g["s"].get<double>(), 0.2);
  EXPECT_EQ(g["is_major_hazard"], false);
  EXPECT_TRUE(g["level"].is_null());
  auto store = caught([&] { svc.grade_hazard_source(admin, "14010000061001", true); });
  ASSERT_TRUE(store);
  EXPECT_EQ(store->code, Errc::validation_failed);
  EXPECT_EQ(svc.get(admin, "hazard-sources", "14010000061001")["rank"], 4);

  auto other_city =
      caught([&] { svc.grade_hazard_source(city_officer("140200"), "14010000061001", false); });
  ASSERT_TRUE(other_city);
  EXPECT_EQ(other_city->code, Errc::not_found);
}
