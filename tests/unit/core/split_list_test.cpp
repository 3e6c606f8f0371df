#include <hazmon/core/encoding.hpp>

#include <gtest/gtest.h>

namespace hazmon::core {
namespace {

using List = std::vector<std::string>;

TEST(SplitList, ItemsInOrder) {
  EXPECT_EQ(split_list("flammable_gas,toxic"), (List{"flammable_gas", "toxic"}));
  EXPECT_EQ(split_list("LPG"), (List{"LPG"}));
}

TEST(SplitList, EmptyItemsAreDropped) {
  EXPECT_EQ(split_list(""), List{});
  EXPECT_EQ(split_list(","), List{});
  EXPECT_EQ(split_list("a,,b,"), (List{"a", "b"}));
  EXPECT_EQ(split_list(",a"), (List{"a"}));
}

TEST(SplitList, NothingIsTrimmed) { EXPECT_EQ(split_list(" a, b"), (List{" a", " b"})); }

}  // namespace
}  // namespace hazmon::core
