#include <hazmon/service/sis_service.hpp>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <ctime>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/unit_of_work.hpp>

#include "principal_checks.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;

void from_json(const nlohmann::json& j, SisSettings& s) {
  auto level = [&](const char* key, rules::WarningLevel& out) {
    if (!j.contains(key)) return;
    auto l = rules::warning_level_from_string(j.at(key).get<std::string>());
    if (!l) throw Error(Errc::validation_failed, std::string("sis.") + key + ": not a level");
    out = *l;
  };
  s.enabled = j.value("enabled", s.enabled);
  s.max_bypass_hours = j.value("max_bypass_hours", s.max_bypass_hours);
  s.enterprise_approval_max_hours =
      j.value("enterprise_approval_max_hours", s.enterprise_approval_max_hours);
  s.chain_gap_minutes = j.value("chain_gap_minutes", s.chain_gap_minutes);
  level("trip_warning_level", s.trip_warning_level);
  level("bypass_warning_level", s.bypass_warning_level);
  s.trip_scan_window_s = j.value("trip_scan_window_s", s.trip_scan_window_s);
  s.max_warnings_per_check = j.value("max_warnings_per_check", s.max_warnings_per_check);
}

namespace {
// yyyy-MM-dd HH:mm in Beijing time (UTC+8), for the warnings' Chinese text.
std::string beijing(core::SysTime t) {
  auto secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() + 8 * 3600;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string loop_label(const std::string& company_name, const std::string& tag,
                       const std::string& name) {
  return company_name + "联锁回路" + tag + "（" + name + "）";
}

// A warning about a loop (a trip not reset, a bypass past its expiry) on the loop's hazard
// source; `what` follows the loop's label.
SystemWarning loop_warning(const model::SisLoop& loop, rules::WarningLevel level,
                           core::SysTime first, const std::string& what) {
  SystemWarning w;
  w.company_code = loop.company_code;
  w.hazard_code = loop.hazard_code;
  w.category = model::WarningCategory::sis;
  w.source = model::WarningSource::sis;
  w.level = level;
  w.first = first;
  w.content = loop_label(loop.company_name, loop.tag, loop.name) + what;
  return w;
}

constexpr const char* kFilers =
    "bypasses and trips are filed by the enterprise (its users or its gateway)";

constexpr const char* kApprover =
    "must be the enterprise's principal or a 包保责任人 of the loop's hazard source (valid today)";

// Who approves any bypass of a loop in their scope, as a filing (docs/sis.md).
bool is_officer(model::Role r) {
  return r == model::Role::province_admin || r == model::Role::city_officer ||
         r == model::Role::county_officer;
}

void no_future(core::SysTime t, core::SysTime now, const char* pointer) {
  if (t > now + std::chrono::minutes(5))
    throw Error(Errc::validation_failed, "the time is in the future",
                {{pointer, "after now (5 minutes of clock skew allowed)"}});
  if (t < now - std::chrono::hours(24 * 30))
    throw Error(Errc::validation_failed, "the time is too old",
                {{pointer, "more than 30 days ago"}});
}
}  // namespace

SisService::SisService(storage::Database& db, WarningService* warnings, SisSettings s,
                       const core::Clock& clock)
    : db_(db), warnings_(warnings), s_(s), clock_(clock) {}

model::SisLoop SisService::save_loop(const model::Principal& who, model::SisLoop l, bool& created) {
  if (!model::can_write_registry(who.role) && who.role != model::Role::gateway)
    throw Error(Errc::forbidden, "SIS loops are registered by the registry's writers");
  if (who.scope.kind == model::ScopeKind::enterprise && l.company_code.empty())
    l.company_code = who.scope.company_code;
  auto errors = model::check_sis_loop(l);
  if (l.company_code.empty()) errors.push_back({"/company_code", "the enterprise is required"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the SIS loop is not valid", std::move(errors));
  l.source = who.role == model::Role::gateway ? "upload" : "dashboard";
  l.created_by = who.name;
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.enterprise(tx, who.scope, l.company_code))
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
    std::vector<core::FieldError> refs;
    if (l.hazard_code && !store_.hazard_of(tx, l.company_code, *l.hazard_code))
      refs.push_back({"/hazard_code", "not a hazard source of the enterprise"});
    if (l.prodcell_id && !store_.prodcell_of(tx, l.company_code, *l.prodcell_id))
      refs.push_back({"/prodcell_id", "not a production unit of the enterprise"});
    auto codes = l.protected_points;
    if (l.trip_point) codes.push_back(*l.trip_point);
    auto points = store_.points_of(tx, l.company_code, codes);
    auto find = [&](const std::string& code) -> const storage::SisPointRef* {
      for (const auto& p : points)
        if (p.quota_code == code) return &p;
      return nullptr;
    };
    if (l.trip_point) {
      const auto* p = find(*l.trip_point);
      if (!p)
        refs.push_back({"/trip_point", "not a monitoring point of the enterprise"});
      else if (p->value_kind != "switch")
        refs.push_back({"/trip_point", "must be a switch point (reading 1 = tripped)"});
    }
    for (std::size_t i = 0; i < l.protected_points.size(); ++i)
      if (!find(l.protected_points[i]))
        refs.push_back(
            {"/protected_points/" + std::to_string(i), "not a monitoring point of the enterprise"});
    if (!refs.empty())
      throw Error(Errc::validation_failed, "the SIS loop names what the enterprise does not have",
                  std::move(refs));
    // The enterprise cannot stop its trip point from reporting trips by filing: once a loop has a
    // trip point, changing or removing it, retiring the loop or moving it out of its hazard
    // source or unit is for the regulators.
    if (who.scope.kind == model::ScopeKind::enterprise) {
      if (auto old = store_.find_loop_by_tag(tx, l.company_code, l.tag, true)) {
        std::vector<core::FieldError> kept;
        if (old->trip_point && l.trip_point != old->trip_point)
          kept.push_back({"/trip_point",
                          "only a county, city or province officer may change or "
                          "remove a loop's trip point"});
        if (old->active && !l.active)
          kept.push_back(
              {"/is_active", "only a county, city or province officer may retire a loop"});
        // Its trips and expired bypasses warn on the loop's hazard source (its 包保责任人 are
        // told, its rank counts) and the coverage check counts it in its unit (attack 12.18).
        if (l.hazard_code != old->hazard_code)
          kept.push_back({"/hazard_code",
                          "only a county, city or province officer may move a loop to another "
                          "hazard source"});
        if (l.prodcell_id != old->prodcell_id)
          kept.push_back({"/prodcell_id",
                          "only a county, city or province officer may move a loop to another "
                          "production unit"});
        if (!kept.empty())
          throw Error(Errc::validation_failed, "the enterprise may not change this",
                      std::move(kept));
      }
    }
    return store_.save_loop(tx, l, clock_.now(), created);
  });
}

