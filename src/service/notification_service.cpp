#include <hazmon/service/notification_service.hpp>

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include <hazmon/core/error.hpp>
#include <hazmon/core/log.hpp>
#include <hazmon/core/metrics.hpp>
#include <hazmon/core/serial_worker.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/notify/circular_templates.hpp>
#include <hazmon/notify/sms_gateway.hpp>
#include <hazmon/notify/smtp_mailer.hpp>
#include <hazmon/service/warning_service.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/notification_store.hpp>

#include "notification_detail.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace hazmon::service {
using core::Errc;
using core::Error;
using nlohmann::json;
using notify::Channel;
using namespace std::chrono;

namespace {
using notification_detail::is_tier;
using notification_detail::level_rank;
constexpr std::size_t kMaxRetryEvents = 1000;

const char* person_role_zh(const std::string& role) {
  if (role == "principal") return "主要负责人";
  if (role == "technical") return "技术负责人";
  if (role == "operations") return "操作负责人";
  return "包保责任人";
}

// The region code of each tier above an enterprise in `region`: county (when the enterprise
// sits in a county), city, province.
std::map<std::string, std::string> tier_regions(const std::string& region) {
  std::map<std::string, std::string> out;
  auto lvl = model::region_level(region);
  if (!lvl) return out;
  if (*lvl == model::RegionLevel::county) out["county"] = region;
  if (*lvl != model::RegionLevel::province) out["city"] = region.substr(0, 4) + "00";
  out["province"] = region.substr(0, 2) + "0000";
  return out;
}

}  // namespace

struct NotificationService::Impl {
  storage::Database& db;
  storage::NotificationStore store;
  NotifySettings s;
  const core::Clock& clock;
  notify::SmsGateway* sms;
  notify::Mailer* mail;
  std::shared_ptr<spdlog::logger> log = core::logger(core::LogModule::notify);

  std::mutex deliver_mu;  // one delivery round at a time (sender thread or a test)
  // The sender: a core::SerialWorker ("notify") running a delivery round every poll_interval and
  // when poked (one poke queued at a time).
  // Made by the constructor, which knows the watchdog's registry. A round may send many
  // messages through slow gateways (each bounded by its timeout), hence ten minutes.
  std::unique_ptr<core::SerialWorker> sender;
  std::atomic<bool> started{false}, wake{false};
  std::mutex mu;  // retry_events
  std::atomic<bool> stop_requested{
      false};  // checked between messages: a round of slow sends must not hold up shutdown
  std::deque<model::WarningPush> retry_events;  // pushes whose outbox write failed (database down)

  std::atomic<std::uint64_t> n_queued{0}, n_sent{0}, n_retried{0}, n_failed{0},
      n_enqueue_failures{0};
  prometheus::Counter* m_sent[2] = {nullptr, nullptr};
  prometheus::Counter* m_failed[2] = {nullptr, nullptr};
  prometheus::Counter* m_retried[2] = {nullptr, nullptr};
  prometheus::Counter* m_queued[2] = {nullptr, nullptr};

  Impl(storage::Database& d, NotifySettings st, const core::Clock& c, notify::SmsGateway* g,
       notify::Mailer* m)
      : db(d), s(std::move(st)), clock(c), sms(g), mail(m) {}

  static int ch(Channel c) { return c == Channel::sms ? 0 : 1; }
  static void inc(prometheus::Counter* c) {
    if (c) c->Increment();
  }

  seconds backoff(int attempts) const {
    auto d = s.retry_initial;
    for (int i = 1; i < attempts && d < s.retry_max; ++i) d *= 2;
    return std::min(d, s.retry_max);
  }

  void poke() {
    if (started && !wake.exchange(true))
      sender->post_always([this] {
        wake = false;
        round();
      });
  }

  struct Recipient {
    std::string level, name, phone, email;
    std::vector<Channel> channels;
    std::optional<long long> contact_id;
  };

