#pragma once
// SMS and e-mail for warning events. Listens on WarningService::on_push: each push (a new event,
// a raised level, an escalation after a missed deadline) is resolved to the duty contacts of the
// tiers in the event's `recipients` (enterprise, county, city, province) and written to the
// `notification` outbox in one transaction, idempotently per event, change and recipient. A
// sender thread delivers due rows through notify::SmsGateway / notify::Mailer, retrying with a
// capped exponential back-off, and records sent or failed. Video AI events reach on_push only
// after a person confirmed them, so nothing here needs to know about review.
#include <nlohmann/json_fwd.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/notification.hpp>
#include <hazmon/model/page.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/warning_view.hpp>
#include <hazmon/notify/templates.hpp>

namespace hazmon::storage {
class Database;
class Tx;
}  // namespace hazmon::storage
namespace hazmon::core {
class Metrics;
class Liveness;
}  // namespace hazmon::core
namespace hazmon::notify {
class SmsGateway;
class Mailer;
struct CircularNotice;
}  // namespace hazmon::notify

namespace hazmon::service {

class WarningService;

struct NotifySettings {
  std::chrono::seconds retry_initial{30};  // first back-off; doubled per failed attempt
  std::chrono::seconds retry_max{1800};    // back-off cap
  int max_attempts = 8;                    // then the row is marked failed
  std::chrono::milliseconds poll_interval{
      1000};  // due rows are looked for this often; 0: no sender thread (tests call deliver_due())
  std::size_t batch = 50;  // rows per delivery round
  notify::TemplateSettings templates;
};
// The config's `notify` section (retry, poll interval, dashboard_url for the templates); the
// senders' settings are notify::SmtpSettings and notify::HttpSmsSettings.
void from_json(const nlohmann::json& j, NotifySettings& s);

struct NotifyStats {
  std::uint64_t queued = 0, sent = 0, retried = 0, failed = 0, enqueue_failures = 0;
};

class NotificationService {
 public:
  // A null sender disables its channel: contacts are not queued on it.
  NotificationService(storage::Database& db, NotifySettings s, const core::Clock& clock,
                      notify::SmsGateway* sms, notify::Mailer* mail,
                      core::Metrics* metrics = nullptr, core::Liveness* liveness = nullptr);
  ~NotificationService();
  NotificationService(const NotificationService&) = delete;

  // Registers with WarningService::on_push.
  void subscribe(WarningService& warnings);
  // Writes the outbox rows for one pushed event; returns how many were new. A push seen before
  // (same event, reason, level and escalation count) adds nothing.
  int enqueue(const model::WarningPush& push);

  // A circular's step (docs/circulars.md), in the caller's transaction (the circular's own
  // change: both commit or neither; call wake() after the commit). "published" and "reminder"
  // queue an SMS and an e-mail (as each person's channels allow) for the people of each
  // enterprise in `company_codes`: its active enterprise duty contacts (min_level does not
  // apply: a circular has no level) and the responsible persons of its hazard sources (SMS).
  // "withdrawn" tells those told of the publication (`company_codes` unused). Idempotent per
  // circular, step, enterprise, channel and address; returns the rows added.
  int enqueue_circular(storage::Tx& tx, const notify::CircularNotice& notice,
                       const std::vector<std::string>& company_codes);
  // Wakes the sender thread (a no-op without one).
  void wake();

  void start();  // starts the sender thread (unless poll_interval is 0)
  void stop();
  // Attempts every row due at clock.now() once (in rounds of `batch`); returns the number of
  // attempts. Tests drive retries with a FakeClock and this.
  int deliver_due();

  // GET /notifications: filters warning_event_id, status, channel, company_code, from, to. SMS
  // recipients are masked except for the province admin and city officers (who keep contacts).
  model::Page<model::NotificationRow> list(const model::Principal& who,
                                           const std::map<std::string, std::string>& filters,
                                           int limit, long long offset);

  // Duty contacts, for the province admin (all) and city officers (their city); 403 otherwise.
  // The routes turn the rows into JSON (src/api/routes_notify_json.cpp).
  model::Page<model::ContactRow> list_contacts(const model::Principal& who,
                                               const std::map<std::string, std::string>& filters,
                                               int limit, long long offset);
  model::ContactRow create_contact(const model::Principal& who, const nlohmann::json& body);
  model::ContactRow replace_contact(const model::Principal& who, long long id,
                                    const nlohmann::json& body);
  void delete_contact(const model::Principal& who, long long id);

  NotifyStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hazmon::service
