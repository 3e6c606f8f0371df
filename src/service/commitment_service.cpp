#include <hazmon/service/commitment_service.hpp>

#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/data_quality_store.hpp>
#include <hazmon/storage/database.hpp>

#include "principal_checks.hpp"

namespace hazmon::service {
using core::Errc;
using core::Error;

CommitmentService::CommitmentService(storage::Database& db, WarningService* warnings,
                                     CommitmentSettings s, const core::Clock& clock)
    : db_(db), warnings_(warnings), s_(s), clock_(clock) {}

std::string CommitmentService::today() const {
  return storage::format_day(storage::beijing_day_of(clock_.now()));
}

namespace {
core::SysTime deadline_of(storage::BeijingDay day, int hour) {
  return storage::beijing_day_start(day) + std::chrono::hours(hour);
}

std::string beijing_hhmm(core::SysTime t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() +
            8LL * 3600 * 1000;
  auto minute = ((ms / 60000) % 1440 + 1440) % 1440;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", minute / 60, minute % 60);
  return buf;
}

storage::BeijingDay day_or_throw(const std::string& day, Errc code, const char* pointer) {
  auto d = storage::parse_day(day);
  if (!d) {
    if (code == Errc::validation_failed)
      throw Error(code, "day must be a date YYYY-MM-DD", {{pointer, "not a date YYYY-MM-DD"}});
    throw Error(code, "day must be a date YYYY-MM-DD");
  }
  return *d;
}
}  // namespace

model::Commitment CommitmentService::file(const model::Principal& who, CommitmentFiling f) {
  require_enterprise_filer(
      who, "the safety commitment is filed by the enterprise (its users or its gateway)");
  auto& c = f.c;
  if (c.company_code.empty()) c.company_code = who.scope.company_code;
  auto now = clock_.now();
  auto today = storage::beijing_day_of(now);
  if (c.day.empty()) c.day = storage::format_day(today);
  auto day = day_or_throw(c.day, Errc::validation_failed, "/day");
  if (day > today)
    throw Error(Errc::validation_failed, "a commitment cannot be filed for a future day",
                {{"/day", "after today (Beijing time)"}});
  if (day < today - 1)
    throw Error(Errc::validation_failed, "only today's or yesterday's commitment can be filed",
                {{"/day", "before yesterday (Beijing time)"}});
  if (auto errors = model::check_commitment(c); !errors.empty()) {
    auto detail = errors.front().pointer == "/units/total" ? "the unit counts do not add up"
                                                           : "the commitment is not valid";
    throw Error(Errc::validation_failed, detail, std::move(errors));
  }
  c.committed_at = now;
  c.late = now >= deadline_of(day, s_.deadline_hour);
  c.source = f.source;
  c.filed_by = who.name;
  long long warning_id = 0;
  auto saved = db_.in_tx([&](storage::Tx& tx) {
    auto ent = store_.enterprise(tx, who.scope, c.company_code);
    if (!ent)
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
    auto role = store_.responsible_role(tx, c.company_code, c.committer, c.day);
    if (role) {
      c.committer_role = *role;
    } else if (ent->principal && !ent->principal->empty() && *ent->principal == c.committer) {
      c.committer_role = model::CommitterRole::enterprise_principal;
    } else {
      throw Error(
          Errc::validation_failed, "the committer is not eligible",
          {{"/committer",
            "must be one of the enterprise's 包保责任人 (valid that day) or its principal"}});
    }
    // The enterprise keeps its roster and principal itself: a name it entered just before
    // committing is shown to the county (attack 13.30), not refused (a real new appointment).
    c.committer_recent = store_.committer_recent(tx, c.company_code, c.committer, c.committer_role,
                                                 model::kRecentCommitterHours);
    auto row = store_.save(tx, c, who.name);
    // The day's missing-commitment warning, if one was raised, is closed by this filing.
    if (auto w = store_.lock_open_warning(tx, c.company_code, c.day)) {
      if (warnings_ && w->warning_event_id &&
          warnings_->close_system_event(tx, *w->warning_event_id,
                                        "企业已于" + storage::format_day(today) + " " +
                                            beijing_hhmm(now) + "提交" + c.day +
                                            "安全承诺，系统自动关闭"))
        warning_id = *w->warning_event_id;
      store_.close_warning(tx, c.company_code, c.day, now);
    }
    return row;
  });
  if (warning_id != 0)
    core::logger(core::LogModule::service)
        ->info("commitment filed: warning closed company_code={} day={} event_id={}",
               saved.company_code, saved.day, warning_id);
  return saved;
}

storage::CommitmentPage CommitmentService::list(const model::Principal& who,
                                                const storage::CommitmentFilter& f, int limit,
                                                long long offset) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "commitments are read by people, not machine credentials");
  if (f.day) day_or_throw(*f.day, Errc::bad_request, "");
  return db_.in_tx([&](storage::Tx& tx) {
    if (f.company_code && !store_.enterprise(tx, who.scope, *f.company_code))
      throw Error(Errc::not_found, "no such enterprise");
    return store_.list(tx, who.scope, f, limit, offset);
  });
}

