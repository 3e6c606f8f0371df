// GET /api/v1/data-quality and /api/v1/reports over HTTPS: figures of a known day, scope (a
// city officer of another city sees nothing of it and gets 404 for its codes), CSV and XLSX
// downloads, report generation, listing, the HTML/XLSX/PDF downloads, and the e-mail with its
// attachments through a real SMTP server (tests/support/smtp_sink.py).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/report_service.hpp>
#include <hazmon/storage/data_quality_store.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// 晋中 (140700) has the enterprise; 运城 (140800) is the other city.
constexpr const char* kCounty = "140797";
constexpr const char* kCompany = "14079700001";
constexpr const char* kName = "质量接口甲化工有限公司";

unsigned short free_port() {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

bool accepts(unsigned short port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

// The sinks still running at exit (the world below lives until then): stopped by atexit so
// that no python process outlives the test binary.
std::vector<pid_t>& live_sinks() {
  static std::vector<pid_t> v;
  return v;
}
void stop_live_sinks() {
  for (pid_t p : live_sinks()) {
    ::kill(p, SIGTERM);
    int st = 0;
    ::waitpid(p, &st, 0);
  }
  live_sinks().clear();
}

// tests/support/smtp_sink.py on a port, writing each message as JSON under a temp dir.
struct SmtpSink {
  unsigned short port = free_port();
  fs::path dir = fs::temp_directory_path() / ("hazmon-rsink-" + core::random_hex(6));
  pid_t pid = -1;
  SmtpSink() {
    fs::create_directories(dir);
    std::string script = std::string(HAZMON_SOURCE_DIR) + "/tests/support/smtp_sink.py";
    std::string p = std::to_string(port), d = dir.string();
    const char* argv[] = {"/usr/bin/python3", script.c_str(), "--port", p.c_str(), "--dir",
                          d.c_str(),          nullptr};
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
      pid = -1;
    // The list first, so that it is destroyed after the handler has run (atexit order).
    static const bool registered = (live_sinks(), std::atexit(stop_live_sinks), true);
    (void)registered;
    if (pid > 0) live_sinks().push_back(pid);
    auto until = steady_clock::now() + seconds(15);
    while (pid > 0 && !accepts(port) && steady_clock::now() < until)
      std::this_thread::sleep_for(milliseconds(50));
  }
  ~SmtpSink() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int st = 0;
      ::waitpid(pid, &st, 0);
      std::erase(live_sinks(), pid);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::vector<json> messages() const {
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<json> out;
    for (auto& f : files) out.push_back(json::parse(std::ifstream(f)));
    return out;
  }
};

struct World {
  SmtpSink smtp;
  std::unique_ptr<TestServer> srv;
  std::string city_a, city_b, province;
  storage::BeijingDay day = 0;
  std::string day_text;
};

World* world() {
  static World* w = [] {
    auto* w = new World;
    w->srv = std::make_unique<TestServer>(shared_db(), [&] {
      TestServerOptions o;
      o.notify_smtp_url = "smtp://127.0.0.1:" + std::to_string(w->smtp.port);
      o.report_recipients = {"duty@yjt.example.org"};
      return o;
    }());
    auto& db = shared_db();
    db.exec(std::string("INSERT INTO region(code, name, level, parent_code) VALUES ('") + kCounty +
            "', '接口测试县', 'county', '140700')");
    db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code) VALUES ('") +
            kCompany + "', '" + kName + "', '" + kCounty + "')");
    db.exec(
        std::string("INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES ('") +
        kCompany + "001', '" + kCompany + "', '罐区', 2)");
    db.exec(std::string("INSERT INTO monitoring_point(quota_code, company_code, hazard_code, name, "
                        "indicator_type, value_kind, created_at) "
                        "VALUES ('QAPI1', '") +
            kCompany + "', '" + kCompany +
            "001', '储罐液位', 'level', 'analog', now() - interval '30 days')");
    // Yesterday (Beijing time, by the server's clock): a reading every minute of its first 12 h.
    w->day = storage::beijing_day_of(w->srv->clock().now()) - 1;
    w->day_text = storage::format_day(w->day);
    auto d0 = storage::beijing_day_start(w->day);
    auto d0_text = std::to_string(duration_cast<seconds>(d0.time_since_epoch()).count());
    db.exec(
        "INSERT INTO reading(point_id, collect_ts, value, quality, received_ts) SELECT (SELECT "
        "point_id FROM monitoring_point WHERE "
        "quota_code = 'QAPI1'), to_timestamp(" +
        d0_text + ") + make_interval(mins => i), 3, 0, to_timestamp(" + d0_text +
        ") + make_interval(mins => i, secs => 2) FROM generate_series(0, 719) i");
    w->srv->data_quality().refresh();
    w->city_a = w->srv->make_user("qa_city_a", "city_officer", "140700");
    w->city_b = w->srv->make_user("qa_city_b", "city_officer", "140800");
    w->province = w->srv->make_user("qa_province", "province_officer");
    return w;
  }();
  return w;
}

const json* item_of(const json& items, const std::string& company) {
  for (const auto& i : items)
    if (i.value("company_code", "") == company) return &i;
  return nullptr;
}

}  // namespace

