#include <hazmon/storage/row_upload_store.hpp>

#include <hazmon/storage/database.hpp>

namespace hazmon::storage {

void RowUploadStore::lock(Tx& tx, const RowUploadKey& k) const {
  tx.exec_count(
      "SELECT pg_advisory_xact_lock(hashtext('row_upload'), hashtext($1 || '|' || $2 || '|' || "
      "$3))",
      {k.company_code, k.path, k.data_id});
}

std::optional<RowUploadRecord> RowUploadStore::find(Tx& tx, const RowUploadKey& k) const {
  auto r = tx.query(
      "SELECT rows_sha256, reply::text AS reply FROM row_upload "
      "WHERE company_code = $1 AND path = $2 AND data_id = $3",
      {k.company_code, k.path, k.data_id});
  if (r.empty()) return std::nullopt;
  return RowUploadRecord{r[0].get<std::string>("rows_sha256"), r[0].get<std::string>("reply")};
}

void RowUploadStore::insert(Tx& tx, const RowUploadKey& k, const RowUploadRecord& r,
                            const std::string& app_id,
                            const std::optional<std::string>& forwarded_by) const {
  tx.exec(
      "INSERT INTO row_upload (company_code, path, data_id, rows_sha256, reply, app_id, "
      "forwarded_by) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
      {k.company_code, k.path, k.data_id, r.rows_sha256, r.reply, app_id, forwarded_by});
}

}  // namespace hazmon::storage
