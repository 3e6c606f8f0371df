#include <hazmon/storage/plant_model_store.hpp>

#include <hazmon/core/encoding.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

namespace {
constexpr const char* kColumns =
    "m.id, m.company_code, e.name AS company_name, m.name, m.uploaded_by, m.uploaded_at, "
    "m.archive_bytes, m.size_bytes, m.file_count, m.root_path, m.bounding::text AS bounding, "
    "m.longitude, m.latitude, m.status";

model::PlantModel model_of(const Row& r) {
  model::PlantModel m;
  m.id = r.get<long long>("id");
  m.company_code = r.get<std::string>("company_code");
  m.company_name = r.get<std::string>("company_name");
  m.name = r.get<std::string>("name");
  m.uploaded_by = r.get<std::string>("uploaded_by");
  m.uploaded_at = r.get<core::SysTime>("uploaded_at");
  m.archive_bytes = r.get<long long>("archive_bytes");
  m.size_bytes = r.get<long long>("size_bytes");
  m.file_count = r.get<int>("file_count");
  m.root_path = r.get<std::string>("root_path");
  m.bounding = r.get<std::string>("bounding");
  m.longitude = r.get<std::optional<double>>("longitude");
  m.latitude = r.get<std::optional<double>>("latitude");
  m.status = r.get<std::string>("status");
  return m;
}

Param opt_double(const std::optional<double>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
}  // namespace

std::optional<std::string> PlantModelStore::enterprise_in_scope(Tx& tx, const model::Scope& scope,
                                                                const std::string& company_code,
                                                                bool lock) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<std::string>("SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND " +
                                 where + (lock ? " FOR UPDATE" : ""),
                             p);
}

long long PlantModelStore::count(Tx& tx, const std::string& company_code) const {
  return tx
      .one<long long>("SELECT count(*) FROM plant_model WHERE company_code = $1", {company_code})
      .value_or(0);
}

long long PlantModelStore::insert(Tx& tx, const model::PlantModel& m) const {
  return *tx.one<long long>(
      "INSERT INTO plant_model (company_code, name, uploaded_by, uploaded_at, archive_bytes, "
      "size_bytes, file_count, root_path, bounding, longitude, latitude) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11) RETURNING id",
      {m.company_code, m.name, m.uploaded_by, format_timestamptz(m.uploaded_at),
       std::to_string(m.archive_bytes), std::to_string(m.size_bytes), std::to_string(m.file_count),
       m.root_path, m.bounding, opt_double(m.longitude), opt_double(m.latitude)});
}

void PlantModelStore::add_file(Tx& tx, long long model_id, const std::string& path,
                               const std::string& content_type, const std::string& bytes) const {
  // The bytes pass as hex text (libpqxx 6.4's string parameters), as circular attachments do.
  tx.exec_count(
      "INSERT INTO plant_model_file (model_id, path, content_type, size_bytes, sha256, content) "
      "SELECT $1, $2, $3, length(b), encode(sha256(b), 'hex'), b "
      "FROM (SELECT decode($4, 'hex') AS b) x",
      {std::to_string(model_id), path, content_type, core::to_hex(bytes)});
}

std::vector<model::PlantModel> PlantModelStore::list(Tx& tx, const model::Scope& scope,
                                                     const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "m.company_code", "e.region_code", p);
  auto rows = tx.query(std::string("SELECT ") + kColumns +
                           " FROM plant_model m JOIN enterprise e USING (company_code) "
                           "WHERE m.company_code = $1 AND " +
                           where + " ORDER BY m.id DESC",
                       p);
  std::vector<model::PlantModel> out;
  for (const auto& row : rows) out.push_back(model_of(row));
  return out;
}

std::optional<model::PlantModel> PlantModelStore::find(Tx& tx, const model::Scope& scope,
                                                       long long id) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "m.company_code", "e.region_code", p);
  auto rows = tx.query(std::string("SELECT ") + kColumns +
                           " FROM plant_model m JOIN enterprise e USING (company_code) "
                           "WHERE m.id = $1 AND " +
                           where,
                       p);
  if (rows.empty()) return std::nullopt;
  return model_of(rows[0]);
}

std::optional<model::PlantModelFile> PlantModelStore::file(Tx& tx, const model::Scope& scope,
                                                           long long id,
                                                           const std::string& path) const {
  Params p{std::to_string(id), path};
  auto where = scope_predicate(scope, "m.company_code", "e.region_code", p);
  auto rows = tx.query(
      "SELECT f.path, f.content_type, f.sha256, encode(f.content, 'hex') AS content "
      "FROM plant_model_file f JOIN plant_model m ON m.id = f.model_id "
      "JOIN enterprise e ON e.company_code = m.company_code "
      "WHERE f.model_id = $1 AND f.path = $2 AND " +
          where,
      p);
  if (rows.empty()) return std::nullopt;
  model::PlantModelFile f;
  f.path = rows[0].get<std::string>("path");
  f.content_type = rows[0].get<std::string>("content_type");
  f.sha256 = rows[0].get<std::string>("sha256");
  f.bytes = core::from_hex(rows[0].get<std::string>("content")).value_or(std::string());
  return f;
}

bool PlantModelStore::remove(Tx& tx, long long id) const {
  return tx.exec_count("DELETE FROM plant_model WHERE id = $1", {std::to_string(id)}) == 1;
}

}  // namespace hazmon::storage
