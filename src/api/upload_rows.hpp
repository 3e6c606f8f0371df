#pragma once
// What the row uploads of machine credentials share (base tables, commitments, work permits):
// the rows out of the body and the reason a refused row is given.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <hazmon/api/api.hpp>
#include <hazmon/http/message.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/service/row_uploads.hpp>

namespace hazmon::api {

struct UploadRowsRules {
  std::size_t max_rows = 100;
  const char* rows_name = "rows";  // "expected an array of <rows_name>", "at most N <rows_name>"
  const char* other_enterprise = "this credential may not upload data of another enterprise";
};

// The rows of an upload: a bare array, or {companyCode, dataId, datas: [...]}. Refuses other
// fields (422), another enterprise's companyCode as a whole (403), a missing datas or rows that
// are not an array (422) and more than max_rows rows (413).
const nlohmann::json& upload_rows(const nlohmann::json& body, const model::Principal& who,
                                  const UploadRowsRules& rules);

// Who a machine's row upload files as: a gateway as itself (forwardedBy refused, 403); a city
// platform as the gateway of the enterprise its body names ({companyCode, forwardedBy?, datas}:
// companyCode required, 422; an enterprise outside its region by the stored region_code, or a
// forwardedBy other than its own region, 403). Anyone else: 403 `refused`.
model::Principal uploading_gateway(ApiContext& ctx, const nlohmann::json& body,
                                   const model::Principal& who, const char* refused);

// The dataId a row upload was sent with: the body's (object form) or, for an encrypted envelope,
// the envelope's (`envelope_id`, read before it was opened). nullopt when it has none; 422 on
// /dataId unless 1–64 letters, digits, - _ . (as a readings upload's).
std::optional<std::string> sent_data_id(const nlohmann::json& body,
                                        const std::optional<std::string>& envelope_id);

// What an upload that names `sent_id` is deduplicated by at this instance (ADR 0033): the
// (enterprise, route, dataId) key, `<region>:<dataId>` when a city platform forwarded it (its
// resend is a resend, but it cannot take its enterprise's gateway's dataIds: attack 13.9), and
// the rows' digest. nullopt without a dataId.
std::optional<service::RowUploadIdentity> upload_identity(const std::string& path,
                                                          const std::optional<std::string>& sent_id,
                                                          const model::Principal& who,
                                                          const model::Principal& as,
                                                          const nlohmann::json& rows);

// City mode (docs/federation.md "City side", ADR 0026): the outbox row for an upload the city
// stored something of, to `path`, in the object form the province takes from a city platform,
// {companyCode, dataId, datas: rows} (the forwarder adds forwardedBy). The gateway's dataId is
// kept, a random `<id_prefix>…` one when it sent none. Queued by RowUploadService in the
// transaction that stores the rows. A province: nullopt.
std::optional<service::OutboxEntry> forward_entry(ApiContext& ctx, const std::string& path,
                                                  const std::optional<std::string>& sent_id,
                                                  const model::Principal& as,
                                                  const nlohmann::json& rows,
                                                  const char* id_prefix);

// The upload's one transaction (RowUploadService::upload); 500 when the context lacks it.
service::RowUploadService& row_uploads(ApiContext& ctx);

// A refused row's reason: the message and the first three field complaints, as the registry API
// gives them.
std::string rejection_reason(const core::Error& e);

// A gateway's upload of rows it files one by one (commitments, work permits): who may, what the
// audit entry says, and the name of the count of rows that changed an existing record.
struct RowUpload {
  const char* refused;  // the 403 for anyone but an enterprise's gateway
  const char* action;   // audit action, e.g. "upload.commitments"
  const char* target;   // audit target, e.g. "commitments"
  const char* changed;  // "replaced" or "updated"
  UploadRowsRules rules;
};

// Checks the caller and the query, opens the encrypted envelope when the body is one, takes the
// rows (upload_rows), files each with `file_one` (true: it created a record) and answers
// {accepted, created, <changed>, rejected: [{index, reason}]}. A row naming another enterprise,
// or one `file_one` refuses with a client error, is rejected by index and leaves nothing of
// itself (a savepoint); unavailable and internal errors fail the whole upload. All of it is one
// transaction (RowUploadService): the rows, the audit entry of an upload that filed something
// (authed() leaves uploads out), in city mode its outbox row for the province at req.path, and
// its dataId's record: a resend of a dataId is answered as the first upload was, a dataId used
// with other rows is 409 data_id_reused. `file_one` gets the row and whom it files as
// (uploading_gateway).
http::Response upload_each(
    ApiContext& ctx, http::Request& req, const model::Principal& who, const RowUpload& u,
    const std::function<bool(const nlohmann::json& row, const model::Principal& as)>& file_one);

}  // namespace hazmon::api