TEST(DataQualityApi, FiguresOfTheKnownDay) {
  auto* w = world();
  auto r = w->srv->client().get(
      "/api/v1/data-quality?level=enterprise&from=" + w->day_text + "&to=" + w->day_text,
      w->city_a);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["from"], w->day_text);
  EXPECT_DOUBLE_EQ(j["target_online_rate"].get<double>(), 0.995);
  auto items = j["items"];
  const json* mine = item_of(items, kCompany);
  ASSERT_NE(mine, nullptr) << r.body;
  EXPECT_EQ((*mine)["company_name"], kName);
  EXPECT_EQ((*mine)["city_code"], "140700");
  EXPECT_EQ((*mine)["points"], 1);
  EXPECT_EQ((*mine)["received"], 720);
  EXPECT_EQ((*mine)["expected"], 1440);  // no gateway: data_quality.default_interval_s 60
  // Online: 719 one-minute gaps, the last reading (11:59) online for offline_after (300 s).
  EXPECT_DOUBLE_EQ((*mine)["online_rate"].get<double>(), (719.0 * 60 + 300) / 86400.0);
  EXPECT_DOUBLE_EQ((*mine)["completeness"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ((*mine)["timeliness"].get<double>(), 1.0);
  EXPECT_FALSE((*mine)["meets_target"].get<bool>());
  bool in_bottom = item_of(j["bottom"], kCompany) != nullptr;
  EXPECT_TRUE(in_bottom);
  // Point level names the point.
  auto p = w->srv->client().get(
      "/api/v1/data-quality?level=point&company_code=" + std::string(kCompany) +
          "&from=" + w->day_text + "&to=" + w->day_text,
      w->city_a);
  ASSERT_EQ(p.status, 200) << p.body;
  auto pj = p.json();
  ASSERT_EQ(pj["items"].size(), 1u);
  EXPECT_EQ(pj["items"][0]["quota_code"], "QAPI1");
  EXPECT_EQ(pj["items"][0]["point_name"], "储罐液位");
}

TEST(DataQualityApi, AnotherCitySeesNothingOfIt) {
  auto* w = world();
  auto c = w->srv->client();
  const std::string q = "&from=" + w->day_text + "&to=" + w->day_text;
  for (const char* level : {"point", "enterprise", "city"}) {
    auto r = c.get(std::string("/api/v1/data-quality?level=") + level + q, w->city_b);
    ASSERT_EQ(r.status, 200) << r.body;
    auto j = r.json();
    EXPECT_EQ(item_of(j["items"], kCompany), nullptr) << level;
    EXPECT_EQ(item_of(j["bottom"], kCompany), nullptr) << level;
    for (const auto& i : j["items"]) EXPECT_NE(i.value("city_code", ""), "140700") << level;
    EXPECT_EQ(r.body.find(kName), std::string::npos) << level;
  }
  EXPECT_EQ(
      c.get("/api/v1/data-quality?company_code=" + std::string(kCompany) + q, w->city_b).status,
      404);
  EXPECT_EQ(c.get("/api/v1/data-quality?city_code=140700" + q, w->city_b).status, 404);
  auto csv = c.get("/api/v1/data-quality?format=csv&level=point" + q, w->city_b);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find(kName), std::string::npos);
  // The province sees it.
  auto all = c.get("/api/v1/data-quality?level=enterprise&limit=1000" + q, w->province);
  ASSERT_EQ(all.status, 200);
  EXPECT_NE(item_of(all.json()["items"], kCompany), nullptr);
}