std::vector<std::string> CommitmentService::history(const model::Principal& who, long long id) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "commitments are read by people, not machine credentials");
  return db_.in_tx([&](storage::Tx& tx) {
    if (!store_.visible(tx, who.scope, id)) throw Error(Errc::not_found, "no such commitment");
    return store_.history(tx, id);
  });
}

CommitmentSummary CommitmentService::summary(const model::Principal& who, const std::string& day,
                                             bool by_city) {
  if (!who.is_person())
    throw Error(Errc::forbidden, "commitments are read by people, not machine credentials");
  auto today = storage::beijing_day_of(clock_.now());
  auto d = day.empty() ? today : day_or_throw(day, Errc::bad_request, "");
  if (d > today) throw Error(Errc::bad_request, "day is in the future (Beijing time)");
  CommitmentSummary out;
  out.day = storage::format_day(d);
  out.by_city = by_city;
  out.deadline_hour = s_.deadline_hour;
  db_.in_tx([&](storage::Tx& tx) {
    out.regions = store_.summary(tx, who.scope, out.day, by_city);
    out.missing = store_.missing(tx, who.scope, out.day, s_.max_missing_listed + 1);
  });
  if (static_cast<int>(out.missing.size()) > s_.max_missing_listed) {
    out.missing.resize(s_.max_missing_listed);
    out.missing_truncated = true;
  }
  for (const auto& r : out.regions) {
    out.total.expected += r.expected;
    out.total.committed += r.committed;
    out.total.late += r.late;
    out.total.recent_committer += r.recent_committer;
    out.total.red += r.red;
    out.total.orange += r.orange;
    out.total.yellow += r.yellow;
    out.total.blue += r.blue;
  }
  return out;
}

int CommitmentService::check() {
  if (!s_.enabled || !warnings_) return 0;
  auto now = clock_.now();
  auto day = storage::beijing_day_of(now);
  if (now < deadline_of(day, s_.deadline_hour)) return 0;
  auto day_text = storage::format_day(day);
  auto todo = db_.in_tx([&](storage::Tx& tx) {
    return store_.unwarned_missing(tx, day_text, s_.max_warnings_per_check);
  });
  int raised = 0;
  for (const auto& company : todo) {
    long long id = 0;
    try {
      id = db_.in_tx([&](storage::Tx& tx) -> long long {
        if (!store_.claim_warning(tx, company, day_text, now)) return 0;
        auto ent = store_.enterprise(tx, model::Scope::province(), company);
        SystemWarning w;
        w.company_code = company;
        w.level = s_.warning_level;
        w.first = now;
        char hour[8];
        std::snprintf(hour, sizeof hour, "%02d:00", s_.deadline_hour);
        w.content = (ent ? ent->name : company) + "截至" + day_text + " " + hour +
                    "（北京时间）未提交当日安全承诺";
        auto event = warnings_->raise_system_event(tx, w);
        store_.set_warning_event(tx, company, day_text, event);
        return event;
      });
    } catch (const storage::ConflictError&) {
      continue;  // filed or claimed meanwhile
    }
    if (id == 0) continue;
    warnings_->announce(id);
    ++raised;
  }
  if (raised > 0)
    core::logger(core::LogModule::service)
        ->info("commitment check: {} warning(s) raised day={}", raised, day_text);
  return raised;
}

}  // namespace hazmon::service
