// Video calls between duty rooms over HTTPS with a real Janus (docs/calls.md, ADR 0031): the
// province calls a city, the city joins, both reach Janus's VideoRoom through hazmond's proxy,
// hang up; who may call whom (13.22), nobody outside a call joins it (13.21), an ended admission
// admits nobody, at hazmond's proxy nor at Janus itself (13.23), a person who left is kicked out
// of the room (13.40), ringing is pushed to the called room's streams only (13.41), a browser
// neither picks its publisher id nor piles up handles (13.42), an unanswered call ends. Media
// between two browsers is tests/dashboard/calls.mjs's.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hazmon/core/random.hpp>
#include <hazmon/core/secret_box.hpp>
#include <hazmon/storage/database.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "janus_server.hpp"
#include "test_server.hpp"

using namespace hazmon;
using namespace hazmon::test;
using nlohmann::json;

namespace {

// 临汾 (141000): counties 141026 (安泽县) and 141027 (浮山县), which no other API test uses;
// 阳泉 (140300) county 140321 (平定县) for another city's enterprise.
constexpr const char* kCity = "141000";
constexpr const char* kCounty = "141026";
constexpr const char* kSibling = "141027";
constexpr const char* kOtherCity = "140300";
constexpr const char* kOtherCounty = "140321";
const std::string kA = "14102600001";  // in kCounty
const std::string kB = "14102700001";  // in kSibling, same city
const std::string kC = "14032100001";  // another city

bool problem(const HttpResult& r, int status, const std::string& code) {
  if (r.status != status) return false;
  auto j = r.json();
  return j.is_object() && j.value("code", "") == code;
}

bool names(const HttpResult& r, const std::string& pointer) {
  auto j = r.json();
  if (!j.is_object() || !j.contains("errors")) return false;
  for (const auto& e : j["errors"])
    if (e.value("pointer", "") == pointer) return true;
  return false;
}

// Plain HTTP/1.0 to Janus itself (loopback), bypassing hazmond: what a process on the Janus
// host could try.
json janus_direct(unsigned short port, const std::string& path, const json& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return nullptr;
  }
  auto text = body.dump();
  auto req = "POST /janus" + path +
             " HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: " +
             std::to_string(text.size()) + "\r\n\r\n" + text;
  ::send(fd, req.data(), req.size(), 0);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, n);
  ::close(fd);
  auto at = out.find("\r\n\r\n");
  return at == std::string::npos ? json(nullptr) : json::parse(out.substr(at + 4), nullptr, false);
}

struct World {
  std::unique_ptr<JanusServer> janus;
  std::unique_ptr<TestServer> srv;
  std::string admin, prov, prov2, city, city2, county, other_city, user_a, user_b, user_c, op;
  HttpsClient c() const { return srv->client(); }

  // One VideoRoom request straight to Janus with its api_secret (a session of its own).
  json videoroom(const json& body) const {
    auto secret = janus->api_secret();
    auto s = janus_direct(janus->port(), "",
                          {{"janus", "create"}, {"transaction", "t"}, {"apisecret", secret}});
    auto sid = std::to_string(s["data"]["id"].get<long long>());
    auto h = janus_direct(janus->port(), "/" + sid,
                          {{"janus", "attach"},
                           {"plugin", "janus.plugin.videoroom"},
                           {"transaction", "t"},
                           {"apisecret", secret}});
    auto hid = std::to_string(h["data"]["id"].get<long long>());
    auto r = janus_direct(
        janus->port(), "/" + sid + "/" + hid,
        {{"janus", "message"}, {"body", body}, {"transaction", "t"}, {"apisecret", secret}});
    janus_direct(janus->port(), "/" + sid,
                 {{"janus", "destroy"}, {"transaction", "t"}, {"apisecret", secret}});
    return r["plugindata"]["data"];
  }
  bool room_exists(long long room) const {
    return videoroom({{"request", "exists"}, {"room", room}}).value("exists", false);
  }
};

World* make_world() {
  auto w = new World;
  w->janus = std::make_unique<JanusServer>();
  TestServerOptions o;
  o.calls = w->janus->calls_config<json>();
  w->srv = std::make_unique<TestServer>(shared_db(), o);
  w->admin = w->srv->make_user("call_admin", "province_admin");
  auto c = w->srv->client();
  auto ok = [&](const HttpResult& r) {
    if (r.status / 100 != 2 && r.status != 409) throw std::runtime_error("call set-up: " + r.body);
    return r.json();
  };
  for (auto [code, name, parent] :
       {std::tuple{kCounty, "安泽县", kCity}, std::tuple{kSibling, "浮山县", kCity},
        std::tuple{kOtherCounty, "平定县", kOtherCity}})
    ok(c.post_json("/api/v1/regions",
                   {{"code", code}, {"name", name}, {"level", "county"}, {"parent_code", parent}},
                   w->admin));
  for (auto [code, region] :
       {std::pair{kA, kCounty}, std::pair{kB, kSibling}, std::pair{kC, kOtherCounty}})
    ok(c.post_json("/api/v1/enterprises",
                   {{"company_code", code},
                    {"name", "调度接口" + code + "化工有限公司"},
                    {"region_code", region}},
                   w->admin));
  w->prov = w->srv->make_user("call_prov", "province_officer");
  w->prov2 = w->srv->make_user("call_prov2", "province_officer");
  w->city = w->srv->make_user("call_city", "city_officer", kCity);
  w->city2 = w->srv->make_user("call_city2", "city_officer", kCity);
  w->county = w->srv->make_user("call_county", "county_officer", kCounty);
  w->other_city = w->srv->make_user("call_other_city", "city_officer", kOtherCity);
  w->user_a = w->srv->make_user("call_user_a", "enterprise_user", kA);
  w->user_b = w->srv->make_user("call_user_b", "enterprise_user", kB);
  w->user_c = w->srv->make_user("call_user_c", "enterprise_user", kC);
  w->op = w->srv->make_user("call_operator", "operator");
  return w;
}

