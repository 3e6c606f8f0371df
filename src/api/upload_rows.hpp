#pragma once
// What the row uploads of machine credentials share (base tables, commitments, work permits):
// the rows out of the body and the reason a refused row is given.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>

#include <hazmon/core/error.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::api {

struct UploadRowsRules {
  std::size_t max_rows = 100;
  const char* rows_name = "rows";  // "expected an array of <rows_name>", "at most N <rows_name>"
  const char* other_enterprise = "this credential may not upload data of another enterprise";
};

// The rows of an upload: a bare array, or {companyCode, dataId, datas: [...]}. Refuses other
// fields (422), another enterprise's companyCode as a whole (403), a missing datas or rows that
// are not an array (422) and more than max_rows rows (413).
const nlohmann::json& upload_rows(const nlohmann::json& body, const model::Principal& who,
                                  const UploadRowsRules& rules);

// A refused row's reason: the message and the first three field complaints, as the registry API
// gives them.
std::string rejection_reason(const core::Error& e);

}  // namespace hazmon::api
