#include <gtest/gtest.h>

#include <hazmon/config/config.hpp>
#include <hazmon/config/json_schema.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace hazmon::config;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
std::vector<hazmon::core::FieldError> errors_of(const json& doc) {
  try {
    validate_config(doc);
  } catch (const ConfigError& e) {
    return e.fields();
  }
  return {};
}
}  // namespace

TEST(Config, DefaultsAreFilledIn) {
  auto cfg = default_config();
  EXPECT_EQ(cfg["http"]["port"], 8443);
  EXPECT_EQ(cfg["http"]["tls"]["cert_file"], "");
  EXPECT_EQ(cfg["database"]["embedded"]["run_as"], "postgres");
  EXPECT_EQ(cfg["auth"]["login_max_failures"], 5);
}

TEST(Config, UnknownKeyIsNamed) {
  auto errs = errors_of(json{{"http", {{"prot", 1}}}});
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/http");
  EXPECT_NE(errs[0].message.find("prot"), std::string::npos) << errs[0].message;
}

TEST(Config, WrongTypeAndOutOfRangeArePointedAt) {
  auto errs = errors_of(json{{"http", {{"port", "8443"}}}});
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/http/port");
  errs = errors_of(json{{"http", {{"port", 70000}}}});
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/http/port");
  errs = errors_of(json{{"log", {{"level", "loud"}}}});
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/log/level");
}

TEST(Config, ShippedConfigsAreValid) {
  for (auto f : {"config/hazmond.example.json", "config/demo.json", "deploy/hazmond.prod.json"}) {
    EXPECT_NO_THROW(load_config(fs::path(HAZMON_SOURCE_DIR) / f)) << f;
  }
}

// ADR 0026: a city instance must know where, as whom and how to verify the province.
TEST(Config, CityModeRefusesAnIncompleteFederationBlock) {
  EXPECT_TRUE(errors_of(json{{"mode", "province"}}).empty());  // the block is city mode's only
  auto errs = errors_of(json{{"mode", "city"}});
  ASSERT_EQ(errs.size(), 4u);
  EXPECT_EQ(errs[0].pointer, "/federation/province_url");
  EXPECT_EQ(errs[3].pointer, "/federation/region_code");
  json city = {{"mode", "city"},
               {"federation",
                {{"province_url", "https://province.example:8443"},
                 {"app_id", "app-1"},
                 {"ca_file", "province-ca.pem"},
                 {"region_code", "140700"}}}};
  EXPECT_TRUE(errors_of(city).empty());
  city["federation"]["province_url"] = "http://province.example";  // https only
  EXPECT_FALSE(errors_of(city).empty());
  city["federation"]["province_url"] = "https://province.example";
  city["federation"]["region_code"] = "14070";
  errs = errors_of(city);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/federation/region_code");
  city["federation"]["region_code"] = "140700";
  EXPECT_EQ(validate_config(city)["federation"]["batch_size"], 100);
}

// Issue 9: where cameras may point. Keys are "*" or an enterprise-code prefix, values CIDR lists.
TEST(Config, CameraNetworksAreValidatedAndDefaultToOrdinaryAddresses) {
  auto cfg = default_config();
  // Only the enterprises' video gateways until the operator lists the VPN's camera networks.
  EXPECT_EQ(cfg["video"]["allowed_networks"], json::object());
  EXPECT_EQ(cfg["video"]["give_up_after_s"], 3600);
  EXPECT_TRUE(errors_of(json{{"video",
                              {{"allowed_networks",
                                {{"*", json::array()},
                                 {"1403", {"10.3.0.0/16"}},
                                 {"14030000001", {"192.168.1.7", "fd00::/8"}}}}}}})
                  .empty());
  EXPECT_FALSE(
      errors_of(json{{"video", {{"allowed_networks", {{"taiyuan", {"10.0.0.0/8"}}}}}}}).empty());
  EXPECT_FALSE(errors_of(json{{"video", {{"allowed_networks", {{"*", {"10.0.0.0/8; rm -rf /"}}}}}}})
                   .empty());
  EXPECT_FALSE(errors_of(json{{"video", {{"allowed_networks", {{"*", "10.0.0.0/8"}}}}}}).empty());
  EXPECT_FALSE(errors_of(json{{"video", {{"give_up_after_s", -1}}}}).empty());
}

TEST(Config, BrokenJsonFileIsReported) {
  auto p = fs::temp_directory_path() / "hazmon-broken-config.json";
  std::ofstream(p) << "{\"http\": ";
  EXPECT_THROW(load_config(p), ConfigError);
  fs::remove(p);
  EXPECT_THROW(load_config("/nonexistent/hazmond.json"), ConfigError);
}

// Found by tests/fuzz (corpus/config/crash-af301f9a...): a number beyond double's range made
// nlohmann throw out_of_range, which escaped load_config instead of a ConfigError.
TEST(Config, NumberOutOfRangeIsReportedAsBrokenJson) {
  auto p = fs::temp_directory_path() / "hazmon-huge-number-config.json";
  std::ofstream(p) << "{\"http\": {\"port\": 1e11111}}";
  try {
    load_config(p);
    ADD_FAILURE() << "loaded";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("is not valid JSON"), std::string::npos) << e.what();
  }
  fs::remove(p);
}

TEST(Secrets, EnvironmentWinsAndLooseFilesAreRefused) {
  auto p = fs::temp_directory_path() / "hazmon-secret-test";
  std::ofstream(p) << "host=db password=s3cret\n";
  ::chmod(p.c_str(), 0600);
  EXPECT_EQ(read_secret("", p.string()), "host=db password=s3cret");
  ::setenv("HAZMON_TEST_SECRET_ENV", "from-env", 1);
  EXPECT_EQ(read_secret("HAZMON_TEST_SECRET_ENV", p.string()), "from-env");
  ::unsetenv("HAZMON_TEST_SECRET_ENV");
  ::chmod(p.c_str(), 0644);
  EXPECT_THROW(read_secret("", p.string()), ConfigError);
  fs::remove(p);
  EXPECT_FALSE(read_secret("", "/nonexistent/secret").has_value());
}

TEST(JsonSchema, RegistrySchemasRejectUnknownFieldsAndBadCodes) {
  auto s = JsonSchema::from_file(fs::path(HAZMON_SOURCE_DIR) /
                                 "schemas/registry/enterprises.schema.json");
  json ok = {
      {"company_code", "14010000012"}, {"name", "某化工有限公司"}, {"region_code", "140100"}};
  EXPECT_TRUE(s.validate(ok).empty());
  auto bad = ok;
  bad["company_code"] = "1401000001";
  auto errs = s.validate(bad);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].pointer, "/company_code");
  bad = ok;
  bad["colour"] = "red";
  EXPECT_FALSE(s.validate(bad).empty());
}

TEST(JsonSchema, EquipmentAppendixFollowsType) {
  auto s =
      JsonSchema::from_file(fs::path(HAZMON_SOURCE_DIR) / "schemas/registry/equipment.schema.json");
  json tank = {{"equip_code", "14010000012001G0001"},
               {"company_code", "14010000012"},
               {"hazard_code", "14010000012001"},
               {"equip_type", "G0"},
               {"name", "1#储罐"},
               {"detail", {{"tank_type", "vertical"}, {"volume_m3", 1000}}}};
  EXPECT_TRUE(s.validate(tank).empty());
  tank["detail"] = {{"positions", 4}};  // a loading-platform field on a tank
  EXPECT_FALSE(s.validate(tank).empty());
}
