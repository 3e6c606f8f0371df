#pragma once
// Cheap looks at a JSON text before (or instead of) parsing it: the one nesting-depth check, run
// before parsers that recurse per level, and the top-level keys that pick a parser.
#include <string_view>

namespace hazmon::core {

inline constexpr int kMaxJsonDepth = 32;

// True when no point of `text` lies deeper than `limit` objects and arrays. Brackets inside
// strings (escaped quotes included) do not count; the text need not be valid JSON (the parser
// that follows judges that), and the scan stops at the first level past the limit.
bool json_nesting_within(std::string_view text, int limit = kMaxJsonDepth) noexcept;

// True when `text` is a JSON object with `key` among its own top-level keys: keys of nested
// objects and strings that merely hold the name do not count. The key is compared as written
// between its quotes (a name spelled with \u escapes is not recognised). Invalid text: false
// unless the key was seen before the text went wrong.
bool json_top_level_has_key(std::string_view text, std::string_view key) noexcept;

}  // namespace hazmon::core
