#pragma once
// Tabular exports (导出): a typed table written as CSV (UTF-8 with BOM, RFC 4180) or as an XLSX
// workbook (libxlsxwriter, ADR 0016), one sheet per table. Statistics, data quality and the
// daily/weekly reports build Tables; the writers know nothing about where the figures came from.
#include <cstdint>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::report {

enum class CellKind { empty, text, integer, real, percent, time };

// One value. `real` holds reals and percents (0.25 is 25 %); times are shown in Beijing time
// (UTC+8) without an offset, as every time shown to people.
struct Cell {
  CellKind kind = CellKind::empty;
  std::string text;
  long long integer = 0;
  double real = 0;
  core::SysTime time{};

  static Cell blank() { return {}; }
  static Cell of_text(std::string s);
  static Cell of_int(long long v);
  static Cell of_real(double v);
  static Cell of_percent(double fraction);  // 0.25 → 25.00 %
  static Cell of_time(core::SysTime t);
};

struct Column {
  std::string header;  // Chinese, as people read it
  int width = 0;       // in characters; 0: from the header and the cells
  int decimals = 2;    // reals and percents
};

struct Table {
  std::string title;               // the sheet name (at most 31 characters are kept)
  std::vector<std::string> notes;  // lines above the header row in XLSX (period, scope); not in CSV
  std::vector<Column> columns;
  std::vector<std::vector<Cell>>
      rows;  // each row has columns.size() cells (missing ones are blank)
};

// RFC 4180: CRLF line ends, fields with a comma, quote, CR or LF quoted and quotes doubled; a UTF-8
// BOM first so that Excel reads Chinese. A text cell that starts with = + - @ (or a tab or CR) gets
// a leading ' so that a spreadsheet shows it instead of running it as a formula (CSV injection).
std::string write_csv(const Table& table);
// The field as write_csv writes it (guarded and quoted as needed).
std::string csv_field(const Cell& cell, int decimals = 2);

// An XLSX workbook with one sheet per table: notes, then a bold, frozen header row, then the rows
// with number formats (integers, reals with the column's decimals, percents, times as
// yyyy-mm-dd hh:mm:ss) and column widths. Sheet names are made unique and stripped of []:*?/\.
// Throws core::Error(internal) if libxlsxwriter fails.
std::string write_xlsx(const std::vector<Table>& tables);

// Beijing time (UTC+8) without offset: "2026-12-06 08:00:00".
std::string beijing_time(core::SysTime t);

}  // namespace hazmon::report