World* world() {
  static World* w = JanusServer::available() ? make_world() : nullptr;
  return w;
}

// scripts/setup.sh installs janus: without it the set-up is broken, and the test fails rather
// than skipping what it is there to check.
#define NEED_JANUS()                                                                 \
  auto* wp = world();                                                                \
  ASSERT_NE(wp, nullptr) << "janus is not installed (scripts/setup.sh installs it)"; \
  auto& w = *wp

HttpResult place(World& w, const std::string& kind, const std::string& code,
                 const std::string& token) {
  return w.c().post_json("/api/v1/calls", {{"callee_kind", kind}, {"callee_code", code}}, token);
}

std::string path_of(long long id, const char* action = nullptr) {
  return "/api/v1/calls/" + std::to_string(id) + (action ? std::string("/") + action : "");
}

// A browser's Janus session through hazmond's proxy: create, attach to the VideoRoom.
struct ProxySession {
  std::string session, handle;
};
ProxySession open_session(World& w, const std::string& token) {
  auto s = w.c().post_json("/api/v1/janus", {{"janus", "create"}, {"transaction", "a"}}, token);
  if (s.status != 200) throw std::runtime_error("proxy create: " + s.body);
  ProxySession p;
  p.session = std::to_string(s.json()["data"]["id"].get<long long>());
  auto h = w.c().post_json(
      "/api/v1/janus/" + p.session,
      {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}, {"transaction", "b"}}, token);
  if (h.status != 200) throw std::runtime_error("proxy attach: " + h.body);
  p.handle = std::to_string(h.json()["data"]["id"].get<long long>());
  return p;
}
HttpResult proxy_message(World& w, const ProxySession& p, const json& body,
                         const std::string& token) {
  return w.c().post_json("/api/v1/janus/" + p.session + "/" + p.handle,
                         {{"janus", "message"}, {"transaction", "m"}, {"body", body}}, token);
}
// The VideoRoom's answer to the last join, read from the session's events (long poll).
json join_event(World& w, const ProxySession& p, const std::string& token) {
  for (int i = 0; i < 5; ++i) {
    auto r = w.c().get("/api/v1/janus/" + p.session + "?maxev=10", token);
    if (r.status != 200) return nullptr;
    auto events = r.json();
    if (!events.is_array()) events = json::array({events});
    for (const auto& e : events)
      if (e.contains("plugindata")) return e["plugindata"]["data"];
  }
  return nullptr;
}

// The session's events (long polls) until `done` holds for what has come, at most `polls` polls
// (each returns as soon as Janus has an event, or after its 30 s with a keepalive).
json events_until(World& w, const ProxySession& p, const std::string& token,
                  const std::function<bool(const json&)>& done, int polls = 8) {
  json all = json::array();
  for (int i = 0; i < polls && !done(all); ++i) {
    auto r = w.c().get("/api/v1/janus/" + p.session + "?maxev=10", token);
    if (r.status != 200) break;
    auto events = r.json();
    if (!events.is_array()) events = json::array({events});
    for (auto& e : events) all.push_back(e);
  }
  return all;
}
// Whether the events hold Janus's `detached` of this handle.
bool detached(const json& events, const std::string& handle) {
  for (const auto& e : events)
    if (e.value("janus", "") == "detached" && std::to_string(e.value("sender", 0LL)) == handle)
      return true;
  return false;
}
// Whether the events hold the VideoRoom's "you were kicked" on this handle.
bool told_kicked(const json& events, const std::string& handle) {
  for (const auto& e : events) {
    if (!e.contains("plugindata") || std::to_string(e.value("sender", 0LL)) != handle) continue;
    const auto& d = e["plugindata"]["data"];
    if (d.value("leaving", "") == "ok" && d.value("reason", "") == "kicked") return true;
  }
  return false;
}
// The room's publishers as Janus lists them (asked server-side, with the api_secret).
std::vector<long long> participant_ids(World& w, long long room) {
  std::vector<long long> ids;
  auto list = w.videoroom({{"request", "listparticipants"}, {"room", room}});
  for (const auto& p : list.value("participants", json::array())) ids.push_back(p.value("id", 0LL));
  return ids;
}
bool has(const std::vector<long long>& v, long long x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
long long janus_error(const HttpResult& r) {
  auto j = r.json();
  return j.is_object() && j.value("janus", "") == "error" ? j["error"].value("code", 0LL) : 0;
}
// A publisher joined through the proxy: its id in the room (hazmond's choice), 0 if not joined.
long long join_publisher(World& w, const ProxySession& s, long long room, const json& token,
                         const std::string& who) {
  auto r = proxy_message(
      w, s,
      {{"request", "join"}, {"room", room}, {"ptype", "publisher"}, {"id", 4242}, {"token", token}},
      who);
  if (r.status != 200) return 0;
  auto ev = join_event(w, s, who);
  return ev.is_object() && ev.value("videoroom", "") == "joined" ? ev.value("id", 0LL) : 0;
}

}  // namespace

