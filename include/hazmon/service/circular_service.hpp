#pragma once
// Circulars (信息通报, one of the "five systems"; issue 12; docs/circulars.md). A city officer or
// the province drafts a circular naming enterprises of its region (422 for one outside it),
// attaches files (PDF, PNG, JPEG, XLSX), publishes it (the acknowledgement deadline defaults to
// model::kDefaultAckDays days) and may withdraw it with a reason. Each named enterprise's users
// acknowledge it (签收) with an optional reply; the issuer lists who has and who has not, and who
// is overdue. Every change is audited by the API (circular.*). Reading follows
// storage::CircularStore's visibility: an enterprise not named, or a region that neither issued
// the circular nor holds a named enterprise, gets 404.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/circular.hpp>
#include <hazmon/model/notification.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/storage/circular_store.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

class NotificationService;

struct CircularDetail {
  model::Circular circular;
  std::vector<model::CircularRecipient> recipients;  // inside the reader's scope
  std::vector<model::CircularAttachment> attachments;
  bool manageable = false;  // the reader may edit, publish or withdraw it
};

// A draft or an edit of one: absent fields are kept (an edit) or defaulted (a draft).
struct CircularDraft {
  std::optional<std::string> kind, title, body;
  std::optional<std::optional<core::SysTime>> ack_deadline;  // present and null: cleared
  std::optional<std::vector<std::string>> company_codes;
};

struct CircularSummary {
  core::SysTime at{};
  bool by_city = false;
  std::vector<storage::CircularRegionCount> regions;
  storage::CircularRegionCount total;
};

// The SMS and e-mail of a circular for its issuer (GET /circulars/{id}/notifications): the named
// enterprises and every message queued for their people.
struct CircularDeliveries {
  model::Circular circular;
  std::vector<model::CircularRecipient> recipients;
  std::vector<model::CircularDelivery> messages;  // by enterprise; SMS numbers masked for some
  bool enabled = false;                           // notifications are configured
};

class CircularService {
 public:
  CircularService(storage::Database& db, const core::Clock& clock);

  // SMS and e-mail to the named enterprises' people (docs/circulars.md): publication and
  // withdrawal queue them in the same transaction; null (notify disabled): nothing is sent.
  void set_notifier(NotificationService* n) { notifier_ = n; }
  // Queues, once per circular, a reminder to the named enterprises that have not acknowledged a
  // published circular by its deadline; returns the circulars reminded. Called every minute by
  // the maintenance tick (tests call it). Nothing without a notifier.
  int remind_overdue();
  // The issuer's view of what was sent (404 as get(); 403 for a reader who does not manage it).
  CircularDeliveries deliveries(const model::Principal& who, long long id);

  // Province officers and admins, and city officers (for their city); 403 otherwise.
  CircularDetail create(const model::Principal& who, const CircularDraft& d);
  // Drafts only (409 otherwise); the issuer's scope only (404 outside, 403 for readers who may
  // not manage it).
  CircularDetail edit(const model::Principal& who, long long id, const CircularDraft& d);
  // Draft -> published: needs a named enterprise (422 otherwise).
  CircularDetail publish(const model::Principal& who, long long id);
  // Draft or published -> withdrawn, with a reason.
  CircularDetail withdraw(const model::Principal& who, long long id, const std::string& reason);
  // A named enterprise's user: once (409 again), while published (409 when withdrawn).
  CircularDetail acknowledge(const model::Principal& who, long long id,
                             const std::optional<std::string>& reply);

  // People only (403 for machines).
  storage::CircularPage list(const model::Principal& who, const storage::CircularFilter& f,
                             int limit, long long offset);
  CircularDetail get(const model::Principal& who, long long id);
  CircularSummary summary(const model::Principal& who, bool by_city);

  // Attachments: added to and removed from drafts by the issuer; read by whoever reads the
  // circular.
  model::CircularAttachment attach(const model::Principal& who, long long id,
                                   const std::string& name, const std::string& content_type,
                                   const std::string& bytes);
  void detach(const model::Principal& who, long long id, long long attachment_id);
  std::pair<model::CircularAttachment, std::string> download(const model::Principal& who,
                                                             long long id, long long attachment_id);

  core::SysTime now() const { return clock_.now(); }

 private:
  model::Circular manageable(storage::Tx& tx, const model::Principal& who, long long id) const;
  CircularDetail detail(storage::Tx& tx, const model::Principal& who, long long id) const;
  storage::Database& db_;
  const core::Clock& clock_;
  storage::CircularStore store_;
  NotificationService* notifier_ = nullptr;
};

}  // namespace hazmon::service
