#include <hazmon/report/table.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>

namespace hazmon::report {

Cell Cell::of_text(std::string s) {
  Cell c;
  c.kind = CellKind::text;
  c.text = std::move(s);
  return c;
}
Cell Cell::of_int(long long v) {
  Cell c;
  c.kind = CellKind::integer;
  c.integer = v;
  return c;
}
Cell Cell::of_real(double v) {
  Cell c;
  c.kind = CellKind::real;
  c.real = v;
  return c;
}
Cell Cell::of_percent(double fraction) {
  Cell c;
  c.kind = CellKind::percent;
  c.real = fraction;
  return c;
}
Cell Cell::of_time(core::SysTime t) {
  Cell c;
  c.kind = CellKind::time;
  c.time = t;
  return c;
}

std::string beijing_time(core::SysTime t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t).time_since_epoch().count() + 8 * 3600;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

namespace {
std::string fixed(double v, int decimals) {
  if (!std::isfinite(v)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals < 0 ? 0 : (decimals > 10 ? 10 : decimals), v);
  return buf;
}

// Spreadsheets run a cell that starts with these as a formula (OWASP "CSV injection").
bool looks_like_formula(const std::string& s) {
  if (s.empty()) return false;
  switch (s[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string csv_field(const Cell& cell, int decimals) {
  std::string v;
  switch (cell.kind) {
    case CellKind::empty:
      return "";
    case CellKind::integer:
      return std::to_string(cell.integer);
    case CellKind::real:
      return fixed(cell.real, decimals);
    case CellKind::percent: {
      auto s = fixed(cell.real * 100, decimals);
      return s.empty() ? s : s + "%";
    }
    case CellKind::time:
      return beijing_time(cell.time);
    case CellKind::text:
      v = cell.text;
      break;
  }
  if (looks_like_formula(v)) v.insert(0, 1, '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

std::string write_csv(const Table& table) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 BOM: Excel otherwise reads Chinese as GBK
  auto line = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ',';
      out += fields[i];
    }
    out += "\r\n";
  };
  std::vector<std::string> fields;
  for (const auto& c : table.columns) fields.push_back(csv_field(Cell::of_text(c.header)));
  line(fields);
  for (const auto& row : table.rows) {
    fields.clear();
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      fields.push_back(i < row.size() ? csv_field(row[i], table.columns[i].decimals) : "");
    line(fields);
  }
  return out;
}

}  // namespace hazmon::report
