// The one JSON nesting check and the top-level key look-up that picks the upload parser.
#include <gtest/gtest.h>

#include <hazmon/core/json_text.hpp>

#include <string>

namespace hazmon::core {
namespace {

std::string nested(int levels, const std::string& inner = "1") {
  return std::string(static_cast<std::size_t>(levels), '[') + inner +
         std::string(static_cast<std::size_t>(levels), ']');
}

TEST(JsonNesting, CountsObjectsAndArraysUpToTheLimit) {
  EXPECT_TRUE(json_nesting_within(nested(32)));
  EXPECT_FALSE(json_nesting_within(nested(33)));
  EXPECT_TRUE(json_nesting_within(nested(3), 3));
  EXPECT_FALSE(json_nesting_within(nested(4), 3));
  EXPECT_FALSE(json_nesting_within(R"({"a":{"b":{"c":[1]}}})", 3));
  EXPECT_TRUE(json_nesting_within(R"({"a":{"b":{"c":1}}})", 3));
  EXPECT_TRUE(json_nesting_within(""));
  // Siblings do not add up: depth returns after each closes.
  std::string wide = "[";
  for (int i = 0; i < 100; ++i) wide += (i ? "," : "") + nested(30);
  wide += "]";
  EXPECT_TRUE(json_nesting_within(wide));
}

TEST(JsonNesting, BracketsInsideStringsDoNotCount) {
  std::string deep_text = R"({"note":")" + std::string(100, '[') + std::string(100, '{') + R"("})";
  EXPECT_TRUE(json_nesting_within(deep_text));
  // An escaped quote does not end the string: the brackets after it are still text.
  std::string escaped = R"({"note":"say \")" + std::string(40, '[') + R"(\" ok"})";
  EXPECT_TRUE(json_nesting_within(escaped));
  // An escaped backslash before the closing quote does end it: what follows counts again.
  std::string after = R"({"a":"x\\",)" + nested(32) + "}";  // 1 + 32 levels
  EXPECT_FALSE(json_nesting_within(after));
  EXPECT_TRUE(json_nesting_within(R"({"a":"x\\",)" + nested(31) + "}"));
  // Closing brackets in strings do not lower the depth either.
  std::string closers = nested(20, R"(")" + std::string(40, ']') + R"(")");
  EXPECT_FALSE(json_nesting_within("[" + closers + "]", 20));
  EXPECT_TRUE(json_nesting_within(closers, 20));
}

TEST(JsonTopLevelKey, FindsOnlyTheTopObjectsOwnKeys) {
  EXPECT_TRUE(json_top_level_has_key(R"({"appId":"gw1","dataId":"x","data":"..."})", "appId"));
  EXPECT_TRUE(json_top_level_has_key(R"(  {"dataId":"x", "appId" : "gw1"})", "appId"));
  EXPECT_TRUE(json_top_level_has_key(R"({"datas":[{"v":1}],"appId":1})", "appId"));
  // A plain upload whose readings mention the name, as a value or as a nested key.
  EXPECT_FALSE(json_top_level_has_key(R"({"dataId":"x","datas":[{"quotaCode":"appId","value":1}]})",
                                      "appId"));
  EXPECT_FALSE(json_top_level_has_key(R"({"dataId":"appId","datas":[]})", "appId"));
  EXPECT_FALSE(json_top_level_has_key(R"({"datas":[{"appId":"x"}],"meta":{"appId":2}})", "appId"));
  // A value with an escaped quote that looks like a key after it.
  EXPECT_FALSE(json_top_level_has_key(R"({"note":"a\",\"appId\":1","datas":[]})", "appId"));
  // Not an object, or the key after the top object closed.
  EXPECT_FALSE(json_top_level_has_key(R"(["appId"])", "appId"));
  EXPECT_FALSE(json_top_level_has_key(R"({"a":1} {"appId":1})", "appId"));
  EXPECT_FALSE(json_top_level_has_key(R"({"appIdx":1})", "appId"));
  EXPECT_FALSE(json_top_level_has_key(R"({"appId)", "appId"));
  EXPECT_FALSE(json_top_level_has_key("", "appId"));
}

}  // namespace
}  // namespace hazmon::core
