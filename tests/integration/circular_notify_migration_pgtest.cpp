// Migration 0028 (circulars by SMS and e-mail, docs/circulars.md): a database at the schema before
// it, with warning notifications sent, pending and failed and a published circular, is migrated;
// every old outbox row is unchanged (its new circular_id null) and the circular gains only
// reminded_at (null). Afterwards a row names exactly one of a warning event and a circular (CHECK),
// and a circular's message is written once per dedup key, channel and address.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/storage/migrations.hpp>

#include "pgtest_util.hpp"

using hazmon::storage::Database;
using hazmon::storage::Migrator;
using nlohmann::json;
using namespace hazmon::test;

namespace {
constexpr int kVersion = 28;

const char* kSeed = R"SQL(
INSERT INTO region(code, name, level, parent_code) VALUES ('140924', '繁峙县', 'county', '140900');
INSERT INTO enterprise(company_code, name, region_code) VALUES
  ('14092400091', '迁移通报甲', '140924'), ('14092400092', '迁移通报乙', '140924');
INSERT INTO hazard_source(hazard_code, company_code, name, rank) VALUES
  ('14092400091001', '14092400091', '罐区', 2);
INSERT INTO warning_event(event_no, company_code, hazard_code, level, initial_level, rule_id,
    category, content, status, first_ts, last_ts) VALUES
  ('YJ20261201000091', '14092400091', '14092400091001', 'orange', 'orange', 1, 'threshold', '迁移',
   'pushed', '2026-12-01T00:00:00Z', '2026-12-01T00:00:30Z');
INSERT INTO notify_contact(level, company_code, name, phone, email, channels) VALUES
  ('enterprise', '14092400091', '值班员', '13800000091', 'duty@m.test', '["sms","email"]');
INSERT INTO notification(warning_event_id, company_code, dedup_key, push_reason, channel,
    recipient, recipient_name, recipient_level, contact_id, subject, body, status, attempts,
    next_attempt_at, last_error, created_at, sent_at)
  SELECT w.id, '14092400091', 'created:orange:0', 'created', v.channel, v.recipient, '值班员',
    'enterprise', c.id, v.subject, '正文', v.status, v.attempts, '2026-12-01T00:01:00Z',
    v.last_error, '2026-12-01T00:00:31Z', v.sent_at
  FROM warning_event w, notify_contact c, (VALUES
    ('sms', '13800000091', '', 'sent', 1, NULL, '2026-12-01T00:00:40Z'::timestamptz),
    ('email', 'duty@m.test', '【橙色预警】迁移', 'pending', 2, 'connection refused', NULL),
    ('email', 'boss@m.test', '【橙色预警】迁移', 'failed', 5, '550 no such user', NULL))
    AS v(channel, recipient, subject, status, attempts, last_error, sent_at);
INSERT INTO circular(issuer_region, kind, title, body, state, ack_deadline, created_by,
    created_at, updated_at, published_by, published_at) VALUES
  ('140900', 'other', '迁移前的通报', '正文', 'published', '2026-12-04T00:00:00Z', 'city',
   '2026-12-01T00:00:00Z', '2026-12-01T00:00:00Z', 'city', '2026-12-01T00:00:00Z');
INSERT INTO circular_recipient(circular_id, company_code)
  SELECT id, '14092400091' FROM circular;
)SQL";

json rows(Database& db, const std::string& sql) {
  return db.in_tx([&](hazmon::storage::Tx& tx) { return tx.exec(sql); });
}
void exec(Database& db, const std::string& sql) {
  db.in_tx([&](hazmon::storage::Tx& tx) { tx.exec(sql); });
}

// An outbox row for the circular and/or the warning event (either may be NULL).
std::string outbox_row(const std::string& event, const std::string& circular,
                       const std::string& recipient) {
  return "INSERT INTO notification(warning_event_id, circular_id, company_code, dedup_key, "
         "push_reason, channel, recipient, recipient_level, body, next_attempt_at, created_at) "
         "VALUES (" +
         event + ", " + circular +
         ", '14092400091', 'circular_published:14092400091', 'circular_published', 'sms', '" +
         recipient + "', 'enterprise', '通报', now(), now())";
}
}  // namespace

TEST(CircularNotifyMigration, KeepsEveryOutboxRowAndAllowsCircularMessages) {
  EmptyDatabase edb;
  auto& db = edb.open();
  MigrationsBelow dir(kVersion);
  Migrator m(db, dir.dir());
  m.migrate();
  ASSERT_FALSE(m.status().applied.empty());
  ASSERT_LT(m.status().applied.back(), kVersion);
  exec(db, kSeed);
  auto before = rows(db, "SELECT to_jsonb(n) AS r FROM notification n ORDER BY id");
  ASSERT_EQ(before.size(), 3u);
  auto circular_before = rows(db, "SELECT to_jsonb(c) AS r FROM circular c ORDER BY id");
  // Before 0028 a row without a warning event is refused.
  auto circular_id = rows(db, "SELECT id FROM circular")[0]["id"].get<long long>();
  EXPECT_ANY_THROW(exec(db, outbox_row("NULL", "NULL", "13800000099")));

  dir.add(kVersion);
  ASSERT_EQ(m.migrate(), std::vector<int>{kVersion});

  // Every old row as it was, with no circular.
  EXPECT_EQ(rows(db, "SELECT to_jsonb(n) - 'circular_id' AS r FROM notification n ORDER BY id"),
            before);
  EXPECT_EQ(
      rows(db, "SELECT count(*) AS n FROM notification WHERE circular_id IS NOT NULL")[0]["n"], 0);
  EXPECT_EQ(rows(db, "SELECT to_jsonb(c) - 'reminded_at' AS r FROM circular c ORDER BY id"),
            circular_before);
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM circular WHERE reminded_at IS NULL")[0]["n"], 1);

  // Exactly one of a warning event and a circular.
  auto event_id =
      std::to_string(rows(db, "SELECT id FROM warning_event")[0]["id"].get<long long>());
  auto cid = std::to_string(circular_id);
  EXPECT_ANY_THROW(exec(db, outbox_row("NULL", "NULL", "13800000099")));
  EXPECT_ANY_THROW(exec(db, outbox_row(event_id, cid, "13800000099")));
  EXPECT_NO_THROW(exec(db, outbox_row("NULL", cid, "13800000099")));
  // Once per circular, dedup key, channel and address; another address is another message.
  EXPECT_ANY_THROW(exec(db, outbox_row("NULL", cid, "13800000099")));
  EXPECT_NO_THROW(exec(db, outbox_row("NULL", cid, "13800000098")));
  // A circular that does not exist is refused.
  EXPECT_ANY_THROW(exec(db, outbox_row("NULL", "999999", "13800000097")));
  EXPECT_EQ(rows(db, "SELECT count(*) AS n FROM notification WHERE circular_id = " + cid)[0]["n"],
            2);
  // The warning rows' own uniqueness still holds.
  EXPECT_ANY_THROW(
      exec(db,
           "INSERT INTO notification(warning_event_id, company_code, dedup_key, "
           "push_reason, channel, recipient, recipient_level, body, next_attempt_at, "
           "created_at) SELECT warning_event_id, company_code, dedup_key, push_reason, "
           "channel, recipient, recipient_level, body, now(), now() FROM notification "
           "WHERE channel = 'sms' AND warning_event_id IS NOT NULL"));
}
