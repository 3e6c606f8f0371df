#include <hazmon/config/json_schema.hpp>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <fstream>

namespace hazmon::config {

struct JsonSchema::Impl {
  valijson::Schema schema;
};

JsonSchema::JsonSchema(const nlohmann::json& doc) : impl_(std::make_unique<Impl>()) {
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  parser.populateSchema(adapter, impl_->schema);
}

JsonSchema JsonSchema::from_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw core::Error(core::Errc::internal, "cannot open schema " + path.string());
  try {
    return JsonSchema(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception& e) {
    throw core::Error(core::Errc::internal,
                      "schema " + path.string() + " is not JSON: " + e.what());
  }
}

JsonSchema::~JsonSchema() = default;
JsonSchema::JsonSchema(JsonSchema&&) noexcept = default;
JsonSchema& JsonSchema::operator=(JsonSchema&&) noexcept = default;

namespace {
// valijson's context is a path like ["<root>", "[http]", "[port]"]; turn it into a JSON pointer.
std::string to_pointer(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string p = part;
    if (p.size() >= 2 && p.front() == '[' && p.back() == ']') p = p.substr(1, p.size() - 2);
    if (p.size() >= 2 && p.front() == '"' && p.back() == '"') p = p.substr(1, p.size() - 2);
    std::string escaped;
    for (char c : p) {
      if (c == '~')
        escaped += "~0";
      else if (c == '/')
        escaped += "~1";
      else
        escaped += c;
    }
    out += "/" + escaped;
  }
  return out.empty() ? "" : out;
}

// valijson matches "pattern" with std::regex, whose executor recurses once per character: a
// string of some 30 000 characters overflows a thread's stack. No schema of ours allows more
// than a few thousand bytes in one string, so longer ones are refused before any pattern runs.
constexpr std::size_t kMaxStringBytes = 8 * 1024;

void find_long_strings(const nlohmann::json& v, const std::string& pointer,
                       std::vector<core::FieldError>& out) {
  if (out.size() >= 20) return;
  if (v.is_string() && v.get_ref<const std::string&>().size() > kMaxStringBytes) {
    out.push_back(
        {pointer, "longer than any field allows (" + std::to_string(kMaxStringBytes) + " bytes)"});
  } else if (v.is_object()) {
    for (auto& [k, item] : v.items()) find_long_strings(item, pointer + "/" + k, out);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      find_long_strings(v[i], pointer + "/" + std::to_string(i), out);
  }
}
}  // namespace

std::vector<core::FieldError> JsonSchema::validate(const nlohmann::json& value) const {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(value);
  std::vector<core::FieldError> out;
  find_long_strings(value, "", out);
  if (!out.empty()) return out;
  if (validator.validate(impl_->schema, adapter, &results)) return out;
  valijson::ValidationResults::Error err;
  // valijson reports the failing leaf first and then each enclosing keyword; keep the leaves
  // (the most specific message per pointer) so the reply stays readable.
  while (results.popError(err)) {
    std::string ptr = to_pointer(err.context);
    bool covered = false;  // an enclosing keyword repeating a failure already reported
    for (auto& f : out)
      if (f.pointer == ptr || f.pointer.rfind(ptr + "/", 0) == 0) covered = true;
    if (!covered) out.push_back({ptr, err.description});
    if (out.size() >= 20) break;
  }
  return out;
}

}  // namespace hazmon::config
