// 3-D plant models (三维倾斜摄影, docs/plant-models.md) over HTTPS: an enterprise uploads its
// 3D Tiles tileset as a ZIP, lists it, and its files come back with their types and caching
// headers; its county reads them, another enterprise and another city's county do not (404),
// machine credentials do not (the role matrix); hostile archives (attacks 13.18-13.20: paths
// out of the archive, links, bombs, tilesets and glTF fetching from elsewhere) are refused with
// their code and store nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "plant_model_support.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

// 吕梁 (141100): 岚县 (141127) and 方山县 (141128), which no other API test uses; 大同 (140200)
// 灵丘县 (140224) as the other city.
constexpr const char* kCounty = "141127";
const std::string kA = "14112700001";
const std::string kB = "14112700002";
const std::string kC = "14112800001";
const std::string kOther = "14022400001";

struct World {
  std::unique_ptr<TestServer> srv;
  std::string admin, county, county_other, user_a, user_b, user_c, officer;
  HttpsClient c() const { return srv->client(); }
};

World& world() {
  static World* w = [] {
    auto w = new World;
    w->srv = std::make_unique<TestServer>(shared_db());
    w->admin = w->srv->make_user("pm_admin", "province_admin");
    auto c = w->srv->client();
    auto ok = [&](const HttpResult& r) {
      if (r.status / 100 != 2 && r.status != 409)
        throw std::runtime_error("plant model set-up: " + r.body);
    };
    for (auto [code, name, parent] :
         {std::tuple{kCounty, "岚县", "141100"}, std::tuple{"141128", "方山县", "141100"},
          std::tuple{"140224", "灵丘县", "140200"}})
      ok(c.post_json("/api/v1/regions",
                     {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}},
                     w->admin));
    for (const auto& [code, region] :
         {std::pair{kA, std::string(kCounty)}, std::pair{kB, std::string(kCounty)},
          std::pair{kC, std::string("141128")}, std::pair{kOther, std::string("140224")}})
      ok(c.post_json("/api/v1/enterprises",
                     {{"company_code", code},
                      {"name", "三维模型" + code + "化工有限公司"},
                      {"region_code", region}},
                     w->admin));
    w->county = w->srv->make_user("pm_county", "county_officer", kCounty);
    w->county_other = w->srv->make_user("pm_county_other", "county_officer", "140224");
    w->user_a = w->srv->make_user("pm_user_a", "enterprise_user", kA);
    w->user_b = w->srv->make_user("pm_user_b", "enterprise_user", kB);
    w->user_c = w->srv->make_user("pm_user_c", "enterprise_user", kC);
    w->officer = w->srv->make_user("pm_officer", "province_officer");
    return w;
  }();
  return *w;
}

HttpResult upload(const World& w, const std::string& code, const std::string& zip,
                  const std::string& token, const std::string& name = "%E5%8E%82%E5%8C%BA",
                  const std::string& type = "application/zip") {
  return w.c().request("POST", "/api/v1/upload/enterprises/" + code + "/plant-models?name=" + name,
                       zip, {{"Authorization", "Bearer " + token}, {"Content-Type", type}});
}

HttpResult get_with(const World& w, const std::string& target, const std::string& token,
                    const std::string& if_none_match) {
  return w.c().request("GET", target, {},
                       {{"Authorization", "Bearer " + token}, {"If-None-Match", if_none_match}});
}

long long models_of(const World& w, const std::string& code) {
  auto r = w.c().get("/api/v1/enterprises/" + code + "/plant-models", w.admin);
  if (r.status != 200) throw std::runtime_error("list: " + r.body);
  return r.json()["total"].get<long long>();
}

void remove_all(const World& w, const std::string& code) {
  auto list = w.c().get("/api/v1/enterprises/" + code + "/plant-models", w.admin).json();
  for (const auto& m : list["items"])
    w.c().del("/api/v1/plant-models/" + std::to_string(m["id"].get<long long>()), w.admin);
}

// The code before the colon of the first field error (docs/plant-models.md).
std::string code_of(const HttpResult& r) {
  auto j = r.json();
  if (!j.contains("errors") || j["errors"].empty()) return "(no errors) " + r.body;
  auto msg = j["errors"][0]["message"].get<std::string>();
  return msg.substr(0, msg.find(':'));
}

}  // namespace