TEST(DataQualityApi, CsvAndXlsxDownloads) {
  auto* w = world();
  auto c = w->srv->client();
  const std::string q = "&level=point&from=" + w->day_text + "&to=" + w->day_text;
  auto csv = c.get("/api/v1/data-quality?format=csv" + q, w->city_a);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("content-type").rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.body.find("在线率"), std::string::npos);
  EXPECT_NE(csv.body.find(kName), std::string::npos);
  EXPECT_NE(csv.body.find("QAPI1"), std::string::npos);
  auto xlsx = c.get("/api/v1/data-quality?format=xlsx" + q, w->city_a);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  // The shared download helper (src/api/file_download.hpp): the ASCII name, the Chinese name
  // percent-encoded, and no caching of scoped figures.
  auto cd = xlsx.header("content-disposition");
  EXPECT_NE(cd.find("filename=\"data-quality-point-" + w->day_text + "-" + w->day_text + ".xlsx\""),
            std::string::npos)
      << cd;
  // 数据质量_点位_ as UTF-8, percent-encoded
  EXPECT_NE(cd.find("filename*=UTF-8''%E6%95%B0%E6%8D%AE%E8%B4%A8%E9%87%8F_%E7%82%B9%E4%BD%8D_" +
                    w->day_text),
            std::string::npos)
      << cd;
  EXPECT_EQ(xlsx.header("cache-control"), "no-store");
  EXPECT_EQ(csv.header("x-content-type-options"), "nosniff");
}

TEST(ReportApi, GenerateListDownloadAndMail) {
  auto* w = world();
  auto c = w->srv->client();
  auto made = c.post_json(
      "/api/v1/reports",
      {{"kind", "daily"}, {"date", w->day_text}, {"email", true}, {"replace", true}}, w->city_a);
  ASSERT_EQ(made.status, 201) << made.body;
  auto rep = made.json();
  const auto id = std::to_string(rep["id"].get<long long>());
  EXPECT_NE(rep["title"].get<std::string>().find("日报（晋中市）"), std::string::npos)
      << rep["title"];
  EXPECT_EQ(rep["scope_code"], "140700");
  EXPECT_EQ(rep["emailed_to"], 1);
  EXPECT_EQ(rep["created_by"], "qa_city_a");
  // The content's data-quality bottom list has the enterprise of the known day.
  EXPECT_NE(item_of(rep["content"]["data_quality_bottom"], kCompany), nullptr)
      << rep["content"].dump();

  auto list = c.get("/api/v1/reports?kind=daily", w->city_a);
  ASSERT_EQ(list.status, 200);
  auto lj = list.json();
  bool listed = false;
  for (const auto& r : lj["items"])
    listed = listed || std::to_string(r["id"].get<long long>()) == id;
  EXPECT_TRUE(listed);
  // Another city neither lists nor reads nor downloads it.
  auto other = c.get("/api/v1/reports", w->city_b);
  ASSERT_EQ(other.status, 200);
  auto oj = other.json();
  for (const auto& r : oj["items"]) EXPECT_NE(std::to_string(r["id"].get<long long>()), id);
  for (const char* suffix : {"", ".html", ".xlsx", ".pdf"})
    EXPECT_EQ(c.get("/api/v1/reports/" + id + suffix, w->city_b).status, 404) << suffix;

  auto html = c.get("/api/v1/reports/" + id + ".html", w->city_a);
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.header("content-type").rfind("text/html", 0), 0u);
  EXPECT_NE(html.body.find(rep["title"].get<std::string>()), std::string::npos);
  EXPECT_NE(html.body.find("需关注事项"), std::string::npos);
  auto xlsx = c.get("/api/v1/reports/" + id + ".xlsx", w->city_a);
  ASSERT_EQ(xlsx.status, 200);
  EXPECT_EQ(xlsx.body.substr(0, 2), "PK");
  auto pdf = c.get("/api/v1/reports/" + id + ".pdf", w->province);
  if (::access("/usr/bin/chromium", X_OK) == 0) {
    ASSERT_EQ(pdf.status, 200) << pdf.body;
    EXPECT_EQ(pdf.header("content-type"), "application/pdf");
    EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  } else {
    EXPECT_EQ(pdf.status, 503);
    EXPECT_EQ(pdf.json().value("code", ""), "unavailable");
  }

  // The e-mail: subject = title, the summary in the body, HTML and XLSX attached.
  std::vector<json> mails;
  for (int i = 0; i < 600 && mails.empty(); ++i) {  // up to 30 s on a loaded machine
    mails = w->smtp.messages();
    if (mails.empty()) std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["subject"], rep["title"]);
  EXPECT_EQ(mails[0]["rcpt_tos"][0], "duty@yjt.example.org");
  EXPECT_NE(mails[0]["body"].get<std::string>().find("点位在线率"), std::string::npos);
  ASSERT_EQ(mails[0]["attachments"].size(), 2u) << mails[0].dump();
  EXPECT_EQ(mails[0]["attachments"][0]["content_type"], "text/html");
  EXPECT_EQ(mails[0]["attachments"][1]["content_type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_GT(mails[0]["attachments"][1]["size"].get<int>(), 100);
  EXPECT_TRUE(mails[0]["defects"].empty()) << mails[0].dump();
}