  // A duty contact at `tier`, on the channels its row lists.
  static Recipient contact_recipient(const std::string& tier, const storage::ContactTarget& c) {
    Recipient rc{tier, c.name, c.phone.value_or(""), c.email.value_or(""), {}, c.id};
    for (const auto& chn : json::parse(c.channels))
      if (auto k = notify::channel_from_string(chn.get<std::string>())) rc.channels.push_back(*k);
    return rc;
  }

  // A 包保责任人 (registry table responsible_person): SMS only, no contact row of its own.
  static Recipient person_recipient(const std::string& tier, const storage::ResponsiblePerson& rp) {
    return {tier,           rp.name + "（" + person_role_zh(rp.role) + "）",
            rp.mobile,      "",
            {Channel::sms}, std::nullopt};
  }

  std::vector<Recipient> resolve(storage::Tx& tx, const model::WarningPush& p) {
    std::vector<Recipient> out;
    const auto& company = p.event.company_code;
    int rank = level_rank(model::to_string(p.event.level));
    auto region = store.enterprise_region(tx, company);
    auto regions = region ? tier_regions(*region) : std::map<std::string, std::string>{};
    std::set<std::string> tiers;
    for (auto t : p.recipients)
      if (is_tier(model::to_string(t))) tiers.insert(model::to_string(t));
    for (const auto& tier : tiers) {
      std::vector<storage::ContactTarget> contacts;
      if (tier == "enterprise") {
        contacts = store.enterprise_contacts(tx, company);
      } else {
        auto r = regions.find(tier);
        if (r == regions.end()) continue;
        contacts = store.region_contacts(tx, tier, r->second);
      }
      for (const auto& c : contacts)
        if (level_rank(model::to_string(c.min_level)) <= rank)
          out.push_back(contact_recipient(tier, c));
      // The 包保责任人 of the hazard source (registry table responsible_person) get an SMS at
      // the enterprise tier without a contact row of their own.
      if (tier == "enterprise" && p.event.hazard_code) {
        for (const auto& rp : store.responsible_persons(tx, *p.event.hazard_code, clock.now()))
          out.push_back(person_recipient(tier, rp));
      }
    }
    return out;
  }

  int enqueue(const model::WarningPush& ev) {
    auto id = ev.event.id;
    if (id == 0) return 0;
    std::string reason = ev.push_reason.empty() ? std::string("created") : ev.push_reason;
    std::string level = model::to_string(ev.event.level);
    long long escalations = ev.event.escalation_count;
    std::string dedup = reason + ":" + level + ":" + std::to_string(escalations);
    notify::Rendered texts[2] = {notify::render_warning(ev, Channel::sms, s.templates),
                                 notify::render_warning(ev, Channel::email, s.templates)};
    auto now = clock.now();
    int added[2] = {0, 0};
    db.in_tx([&](storage::Tx& tx) {
      for (const auto& r : resolve(tx, ev)) {
        for (auto c : r.channels) {
          const std::string& address = c == Channel::sms ? r.phone : r.email;
          if (address.empty()) continue;
          if ((c == Channel::sms && !sms) || (c == Channel::email && !mail))
            continue;  // channel not configured
          const auto& t = texts[ch(c)];
          added[ch(c)] += store.add(
              tx, {id, ev.event.company_code, dedup, reason, std::string(notify::to_string(c)),
                   address, r.name, r.level, r.contact_id,
                   c == Channel::email ? t.subject : std::string(), t.body, now});
        }
      }
    });
    for (int c = 0; c < 2; ++c) {
      n_queued += added[c];
      if (m_queued[c]) m_queued[c]->Increment(added[c]);
    }
    if (added[0] + added[1] > 0) {
      log->info("warning event {} ({}): {} SMS and {} e-mail queued", id, reason, added[0],
                added[1]);
      poke();
    }
    return added[0] + added[1];
  }