TEST(CallApi, TheProvinceCallsACityThatJoinsThroughTheProxyAndHangsUp) {
  NEED_JANUS();
  auto r = place(w, "region", kCity, w.prov);
  ASSERT_EQ(r.status, 201) << r.body;
  auto call = r.json();
  auto id = call["id"].get<long long>();
  EXPECT_EQ(call["state"], "ringing");
  EXPECT_EQ(call["caller"]["code"], "140000");
  EXPECT_EQ(call["caller"]["name"], "山西省");
  EXPECT_EQ(call["callee"]["name"], "临汾市");
  EXPECT_EQ(call["caller_name"], "call_prov");
  EXPECT_EQ(call["incoming"], false);
  // The city sees it ringing, as incoming; a county of the city does not (not its room).
  auto ringing = w.c().get("/api/v1/calls?state=ringing", w.city);
  ASSERT_EQ(ringing.status, 200) << ringing.body;
  bool found = false;
  auto ringing_json = ringing.json();
  for (const auto& c : ringing_json["items"])
    if (c["id"] == id) found = c["incoming"] == true;
  EXPECT_TRUE(found) << ringing.body;
  EXPECT_TRUE(problem(w.c().get(path_of(id), w.county), 404, "not_found"));

  auto pj = w.c().post_json(path_of(id, "join"), json::object(), w.prov);
  ASSERT_EQ(pj.status, 200) << pj.body;
  auto room = pj.json()["room"].get<long long>();
  EXPECT_EQ(pj.json()["janus_path"], "/api/v1/janus");
  EXPECT_EQ(pj.json()["call"]["state"], "ringing");  // the caller alone does not answer
  EXPECT_TRUE(w.room_exists(room));
  auto cj = w.c().post_json(path_of(id, "join"), json::object(), w.city);
  ASSERT_EQ(cj.status, 200) << cj.body;
  auto city_token = cj.json()["token"].get<std::string>();
  EXPECT_EQ(cj.json()["call"]["state"], "active");
  EXPECT_FALSE(cj.json()["call"]["answered_at"].is_null());
  EXPECT_EQ(cj.json()["call"]["participants"].size(), 2u);

  // The city's browser joins the room through the proxy with its token; hazmond adds the pin.
  auto s = open_session(w, w.city);
  auto no_token =
      proxy_message(w, s, {{"request", "join"}, {"room", room}, {"ptype", "publisher"}}, w.city);
  EXPECT_EQ(no_token.status, 403) << no_token.body;
  auto others = proxy_message(
      w, s,
      {{"request", "join"}, {"room", room}, {"ptype", "publisher"}, {"token", pj.json()["token"]}},
      w.city);
  EXPECT_EQ(others.status, 403) << others.body;  // the province's token is the province's
  auto joined = proxy_message(w, s,
                              {{"request", "join"},
                               {"room", room},
                               {"ptype", "publisher"},
                               {"display", "假名"},
                               {"token", city_token}},
                              w.city);
  ASSERT_EQ(joined.status, 200) << joined.body;
  auto ev = join_event(w, s, w.city);
  ASSERT_TRUE(ev.is_object()) << ev;
  EXPECT_EQ(ev.value("videoroom", ""), "joined") << ev;
  EXPECT_EQ(ev.value("room", 0LL), room);

  // The city leaves: the call goes on with the province; the old token no longer joins.
  auto left = w.c().post_json(path_of(id, "leave"), json::object(), w.city);
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_EQ(left.json()["state"], "active");
  auto s2 = open_session(w, w.city);
  EXPECT_EQ(
      proxy_message(
          w, s2,
          {{"request", "join"}, {"room", room}, {"ptype", "publisher"}, {"token", city_token}},
          w.city)
          .status,
      403);
  // The province hangs up: the record says who and why, the room is gone from Janus.
  auto ended = w.c().post_json(path_of(id, "end"), json::object(), w.prov);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json()["state"], "ended");
  EXPECT_EQ(ended.json()["end_reason"], "hung_up");
  EXPECT_EQ(ended.json()["ended_by"], "call_prov");
  auto ended_json = ended.json();
  for (const auto& p : ended_json["participants"]) EXPECT_FALSE(p["left_at"].is_null());
  EXPECT_FALSE(w.room_exists(room));
  EXPECT_TRUE(
      problem(w.c().post_json(path_of(id, "join"), json::object(), w.city), 409, "conflict"));
  EXPECT_TRUE(
      problem(w.c().post_json(path_of(id, "end"), json::object(), w.prov), 409, "conflict"));
  auto history = w.c().get("/api/v1/calls?state=ended", w.city);
  ASSERT_EQ(history.status, 200);
  EXPECT_GE(history.json()["total"].get<long long>(), 1);
}

