#pragma once
// A warning push (WarningService::on_push) as the live stream carries it: the event as GET
// /warning-events/{id} shows it without alarms, records and actions, plus `recipients` and
// `push_reason`.
#include <nlohmann/json_fwd.hpp>

#include <hazmon/model/warning_view.hpp>

namespace hazmon::api {

nlohmann::json warning_push_json(const model::WarningPush& p);

}  // namespace hazmon::api
