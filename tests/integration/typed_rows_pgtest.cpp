// Tx's typed rows against PostgreSQL: Row::get<T> by position and name, NULL → std::optional,
// timestamptz → core::SysTime, enums from their text, structs through RowDescription, and the
// errors for NULL into a non-optional, unknown enum text and a missing column.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using hazmon::core::Errc;
using hazmon::core::SysTime;
using hazmon::storage::Tx;
using namespace hazmon::test;
using namespace std::chrono;

namespace probe {
enum class Colour { red, orange };
std::optional<Colour> enum_from_string(std::string_view s, std::type_identity<Colour>) {
  if (s == "red") return Colour::red;
  if (s == "orange") return Colour::orange;
  return std::nullopt;
}

struct Item {
  long long id = 0;
  std::string name;
  std::optional<std::string> note;
  std::optional<int> rank;
  Colour colour = Colour::orange;
  std::optional<Colour> was;
  SysTime at{};
  std::optional<SysTime> closed;
  double value = 0;
  bool open = false;
};
}  // namespace probe

template <>
struct hazmon::storage::RowDescription<probe::Item> {
  static constexpr auto columns =
      std::make_tuple(column("id", &probe::Item::id), column("name", &probe::Item::name),
                      column("note", &probe::Item::note), column("rank", &probe::Item::rank),
                      column("colour", &probe::Item::colour), column("was", &probe::Item::was),
                      column("at", &probe::Item::at), column("closed", &probe::Item::closed),
                      column("value", &probe::Item::value), column("open", &probe::Item::open));
};

namespace {
SysTime utc(int y, unsigned mo, unsigned d, int h, int mi, int s, int us = 0) {
  return time_point_cast<SysTime::duration>(sys_days{year{y} / month{mo} / day{d}} + hours(h) +
                                            minutes(mi) + seconds(s) + microseconds(us));
}

class TypedRowsPg : public ::testing::Test {
 protected:
  hazmon::storage::Database& db = shared_db().db();
};
}  // namespace

TEST_F(TypedRowsPg, FieldsByPositionAndName) {
  auto tx = db.begin();
  auto r = tx.query(
      "SELECT 42::integer AS i, 9007199254740993::bigint AS big, 2.5::numeric AS num, true AS yes, "
      "'hé'::text AS s, "
      "NULL::text AS nothing, '2021-10-31 20:34:56.789+08'::timestamptz AS ts, 'orange' AS colour");
  ASSERT_EQ(r.size(), 1u);
  auto row = r[0];
  EXPECT_EQ(row.size(), 8u);
  EXPECT_EQ(row.get<int>(0), 42);
  EXPECT_EQ(row.get<long long>("big"), 9007199254740993LL);
  EXPECT_DOUBLE_EQ(row.get<double>("num"), 2.5);
  EXPECT_TRUE(row.get<bool>("yes"));
  EXPECT_EQ(row.get<std::string>("s"), "hé");
  EXPECT_EQ(row.get<std::optional<std::string>>("nothing"), std::nullopt);
  EXPECT_EQ(row.get<std::optional<std::string>>("s"), std::optional<std::string>("hé"));
  EXPECT_EQ(row.get<SysTime>("ts"), utc(2021, 10, 31, 12, 34, 56, 789000));
  EXPECT_EQ(row.get<probe::Colour>("colour"), probe::Colour::orange);
  EXPECT_EQ(row.index("ts"), 6u);
  EXPECT_EQ(row.name(3), "yes");
}

TEST_F(TypedRowsPg, TimestamptzKeepsMicrosecondsAndWholeSeconds) {
  auto tx = db.begin();
  auto ts = tx.rows<SysTime>(
      "SELECT t FROM (VALUES ('2026-12-06 23:59:59.123456+00'::timestamptz, 1), ('2026-12-07 "
      "00:00:00+00', 2), "
      "('1999-12-31 16:00:00.5-08', 3)) v(t, o) ORDER BY o");
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[0], utc(2026, 12, 6, 23, 59, 59, 123456));
  EXPECT_EQ(ts[1], utc(2026, 12, 7, 0, 0, 0));
  EXPECT_EQ(ts[2], utc(2000, 1, 1, 0, 0, 0, 500000));
  // A parameter written by the services goes in and comes back unchanged.
  auto now = time_point_cast<microseconds>(system_clock::now());
  auto back = tx.one<SysTime>("SELECT $1::timestamptz", {hazmon::core::format_rfc3339(now)});
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, time_point_cast<milliseconds>(now));
}