// 13.22: officers call the rooms inside their scope and above them; an enterprise answers and
// calls only upward, never another enterprise; operators take no part.
TEST(CallApi, WhoMayCallWhom) {
  NEED_JANUS();
  auto end = [&](const HttpResult& r, const std::string& token) {
    ASSERT_EQ(r.status, 201) << r.body;
    auto e =
        w.c().post_json(path_of(r.json()["id"].get<long long>(), "end"), json::object(), token);
    ASSERT_EQ(e.status, 200) << e.body;
  };
  // A county calls its enterprise, which answers and hangs up.
  auto r = place(w, "enterprise", kA, w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto mine = w.c().get("/api/v1/calls?state=ringing", w.user_a);
  ASSERT_EQ(mine.status, 200);
  ASSERT_GE(mine.json()["items"].size(), 1u);
  EXPECT_EQ(mine.json()["items"][0]["incoming"], true);
  ASSERT_EQ(w.c().post_json(path_of(id, "join"), json::object(), w.user_a).status, 200);
  auto hung = w.c().post_json(path_of(id, "end"), json::object(), w.user_a);
  ASSERT_EQ(hung.status, 200) << hung.body;
  EXPECT_EQ(hung.json()["end_reason"], "hung_up");
  EXPECT_EQ(hung.json()["ended_by"], "call_user_a");
  // Declined while ringing.
  auto d = place(w, "enterprise", kA, w.city);
  ASSERT_EQ(d.status, 201) << d.body;
  auto declined =
      w.c().post_json(path_of(d.json()["id"].get<long long>(), "end"), json::object(), w.user_a);
  EXPECT_EQ(declined.json()["end_reason"], "declined");

  // Upward from the enterprise: its county, its city, the province.
  end(place(w, "region", kCounty, w.user_a), w.user_a);
  end(place(w, "region", kCity, w.user_a), w.user_a);
  end(place(w, "region", "140000", w.user_a), w.user_a);
  end(place(w, "region", kCity, w.county), w.county);
  end(place(w, "region", kCounty, w.city), w.city);
  // Never another enterprise, another city's rooms, a sibling county, or itself.
  using Case = std::tuple<std::string, std::string, std::string>;
  for (auto [kind, code, token] : std::vector<Case>{
           Case{"enterprise", kB, w.user_a}, Case{"region", kSibling, w.user_a},
           Case{"region", kOtherCity, w.user_a}, Case{"enterprise", kA, w.user_a},
           Case{"enterprise", kC, w.city}, Case{"region", kOtherCity, w.city},
           Case{"region", kOtherCounty, w.city}, Case{"region", kSibling, w.county},
           Case{"enterprise", kB, w.county}, Case{"region", kCity, w.city},
           Case{"region", "149999", w.prov}, Case{"enterprise", "14999999999", w.prov}}) {
    auto x = place(w, kind, code, token);
    EXPECT_TRUE(problem(x, 422, "validation_failed") && names(x, "/callee_code"))
        << kind << " " << code << ": " << x.body;
  }
  auto bad = place(w, "room", kCity, w.prov);
  EXPECT_TRUE(problem(bad, 422, "validation_failed") && names(bad, "/callee_kind")) << bad.body;
  EXPECT_TRUE(problem(place(w, "region", kCity, w.op), 403, "forbidden"));
  EXPECT_TRUE(problem(w.c().get("/api/v1/calls", w.op), 403, "forbidden"));
  EXPECT_TRUE(
      problem(w.c().post_json("/api/v1/janus", {{"janus", "create"}}, w.op), 403, "forbidden"));
  // At most max_open_calls_per_user (3) open calls each.
  std::vector<long long> open;
  for (int i = 0; i < 3; ++i) {
    auto x = place(w, "enterprise", kA, w.county);
    ASSERT_EQ(x.status, 201) << x.body;
    open.push_back(x.json()["id"].get<long long>());
  }
  EXPECT_TRUE(problem(place(w, "enterprise", kA, w.county), 409, "conflict"));
  for (auto o : open)
    EXPECT_EQ(w.c().post_json(path_of(o, "end"), json::object(), w.county).status, 200);
}

// 13.21: a call is its two rooms'; nobody else reads, joins or ends it, nor reaches its room on
// Janus through hazmond's proxy.
TEST(CallAttack, NobodyOutsideTheCallJoinsIt) {
  NEED_JANUS();
  auto r = place(w, "region", kCity, w.prov);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  for (const auto& t : {w.other_city, w.user_c, w.user_a, w.county}) {
    EXPECT_TRUE(problem(w.c().get(path_of(id), t), 404, "not_found"));
    EXPECT_TRUE(problem(w.c().post_json(path_of(id, "join"), json::object(), t), 404, "not_found"));
    EXPECT_TRUE(problem(w.c().post_json(path_of(id, "end"), json::object(), t), 404, "not_found"));
  }
  // Another person of the calling room sees it but does not join or end it in the caller's place.
  EXPECT_EQ(w.c().get(path_of(id), w.prov2).status, 200);
  EXPECT_TRUE(
      problem(w.c().post_json(path_of(id, "join"), json::object(), w.prov2), 403, "forbidden"));
  EXPECT_TRUE(
      problem(w.c().post_json(path_of(id, "end"), json::object(), w.prov2), 403, "forbidden"));
  // Any officer of the called room may answer.
  auto cj = w.c().post_json(path_of(id, "join"), json::object(), w.city2);
  ASSERT_EQ(cj.status, 200) << cj.body;
  auto room = cj.json()["room"].get<long long>();
  auto token = cj.json()["token"].get<std::string>();

  // Through the proxy: another city's officer with the leaked token, the room's list, a room of
  // its own, another plugin, someone else's session, a recording.
  auto s = open_session(w, w.other_city);
  EXPECT_EQ(
      proxy_message(w, s,
                    {{"request", "join"}, {"room", room}, {"ptype", "publisher"}, {"token", token}},
                    w.other_city)
          .status,
      403);
  for (const char* req : {"listparticipants", "list", "exists", "create", "destroy", "kick",
                          "allowed", "rtp_forward", "edit", "moderate", "enable_recording"})
    EXPECT_EQ(
        proxy_message(w, s, {{"request", req}, {"room", room}, {"admin_key", "x"}}, w.other_city)
            .status,
        403)
        << req;
  EXPECT_EQ(w.c()
                .post_json("/api/v1/janus/" + s.session,
                           {{"janus", "attach"}, {"plugin", "janus.plugin.echotest"}}, w.other_city)
                .status,
            403);
  auto mine = open_session(w, w.city2);
  EXPECT_EQ(
      w.c()
          .post_json("/api/v1/janus/" + mine.session + "/" + mine.handle,
                     {{"janus", "message"}, {"body", {{"request", "configure"}}}}, w.other_city)
          .status,
      404);
  EXPECT_EQ(w.c().get("/api/v1/janus/" + mine.session + "?maxev=1", w.other_city).status, 404);
  EXPECT_EQ(w.c().post_json("/api/v1/janus/" + mine.session, {{"janus", "claim"}}, w.city2).status,
            403);
  // Janus itself without the api_secret: refused.
  auto bare = janus_direct(w.janus->port(), "", {{"janus", "create"}, {"transaction", "x"}});
  EXPECT_EQ(bare["error"]["code"], 403) << bare;
  EXPECT_EQ(w.c().post_json(path_of(id, "end"), json::object(), w.prov).status, 200);
}

// 13.23: the token of an ended admission (left, or the call ended) admits nobody: hazmond's
// proxy refuses it, and Janus's own ACL no longer holds it, even with the room's pin.
TEST(CallAttack, AnEndedAdmissionAdmitsNobody) {
  NEED_JANUS();
  auto r = place(w, "enterprise", kA, w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  ASSERT_EQ(w.c().post_json(path_of(id, "join"), json::object(), w.county).status, 200);
  auto aj = w.c().post_json(path_of(id, "join"), json::object(), w.user_a);
  ASSERT_EQ(aj.status, 200) << aj.body;
  auto room = aj.json()["room"].get<long long>();
  auto hash = core::sha256_hex(aj.json()["token"].get<std::string>());
  // The pin as only hazmond holds it: sealed in the call's row.
  auto sealed = shared_db().db().in_tx([&](storage::Tx& tx) {
    return *tx.one<std::string>("SELECT room_pin FROM duty_call WHERE id = $1",
                                {std::to_string(id)});
  });
  EXPECT_EQ(sealed.find(aj.json()["token"].get<std::string>()), std::string::npos);
  auto pin = w.srv->secret_box().open(sealed, "call-room:" + std::to_string(room));
  ASSERT_TRUE(pin.has_value());
  auto janus_join = [&](const std::string& token) {
    // A join is answered asynchronously; its error (if any) is in the session's events, so
    // listparticipants after it tells whether it got in.
    auto secret = w.janus->api_secret();
    auto port = w.janus->port();
    auto s =
        janus_direct(port, "", {{"janus", "create"}, {"transaction", "t"}, {"apisecret", secret}});
    auto sid = std::to_string(s["data"]["id"].get<long long>());
    auto h = janus_direct(port, "/" + sid,
                          {{"janus", "attach"},
                           {"plugin", "janus.plugin.videoroom"},
                           {"transaction", "t"},
                           {"apisecret", secret}});
    auto hid = std::to_string(h["data"]["id"].get<long long>());
    janus_direct(port, "/" + sid + "/" + hid,
                 {{"janus", "message"},
                  {"transaction", "t"},
                  {"apisecret", secret},
                  {"body",
                   {{"request", "join"},
                    {"room", room},
                    {"ptype", "publisher"},
                    {"display", "probe"},
                    {"pin", *pin},
                    {"token", token}}}});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    auto list = w.videoroom({{"request", "listparticipants"}, {"room", room}});
    janus_direct(port, "/" + sid,
                 {{"janus", "destroy"}, {"transaction", "t"}, {"apisecret", secret}});
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const auto& p : list.value("participants", json::array()))
      if (p.value("display", "") == "probe") return true;
    return false;
  };
  EXPECT_TRUE(janus_join(hash));  // admitted: Janus takes the hash
  EXPECT_FALSE(janus_join(core::sha256_hex("guessed")));
  ASSERT_EQ(w.c().post_json(path_of(id, "leave"), json::object(), w.user_a).status, 200);
  EXPECT_FALSE(janus_join(hash));  // left: off Janus's list
  auto s = open_session(w, w.user_a);
  EXPECT_EQ(proxy_message(w, s,
                          {{"request", "join"},
                           {"room", room},
                           {"ptype", "publisher"},
                           {"token", aj.json()["token"]}},
                          w.user_a)
                .status,
            403);
  // The enterprise joins again (a new token) and the county hangs up: every token is void.
  auto again = w.c().post_json(path_of(id, "join"), json::object(), w.user_a);
  ASSERT_EQ(again.status, 200) << again.body;
  ASSERT_EQ(w.c().post_json(path_of(id, "end"), json::object(), w.county).status, 200);
  EXPECT_EQ(proxy_message(w, s,
                          {{"request", "join"},
                           {"room", room},
                           {"ptype", "publisher"},
                           {"token", again.json()["token"]}},
                          w.user_a)
                .status,
            403);
  EXPECT_FALSE(w.room_exists(room));
}

// 13.40: a person who left, whose admission was voided by joining again, or whose call ended is
// kicked out of the room on Janus: a client that keeps its handles open is told so and its
// handles are gone (nothing more reaches them), while the call goes on for the others.
TEST(CallAttack, ALeaverIsKickedOutOfTheRoom) {
  NEED_JANUS();
  auto r = place(w, "region", kCity, w.prov);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto pj = w.c().post_json(path_of(id, "join"), json::object(), w.prov);
  ASSERT_EQ(pj.status, 200) << pj.body;
  auto room = pj.json()["room"].get<long long>();
  auto cj = w.c().post_json(path_of(id, "join"), json::object(), w.city);
  ASSERT_EQ(cj.status, 200) << cj.body;

  auto ps = open_session(w, w.prov);
  auto prov_id = join_publisher(w, ps, room, pj.json()["token"], w.prov);
  ASSERT_NE(prov_id, 0);
  auto cs = open_session(w, w.city);
  auto city_id = join_publisher(w, cs, room, cj.json()["token"], w.city);
  ASSERT_NE(city_id, 0);
  // A second handle of the city's, joined as a subscriber with the same token (Janus answers
  // that there is no such feed yet: nobody publishes media here; the handle stays attached).
  auto sub = w.c().post_json("/api/v1/janus/" + cs.session,
                             {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}}, w.city);
  ASSERT_EQ(sub.status, 200) << sub.body;
  ProxySession cs_sub{cs.session, std::to_string(sub.json()["data"]["id"].get<long long>())};
  ASSERT_EQ(proxy_message(w, cs_sub,
                          {{"request", "join"},
                           {"room", room},
                           {"ptype", "subscriber"},
                           {"streams", json::array({{{"feed", prov_id}}})},
                           {"token", cj.json()["token"]}},
                          w.city)
                .status,
            200);
  auto before = participant_ids(w, room);
  EXPECT_TRUE(has(before, prov_id) && has(before, city_id)) << json(before);

  // The city leaves but its client keeps everything open.
  auto left = w.c().post_json(path_of(id, "leave"), json::object(), w.city);
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_EQ(left.json()["state"], "active");
  auto events = events_until(w, cs, w.city, [&](const json& e) {
    return detached(e, cs.handle) && detached(e, cs_sub.handle);
  });
  EXPECT_TRUE(told_kicked(events, cs.handle)) << events;
  EXPECT_TRUE(detached(events, cs.handle)) << events;
  EXPECT_TRUE(detached(events, cs_sub.handle)) << events;
  auto after = participant_ids(w, room);
  EXPECT_FALSE(has(after, city_id)) << json(after);
  EXPECT_TRUE(has(after, prov_id)) << json(after);  // the call goes on for the province
  // Whatever the kept handles ask now, Janus no longer knows them (459: no such handle).
  EXPECT_EQ(janus_error(proxy_message(w, cs, {{"request", "configure"}, {"audio", true}}, w.city)),
            459);
  EXPECT_EQ(janus_error(proxy_message(w, cs_sub, {{"request", "start"}}, w.city)), 459);

  // The province joins again (a new admission): the first one's handle is kicked.
  auto again = w.c().post_json(path_of(id, "join"), json::object(), w.prov);
  ASSERT_EQ(again.status, 200) << again.body;
  auto pevents = events_until(w, ps, w.prov, [&](const json& e) { return detached(e, ps.handle); });
  EXPECT_TRUE(told_kicked(pevents, ps.handle)) << pevents;
  EXPECT_TRUE(detached(pevents, ps.handle)) << pevents;
  EXPECT_FALSE(has(participant_ids(w, room), prov_id));

  // The call ends: the new admission's handle goes with the room.
  auto ps2 = open_session(w, w.prov);
  ASSERT_NE(join_publisher(w, ps2, room, again.json()["token"], w.prov), 0);
  ASSERT_EQ(w.c().post_json(path_of(id, "end"), json::object(), w.prov).status, 200);
  auto eevents =
      events_until(w, ps2, w.prov, [&](const json& e) { return detached(e, ps2.handle); });
  EXPECT_TRUE(detached(eevents, ps2.handle)) << eevents;
  EXPECT_FALSE(w.room_exists(room));
  // Every noted handle was kicked and taken off the call's record.
  auto noted = shared_db().db().in_tx([&](storage::Tx& tx) {
    return *tx.one<long long>(
        "SELECT count(*) FROM duty_call_janus_handle h JOIN duty_call_participant p ON "
        "p.id = h.participant_id WHERE p.call_id = $1",
        {std::to_string(id)});
  });
  EXPECT_EQ(noted, 0);
}

