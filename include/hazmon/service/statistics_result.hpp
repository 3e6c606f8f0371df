#pragma once
// What a statistics query answers (StatisticsService, statistics_service.hpp): the JSON body, the
// same rows as tables (the first is the CSV) and a file name for the downloads.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include <hazmon/report/table.hpp>

namespace hazmon::service {

struct StatisticsResult {
  nlohmann::json body;
  std::vector<report::Table> tables;
  std::string file_name;        // Chinese, without extension: 报警统计_按市_20261201-20261206
  std::string ascii_file_name;  // statistics-alarms-city-20261201-20261206
};

}  // namespace hazmon::service
