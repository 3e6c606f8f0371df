// Base-table uploads from enterprise gateways: POST /api/v1/upload/{table} with a row array
// (DOMAIN §8, the Jiangsu pattern). Each row is created, or updated when its key exists, in the
// registry of the gateway's own enterprise, with the registry's own JSON Schema and domain
// checks; a bad row (or a row of another enterprise) is rejected by index, the others go on.
#include <hazmon/api/api.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/process_service.hpp>
#include <hazmon/service/registry_service.hpp>
#include <hazmon/service/row_uploads.hpp>

#include <optional>
#include <string_view>

#include "request_helpers.hpp"
#include "upload_envelope.hpp"
#include "upload_rows.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using model::Principal;
using nlohmann::json;

namespace {
const UploadRowsRules kUploadRules{
    1000, "rows", "this credential may not upload base data of another enterprise"};

// The upload's table name → the registry collection. Collections whose rows have generated
// ids are matched on their natural key instead. `kept` names the fields a row may carry but the
// upload never changes (the enterprise's regulator fields); `successor` marks a deprecated name.
struct Table {
  const char* name;
  const char* collection;
  std::vector<std::string> natural_key;  // empty: the collection's own key
  std::vector<std::string> kept = {};
  const char* successor = nullptr;
};

const std::vector<Table>& tables() {
  static const std::vector<Table> t = {
      {"points", "monitoring-points", {}},
      {"equipment", "equipment", {}},
      // Production units and tank farms; a unit without hazard_code is a non-major unit (ADR 0019),
      // whose hazard source, once stored, only the regulator changes.
      {"production-units", "production-cells", {}},
      {"cameras", "cameras", {}},
      // Before issue 12 `media` meant cameras; it still does, with a Deprecation header.
      {"media", "cameras", {}, {}, "cameras"},
      {"equipment-media", "equipment-media", {"equip_code", "cas"}},
      {"warehouses", "warehouses", {}},
      {"warehouse-chemicals", "warehouse-chemicals", {"warehouse_id", "cas"}},
      {"loading-platforms", "loading-platforms", {}},
      {"responsible-persons", "responsible-persons", {"hazard_code", "role"}},
      {"chemicals", "enterprise-chemicals", {"cas"}},
      {"hazard-sources", "hazard-sources", {}},
      {"hazard-chemicals", "hazard-chemicals", {"hazard_code", "cas"}},
      {"gateways", "gateways", {}},
      // The enterprise's own row: what the regulator or the roster sets is kept.
      {"enterprise",
       "enterprises",
       {},
       {"region_code", "status", "max_hazard_rank", "roster_batch", "is_active", "source"}},
  };
  return t;
}

// Not a registry collection: which key processes the enterprise runs (migration 0018), filed
// through ProcessService.
constexpr const char* kEnterpriseProcesses = "enterprise-processes";

// The gateway's dataId of a base-table upload, if it sent one as a string: kept when the city
// forwards the rows (base tables are not deduplicated by it, so any string does).
std::optional<std::string> string_data_id(const json& body) {
  if (body.is_object() && body.contains("dataId") && body["dataId"].is_string())
    return body["dataId"].get<std::string>();
  return std::nullopt;
}

const Table* find_table(const std::string& name) {
  for (const auto& t : tables())
    if (name == t.name) return &t;
  return nullptr;
}

const char* key_of(const std::string& collection) {
  if (collection == "monitoring-points") return "quota_code";
  if (collection == "equipment") return "equip_code";
  if (collection == "cameras") return "video_id";
  if (collection == "production-cells") return "prodcell_id";
  if (collection == "warehouses") return "warehouse_id";
  if (collection == "loading-platforms") return "platform_id";
  if (collection == "hazard-sources") return "hazard_code";
  if (collection == "gateways") return "gateway_code";
  if (collection == "enterprises") return "company_code";
  return "id";
}

// Creates or updates one row; returns true when it was created. Supervision fields of an
// existing row that the upload would change (a point's hazard_code, taking it out of use) keep
// their stored, regulator-set values: they are left out of the update and named in `kept`.
bool upsert(service::RegistryService& reg, const Principal& as, const Table& t, json row,
            std::vector<std::string>& kept) {
  std::string key;
  if (t.natural_key.empty()) {
    const char* k = key_of(t.collection);
    if (row.contains(k) && row[k].is_string()) key = row[k].get<std::string>();
  } else {
    service::ListParams p;
    p.include_inactive = true;
    p.limit = 50;  // a role may have several retired persons besides its active one
    p.filters["company_code"] = as.scope.company_code;
    bool complete = true;
    for (const auto& k : t.natural_key) {
      if (!row.contains(k) || !row[k].is_string())
        complete = false;
      else
        p.filters[k] = row[k].get<std::string>();
    }
    if (complete) {
      const auto found = reg.list(as, t.collection, p);
      // A retired 包保责任人 stays retired: the role's new person is a new row (one active per
      // role, migration 0002); other tables' natural keys are unique, active or not.
      for (const auto& item : found["items"])
        if (key.empty() && (item.value("is_active", true) ||
                            std::string_view(t.collection) != "responsible-persons"))
          key = std::to_string(item["id"].get<long long>());
    }
  }
  if (!key.empty()) {
    json existing;
    try {
      existing = reg.get(as, t.collection, key);
    } catch (const Error& e) {
      if (e.code() != Errc::not_found) throw;
    }
    if (!existing.is_null()) {
      for (const auto& f : t.kept) {
        if (!row.contains(f)) continue;
        if (row[f] != existing[f]) kept.push_back(f);
        row.erase(f);
      }
      for (const auto& f :
           service::RegistryService::regulator_only_changes(as, t.collection, existing, row)) {
        row.erase(f.pointer.substr(1));
        kept.push_back(f.pointer.substr(1));
      }
      reg.update(as, t.collection, key, row);
      return false;
    }
  }
  reg.create(as, t.collection, row);
  return true;
}

// Why a row is refused before the registry sees it (empty: it goes on); fills in the default (the
// gateway's enterprise).
std::string precheck(json& row, const Principal& who) {
  if (!row.is_object()) return "the row is not an object";
  if (!row.contains("company_code")) row["company_code"] = who.scope.company_code;
  if (row["company_code"] != who.scope.company_code) return "the row belongs to another enterprise";
  return {};
}

struct Outcome {
  int created = 0, updated = 0;
  json rejected = json::array(), kept = json::array();
};

// Each row created or updated, or rejected by index; the registry's unavailability is not the row's
// fault and fails the upload.
Outcome upsert_rows(ApiContext& ctx, service::RowUploadService& uploads, const Table& table,
                    const Principal& who, const json& rows) {
  // The gateway writes its own enterprise's base tables with an enterprise user's registry rights;
  // the registry's scope checks keep every row inside that enterprise.
  Principal as{who.id, who.name, model::Role::enterprise_user, who.scope};
  Outcome o;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json row = rows[i];
    auto reject = [&](const std::string& why) {
      o.rejected.push_back({{"index", i}, {"reason", why}});
    };
    if (auto why = precheck(row, who); !why.empty()) {
      reject(why);
      continue;
    }
    try {
      std::vector<std::string> kept_fields;
      bool created = false;
      // A savepoint: a row refused half-way leaves nothing of itself.
      uploads.row([&] { created = upsert(ctx.registry, as, table, row, kept_fields); });
      (created ? o.created : o.updated)++;
      if (!kept_fields.empty())
        o.kept.push_back({{"index", i},
                          {"fields", kept_fields},
                          {"reason", "supervision fields keep the regulator's stored values"}});
    } catch (const Error& e) {
      if (e.code() == Errc::unavailable || e.code() == Errc::internal)
        throw;  // not the row's fault
      reject(rejection_reason(e));
    }
  }
  return o;
}

