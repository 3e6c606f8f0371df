#include <hazmon/model/patrol.hpp>

namespace hazmon::model {

bool is_patrol_kind(std::string_view s) { return s == "online" || s == "onsite"; }

bool is_finding_severity(std::string_view s) {
  return s == "general" || s == "serious" || s == "major";
}

const std::vector<std::string>& patrol_subjects() {
  static const std::vector<std::string> k = {"realtime",   "video",   "alarms",    "warnings",
                                             "commitment", "permits", "documents", "site"};
  return k;
}

}  // namespace hazmon::model