TEST(PlantModelApi, AnEnterpriseUploadsItsTilesetAndTheViewerReadsItsFiles) {
  auto& w = world();
  remove_all(w, kA);
  auto c = w.c();
  auto glb = glb_box();
  auto tile = b3dm_of(glb);
  auto tileset = tileset_json("tiles/box.b3dm", 111.57, 38.47).dump();
  auto zip = make_zip(
      {{"tileset.json", tileset, true}, {"tiles/box.b3dm", tile, true}, {"tiles/extra.glb", glb}});
  auto up = upload(w, kA, zip, w.user_a);
  ASSERT_EQ(up.status, 201) << up.body;
  auto m = up.json();
  EXPECT_EQ(m["company_code"], kA);
  EXPECT_EQ(m["name"], "厂区");
  EXPECT_EQ(m["uploaded_by"], "pm_user_a");
  EXPECT_EQ(m["status"], "ready");
  EXPECT_EQ(m["file_count"], 3);
  EXPECT_EQ(m["archive_bytes"], zip.size());
  EXPECT_EQ(m["size_bytes"], tileset.size() + tile.size() + glb.size());
  // The centre of the root's box, through its east-north-up transform.
  ASSERT_TRUE(m["longitude"].is_number()) << up.body;
  EXPECT_NEAR(m["longitude"].get<double>(), 111.57, 1e-4);
  EXPECT_NEAR(m["latitude"].get<double>(), 38.47, 1e-4);
  EXPECT_TRUE(m["bounding_volume"].contains("box"));
  auto id = m["id"].get<long long>();
  auto base = "/api/v1/plant-models/" + std::to_string(id);
  EXPECT_EQ(m["tileset_url"], base + "/files/tileset.json");

  auto list = c.get("/api/v1/enterprises/" + kA + "/plant-models", w.user_a);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json()["total"], 1);
  EXPECT_EQ(list.json()["items"][0]["id"], id);
  EXPECT_EQ(c.get(base, w.user_a).json()["name"], "厂区");

  auto ts = c.get(base + "/files/tileset.json", w.user_a);
  ASSERT_EQ(ts.status, 200) << ts.body;
  EXPECT_EQ(ts.body, tileset);
  EXPECT_EQ(ts.header("content-type"), "application/json");
  auto b = c.get(base + "/files/tiles/box.b3dm", w.user_a);
  ASSERT_EQ(b.status, 200);
  EXPECT_EQ(b.body, tile);
  EXPECT_EQ(b.header("content-type"), "application/octet-stream");
  auto g = c.get(base + "/files/tiles/extra.glb", w.user_a);
  EXPECT_EQ(g.body, glb);
  EXPECT_EQ(g.header("content-type"), "model/gltf-binary");
  // Kept by the browser a day, by nobody else; the ETag answers 304.
  EXPECT_EQ(b.header("cache-control"), "private, max-age=86400");
  auto etag = b.header("etag");
  ASSERT_EQ(etag.size(), 66u) << etag;  // "<sha256>"
  auto again = get_with(w, base + "/files/tiles/box.b3dm", w.user_a, etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(get_with(w, base + "/files/tiles/box.b3dm", w.user_a, "\"other\"").status, 200);

  // Paths that are no file of the model.
  for (const char* p : {"/files/tiles/../tileset.json", "/files/tiles/%2E%2E/tileset.json",
                        "/files/tiles/none.b3dm", "/files/TILESET.JSON", "/files/tiles",
                        "/files/..%2Ftileset.json"})
    EXPECT_EQ(c.get(base + p, w.user_a).status, 404) << p;

  // The county reads it; the enterprise deletes it and its files are gone.
  EXPECT_EQ(c.get(base + "/files/tiles/box.b3dm", w.county).status, 200);
  EXPECT_EQ(c.get(base + "/files/tileset.json", w.officer).status, 200);
  EXPECT_EQ(c.del(base, w.user_a).status, 204);
  EXPECT_EQ(c.get(base + "/files/tileset.json", w.user_a).status, 404);
  EXPECT_EQ(c.get(base, w.user_a).status, 404);
  EXPECT_EQ(models_of(w, kA), 0);
}

