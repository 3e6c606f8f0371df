// storage::escape_like: LIKE's wildcards and its escape character match themselves.
#include <gtest/gtest.h>

#include <hazmon/storage/database.hpp>

using hazmon::storage::escape_like;

TEST(EscapeLike, WildcardsAndBackslashAreEscaped) {
  EXPECT_EQ(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
  EXPECT_EQ(escape_like("罐区一号"), "罐区一号");
  EXPECT_EQ(escape_like(""), "");
  EXPECT_EQ(escape_like("%%"), "\\%\\%");
}
