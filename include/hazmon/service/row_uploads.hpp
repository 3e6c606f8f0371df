#pragma once
// Row uploads (base tables, commitments, work permits, unit statuses, SIS, enterprise processes)
// in one transaction each (ADR 0033, docs/federation.md): the rows the services file, the audit
// entry, the dataId's record and, in city mode, the federation outbox row commit together or not
// at all, so a 2xx means stored (and, in a city, on its way to the province) for every upload
// kind, as for readings. The services keep their own transactions: inside upload() they are
// savepoints of its storage::UnitOfWork.
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

// What a row upload is deduplicated by (migration 0037): an upload with a dataId is answered once
// per (enterprise, route, dataId) and its rows.
struct RowUploadIdentity {
  std::string company_code;
  std::string path;                         // the upload route
  std::string data_id;                      // as stored: `<forwardedBy>:<dataId>` for a city's
  std::string rows_sha256;                  // of the rows as read
  std::string app_id;                       // the credential that sent it
  std::optional<std::string> forwarded_by;  // a city platform's region
};

// City mode: the upload as it goes on to the province (federation_outbox).
struct OutboxEntry {
  std::string path, company_code, data_id, body;
};

struct FiledUpload {
  nlohmann::json reply;
  std::optional<OutboxEntry> forward;  // queued in the same transaction (nullopt: nothing)
};

struct RowUploadAnswer {
  nlohmann::json reply;
  bool repeat = false;  // answered from an earlier upload's record: nothing filed now
};

class RowUploadService {
 public:
  explicit RowUploadService(storage::Database& db) : db_(db) {}

  // One upload in one transaction. With an identity: waits for any upload filing under the same
  // key, answers a recorded one with its stored reply (repeat, `file` not called) or refuses it
  // (409 data_id_reused) when its rows differ; otherwise calls `file`, records the reply, queues
  // the forward, and commits. An exception from `file` rolls everything back.
  RowUploadAnswer upload(const std::optional<RowUploadIdentity>& id,
                         const std::function<FiledUpload()>& file);
  // One row inside upload()'s `file`: a savepoint, so that a row refused half-way (a SIS row whose
  // second step fails) leaves nothing of itself while the others stay.
  void row(const std::function<void()>& fn);

 private:
  storage::Database& db_;
};

}  // namespace hazmon::service