// authed() leaves uploads out; a base-table upload that changed rows is audited here, with what it
// changed.
void audit(ApiContext& ctx, const Request& req, const Principal& who, const Principal& gateway,
           const Table& table, const Outcome& o) {
  if (o.created + o.updated == 0) return;
  auto a = audit_entry(req, who, 200, "upload.table", table.collection);
  auto detail = nlohmann::json{
      {"created", o.created}, {"updated", o.updated}, {"rejected", o.rejected.size()}};
  if (who.role == model::Role::city_platform) {  // forwarded: for which enterprise, from where
    detail["company_code"] = gateway.scope.company_code;
    detail["forwarded_by"] = who.scope.region_code;
  }
  a.detail = detail.dump();
  ctx.audit.record(a);
}
}  // namespace

// One row of enterprise-processes: {process_code, prodcell_id?, runs?}. A process the enterprise
// already runs there is counted as updated; runs: false is refused (stopping a declared process is
// the regulator's: ProcessService::remove). Returns true when it was added.
bool file_process(service::ProcessService& ps, const Principal& as, const json& row) {
  if (!row.is_object())
    throw Error(Errc::validation_failed, "the row is not an object", {{"", "expected an object"}});
  std::vector<core::FieldError> problems;
  for (auto& [k, v] : row.items())
    if (k != "company_code" && k != "process_code" && k != "prodcell_id" && k != "runs")
      problems.push_back({"/" + k, "unknown field; process_code, prodcell_id and runs only"});
  if (!row.contains("process_code") || !row["process_code"].is_string())
    problems.push_back({"/process_code", "expected a key process code E1501–E15018"});
  if (row.contains("prodcell_id") && !row["prodcell_id"].is_string() &&
      !row["prodcell_id"].is_null())
    problems.push_back({"/prodcell_id", "expected a production unit id or null"});
  if (row.contains("runs") && !row["runs"].is_boolean())
    problems.push_back({"/runs", "expected true or false"});
  if (!problems.empty())
    throw Error(Errc::validation_failed, "the enterprise-processes row is invalid", problems);
  auto code = row["process_code"].get<std::string>();
  std::optional<std::string> cell;
  if (row.contains("prodcell_id") && row["prodcell_id"].is_string())
    cell = row["prodcell_id"].get<std::string>();
  const auto& company = as.scope.company_code;
  if (!row.value("runs", true)) {
    for (const auto& p : ps.list(as, company))
      if (p.process_code == code && p.prodcell_id == cell) {
        ps.remove(as, p.id);
        return false;
      }
    throw Error(Errc::validation_failed, "the enterprise does not run this process",
                {{"/process_code", "no active entry for " + code + (cell ? " in " + *cell : "")}});
  }
  try {
    ps.add(as, company, cell, code);
    return true;
  } catch (const Error& e) {
    if (e.code() == Errc::conflict) return false;  // already runs it: nothing to change
    throw;
  }
}

