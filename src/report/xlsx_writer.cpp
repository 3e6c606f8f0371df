// XLSX through libxlsxwriter (ADR 0016). libxlsxwriter 1.1 writes to a file only, so the workbook
// goes to a private temporary file that is read back and removed.
#include <hazmon/report/table.hpp>

#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <hazmon/core/error.hpp>

namespace hazmon::report {
using core::Errc;
using core::Error;

namespace {
// Display width: CJK and other wide characters take two columns.
int display_width(const std::string& s) {
  int w = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80)
      ++w;
    else if ((c & 0xC0) != 0x80)
      w += 2;  // a lead byte: count the character once
  }
  return w;
}

std::size_t utf8_prefix(const std::string& s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) return i;
      ++chars;
    }
  }
  return s.size();
}

std::string sheet_name(const std::string& title, std::set<std::string>& used) {
  std::string clean;
  for (char ch : title) clean += std::string("[]:*?/\\").find(ch) == std::string::npos ? ch : '_';
  if (!clean.empty() && clean.front() == '\'') clean.front() = '_';
  if (!clean.empty() && clean.back() == '\'') clean.back() = '_';
  if (clean.empty()) clean = "Sheet";
  for (int n = 1;; ++n) {
    std::string suffix = n == 1 ? "" : "(" + std::to_string(n) + ")";
    std::string candidate = clean.substr(0, utf8_prefix(clean, 31 - suffix.size())) + suffix;
    std::string lower = candidate;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (used.insert(lower).second) return candidate;
  }
}

lxw_datetime beijing_datetime(core::SysTime t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t).time_since_epoch().count() + 8 * 3600;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return lxw_datetime{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour,        tm.tm_min,     static_cast<double>(tm.tm_sec)};
}

void check(lxw_error e, const char* what) {
  if (e != LXW_NO_ERROR)
    throw Error(Errc::internal, std::string("xlsx: ") + what + ": " + lxw_strerror(e));
}

struct Formats {
  lxw_format* title;
  lxw_format* note;
  lxw_format* header;
  lxw_format* integer;
  lxw_format* time;
  std::map<int, lxw_format*> real, percent;
};

lxw_format* decimals_format(lxw_workbook* wb, std::map<int, lxw_format*>& cache, int decimals,
                            bool percent) {
  decimals = std::clamp(decimals, 0, 10);
  if (auto it = cache.find(decimals); it != cache.end()) return it->second;
  std::string f = decimals ? "0." + std::string(static_cast<std::size_t>(decimals), '0') : "0";
  if (percent) f += "%";
  auto* fmt = workbook_add_format(wb);
  format_set_num_format(fmt, f.c_str());
  cache[decimals] = fmt;
  return fmt;
}

struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

// A private temporary file for the workbook (mkstemp), removed with the TempFile.
void make_temp(TempFile& tmp) {
  std::string pattern = (std::filesystem::temp_directory_path() / "hazmon-xlsx-XXXXXX").string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw Error(Errc::internal, "xlsx: no temporary file");
  ::close(fd);
  tmp.path = pattern;
}

Formats make_formats(lxw_workbook* wb) {
  Formats fmt{};
  fmt.title = workbook_add_format(wb);
  format_set_bold(fmt.title);
  format_set_font_size(fmt.title, 14);
  fmt.note = workbook_add_format(wb);
  format_set_font_color(fmt.note, 0x595959);
  fmt.header = workbook_add_format(wb);
  format_set_bold(fmt.header);
  format_set_bg_color(fmt.header, 0xD9E1F2);
  format_set_border(fmt.header, LXW_BORDER_THIN);
  format_set_text_wrap(fmt.header);
  format_set_align(fmt.header, LXW_ALIGN_CENTER);
  fmt.integer = workbook_add_format(wb);
  format_set_num_format(fmt.integer, "0");
  fmt.time = workbook_add_format(wb);
  format_set_num_format(fmt.time, "yyyy-mm-dd hh:mm:ss");

  return fmt;
}

