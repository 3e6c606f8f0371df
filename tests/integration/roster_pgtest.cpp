// RosterService::import of the notice's four lists (data/roster/notice-2021-247) into a fresh
// database: reconciliation counts, created enterprises and tasks, idempotence, the report and
// the scoped progress view.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/service/roster.hpp>

#include <map>
#include <set>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::service::MatchKind;
using hazmon::service::RosterReport;
using hazmon::service::RosterService;
using nlohmann::json;
using namespace hazmon::test;

namespace {

const std::filesystem::path& roster_dir() {
  static const auto p = source_dir() / "data" / "roster" / "notice-2021-247";
  return p;
}

struct Counts {
  int rows, exact, normalised, unmatched;
};
// What the shipped lists reconcile to (checked by hand against the notice's attachments).
const std::map<int, Counts> kExpected = {
    {1, {182, 182, 0, 0}},
    {2, {109, 109, 0, 0}},
    {3, {10, 9, 1, 0}},
    {4, {68, 54, 5, 9}},
};

class RosterPg : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    report_ = new RosterReport(RosterService(db_->db()).import(roster_dir()));
  }
  static void TearDownTestSuite() {
    delete report_;
    delete db_;
    report_ = nullptr;
    db_ = nullptr;
  }
  static TestDatabase* db_;
  static RosterReport* report_;

  hazmon::storage::Database& db = db_->db();
  RosterService roster{db_->db()};
  const RosterReport& report = *report_;

  long long count(const std::string& sql, const hazmon::storage::Params& params = {}) {
    auto tx = db.begin();
    return tx.exec_one(sql, params)["n"].get<long long>();
  }
  long long tasks(const std::string& task) {
    return count("SELECT count(*) AS n FROM deployment_task WHERE task = $1", {task});
  }
};
TestDatabase* RosterPg::db_ = nullptr;
RosterReport* RosterPg::report_ = nullptr;

}  // namespace

TEST_F(RosterPg, ReconcilesEachAttachmentAsExpected) {
  ASSERT_EQ(report.summaries.size(), 4u);
  for (const auto& s : report.summaries) {
    SCOPED_TRACE("attachment " + std::to_string(s.attachment));
    ASSERT_TRUE(kExpected.count(s.attachment));
    const auto& e = kExpected.at(s.attachment);
    EXPECT_EQ(s.rows, e.rows);
    EXPECT_EQ(s.exact, e.exact);
    EXPECT_EQ(s.normalised, e.normalised);
    EXPECT_EQ(s.unmatched, e.unmatched);
    EXPECT_EQ(s.exact + s.normalised + s.unmatched, s.rows);
  }
  EXPECT_EQ(report.fuzzy.size(), 6u);      // 1 in attachment 3, 5 in attachment 4
  EXPECT_EQ(report.unmatched.size(), 9u);  // all in attachment 4
  for (const auto& m : report.fuzzy) {
    EXPECT_EQ(m.kind, MatchKind::normalised);
    EXPECT_FALSE(m.master_name.empty());
    EXPECT_NE(m.master_name, m.row.name);
    EXPECT_EQ(hazmon::service::normalise_enterprise_name(m.master_name),
              hazmon::service::normalise_enterprise_name(m.row.name));
  }
  for (const auto& m : report.unmatched) {
    EXPECT_EQ(m.kind, MatchKind::unmatched);
    EXPECT_EQ(m.row.attachment, 4);
  }
}

TEST_F(RosterPg, CreatesEveryMasterListEnterpriseOnce) {
  EXPECT_EQ(report.enterprises_created, 182);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise"), 182);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise WHERE source = 'roster' AND is_active"),
            182);
  // Provisional codes: the city's code, then 9 and a serial; the region is the city.
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM enterprise WHERE company_code !~ '^[0-9]{6}9[0-9]{4}$' "
            "OR region_code <> substr(company_code, 1, 6)"),
      0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise e JOIN region r ON r.code = e.region_code "
                  "AND r.level = 'city'"),
            182);
  EXPECT_EQ(
      count("SELECT count(*) AS n FROM enterprise WHERE roster_batch IS NULL OR roster_batch = ''"),
      0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise WHERE name = "
                  "'中国航油集团山西石油有限公司' AND region_code = '140100'"),
            1);
}

