#pragma once
// Inside api only: the video answers (model/video.hpp structs from service::VideoService) as the
// API's JSON (schemas/openapi.yaml, /api/v1/video/… and /api/v1/cameras/…).
#include <nlohmann/json.hpp>

#include <hazmon/model/video.hpp>

namespace hazmon::api::video_json {

// An event with its evidence as URLs the client fetches with its bearer token.
nlohmann::json event(const model::VideoEventRecord& e);
// One event for a person: plus allowed_decisions and warning_level.
nlohmann::json event_view(const model::VideoEventView& v);
nlohmann::json event_page(const model::VideoEventPage& p, int limit, long long offset);
nlohmann::json statistics(const model::VideoStatistics& s);
nlohmann::json camera_state(const model::CameraState& c);
nlohmann::json camera_page(const model::CameraStatePage& p, int limit, long long offset);

}  // namespace hazmon::api::video_json