TEST_F(TypedRowsPg, StructsThroughRowDescription) {
  auto tx = db.begin();
  auto items = tx.rows<probe::Item>(
      "SELECT * FROM (VALUES "
      "(1::bigint, 'a', 'n1', 2, 'red', 'orange', '2026-01-02 03:04:05+00'::timestamptz, "
      "NULL::timestamptz, 1.25::float8, "
      "true, 'extra'), "
      "(2, 'b', NULL, NULL, 'orange', NULL, '2026-01-02 03:04:06.5+00', '2026-01-03 00:00:00+00', "
      "-3, false, 'x')) "
      "v(id, name, note, rank, colour, was, at, closed, value, open, ignored) ORDER BY id");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id, 1);
  EXPECT_EQ(items[0].name, "a");
  EXPECT_EQ(items[0].note, "n1");
  EXPECT_EQ(items[0].rank, 2);
  EXPECT_EQ(items[0].colour, probe::Colour::red);
  EXPECT_EQ(items[0].was, probe::Colour::orange);
  EXPECT_EQ(items[0].at, utc(2026, 1, 2, 3, 4, 5));
  EXPECT_EQ(items[0].closed, std::nullopt);
  EXPECT_DOUBLE_EQ(items[0].value, 1.25);
  EXPECT_TRUE(items[0].open);
  EXPECT_EQ(items[1].note, std::nullopt);
  EXPECT_EQ(items[1].rank, std::nullopt);
  EXPECT_EQ(items[1].was, std::nullopt);
  EXPECT_EQ(items[1].colour, probe::Colour::orange);
  EXPECT_EQ(items[1].at, utc(2026, 1, 2, 3, 4, 6, 500000));
  EXPECT_EQ(items[1].closed, utc(2026, 1, 3, 0, 0, 0));
  EXPECT_DOUBLE_EQ(items[1].value, -3);
  EXPECT_FALSE(items[1].open);

  EXPECT_EQ(tx.one<probe::Item>("SELECT 1 AS id WHERE false"), std::nullopt);
  EXPECT_TRUE(
      tx.rows<probe::Item>("SELECT 1 AS id WHERE false").empty());  // no columns checked on no rows
  EXPECT_EQ(tx.one<long long>("SELECT count(*) FROM generate_series(1, 5)"), 5);
}

TEST_F(TypedRowsPg, WrongShapesAreInternalErrors) {
  auto tx = db.begin();
  auto r = tx.query("SELECT NULL::integer AS n, 'purple' AS colour, 'x' AS s, 'not a time' AS t");
  auto row = r[0];
  auto code = [](auto fn) -> std::optional<Errc> {
    try {
      fn();
    } catch (const hazmon::core::Error& e) {
      return e.code();
    }
    return std::nullopt;
  };
  EXPECT_EQ(code([&] { row.get<int>("n"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.get<std::string>("n"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.get<probe::Colour>("colour"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.get<long long>("s"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.get<SysTime>("t"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.get<bool>("s"); }), Errc::internal);
  EXPECT_EQ(code([&] { row.index("missing"); }), Errc::internal);
  // A struct whose column the query lacks.
  EXPECT_EQ(code([&] { tx.rows<probe::Item>("SELECT 1::bigint AS id, 'a' AS name"); }),
            Errc::internal);
  EXPECT_EQ(row.get<std::optional<int>>("n"), std::nullopt);
}

TEST(PlaceholderHelper, NumbersParamsInOrder) {
  hazmon::storage::Params p{std::string("first")};
  EXPECT_EQ(hazmon::storage::ph(p, std::string("x")), "$2");
  EXPECT_EQ(hazmon::storage::ph(p, std::nullopt), "$3");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1], "x");
  EXPECT_EQ(p[2], std::nullopt);
}

// format_timestamptz writes what Tx::exec writes for the same timestamptz, so routes that turn
// typed rows into JSON answer as before.
TEST_F(TypedRowsPg, FormatTimestamptzMatchesTheJsonRows) {
  auto tx = db.begin();
  const char* sql =
      "SELECT t FROM (VALUES ('2026-12-06 23:59:59.123456+00'::timestamptz, 1), ('2026-12-07 "
      "00:00:00+00', 2), "
      "('2026-01-02 03:04:05.12+00', 3), ('1999-12-31 16:00:00.5-08', 4), ('2026-06-30 "
      "12:00:00.000001+00', 5)) v(t, o) "
      "ORDER BY o";
  auto typed = tx.rows<SysTime>(sql);
  auto rows = tx.exec(sql);
  ASSERT_EQ(typed.size(), rows.size());
  for (std::size_t i = 0; i < typed.size(); ++i)
    EXPECT_EQ(hazmon::storage::format_timestamptz(typed[i]), rows[i]["t"].get<std::string>()) << i;
  EXPECT_EQ(hazmon::storage::format_timestamptz(utc(2026, 1, 2, 3, 4, 5, 120000)),
            "2026-01-02T03:04:05.12Z");
}