TEST_F(RosterPg, RosterRowKeepsEveryRowWithItsMatchKind) {
  EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row"), 369);
  for (const auto& [attachment, e] : kExpected) {
    SCOPED_TRACE("attachment " + std::to_string(attachment));
    auto a = std::to_string(attachment);
    EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row WHERE attachment = $1", {a}), e.rows);
    EXPECT_EQ(
        count("SELECT count(*) AS n FROM roster_row WHERE attachment = $1 AND match_kind = 'exact'",
              {a}),
        e.exact);
    EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row WHERE attachment = $1 AND match_kind = "
                    "'normalised'",
                    {a}),
              e.normalised);
    EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row WHERE attachment = $1 AND match_kind = "
                    "'unmatched'",
                    {a}),
              e.unmatched);
  }
  // Matched rows point at an enterprise, unmatched ones at nothing.
  EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row WHERE (match_kind = 'unmatched') <> "
                  "(company_code IS NULL)"),
            0);
  // An exact row names its enterprise exactly; a normalised one its master-list enterprise.
  EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row r JOIN enterprise e ON e.company_code = "
                  "r.company_code "
                  "WHERE r.match_kind = 'exact' AND e.name <> r.name"),
            0);
  // Row by row the same answer as reconcile() on the files.
  auto master =
      hazmon::service::read_roster_csv(roster_dir() / "attachment1_visual_communication.csv", 1);
  auto att4 = hazmon::service::read_roster_csv(roster_dir() / "attachment4_video_gateway.csv", 4);
  auto tx = db.begin();
  for (const auto& m : hazmon::service::reconcile(master, att4)) {
    auto r = tx.exec_one(
        "SELECT r.name, r.region_name, r.match_kind, r.note, e.name AS enterprise FROM roster_row "
        "r "
        "LEFT JOIN enterprise e ON e.company_code = r.company_code WHERE attachment = 4 AND seq = "
        "$1",
        {std::to_string(m.row.seq)});
    ASSERT_FALSE(r.is_null()) << m.row.seq;
    EXPECT_EQ(r["name"], m.row.name);
    EXPECT_EQ(r["region_name"], m.row.region);
    EXPECT_EQ(r["match_kind"], std::string(to_string(m.kind))) << m.row.name;
    EXPECT_EQ(r["note"], m.note) << m.row.name;
    if (m.kind != MatchKind::unmatched) {
      EXPECT_EQ(r["enterprise"], m.master_name);
    }
  }
}

TEST_F(RosterPg, CreatesTheDeploymentTasks) {
  EXPECT_EQ(tasks("visual_communication"), 182);
  EXPECT_EQ(tasks("extended_access"), 182);
  EXPECT_EQ(tasks("video_ai_terminal"), 109);
  EXPECT_EQ(tasks("oblique_photography"), 10);
  EXPECT_EQ(tasks("video_gateway"), 59);
  EXPECT_EQ(report.tasks_created, 182 + 182 + 109 + 10 + 59);
  // Every enterprise has the two tasks that apply to all of them.
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise e WHERE NOT EXISTS (SELECT 1 FROM "
                  "deployment_task t "
                  "WHERE t.company_code = e.company_code AND t.task = 'visual_communication') OR "
                  "NOT EXISTS "
                  "(SELECT 1 FROM deployment_task t WHERE t.company_code = e.company_code AND "
                  "t.task = 'extended_access')"),
            0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM deployment_task WHERE deadline <> DATE '2021-10-31'"),
            0);
  EXPECT_EQ(count("SELECT count(*) AS n FROM deployment_task WHERE status <> 'not_started' OR "
                  "completed_at IS NOT NULL"),
            0);
  // Each task of attachments 1–4 says where it came from.
  EXPECT_EQ(count("SELECT count(*) AS n FROM deployment_task WHERE task = 'video_gateway' AND "
                  "source_ref !~ '^附件4 #[0-9]+$'"),
            0);
}