  // The people of a named enterprise (docs/circulars.md): its duty contacts, then the
  // responsible persons of its hazard sources by SMS.
  std::vector<Recipient> circular_people(storage::Tx& tx, const std::string& company) {
    std::vector<Recipient> out;
    for (const auto& c : store.enterprise_contacts(tx, company))
      out.push_back(contact_recipient("enterprise", c));
    for (const auto& rp : store.enterprise_persons(tx, company, clock.now()))
      out.push_back(person_recipient("enterprise", rp));
    return out;
  }

  int enqueue_circular(storage::Tx& tx, const notify::CircularNotice& n,
                       const std::vector<std::string>& codes) {
    const std::string reason = "circular_" + n.step;
    notify::Rendered texts[2] = {notify::render_circular(n, Channel::sms, s.templates),
                                 notify::render_circular(n, Channel::email, s.templates)};
    auto now = clock.now();
    int added[2] = {0, 0};
    auto put = [&](const std::string& company, Channel c, const std::string& address,
                   const std::string& name, std::optional<long long> contact) {
      if (address.empty()) return;
      if ((c == Channel::sms && !sms) || (c == Channel::email && !mail)) return;
      const auto& t = texts[ch(c)];
      added[ch(c)] += store.add_circular(
          tx, n.id,
          {0, company, reason + ":" + company, reason, std::string(notify::to_string(c)), address,
           name, "enterprise", contact, c == Channel::email ? t.subject : std::string(), t.body,
           now});
    };
    if (n.step == "withdrawn") {
      for (const auto& a : store.circular_addressees(tx, n.id))
        if (auto c = notify::channel_from_string(a.channel))
          put(a.company_code, *c, a.recipient, a.recipient_name, a.contact_id);
    } else {
      for (const auto& company : codes)
        for (const auto& r : circular_people(tx, company))
          for (auto c : r.channels)
            put(company, c, c == Channel::sms ? r.phone : r.email, r.name, r.contact_id);
    }
    for (int c = 0; c < 2; ++c) {
      n_queued += added[c];
      if (m_queued[c]) m_queued[c]->Increment(added[c]);
    }
    if (added[0] + added[1] > 0)
      log->info("circular {} ({}): {} SMS and {} e-mail queued", n.id, n.step, added[0], added[1]);
    return added[0] + added[1];
  }

  // The on_push listener: a failed outbox write (database down) is kept and retried by the
  // sender thread rather than lost.
  void on_push(const model::WarningPush& ev) {
    try {
      enqueue(ev);
    } catch (const std::exception& e) {
      ++n_enqueue_failures;
      log->warn("notifications of warning event {} not queued yet: {}", ev.event.id, e.what());
      std::lock_guard lock(mu);
      if (retry_events.size() < kMaxRetryEvents)
        retry_events.push_back(ev);
      else
        log->error("notification retry queue full; warning event {} not notified", ev.event.id);
    }
  }

  void retry_enqueues() {
    std::deque<model::WarningPush> again;
    {
      std::lock_guard lock(mu);
      again.swap(retry_events);
    }
    while (!again.empty()) {
      on_push(again.front());
      again.pop_front();
    }
  }

  void record_outcome(long long id, Channel c, int attempts,
                      const std::optional<notify::SendError>& err) {
    auto now = clock.now();
    if (!err) {
      db.in_tx([&](storage::Tx& tx) { store.mark_sent(tx, id, attempts, now); });
      ++n_sent;
      inc(m_sent[ch(c)]);
      return;
    }
    bool give_up = err->permanent() || attempts >= s.max_attempts;
    std::string what = std::string(err->what()).substr(0, 500);
    db.in_tx([&](storage::Tx& tx) {
      store.mark_attempt_failed(tx, id, give_up, attempts, what,
                                now + (give_up ? seconds(0) : backoff(attempts)));
    });
    if (give_up) {
      ++n_failed;
      inc(m_failed[ch(c)]);
      log->error("notification {} ({}) failed after {} attempt(s): {}", id, notify::to_string(c),
                 attempts, what);
    } else {
      ++n_retried;
      inc(m_retried[ch(c)]);
      log->warn("notification {} ({}) attempt {} failed, retry in {} s: {}", id,
                notify::to_string(c), attempts, backoff(attempts).count(), what);
    }
  }