std::vector<model::SisLoop> SisService::list(const model::Principal& who,
                                             const storage::SisLoopFilter& f) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "SIS loops are read by people, not machine credentials");
  if (f.state && !model::sis_state_from_string(*f.state))
    throw Error(Errc::bad_request, "state must be in_service, bypassed or tripped");
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list_loops(tx, who.scope, f);
  });
}

SisLoopDetail SisService::get(const model::Principal& who, long long id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "SIS loops are read by people, not machine credentials");
  return db_.in_tx([&](storage::Tx& tx) {
    auto l = store_.find_loop(tx, who.scope, id, false);
    if (!l) throw Error(Errc::not_found, "no such SIS loop");
    return SisLoopDetail{*l, store_.bypasses(tx, id), store_.trips(tx, id)};
  });
}

model::SisBypass SisService::file_bypass(const model::Principal& who, long long loop_id,
                                         model::SisBypass b) {
  require_enterprise_filer(who, kFilers);
  auto now = clock_.now();
  if (b.begin_at == core::SysTime{}) b.begin_at = now;
  auto errors = model::check_sis_bypass(b, std::chrono::hours(s_.max_bypass_hours));
  if (b.begin_at < now - std::chrono::hours(24))
    errors.push_back({"/begin_at", "more than 24 hours ago"});
  if (b.begin_at > now + std::chrono::hours(24 * 7))
    errors.push_back({"/begin_at", "more than 7 days ahead"});
  // A gateway's bypass is in effect at once (a user's from its approval): its expiry is at most
  // the maximum from now, whatever begin_at says.
  if (who.role == model::Role::gateway && errors.empty() &&
      b.expiry_at - now > std::chrono::hours(s_.max_bypass_hours))
    errors.push_back(
        {"/expiry_at", "at most " + std::to_string(s_.max_bypass_hours) +
                           " hours from now: an uploaded bypass is in effect at once"});
  // Its own system approved it: the enterprise approves no longer a bypass than from the
  // dashboard (13.24); a longer one is filed there and waits for an officer.
  if (who.role == model::Role::gateway && errors.empty() &&
      b.expiry_at - now > std::chrono::hours(s_.enterprise_approval_max_hours))
    errors.push_back(
        {"/expiry_at", "at most " + std::to_string(s_.enterprise_approval_max_hours) +
                           " hours from now: a longer bypass is filed from the dashboard and "
                           "approved by a county, city or province officer"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the bypass is not valid", std::move(errors));
  b.loop_id = loop_id;
  b.filed_by = who.name;
  b.created_at = now;
  // A gateway reports the bypass its enterprise's own system approved: it is in effect at once.
  b.source = who.role == model::Role::gateway ? "upload" : "dashboard";
  if (who.role == model::Role::gateway) {
    b.state = "active";
    b.approved_at = now;
    b.approved_by = b.approver;
  } else {
    b.state = "requested";
  }
  return db_.in_tx([&](storage::Tx& tx) {
    auto loop = store_.find_loop(tx, who.scope, loop_id, true);
    if (!loop) throw Error(Errc::not_found, "no such SIS loop");
    // Taking an interlock out of service is approved by someone with the authority, not a name of
    // the filer's choosing (docs/sis.md).
    if (!store_.may_approve(tx, loop->company_code, loop->hazard_code, b.approver,
                            storage::format_day(storage::beijing_day_of(now))))
      throw Error(Errc::validation_failed, "the approver may not approve this bypass",
                  {{"/approver", kApprover}});
    if (store_.open_bypass(tx, loop_id))
      throw Error(Errc::conflict, "the loop has a bypass that has not ended");
    // In effect at once: continuing the loop's last bypass (back-to-back, 13.31), both limits
    // count from the chain's first start.
    if (who.role == model::Role::gateway) {
      auto first = chain_start(tx, loop_id, now);
      if (first < now && b.expiry_at - first > std::chrono::hours(s_.max_bypass_hours))
        throw Error(Errc::validation_failed, "the bypass would keep the loop bypassed too long",
                    {{"/expiry_at", "at most " + std::to_string(s_.max_bypass_hours) +
                                        " hours from " + chain_text(first)}});
      if (first < now && b.expiry_at - first > std::chrono::hours(s_.enterprise_approval_max_hours))
        throw Error(Errc::validation_failed, "the bypass would keep the loop bypassed too long",
                    {{"/expiry_at", "at most " + std::to_string(s_.enterprise_approval_max_hours) +
                                        " hours from " + chain_text(first) +
                                        ": a longer bypass is filed from the dashboard and "
                                        "approved by a county, city or province officer"}});
    }
    return store_.insert_bypass(tx, b);
  });
}

model::SisBypass SisService::approve_bypass(const model::Principal& who, long long id) {
  // Four eyes (attack 13.24): another account of the enterprise than the one that filed it, or a
  // county, city or province officer, who alone approves a bypass longer than
  // sis.enterprise_approval_max_hours.
  const bool officer = is_officer(who.role);
  if (!officer &&
      (who.role != model::Role::enterprise_user || who.scope.kind != model::ScopeKind::enterprise))
    throw Error(Errc::forbidden,
                "a bypass is approved by another user of the enterprise or by a county, city or "
                "province officer");
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto b = store_.find_bypass(tx, who.scope, id, true);
    if (!b) throw Error(Errc::not_found, "no such bypass");
    if (b->state != "requested") throw Error(Errc::conflict, "only a requested bypass is approved");
    if (!officer && b->filed_by == who.name)
      throw Error(Errc::forbidden,
                  "four eyes: the account that filed a bypass does not approve it; another user "
                  "of the enterprise or a county, city or province officer approves it");
    // The named approver still holds the authority (a 包保责任人 replaced since the filing).
    auto loop = store_.find_loop(tx, who.scope, b->loop_id, false);
    if (!loop || !store_.may_approve(tx, loop->company_code, loop->hazard_code, b->approver,
                                     storage::format_day(storage::beijing_day_of(now))))
      throw Error(Errc::conflict,
                  std::string("the named approver no longer may: the approver ") + kApprover);
    if (now >= b->expiry_at)
      throw Error(Errc::conflict, "the bypass expired before it was approved");
    // In effect from its approval: approved days before its begin, it would last longer than the
    // maximum (sis.max_bypass_hours) until its expiry.
    if (b->expiry_at - now > std::chrono::hours(s_.max_bypass_hours))
      throw Error(Errc::conflict, "approved now, the bypass would last more than " +
                                      std::to_string(s_.max_bypass_hours) +
                                      " hours until its expiry; approve it nearer its begin");
    if (!officer && b->expiry_at - now > std::chrono::hours(s_.enterprise_approval_max_hours))
      throw Error(Errc::forbidden, "a bypass in effect for more than " +
                                       std::to_string(s_.enterprise_approval_max_hours) +
                                       " hours is approved by a county, city or province officer");
    // Back-to-back bypasses (13.31): one approved within the gap of the end of the loop's last
    // one continues it, and both limits count from the chain's first start.
    auto first = chain_start(tx, b->loop_id, now);
    if (first < now && b->expiry_at - first > std::chrono::hours(s_.max_bypass_hours))
      throw Error(Errc::conflict, "approved now, the loop would stay bypassed more than " +
                                      std::to_string(s_.max_bypass_hours) + " hours from " +
                                      chain_text(first));
    if (!officer && first < now &&
        b->expiry_at - first > std::chrono::hours(s_.enterprise_approval_max_hours))
      throw Error(Errc::forbidden, "approved now, the loop would stay bypassed more than " +
                                       std::to_string(s_.enterprise_approval_max_hours) +
                                       " hours from " + chain_text(first) +
                                       ": a county, city or province officer approves it");
    store_.approve_bypass(tx, id, now, who.name);
    return *store_.find_bypass(tx, who.scope, id, false);
  });
}

