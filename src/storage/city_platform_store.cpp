// The province's view of its city platforms (migration 0031): what each city_platform credential
// forwarded, read from upload_batch through its partial index on forwarded rows.
#include <hazmon/storage/city_platform_store.hpp>
#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

template <>
struct RowDescription<CityPlatformRow> {
  using T = CityPlatformRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &T::id), column("app_id", &T::app_id), column("region_code", &T::region_code),
      column("region_name", &T::region_name), column("description", &T::description),
      column("is_active", &T::is_active), column("created_at", &T::created_at),
      column("last_upload_at", &T::last_upload_at), column("last_data_at", &T::last_data_at),
      column("uploads_24h", &T::uploads_24h), column("rows_24h", &T::rows_24h),
      column("enterprises_24h", &T::enterprises_24h), column("lag_uploads_1h", &T::lag_uploads_1h),
      column("lag_median_s", &T::lag_median_s), column("lag_p95_s", &T::lag_p95_s),
      column("duty_status", &T::duty_status), column("duty_deadline", &T::duty_deadline));
};

template <>
struct RowDescription<CityPlatformEnterpriseRow> {
  using T = CityPlatformEnterpriseRow;
  static constexpr auto columns =
      std::make_tuple(column("app_id", &T::app_id), column("company_code", &T::company_code),
                      column("name", &T::name), column("last_upload_at", &T::last_upload_at),
                      column("uploads", &T::uploads), column("rows", &T::rows));
};

std::vector<CityPlatformRow> CityPlatformStore::platforms(Tx& tx, const std::string& region_prefix,
                                                          core::SysTime now) const {
  // Forwarded rows only (forwarded_by IS NOT NULL, the partial index upload_batch_forwarded); a
  // credential's uploads without readings have no lag.
  return tx.rows<CityPlatformRow>(
      "SELECT c.id, c.app_id, c.scope_code AS region_code, coalesce(r.name, '') AS region_name, "
      "c.description, c.is_active, c.created_at, "
      "(SELECT max(u.received_ts) FROM upload_batch u WHERE u.app_id = c.app_id "
      "   AND u.forwarded_by IS NOT NULL) AS last_upload_at, "
      "(SELECT max(u.received_ts) FROM upload_batch u WHERE u.app_id = c.app_id "
      "   AND u.forwarded_by IS NOT NULL AND u.accepted > 0) AS last_data_at, "
      "d.uploads AS uploads_24h, d.rows AS rows_24h, d.enterprises AS enterprises_24h, "
      "h.n AS lag_uploads_1h, h.median_s AS lag_median_s, h.p95_s AS lag_p95_s, "
      "cd.status AS duty_status, cd.deadline::text AS duty_deadline "
      "FROM api_credential c LEFT JOIN region r ON r.code = c.scope_code "
      "LEFT JOIN city_duty cd ON cd.duty = 'city_forwarding' "
      "  AND cd.city_code = left(c.scope_code, 4) || '00' "
      "CROSS JOIN LATERAL (SELECT count(*) AS uploads, coalesce(sum(u.accepted), 0) AS rows, "
      "  count(DISTINCT u.company_code) AS enterprises FROM upload_batch u "
      "  WHERE u.app_id = c.app_id AND u.forwarded_by IS NOT NULL "
      "  AND u.received_ts >= $2::timestamptz - interval '24 hours') d "
      "CROSS JOIN LATERAL (SELECT count(*) AS n, "
      "  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM u.received_ts - "
      "    u.newest_collect_ts)) AS median_s, "
      "  percentile_cont(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM u.received_ts - "
      "    u.newest_collect_ts)) AS p95_s FROM upload_batch u "
      "  WHERE u.app_id = c.app_id AND u.forwarded_by IS NOT NULL "
      "  AND u.newest_collect_ts IS NOT NULL AND u.received_ts >= $2::timestamptz - interval '1 "
      "hour') h "
      "WHERE c.kind = 'city_platform' AND c.scope_code LIKE $1 || '%' "
      "ORDER BY c.scope_code, c.app_id",
      {region_prefix, format_timestamptz(now)});
}

std::vector<CityPlatformEnterpriseRow> CityPlatformStore::enterprises(
    Tx& tx, const std::vector<std::string>& app_ids, core::SysTime now) const {
  if (app_ids.empty()) return {};
  std::string list = "{";
  for (const auto& a : app_ids)  // [A-Za-z0-9_-] (api_credential's check): no quoting needed
    list += (list.size() > 1 ? "," : "") + a;
  list += "}";
  return tx.rows<CityPlatformEnterpriseRow>(
      "SELECT u.app_id, u.company_code, coalesce(e.name, '') AS name, "
      "max(u.received_ts) AS last_upload_at, count(*) AS uploads, "
      "coalesce(sum(u.accepted), 0) AS rows "
      "FROM upload_batch u LEFT JOIN enterprise e ON e.company_code = u.company_code "
      "WHERE u.app_id = ANY($1::text[]) AND u.forwarded_by IS NOT NULL "
      "AND u.received_ts >= $2::timestamptz - interval '24 hours' "
      "GROUP BY u.app_id, u.company_code, e.name ORDER BY u.app_id, last_upload_at DESC, "
      "u.company_code",
      {list, format_timestamptz(now)});
}

}  // namespace hazmon::storage