// Writes one cell; returns its display width (0 for none).
int write_cell(lxw_workbook* wb, lxw_worksheet* ws, lxw_row_t r, lxw_col_t col, const Cell& cell,
               const Column& column, Formats& fmt) {
  int w = 0;
  switch (cell.kind) {
    case CellKind::empty:
      break;
    case CellKind::text:
      check(worksheet_write_string(ws, r, col, cell.text.c_str(), nullptr), "text");
      w = display_width(cell.text);
      break;
    case CellKind::integer:
      check(worksheet_write_number(ws, r, col, static_cast<double>(cell.integer), fmt.integer),
            "integer");
      w = static_cast<int>(std::to_string(cell.integer).size());
      break;
    case CellKind::real:
    case CellKind::percent:
      if (std::isfinite(cell.real)) {
        bool pct = cell.kind == CellKind::percent;
        check(worksheet_write_number(
                  ws, r, col, cell.real,
                  decimals_format(wb, pct ? fmt.percent : fmt.real, column.decimals, pct)),
              "number");
        w = 12;
      }
      break;
    case CellKind::time: {
      auto dt = beijing_datetime(cell.time);
      check(worksheet_write_datetime(ws, r, col, &dt, fmt.time), "time");
      w = 19;
      break;
    }
  }
  return w;
}

// One table as one sheet: notes, a bold header row frozen in place, the rows, column widths.
void write_sheet(lxw_workbook* wb, const Table& t, std::set<std::string>& used, Formats& fmt) {
  auto name = sheet_name(t.title, used);
  lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
  if (!ws) throw Error(Errc::internal, "xlsx: cannot add sheet");
  lxw_row_t r = 0;
  for (std::size_t i = 0; i < t.notes.size(); ++i, ++r)
    check(worksheet_write_string(ws, r, 0, t.notes[i].c_str(), i == 0 ? fmt.title : fmt.note),
          "note");
  if (!t.notes.empty()) ++r;  // a blank line before the table
  const lxw_row_t header_row = r;
  std::vector<int> widths(t.columns.size(), 6);
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    check(worksheet_write_string(ws, r, static_cast<lxw_col_t>(c), t.columns[c].header.c_str(),
                                 fmt.header),
          "header");
    widths[c] = std::max(widths[c], display_width(t.columns[c].header) + 2);
  }
  ++r;
  for (const auto& row : t.rows) {
    for (std::size_t c = 0; c < t.columns.size() && c < row.size(); ++c) {
      int w = write_cell(wb, ws, r, static_cast<lxw_col_t>(c), row[c], t.columns[c], fmt);
      widths[c] = std::max(widths[c], w + 2);
    }
    ++r;
  }
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    double w = t.columns[c].width > 0 ? t.columns[c].width : std::min(widths[c], 60);
    check(
        worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), w, nullptr),
        "width");
  }
  worksheet_freeze_panes(ws, header_row + 1, 0);
}
}  // namespace

std::string write_xlsx(const std::vector<Table>& tables) {
  TempFile tmp;
  make_temp(tmp);
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  lxw_workbook* wb = workbook_new_opt(tmp.path.c_str(), &options);
  if (!wb) throw Error(Errc::internal, "xlsx: cannot create the workbook");
  // workbook_close frees the workbook whatever happens; make sure it runs once on every path.
  std::unique_ptr<lxw_workbook, void (*)(lxw_workbook*)> guard(
      wb, [](lxw_workbook* w) { workbook_close(w); });
  Formats fmt = make_formats(wb);
  std::set<std::string> used;
  if (tables.empty()) {  // a workbook needs a sheet
    if (!workbook_add_worksheet(wb, "Sheet1"))
      throw Error(Errc::internal, "xlsx: cannot add a sheet");
  }
  for (const auto& t : tables) write_sheet(wb, t, used, fmt);
  lxw_error closed = workbook_close(guard.release());
  if (closed != LXW_NO_ERROR)
    throw Error(Errc::internal, std::string("xlsx: ") + lxw_strerror(closed));
  std::ifstream in(tmp.path, std::ios::binary);
  if (!in) throw Error(Errc::internal, "xlsx: cannot read the workbook back");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hazmon::report