core::SysTime SisService::chain_start(storage::Tx& tx, long long loop_id, core::SysTime now) {
  return store_.bypass_chain_start(tx, loop_id, now, std::chrono::minutes(s_.chain_gap_minutes),
                                   std::chrono::hours(s_.max_bypass_hours));
}

std::string SisService::chain_text(core::SysTime first) const {
  return beijing(first) + " (Beijing time), when the loop's bypass began that this one " +
         "continues (begun within " + std::to_string(s_.chain_gap_minutes) +
         " minutes of the end of an approved one: back-to-back bypasses)";
}

void SisService::close_warning(storage::Tx& tx, const std::optional<long long>& id,
                               const std::string& text) {
  if (warnings_ && id) warnings_->close_system_event(tx, *id, text);
}

model::SisBypass SisService::end_bypass(const model::Principal& who, long long id,
                                        const std::string& note) {
  require_enterprise_filer(who, kFilers);
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto b = store_.find_bypass(tx, who.scope, id, true);
    if (!b) throw Error(Errc::not_found, "no such bypass");
    if (b->state == "ended") throw Error(Errc::conflict, "the bypass has ended already");
    store_.end_bypass(tx, id, now, who.name, note);
    close_warning(
        tx, b->warning_event_id,
        "联锁回路" + b->loop_tag + "旁路已于" + beijing(now) + "解除，恢复投用，系统自动关闭");
    return *store_.find_bypass(tx, who.scope, id, false);
  });
}

