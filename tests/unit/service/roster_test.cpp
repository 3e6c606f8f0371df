// Roster reconciliation without a database: name normalisation, similarity, matching of
// hand-made lists, and the CSV reader on the fixture files under tests/fixtures/roster/.
#include <gtest/gtest.h>

#include <hazmon/core/error.hpp>
#include <hazmon/service/roster.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

using hazmon::core::Errc;
using hazmon::core::Error;
using namespace hazmon::service;

namespace {

const std::filesystem::path kSource = HAZMON_SOURCE_DIR;
const std::filesystem::path kFixtures = kSource / "tests" / "fixtures" / "roster";

RosterRow row(int attachment, int seq, std::string region, std::string name) {
  RosterRow r;
  r.attachment = attachment;
  r.seq = seq;
  r.region = std::move(region);
  r.name = std::move(name);
  return r;
}

// The code of the core::Error that fn throws, with its message in `message`.
template <typename F>
Errc error_code_of(F&& fn, std::string* message = nullptr) {
  try {
    fn();
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code();
  }
  ADD_FAILURE() << "expected a core::Error";
  return Errc::internal;
}

}  // namespace

// --- normalise_enterprise_name ---------------------------------------------------------------

TEST(NormaliseEnterpriseName, DropsTrailingFullWidthBracketedSuffix) {
  EXPECT_EQ(normalise_enterprise_name("山西甲化工有限公司（氯碱厂）"), "山西甲化工有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西甲化工有限公司(氯碱厂)"), "山西甲化工有限公司");
}

TEST(NormaliseEnterpriseName, RemovesLiabilityShareAndGroupWords) {
  EXPECT_EQ(normalise_enterprise_name("山西乙化工有限责任公司"), "山西乙化工有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西乙化工股份有限公司"), "山西乙化工有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西乙化工集团有限公司"), "山西乙化工有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西乙化工集团股份有限责任公司"), "山西乙化工有限公司");
}

TEST(NormaliseEnterpriseName, UnwrapsInnerBrackets) {
  // The bracket is not at the end, so its content stays as text; 集团 is then removed.
  EXPECT_EQ(normalise_enterprise_name("某肥业（集团）有限公司"), "某肥业有限公司");
  EXPECT_EQ(normalise_enterprise_name("某集团（肥业）有限公司"), "某肥业有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西（太原）丙化工有限公司"), "山西太原丙化工有限公司");
}

TEST(NormaliseEnterpriseName, RemovesAsciiAndIdeographicWhitespace) {
  EXPECT_EQ(normalise_enterprise_name(" 山西 丁化工\t有限公司 "), "山西丁化工有限公司");
  EXPECT_EQ(normalise_enterprise_name("山西\xE3\x80\x80丁化工有限公司"), "山西丁化工有限公司");
}

TEST(NormaliseEnterpriseName, KeepsAPlainNameAndAWhollyBracketedOne) {
  EXPECT_EQ(normalise_enterprise_name("山西戊化工有限公司"), "山西戊化工有限公司");
  // Only a suffix after some text is dropped; a name that is all bracket keeps its content.
  EXPECT_EQ(normalise_enterprise_name("（山西戊化工）"), "山西戊化工");
  EXPECT_EQ(normalise_enterprise_name(""), "");
}

// --- name_similarity ---------------------------------------------------------------------------

TEST(NameSimilarity, IsOneForIdenticalAndZeroForDisjointNames) {
  EXPECT_DOUBLE_EQ(name_similarity("山西甲化工有限公司", "山西甲化工有限公司"), 1.0);
  EXPECT_DOUBLE_EQ(name_similarity("山西甲化工", "河北乙焦炭"), 0.0);
}

TEST(NameSimilarity, IsSymmetricAndBetweenZeroAndOne) {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"山西焦化有限公司", "山西焦化有线公司"},
      {"山西焦化有限公司", "山西焦化"},
      {"aa", "aaaa"},
      {"中国航油集团山西石油有限公司", "中国航空油料有限责任公司山西分公司"},
  };
  for (const auto& [a, b] : pairs) {
    double s = name_similarity(a, b);
    EXPECT_GT(s, 0.0) << a << " / " << b;
    EXPECT_LT(s, 1.0) << a << " / " << b;
    EXPECT_DOUBLE_EQ(s, name_similarity(b, a)) << a << " / " << b;
  }
}

TEST(NameSimilarity, CountsCharacterBigramsNotBytes) {
  // 7 bigrams each, 5 shared (山西 西焦 焦化 化有 公司): 2·5 / 14.
  EXPECT_NEAR(name_similarity("山西焦化有限公司", "山西焦化有线公司"), 10.0 / 14.0, 1e-12);
  // A repeated bigram counts once per occurrence: "aa"×1 against "aa"×3 → 2·1 / 4.
  EXPECT_NEAR(name_similarity("aa", "aaaa"), 0.5, 1e-12);
}

