#include "upload_rows.hpp"

#include "request_helpers.hpp"
#include "upload_envelope.hpp"

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

http::Response upload_each(ApiContext& ctx, http::Request& req, const model::Principal& who,
                           const RowUpload& u,
                           const std::function<bool(const json& row)>& file_one) {
  if (who.role != model::Role::gateway || who.scope.kind != model::ScopeKind::enterprise)
    throw Error(Errc::forbidden, u.refused);
  check_query(req, {});
  auto body = parse_json_body(req);
  // The encrypted envelope {appId, dataId, data}, as for readings and base tables.
  if (body.is_object() && body.contains("appId") && body.contains("data"))
    body = open_upload_envelope(ctx, who, body);
  const auto& rows = upload_rows(body, who, u.rules);
  int created = 0, changed = 0;
  json rejected = json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    try {
      const json& row = rows[i];
      if (row.is_object() && row.contains("company_code") &&
          row["company_code"] != who.scope.company_code) {
        rejected.push_back({{"index", i}, {"reason", "the row belongs to another enterprise"}});
        continue;
      }
      (file_one(row) ? created : changed)++;
    } catch (const Error& e) {
      if (e.code() == Errc::unavailable || e.code() == Errc::internal) throw;
      rejected.push_back({{"index", i}, {"reason", rejection_reason(e)}});
    }
  }
  if (created + changed > 0) {
    auto a = audit_entry(req, who, 200, u.action, u.target);
    a.detail =
        nlohmann::json{{"created", created}, {u.changed, changed}, {"rejected", rejected.size()}}
            .dump();
    ctx.audit.record(a);
  }
  return json_response(200, {{"accepted", created + changed},
                             {"created", created},
                             {u.changed, changed},
                             {"rejected", rejected}});
}

}  // namespace hazmon::api
