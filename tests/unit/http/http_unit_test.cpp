#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <hazmon/http/message.hpp>
#include <hazmon/http/problem.hpp>
#include <hazmon/http/router.hpp>
#include <hazmon/http/static_files.hpp>

#include <filesystem>
#include <fstream>

using namespace hazmon;
using namespace hazmon::http;
namespace fs = std::filesystem;

TEST(PercentDecode, DecodesAndRejectsNulAndBadEscapes) {
  std::string out;
  EXPECT_TRUE(percent_decode("/a%20b", out, false));
  EXPECT_EQ(out, "/a b");
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_TRUE(percent_decode("a+b", out, false));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(percent_decode("%00", out, false));
  EXPECT_FALSE(percent_decode("%zz", out, false));
  EXPECT_FALSE(percent_decode("%4", out, false));
  EXPECT_TRUE(percent_decode("%E5%A4%AA", out, false));
  EXPECT_EQ(out, "太");
}

TEST(Router, MatchesPlaceholdersAndReportsWrongMethod) {
  Router r;
  r.add("GET", "/api/v1/items/{id}", [](Request&) { return Response::json(200, "{}"); });
  Request q;
  q.method = "GET";
  q.path = "/api/v1/items/42";
  auto m = r.match(q);
  ASSERT_TRUE(m.route);
  EXPECT_EQ(q.params["id"], "42");
  q.method = "DELETE";
  m = r.match(q);
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.path_known);
  q.path = "/api/v1/other/42";
  m = r.match(q);
  EXPECT_FALSE(m.route);
  EXPECT_FALSE(m.path_known);
}

// Found by tests/fuzz (corpus/http_request/crash-fc6dc9d4...): the 405 for a fixed path whose
// other method also fits a pattern came with an empty Allow header.
TEST(Router, FixedPathWithAnotherMethodIs405WithItsMethodsInAllow) {
  Router r;
  r.add("POST", "/api/v1/auth/login", [](Request&) { return Response::no_content(); });
  r.add("GET", "/api/v1/{collection}/{id}", [](Request&) { return Response::no_content(); });
  Request q;
  q.method = "GET";
  q.path = "/api/v1/auth/login";
  auto m = r.match(q);
  EXPECT_FALSE(m.route);
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.allow, "POST");
  q.path = "/api/v1/cameras/7";
  m = r.match(q);
  ASSERT_TRUE(m.route);
  EXPECT_EQ(q.params["id"], "7");
}

TEST(Problem, BodyCarriesCodeRequestIdAndFields) {
  core::Error e(core::Errc::validation_failed, "bad", {{"/l", "too high"}});
  auto r = problem(e, "req-1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["code"], "validation_failed");
  EXPECT_EQ(j["request_id"], "req-1");
  EXPECT_EQ(j["errors"][0]["pointer"], "/l");
}

TEST(Problem, InternalErrorsHideTheirText) {
  core::Error e(core::Errc::internal, "ERROR: relation \"x\" does not exist");
  auto r = problem(e, "req-2");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("relation"), std::string::npos);
}

TEST(Problem, StatusTableCoversEveryCode) {
  using core::Errc;
  EXPECT_EQ(status_for(Errc::bad_request), 400);
  EXPECT_EQ(status_for(Errc::unauthenticated), 401);
  EXPECT_EQ(status_for(Errc::forbidden), 403);
  EXPECT_EQ(status_for(Errc::not_found), 404);
  EXPECT_EQ(status_for(Errc::conflict), 409);
  EXPECT_EQ(status_for(Errc::too_large), 413);
  EXPECT_EQ(status_for(Errc::unsupported_media), 415);
  EXPECT_EQ(status_for(Errc::validation_failed), 422);
  EXPECT_EQ(status_for(Errc::throttled), 429);
  EXPECT_EQ(status_for(Errc::unavailable), 503);
}

TEST(Request, BearerTokenParsing) {
  Request q;
  q.headers = {{"authorization", "Bearer abc.def"}};
  EXPECT_EQ(q.bearer_token(), "abc.def");
  q.headers = {{"authorization", "bearer   xyz  "}};
  EXPECT_EQ(q.bearer_token(), "xyz");
  q.headers = {{"authorization", "Basic dXNlcjpwYXNz"}};
  EXPECT_EQ(q.bearer_token(), "");
}

TEST(StaticFiles, ServesInsideRootOnly) {
  auto root = fs::temp_directory_path() / "hazmon-static-test" / "www";
  fs::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "INDEX";
  std::ofstream(root / "assets" / "app.js") << "JS";
  std::ofstream(root.parent_path() / "secret.txt") << "SECRET";
  auto h = make_static_handler(root);
  auto get = [&](std::string path) {
    Request q;
    q.method = "GET";
    q.path = std::move(path);
    q.request_id = "t";
    return h(q);
  };
  EXPECT_EQ(get("/").body, "INDEX");
  auto js = get("/assets/app.js");
  EXPECT_EQ(js.body, "JS");
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/some/client/route").body, "INDEX");
  EXPECT_EQ(get("/missing.png").status, 404);
  for (auto p : {"/../secret.txt", "/assets/../../secret.txt", "/.hidden", "/a\\..\\secret.txt",
                 "//etc/passwd"}) {
    auto r = get(p);
    EXPECT_EQ(r.status, 400) << p;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << p;
  }
  fs::remove_all(root.parent_path());
}

// dashboard.map_file: the operator's standard map replaces the shipped one at the same URL.
TEST(StaticFiles, OverrideServesTheOperatorsFileAtTheFixedPath) {
  auto base = fs::temp_directory_path() / "hazmon-static-override-test";
  fs::create_directories(base / "www" / "maps");
  std::ofstream(base / "www" / "index.html") << "INDEX";
  std::ofstream(base / "www" / "maps" / "shanxi.geojson") << "SHIPPED";
  std::ofstream(base / "approved.geojson") << "APPROVED";
  auto get = [](Handler& h, std::string path) {
    Request q;
    q.method = "GET";
    q.path = std::move(path);
    q.request_id = "t";
    return h(q);
  };
  auto plain = make_static_handler(base / "www");
  EXPECT_EQ(get(plain, "/maps/shanxi.geojson").body, "SHIPPED");
  auto h = make_static_handler(base / "www", {{"/maps/shanxi.geojson", base / "approved.geojson"}});
  auto r = get(h, "/maps/shanxi.geojson");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "APPROVED");
  EXPECT_EQ(r.content_type, "application/geo+json");
  EXPECT_EQ(get(h, "/").body, "INDEX");
  EXPECT_EQ(get(h, "/maps/../approved.geojson").status, 400);
  auto missing =
      make_static_handler(base / "www", {{"/maps/shanxi.geojson", base / "gone.geojson"}});
  EXPECT_EQ(get(missing, "/maps/shanxi.geojson").status, 404);
  fs::remove_all(base);
}