TEST(PlantModelApi, AZippedFolderAndAnExternalTilesetAreAccepted) {
  auto& w = world();
  remove_all(w, kB);
  json root = tileset_json("child/tileset.json");
  auto zip = make_zip({{"厂区模型/tileset.json", root.dump()},
                       {"厂区模型/child/tileset.json", tileset_json("box.b3dm").dump()},
                       {"厂区模型/child/box.b3dm", b3dm_of(glb_box()), true}});
  auto up = upload(w, kB, zip, w.county);
  ASSERT_EQ(up.status, 201) << up.body;
  auto base = "/api/v1/plant-models/" + std::to_string(up.json()["id"].get<long long>());
  EXPECT_EQ(up.json()["file_count"], 3);
  EXPECT_EQ(w.c().get(base + "/files/tileset.json", w.user_b).status, 200);
  EXPECT_EQ(w.c().get(base + "/files/child/box.b3dm", w.user_b).status, 200);
  remove_all(w, kB);
}

TEST(PlantModelApi, ModelsStayInsideTheScope) {
  auto& w = world();
  remove_all(w, kA);
  auto c = w.c();
  auto up = upload(w, kA, good_model_zip(), w.user_a);
  ASSERT_EQ(up.status, 201) << up.body;
  auto base = "/api/v1/plant-models/" + std::to_string(up.json()["id"].get<long long>());
  // Another enterprise of the same county, and another city's county: as if absent.
  for (const auto* token : {&w.user_b, &w.user_c, &w.county_other}) {
    EXPECT_EQ(c.get(base, *token).status, 404);
    EXPECT_EQ(c.get(base + "/files/tileset.json", *token).status, 404);
    EXPECT_EQ(c.get(base + "/files/tiles/box.b3dm", *token).status, 404);
    EXPECT_EQ(c.get("/api/v1/enterprises/" + kA + "/plant-models", *token).status, 404);
    EXPECT_EQ(c.del(base, *token).status, 404);
    EXPECT_EQ(upload(w, kA, good_model_zip(), *token).status, 404);
  }
  // An enterprise cannot put a model on another's file, even a well-formed one.
  EXPECT_EQ(upload(w, kOther, good_model_zip(), w.user_a).status, 404);
  EXPECT_EQ(models_of(w, kOther), 0);
  // A province officer reads but neither uploads nor deletes.
  EXPECT_EQ(c.get(base, w.officer).status, 200);
  EXPECT_EQ(upload(w, kA, good_model_zip(), w.officer).status, 403);
  EXPECT_EQ(c.del(base, w.officer).status, 403);
  EXPECT_EQ(models_of(w, kA), 1);
  // A model's files stay with their model: another model's id does not reach them.
  EXPECT_EQ(c.get("/api/v1/plant-models/999999999/files/tileset.json", w.admin).status, 404);
  remove_all(w, kA);
}

TEST(PlantModelApi, AnEnterpriseKeepsAtMostFiveModels) {
  auto& w = world();
  remove_all(w, kC);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(upload(w, kC, good_model_zip(), w.user_c).status, 201);
  auto sixth = upload(w, kC, good_model_zip(), w.user_c);
  EXPECT_EQ(sixth.status, 409) << sixth.body;
  EXPECT_EQ(models_of(w, kC), 5);
  remove_all(w, kC);
}

