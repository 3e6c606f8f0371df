#pragma once
// Inside storage only: COPY … FROM STDIN (FORMAT binary) of readings on the connection behind a
// libpqxx transaction. See docs/adr/0012-binary-copy-for-readings.md.
#include <pqxx/pqxx>

#include <hazmon/model/point.hpp>

#include <string>
#include <vector>

namespace hazmon::storage {

// The binary COPY stream for `reading (point_id, collect_ts, value, quality, received_ts)`:
// PostgreSQL's header, one tuple per reading, the trailer. Exposed for the unit test.
std::string encode_readings_binary(const std::vector<model::Reading>& rows);

// Sends the rows inside `work`'s open transaction. Errors are thrown as libpqxx exceptions
// (pqxx::broken_connection, pqxx::sql_error with the SQLSTATE) so callers map them as for any
// other statement.
void copy_readings_binary(pqxx::work& work, const std::vector<model::Reading>& rows);

}  // namespace hazmon::storage
