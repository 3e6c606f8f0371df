#include <hazmon/storage/notification_store.hpp>

#include <hazmon/core/time_format.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

using model::ContactRow;
using model::NotificationRow;
using model::Page;

template <>
struct RowDescription<ContactTarget> {
  using C = ContactTarget;
  static constexpr auto columns =
      std::make_tuple(column("id", &C::id), column("name", &C::name), column("phone", &C::phone),
                      column("email", &C::email), column("channels", &C::channels),
                      column("min_level", &C::min_level));
};

template <>
struct RowDescription<ResponsiblePerson> {
  static constexpr auto columns = std::make_tuple(column("name", &ResponsiblePerson::name),
                                                  column("role", &ResponsiblePerson::role),
                                                  column("mobile", &ResponsiblePerson::mobile));
};

template <>
struct RowDescription<OutboxMessage> {
  using M = OutboxMessage;
  static constexpr auto columns = std::make_tuple(
      column("id", &M::id), column("channel", &M::channel), column("recipient", &M::recipient),
      column("recipient_name", &M::recipient_name), column("subject", &M::subject),
      column("body", &M::body), column("attempts", &M::attempts));
};

template <>
struct RowDescription<NotificationRow> {
  using N = NotificationRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &N::id), column("warning_event_id", &N::warning_event_id),
      column("event_no", &N::event_no), column("company_code", &N::company_code),
      column("company_name", &N::company_name), column("push_reason", &N::push_reason),
      column("channel", &N::channel), column("recipient", &N::recipient),
      column("recipient_name", &N::recipient_name), column("recipient_level", &N::recipient_level),
      column("subject", &N::subject), column("body", &N::body), column("status", &N::status),
      column("attempts", &N::attempts), column("next_attempt_at", &N::next_attempt_at),
      column("last_error", &N::last_error), column("created_at", &N::created_at),
      column("sent_at", &N::sent_at));
};

template <>
struct RowDescription<CircularAddressee> {
  using A = CircularAddressee;
  static constexpr auto columns = std::make_tuple(
      column("company_code", &A::company_code), column("channel", &A::channel),
      column("recipient", &A::recipient), column("recipient_name", &A::recipient_name),
      column("contact_id", &A::contact_id));
};

template <>
struct RowDescription<model::CircularDelivery> {
  using D = model::CircularDelivery;
  static constexpr auto columns =
      std::make_tuple(column("id", &D::id), column("company_code", &D::company_code),
                      column("push_reason", &D::push_reason), column("channel", &D::channel),
                      column("recipient", &D::recipient),
                      column("recipient_name", &D::recipient_name), column("status", &D::status),
                      column("attempts", &D::attempts), column("last_error", &D::last_error),
                      column("created_at", &D::created_at), column("sent_at", &D::sent_at));
};

template <>
struct RowDescription<ContactRow> {
  using C = ContactRow;
  static constexpr auto columns = std::make_tuple(
      column("id", &C::id), column("level", &C::level), column("company_code", &C::company_code),
      column("company_name", &C::company_name), column("region_code", &C::region_code),
      column("name", &C::name), column("phone", &C::phone), column("email", &C::email),
      column("channels", &C::channels), column("min_level", &C::min_level),
      column("is_active", &C::is_active), column("note", &C::note),
      column("created_at", &C::created_at), column("updated_at", &C::updated_at));
};

namespace {
std::string ts(core::SysTime t) { return core::format_rfc3339(t); }
std::string id_text(long long id) { return std::to_string(id); }

// One outbox row for what `owner` (warning_event_id or circular_id) names; a row already queued
// for that owner, dedup key, channel and recipient is left as it is.
int insert_outbox(Tx& tx, std::string_view owner, long long owner_id, const OutboxWrite& w) {
  std::string o(owner);
  return static_cast<int>(tx.exec_count(
      "INSERT INTO notification (" + o +
          ", company_code, dedup_key, push_reason, channel, recipient, recipient_name, "
          "recipient_level, contact_id, subject, body, next_attempt_at, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) "
          "ON CONFLICT (" +
          o + ", dedup_key, channel, recipient) DO NOTHING",
      {id_text(owner_id), w.company_code, w.dedup_key, w.push_reason, w.channel, w.recipient,
       w.recipient_name, w.recipient_level, w.contact_id ? Param(id_text(*w.contact_id)) : Param(),
       w.subject, w.body, ts(w.now)}));
}

constexpr const char* kContactColumns =
    "c.id, c.level, c.company_code, e.name AS company_name, c.region_code, c.name, c.phone, "
    "c.email, "
    "c.channels::text AS channels, c.min_level, c.is_active, c.note, c.created_at, c.updated_at";
constexpr const char* kContactFrom =
    " FROM notify_contact c LEFT JOIN enterprise e ON e.company_code = c.company_code";

// Contacts within a scope (joins enterprise as `e`, LEFT: region contacts have none).
std::string contact_scope(const model::Scope& scope, Params& params) {
  if (scope.kind == model::ScopeKind::province) return "TRUE";
  auto p = ph(params, scope.region_prefix());
  return "(coalesce(e.region_code, c.region_code) LIKE " + p + " || '%')";
}

Params contact_params(const ContactWrite& c) {
  return {c.level,
          c.company_code,
          c.region_code,
          c.name,
          c.phone,
          c.email,
          c.channels,
          model::to_string(c.min_level),
          c.is_active ? "true" : "false",
          c.note};
}
}  // namespace

