#pragma once
// A duty call as the live stream's `call` event carries it (docs/calls.md): the call as GET
// /api/v1/calls/{id} shows it to the called room (`incoming` true, `mine` false). Only the called
// duty room's people receive it (service::EventHub).
#include <nlohmann/json_fwd.hpp>

#include <hazmon/model/duty_call.hpp>

namespace hazmon::api {

nlohmann::json call_event_json(const model::DutyCall& c);

}  // namespace hazmon::api
