// libFuzzer target: a camera row's stream URL and analyser settings, checked as a registry write
// checks them. The first byte picks the input's form:
//   even  the rest is one stream URL (model::parse_camera_url / check_camera_url, when the URL
//         allow-list of issue 9 is in the tree);
//   odd   the rest is a camera row as JSON: schemas/registry/cameras.schema.json (valijson, as
//         RegistryService validates it; its rtsp_url pattern is the URL check of the schema), then
//         video::check_camera_settings (analysers, rois, duty_schedule: every analyser is built
//         through make_analyser and its Settings getters, as hazmond's registry check does), and
//         the URL checks on rtsp_url and rtsp_sub_url, with the networks of "allowed" if given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <hazmon/config/json_schema.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/video/supervisor.hpp>

#if __has_include(<hazmon/model/camera_url.hpp>)
#include <hazmon/model/camera_url.hpp>
#define HAZMON_FUZZ_CAMERA_URL 1
#endif

using namespace hazmon;

namespace {
const config::JsonSchema& camera_schema() {
  static const config::JsonSchema schema = config::JsonSchema::from_file(
      std::string(HAZMON_SOURCE_DIR) + "/schemas/registry/cameras.schema.json");
  return schema;
}

void check_url(std::string_view text, const std::vector<std::string>& allowed_text) {
#ifdef HAZMON_FUZZ_CAMERA_URL
  auto parsed = model::parse_camera_url(text);
  if (parsed.url.has_value() == !parsed.error.empty()) std::abort();  // exactly one of them
  std::vector<model::Cidr> allowed;
  for (const auto& a : allowed_text) {
    if (auto c = model::Cidr::parse(a)) {
      // What parses prints as something that parses to the same network.
      auto again = model::Cidr::parse(c->to_string());
      if (!again || again->prefix != c->prefix || !(again->base == c->base)) std::abort();
      allowed.push_back(*c);
    }
  }
  static const auto kGatewayNet = model::Cidr::parse("10.20.0.0/16");
  if (allowed.empty() && kGatewayNet) allowed.push_back(*kGatewayNet);
  (void)model::check_camera_url(text, allowed, {8443, 9443});
  if (parsed.url) {
    const auto& u = *parsed.url;
    if (u.port < 1 || u.port > 65535) std::abort();
    if (u.address) {
      auto back = model::IpAddress::parse(u.address->to_string());
      if (!back || !(*back == *u.address)) std::abort();
      (void)model::check_camera_address(*u.address, u.port, allowed, {8443});
      (void)model::is_special_address(*u.address);
    }
    (void)u.with_host("10.20.0.7");
  }
#else
  (void)text;
  (void)allowed_text;
#endif
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    check_url(rest, {});
    return 0;
  }
  nlohmann::json row;
  try {
    row = nlohmann::json::parse(rest);
  } catch (const nlohmann::json::exception&) {
    return 0;  // the API refuses it before any check runs
  }
  (void)camera_schema().validate(row);
  if (!row.is_object()) return 0;
  auto get = [&row](const char* k) { return row.contains(k) ? row[k] : nlohmann::json::array(); };
  auto problems = video::check_camera_settings(get("analysers"), get("rois"), get("duty_schedule"));
  for (const auto& [pointer, message] : problems)
    if (pointer.rfind("/analysers", 0) != 0 || message.empty()) std::abort();
  std::vector<std::string> allowed;
  if (auto it = row.find("allowed"); it != row.end() && it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) allowed.push_back(a.get<std::string>());
  for (const char* k : {"rtsp_url", "rtsp_sub_url"})
    if (auto it = row.find(k); it != row.end() && it->is_string())
      check_url(it->get<std::string>(), allowed);
  return 0;
}
