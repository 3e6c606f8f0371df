#include <hazmon/storage/gb28181_store.hpp>

#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<GbSealedCredential> {
  using C = GbSealedCredential;
  static constexpr auto columns =
      std::make_tuple(column("id", &C::row_id), column("company_code", &C::company_code),
                      column("device_id", &C::device_id), column("password_sealed", &C::sealed));
};

namespace {
constexpr const char* kDeviceColumns =
    "SELECT d.id, d.device_id, d.company_code, e.name AS company_name, d.name, d.kind, "
    "d.password_sealed IS NOT NULL AS has_password, d.created_by, d.created_at, d.updated_at, "
    "d.registered_at, d.register_expires_at, d.last_keepalive_at, d.from_address, d.catalog_at, "
    "(SELECT count(*) FROM gb_channel c WHERE c.device_row = d.id) AS channel_count "
    "FROM gb_device d JOIN enterprise e USING (company_code) ";

Param number(std::optional<double> v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}
}  // namespace

std::optional<std::string> Gb28181Store::enterprise(Tx& tx, const model::Scope& scope,
                                                    const std::string& company_code) const {
  Params p{company_code};
  auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
  return tx.one<std::string>(
      "SELECT e.name FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where, p);
}

nlohmann::json Gb28181Store::list(Tx& tx, const model::Scope& scope,
                                  const std::optional<std::string>& company_code) const {
  Params p;
  std::string where = scope_predicate(scope, "d.company_code", "e.region_code", p);
  if (company_code) {
    p.push_back(*company_code);
    where += " AND d.company_code = $" + std::to_string(p.size());
  }
  return tx.exec(std::string(kDeviceColumns) + "WHERE " + where + " ORDER BY d.id DESC LIMIT 5000",
                 p);
}

nlohmann::json Gb28181Store::find(Tx& tx, const model::Scope& scope, long long id,
                                  bool lock) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(scope, "d.company_code", "e.region_code", p);
  return tx.exec_one(std::string(kDeviceColumns) + "WHERE d.id = $1 AND " + where +
                         (lock ? " FOR UPDATE OF d" : ""),
                     p);
}

bool Gb28181Store::exists(Tx& tx, const std::string& company_code,
                          const std::string& device_id) const {
  return tx.one<long long>(
               "SELECT count(*) FROM gb_device WHERE company_code = $1 AND device_id = $2",
               {company_code, device_id})
             .value_or(0) > 0;
}

nlohmann::json Gb28181Store::channels(Tx& tx, const std::vector<long long>& rows) const {
  if (rows.empty()) return nlohmann::json::array();
  std::string ids = "{";
  for (std::size_t i = 0; i < rows.size(); ++i) ids += (i ? "," : "") + std::to_string(rows[i]);
  ids += "}";
  return tx.exec(
      "SELECT ch.device_row, ch.channel_id, ch.name, ch.manufacturer, ch.model, ch.parent_id, "
      "ch.civil_code, ch.address, ch.status, ch.longitude, ch.latitude, ch.updated_at, "
      "(SELECT c.video_id FROM camera c WHERE c.gb_device_row = ch.device_row AND "
      "c.gb_channel_id = ch.channel_id AND c.is_active) AS video_id "
      "FROM gb_channel ch WHERE ch.device_row = ANY($1::bigint[]) "
      "ORDER BY ch.device_row, ch.channel_id",
      {ids});
}

long long Gb28181Store::insert(Tx& tx, const std::string& device_id,
                               const std::string& company_code, const std::string& name,
                               const std::string& kind, const std::string& created_by,
                               core::SysTime at) const {
  return *tx.one<long long>(
      "INSERT INTO gb_device (device_id, company_code, name, kind, created_by, created_at, "
      "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
      {device_id, company_code, name, kind, created_by, format_timestamptz(at)});
}

void Gb28181Store::update(Tx& tx, long long id, const std::optional<std::string>& name,
                          const std::optional<std::string>& kind, core::SysTime at) const {
  tx.exec_count(
      "UPDATE gb_device SET name = coalesce($2, name), kind = coalesce($3, kind), updated_at = $4 "
      "WHERE id = $1",
      {std::to_string(id), name, kind, format_timestamptz(at)});
}

void Gb28181Store::set_password(Tx& tx, long long id, const std::optional<std::string>& sealed,
                                core::SysTime at) const {
  tx.exec_count("UPDATE gb_device SET password_sealed = $2, updated_at = $3 WHERE id = $1",
                {std::to_string(id), sealed, format_timestamptz(at)});
}

void Gb28181Store::remove(Tx& tx, long long id) const {
  tx.exec_count("DELETE FROM gb_device WHERE id = $1", {std::to_string(id)});
}

std::vector<GbSealedCredential> Gb28181Store::credentials(Tx& tx,
                                                          const std::string& device_id) const {
  return tx.rows<GbSealedCredential>(
      "SELECT d.id, d.company_code, d.device_id, d.password_sealed FROM gb_device d "
      "JOIN enterprise e USING (company_code) WHERE d.device_id = $1 AND d.password_sealed IS "
      "NOT NULL AND e.is_active ORDER BY d.created_at, d.id LIMIT 16",
      {device_id});
}

bool Gb28181Store::registered(Tx& tx, long long row, core::SysTime at, int expires_s,
                              const std::string& address) const {
  return tx.exec_count(
             "UPDATE gb_device SET registered_at = CASE WHEN $3::int > 0 THEN $2::timestamptz "
             "ELSE registered_at END, register_expires_at = $2::timestamptz + make_interval(secs "
             "=> $3::int), from_address = $4 WHERE id = $1",
             {std::to_string(row), format_timestamptz(at), std::to_string(expires_s), address}) > 0;
}

bool Gb28181Store::keepalive(Tx& tx, long long row, core::SysTime at,
                             const std::string& address) const {
  return tx.exec_count(
             "UPDATE gb_device SET last_keepalive_at = $2, from_address = $3 WHERE id = $1",
             {std::to_string(row), format_timestamptz(at), address}) > 0;
}

bool Gb28181Store::replace_channels(Tx& tx, long long row, const std::vector<GbChannelRow>& items,
                                    core::SysTime at) const {
  auto when = format_timestamptz(at);
  if (tx.exec_count("UPDATE gb_device SET catalog_at = $2 WHERE id = $1",
                    {std::to_string(row), when}) == 0)
    return false;
  tx.exec_count("DELETE FROM gb_channel WHERE device_row = $1", {std::to_string(row)});
  for (const auto& c : items)
    tx.exec_count(
        "INSERT INTO gb_channel (device_row, channel_id, name, manufacturer, model, parent_id, "
        "civil_code, address, status, longitude, latitude, updated_at) VALUES ($1, $2, $3, $4, "
        "$5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (device_row, channel_id) DO NOTHING",
        {std::to_string(row), c.channel_id, c.name, c.manufacturer, c.model, c.parent_id,
         c.civil_code, c.address, c.status, number(c.longitude), number(c.latitude), when});
  return true;
}

}  // namespace hazmon::storage
