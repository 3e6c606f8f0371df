#pragma once
// An enterprise with a hazard source, a gateway, an analog level point (L/H/HH, 30 s debounce,
// 0.5 m deadband) and a grounding switch, plus a gateway credential (SM4 envelope), each fixture
// with its own codes in the shared test database. Used by the ingest API tests.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

#include "test_server.hpp"

namespace hazmon::test {

inline int next_ingest_fixture() {
  static int n = 10;
  return n++;
}

struct IngestFixture {
  int n = next_ingest_fixture();
  std::string kCompany = "140100000" + std::to_string(n);
  std::string kHazard = kCompany + "001";
  std::string kGateway = "GW1401000" + std::to_string(n);
  std::string kLevel = "LIT" + std::to_string(n);
  std::string kSwitch = "JD" + std::to_string(n);
  TestServer srv;
  HttpsClient c = srv.client();
  std::string admin, gateway;
  nlohmann::json envelope;

  // offline_after_s: the points' offline timer (the tests that drive it want it short).
  explicit IngestFixture(int offline_after_s = 120) : srv(shared_db(), options(offline_after_s)) {
    admin = srv.make_user("ingest_admin" + std::to_string(n), "province_admin");
    auto ok = [&](const HttpResult& r) {
      if (r.status != 201) throw std::runtime_error(r.body);
    };
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", kCompany},
                    {"name", "测试化工有限公司" + std::to_string(n)},
                    {"region_code", "140100"}},
                   admin));
    ok(c.post_json(
        "/api/v1/hazard-sources",
        {{"hazard_code", kHazard}, {"company_code", kCompany}, {"name", "罐区"}, {"rank", 2}},
        admin));
    ok(c.post_json("/api/v1/gateways",
                   {{"gateway_code", kGateway}, {"company_code", kCompany}, {"name", "网关1"}},
                   admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kLevel},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"gateway_code", kGateway},
                    {"name", "1#罐液位"},
                    {"indicator_type", "level"},
                    {"value_kind", "analog"},
                    {"unit", "m"},
                    {"range_low", 0},
                    {"range_high", 20},
                    {"l", 2},
                    {"h", 15},
                    {"hh", 18},
                    {"debounce_s", 30},
                    {"deadband", 0.5}},
                   admin));
    ok(c.post_json("/api/v1/monitoring-points",
                   {{"quota_code", kSwitch},
                    {"company_code", kCompany},
                    {"hazard_code", kHazard},
                    {"name", "静电接地"},
                    {"indicator_type", "grounding"},
                    {"value_kind", "switch"},
                    {"debounce_s", 0}},
                   admin));
    auto cred = c.post_json("/api/v1/credentials",
                            {{"kind", "gateway"},
                             {"scope", {{"kind", "enterprise"}, {"code", kCompany}}},
                             {"envelope_cipher", "sm4-cbc"}},
                            admin);
    if (cred.status != 201) throw std::runtime_error(cred.body);
    gateway =
        cred.json()["app_id"].get<std::string>() + "." + cred.json()["secret"].get<std::string>();
    envelope = cred.json()["envelope"];
  }

  static TestServerOptions options(int offline_after_s) {
    TestServerOptions o;
    o.offline_after_s = offline_after_s;
    return o;
  }

  std::string at(int seconds_ago) {
    return core::format_rfc3339(srv.clock().now() - std::chrono::seconds(seconds_ago));
  }

  nlohmann::json upload(const std::string& data_id, nlohmann::json datas,
                        const std::string& type = "realtime") {
    return {{"companyCode", kCompany}, {"gatewayCode", kGateway}, {"dataId", data_id},
            {"reportType", type},      {"sendTime", at(0)},       {"datas", std::move(datas)}};
  }
  nlohmann::json item(const std::string& quota, int seconds_ago, double v) {
    return {{"quotaCode", quota}, {"collectTime", at(seconds_ago)}, {"value", v}};
  }
};

}  // namespace hazmon::test