TEST(NameSimilarity, ShortNamesCompareWhole) {
  EXPECT_DOUBLE_EQ(name_similarity("甲", "甲"), 1.0);
  EXPECT_DOUBLE_EQ(name_similarity("甲", "乙"), 0.0);
  EXPECT_DOUBLE_EQ(name_similarity("甲", "甲乙"), 0.0);
}

// --- reconcile ---------------------------------------------------------------------------------

class Reconcile : public ::testing::Test {
 protected:
  std::vector<RosterRow> master = {
      row(1, 1, "太原市", "山西焦化股份有限公司"),
      row(1, 2, "大同市", "大同甲煤化有限公司"),
      row(1, 3, "太原市", "太原乙化工股份有限公司"),
      row(1, 4, "太原市", "太原乙化工集团有限公司"),  // normalises like #3
      row(1, 5, "长治市", "长治丙气体有限公司"),
  };
};

TEST_F(Reconcile, ExactNameMatchesWithoutNote) {
  auto out = reconcile(master, {row(2, 1, "大同市", "大同甲煤化有限公司")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, MatchKind::exact);
  EXPECT_EQ(out[0].master_name, "大同甲煤化有限公司");
  EXPECT_EQ(out[0].note, "");
  EXPECT_EQ(out[0].row.seq, 1);
  EXPECT_EQ(out[0].row.attachment, 2);
}

TEST_F(Reconcile, NormalisedNameMatchesTheSingleCandidate) {
  auto out = reconcile(master, {row(4, 7, "太原市", "山西焦化有限公司（二期）"),
                                row(3, 2, "", "长治丙气体有限责任公司")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, MatchKind::normalised);
  EXPECT_EQ(out[0].master_name, "山西焦化股份有限公司");
  EXPECT_EQ(out[0].note, "");
  // Attachment 3 has no region column: no region note either.
  EXPECT_EQ(out[1].kind, MatchKind::normalised);
  EXPECT_EQ(out[1].master_name, "长治丙气体有限公司");
  EXPECT_EQ(out[1].note, "");
}

TEST_F(Reconcile, AmbiguousNormalisedNameStaysUnmatchedWithNote) {
  auto out = reconcile(master, {row(2, 5, "太原市", "太原乙化工有限公司")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, MatchKind::unmatched);
  EXPECT_EQ(out[0].master_name, "");
  EXPECT_NE(out[0].note.find("ambiguous between 2 enterprises"), std::string::npos) << out[0].note;
  // The closest candidate is still suggested, never applied.
  EXPECT_NE(out[0].note.find("closest: 太原乙化工"), std::string::npos) << out[0].note;
}

TEST_F(Reconcile, RegionDisagreementIsNotedButStillMatches) {
  auto out = reconcile(
      master, {row(4, 3, "晋中市", "大同甲煤化有限公司"), row(2, 4, "晋中市", "山西焦化有限公司")});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, MatchKind::exact);
  EXPECT_EQ(out[0].note, "region 晋中市 here, 大同市 in attachment 1");
  EXPECT_EQ(out[1].kind, MatchKind::normalised);
  EXPECT_EQ(out[1].note, "region 晋中市 here, 太原市 in attachment 1");
}

TEST_F(Reconcile, UnmatchedRowSuggestsTheClosestCandidate) {
  auto out = reconcile(master, {row(4, 9, "太原市", "山西焦化有线公司")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, MatchKind::unmatched);
  EXPECT_EQ(out[0].master_name, "");
  EXPECT_EQ(out[0].note, "closest: 山西焦化股份有限公司 (similarity 0.71)");
}

TEST_F(Reconcile, UnrelatedNameIsUnmatchedWithoutSuggestion) {
  auto out = reconcile(master, {row(4, 10, "运城市", "运城丁农药厂")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, MatchKind::unmatched);
  EXPECT_EQ(out[0].note, "");
}

TEST_F(Reconcile, KeepsInputOrderAndEveryRow) {
  std::vector<RosterRow> rows = {row(2, 1, "太原市", "运城丁农药厂"),
                                 row(2, 2, "太原市", "山西焦化股份有限公司"),
                                 row(2, 3, "太原市", "山西焦化股份有限公司（一期）")};
  auto out = reconcile(master, rows);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].row.seq, 1);
  EXPECT_EQ(out[0].kind, MatchKind::unmatched);
  EXPECT_EQ(out[1].row.seq, 2);
  EXPECT_EQ(out[1].kind, MatchKind::exact);
  EXPECT_EQ(out[2].row.seq, 3);
  EXPECT_EQ(out[2].kind, MatchKind::normalised);
}

TEST(ReconcileWithoutMaster, LeavesEverythingUnmatched) {
  auto out = reconcile({}, {row(2, 1, "太原市", "山西焦化股份有限公司")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind, MatchKind::unmatched);
  EXPECT_EQ(out[0].note, "");
}

TEST(MatchKindName, NamesEachKind) {
  EXPECT_EQ(to_string(MatchKind::exact), "exact");
  EXPECT_EQ(to_string(MatchKind::normalised), "normalised");
  EXPECT_EQ(to_string(MatchKind::unmatched), "unmatched");
}

// --- read_roster_csv ---------------------------------------------------------------------------

TEST(ReadRosterCsv, ReadsTheShippedMasterList) {
  auto rows = read_roster_csv(
      kSource / "data/roster/notice-2021-247/attachment1_visual_communication.csv", 1);
  ASSERT_EQ(rows.size(), 182u);
  EXPECT_EQ(rows[0].attachment, 1);
  EXPECT_EQ(rows[0].seq, 1);
  EXPECT_EQ(rows[0].region, "太原市");
  EXPECT_EQ(rows[0].name, "中国航油集团山西石油有限公司");
  EXPECT_EQ(rows[0].batch, "二期企业");
  EXPECT_EQ(rows.back().seq, 182);
}

TEST(ReadRosterCsv, AttachmentThreeHasNoRegion) {
  auto rows = read_roster_csv(
      kSource / "data/roster/notice-2021-247/attachment3_oblique_photography.csv", 3);
  ASSERT_EQ(rows.size(), 10u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.attachment, 3);
    EXPECT_EQ(r.region, "");
    EXPECT_EQ(r.batch, "");
    EXPECT_FALSE(r.name.empty());
  }
}

TEST(ReadRosterCsv, HandlesByteOrderMarkQuotesAndCrlf) {
  auto rows = read_roster_csv(kFixtures / "bom_quotes_crlf.csv", 1);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].seq, 1);
  EXPECT_EQ(rows[0].region, "太原市");
  EXPECT_EQ(rows[0].name, "山西甲化工有限公司（一期,二期）");
  EXPECT_EQ(rows[0].batch, "一期企业");
  EXPECT_EQ(rows[1].seq, 2);
  EXPECT_EQ(rows[1].name, "山西\"乙\"化工有限公司");
  EXPECT_EQ(rows[1].batch, "二期企业");
}