  static constexpr std::chrono::minutes kClaimFor{10};
  int deliver_round() {
    // Claimed for this node (several nodes share the outbox, docs/scaling.md): no other node
    // sends these while this one does; a node that dies mid-round leaves them to the others
    // once the claim passes.
    auto now = clock.now();
    auto due = db.in_tx(
        [&](storage::Tx& tx) { return store.claim_due(tx, now, s.batch, now + kClaimFor); });
    int n = 0;
    for (std::size_t k = 0; k < due.size(); ++k) {
      const auto& row = due[k];
      if (stop_requested) {  // the rest stay pending for the next start (or another node)
        std::vector<long long> rest;
        for (auto j = k; j < due.size(); ++j) rest.push_back(due[j].id);
        try {
          db.in_tx([&](storage::Tx& tx) { store.release_claims(tx, rest, now); });
        } catch (const std::exception& e) {
          log->warn("{} claimed notification(s) not given back ({}); due again in {} min",
                    rest.size(), e.what(), kClaimFor.count());
        }
        break;
      }
      auto id = row.id;
      auto c = notify::channel_from_string(row.channel).value_or(Channel::sms);
      notify::Message m{c,           row.recipient, row.recipient_name,
                        row.subject, row.body,      "hazmon.notification." + std::to_string(id),
                        {}};
      int attempts = row.attempts + 1;
      std::optional<notify::SendError> err;
      try {
        if (c == Channel::sms) {
          if (!sms) throw notify::SendError("SMS is not configured", true);
          sms->send(m);
        } else {
          if (!mail) throw notify::SendError("e-mail is not configured", true);
          mail->send(m);
        }
      } catch (const notify::SendError& e) {
        err = e;
      } catch (const std::exception& e) {
        err = notify::SendError(e.what(), false);
      }
      record_outcome(id, c, attempts, err);
      ++n;
    }
    return n;
  }

  int deliver_due() {
    std::lock_guard lock(deliver_mu);
    int total = 0;
    for (;;) {
      int n = deliver_round();
      total += n;
      if (n < static_cast<int>(s.batch) || stop_requested) break;
    }
    return total;
  }

  // One catch site per round: a database outage or a bug in one round must not end the thread.
  void round() {
    try {
      retry_enqueues();
      deliver_due();
    } catch (const std::exception& e) {
      log->warn("notification delivery round failed: {}", e.what());
    }
  }
};

NotificationService::NotificationService(storage::Database& db, NotifySettings s,
                                         const core::Clock& clock, notify::SmsGateway* sms,
                                         notify::Mailer* mail, core::Metrics* metrics,
                                         core::Liveness* liveness)
    : impl_(std::make_unique<Impl>(db, std::move(s), clock, sms, mail)) {
  impl_->sender = std::make_unique<core::SerialWorker>(
      core::SerialWorkerOptions{.name = "notify",
                                .allowance = std::chrono::minutes(10),
                                .liveness = liveness,
                                .log = core::LogModule::notify});
  if (metrics) {
    auto& c = prometheus::BuildCounter()
                  .Name("hazmon_notifications_total")
                  .Help(
                      "Warning notifications by channel: queued in the outbox, sent, retried after "
                      "a failed attempt, failed for good")
                  .Register(metrics->registry());
    for (Channel chn : {Channel::sms, Channel::email}) {
      std::string name(notify::to_string(chn));
      int i = Impl::ch(chn);
      impl_->m_queued[i] = &c.Add({{"channel", name}, {"result", "queued"}});
      impl_->m_sent[i] = &c.Add({{"channel", name}, {"result", "sent"}});
      impl_->m_retried[i] = &c.Add({{"channel", name}, {"result", "retried"}});
      impl_->m_failed[i] = &c.Add({{"channel", name}, {"result", "failed"}});
    }
  }
}

