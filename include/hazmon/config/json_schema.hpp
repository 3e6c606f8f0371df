#pragma once
// JSON Schema (draft 7 subset that valijson supports) validation of nlohmann::json values.
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/error.hpp>

namespace hazmon::config {

class JsonSchema {
 public:
  explicit JsonSchema(const nlohmann::json& schema_document);
  static JsonSchema from_file(const std::filesystem::path& path);
  ~JsonSchema();
  JsonSchema(JsonSchema&&) noexcept;
  JsonSchema& operator=(JsonSchema&&) noexcept;

  // Empty when valid. Each violation names the JSON pointer of the offending value.
  std::vector<core::FieldError> validate(const nlohmann::json& value) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::config
