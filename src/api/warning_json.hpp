#pragma once
// Inside api only: warning events (model/warning_view.hpp structs from service::WarningService)
// as GET /warning-events answers them: the stored columns by name, NULL as null, times as
// PostgreSQL prints them.
#include <nlohmann/json.hpp>

#include <hazmon/model/warning_view.hpp>

namespace hazmon::api::warning_json {

nlohmann::json event(const model::WarningEvent& e);
nlohmann::json alarm(const model::WarningAlarmLink& a);
nlohmann::json record(const model::DisposalRecord& r);
nlohmann::json recipients(const std::vector<model::ActorKind>& v);
// The event plus alarms, records, recipients and allowed_actions.
nlohmann::json detail(const model::WarningEventDetail& d);
// {"items", "total", "limit", "offset"}
nlohmann::json page(const model::WarningEventPage& p, int limit, long long offset);

}  // namespace hazmon::api::warning_json
