#pragma once
// The dataIds of row uploads (migration 0037, ADR 0033): what was answered to each, so that a
// resend is answered the same and files nothing again.
#include <optional>
#include <string>

namespace hazmon::storage {

class Tx;

struct RowUploadKey {
  std::string company_code;
  std::string path;     // the upload route
  std::string data_id;  // as stored: `<forwardedBy>:<dataId>` for a city platform's
};

struct RowUploadRecord {
  std::string rows_sha256;
  std::string reply;  // JSON text
};

class RowUploadStore {
 public:
  // Waits for any other transaction filing under the same key (a transaction-level advisory lock):
  // two copies of one upload sent at the same moment are filed once, the second answered from
  // the first's record.
  void lock(Tx& tx, const RowUploadKey& key) const;
  std::optional<RowUploadRecord> find(Tx& tx, const RowUploadKey& key) const;
  void insert(Tx& tx, const RowUploadKey& key, const RowUploadRecord& r, const std::string& app_id,
              const std::optional<std::string>& forwarded_by) const;
};

}  // namespace hazmon::storage
