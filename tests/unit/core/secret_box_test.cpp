#include <gtest/gtest.h>

#include <hazmon/core/secret_box.hpp>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

using hazmon::core::SecretBox;

TEST(SecretBox, SealsAndOpensWithTheSameContext) {
  SecretBox box(std::string(32, 'k'));
  auto sealed = box.seal("user:pa:ss", "camera:14030000001:cam1");
  EXPECT_TRUE(SecretBox::is_sealed(sealed));
  EXPECT_EQ(sealed.find("pa:ss"), std::string::npos);
  EXPECT_EQ(box.open(sealed, "camera:14030000001:cam1"), std::optional<std::string>("user:pa:ss"));
  // A fresh nonce every time: the same secret never seals to the same text.
  EXPECT_NE(box.seal("user:pa:ss", "c"), box.seal("user:pa:ss", "c"));
}

TEST(SecretBox, RefusesAnotherContextAnotherKeyOrTampering) {
  SecretBox box(std::string(32, 'k')), other(std::string(32, 'j'));
  auto sealed = box.seal("secret", "camera:A:1");
  EXPECT_FALSE(box.open(sealed, "camera:B:1"));  // copied to another enterprise's row
  EXPECT_FALSE(other.open(sealed, "camera:A:1"));
  auto flipped = sealed;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  EXPECT_FALSE(box.open(flipped, "camera:A:1"));
  EXPECT_FALSE(box.open("v1:zz", "camera:A:1"));
  EXPECT_FALSE(box.open("plain", "camera:A:1"));
  EXPECT_FALSE(box.open("v1:" + std::string(20, '0'), "camera:A:1"));
  EXPECT_EQ(box.open(box.seal("", "x"), "x"), std::optional<std::string>(""));
}

TEST(SecretBox, KeyFileIsCreatedOnceWithMode0600) {
  auto dir =
      std::filesystem::temp_directory_path() / ("hazmon-secretbox-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto file = dir / "server.key";
  auto a = SecretBox::load_or_create(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = SecretBox::load_or_create(file);
  EXPECT_EQ(b.open(a.seal("x", "c"), "c"), std::optional<std::string>("x"));
  std::ofstream(file) << "not-hex\n";
  EXPECT_THROW(SecretBox::load_or_create(file), std::runtime_error);
  EXPECT_THROW(SecretBox(std::string(16, 'k')), std::invalid_argument);
  std::filesystem::remove_all(dir);
}
