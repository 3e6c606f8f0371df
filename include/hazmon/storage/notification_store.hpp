#pragma once
// Where notifications are stored: the outbox `notification` (one row per warning event, push,
// channel and recipient, or per circular, step, enterprise, channel and recipient (migration
// 0028); sent, retried or failed by the sender thread) and the duty contacts
// `notify_contact`, plus the registry's responsible persons they are resolved with. All in the
// caller's transaction; service::NotificationService holds the workflow.
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/notification.hpp>
#include <hazmon/model/page.hpp>
#include <hazmon/model/scope.hpp>
#include <hazmon/model/warning.hpp>

namespace hazmon::storage {

class Tx;

// A duty contact as notification resolves it.
struct ContactTarget {
  long long id = 0;
  std::string name;
  std::optional<std::string> phone, email;
  std::string channels;  // JSON array text: ["sms","email"]
  model::WarningLevel min_level = model::WarningLevel::blue;
};

struct ResponsiblePerson {
  std::string name, role, mobile;
};

struct OutboxWrite {
  long long warning_event_id = 0;
  std::string company_code, dedup_key, push_reason, channel, recipient, recipient_name,
      recipient_level;
  std::optional<long long> contact_id;
  std::string subject, body;
  core::SysTime now{};  // created and first due
};

// A due outbox row, for the sender.
struct OutboxMessage {
  long long id = 0;
  std::string channel, recipient, recipient_name, subject, body;
  int attempts = 0;
};

// Who was told of a circular's publication (docs/circulars.md), for its withdrawal notice.
struct CircularAddressee {
  std::string company_code, channel, recipient, recipient_name;
  std::optional<long long> contact_id;
};

struct NotificationFilter {
  std::optional<long long> warning_event_id;
  std::optional<std::string> status, channel, company_code;
  std::optional<core::SysTime> from, to;  // on created_at, [from, to)
};

// A contact to write (checked by the service).
struct ContactWrite {
  std::string level, name;
  std::optional<std::string> company_code, region_code, phone, email;
  std::string channels;  // JSON array text
  model::WarningLevel min_level = model::WarningLevel::blue;
  bool is_active = true;
  std::string note;
};

struct ContactFilter {
  std::optional<std::string> level, company_code, region_code;
};

class NotificationStore {
 public:
  std::optional<std::string> enterprise_region(Tx& tx, const std::string& company_code) const;
  // Active contacts of an enterprise, or of a county, city or province (tier) by region code.
  std::vector<ContactTarget> enterprise_contacts(Tx& tx, const std::string& company_code) const;
  std::vector<ContactTarget> region_contacts(Tx& tx, const std::string& tier,
                                             const std::string& region_code) const;
  // The hazard source's active responsible persons with a mobile number, valid on `now`'s day
  // (Asia/Shanghai).
  std::vector<ResponsiblePerson> responsible_persons(Tx& tx, const std::string& hazard_code,
                                                     core::SysTime now) const;

  // The active responsible persons with a mobile number of every hazard source of the
  // enterprise, valid on `now`'s day, one per number: a circular's people at the enterprise.
  std::vector<ResponsiblePerson> enterprise_persons(Tx& tx, const std::string& company_code,
                                                    core::SysTime now) const;

  // 1 when written, 0 when this (event, dedup key, channel, recipient) was there already.
  int add(Tx& tx, const OutboxWrite& w) const;
  // A circular's message (w.warning_event_id unused): 1 when written, 0 when this (circular,
  // dedup key, channel, recipient) was there already.
  int add_circular(Tx& tx, long long circular_id, const OutboxWrite& w) const;
  // The addressees of the circular's publication messages that did not fail for good.
  std::vector<CircularAddressee> circular_addressees(Tx& tx, long long circular_id) const;
  // Every message of the circular, by enterprise, step and id.
  std::vector<model::CircularDelivery> circular_deliveries(Tx& tx, long long circular_id) const;
  std::vector<OutboxMessage> due(Tx& tx, core::SysTime now, std::size_t limit) const;
  // The due messages as due() finds them, claimed for this node until `claim_until`
  // (next_attempt_at moves there; rows another node's claim holds are skipped, SKIP LOCKED): two
  // nodes never send one message at once (docs/scaling.md). A node that dies mid-send leaves
  // its claims to the others once `claim_until` passes.
  std::vector<OutboxMessage> claim_due(Tx& tx, core::SysTime now, std::size_t limit,
                                       core::SysTime claim_until) const;
  // Claims not used (a stop in the middle of a round): due again at `now`.
  void release_claims(Tx& tx, const std::vector<long long>& ids, core::SysTime now) const;
  void mark_sent(Tx& tx, long long id, int attempts, core::SysTime at) const;
  // status pending (retry at next_attempt) or failed.
  void mark_attempt_failed(Tx& tx, long long id, bool give_up, int attempts,
                           const std::string& error, core::SysTime next_attempt) const;

  model::Page<model::NotificationRow> list(Tx& tx, const model::Scope& scope,
                                           const NotificationFilter& f, int limit,
                                           long long offset) const;

  // Contacts inside a scope: an enterprise contact by its enterprise's region, a region contact
  // by its own code.
  model::Page<model::ContactRow> contacts(Tx& tx, const model::Scope& scope, const ContactFilter& f,
                                          int limit, long long offset) const;
  std::optional<model::ContactRow> contact(Tx& tx, const model::Scope& scope, long long id) const;
  long long add_contact(Tx& tx, const ContactWrite& c) const;
  void replace_contact(Tx& tx, long long id, const ContactWrite& c) const;
  void delete_contact(Tx& tx, long long id) const;
};

}  // namespace hazmon::storage
