// The review queue (人工审核) for people: video events in scope, one event, a decision on it
// (a confirmation raises a warning event), its evidence files, and the review statistics.
#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/rules/disposal.hpp>
#include <hazmon/service/video_service.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>

#include <cstdio>

#include "video_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using namespace std::chrono;
using namespace video_detail;

namespace {

// "2026-11-29 08:05:03" in UTC+8, as people in the province read times.
std::string beijing_time(core::SysTime t) {
  auto local = floor<seconds>(t) + hours(8);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

const char* kind_zh(const std::string& k) {
  if (k == "absent") return "值班人员离岗";
  if (k == "understaffed") return "在岗人数不足";
  if (k == "vapour") return "疑似气体或蒸汽泄漏";
  if (k == "liquid") return "疑似液体泄漏";
  if (k == "fire") return "疑似火焰";
  if (k == "smoke") return "疑似烟雾";
  return "";
}

// The warning event's text for a confirmed video event.
std::string content_of(const model::VideoEventRecord& ev) {
  std::string out = ev.company_name + "“" + ev.camera_name + "”摄像头";
  if (ev.camera_location && !ev.camera_location->empty())
    out += "（位置：" + *ev.camera_location + "）";
  out += "于" + beijing_time(ev.started_at);
  out += std::string("检测到") + model::chinese_name(ev.analyser);
  std::string kind = kind_zh(ev.kind);
  if (!ev.detail.empty())
    out += "：" + ev.detail;
  else if (!kind.empty())
    out += "：" + kind;
  char conf[32];
  std::snprintf(conf, sizeof conf, "%.0f%%", ev.confidence * 100);
  out += std::string("（置信度") + conf + "），经人工审核确认。";
  return out;
}

storage::VideoEventFilter event_filter(const std::map<std::string, std::string>& filters) {
  storage::VideoEventFilter f;
  for (const auto& [k, v] : filters) {
    if (v.empty()) continue;  // an empty form field: no filter
    if (k == "state") {
      f.state = model::video_review_state_from_string(v);
      if (!f.state)
        throw Error(Errc::bad_request,
                    "state must be pending, confirmed, rejected or not_required");
    } else if (k == "analyser") {
      f.analyser = model::video_analyser_from_string(v);
      if (!f.analyser)
        throw Error(Errc::bad_request,
                    "analyser must be leave_post, fire, smoke, leak, camera_health or offline");
    } else if (k == "company_code") {
      f.company_code = v;
    } else if (k == "video_id") {
      f.video_id = v;
    } else if (k == "from") {
      f.from = time_param(v, k);
    } else if (k == "to") {
      f.to = time_param(v, k);
    }
  }
  return f;
}

struct ReviewBody {
  bool confirm = false;
  std::string reason;
  bool blank = true;  // no reason given (or only white space)
};

ReviewBody review_body(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    if (k != "decision" && k != "reason")
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a review"}});
    if (!v.is_string() || v.get<std::string>().size() > 2000)
      throw Error(Errc::validation_failed, "bad field",
                  {{"/" + k, "a string of at most 2000 bytes"}});
  }
  if (!body.contains("decision"))
    throw Error(Errc::validation_failed, "decision is required", {{"/decision", "required"}});
  std::string decision = body["decision"];
  if (decision != "confirm" && decision != "reject")
    throw Error(Errc::validation_failed, "unknown decision", {{"/decision", "confirm or reject"}});
  ReviewBody r;
  r.confirm = decision == "confirm";
  r.reason = body.value("reason", "");
  r.blank = r.reason.find_first_not_of(" \t\r\n") == std::string::npos;
  if (!r.confirm && r.blank)
    throw Error(Errc::validation_failed, "a rejection needs a reason",
                {{"/reason", "required when rejecting"}});
  return r;
}

}  // namespace

storage::VideoEventDetail VideoService::Impl::event_in_scope(storage::Tx& tx,
                                                             const model::Principal& who,
                                                             long long id, bool for_update) const {
  auto ev = store.find(tx, who.scope, id, for_update);
  if (!ev) throw Error(Errc::not_found, "no such video event");
  return std::move(*ev);
}

model::VideoEventPage VideoService::list(const model::Principal& who,
                                         const std::map<std::string, std::string>& filters,
                                         int limit, long long offset) {
  require_person(who, "video events are for people, not machine credentials");
  auto f = event_filter(filters);
  auto tx = impl_->db.begin();
  return impl_->store.list(tx, who.scope, f, limit, offset);
}

model::VideoEventView VideoService::get(const model::Principal& who, long long id) {
  require_person(who, "video events are for people, not machine credentials");
  auto tx = impl_->db.begin();
  model::VideoEventView out;
  out.event = impl_->event_in_scope(tx, who, id, false).event;
  auto kind = rules::actor_kind_of(who);
  out.may_review = out.event.review_state == model::VideoReviewState::pending && kind &&
                   *kind != rules::ActorKind::enterprise;
  out.warning_level = video_warning_level(model::to_string(out.event.analyser), out.event.kind);
  return out;
}

