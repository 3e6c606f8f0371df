#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/random.hpp>

#include <set>

using namespace hazmon::core;

TEST(Random, TokensAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto t = random_token(32);
    EXPECT_EQ(t.size(), 43u);  // 256 bits in unpadded base64url
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST(Random, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Random, SecureEqualsComparesContentAndLength) {
  EXPECT_TRUE(secure_equals("abc", "abc"));
  EXPECT_FALSE(secure_equals("abc", "abd"));
  EXPECT_FALSE(secure_equals("abc", "abcd"));
}

TEST(Log, MasksPhoneNumbers) {
  EXPECT_EQ(mask_phone("13812345678"), "138****5678");
  EXPECT_EQ(mask_phone("12345"), "*****");
}

TEST(Errors, CodesHaveStableNames) {
  EXPECT_STREQ(to_string(Errc::validation_failed), "validation_failed");
  EXPECT_STREQ(to_string(Errc::not_found), "not_found");
  Error e(Errc::conflict, "dup", {{"/a", "b"}});
  EXPECT_EQ(e.code(), Errc::conflict);
  ASSERT_EQ(e.fields().size(), 1u);
  EXPECT_EQ(e.fields()[0].pointer, "/a");
}
