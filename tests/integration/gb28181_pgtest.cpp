// GB/T 28181 devices against a real PostgreSQL (migration 0033) through service::Gb28181Service
// as the SIP server's DeviceBook, with an injected clock: which rows may answer a REGISTER (oldest
// first, with a password that opens for that row only, of an active enterprise), what the server
// hears stored as timestamps and the status derived from them, a catalog replacing the channels,
// a deleted row refusing what comes after, and the table's own checks.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <hazmon/core/clock.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/gb28181_service.hpp>
#include <hazmon/storage/database.hpp>

#include "pgtest_util.hpp"
#include "test_database.hpp"

using namespace hazmon;
using namespace hazmon::test;
using namespace std::chrono;
using nlohmann::json;

namespace {

constexpr const char* kA = "14010600011";
constexpr const char* kB = "14010600012";
const std::string kNvr = "14010600001180000001";

struct World {
  TestDatabase db;
  core::FakeClock clock{*core::parse_time("2026-12-07T02:00:00Z")};
  core::SecretBox box{std::string(32, 'k')};
  service::Gb28181Service gb{db.db(), box, {}, clock};

  World() {
    db.exec(
        "INSERT INTO region(code, name, level, parent_code) VALUES ('140106', '迎泽区', "
        "'county', '140100')");
    for (const char* c : {kA, kB})
      db.exec(std::string("INSERT INTO enterprise(company_code, name, region_code, status) "
                          "VALUES ('") +
              c + "', '国标测试" + c + "', '140106', 'operating')");
  }
  model::Principal user(const char* company) {
    return principal(model::Role::enterprise_user, model::Scope::enterprise(company),
                     std::string("user") + company);
  }
  long long file(const char* company, const std::string& id, std::optional<std::string> pw) {
    service::GbDeviceInput in;
    in.device_id = id;
    in.name = "罐区NVR";
    in.kind = "nvr";
    in.password = std::move(pw);
    return gb.create(user(company), in)["id"].get<long long>();
  }
  json device(const char* company, long long id) { return gb.get(user(company), id); }
};

}  // namespace

TEST(Gb28181Pg, CredentialsAreTheRowsThatMayAnswerOldestFirst) {
  World w;
  auto b = w.file(kB, kNvr, "B-secret-77");
  w.clock.advance(seconds(1));
  auto a = w.file(kA, kNvr, "A-secret-88");
  w.file(kA, "14010600001180000002", std::nullopt);  // no password: never a candidate
  auto c = w.gb.credentials(kNvr);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].row_id, b);  // filed first
  EXPECT_EQ(c[0].company_code, kB);
  EXPECT_EQ(c[0].password, "B-secret-77");
  EXPECT_EQ(c[1].row_id, a);
  EXPECT_TRUE(w.gb.credentials("14010600001180000002").empty());
  // A sealed password copied onto another row does not open there (associated data).
  w.db.exec(
      "UPDATE gb_device SET password_sealed = (SELECT password_sealed FROM gb_device "
      "WHERE id = " +
      std::to_string(b) + ") WHERE id = " + std::to_string(a));
  c = w.gb.credentials(kNvr);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].row_id, b);
  // A deactivated enterprise's devices answer no REGISTER.
  w.db.exec(std::string("UPDATE enterprise SET is_active = false WHERE company_code = '") + kB +
            "'");
  EXPECT_TRUE(w.gb.credentials(kNvr).empty());
  // The password is never in an answer.
  auto d = w.device(kA, a);
  EXPECT_EQ(d["has_password"], true);
  EXPECT_FALSE(d.contains("password_sealed"));
}

