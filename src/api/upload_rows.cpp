#include "upload_rows.hpp"

#include <hazmon/core/random.hpp>
#include <hazmon/service/registry_service.hpp>
#include <hazmon/service/row_uploads.hpp>

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
      if (k != "companyCode" && k != "dataId" && k != "datas" && k != "forwardedBy")
        throw Error(Errc::validation_failed, "unknown field " + k,
                    {{"/" + k, "companyCode, dataId, datas and forwardedBy only"}});
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

model::Principal uploading_gateway(ApiContext& ctx, const json& body, const model::Principal& who,
                                   const char* refused) {
  const json* forwarded =
      body.is_object() && body.contains("forwardedBy") ? &body["forwardedBy"] : nullptr;
  if (forwarded && (!forwarded->is_string() || forwarded->get<std::string>().size() != 6 ||
                    !model::is_region_code(forwarded->get<std::string>())))
    throw Error(Errc::validation_failed, "bad forwardedBy", {{"/forwardedBy", "a region code"}});
  if (who.role == model::Role::gateway && who.scope.kind == model::ScopeKind::enterprise) {
    // A gateway that says it was forwarded would pass its enterprise's data off as a city's.
    if (forwarded)
      throw Error(Errc::forbidden,
                  "forwardedBy is a city platform's: this credential does not forward uploads");
    return who;
  }
  if (who.role != model::Role::city_platform || who.scope.kind != model::ScopeKind::region)
    throw Error(Errc::forbidden, refused);
  if (forwarded && forwarded->get<std::string>() != who.scope.region_code)
    throw Error(Errc::forbidden,
                "forwardedBy must be this city platform's own region " + who.scope.region_code);
  if (!body.is_object() || !body.contains("companyCode") || !body["companyCode"].is_string())
    throw Error(Errc::validation_failed, "a city platform's upload names its enterprise",
                {{"/companyCode", "the enterprise the rows are forwarded for"}});
  auto company = body["companyCode"].get<std::string>();
  // Inside the platform's region by the enterprise's stored region_code (the registry's scope
  // check), not by the code's leading digits; an enterprise outside it or unknown is refused as a
  // whole, as the readings upload refuses it.
  bool inside = false;
  if (company.size() == 11 && company.find_first_not_of("0123456789") == std::string::npos) {
    try {
      ctx.registry.get(who, "enterprises", company);
      inside = true;
    } catch (const Error& e) {
      if (e.code() != Errc::not_found && e.code() != Errc::forbidden) throw;
    }
  }
  if (!inside)
    throw Error(Errc::forbidden, "this credential may not upload data of enterprise " + company);
  return {who.id, who.name, model::Role::gateway, model::Scope::enterprise(company)};
}

std::optional<std::string> sent_data_id(const json& body,
                                        const std::optional<std::string>& envelope_id) {
  std::optional<std::string> id = envelope_id;
  if (body.is_object() && body.contains("dataId")) {
    const auto& v = body["dataId"];
    if (!v.is_string())
      throw Error(Errc::validation_failed, "dataId must be a string",
                  {{"/dataId", "1–64 letters, digits, - _ ."}});
    id = v.get<std::string>();
  }
  if (!id) return std::nullopt;
  // The readings upload's rule: the id is part of a key and of the city's forwarded key.
  if (id->empty() || id->size() > 64 ||
      id->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") !=
          std::string::npos)
    throw Error(Errc::validation_failed, "dataId must be 1–64 letters, digits, - _ .",
                {{"/dataId", "1–64 letters, digits, - _ ."}});
  return id;
}

std::optional<service::RowUploadIdentity> upload_identity(const std::string& path,
                                                          const std::optional<std::string>& sent_id,
                                                          const model::Principal& who,
                                                          const model::Principal& as,
                                                          const json& rows) {
  if (!sent_id) return std::nullopt;
  service::RowUploadIdentity id;
  id.company_code = as.scope.company_code;
  id.path = path;
  id.data_id = *sent_id;
  if (who.role == model::Role::city_platform) {
    id.forwarded_by = who.scope.region_code;
    id.data_id = who.scope.region_code + ":" + *sent_id;
  }
  // nlohmann::json keeps object keys sorted: one text for the same rows however they were sent
  // (plain or in an envelope, any key order or spacing).
  id.rows_sha256 = core::sha256_hex(rows.dump());
  id.app_id = who.name;
  return id;
}

