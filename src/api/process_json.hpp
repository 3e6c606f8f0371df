#pragma once
// The key-process catalogue, enterprise processes and the coverage check as the API writes them
// (routes_process.cpp; schemas in openapi.yaml, tag processes).
#include <nlohmann/json.hpp>

#include <hazmon/model/key_process.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/service/process_service.hpp>

namespace hazmon::api {

nlohmann::json catalogue_json(const model::KeyProcessCatalogue& c);
nlohmann::json enterprise_process_json(const model::EnterpriseProcess& p);
nlohmann::json enterprise_coverage_json(const service::EnterpriseCoverageResult& r);
nlohmann::json coverage_summary_json(const service::CoverageSummary& s);
// GET /api/v1/statistics/coverage: the region figures without the enterprise list.
nlohmann::json coverage_statistics_json(const service::CoverageSummary& s);
// The same as a table for format=csv|xlsx (columns in Chinese).
std::vector<report::Table> coverage_tables(const service::CoverageSummary& s);

}  // namespace hazmon::api
