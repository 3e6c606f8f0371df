#pragma once
// The JSON of the monitoring answers (GET /readings/latest, /points/{quota}/history and
// /aggregates, /alarms, /filings): field names and types as the API documents them
// (schemas/openapi.yaml); times RFC 3339 UTC as PostgreSQL prints them; NULL columns null.
#include <nlohmann/json.hpp>

#include <vector>

#include <hazmon/model/monitoring.hpp>
#include <hazmon/service/monitoring.hpp>

namespace hazmon::api {

nlohmann::json latest_json(const model::Page<model::LatestValue>& page, int limit,
                           long long offset);
nlohmann::json history_json(const service::PointHistory& h);
nlohmann::json aggregates_json(const service::PointAggregates& a);
nlohmann::json alarms_json(const model::Page<model::AlarmEpisode>& page, int limit,
                           long long offset);
nlohmann::json filing_json(const model::Filing& f);
nlohmann::json filing_json(const service::FilingAnswer& a);
nlohmann::json filings_json(const std::vector<model::Filing>& filings);

}  // namespace hazmon::api
