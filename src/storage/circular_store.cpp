#include <hazmon/storage/circular_store.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/scope_sql.hpp>

namespace hazmon::storage {

namespace {
constexpr const char* kColumns =
    "c.id, c.issuer_region, coalesce(ir.name, '山西省应急管理厅') AS issuer_name, c.kind, "
    "c.title, c.body, c.state, c.ack_deadline, c.created_by, c.created_at, c.updated_at, "
    "c.published_by, c.published_at, c.withdrawn_by, c.withdrawn_at, c.withdraw_reason";

Param opt_time(const std::optional<core::SysTime>& t) {
  if (!t) return std::nullopt;
  return format_timestamptz(*t);
}

model::Circular circular_of(const Row& r) {
  model::Circular c;
  c.id = r.get<long long>("id");
  c.issuer_region = r.get<std::optional<std::string>>("issuer_region");
  c.issuer_name = r.get<std::string>("issuer_name");
  c.kind = r.get<std::string>("kind");
  c.title = r.get<std::string>("title");
  c.body = r.get<std::string>("body");
  c.state = r.get<std::string>("state");
  c.ack_deadline = r.get<std::optional<core::SysTime>>("ack_deadline");
  c.created_by = r.get<std::string>("created_by");
  c.created_at = r.get<core::SysTime>("created_at");
  c.updated_at = r.get<core::SysTime>("updated_at");
  c.published_by = r.get<std::optional<std::string>>("published_by");
  c.published_at = r.get<std::optional<core::SysTime>>("published_at");
  c.withdrawn_by = r.get<std::optional<std::string>>("withdrawn_by");
  c.withdrawn_at = r.get<std::optional<core::SysTime>>("withdrawn_at");
  c.withdraw_reason = r.get<std::optional<std::string>>("withdraw_reason");
  return c;
}

model::CircularAttachment attachment_of(const Row& r) {
  model::CircularAttachment a;
  a.id = r.get<long long>("id");
  a.name = r.get<std::string>("name");
  a.content_type = r.get<std::string>("content_type");
  a.size_bytes = r.get<long long>("size_bytes");
  a.sha256 = r.get<std::string>("sha256");
  a.uploaded_by = r.get<std::string>("uploaded_by");
  a.uploaded_at = r.get<core::SysTime>("uploaded_at");
  return a;
}

// The recipients of circular `c` inside the scope: "EXISTS"-able FROM/WHERE text.
std::string recipients_in_scope(const model::Scope& scope, Params& p) {
  return "FROM circular_recipient r JOIN enterprise e USING (company_code) "
         "WHERE r.circular_id = c.id AND " +
         scope_predicate(scope, "r.company_code", "e.region_code", p);
}

// Whether the scope reads circular `c` (see the header).
std::string visible(const model::Scope& scope, Params& p) {
  if (scope.kind == model::ScopeKind::province) return "true";
  std::string named =
      "(c.state <> 'draft' AND EXISTS (SELECT 1 " + recipients_in_scope(scope, p) + "))";
  if (scope.kind == model::ScopeKind::enterprise) return named;
  return "(c.issuer_region LIKE " + ph(p, escape_like(scope.region_prefix()) + "%") + " OR " +
         named + ")";
}

std::string hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string unhex(const std::string& text) {
  auto v = [](char ch) -> int {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return 0;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>((v(text[i]) << 4) | v(text[i + 1]));
  return out;
}
}  // namespace

std::optional<model::Circular> CircularStore::find(Tx& tx, const model::Scope& viewer, long long id,
                                                   bool lock) const {
  Params p{std::to_string(id)};
  auto where = visible(viewer, p);
  auto r = tx.query("SELECT " + std::string(kColumns) +
                        " FROM circular c LEFT JOIN region ir ON ir.code = c.issuer_region "
                        "WHERE c.id = $1 AND " +
                        where + (lock ? " FOR UPDATE OF c" : ""),
                    p);
  if (r.size() == 0) return std::nullopt;
  auto c = circular_of(r[0]);
  Params q{std::to_string(id)};
  auto counted = tx.query(
      "SELECT count(*) AS n, count(r.acknowledged_at) AS acked, count(*) FILTER (WHERE "
      "r.acknowledged_at > c.ack_deadline) AS late FROM circular c, LATERAL "
      "(SELECT r.acknowledged_at " +
          recipients_in_scope(viewer, q) + ") r WHERE c.id = $1",
      q);
  if (counted.size() > 0) {
    c.recipients = counted[0].get<long long>("n");
    c.acknowledged = counted[0].get<long long>("acked");
    c.acknowledged_late = counted[0].get<long long>("late");
  }
  return c;
}

long long CircularStore::insert(Tx& tx, const model::Circular& c, core::SysTime at) const {
  return *tx.one<long long>(
      "INSERT INTO circular (issuer_region, kind, title, body, ack_deadline, created_by, "
      "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
      {c.issuer_region, c.kind, c.title, c.body, opt_time(c.ack_deadline), c.created_by,
       format_timestamptz(at)});
}

void CircularStore::update(Tx& tx, const model::Circular& c, core::SysTime at) const {
  tx.exec_count(
      "UPDATE circular SET kind = $2, title = $3, body = $4, ack_deadline = $5, updated_at = $6 "
      "WHERE id = $1",
      {std::to_string(c.id), c.kind, c.title, c.body, opt_time(c.ack_deadline),
       format_timestamptz(at)});
}

std::vector<long long> CircularStore::due_reminders(Tx& tx, core::SysTime now, int limit) const {
  return tx.rows<long long>(
      "SELECT c.id FROM circular c WHERE c.state = 'published' AND c.reminded_at IS NULL AND "
      "c.ack_deadline <= $1 AND EXISTS (SELECT 1 FROM notification n WHERE n.circular_id = c.id "
      "AND n.push_reason = 'circular_published') ORDER BY c.ack_deadline, c.id LIMIT $2",
      {format_timestamptz(now), std::to_string(limit)});
}

bool CircularStore::mark_reminded(Tx& tx, long long id, core::SysTime at) const {
  return tx.exec_count(
             "UPDATE circular SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND "
             "state = 'published'",
             {std::to_string(id), format_timestamptz(at)}) == 1;
}

void CircularStore::set_recipients(Tx& tx, long long id,
                                   const std::vector<std::string>& codes) const {
  tx.exec_count("DELETE FROM circular_recipient WHERE circular_id = $1", {std::to_string(id)});
  for (const auto& code : codes)
    tx.exec_count(
        "INSERT INTO circular_recipient (circular_id, company_code) VALUES ($1, $2) "
        "ON CONFLICT DO NOTHING",
        {std::to_string(id), code});
}

std::vector<std::string> CircularStore::outside(Tx& tx, const model::Scope& scope,
                                                const std::vector<std::string>& codes) const {
  std::vector<std::string> out;
  for (const auto& code : codes) {
    Params p{code};
    auto where = scope_predicate(scope, "e.company_code", "e.region_code", p);
    if (!tx.one<long long>(
            "SELECT 1 FROM enterprise e WHERE e.company_code = $1 AND e.is_active AND " + where, p))
      out.push_back(code);
  }
  return out;
}

void CircularStore::publish(Tx& tx, long long id, const std::string& who, core::SysTime at,
                            core::SysTime deadline) const {
  tx.exec_count(
      "UPDATE circular SET state = 'published', published_by = $2, published_at = $3, "
      "updated_at = $3, ack_deadline = $4 WHERE id = $1",
      {std::to_string(id), who, format_timestamptz(at), format_timestamptz(deadline)});
}

void CircularStore::withdraw(Tx& tx, long long id, const std::string& who, core::SysTime at,
                             const std::string& reason) const {
  tx.exec_count(
      "UPDATE circular SET state = 'withdrawn', withdrawn_by = $2, withdrawn_at = $3, "
      "updated_at = $3, withdraw_reason = $4 WHERE id = $1",
      {std::to_string(id), who, format_timestamptz(at), reason});
}

bool CircularStore::acknowledge(Tx& tx, long long id, const std::string& company_code,
                                const std::string& who, core::SysTime at,
                                const std::optional<std::string>& reply) const {
  return tx.exec_count(
             "UPDATE circular_recipient SET acknowledged_at = $3, acknowledged_by = $4, "
             "reply = $5 WHERE circular_id = $1 AND company_code = $2 AND acknowledged_at IS NULL",
             {std::to_string(id), company_code, format_timestamptz(at), who, reply}) == 1;
}

std::vector<model::CircularRecipient> CircularStore::recipients(Tx& tx, const model::Scope& viewer,
                                                                long long id) const {
  Params p{std::to_string(id)};
  auto where = scope_predicate(viewer, "r.company_code", "e.region_code", p);
  auto rows = tx.query(
      "SELECT r.company_code, e.name, e.region_code, r.acknowledged_at, r.acknowledged_by, "
      "r.reply FROM circular_recipient r JOIN enterprise e USING (company_code) "
      "WHERE r.circular_id = $1 AND " +
          where + " ORDER BY r.company_code",
      p);
  std::vector<model::CircularRecipient> out;
  for (const auto& row : rows) {
    model::CircularRecipient r;
    r.company_code = row.get<std::string>("company_code");
    r.company_name = row.get<std::string>("name");
    r.region_code = row.get<std::string>("region_code");
    r.acknowledged_at = row.get<std::optional<core::SysTime>>("acknowledged_at");
    r.acknowledged_by = row.get<std::optional<std::string>>("acknowledged_by");
    r.reply = row.get<std::optional<std::string>>("reply");
    out.push_back(std::move(r));
  }
  return out;
}

CircularPage CircularStore::list(Tx& tx, const model::Scope& viewer, const CircularFilter& f,
                                 int limit, long long offset) const {
  Params p;
  std::string where = visible(viewer, p);
  if (f.state) where += " AND c.state = " + ph(p, *f.state);
  if (f.kind) where += " AND c.kind = " + ph(p, *f.kind);
  if (f.company_code)
    where +=
        " AND EXISTS (SELECT 1 FROM circular_recipient f WHERE f.circular_id = c.id AND "
        "f.company_code = " +
        ph(p, *f.company_code) + ")";
  if (f.issued_by_me) {
    if (viewer.kind == model::ScopeKind::region)
      where += " AND c.issuer_region = " + ph(p, viewer.region_code);
    else if (viewer.kind == model::ScopeKind::province)
      where += " AND c.issuer_region IS NULL";
    else
      where += " AND false";
  }
  if (f.unacknowledged)
    where += " AND c.state = 'published' AND EXISTS (SELECT 1 " + recipients_in_scope(viewer, p) +
             " AND r.acknowledged_at IS NULL)";
  auto counted = "(SELECT count(*) " + recipients_in_scope(viewer, p) +
                 ") AS n, (SELECT count(*) " + recipients_in_scope(viewer, p) +
                 " AND r.acknowledged_at IS NOT NULL) AS acked, (SELECT count(*) " +
                 recipients_in_scope(viewer, p) +
                 " AND r.acknowledged_at > c.ack_deadline) AS late";
  auto lim = ph(p, std::to_string(limit));
  auto off = ph(p, std::to_string(offset));
  auto r = tx.query("SELECT " + std::string(kColumns) + ", " + counted +
                        ", count(*) OVER () AS total FROM circular c "
                        "LEFT JOIN region ir ON ir.code = c.issuer_region WHERE " +
                        where +
                        " ORDER BY coalesce(c.published_at, c.created_at) DESC, c.id DESC "
                        "LIMIT " +
                        lim + " OFFSET " + off,
                    p);
  CircularPage page;
  for (const auto& row : r) {
    auto c = circular_of(row);
    c.recipients = row.get<long long>("n");
    c.acknowledged = row.get<long long>("acked");
    c.acknowledged_late = row.get<long long>("late");
    page.items.push_back(std::move(c));
    page.total = row.get<long long>("total");
  }
  return page;
}

std::vector<model::CircularAttachment> CircularStore::attachments(Tx& tx, long long id) const {
  auto rows = tx.query(
      "SELECT id, name, content_type, size_bytes::bigint AS size_bytes, sha256, uploaded_by, "
      "uploaded_at FROM circular_attachment WHERE circular_id = $1 ORDER BY id",
      {std::to_string(id)});
  std::vector<model::CircularAttachment> out;
  for (const auto& row : rows) out.push_back(attachment_of(row));
  return out;
}

model::CircularAttachment CircularStore::add_attachment(
    Tx& tx, long long id, const std::string& name, const std::string& content_type,
    const std::string& bytes, const std::string& who, core::SysTime at) const {
  auto r = tx.query(
      "INSERT INTO circular_attachment (circular_id, name, content_type, size_bytes, sha256, "
      "content, uploaded_by, uploaded_at) SELECT $1, $2, $3, length(b), encode(sha256(b), 'hex'), "
      "b, $5, $6 FROM (SELECT decode($4, 'hex') AS b) x RETURNING id, name, content_type, "
      "size_bytes::bigint AS size_bytes, sha256, uploaded_by, uploaded_at",
      {std::to_string(id), name, content_type, hex(bytes), who, format_timestamptz(at)});
  return attachment_of(r[0]);
}

std::optional<std::pair<model::CircularAttachment, std::string>> CircularStore::attachment(
    Tx& tx, long long id, long long attachment_id) const {
  auto r = tx.query(
      "SELECT id, name, content_type, size_bytes::bigint AS size_bytes, sha256, uploaded_by, "
      "uploaded_at, encode(content, 'hex') AS content FROM circular_attachment "
      "WHERE circular_id = $1 AND id = $2",
      {std::to_string(id), std::to_string(attachment_id)});
  if (r.size() == 0) return std::nullopt;
  return std::pair{attachment_of(r[0]), unhex(r[0].get<std::string>("content"))};
}

bool CircularStore::remove_attachment(Tx& tx, long long id, long long attachment_id) const {
  return tx.exec_count("DELETE FROM circular_attachment WHERE circular_id = $1 AND id = $2",
                       {std::to_string(id), std::to_string(attachment_id)}) == 1;
}

namespace {
std::vector<CircularRegionCount> counts_by(Tx& tx, const model::Scope& scope, core::SysTime now,
                                           const std::string& group,
                                           std::optional<core::SysTime> from,
                                           std::optional<core::SysTime> to) {
  Params p{format_timestamptz(now), opt_time(from), opt_time(to)};
  auto where = scope_predicate(scope, "r.company_code", "e.region_code", p);
  auto rows = tx.query(
      "SELECT g.*, coalesce(rg.name, g.region_code) AS region_name FROM (SELECT " + group +
          " AS region_code, count(DISTINCT c.id) AS circulars, count(*) AS recipients, "
          "count(r.acknowledged_at) AS acknowledged, "
          "count(*) FILTER (WHERE r.acknowledged_at IS NULL) AS unacknowledged, "
          "count(*) FILTER (WHERE r.acknowledged_at IS NULL AND c.ack_deadline < "
          "$1::timestamptz) AS overdue, "
          "count(*) FILTER (WHERE r.acknowledged_at > c.ack_deadline) AS acknowledged_late "
          "FROM circular c JOIN circular_recipient r ON r.circular_id = c.id "
          "JOIN enterprise e ON e.company_code = r.company_code "
          "WHERE c.state = 'published' AND ($2::timestamptz IS NULL OR c.published_at >= "
          "$2::timestamptz) AND ($3::timestamptz IS NULL OR c.published_at < $3::timestamptz) "
          "AND " +
          where +
          " GROUP BY 1) g LEFT JOIN region rg ON rg.code = g.region_code ORDER BY g.region_code",
      p);
  std::vector<CircularRegionCount> out;
  for (const auto& row : rows) {
    CircularRegionCount c;
    c.region_code = row.get<std::string>("region_code");
    c.region_name = row.get<std::string>("region_name");
    c.circulars = row.get<long long>("circulars");
    c.recipients = row.get<long long>("recipients");
    c.acknowledged = row.get<long long>("acknowledged");
    c.unacknowledged = row.get<long long>("unacknowledged");
    c.overdue = row.get<long long>("overdue");
    c.acknowledged_late = row.get<long long>("acknowledged_late");
    out.push_back(std::move(c));
  }
  return out;
}
}  // namespace

std::vector<CircularRegionCount> CircularStore::region_counts(
    Tx& tx, const model::Scope& scope, core::SysTime now, bool by_city,
    std::optional<core::SysTime> from, std::optional<core::SysTime> to) const {
  return counts_by(tx, scope, now,
                   by_city ? "substr(e.region_code, 1, 4) || '00'" : "e.region_code", from, to);
}

CircularRegionCount CircularStore::total_counts(Tx& tx, const model::Scope& scope,
                                                core::SysTime now,
                                                std::optional<core::SysTime> from,
                                                std::optional<core::SysTime> to) const {
  auto all = counts_by(tx, scope, now, "'total'", from, to);
  CircularRegionCount t;
  if (!all.empty()) t = all.front();
  t.region_code = "total";
  t.region_name = "合计";
  return t;
}

}  // namespace hazmon::storage