std::optional<long long> SisService::trip_warning(storage::Tx& tx, const model::SisTrip& t) {
  if (!warnings_ || !s_.enabled) return std::nullopt;
  auto loop = store_.find_loop(tx, model::Scope::province(), t.loop_id, false);
  auto w = loop_warning(*loop, s_.trip_warning_level, t.tripped_at,
                        "于" + beijing(t.tripped_at) + "联锁动作" +
                            (t.cause.empty() ? "" : "（" + t.cause + "）") + "，尚未复位");
  auto id = warnings_->raise_system_event(tx, w);
  store_.set_trip_warning(tx, t.id, id);
  return id;
}

model::SisTrip SisService::record_trip(const model::SisLoop& loop, model::SisTrip t,
                                       long long& warning) {
  t.loop_id = loop.id;
  t.created_at = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    if (store_.open_trip(tx, loop.id))
      throw Error(Errc::conflict, "the loop has a trip that has not been reset");
    auto saved = store_.insert_trip(tx, t);
    if (auto id = trip_warning(tx, saved)) {
      warning = *id;
      saved.warning_event_id = *id;
    }
    return saved;
  });
}

model::SisTrip SisService::file_trip(const model::Principal& who, long long loop_id,
                                     model::SisTrip t) {
  require_enterprise_filer(who, kFilers);
  auto now = clock_.now();
  if (t.tripped_at == core::SysTime{}) t.tripped_at = now;
  no_future(t.tripped_at, now, "/tripped_at");
  if (t.cause.size() > model::kMaxSisText)
    throw Error(Errc::validation_failed, "the cause is too long",
                {{"/cause", "at most 500 bytes"}});
  t.source = who.role == model::Role::gateway ? "upload" : "dashboard";
  t.reported_by = who.name;
  auto loop =
      db_.in_tx([&](storage::Tx& tx) { return store_.find_loop(tx, who.scope, loop_id, false); });
  if (!loop) throw Error(Errc::not_found, "no such SIS loop");
  long long warning = 0;
  auto saved = record_trip(*loop, t, warning);
  // The push reads the event back (dashboard, SMS): inside a row upload's transaction (ADR 0033)
  // it waits for the commit.
  if (warning != 0) storage::after_commit(db_, [w = warnings_, warning] { w->announce(warning); });
  return saved;
}

