#include <hazmon/core/json_text.hpp>

namespace hazmon::core {

bool json_nesting_within(std::string_view text, int limit) noexcept {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character, a quote or a backslash, is skipped
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

bool json_top_level_has_key(std::string_view text, std::string_view key) noexcept {
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || text[i] != '{') return false;
  int depth = 0;
  char prev = 0;  // the last structural character outside strings
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      std::size_t start = ++i;
      while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      if (i >= text.size()) return false;  // an unterminated string
      // A key: a string at depth 1 that follows the opening brace or a comma of the top object.
      if (depth == 1 && (prev == '{' || prev == ',') && text.substr(start, i - start) == key)
        return true;
      prev = '"';
    } else if (c == '{' || c == '[') {
      ++depth;
      prev = c;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return false;  // the top object closed
      prev = c;
    } else if (c == ',' || c == ':') {
      prev = c;
    }
  }
  return false;
}

}  // namespace hazmon::core