TEST(Gb28181Pg, StatusIsDerivedFromWhatWasReceived) {
  World w;
  auto id = w.file(kA, kNvr, "A-secret-88");
  EXPECT_EQ(w.device(kA, id)["offline_reason"], "never_registered");
  auto t0 = w.clock.now();
  ASSERT_TRUE(w.gb.registered({id, kNvr, kA, "10.1.2.3:5060", 3600, t0}));
  auto d = w.device(kA, id);
  EXPECT_EQ(d["status"], "online");
  EXPECT_EQ(d["from_address"], "10.1.2.3:5060");
  EXPECT_EQ(*core::parse_time(d["register_expires_at"].get<std::string>()), t0 + seconds(3600));
  w.clock.advance(seconds(170));
  ASSERT_TRUE(w.gb.keepalive(id, "10.1.2.3:5060", w.clock.now()));
  w.clock.advance(seconds(170));  // 170 s after the keepalive: within 3 x 60 s
  EXPECT_EQ(w.device(kA, id)["status"], "online");
  w.clock.advance(seconds(11));  // 181 s
  d = w.device(kA, id);
  EXPECT_EQ(d["status"], "offline");
  EXPECT_EQ(d["offline_reason"], "keepalive_missed");
  ASSERT_TRUE(w.gb.keepalive(id, "10.1.2.3:5060", w.clock.now()));
  EXPECT_EQ(w.device(kA, id)["status"], "online");
  // Past the registration's expiry, keepalives or not.
  w.clock.advance(seconds(3600));
  ASSERT_TRUE(w.gb.keepalive(id, "10.1.2.3:5060", w.clock.now()));
  EXPECT_EQ(w.device(kA, id)["offline_reason"], "registration_ended");
  // Registered again, then unregistered (Expires: 0): offline at once, registered_at kept.
  ASSERT_TRUE(w.gb.registered({id, kNvr, kA, "10.1.2.3:5060", 600, w.clock.now()}));
  EXPECT_EQ(w.device(kA, id)["status"], "online");
  auto registered_at = w.device(kA, id)["registered_at"];
  ASSERT_TRUE(w.gb.registered({id, kNvr, kA, "10.1.2.3:5060", 0, w.clock.now()}));
  d = w.device(kA, id);
  EXPECT_EQ(d["offline_reason"], "registration_ended");
  EXPECT_EQ(d["registered_at"], registered_at);
}

TEST(Gb28181Pg, ACatalogReplacesTheChannelsAndADeletedRowRefuses) {
  World w;
  auto id = w.file(kA, kNvr, "A-secret-88");
  auto item = [](const std::string& channel, const std::string& name) {
    gb28181::CatalogItem c;
    c.channel_id = channel;
    c.name = name;
    c.status = "ON";
    c.longitude = 112.5;
    c.latitude = 137.0;  // out of range: dropped, not refused
    return c;
  };
  ASSERT_TRUE(w.gb.catalog(
      id,
      {item("14010600001310000001", "一号"), item("14010600001310000002", std::string(150, 'x'))},
      w.clock.now()));
  auto d = w.device(kA, id);
  ASSERT_EQ(d["channels"].size(), 2u);
  EXPECT_EQ(d["channel_count"], 2);
  EXPECT_EQ(d["channels"][0]["name"], "一号");
  EXPECT_TRUE(d["channels"][0]["latitude"].is_null());
  EXPECT_DOUBLE_EQ(d["channels"][0]["longitude"].get<double>(), 112.5);
  EXPECT_EQ(d["channels"][1]["name"].get<std::string>().size(), 100u);  // cut to 100 characters
  ASSERT_TRUE(w.gb.catalog(id, {item("14010600001310000003", "三号")}, w.clock.now()));
  d = w.device(kA, id);
  ASSERT_EQ(d["channels"].size(), 1u);
  EXPECT_EQ(d["channels"][0]["channel_id"], "14010600001310000003");
  // Another enterprise's user neither reads nor deletes it.
  auto other = caught([&] { w.gb.get(w.user(kB), id); });
  ASSERT_TRUE(other);
  EXPECT_EQ(other->code, core::Errc::not_found);
  w.gb.remove(w.user(kA), id);
  EXPECT_FALSE(w.gb.registered({id, kNvr, kA, "10.1.2.3:5060", 3600, w.clock.now()}));
  EXPECT_FALSE(w.gb.keepalive(id, "10.1.2.3:5060", w.clock.now()));
  EXPECT_FALSE(w.gb.catalog(id, {item("14010600001310000001", "一号")}, w.clock.now()));
  // The table's checks hold whatever writes to it.
  EXPECT_THROW(w.db.exec(std::string("INSERT INTO gb_device (device_id, company_code, name, kind, "
                                     "created_by, created_at, updated_at) VALUES ('1401', '") +
                         kA + "', 'x', 'nvr', 't', now(), now())"),
               std::exception);
  EXPECT_THROW(w.db.exec(std::string("INSERT INTO gb_device (device_id, company_code, name, kind, "
                                     "created_by, created_at, updated_at) VALUES ('") +
                         kNvr + "', '" + kA + "', 'x', 'ipc', 't', now(), now())"),
               std::exception);
}
