// The warning vocabulary of model/warning.hpp: every enum value has its text and reads back
// from it, unknown text reads as nothing, and enum_from_string (what storage::Row::get<E> uses)
// agrees with the named parsers.
#include <gtest/gtest.h>

#include <hazmon/model/warning.hpp>

#include <string>
#include <vector>

using namespace hazmon::model;

namespace {
template <typename E>
void round_trips(const std::vector<E>& all, const std::vector<std::string>& names) {
  ASSERT_EQ(all.size(), names.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(to_string(all[i]), names[i]);
    auto back = enum_from_string(names[i], std::type_identity<E>{});
    ASSERT_TRUE(back) << names[i];
    EXPECT_EQ(*back, all[i]);
  }
  EXPECT_FALSE(enum_from_string("", std::type_identity<E>{}));
  EXPECT_FALSE(enum_from_string(names[0] + "x", std::type_identity<E>{}));
}
}  // namespace

TEST(WarningVocabulary, EveryEnumRoundTripsThroughItsText) {
  round_trips<WarningLevel>(
      {WarningLevel::blue, WarningLevel::yellow, WarningLevel::orange, WarningLevel::red},
      {"blue", "yellow", "orange", "red"});
  round_trips<WarningCategory>(
      {WarningCategory::threshold, WarningCategory::duration, WarningCategory::combination,
       WarningCategory::data_quality, WarningCategory::video_ai, WarningCategory::commitment},
      {"threshold", "duration", "combination", "data_quality", "video_ai", "commitment"});
  round_trips<DisposalState>(
      {DisposalState::pending_review, DisposalState::pending, DisposalState::pushed,
       DisposalState::fed_back, DisposalState::checked, DisposalState::closed},
      {"pending_review", "pending", "pushed", "fed_back", "checked", "closed"});
  round_trips<DisposalAction>(
      {DisposalAction::create, DisposalAction::confirm, DisposalAction::dismiss,
       DisposalAction::push, DisposalAction::feedback, DisposalAction::reject,
       DisposalAction::check, DisposalAction::close, DisposalAction::supervise,
       DisposalAction::raise_level, DisposalAction::escalate},
      {"create", "confirm", "dismiss", "push", "feedback", "reject", "check", "close", "supervise",
       "raise_level", "escalate"});
  round_trips<ActorKind>({ActorKind::system, ActorKind::enterprise, ActorKind::county,
                          ActorKind::city, ActorKind::province},
                         {"system", "enterprise", "county", "city", "province"});
  round_trips<FeedbackCause>(
      {FeedbackCause::process_fluctuation, FeedbackCause::instrument_fault,
       FeedbackCause::false_alarm, FeedbackCause::maintenance, FeedbackCause::real_hazard},
      {"process_fluctuation", "instrument_fault", "false_alarm", "maintenance", "real_hazard"});
  round_trips<WarningSource>(
      {WarningSource::sensor, WarningSource::video_ai, WarningSource::commitment},
      {"sensor", "video_ai", "commitment"});
}

TEST(WarningVocabulary, LevelsAreOrderedAndNamedInChinese) {
  EXPECT_LT(WarningLevel::blue, WarningLevel::yellow);
  EXPECT_LT(WarningLevel::orange, WarningLevel::red);
  EXPECT_STREQ(chinese_name(WarningLevel::red), "红色");
  EXPECT_STREQ(chinese_name(WarningLevel::blue), "蓝色");
  EXPECT_STREQ(chinese_name(FeedbackCause::false_alarm), "误报");
  EXPECT_EQ(warning_level_from_string("RED"), std::nullopt);  // the stored text is lower case
}