TEST_F(RosterPg, ReportTextListsEveryFuzzyMatchAndUnmatchedRow) {
  auto text = report.to_text();
  EXPECT_NE(text.find("attachment 1: 182 rows, 182 exact, 0 normalised, 0 unmatched"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("attachment 2: 109 rows, 109 exact, 0 normalised, 0 unmatched"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("attachment 3: 10 rows, 9 exact, 1 normalised, 0 unmatched"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("attachment 4: 68 rows, 54 exact, 5 normalised, 9 unmatched"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("enterprises created: 182"), std::string::npos) << text;
  for (const auto& m : report.fuzzy) {
    auto line = "attachment " + std::to_string(m.row.attachment) + " #" +
                std::to_string(m.row.seq) + " " + m.row.name + " -> " + m.master_name;
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  for (const auto& m : report.unmatched) {
    auto line = "attachment " + std::to_string(m.row.attachment) + " #" +
                std::to_string(m.row.seq) + " " + (m.row.region.empty() ? "" : m.row.region + " ") +
                m.row.name;
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  // The two lists are headed, fuzzy first.
  auto fuzzy_at = text.find("normalised matches");
  auto unmatched_at = text.find("unmatched rows");
  ASSERT_NE(fuzzy_at, std::string::npos);
  ASSERT_NE(unmatched_at, std::string::npos);
  EXPECT_LT(fuzzy_at, unmatched_at);
}

TEST_F(RosterPg, SecondImportCreatesNothingAndKeepsTaskStatuses) {
  auto admin = province_admin();
  auto code = [&] {
    auto tx = db.begin();
    return tx
        .exec_one(
            "SELECT company_code FROM enterprise ORDER BY company_code LIMIT 1")["company_code"]
        .get<std::string>();
  }();
  auto updated = roster.update_task(admin, code, "visual_communication",
                                    {{"status", "done"}, {"note", "终端已上线"}});
  EXPECT_EQ(updated["status"], "done");
  EXPECT_FALSE(updated["completed_at"].is_null());

  auto again = roster.import(roster_dir());
  EXPECT_EQ(again.enterprises_created, 0);
  EXPECT_EQ(again.tasks_created, 0);
  ASSERT_EQ(again.summaries.size(), 4u);
  EXPECT_EQ(again.summaries[3].exact, 54);
  EXPECT_EQ(again.summaries[3].normalised, 5);
  EXPECT_EQ(again.summaries[3].unmatched, 9);
  EXPECT_EQ(count("SELECT count(*) AS n FROM enterprise"), 182);
  EXPECT_EQ(count("SELECT count(*) AS n FROM roster_row"), 369);
  EXPECT_EQ(count("SELECT count(*) AS n FROM deployment_task"), 182 + 182 + 109 + 10 + 59);

  auto tx = db.begin();
  auto t = tx.exec_one(
      "SELECT status, note, completed_at FROM deployment_task WHERE company_code = $1 AND task = "
      "$2",
      {code, "visual_communication"});
  EXPECT_EQ(t["status"], "done");
  EXPECT_EQ(t["note"], "终端已上线");
  EXPECT_FALSE(t["completed_at"].is_null());
}

TEST_F(RosterPg, ProgressForACityShowsOnlyThatCity) {
  auto taiyuan = city_officer("140100");
  auto p = roster.progress(taiyuan);
  EXPECT_EQ(p["deadline"], "2021-10-31");
  ASSERT_FALSE(p["by_city"].empty());
  for (auto& r : p["by_city"]) {
    EXPECT_EQ(r["city_code"], "140100");
    EXPECT_EQ(r["city_name"], "太原市");
  }
  long long city_tasks = count(
      "SELECT count(*) AS n FROM deployment_task t JOIN enterprise e ON e.company_code = "
      "t.company_code "
      "WHERE e.region_code LIKE '1401%'");
  long long all_tasks = count("SELECT count(*) AS n FROM deployment_task");
  ASSERT_GT(city_tasks, 0);
  ASSERT_LT(city_tasks, all_tasks);
  long long by_task_total = 0, by_city_total = 0;
  for (auto& r : p["by_task"]) by_task_total += r["total"].get<long long>();
  for (auto& r : p["by_city"]) by_city_total += r["total"].get<long long>();
  EXPECT_EQ(by_task_total, city_tasks);
  EXPECT_EQ(by_city_total, city_tasks);
  long long city_enterprises =
      count("SELECT count(*) AS n FROM enterprise WHERE region_code LIKE '1401%'");
  for (auto& r : p["by_task"]) {
    if (r["task"] == "visual_communication" || r["task"] == "extended_access") {
      EXPECT_EQ(r["total"].get<long long>(), city_enterprises) << r["task"];
    }
    EXPECT_EQ(r["done"].get<long long>() + r["in_progress"].get<long long>() +
                  r["not_started"].get<long long>(),
              r["total"].get<long long>());
  }

  // The province sees every city; an enterprise sees only its own tasks.
  auto all = roster.progress(province_admin());
  std::set<std::string> cities;
  long long province_total = 0;
  for (auto& r : all["by_city"]) cities.insert(r["city_code"].get<std::string>());
  for (auto& r : all["by_task"]) province_total += r["total"].get<long long>();
  EXPECT_GT(cities.size(), 1u);
  EXPECT_EQ(province_total, all_tasks);

  auto tx = db.begin();
  auto some = tx.exec_one(
      "SELECT company_code FROM enterprise WHERE region_code = '140200' ORDER BY company_code "
      "LIMIT 1");
  ASSERT_FALSE(some.is_null());
  auto code = some["company_code"].get<std::string>();
  auto ent = principal(hazmon::model::Role::enterprise_user, hazmon::model::Scope::enterprise(code),
                       "ent");
  long long own =
      count("SELECT count(*) AS n FROM deployment_task WHERE company_code = $1", {code});
  long long ent_total = 0;
  auto ent_progress = roster.progress(ent);
  ASSERT_FALSE(ent_progress["by_task"].empty());
  for (auto& r : ent_progress["by_task"]) ent_total += r["total"].get<long long>();
  EXPECT_EQ(ent_total, own);
}

TEST_F(RosterPg, TasksOfAnotherCityAreNotFound) {
  auto tx = db.begin();
  auto code = tx.exec_one(
                    "SELECT company_code FROM enterprise WHERE region_code = '140200' ORDER BY "
                    "company_code LIMIT 1")["company_code"]
                  .get<std::string>();
  auto own = roster.list_tasks(city_officer("140200"), code)["items"];
  EXPECT_GE(own.size(), 2u);
  EXPECT_EQ(static_cast<long long>(own.size()),
            count("SELECT count(*) AS n FROM deployment_task WHERE company_code = $1", {code}));
  auto list = caught([&] { roster.list_tasks(city_officer("140100"), code); });
  ASSERT_TRUE(list);
  EXPECT_EQ(list->code, Errc::not_found);
  auto upd = caught([&] {
    roster.update_task(city_officer("140100"), code, "visual_communication", {{"status", "done"}});
  });
  ASSERT_TRUE(upd);
  EXPECT_EQ(upd->code, Errc::not_found);
  auto bad = caught([&] {
    roster.update_task(city_officer("140200"), code, "visual_communication",
                       {{"status", "finished"}});
  });
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, Errc::validation_failed);
  EXPECT_TRUE(bad->has_pointer("/status"));
}

TEST(RosterImport, ExtendedAccessAlsoCoversRegistryEnterprisesWithAHazardSource) {
  TestDatabase fresh;
  fresh.exec(
      "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14010012345', "
      "'名单外化工有限公司', '140100')");
  fresh.exec(
      "INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('14010012345001', "
      "'14010012345', '罐区', 3)");
  fresh.exec(
      "INSERT INTO enterprise(company_code, name, region_code) VALUES ('14010012346', "
      "'无危险源化工有限公司', '140100')");
  auto report = RosterService(fresh.db()).import(roster_dir());
  EXPECT_EQ(report.enterprises_created, 182);
  EXPECT_EQ(report.tasks_created, 182 + 182 + 109 + 10 + 59 + 1);
  auto tx = fresh.db().begin();
  auto tasks = tx.exec(
      "SELECT task, deadline::text AS deadline FROM deployment_task WHERE company_code = "
      "'14010012345'");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["task"], "extended_access");
  EXPECT_EQ(tasks[0]["deadline"], "2021-10-31");
  EXPECT_EQ(
      tx.exec_one(
          "SELECT count(*) AS n FROM deployment_task WHERE company_code = '14010012346'")["n"],
      0);
}

TEST(RosterImport, MissingAttachmentFailsAndImportsNothing) {
  TestDatabase fresh;
  auto c = caught([&] { RosterService(fresh.db()).import(source_dir() / "no-such-roster-dir"); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->code, Errc::bad_request);
  auto tx = fresh.db().begin();
  EXPECT_EQ(tx.exec_one("SELECT count(*) AS n FROM enterprise")["n"], 0);
}
