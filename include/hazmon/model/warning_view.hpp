#pragma once
// Warning events as the service hands them out (the API edge, src/api/warning_json.cpp, turns
// them into JSON): one event for a person, with its alarms, disposal records, recipients and the
// actions the caller may take; and a push as WarningService::on_push listeners hear it.
#include <string>
#include <vector>

#include <hazmon/model/page.hpp>
#include <hazmon/model/warning.hpp>

namespace hazmon::model {

// GET /warning-events/{id}.
struct WarningEventDetail {
  WarningEvent event;
  std::vector<WarningAlarmLink> alarms;
  std::vector<DisposalRecord> records;
  std::vector<ActorKind> recipients;  // the tiers notified at its level and escalation count
  std::vector<DisposalAction> allowed_actions;  // for the caller
};

using WarningEventPage = Page<WarningEvent>;

// A push as WarningService::on_push listeners hear it: the event, the tiers to notify and why
// ("created", "level_raised" or "escalated"). The live stream carries it as JSON
// (api::warning_push_json), the notify templates render it.
struct WarningPush {
  WarningEvent event;
  std::vector<ActorKind> recipients;
  std::string push_reason;
};

}  // namespace hazmon::model