// 13.42: a browser does not pick its publisher id (hazmond's id is the one it kicks), and one
// admission does not pile up handles past the bound.
TEST(CallAttack, ABrowserNeitherPicksItsIdNorPilesUpHandles) {
  NEED_JANUS();
  auto r = place(w, "enterprise", kA, w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto aj = w.c().post_json(path_of(id, "join"), json::object(), w.user_a);
  ASSERT_EQ(aj.status, 200) << aj.body;
  auto room = aj.json()["room"].get<long long>();
  auto s = open_session(w, w.user_a);
  auto mine = join_publisher(w, s, room, aj.json()["token"], w.user_a);  // asked for 4242
  ASSERT_NE(mine, 0);
  EXPECT_NE(mine, 4242);
  EXPECT_TRUE(has(participant_ids(w, room), mine));
  // 16 handles per admission are noted; the 17th join is refused before it reaches Janus.
  int refused_at = 0;
  for (int i = 2; i <= 17 && refused_at == 0; ++i) {
    auto h = w.c().post_json("/api/v1/janus/" + s.session,
                             {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}}, w.user_a);
    ASSERT_EQ(h.status, 200) << h.body;
    ProxySession extra{s.session, std::to_string(h.json()["data"]["id"].get<long long>())};
    auto j = proxy_message(w, extra,
                           {{"request", "join"},
                            {"room", room},
                            {"ptype", "subscriber"},
                            {"token", aj.json()["token"]}},
                           w.user_a);
    if (j.status == 403) refused_at = i;
  }
  EXPECT_EQ(refused_at, 17);
  ASSERT_EQ(w.c().post_json(path_of(id, "end"), json::object(), w.county).status, 200);
}