TEST(ReadRosterCsv, WrongFieldCountThrowsWithLineNumber) {
  std::string msg;
  EXPECT_EQ(error_code_of([] { read_roster_csv(kFixtures / "wrong_field_count.csv", 2); }, &msg),
            Errc::bad_request);
  EXPECT_NE(msg.find("wrong_field_count.csv:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("wrong number of fields"), std::string::npos) << msg;
}

TEST(ReadRosterCsv, NonNumericSeqThrows) {
  std::string msg;
  EXPECT_EQ(error_code_of([] { read_roster_csv(kFixtures / "seq_not_a_number.csv", 2); }, &msg),
            Errc::bad_request);
  EXPECT_NE(msg.find("seq_not_a_number.csv:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("seq is not a number"), std::string::npos) << msg;
}

TEST(ReadRosterCsv, MissingEnterpriseColumnThrows) {
  std::string msg;
  EXPECT_EQ(error_code_of([] { read_roster_csv(kFixtures / "no_enterprise_column.csv", 2); }, &msg),
            Errc::bad_request);
  EXPECT_NE(msg.find("lacks a seq or enterprise column"), std::string::npos) << msg;
}

TEST(ReadRosterCsv, MissingFileThrows) {
  std::string msg;
  EXPECT_EQ(error_code_of([] { read_roster_csv(kFixtures / "no_such_file.csv", 2); }, &msg),
            Errc::bad_request);
  EXPECT_NE(msg.find("cannot read roster file"), std::string::npos) << msg;
}

TEST(ReadRosterCsv, ReadsFromAStreamAndNamesItsSourceInErrors) {
  std::istringstream good("seq,region,enterprise\n1,太原市,山西甲化工有限公司\n");
  auto rows = read_roster_csv(good, "upload.csv", 2);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attachment, 2);
  EXPECT_EQ(rows[0].name, "山西甲化工有限公司");
  std::string msg;
  std::istringstream bad("seq,enterprise\n1,a\nx,b\n");
  EXPECT_EQ(error_code_of([&] { read_roster_csv(bad, "upload.csv", 2); }, &msg), Errc::bad_request);
  EXPECT_NE(msg.find("upload.csv:3: seq is not a number"), std::string::npos) << msg;
  std::istringstream empty("");
  EXPECT_EQ(error_code_of([&] { read_roster_csv(empty, "upload.csv", 2); }, &msg),
            Errc::bad_request);
  EXPECT_NE(msg.find("upload.csv is empty"), std::string::npos) << msg;
}
