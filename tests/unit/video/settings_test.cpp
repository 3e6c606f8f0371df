// make_analyser: every setting is checked, and bad ones are refused with a message that names
// the analyser and the key (the camera API shows it to the person configuring the camera).
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>

#include "analyser.hpp"

using hazmon::core::Errc;
using hazmon::core::Error;
using hazmon::video::make_analyser;
using nlohmann::json;

namespace {

const json kRois =
    json::parse(R"([{"name":"desk","polygon":[[0.1,0.1],[0.9,0.1],[0.9,0.9],[0.1,0.9]]},
                                   {"name":"floor","polygon":[[0,0.6],[1,0.6],[1,1],[0,1]]}])");

// The message of the Error thrown for `entry`, or "" when it was accepted.
std::string refusal(const json& entry, const json& rois = kRois, const json& duty = json::array()) {
  try {
    make_analyser(entry, rois, duty);
    return "";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::validation_failed) << e.what();
    return e.what();
  }
}

}  // namespace

TEST(AnalyserSettings, AcceptsEveryTypeWithDefaultsAndNamesIt) {
  for (const char* type : {"leave_post", "fire", "smoke", "fire_smoke", "leak", "camera_health"}) {
    auto a = make_analyser(json{{"type", type}}, kRois, json::array());
    ASSERT_TRUE(a) << type;
    EXPECT_EQ(a->name(), type);
    EXPECT_GT(a->interval().count(), 0);
  }
}

TEST(AnalyserSettings, IntervalAndRoiAreRead) {
  auto a = make_analyser(json{{"type", "fire"}, {"roi", "desk"}, {"interval_ms", 2500}}, kRois,
                         json::array());
  EXPECT_EQ(a->interval(), std::chrono::milliseconds(2500));
  a = make_analyser(json{{"type", "leave_post"}, {"interval_s", 0.5}, {"absent_s", 5}}, kRois,
                    json::array());
  EXPECT_EQ(a->interval(), std::chrono::milliseconds(500));
  a = make_analyser(
      json::parse(R"({"type":"fire_smoke","fire":{"interval_s":3},"smoke":{"interval_s":2}})"),
      kRois, json::array());
  EXPECT_EQ(a->interval(), std::chrono::milliseconds(2000));  // the smaller of the parts
}

TEST(AnalyserSettings, RefusesBadEntriesWithAClearMessage) {
  struct Case {
    const char* entry;
    const char* says;
  };
  const Case cases[] = {
      {R"({"kind":"fire"})", "type"},
      {R"({"type":"teleport"})", "unknown analyser type"},
      {R"({"type":"fire","treshold":0.5})", "'treshold': unknown setting"},
      {R"({"type":"fire","threshold":1.5})", "'threshold': must be between"},
      {R"({"type":"fire","threshold":"high"})", "must be a number"},
      {R"({"type":"fire","k":6,"n":5})", "'k': must not exceed n"},
      {R"({"type":"fire","grid":2.5})", "must be an integer"},
      {R"({"type":"fire","roi":"kitchen"})", "no ROI named 'kitchen'"},
      {R"({"type":"fire","interval_ms":10})", "'interval_ms'"},
      {R"({"type":"fire","interval_ms":1000,"interval_s":1})", "not both"},
      {R"({"type":"leave_post","absent_minutes":10,"absent_s":5})", "not both"},
      {R"({"type":"leave_post","absent_minutes":0})", "'absent_minutes'"},
      {R"({"type":"leave_post","point":"head"})", "'point'"},
      {R"({"type":"leave_post","return_m":4,"return_n":3})", "return_m"},
      {R"({"type":"leave_post","min_persons":0})", "'min_persons'"},
      {R"({"type":"smoke","sat_max":300})", "'sat_max'"},
      {R"({"type":"fire_smoke","fire":{"k":9,"n":5}})", "fire_smoke.fire"},
      {R"({"type":"fire_smoke","smoke":{"colour":1}})", "fire_smoke.smoke, setting 'colour'"},
      {R"({"type":"fire_smoke","fire":3})", "must be an object"},
      {R"({"type":"leak","liquid":{"min_area":0.1}})", "ground_roi"},
      {R"({"type":"leak","ground_roi":"basement"})", "no ROI named 'basement'"},
      {R"({"type":"leak","vapour":false})", "vapour on or a ground_roi"},
      {R"({"type":"camera_health","roi":"desk"})", "whole picture"},
      {R"({"type":"camera_health","frozen_samples":1})", "'frozen_samples'"},
  };
  for (const auto& c : cases) {
    auto msg = refusal(json::parse(c.entry));
    EXPECT_NE(msg.find(c.says), std::string::npos) << c.entry << " -> \"" << msg << "\"";
  }
}

TEST(AnalyserSettings, LeakWithGroundRoiAndNoVapourIsAccepted) {
  EXPECT_EQ(refusal(json::parse(
                R"({"type":"leak","vapour":false,"ground_roi":"floor","liquid":{"k":3,"n":4}})")),
            "");
}

TEST(AnalyserSettings, RefusesMalformedRoisAndDutySchedules) {
  auto roi_with = [](const char* polygon) {
    return json::array({json{{"name", "desk"}, {"polygon", json::parse(polygon)}}});
  };
  EXPECT_NE(refusal(json{{"type", "fire"}, {"roi", "desk"}}, roi_with("[[0,0],[1,0]]"))
                .find("at least 3"),
            std::string::npos);
  EXPECT_NE(refusal(json{{"type", "fire"}, {"roi", "desk"}}, roi_with("[[0,0],[640,0],[640,480]]"))
                .find("normalised"),
            std::string::npos);
  for (const char* duty :
       {R"([{"days":[1],"from":"08:00"}])", R"([{"days":[8],"from":"08:00","to":"09:00"}])",
        R"([{"days":[1],"from":"8:00","to":"09:00"}])",
        R"([{"days":[1],"from":"08:60","to":"09:00"}])",
        R"([{"days":[],"from":"08:00","to":"09:00"}])", R"({"days":[1]})"}) {
    EXPECT_NE(refusal(json{{"type", "leave_post"}}, kRois, json::parse(duty)).find("duty_schedule"),
              std::string::npos)
        << duty;
  }
}