model::SisTrip SisService::reset_trip(const model::Principal& who, long long id,
                                      const std::string& by, const std::string& note,
                                      const std::optional<std::string>& cause) {
  require_enterprise_filer(who, kFilers);
  std::vector<core::FieldError> errors;
  if (by.find_first_not_of(" \t") == std::string::npos)
    errors.push_back({"/reset_by", "who reset the interlock is required"});
  else if (by.size() > model::kMaxSisName)
    errors.push_back({"/reset_by", "at most 64 bytes"});
  if (note.size() > model::kMaxSisText) errors.push_back({"/note", "at most 500 bytes"});
  if (cause && cause->size() > model::kMaxSisText)
    errors.push_back({"/cause", "at most 500 bytes"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the reset is not valid", std::move(errors));
  auto now = clock_.now();
  return db_.in_tx([&](storage::Tx& tx) {
    auto t = store_.find_trip(tx, who.scope, id, true);
    if (!t) throw Error(Errc::not_found, "no such trip");
    if (t->reset_at) throw Error(Errc::conflict, "the trip has been reset already");
    if (auto v = store_.trip_point_value(tx, t->loop_id); v && *v >= 0.5)
      throw Error(Errc::conflict, "the loop's trip point still reads 1 (tripped)");
    store_.reset_trip(tx, id, now, by, note, cause);
    close_warning(
        tx, t->warning_event_id,
        "联锁回路" + t->loop_tag + "已于" + beijing(now) + "由" + by + "复位，系统自动关闭");
    return *store_.find_trip(tx, who.scope, id, false);
  });
}

bool SisService::upload(const model::Principal& who, SisUploadRow row) {
  if (who.role != model::Role::gateway || who.scope.kind != model::ScopeKind::enterprise)
    throw Error(Errc::forbidden, "SIS rows are uploaded by an enterprise's gateway");
  if (row.company_code.empty()) row.company_code = who.scope.company_code;
  if (row.company_code != who.scope.company_code)
    throw Error(Errc::forbidden, "this credential may not file for another enterprise");
  const auto& tag = row.loop.tag;
  if (row.kind == "loop") {
    bool created = false;
    row.loop.company_code = row.company_code;
    save_loop(who, row.loop, created);
    return created;
  }
  auto loop = db_.in_tx(
      [&](storage::Tx& tx) { return store_.find_loop_by_tag(tx, row.company_code, tag, false); });
  if (!loop)
    throw Error(Errc::validation_failed, "no such SIS loop", {{"/loop", "no loop with this tag"}});
  if (row.kind == "bypass") {
    file_bypass(who, loop->id, row.bypass);
    return true;
  }
  if (row.kind == "trip") {
    file_trip(who, loop->id, row.trip);
    return true;
  }
  if (row.kind == "bypass_end") {
    if (!loop->open_bypass_id)
      throw Error(Errc::conflict, "the loop has no bypass that has not ended");
    end_bypass(who, *loop->open_bypass_id, row.note);
    return false;
  }
  if (row.kind == "trip_reset") {
    if (!loop->open_trip_id) throw Error(Errc::conflict, "the loop has no trip to reset");
    reset_trip(who, *loop->open_trip_id, row.by, row.note, row.cause);
    return false;
  }
  throw Error(Errc::validation_failed, "unknown kind",
              {{"/kind", "loop, bypass, bypass_end, trip or trip_reset"}});
}

int SisService::check() {
  if (!s_.enabled) return 0;
  auto now = clock_.now();
  int raised = 0;
  std::vector<long long> announce;
  // Trips the trip points show.
  auto found = db_.in_tx([&](storage::Tx& tx) {
    return store_.point_trips(tx, now - std::chrono::seconds(s_.trip_scan_window_s));
  });
  for (const auto& f : found) {
    try {
      auto id = db_.in_tx([&](storage::Tx& tx) -> long long {
        auto loop = store_.find_loop(tx, model::Scope::province(), f.loop_id, true);
        if (!loop || store_.open_trip(tx, f.loop_id)) return 0;
        model::SisTrip t;
        t.loop_id = f.loop_id;
        t.tripped_at = f.first;
        t.cause = "联锁动作信号：点位" + f.quota_code + "读数为1";
        t.source = "point";
        t.reported_by = "system";
        t.created_at = now;
        auto saved = store_.insert_trip(tx, t);
        return trip_warning(tx, saved).value_or(0);
      });
      if (id != 0) announce.push_back(id);
    } catch (const storage::ConflictError&) {
      continue;  // filed or found by another node meanwhile
    }
  }
  if (warnings_) {
    // Trips whose warning was not raised (warnings were off, or a node stopped in between).
    auto ids = db_.in_tx(
        [&](storage::Tx& tx) { return store_.unwarned_trips(tx, s_.max_warnings_per_check); });
    for (auto trip_id : ids) {
      auto id = db_.in_tx([&](storage::Tx& tx) -> long long {
        auto t = store_.find_trip(tx, model::Scope::province(), trip_id, true);
        if (!t || t->reset_at || t->warning_event_id) return 0;
        return trip_warning(tx, *t).value_or(0);
      });
      if (id != 0) announce.push_back(id);
    }
    // Active bypasses past their expiry.
    auto more = db_.in_tx([&](storage::Tx& tx) {
      std::vector<long long> out;
      for (const auto& b : store_.expired_unwarned(tx, now, s_.max_warnings_per_check)) {
        auto loop = store_.find_loop(tx, model::Scope::province(), b.loop_id, false);
        auto w = loop_warning(*loop, s_.bypass_warning_level, b.expiry_at,
                              "旁路已于" + beijing(b.expiry_at) + "到期，仍未恢复投用（申请人" +
                                  b.applicant + "，审批人" + b.approver + "）");
        auto id = warnings_->raise_system_event(tx, w);
        store_.set_bypass_warning(tx, b.id, id);
        out.push_back(id);
      }
      return out;
    });
    announce.insert(announce.end(), more.begin(), more.end());
  }
  for (auto id : announce) {
    warnings_->announce(id);
    ++raised;
  }
  if (raised > 0)
    core::logger(core::LogModule::service)->info("sis check: {} warning(s) raised", raised);
  return raised;
}

}  // namespace hazmon::service
