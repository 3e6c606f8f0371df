// report::write_csv and report::write_xlsx: quoting, the formula guard, and a workbook read back
// from its ZIP members (shared strings, sheet XML, styles).
#include <gtest/gtest.h>

#include <hazmon/core/time_format.hpp>
#include <hazmon/report/table.hpp>

#include <regex>

#include "zip_reader.hpp"

using hazmon::report::Cell;
using hazmon::report::Column;
using hazmon::report::Table;

namespace {
Table sample() {
  Table t;
  t.title = "报警统计";
  t.notes = {"报警统计（按市）", "统计时段：2026-12-01 至 2026-12-06"};
  t.columns = {{"城市代码"}, {"城市名称"}, {"报警数", 0, 0}, {"误报率"}, {"首次报警时间"}};
  t.rows.push_back({Cell::of_text("140100"), Cell::of_text("太原市"), Cell::of_int(1234567),
                    Cell::of_percent(0.25),
                    Cell::of_time(*hazmon::core::parse_time("2026-12-05T16:30:00Z"))});
  t.rows.push_back({Cell::of_text("140200"), Cell::of_text("大同市, \"东\" <北>"), Cell::of_int(-3),
                    Cell::blank(), Cell::blank()});
  return t;
}

std::string csv_body(const std::string& csv) { return csv.substr(3); }
}  // namespace

TEST(Csv, StartsWithBomAndUsesCrlf) {
  auto csv = hazmon::report::write_csv(sample());
  ASSERT_GE(csv.size(), 3u);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_EQ(csv_body(csv),
            "城市代码,城市名称,报警数,误报率,首次报警时间\r\n"
            "140100,太原市,1234567,25.00%,2026-12-06 00:30:00\r\n"
            "140200,\"大同市, \"\"东\"\" <北>\",-3,,\r\n");
}

TEST(Csv, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("a,b")), "\"a,b\"");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("say \"hi\"")), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("two\nlines")), "\"two\nlines\"");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("cr\rhere")), "\"cr\rhere\"");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("plain 中文")), "plain 中文");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_real(1.0 / 3), 3), "0.333");
}

TEST(Csv, GuardsCellsThatSpreadsheetsWouldRunAsFormulas) {
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("=HYPERLINK(\"http://x\")")),
            "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("+1+1")), "'+1+1");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("-2+3")), "'-2+3");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("@SUM(A1)")), "'@SUM(A1)");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("\tcmd")), "'\tcmd");
  // Numbers are numbers: a negative count is not text and is not guarded.
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_int(-5)), "-5");
  EXPECT_EQ(hazmon::report::csv_field(Cell::of_text("a=b")), "a=b");
}

TEST(Csv, ShortRowsArePaddedToTheColumns) {
  Table t;
  t.columns = {{"a"}, {"b"}, {"c"}};
  t.rows.push_back({Cell::of_int(1)});
  EXPECT_EQ(csv_body(hazmon::report::write_csv(t)), "a,b,c\r\n1,,\r\n");
}

TEST(Xlsx, WorkbookHoldsChineseHeadersNumbersAndOneSheetPerTable) {
  Table second;
  second.title = "按日统计";
  second.columns = {{"日期"}, {"数量", 0, 0}};
  second.rows.push_back({Cell::of_text("2026-12-06"), Cell::of_int(42)});
  auto bytes = hazmon::report::write_xlsx({sample(), second});
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");
  auto files = hazmon::test::unzip_members(bytes);
  ASSERT_TRUE(files.count("xl/workbook.xml"));
  ASSERT_TRUE(files.count("xl/sharedStrings.xml"));
  ASSERT_TRUE(files.count("xl/worksheets/sheet1.xml"));
  ASSERT_TRUE(files.count("xl/worksheets/sheet2.xml"));
  EXPECT_FALSE(files.count("xl/worksheets/sheet3.xml"));
  const auto& wbx = files["xl/workbook.xml"];
  EXPECT_NE(wbx.find("name=\"报警统计\""), std::string::npos) << wbx;
  EXPECT_NE(wbx.find("name=\"按日统计\""), std::string::npos) << wbx;
  const auto& strings = files["xl/sharedStrings.xml"];
  for (const char* s : {"城市代码", "城市名称", "报警数", "误报率", "首次报警时间", "太原市",
                        "统计时段：2026-12-01 至 2026-12-06"})
    EXPECT_NE(strings.find(s), std::string::npos) << s;
  // Markup in a cell stays text.
  EXPECT_NE(strings.find("大同市, \"东\" &lt;北&gt;"), std::string::npos) << strings;
  const auto& sheet1 = files["xl/worksheets/sheet1.xml"];
  EXPECT_NE(sheet1.find("<v>1234567</v>"), std::string::npos) << sheet1;
  EXPECT_NE(sheet1.find("<v>0.25</v>"), std::string::npos) << sheet1;
  EXPECT_NE(sheet1.find("<v>-3</v>"), std::string::npos) << sheet1;
  // 2026-12-06 00:30:00 Beijing as an Excel serial: 46362 days after 1899-12-30, plus 0.5 h.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sheet1, m, std::regex("<v>(4636[0-9]\\.[0-9]+)</v>"))) << sheet1;
  EXPECT_NEAR(std::stod(m[1]), 46362 + 0.5 / 24, 1e-6);
  EXPECT_NE(sheet1.find("<pane"), std::string::npos) << "header row frozen";
  EXPECT_NE(sheet1.find("<cols>"), std::string::npos) << "column widths set";
  EXPECT_NE(files["xl/worksheets/sheet2.xml"].find("<v>42</v>"), std::string::npos);
  const auto& styles = files["xl/styles.xml"];
  EXPECT_NE(styles.find("<b/>"), std::string::npos) << "a bold font for the header";
  EXPECT_NE(styles.find("0.00%"), std::string::npos);
  EXPECT_NE(styles.find("yyyy-mm-dd hh:mm:ss"), std::string::npos);
}

TEST(Xlsx, SheetNamesAreCleanedTruncatedAndUnique) {
  Table a;
  a.title = "a/b:c";
  a.columns = {{"x"}};
  Table b = a;
  Table c;
  c.title = std::string(40, 'z');
  c.columns = {{"x"}};
  auto files = hazmon::test::unzip_members(hazmon::report::write_xlsx({a, b, c}));
  const auto& wbx = files["xl/workbook.xml"];
  EXPECT_NE(wbx.find("name=\"a_b_c\""), std::string::npos) << wbx;
  EXPECT_NE(wbx.find("name=\"a_b_c(2)\""), std::string::npos) << wbx;
  EXPECT_NE(wbx.find("name=\"" + std::string(31, 'z') + "\""), std::string::npos) << wbx;
}

TEST(Xlsx, AnEmptyListStillMakesAWorkbook) {
  auto files = hazmon::test::unzip_members(hazmon::report::write_xlsx({}));
  EXPECT_TRUE(files.count("xl/worksheets/sheet1.xml"));
}
