// Base-table uploads from enterprise gateways: POST /api/v1/upload/{table} with a row array
// (DOMAIN §8, the Jiangsu pattern). Each row is created, or updated when its key exists, in the
// registry of the gateway's own enterprise, with the registry's own JSON Schema and domain
// checks; a bad row (or a row of another enterprise) is rejected by index, the others go on.
#include <hazmon/api/api.hpp>

#include <hazmon/auth/auth_service.hpp>
#include <hazmon/core/error.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/ingest_service.hpp>
#include <hazmon/service/registry_service.hpp>

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
// ids are matched on their natural key instead; production cells are split by cell_type.
struct Table {
  const char* name;
  const char* collection;
  std::vector<std::string> natural_key;  // empty: the collection's own key
  const char* cell_type = nullptr;       // production cells of this type only
};

const std::vector<Table>& tables() {
  static const std::vector<Table> t = {
      {"points", "monitoring-points", {}},
      {"equipment", "equipment", {}},
      {"media", "cameras", {}},
      {"warehouses", "production-cells", {}, "warehouse"},
      {"loading-platforms", "production-cells", {}, "loading"},
      {"responsible-persons", "responsible-persons", {"hazard_code", "role"}},
      {"chemicals", "enterprise-chemicals", {"cas"}},
  };
  return t;
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
    p.limit = 2;
    p.filters["company_code"] = as.scope.company_code;
    bool complete = true;
    for (const auto& k : t.natural_key) {
      if (!row.contains(k) || !row[k].is_string())
        complete = false;
      else
        p.filters[k] = row[k].get<std::string>();
    }
    if (complete) {
      auto found = reg.list(as, t.collection, p);
      if (!found["items"].empty()) key = std::to_string(found["items"][0]["id"].get<long long>());
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

// Why a row is refused before the registry sees it (empty: it goes on); fills in the defaults (the
// gateway's enterprise, the table's cell type).
std::string precheck(json& row, const Table& table, const Principal& who) {
  if (!row.is_object()) return "the row is not an object";
  if (!row.contains("company_code")) row["company_code"] = who.scope.company_code;
  if (row["company_code"] != who.scope.company_code) return "the row belongs to another enterprise";
  if (table.cell_type) {
    if (!row.contains("cell_type")) row["cell_type"] = table.cell_type;
    if (row["cell_type"] != table.cell_type)
      return std::string("cell_type must be ") + table.cell_type + " in " + table.name;
  }
  return {};
}

struct Outcome {
  int created = 0, updated = 0;
  json rejected = json::array(), kept = json::array();
};

// Each row created or updated, or rejected by index; the registry's unavailability is not the row's
// fault and fails the upload.
Outcome upsert_rows(ApiContext& ctx, const Table& table, const Principal& who, const json& rows) {
  // The gateway writes its own enterprise's base tables with an enterprise user's registry rights;
  // the registry's scope checks keep every row inside that enterprise.
  Principal as{who.id, who.name, model::Role::enterprise_user, who.scope};
  Outcome o;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    json row = rows[i];
    auto reject = [&](const std::string& why) {
      o.rejected.push_back({{"index", i}, {"reason", why}});
    };
    if (auto why = precheck(row, table, who); !why.empty()) {
      reject(why);
      continue;
    }
    try {
      std::vector<std::string> kept_fields;
      (upsert(ctx.registry, as, table, row, kept_fields) ? o.created : o.updated)++;
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
void audit(ApiContext& ctx, const Request& req, const Principal& who, const Table& table,
           const Outcome& o) {
  if (o.created + o.updated == 0) return;
  auto a = audit_entry(req, who, 200, "upload.table", table.collection);
  a.detail = {{"created", o.created}, {"updated", o.updated}, {"rejected", o.rejected.size()}};
  ctx.audit.record(a);
}
}  // namespace

void add_upload_table_routes(http::Router& r, ApiContext& ctx) {
  r.add("POST", "/api/v1/upload/{table}",
        authed(ctx, "upload.table", [&ctx](Request& req, const Principal& who) {
          const auto* table = find_table(req.params["table"]);
          if (!table)
            throw Error(Errc::not_found,
                        "no such base table; see /api/v1/upload/{table} in the "
                        "API description");
          if (who.role != model::Role::gateway || who.scope.kind != model::ScopeKind::enterprise)
            throw Error(Errc::forbidden,
                        "base tables come from an enterprise's gateway credential");
          check_query(req, {});
          auto body = parse_json_body(req);
          // The encrypted envelope {appId, dataId, data}, as for readings.
          if (body.is_object() && body.contains("appId") && body.contains("data"))
            body = open_upload_envelope(ctx, who, body);
          auto o = upsert_rows(ctx, *table, who, upload_rows(body, who, kUploadRules));
          audit(ctx, req, who, *table, o);
          return json_response(200, {{"accepted", o.created + o.updated},
                                     {"created", o.created},
                                     {"updated", o.updated},
                                     {"rejected", o.rejected},
                                     {"kept", o.kept}});
        }));
}

}  // namespace hazmon::api
