#include <hazmon/model/warning.hpp>

#include <array>
#include <utility>

namespace hazmon::model {
namespace {
template <typename E, std::size_t N>
using Names = std::array<std::pair<E, const char*>, N>;

constexpr Names<WarningLevel, 4> kLevels = {{{WarningLevel::blue, "blue"},
                                             {WarningLevel::yellow, "yellow"},
                                             {WarningLevel::orange, "orange"},
                                             {WarningLevel::red, "red"}}};
constexpr Names<WarningCategory, 7> kCategories = {{
    {WarningCategory::threshold, "threshold"},
    {WarningCategory::duration, "duration"},
    {WarningCategory::combination, "combination"},
    {WarningCategory::data_quality, "data_quality"},
    {WarningCategory::video_ai, "video_ai"},
    {WarningCategory::commitment, "commitment"},
    {WarningCategory::sis, "sis"},
}};
constexpr Names<DisposalState, 6> kStates = {{
    {DisposalState::pending_review, "pending_review"},
    {DisposalState::pending, "pending"},
    {DisposalState::pushed, "pushed"},
    {DisposalState::fed_back, "fed_back"},
    {DisposalState::checked, "checked"},
    {DisposalState::closed, "closed"},
}};
constexpr Names<DisposalAction, 11> kActions = {{
    {DisposalAction::create, "create"},
    {DisposalAction::confirm, "confirm"},
    {DisposalAction::dismiss, "dismiss"},
    {DisposalAction::push, "push"},
    {DisposalAction::feedback, "feedback"},
    {DisposalAction::reject, "reject"},
    {DisposalAction::check, "check"},
    {DisposalAction::close, "close"},
    {DisposalAction::supervise, "supervise"},
    {DisposalAction::raise_level, "raise_level"},
    {DisposalAction::escalate, "escalate"},
}};
constexpr Names<ActorKind, 5> kActors = {{
    {ActorKind::system, "system"},
    {ActorKind::enterprise, "enterprise"},
    {ActorKind::county, "county"},
    {ActorKind::city, "city"},
    {ActorKind::province, "province"},
}};
constexpr Names<FeedbackCause, 5> kCauses = {{
    {FeedbackCause::process_fluctuation, "process_fluctuation"},
    {FeedbackCause::instrument_fault, "instrument_fault"},
    {FeedbackCause::false_alarm, "false_alarm"},
    {FeedbackCause::maintenance, "maintenance"},
    {FeedbackCause::real_hazard, "real_hazard"},
}};
constexpr Names<WarningSource, 4> kSources = {{{WarningSource::sensor, "sensor"},
                                               {WarningSource::video_ai, "video_ai"},
                                               {WarningSource::commitment, "commitment"},
                                               {WarningSource::sis, "sis"}}};

template <typename E, std::size_t N>
const char* name_of(const Names<E, N>& names, E v, const char* fallback) {
  for (auto& [e, n] : names)
    if (e == v) return n;
  return fallback;
}

template <typename E, std::size_t N>
std::optional<E> parse(const Names<E, N>& names, std::string_view s) {
  for (auto& [e, n] : names)
    if (s == n) return e;
  return std::nullopt;
}
}  // namespace

const char* to_string(WarningLevel l) { return name_of(kLevels, l, "blue"); }
std::optional<WarningLevel> warning_level_from_string(std::string_view s) {
  return parse(kLevels, s);
}
const char* chinese_name(WarningLevel l) {
  switch (l) {
    case WarningLevel::red:
      return "红色";
    case WarningLevel::orange:
      return "橙色";
    case WarningLevel::yellow:
      return "黄色";
    case WarningLevel::blue:
      return "蓝色";
  }
  return "蓝色";
}

const char* to_string(WarningCategory c) { return name_of(kCategories, c, "threshold"); }
std::optional<WarningCategory> warning_category_from_string(std::string_view s) {
  return parse(kCategories, s);
}

const char* to_string(DisposalState s) { return name_of(kStates, s, ""); }
std::optional<DisposalState> disposal_state_from_string(std::string_view s) {
  return parse(kStates, s);
}

const char* to_string(DisposalAction a) { return name_of(kActions, a, ""); }
std::optional<DisposalAction> disposal_action_from_string(std::string_view s) {
  return parse(kActions, s);
}

const char* to_string(ActorKind k) { return name_of(kActors, k, ""); }
std::optional<ActorKind> actor_kind_from_string(std::string_view s) { return parse(kActors, s); }

const char* to_string(FeedbackCause c) { return name_of(kCauses, c, ""); }
std::optional<FeedbackCause> feedback_cause_from_string(std::string_view s) {
  return parse(kCauses, s);
}
const char* chinese_name(FeedbackCause c) {
  switch (c) {
    case FeedbackCause::process_fluctuation:
      return "工艺波动";
    case FeedbackCause::instrument_fault:
      return "仪表故障";
    case FeedbackCause::false_alarm:
      return "误报";
    case FeedbackCause::maintenance:
      return "检修";
    case FeedbackCause::real_hazard:
      return "真实险情";
  }
  return "";
}

const char* to_string(WarningSource s) { return name_of(kSources, s, "sensor"); }
std::optional<WarningSource> warning_source_from_string(std::string_view s) {
  return parse(kSources, s);
}

}  // namespace hazmon::model
