// Warning events for people, on the caller's thread under the caller's scope: the list, one
// event with its alarms and records, disposal transitions, and video events a person confirmed.
#include <prometheus/counter.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>

#include "warning_impl.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using rules::DisposalAction;
using rules::DisposalState;
using namespace warning_detail;

model::WarningEvent WarningService::Impl::event_in_scope(storage::Tx& tx,
                                                         const model::Principal& who, long long id,
                                                         bool for_update) {
  auto ev = events.find(tx, who.scope, id, for_update);
  if (!ev) throw Error(Errc::not_found, "no such warning event");
  return std::move(*ev);
}

namespace {
storage::WarningEventFilter filter_of(const std::map<std::string, std::string>& filters) {
  storage::WarningEventFilter f;
  for (const auto& [k, v] : filters) {
    if (k == "status") {
      f.status = rules::disposal_state_from_string(v);
      if (!f.status) throw Error(Errc::bad_request, "status must be one of the disposal states");
    } else if (k == "level") {
      f.level = rules::warning_level_from_string(v);
      if (!f.level) throw Error(Errc::bad_request, "level must be red, orange, yellow or blue");
    } else if (k == "company_code") {
      f.company_code = v;
    } else if (k == "overdue") {
      if (v != "true" && v != "false")
        throw Error(Errc::bad_request, "overdue must be true or false");
      f.overdue = v == "true";
    } else if (k == "from" || k == "to") {
      auto t = core::parse_time(v);
      if (!t) throw Error(Errc::bad_request, k + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
      (k == "from" ? f.from : f.to) = *t;
    }
  }
  return f;
}

rules::TransitionRequest request_of(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  for (auto& [k, v] : body.items()) {
    if (k != "action" && k != "cause" && k != "measures" && k != "text")
      throw Error(Errc::validation_failed, "unknown field",
                  {{"/" + k, "is not a field of a transition"}});
    if (!v.is_string() || v.get<std::string>().size() > 2000)
      throw Error(Errc::validation_failed, "bad field",
                  {{"/" + k, "a string of at most 2000 bytes"}});
  }
  if (!body.contains("action"))
    throw Error(Errc::validation_failed, "action is required", {{"/action", "required"}});
  auto action = rules::disposal_action_from_string(body["action"].get<std::string>());
  if (!action)
    throw Error(Errc::validation_failed, "unknown action",
                {{"/action", "confirm, dismiss, feedback, reject, check, close or supervise"}});
  rules::TransitionRequest req;
  req.action = *action;
  if (body.contains("cause")) {
    req.cause = rules::feedback_cause_from_string(body["cause"].get<std::string>());
    if (!req.cause)
      throw Error(
          Errc::validation_failed, "unknown cause",
          {{"/cause",
            "process_fluctuation, instrument_fault, false_alarm, maintenance or real_hazard"}});
  }
  if (body.contains("measures")) req.measures = body["measures"].get<std::string>();
  if (body.contains("text")) req.text = body["text"].get<std::string>();
  return req;
}
}  // namespace

model::WarningEventPage WarningService::list(const model::Principal& who,
                                             const std::map<std::string, std::string>& filters,
                                             int limit, long long offset) {
  auto f = filter_of(filters);
  auto tx = impl_->db.begin();
  return impl_->events.list(tx, who.scope, f, limit, offset);
}

model::WarningEventDetail WarningService::get(const model::Principal& who, long long id) {
  auto& i = *impl_;
  auto tx = i.db.begin();
  model::WarningEventDetail d;
  d.event = i.event_in_scope(tx, who, id, false);
  d.alarms = i.events.alarms(tx, id);
  d.records = i.events.records(tx, id);
  auto st = state_of(d.event);
  d.recipients = rules::recipients(st.level, st.escalations);
  if (auto kind = rules::actor_kind_of(who)) d.allowed_actions = rules::allowed_actions(st, *kind);
  return d;
}

model::WarningEventDetail WarningService::transition(const model::Principal& who, long long id,
                                                     const json& body) {
  auto& i = *impl_;
  auto req = request_of(body);

  auto now = i.clock.now();
  bool pushed = false, closed = false;
  std::string company, hazard, unit;
  bool sensor = false;
  i.db.in_tx([&](storage::Tx& tx) {
    auto row = i.event_in_scope(tx, who, id, true);
    auto kind = rules::actor_kind_of(who);
    if (!kind)
      throw Error(Errc::forbidden, "this role takes no part in the disposal of warning events");
    auto before = state_of(row);
    auto o = rules::apply_transition(before, req, *kind, now, i.s.disposal);
    if (o.refused) {
      switch (*o.refused) {
        case rules::Refusal::forbidden:
          throw Error(Errc::forbidden, o.message);
        case rules::Refusal::wrong_state:
          throw Error(Errc::conflict, o.message);
        case rules::Refusal::invalid:
          throw Error(Errc::validation_failed, o.message, {{"/" + o.field, o.message}});
      }
    }
    i.save_state(tx, id, o.next);
    if (req.action == DisposalAction::feedback)
      i.events.set_feedback(tx, id, *req.cause, req.measures);
    if (o.next.state == DisposalState::closed) {
      i.events.set_closed(tx, id, now);
      closed = true;
    }
    i.record(tx, id, now, &who, *kind, req.action, before, o.next,
             req.action == DisposalAction::feedback ? req.cause : std::nullopt, req.measures,
             req.text);
    if (o.next.state == DisposalState::pending) {
      i.push(tx, id, o.next, now);
      pushed = true;
    }
    company = row.company_code;
    hazard = row.hazard_code.value_or("");
    unit = row.prodcell_id.value_or("");
    sensor = row.source == model::WarningSource::sensor;
  });
  // The engine follows sensor events: of hazard sources, non-major units and enterprises.
  if (closed && sensor) {
    auto w = std::make_unique<Work>();
    w->kind = Work::Kind::closed;
    w->company_code = company;
    w->hazard_code = hazard;
    w->prodcell_id = unit;
    w->event_id = id;
    i.enqueue(std::move(w));
  }
  if (pushed) i.notify(id, "created");
  return get(who, id);
}

long long WarningService::raise_video_event(storage::Tx& tx, const model::Principal& reviewer,
                                            const VideoWarning& w) {
  auto& i = *impl_;
  auto kind = rules::actor_kind_of(reviewer);
  if (!kind || *kind == rules::ActorKind::enterprise || *kind == rules::ActorKind::system)
    throw Error(Errc::forbidden, "only county, city or province officers confirm video events");
  auto region = i.events.enterprise_region(tx, w.company_code);
  if (!region) throw Error(Errc::not_found, "no such enterprise");
  auto now = i.clock.now();
  storage::NewWarningEvent e;
  e.id = i.events.next_id(tx);
  e.event_no = event_no(w.first, e.id);
  e.source = model::WarningSource::video_ai;
  e.company_code = w.company_code;
  if (!w.hazard_code.empty()) e.hazard_code = w.hazard_code;
  std::tie(e.county_code, e.city_code) = county_and_city(*region);
  e.level = w.level;
  e.category = rules::WarningCategory::video_ai;
  e.content = w.content;
  e.status = DisposalState::pending_review;
  e.first_ts = w.first;
  e.last_ts = now;
  i.events.insert(tx, e);
  auto id = e.id;
  // The same records a pending_review event gets through the disposal flow: created by the
  // system, confirmed by the reviewer, pushed by the system.
  rules::EventState created;
  created.state = DisposalState::pending_review;
  created.level = w.level;
  i.record(tx, id, now, nullptr, rules::ActorKind::system, DisposalAction::create, created, created,
           std::nullopt, {}, w.content);
  rules::TransitionRequest req{DisposalAction::confirm, std::nullopt, {}, w.review_text};
  auto o = rules::apply_transition(created, req, *kind, now, i.s.disposal);
  if (o.refused) throw Error(Errc::forbidden, o.message);
  i.save_state(tx, id, o.next);
  i.record(tx, id, now, &reviewer, *kind, DisposalAction::confirm, created, o.next, std::nullopt,
           {}, w.review_text);
  i.push(tx, id, o.next, now);
  ++i.n_created;
  if (i.m_created) i.m_created->Increment();
  return id;
}

}  // namespace hazmon::service
