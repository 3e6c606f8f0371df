#pragma once
// Circulars (信息通报, docs/circulars.md) as the API carries them: strict parsing of a draft with
// JSON pointers for every complaint, and the stored rows back as JSON.
#include <nlohmann/json.hpp>

#include <hazmon/model/circular.hpp>
#include <hazmon/service/circular_service.hpp>

namespace hazmon::api {

// POST /api/v1/circulars (`create`: title required) and PATCH /api/v1/circulars/{id}: throws
// core::Error(validation_failed) listing every field that is unknown or of the wrong type.
service::CircularDraft circular_draft_from_json(const nlohmann::json& body, bool create);
nlohmann::json circular_json(const model::Circular& c, core::SysTime now);
nlohmann::json circular_recipient_json(const model::Circular& c, const model::CircularRecipient& r,
                                       core::SysTime now);
nlohmann::json circular_attachment_json(long long circular_id, const model::CircularAttachment& a);
nlohmann::json circular_detail_json(const service::CircularDetail& d, core::SysTime now);
nlohmann::json circular_summary_json(const service::CircularSummary& s);
// GET /api/v1/circulars/{id}/notifications: per named enterprise whether anyone could be told
// (`reachable`, null for a draft) and its messages with their delivery state.
nlohmann::json circular_deliveries_json(const service::CircularDeliveries& d);

}  // namespace hazmon::api