model::VideoEventView VideoService::review(const model::Principal& who, long long id,
                                           const json& body) {
  auto& i = *impl_;
  require_person(who, "video events are for people, not machine credentials");
  auto b = review_body(body);
  long long warning_id = 0;
  i.db.in_tx([&](storage::Tx& tx) {
    auto d = i.event_in_scope(tx, who, id, true);
    const auto& ev = d.event;
    auto kind = rules::actor_kind_of(who);
    if (!kind || *kind == rules::ActorKind::enterprise || *kind == rules::ActorKind::system)
      throw Error(Errc::forbidden, "only county, city or province officers review video events");
    if (ev.review_state == model::VideoReviewState::not_required)
      throw Error(Errc::conflict, "camera health and offline events are not reviewed");
    if (ev.review_state != model::VideoReviewState::pending)
      throw Error(Errc::conflict,
                  std::string("this video event was already ") + model::to_string(ev.review_state));
    auto now = i.clock.now();
    storage::VideoReviewWrite w{model::VideoReviewState::rejected,
                                who.id,
                                who.name,
                                std::string(model::to_string(who.role)),
                                now,
                                b.blank ? std::nullopt : std::optional<std::string>(b.reason),
                                std::nullopt};
    if (!b.confirm) {
      i.store.save_review(tx, id, w);
      return;
    }
    if (!i.warnings)
      throw Error(Errc::unavailable, core::Reason::feature_disabled,
                  "warning events are not enabled on this server");
    VideoWarning vw;
    vw.company_code = ev.company_code;
    vw.hazard_code = d.hazard_code.value_or("");
    vw.level = rules::warning_level_from_string(
                   video_warning_level(model::to_string(ev.analyser), ev.kind))
                   .value_or(rules::WarningLevel::yellow);
    vw.content = content_of(ev);
    vw.first = ev.started_at;
    vw.review_text = b.blank ? std::string("视频AI事件人工审核确认") : b.reason;
    warning_id = i.warnings->raise_video_event(tx, who, vw);
    w.state = model::VideoReviewState::confirmed;
    w.warning_event_id = warning_id;
    i.store.save_review(tx, id, w);
  });
  if (warning_id) {
    i.log->info("video event {} confirmed by {}: warning event {}", id, who.name, warning_id);
    i.warnings->announce(warning_id);
  } else {
    i.log->info("video event {} rejected by {}", id, who.name);
  }
  return get(who, id);
}

MediaFile VideoService::evidence(const model::Principal& who, long long id,
                                 const std::string& kind) {
  require_person(who, "video events are for people, not machine credentials");
  auto tx = impl_->db.begin();
  auto d = impl_->event_in_scope(tx, who, id, false);
  const auto& path = kind == "snapshot" ? d.snapshot_path : d.clip_path;
  if (!path) throw Error(Errc::not_found, "no " + kind + " for this event (yet)");
  return {inside(impl_->s.evidence_dir, *path, kind == "snapshot" ? "snapshot" : "clip"),
          kind == "snapshot" ? "image/jpeg" : "video/mp4"};
}

model::VideoStatistics VideoService::statistics(const model::Principal& who,
                                                const std::map<std::string, std::string>& filters) {
  require_person(who, "video statistics are for people, not machine credentials");
  storage::VideoStatsFilter f;
  std::vector<std::pair<std::string, std::string>> echo;
  std::string group_by = "enterprise";
  for (const auto& [k, v] : filters) {
    if (v.empty()) continue;
    if (k == "group_by") {
      if (v != "enterprise" && v != "city" && v != "camera" && v != "analyser")
        throw Error(Errc::bad_request, "group_by must be enterprise, city, camera or analyser");
      group_by = v;
    } else if (k == "from" || k == "to") {
      auto t = time_param(v, k);
      (k == "from" ? f.from : f.to) = t;
      echo.emplace_back(k, core::format_rfc3339(t));
    } else if (k == "company_code") {
      f.company_code = v;
      echo.emplace_back(k, v);
    } else if (k == "analyser") {
      f.analyser = model::video_analyser_from_string(v);
      if (!f.analyser || !model::reviewable(*f.analyser))
        throw Error(Errc::bad_request, "analyser must be leave_post, fire, smoke or leak");
      echo.emplace_back(k, v);
    } else if (k == "period") {
      if (v != "day" && v != "week" && v != "month")
        throw Error(Errc::bad_request, "period must be day, week or month");
      f.period = v;
    }
  }
  auto tx = impl_->db.begin();
  auto out = impl_->store.statistics(tx, who.scope, f);
  out.filters = std::move(echo);
  out.group_by = group_by;
  return out;
}

}  // namespace hazmon::service