std::optional<std::string> NotificationStore::enterprise_region(
    Tx& tx, const std::string& company_code) const {
  return tx
      .one<std::optional<std::string>>("SELECT region_code FROM enterprise WHERE company_code = $1",
                                       {company_code})
      .value_or(std::nullopt);
}

std::vector<ContactTarget> NotificationStore::enterprise_contacts(
    Tx& tx, const std::string& company_code) const {
  return tx.rows<ContactTarget>(
      "SELECT id, name, phone, email, channels::text AS channels, min_level FROM notify_contact "
      "WHERE is_active AND level = 'enterprise' AND company_code = $1 ORDER BY id",
      {company_code});
}

std::vector<ContactTarget> NotificationStore::region_contacts(
    Tx& tx, const std::string& tier, const std::string& region_code) const {
  return tx.rows<ContactTarget>(
      "SELECT id, name, phone, email, channels::text AS channels, min_level FROM notify_contact "
      "WHERE is_active AND level = $1 AND region_code = $2 ORDER BY id",
      {tier, region_code});
}

std::vector<ResponsiblePerson> NotificationStore::responsible_persons(
    Tx& tx, const std::string& hazard_code, core::SysTime now) const {
  return tx.rows<ResponsiblePerson>(
      "SELECT name, role, mobile FROM responsible_person WHERE is_active AND hazard_code = $1 AND "
      "mobile IS NOT NULL "
      "AND (valid_to IS NULL OR valid_to >= ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date) "
      "ORDER BY role",
      {hazard_code, ts(now)});
}

int NotificationStore::add(Tx& tx, const OutboxWrite& w) const {
  return insert_outbox(tx, "warning_event_id", w.warning_event_id, w);
}

std::vector<ResponsiblePerson> NotificationStore::enterprise_persons(
    Tx& tx, const std::string& company_code, core::SysTime now) const {
  return tx.rows<ResponsiblePerson>(
      "SELECT DISTINCT ON (mobile) name, role, mobile FROM responsible_person WHERE is_active AND "
      "company_code = $1 AND mobile IS NOT NULL "
      "AND (valid_to IS NULL OR valid_to >= ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date) "
      "ORDER BY mobile, role, id",
      {company_code, ts(now)});
}

int NotificationStore::add_circular(Tx& tx, long long circular_id, const OutboxWrite& w) const {
  return insert_outbox(tx, "circular_id", circular_id, w);
}

std::vector<CircularAddressee> NotificationStore::circular_addressees(Tx& tx,
                                                                      long long circular_id) const {
  return tx.rows<CircularAddressee>(
      "SELECT company_code, channel, recipient, recipient_name, contact_id FROM notification "
      "WHERE circular_id = $1 AND push_reason = 'circular_published' AND status <> 'failed' "
      "ORDER BY company_code, id",
      {id_text(circular_id)});
}

std::vector<model::CircularDelivery> NotificationStore::circular_deliveries(
    Tx& tx, long long circular_id) const {
  return tx.rows<model::CircularDelivery>(
      "SELECT id, company_code, push_reason, channel, recipient, recipient_name, status, "
      "attempts, last_error, created_at, sent_at FROM notification WHERE circular_id = $1 "
      "ORDER BY company_code, created_at, id",
      {id_text(circular_id)});
}

std::vector<OutboxMessage> NotificationStore::due(Tx& tx, core::SysTime now,
                                                  std::size_t limit) const {
  return tx.rows<OutboxMessage>(
      "SELECT id, channel, recipient, recipient_name, subject, body, attempts FROM notification "
      "WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2",
      {ts(now), std::to_string(limit)});
}

std::vector<OutboxMessage> NotificationStore::claim_due(Tx& tx, core::SysTime now,
                                                        std::size_t limit,
                                                        core::SysTime claim_until) const {
  return tx.rows<OutboxMessage>(
      "WITH d AS (SELECT id, next_attempt_at AS was FROM notification WHERE status = 'pending' "
      "AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED), "
      "c AS (UPDATE notification n SET next_attempt_at = $3 FROM d WHERE n.id = d.id "
      "RETURNING n.id, n.channel, n.recipient, n.recipient_name, n.subject, n.body, n.attempts, "
      "d.was) "
      "SELECT id, channel, recipient, recipient_name, subject, body, attempts FROM c "
      "ORDER BY was, id",
      {ts(now), std::to_string(limit), ts(claim_until)});
}

