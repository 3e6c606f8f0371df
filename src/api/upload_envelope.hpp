#pragma once
// The MEM-style encrypted envelope {appId, dataId, data} that readings and base-table uploads
// may come in (routes_ingest.cpp, routes_upload_tables.cpp).
#include <nlohmann/json.hpp>

#include <hazmon/api/api.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::api {

// The body inside the envelope `body`, opened with the caller's envelope key. Refuses fields
// other than appId, dataId and data, an appId that is not the caller, data that is not a string,
// and a credential without a key.
nlohmann::json open_upload_envelope(ApiContext& ctx, const model::Principal& who,
                                    const nlohmann::json& body);

}  // namespace hazmon::api