// 13.41: a call rings at once on the live stream of the called room's people, and of nobody
// else: not the caller's room, not a county or an enterprise under the called city. Each
// listener reads until an event of a call placed to its own room, placed after the others, so
// that it would have had every earlier one by then.
TEST(CallAttack, RingingIsPushedToTheCalledRoomOnly) {
  NEED_JANUS();
  std::atomic<int> opened{0};
  std::string county_got, user_got, prov_got;
  auto listen = [&](const std::string& token, const std::string& until, std::string& got) {
    return std::thread([&, token, until] {
      got = w.c().read_stream("/api/v1/stream", token, until, std::chrono::seconds(90),
                              [&] { ++opened; });
    });
  };
  std::vector<std::thread> listeners;
  listeners.push_back(
      listen(w.county, "\"callee\":{\"code\":\"" + std::string(kCounty), county_got));
  listeners.push_back(listen(w.user_a, "\"callee\":{\"code\":\"" + kA, user_got));
  listeners.push_back(listen(w.prov2, "\"callee\":{\"code\":\"140000", prov_got));
  for (int i = 0; i < 600 && opened < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(opened.load(), 3);

  long long x = 0;
  auto city_got =
      w.c().read_stream("/api/v1/stream", w.city, "event: call", std::chrono::seconds(60), [&] {
        auto p = place(w, "region", kCity, w.prov);
        if (p.status == 201) x = p.json()["id"].get<long long>();
      });
  ASSERT_NE(x, 0);
  auto id_of = [](long long id) { return "\"id\":" + std::to_string(id) + ","; };
  EXPECT_NE(city_got.find(id_of(x)), std::string::npos) << city_got;
  EXPECT_NE(city_got.find("\"state\":\"ringing\""), std::string::npos) << city_got;
  EXPECT_NE(city_got.find("\"incoming\":true"), std::string::npos) << city_got;
  EXPECT_NE(city_got.find("\"caller_name\":\"call_prov\""), std::string::npos) << city_got;
  // Then one call to each listener's own room, from someone who is not listening there.
  auto y = place(w, "region", kCounty, w.prov2);
  auto z = place(w, "enterprise", kA, w.city2);
  auto v = place(w, "region", "140000", w.city2);
  for (auto* p : {&y, &z, &v}) ASSERT_EQ(p->status, 201) << p->body;
  for (auto& t : listeners) t.join();
  auto yid = y.json()["id"].get<long long>(), zid = z.json()["id"].get<long long>(),
       vid = v.json()["id"].get<long long>();
  EXPECT_NE(county_got.find(id_of(yid)), std::string::npos) << county_got;
  EXPECT_NE(user_got.find(id_of(zid)), std::string::npos) << user_got;
  EXPECT_NE(prov_got.find(id_of(vid)), std::string::npos) << prov_got;
  for (const auto* got : {&county_got, &user_got, &prov_got})
    EXPECT_EQ(got->find(id_of(x)), std::string::npos) << *got;
  EXPECT_EQ(county_got.find(id_of(zid)), std::string::npos) << county_got;
  EXPECT_EQ(user_got.find(id_of(yid)), std::string::npos) << user_got;

  // Hung up: the called room's banner hears that too.
  auto ended = w.c().read_stream(
      "/api/v1/stream", w.city2, "\"end_reason\":\"hung_up\"", std::chrono::seconds(60),
      [&] { w.c().post_json(path_of(x, "end"), json::object(), w.prov); });
  EXPECT_NE(ended.find(id_of(x)), std::string::npos) << ended;
  EXPECT_NE(ended.find("\"state\":\"ended\""), std::string::npos) << ended;
  EXPECT_EQ(w.c().post_json(path_of(yid, "end"), json::object(), w.prov2).status, 200);
  EXPECT_EQ(w.c().post_json(path_of(zid, "end"), json::object(), w.city2).status, 200);
  EXPECT_EQ(w.c().post_json(path_of(vid, "end"), json::object(), w.city2).status, 200);
}

// The dashboard reads a session's Janus events as server-sent events, pushed by hazmond's own long
// poll: more sessions at once than calls.max_long_polls (4) allows long polls, each hears its
// join; a session destroyed through the proxy ends its stream; another's session is 404.
TEST(CallApi, JanusEventsArePushedAsServerSentEvents) {
  NEED_JANUS();
  auto r = place(w, "enterprise", kA, w.county);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto cj = w.c().post_json(path_of(id, "join"), json::object(), w.county);
  ASSERT_EQ(cj.status, 200) << cj.body;
  auto room = cj.json()["room"].get<long long>();
  constexpr int kStreams = 6;
  std::vector<ProxySession> sessions;
  for (int i = 0; i < kStreams; ++i) sessions.push_back(open_session(w, w.county));
  std::atomic<int> opened{0};
  std::vector<std::string> got(kStreams);
  std::vector<std::thread> readers;
  for (int i = 0; i < kStreams; ++i)
    readers.emplace_back([&, i] {
      got[i] = w.c().read_stream("/api/v1/janus/" + sessions[i].session + "/events", w.county,
                                 "\"videoroom\":\"joined\"", std::chrono::seconds(90),
                                 [&] { ++opened; });
    });
  for (int i = 0; i < 1200 && opened < kStreams; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(opened.load(), kStreams);
  // Held streams take no worker: the API answers meanwhile.
  EXPECT_EQ(w.c().get(path_of(id), w.county).status, 200);
  for (const auto& s : sessions)
    EXPECT_EQ(proxy_message(w, s,
                            {{"request", "join"},
                             {"room", room},
                             {"ptype", "publisher"},
                             {"token", cj.json()["token"]}},
                            w.county)
                  .status,
              200);
  for (auto& t : readers) t.join();
  for (int i = 0; i < kStreams; ++i) {
    EXPECT_NE(got[i].find("event: janus"), std::string::npos) << got[i];
    EXPECT_NE(got[i].find("\"sender\":" + sessions[i].handle), std::string::npos) << got[i];
  }
  // Another's session: 404, as for the long poll.
  EXPECT_TRUE(problem(w.c().get("/api/v1/janus/" + sessions[0].session + "/events", w.other_city),
                      404, "not_found"));
  // Destroyed through the proxy: its stream ends (the last chunk comes).
  auto ended = w.c().read_stream(
      "/api/v1/janus/" + sessions[1].session + "/events", w.county, "\r\n0\r\n\r\n",
      std::chrono::seconds(60), [&] {
        w.c().post_json("/api/v1/janus/" + sessions[1].session, {{"janus", "destroy"}}, w.county);
      });
  EXPECT_NE(ended.find("\r\n0\r\n\r\n"), std::string::npos) << ended;
  ASSERT_EQ(w.c().post_json(path_of(id, "end"), json::object(), w.county).status, 200);
}

// Last: it moves the shared clock past the ring timeout.
TEST(CallApi, ACallNobodyAnswersEndsAsUnanswered) {
  NEED_JANUS();
  auto r = place(w, "enterprise", kB, w.city);
  ASSERT_EQ(r.status, 201) << r.body;
  auto id = r.json()["id"].get<long long>();
  auto j = w.c().post_json(path_of(id, "join"), json::object(), w.city);
  ASSERT_EQ(j.status, 200) << j.body;
  auto room = j.json()["room"].get<long long>();
  w.srv->clock().advance(std::chrono::seconds(59));
  EXPECT_EQ(w.c().get(path_of(id), w.user_b).json()["state"], "ringing");
  w.srv->clock().advance(std::chrono::seconds(2));
  auto after = w.c().get(path_of(id), w.user_b);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.json()["state"], "ended");
  EXPECT_EQ(after.json()["end_reason"], "unanswered");
  EXPECT_EQ(after.json()["ended_by"], "system");
  EXPECT_FALSE(w.room_exists(room));
}
