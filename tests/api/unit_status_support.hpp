#pragma once
// What the unit-status API tests (unit_status_test.cpp, unit_status_cell_test.cpp) both do: drive
// an HH alarm through the gateway's realtime upload and file a status. `W` is the test file's
// World: c(), at(offset) and gateway_a.
#include <chrono>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace hazmon::test::unit_status {

// HH (above 100) on `quota` of `company` at `ago` and `ago` - 40 s: an HH alarm at once (no
// debounce).
template <class W>
void exceed(W& w, const std::string& company, const std::string& data_id, const std::string& quota,
            std::chrono::system_clock::duration ago) {
  using nlohmann::json;
  using std::chrono::seconds;
  json body = {
      {"companyCode", company},
      {"dataId", data_id},
      {"reportType", "realtime"},
      {"sendTime", w.at(seconds(0))},
      {"datas",
       json::array(
           {{{"quotaCode", quota}, {"collectTime", w.at(-ago)}, {"value", 120.0}},
            {{"quotaCode", quota}, {"collectTime", w.at(-ago + seconds(40))}, {"value", 125.0}}})}};
  auto r = w.c().post_json("/api/v1/upload/realtime", body, w.gateway_a);
  if (r.status != 200 || r.json()["accepted"] != 2) throw std::runtime_error(r.body);
}

// POST /api/v1/unit-statuses as `as`, expecting `want`.
template <class W>
nlohmann::json file(W& w, const nlohmann::json& body, const std::string& as, int want = 201) {
  auto r = w.c().post_json("/api/v1/unit-statuses", body, as);
  if (r.status != want) throw std::runtime_error("file: " + std::to_string(r.status) + r.body);
  return r.json();
}

}  // namespace hazmon::test::unit_status
