#include <hazmon/service/row_uploads.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/federation_store.hpp>
#include <hazmon/storage/row_upload_store.hpp>
#include <hazmon/storage/unit_of_work.hpp>

namespace hazmon::service {
using core::Errc;
using core::Error;

namespace {
const storage::RowUploadStore kStore;
const storage::FederationStore kOutbox;
}  // namespace

RowUploadAnswer RowUploadService::upload(const std::optional<RowUploadIdentity>& id,
                                         const std::function<FiledUpload()>& file) {
  storage::UnitOfWork unit(db_);
  std::optional<storage::RowUploadKey> key;
  if (id) {
    key = storage::RowUploadKey{id->company_code, id->path, id->data_id};
    kStore.lock(unit.tx(), *key);
    if (auto seen = kStore.find(unit.tx(), *key)) {
      // Different rows under a used dataId: answering the first reply would drop them silently,
      // filing them would make the first answer a lie for a resend of it.
      if (seen->rows_sha256 != id->rows_sha256)
        throw Error(Errc::conflict, core::Reason::data_id_reused,
                    "this dataId was used by an upload with other rows; a new upload takes a new "
                    "dataId",
                    {{"/dataId", "used before with other rows"}});
      return {nlohmann::json::parse(seen->reply), true};
    }
  }
  auto filed = file();
  auto& tx = unit.tx();
  if (key)
    kStore.insert(tx, *key, {id->rows_sha256, filed.reply.dump()}, id->app_id, id->forwarded_by);
  if (filed.forward) {
    const auto& f = *filed.forward;
    kOutbox.enqueue(tx, f.path, f.company_code, f.data_id, f.body);
  }
  unit.commit();
  return {std::move(filed.reply), false};
}

void RowUploadService::row(const std::function<void()>& fn) {
  storage::UnitOfWork savepoint(db_);
  fn();
  savepoint.commit();
}

}  // namespace hazmon::service
