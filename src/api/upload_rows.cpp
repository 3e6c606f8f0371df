#include "upload_rows.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using nlohmann::json;

const json& upload_rows(const json& body, const model::Principal& who,
                        const UploadRowsRules& rules) {
  const json* rows = &body;
  if (body.is_object()) {
    for (auto& [k, v] : body.items())
      if (k != "companyCode" && k != "dataId" && k != "datas")
        throw Error(Errc::validation_failed, "unknown field " + k,
                    {{"/" + k, "companyCode, dataId and datas only"}});
    if (body.contains("companyCode") &&
        (!body["companyCode"].is_string() ||
         body["companyCode"].get<std::string>() != who.scope.company_code))
      throw Error(Errc::forbidden, rules.other_enterprise);
    if (!body.contains("datas"))
      throw Error(Errc::validation_failed, "datas is required",
                  {{"/datas", std::string("expected an array of ") + rules.rows_name}});
    rows = &body["datas"];
  }
  if (!rows->is_array())
    throw Error(Errc::validation_failed, "the rows must be an array",
                {{body.is_object() ? "/datas" : "", "expected an array"}});
  if (rows->size() > rules.max_rows)
    throw Error(Errc::too_large, "at most " + std::to_string(rules.max_rows) + " " +
                                     rules.rows_name + " per upload");
  return *rows;
}

std::string rejection_reason(const Error& e) {
  std::string r = e.what();
  std::size_t n = 0;
  for (const auto& f : e.fields()) {
    if (n++ == 3) break;
    r += (n == 1 ? ": " : "; ") + (f.pointer.empty() ? std::string("/") : f.pointer) + " " +
         f.message;
  }
  return r;
}

}  // namespace hazmon::api