void add_upload_table_routes(http::Router& r, ApiContext& ctx) {
  r.add(
      "POST", "/api/v1/upload/{table}",
      authed(ctx, "upload.table", [&ctx](Request& req, const Principal& who) {
        if (req.params["table"] == kEnterpriseProcesses && ctx.processes) {
          static const RowUpload kProcessUpload{
              "base tables come from an enterprise's gateway credential", "upload.table",
              "enterprise-processes", "updated", kUploadRules};
          auto* ps = ctx.processes;
          return upload_each(
              ctx, req, who, kProcessUpload, [ps](const json& row, const Principal& gateway) {
                Principal as{gateway.id, gateway.name, model::Role::enterprise_user, gateway.scope};
                return file_process(*ps, as, row);
              });
        }
        const auto* table = find_table(req.params["table"]);
        if (!table)
          throw Error(Errc::not_found,
                      "no such base table; see /api/v1/upload/{table} in the "
                      "API description");
        constexpr const char* kRefused =
            "base tables come from an enterprise's gateway credential or its city's platform";
        if (who.role != model::Role::gateway && who.role != model::Role::city_platform)
          throw Error(Errc::forbidden, kRefused);
        check_query(req, {});
        auto body = parse_json_body(req);
        // The encrypted envelope {appId, dataId, data}, as for readings.
        std::optional<std::string> data_id = string_data_id(body);
        if (body.is_object() && body.contains("appId") && body.contains("data")) {
          body = open_upload_envelope(ctx, who, body);
          if (auto inner = string_data_id(body)) data_id = inner;
        }
        // A city platform writes as the named enterprise's gateway, with the same kept fields.
        const auto gateway = uploading_gateway(ctx, body, who, kRefused);
        auto rows = upload_rows(body, gateway, kUploadRules);
        // One transaction (ADR 0033): the rows, the audit entry and, in city mode, the outbox
        // row that takes them on to the province, as the object form a city platform sends.
        // Not deduplicated by dataId: a resend is an upsert of the same rows.
        auto& uploads = row_uploads(ctx);
        Outcome o;
        uploads.upload(std::nullopt, [&] {
          o = upsert_rows(ctx, uploads, *table, gateway, rows);
          audit(ctx, req, who, gateway, *table, o);
          service::FiledUpload filed;
          if (o.created + o.updated > 0)
            filed.forward = forward_entry(ctx, "/api/v1/upload/" + req.params["table"], data_id,
                                          gateway, rows, "tbl-");
          return filed;
        });
        auto res = json_response(200, {{"accepted", o.created + o.updated},
                                       {"created", o.created},
                                       {"updated", o.updated},
                                       {"rejected", o.rejected},
                                       {"kept", o.kept}});
        if (table->successor) {
          // RFC 9745 / RFC 8288: the name still works; clients are told where to go.
          res.headers.emplace_back("Deprecation", "true");
          res.headers.emplace_back("Link", std::string("</api/v1/upload/") + table->successor +
                                               ">; rel=\"successor-version\"");
        }
        return res;
      }));
}

}  // namespace hazmon::api