void NotificationStore::release_claims(Tx& tx, const std::vector<long long>& ids,
                                       core::SysTime now) const {
  if (ids.empty()) return;
  std::string list;
  for (auto id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
  tx.exec_count(
      "UPDATE notification SET next_attempt_at = $1 WHERE status = 'pending' AND id = "
      "ANY($2::bigint[])",
      {ts(now), "{" + list + "}"});
}

void NotificationStore::mark_sent(Tx& tx, long long id, int attempts, core::SysTime at) const {
  tx.exec_count(
      "UPDATE notification SET status = 'sent', attempts = $2, sent_at = $3, last_error = NULL "
      "WHERE id = $1",
      {id_text(id), std::to_string(attempts), ts(at)});
}

void NotificationStore::mark_attempt_failed(Tx& tx, long long id, bool give_up, int attempts,
                                            const std::string& error,
                                            core::SysTime next_attempt) const {
  tx.exec_count(
      "UPDATE notification SET status = $2, attempts = $3, last_error = $4, next_attempt_at = $5 "
      "WHERE id = $1",
      {id_text(id), give_up ? "failed" : "pending", std::to_string(attempts), error,
       ts(next_attempt)});
}

Page<NotificationRow> NotificationStore::list(Tx& tx, const model::Scope& scope,
                                              const NotificationFilter& f, int limit,
                                              long long offset) const {
  Params params;
  std::string where = scope_predicate(scope, "n.company_code", "e.region_code", params);
  if (f.warning_event_id)
    where += " AND n.warning_event_id = " + ph(params, id_text(*f.warning_event_id));
  if (f.status) where += " AND n.status = " + ph(params, *f.status);
  if (f.channel) where += " AND n.channel = " + ph(params, *f.channel);
  if (f.company_code) where += " AND n.company_code = " + ph(params, *f.company_code);
  if (f.from) where += " AND n.created_at >= " + ph(params, ts(*f.from));
  if (f.to) where += " AND n.created_at < " + ph(params, ts(*f.to));
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto r = tx.query(
      "SELECT n.id, n.warning_event_id, w.event_no, n.company_code, e.name AS company_name, "
      "n.push_reason, n.channel, "
      "n.recipient, n.recipient_name, n.recipient_level, n.subject, n.body, n.status, n.attempts, "
      "n.next_attempt_at, "
      "n.last_error, n.created_at, n.sent_at, count(*) OVER () AS total_count_ "
      "FROM notification n JOIN enterprise e ON e.company_code = n.company_code "
      "JOIN warning_event w ON w.id = n.warning_event_id WHERE " +
          where + " ORDER BY n.created_at DESC, n.id DESC LIMIT " + lim + " OFFSET " + ofs,
      params);
  Page<NotificationRow> page;
  page.items = r.as<NotificationRow>();
  page.total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return page;
}

Page<ContactRow> NotificationStore::contacts(Tx& tx, const model::Scope& scope,
                                             const ContactFilter& f, int limit,
                                             long long offset) const {
  Params params;
  std::string where = contact_scope(scope, params);
  if (f.level) where += " AND c.level = " + ph(params, *f.level);
  if (f.company_code) where += " AND c.company_code = " + ph(params, *f.company_code);
  if (f.region_code) where += " AND c.region_code = " + ph(params, *f.region_code);
  auto lim = ph(params, std::to_string(limit));
  auto ofs = ph(params, std::to_string(offset));
  auto r = tx.query(std::string("SELECT ") + kContactColumns +
                        ", count(*) OVER () AS total_count_" + kContactFrom + " WHERE " + where +
                        " ORDER BY c.id LIMIT " + lim + " OFFSET " + ofs,
                    params);
  Page<ContactRow> page;
  page.items = r.as<ContactRow>();
  page.total = r.empty() ? 0 : r[0].get<long long>("total_count_");
  return page;
}

std::optional<ContactRow> NotificationStore::contact(Tx& tx, const model::Scope& scope,
                                                     long long id) const {
  Params params{id_text(id)};
  auto where = contact_scope(scope, params);
  return tx.one<ContactRow>(
      std::string("SELECT ") + kContactColumns + kContactFrom + " WHERE c.id = $1 AND " + where,
      params);
}

long long NotificationStore::add_contact(Tx& tx, const ContactWrite& c) const {
  return *tx.one<long long>(
      "INSERT INTO notify_contact (level, company_code, region_code, name, phone, email, channels, "
      "min_level, is_active, note) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10) RETURNING id",
      contact_params(c));
}

void NotificationStore::replace_contact(Tx& tx, long long id, const ContactWrite& c) const {
  auto p = contact_params(c);
  p.push_back(id_text(id));
  tx.exec_count(
      "UPDATE notify_contact SET level = $1, company_code = $2, region_code = $3, name = $4, phone "
      "= $5, email = $6, "
      "channels = $7::jsonb, min_level = $8, is_active = $9, note = $10, updated_at = now() WHERE "
      "id = $11",
      p);
}

void NotificationStore::delete_contact(Tx& tx, long long id) const {
  tx.exec_count("DELETE FROM notify_contact WHERE id = $1", {id_text(id)});
}

}  // namespace hazmon::storage
