// The video vocabulary's texts: each enum value round-trips through its stored text, unknown
// text is refused, and only the people-facing analysers are reviewed.
#include <gtest/gtest.h>

#include <hazmon/model/video.hpp>

using namespace hazmon::model;

TEST(VideoModel, AnalyserTextsRoundTrip) {
  for (auto a : {VideoAnalyser::leave_post, VideoAnalyser::fire, VideoAnalyser::smoke,
                 VideoAnalyser::leak, VideoAnalyser::camera_health, VideoAnalyser::offline}) {
    EXPECT_EQ(video_analyser_from_string(to_string(a)), a) << to_string(a);
    EXPECT_EQ(enum_from_string(to_string(a), std::type_identity<VideoAnalyser>{}), a);
    EXPECT_STRNE(chinese_name(a), "视频异常") << to_string(a);
  }
  EXPECT_FALSE(video_analyser_from_string("Fire"));
  EXPECT_FALSE(video_analyser_from_string(""));
  EXPECT_STREQ(chinese_name(VideoAnalyser::leave_post), "人员脱岗");
}

TEST(VideoModel, StatesAndPhasesRoundTrip) {
  for (auto s : {VideoReviewState::pending, VideoReviewState::confirmed, VideoReviewState::rejected,
                 VideoReviewState::not_required})
    EXPECT_EQ(video_review_state_from_string(to_string(s)), s);
  for (auto p : {VideoPhase::start, VideoPhase::update, VideoPhase::end})
    EXPECT_EQ(video_phase_from_string(to_string(p)), p);
  for (auto s :
       {StreamState::connecting, StreamState::online, StreamState::offline, StreamState::stopped})
    EXPECT_EQ(stream_state_from_string(to_string(s)), s);
  EXPECT_FALSE(video_review_state_from_string("approved"));
  EXPECT_FALSE(stream_state_from_string("unknown"));
}

TEST(VideoModel, OnlyFindingsAreReviewed) {
  EXPECT_TRUE(reviewable(VideoAnalyser::fire));
  EXPECT_TRUE(reviewable(VideoAnalyser::leave_post));
  EXPECT_FALSE(reviewable(VideoAnalyser::camera_health));
  EXPECT_FALSE(reviewable(VideoAnalyser::offline));
}