// Attacks 13.18 and 13.19: each archive is refused whole, with its code, and nothing is kept.
TEST(PlantModelAttack, HostileArchivesAreRefusedAndStoreNothing) {
  auto& w = world();
  remove_all(w, kA);
  auto ts = tileset_json("box.glb").dump();
  auto glb = glb_box();
  auto with = [&](std::vector<ZipEntry> extra) {
    std::vector<ZipEntry> e{{"tileset.json", ts}, {"box.glb", glb}};
    for (auto& x : extra) e.push_back(std::move(x));
    return make_zip(e);
  };
  std::string zeros(10u << 20, '\0');
  std::vector<ZipEntry> many{{"tileset.json", ts}, {"box.glb", glb}};
  for (int i = 0; i < 2000; ++i) many.push_back({"t/" + std::to_string(i) + ".bin", "x"});
  struct Case {
    const char* what;
    std::string zip;
    const char* code;
  };
  std::vector<Case> cases{
      {"zip-slip", with({{"../evil.glb", glb}}), "unsafe_path"},
      {"deep zip-slip", with({{"tiles/../../evil.glb", glb}}), "unsafe_path"},
      {"absolute", with({{"/etc/evil.glb", glb}}), "unsafe_path"},
      {"backslash", with({{"..\\evil.glb", glb}}), "unsafe_path"},
      {"drive", with({{"C:/evil.glb", glb}}), "unsafe_path"},
      {"symlink", with({{"link.glb", "/etc/passwd", false, 0120777}}), "symlink"},
      {"device", with({{"dev.bin", "", false, 0020644}}), "unsafe_path"},
      {"bomb", with({{"bomb.bin", zeros, true}}), "ratio"},
      {"lying size", with({{"lie.bin", std::string(4096, 'a'), true, 0, 10}}), "not_zip"},
      {"entries", make_zip(many), "too_many_entries"},
      {"html", with({{"index.html", "<script>alert(1)</script>"}}), "file_type"},
      {"svg", with({{"logo.svg", "<svg onload=alert(1)>"}}), "file_type"},
      // libzip's consistency check (ZIP_CHECKCONS) refuses two entries of one name on opening.
      {"duplicate", with({{"box.glb", glb}}), "not_zip"},
      {"not a zip", "PK\x03\x04 this is not an archive", "not_zip"},
      {"no tileset", make_zip({{"box.glb", glb}}), "no_tileset"},
      {"bad json", make_zip({{"tileset.json", "{\"asset\":"}, {"box.glb", glb}}), "bad_tileset"},
      {"no root", make_zip({{"tileset.json", R"({"asset":{"version":"1.1"}})"}}), "bad_tileset"},
      {"external url",
       make_zip({{"tileset.json", tileset_json("https://evil.example/x.b3dm").dump()}}),
       "outside_reference"},
      {"protocol-relative",
       make_zip({{"tileset.json", tileset_json("//evil.example/x.glb").dump()}}),
       "outside_reference"},
      {"above the folder",
       make_zip({{"tileset.json", tileset_json("../box.glb").dump()}, {"box.glb", glb}}),
       "outside_reference"},
      {"encoded dots",
       make_zip({{"tileset.json", tileset_json("%2E%2E/box.glb").dump()}, {"box.glb", glb}}),
       "outside_reference"},
      {"missing tile", make_zip({{"tileset.json", tileset_json("none.b3dm").dump()}}),
       "missing_file"},
  };
  auto evil_glb = glb_box(5, {{"images", {{{"uri", "https://evil.example/t.png"}}}}});
  cases.push_back({"glTF image from elsewhere",
                   make_zip({{"tileset.json", ts}, {"box.glb", evil_glb}}), "outside_reference"});
  cases.push_back(
      {"b3dm's glTF buffer from elsewhere",
       make_zip({{"tileset.json", tileset_json("box.b3dm").dump()},
                 {"box.b3dm",
                  b3dm_of(glb_box(
                      5, {{"buffers", {{{"byteLength", 168}, {"uri", "file:///etc/passwd"}}}}}))}}),
       "outside_reference"});
  for (const auto& k : cases) {
    auto r = upload(w, kA, k.zip, w.user_a);
    EXPECT_EQ(r.status, 422) << k.what << ": " << r.body;
    if (r.status == 422) {
      EXPECT_EQ(code_of(r), k.code) << k.what << ": " << r.body;
    }
  }
  EXPECT_EQ(models_of(w, kA), 0);
  // The same archive without the hostile entry is accepted: the cases fail for what they add.
  EXPECT_EQ(upload(w, kA, with({}), w.user_a).status, 201);
  remove_all(w, kA);
}

TEST(PlantModelAttack, TheBodyMustBeAZipAndTheModelNamed) {
  auto& w = world();
  remove_all(w, kA);
  auto zip = good_model_zip();
  EXPECT_EQ(upload(w, kA, zip, w.user_a, "x", "application/json").status, 415);
  EXPECT_EQ(upload(w, kA, zip, w.user_a, "").status, 422);
  EXPECT_EQ(upload(w, kA, zip, w.user_a, std::string(101, 'a')).status, 422);
  EXPECT_EQ(upload(w, kA, zip, w.user_a, "a%0Ab").status, 422);
  EXPECT_EQ(upload(w, kA, zip, w.user_a, std::string(100, 'a')).status, 201);
  EXPECT_EQ(upload(w, "1411270000", zip, w.admin).status, 404);
  EXPECT_EQ(models_of(w, kA), 1);
  remove_all(w, kA);
}