std::optional<service::OutboxEntry> forward_entry(ApiContext& ctx, const std::string& path,
                                                  const std::optional<std::string>& sent_id,
                                                  const model::Principal& as, const json& rows,
                                                  const char* id_prefix) {
  if (!ctx.federation) return std::nullopt;
  // Without the gateway's dataId a random one: the forwarder's resends keep it (one outbox row),
  // so the province still answers them as one upload.
  std::string data_id = sent_id ? *sent_id : id_prefix + core::random_token(12);
  const auto& company = as.scope.company_code;
  return service::OutboxEntry{
      path, company, data_id,
      json{{"companyCode", company}, {"dataId", data_id}, {"datas", rows}}.dump()};
}

service::RowUploadService& row_uploads(ApiContext& ctx) {
  if (!ctx.row_uploads) throw Error(Errc::internal, "row uploads are not wired in this server");
  return *ctx.row_uploads;
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

http::Response upload_each(
    ApiContext& ctx, http::Request& req, const model::Principal& who, const RowUpload& u,
    const std::function<bool(const json& row, const model::Principal& as)>& file_one) {
  if (who.role != model::Role::gateway && who.role != model::Role::city_platform)
    throw Error(Errc::forbidden, u.refused);
  check_query(req, {});
  auto body = parse_json_body(req);
  // The encrypted envelope {appId, dataId, data}, as for readings and base tables.
  std::optional<std::string> envelope_id;
  if (body.is_object() && body.contains("appId") && body.contains("data")) {
    envelope_id = sent_data_id(body, std::nullopt);
    body = open_upload_envelope(ctx, who, body);
  }
  // A city platform files as the named enterprise's gateway (docs/federation.md "Province side").
  const auto as = uploading_gateway(ctx, body, who, u.refused);
  const auto& rows = upload_rows(body, as, u.rules);
  const auto sent_id = sent_data_id(body, envelope_id);
  auto& uploads = row_uploads(ctx);
  auto answer = uploads.upload(upload_identity(req.path, sent_id, who, as, rows), [&] {
    int created = 0, changed = 0;
    json rejected = json::array();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      try {
        const json& row = rows[i];
        if (row.is_object() && row.contains("company_code") &&
            row["company_code"] != as.scope.company_code) {
          rejected.push_back({{"index", i}, {"reason", "the row belongs to another enterprise"}});
          continue;
        }
        bool made = false;
        uploads.row([&] { made = file_one(row, as); });
        (made ? created : changed)++;
      } catch (const Error& e) {
        if (e.code() == Errc::unavailable || e.code() == Errc::internal) throw;
        rejected.push_back({{"index", i}, {"reason", rejection_reason(e)}});
      }
    }
    service::FiledUpload filed;
    filed.reply = json{{"accepted", created + changed},
                       {"created", created},
                       {u.changed, changed},
                       {"rejected", rejected}};
    if (created + changed > 0) {
      auto a = audit_entry(req, who, 200, u.action, u.target);
      auto detail =
          nlohmann::json{{"created", created}, {u.changed, changed}, {"rejected", rejected.size()}};
      if (who.role == model::Role::city_platform) {
        detail["company_code"] = as.scope.company_code;
        detail["forwarded_by"] = who.scope.region_code;
      }
      a.detail = detail.dump();
      ctx.audit.record(a);
      // City mode: the rows as read, to the province's same route, in this transaction.
      filed.forward = forward_entry(ctx, req.path, sent_id, as, rows, "row-");
    }
    return filed;
  });
  return json_response(200, answer.reply);
}

}  // namespace hazmon::api
