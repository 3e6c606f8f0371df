// The monitoring answers as the API gives them after their SQL moved into storage::MonitoringStore
// and their JSON to the API edge (issue 11): every field of latest values, history, aggregates,
// alarm episodes and filings is there, no other, with its JSON type (numbers, booleans, null for
// a NULL column, times as RFC 3339 UTC text).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ingest_fixture.hpp"
#include "test_server.hpp"

using namespace hazmon::test;
using nlohmann::json;

namespace {
std::set<std::string> keys(const json& o) {
  std::set<std::string> k;
  for (auto& [name, v] : o.items()) k.insert(name);
  return k;
}

bool is_time(const json& v) {
  if (!v.is_string()) return false;
  auto s = v.get<std::string>();
  return s.size() >= 20 && s[10] == 'T' && s.back() == 'Z';
}

const std::set<std::string> kFilingFields = {
    "id",          "company_code", "target_kind", "target_code", "filing_type",  "starts_at",
    "ends_at",     "reason",       "person",      "created_by",  "created_at",   "status",
    "approved_by", "approved_at",  "rejected_by", "rejected_at", "decision_note"};
}  // namespace

TEST(MonitoringJson, LatestHistoryAndAggregatesKeepTheirFieldsAndTypes) {
  IngestFixture f;
  auto r = f.c.post_json(
      "/api/v1/upload/realtime",
      f.upload(
          "mj-1",
          json::array({f.item(f.kLevel, 60, 6.5),
                       {{"quotaCode", f.kSwitch}, {"collectTime", f.at(60)}, {"switchValue", 0}}})),
      f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;

  auto latest = f.c.get("/api/v1/readings/latest?company_code=" + f.kCompany, f.admin);
  ASSERT_EQ(latest.status, 200) << latest.body;
  auto page = latest.json();
  EXPECT_EQ(keys(page), (std::set<std::string>{"items", "total", "limit", "offset"}));
  EXPECT_EQ(page["total"], 2);
  EXPECT_EQ(page["limit"], 100);
  EXPECT_EQ(page["offset"], 0);
  ASSERT_EQ(page["items"].size(), 2u);
  const auto& sw = page["items"][0];
  const auto& level = page["items"][1];
  EXPECT_EQ(keys(level), (std::set<std::string>{"quota_code", "name", "company_code", "hazard_code",
                                                "equip_code", "indicator_type", "value_kind",
                                                "unit", "ll", "l", "h", "hh", "value", "quality",
                                                "collect_ts", "received_ts", "online"}));
  EXPECT_EQ(keys(sw), keys(level));
  EXPECT_EQ(level["quota_code"], f.kLevel);
  EXPECT_EQ(level["unit"], "m");
  EXPECT_TRUE(level["equip_code"].is_null());
  EXPECT_TRUE(level["ll"].is_null());
  EXPECT_TRUE(level["l"].is_number());
  EXPECT_DOUBLE_EQ(level["hh"].get<double>(), 18);
  EXPECT_DOUBLE_EQ(level["value"].get<double>(), 6.5);
  EXPECT_TRUE(level["quality"].is_number_integer());
  EXPECT_TRUE(is_time(level["collect_ts"])) << level["collect_ts"];
  EXPECT_TRUE(is_time(level["received_ts"])) << level["received_ts"];
  EXPECT_EQ(level["online"], true);
  EXPECT_EQ(sw["value_kind"], "switch");
  EXPECT_TRUE(sw["unit"].is_null());
  EXPECT_DOUBLE_EQ(sw["value"].get<double>(), 0);

  auto hist = f.c.get(
      "/api/v1/points/" + f.kLevel + "/history?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
      f.admin);
  ASSERT_EQ(hist.status, 200) << hist.body;
  auto h = hist.json();
  EXPECT_EQ(keys(h), (std::set<std::string>{"point", "from", "to", "items", "truncated"}));
  EXPECT_EQ(keys(h["point"]),
            (std::set<std::string>{"quota_code", "name", "unit", "company_code"}));  // no point_id
  EXPECT_EQ(h["point"]["name"], "1#罐液位");
  EXPECT_EQ(h["from"], "2000-01-01T00:00:00.000Z");
  EXPECT_EQ(h["truncated"], false);
  ASSERT_EQ(h["items"].size(), 1u);
  EXPECT_EQ(keys(h["items"][0]),
            (std::set<std::string>{"collect_ts", "value", "quality", "received_ts"}));
  EXPECT_EQ(h["items"][0]["collect_ts"], level["collect_ts"]);
  EXPECT_EQ(h["items"][0]["quality"], 0);

  auto agg =
      f.c.get("/api/v1/points/" + f.kLevel +
                  "/aggregates?interval=1m&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
              f.admin);
  ASSERT_EQ(agg.status, 200) << agg.body;
  auto a = agg.json();
  EXPECT_EQ(keys(a), (std::set<std::string>{"point", "interval", "from", "to", "items"}));
  EXPECT_EQ(a["interval"], "1m");
  EXPECT_EQ(keys(a["point"]), keys(h["point"]));
  EXPECT_TRUE(a["items"].is_array());
}

TEST(MonitoringJson, AlarmEpisodesAndFilingsKeepTheirFieldsAndTypes) {
  IngestFixture f;
  auto r = f.c.post_json(
      "/api/v1/upload/realtime",
      f.upload("mj-2", json::array({f.item(f.kLevel, 200, 10), f.item(f.kLevel, 170, 16),
                                    f.item(f.kLevel, 110, 17), f.item(f.kLevel, 50, 14.2)})),
      f.gateway);
  ASSERT_EQ(r.status, 200) << r.body;
  auto alarms = f.c.get("/api/v1/alarms?company_code=" + f.kCompany + "&active=false", f.admin);
  ASSERT_EQ(alarms.status, 200) << alarms.body;
  auto page = alarms.json();
  EXPECT_EQ(page["total"], 1);
  ASSERT_EQ(page["items"].size(), 1u);
  const auto& e = page["items"][0];
  EXPECT_EQ(keys(e),
            (std::set<std::string>{"id",         "quota_code", "company_code",  "hazard_code",
                                   "equip_code", "alarm_type", "is_data_fault", "threshold",
                                   "start_ts",   "raised_ts",  "end_ts",        "peak_value",
                                   "peak_ts",    "last_value", "suppressed",    "late",
                                   "origin",     "duration_s", "company_name",  "hazard_name",
                                   "point_name", "unit"}));
  EXPECT_TRUE(e["id"].is_number_integer());
  EXPECT_EQ(e["alarm_type"], "H");
  EXPECT_EQ(e["is_data_fault"], false);
  EXPECT_DOUBLE_EQ(e["threshold"].get<double>(), 15);
  EXPECT_TRUE(e["equip_code"].is_null());
  EXPECT_TRUE(is_time(e["start_ts"]) && is_time(e["raised_ts"]) && is_time(e["end_ts"]) &&
              is_time(e["peak_ts"]))
      << e;
  EXPECT_DOUBLE_EQ(e["peak_value"].get<double>(), 17);
  EXPECT_DOUBLE_EQ(e["last_value"].get<double>(), 14.2);
  EXPECT_EQ(e["origin"], "platform");
  EXPECT_EQ(e["duration_s"], 120);
  EXPECT_EQ(e["hazard_name"], "罐区");
  EXPECT_EQ(e["point_name"], "1#罐液位");
  EXPECT_EQ(e["unit"], "m");
  EXPECT_TRUE(e["company_name"].is_string());
  auto open = f.c.get("/api/v1/alarms?company_code=" + f.kCompany + "&active=true", f.admin);
  ASSERT_EQ(open.status, 200) << open.body;
  EXPECT_EQ(open.json()["total"], 0);

  auto filed = f.c.post_json("/api/v1/filings",
                             {{"company_code", f.kCompany},
                              {"target_kind", "point"},
                              {"target_code", f.kLevel},
                              {"filing_type", "shutdown"},
                              {"starts_at", f.at(600)},
                              {"ends_at", f.at(-600)}},
                             f.admin);
  ASSERT_EQ(filed.status, 201) << filed.body;
  auto fj = filed.json();
  EXPECT_EQ(keys(fj), kFilingFields);  // a regulator's filing: in force, no pending_reason
  EXPECT_EQ(fj["status"], "approved");
  EXPECT_TRUE(fj["approved_by"].is_number_integer());
  EXPECT_TRUE(is_time(fj["approved_at"]));
  EXPECT_TRUE(fj["rejected_by"].is_null());
  EXPECT_TRUE(fj["rejected_at"].is_null());
  EXPECT_EQ(fj["reason"], "");
  EXPECT_EQ(fj["decision_note"], "");
  auto list = f.c.get("/api/v1/filings?company_code=" + f.kCompany, f.admin);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(keys(list.json()), (std::set<std::string>{"items"}));
  ASSERT_EQ(list.json()["items"].size(), 1u);
  EXPECT_EQ(list.json()["items"][0], fj);
}