NotificationService::~NotificationService() { stop(); }

void NotificationService::subscribe(WarningService& warnings) {
  warnings.on_push([this](const model::WarningPush& ev) { impl_->on_push(ev); });
}

int NotificationService::enqueue(const model::WarningPush& push) { return impl_->enqueue(push); }

int NotificationService::enqueue_circular(storage::Tx& tx, const notify::CircularNotice& notice,
                                          const std::vector<std::string>& company_codes) {
  return impl_->enqueue_circular(tx, notice, company_codes);
}

void NotificationService::wake() { impl_->poke(); }

void NotificationService::start() {
  auto& i = *impl_;
  if (i.s.poll_interval <= milliseconds(0) || i.started) return;
  i.sender->every("deliver", i.s.poll_interval, [&i] { i.round(); });
  i.sender->start();
  i.started = true;
}

void NotificationService::stop() {
  auto& i = *impl_;
  if (!i.started) return;
  i.stop_requested = true;  // the round in hand stops between messages; the rest stay pending
  i.sender->stop(core::SerialWorker::OnStop::drop, seconds(30));
}

int NotificationService::deliver_due() {
  impl_->retry_enqueues();
  return impl_->deliver_due();
}

NotifyStats NotificationService::stats() const {
  auto& i = *impl_;
  return {i.n_queued.load(), i.n_sent.load(), i.n_retried.load(), i.n_failed.load(),
          i.n_enqueue_failures.load()};
}

model::Page<model::NotificationRow> NotificationService::list(
    const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
    long long offset) {
  if (!who.is_person()) throw Error(Errc::forbidden, "notifications are for people");
  storage::NotificationFilter f;
  for (const auto& [k, v] : filters) {
    if (k == "warning_event_id") {
      if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        throw Error(Errc::bad_request, "warning_event_id must be a number");
      f.warning_event_id = std::stoll(v);
    } else if (k == "status") {
      if (v != "pending" && v != "sent" && v != "failed")
        throw Error(Errc::bad_request, "status must be pending, sent or failed");
      f.status = v;
    } else if (k == "channel") {
      if (!notify::channel_from_string(v))
        throw Error(Errc::bad_request, "channel must be sms or email");
      f.channel = v;
    } else if (k == "company_code") {
      f.company_code = v;
    } else if (k == "from" || k == "to") {
      auto t = core::parse_time(v);
      if (!t) throw Error(Errc::bad_request, k + " must be RFC 3339 or yyyy-MM-dd HH:mm:ss");
      (k == "from" ? f.from : f.to) = *t;
    }
  }
  auto tx = impl_->db.begin();
  auto page = impl_->store.list(tx, who.scope, f, limit, offset);
  // Phone numbers are personal data: only those who keep the contact list see them whole.
  bool whole = who.role == model::Role::province_admin || who.role == model::Role::city_officer;
  for (auto& n : page.items)
    if (!whole && n.channel == "sms") n.recipient = core::mask_phone(n.recipient);
  return page;
}

model::Page<model::ContactRow> NotificationService::list_contacts(
    const model::Principal& who, const std::map<std::string, std::string>& filters, int limit,
    long long offset) {
  return notification_detail::list_contacts(impl_->db, impl_->store, who, filters, limit, offset);
}

model::ContactRow NotificationService::create_contact(const model::Principal& who,
                                                      const json& body) {
  return notification_detail::create_contact(impl_->db, impl_->store, who, body);
}

model::ContactRow NotificationService::replace_contact(const model::Principal& who, long long id,
                                                       const json& body) {
  return notification_detail::replace_contact(impl_->db, impl_->store, who, id, body);
}

void NotificationService::delete_contact(const model::Principal& who, long long id) {
  notification_detail::delete_contact(impl_->db, impl_->store, who, id);
}

}  // namespace hazmon::service
