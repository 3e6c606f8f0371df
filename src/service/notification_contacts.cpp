// Duty contacts (值班联系人) for NotificationService: the checks of a contact, and list, create,
// replace and delete for the province admin (all) and city officers (their city).
#include <hazmon/core/error.hpp>
#include <hazmon/notify/templates.hpp>
#include <hazmon/storage/database.hpp>
#include <hazmon/storage/notification_store.hpp>

#include <algorithm>
#include <regex>
#include <set>

#include "notification_detail.hpp"

namespace hazmon::service::notification_detail {
using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
constexpr const char* kTiers[] = {"enterprise", "county", "city", "province"};
constexpr const char* kLevels[] = {"blue", "yellow", "orange", "red"};  // ascending severity
}  // namespace

int level_rank(const std::string& level) {
  for (int i = 0; i < 4; ++i)
    if (level == kLevels[i]) return i;
  return -1;
}

bool is_tier(const std::string& t) {
  return std::find_if(std::begin(kTiers), std::end(kTiers),
                      [&](const char* k) { return t == k; }) != std::end(kTiers);
}

namespace {
// Who may see and edit duty contacts: the province admin everywhere, city officers in their city.
void contacts_allowed(const model::Principal& who) {
  if (who.role == model::Role::province_admin) return;
  if (who.role == model::Role::city_officer && who.scope.kind == model::ScopeKind::region) return;
  throw Error(Errc::forbidden, "duty contacts are kept by the province admin and city officers");
}

// A contact as stored: every field checked, all complaints at once (422 with a pointer each).
struct ContactInput {
  std::string level, name, min_level = "blue", note;
  std::optional<std::string> company_code, region_code, phone, email;
  json channels = json::array({"sms"});
  bool is_active = true;
};

// channels (default ["sms"]), and the address each one needs.
void check_channels(const json& body, ContactInput& c, std::vector<core::FieldError>& bad) {
  if (body.contains("channels")) {
    const auto& v = body["channels"];
    std::set<std::string> seen;
    if (!v.is_array() || v.empty() || v.size() > 2) {
      bad.push_back({"/channels", "a non-empty array of sms and email"});
    } else {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || !notify::channel_from_string(v[i].get<std::string>()) ||
            !seen.insert(v[i].get<std::string>()).second)
          bad.push_back({"/channels/" + std::to_string(i), "sms or email, each once"});
      }
      c.channels = v;
    }
    if (seen.count("sms") && !c.phone) bad.push_back({"/phone", "required for the sms channel"});
    if (seen.count("email") && !c.email)
      bad.push_back({"/email", "required for the email channel"});
  } else if (!c.phone) {
    bad.push_back({"/phone", "required for the sms channel (the default)"});
  }
}

ContactInput parse_contact(const json& body) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", "expected an object"}});
  static const std::set<std::string> kFields = {
      "level", "company_code", "region_code", "name",      "phone",
      "email", "channels",     "min_level",   "is_active", "note"};
  static const std::regex kPhone("^1[3-9][0-9]{9}$");
  static const std::regex kEmail(R"(^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$)");
  static const std::regex kCompany("^[0-9A-Za-z]{11}$");
  std::vector<core::FieldError> bad;
  for (auto& [k, v] : body.items())
    if (!kFields.count(k)) bad.push_back({"/" + k, "is not a field of a contact"});
  auto text = [&](const char* k, bool required, std::size_t max) -> std::optional<std::string> {
    if (!body.contains(k) || body[k].is_null()) {
      if (required) bad.push_back({std::string("/") + k, "required"});
      return std::nullopt;
    }
    if (!body[k].is_string() || body[k].get<std::string>().size() > max) {
      bad.push_back(
          {std::string("/") + k, "a string of at most " + std::to_string(max) + " bytes"});
      return std::nullopt;
    }
    return body[k].get<std::string>();
  };
  ContactInput c;
  auto level = text("level", true, 16);
  if (level && !is_tier(*level)) bad.push_back({"/level", "enterprise, county, city or province"});
  if (level) c.level = *level;
  auto name = text("name", true, 64);
  if (name && name->empty()) bad.push_back({"/name", "must not be empty"});
  if (name) c.name = *name;
  auto company = text("company_code", false, 11);
  auto region = text("region_code", false, 6);
  if (level && *level == "enterprise") {
    if (!company && !body.contains("company_code"))
      bad.push_back({"/company_code", "required for an enterprise contact"});
    else if (company && !std::regex_match(*company, kCompany))
      bad.push_back({"/company_code", "an 11-character enterprise code"});
    if (body.contains("region_code") && !body["region_code"].is_null())
      bad.push_back({"/region_code",
                     "an enterprise contact has no region code (its enterprise's region applies)"});
    c.company_code = company;
  } else if (level && is_tier(*level)) {
    if (!region && !body.contains("region_code")) {
      bad.push_back({"/region_code", "required for a " + *level + " contact"});
    } else if (region) {
      auto rl = model::region_level(*region);
      bool fits = rl && ((*level == "county" && *rl == model::RegionLevel::county) ||
                         (*level == "city" && *rl == model::RegionLevel::city) ||
                         (*level == "province" && *rl == model::RegionLevel::province));
      if (!fits) bad.push_back({"/region_code", "the 6-digit code of a " + *level});
    }
    if (body.contains("company_code") && !body["company_code"].is_null())
      bad.push_back({"/company_code", "only an enterprise contact names an enterprise"});
    c.region_code = region;
  }
  auto phone = text("phone", false, 11);
  if (phone && !std::regex_match(*phone, kPhone))
    bad.push_back({"/phone", "an 11-digit mainland mobile number"});
  c.phone = phone;
  auto email = text("email", false, 254);
  if (email && !std::regex_match(*email, kEmail)) bad.push_back({"/email", "an e-mail address"});
  c.email = email;
  check_channels(body, c, bad);
  if (auto ml = text("min_level", false, 8)) {
    if (level_rank(*ml) < 0) bad.push_back({"/min_level", "red, orange, yellow or blue"});
    c.min_level = *ml;
  }
  if (body.contains("is_active")) {
    if (!body["is_active"].is_boolean())
      bad.push_back({"/is_active", "true or false"});
    else
      c.is_active = body["is_active"].get<bool>();
  }
  if (auto note = text("note", false, 500)) c.note = *note;
  if (!bad.empty()) throw Error(Errc::validation_failed, "the contact is not valid", bad);
  return c;
}

// The enterprise or region of a contact must exist and lie in the caller's scope; outside it,
// it is treated as absent (422 on the field, as for registry references).
void check_contact_scope(const storage::NotificationStore& store, storage::Tx& tx,
                         const model::Principal& who, const ContactInput& c) {
  if (c.company_code) {
    auto region = store.enterprise_region(tx, *c.company_code);
    if (!region ||
        (who.scope.kind != model::ScopeKind::province && !who.scope.covers_region(*region)))
      throw Error(Errc::validation_failed, "no such enterprise",
                  {{"/company_code", "no such enterprise"}});
  } else if (c.region_code) {
    if (who.scope.kind != model::ScopeKind::province && !who.scope.covers_region(*c.region_code))
      throw Error(Errc::validation_failed, "region outside your scope",
                  {{"/region_code", "no such region in your scope"}});
  }
}

storage::ContactWrite write_of(const ContactInput& c) {
  return {c.level,
          c.name,
          c.company_code,
          c.region_code,
          c.phone,
          c.email,
          c.channels.dump(),
          model::warning_level_from_string(c.min_level).value_or(model::WarningLevel::blue),
          c.is_active,
          c.note};
}

model::ContactRow contact_by_id(const storage::NotificationStore& store, storage::Tx& tx,
                                const model::Principal& who, long long id) {
  auto row = store.contact(tx, who.scope, id);
  if (!row) throw Error(Errc::not_found, "no such contact");
  return std::move(*row);
}
}  // namespace

model::Page<model::ContactRow> list_contacts(storage::Database& db,
                                             const storage::NotificationStore& st,
                                             const model::Principal& who,
                                             const std::map<std::string, std::string>& filters,
                                             int limit, long long offset) {
  contacts_allowed(who);
  storage::ContactFilter f;
  for (const auto& [k, v] : filters) {
    if (k == "level") {
      if (!is_tier(v))
        throw Error(Errc::bad_request, "level must be enterprise, county, city or province");
      f.level = v;
    } else if (k == "company_code") {
      f.company_code = v;
    } else if (k == "region_code") {
      f.region_code = v;
    }
  }
  auto tx = db.begin();
  return st.contacts(tx, who.scope, f, limit, offset);
}

model::ContactRow create_contact(storage::Database& db, const storage::NotificationStore& st,
                                 const model::Principal& who, const json& body) {
  contacts_allowed(who);
  auto c = parse_contact(body);
  return db.in_tx([&](storage::Tx& tx) {
    check_contact_scope(st, tx, who, c);
    return contact_by_id(st, tx, who, st.add_contact(tx, write_of(c)));
  });
}

model::ContactRow replace_contact(storage::Database& db, const storage::NotificationStore& st,
                                  const model::Principal& who, long long id, const json& body) {
  contacts_allowed(who);
  return db.in_tx([&](storage::Tx& tx) {
    contact_by_id(st, tx, who, id);  // 404 first: a contact outside the scope does not exist
    auto c = parse_contact(body);
    check_contact_scope(st, tx, who, c);
    st.replace_contact(tx, id, write_of(c));
    return contact_by_id(st, tx, who, id);
  });
}

void delete_contact(storage::Database& db, const storage::NotificationStore& st,
                    const model::Principal& who, long long id) {
  contacts_allowed(who);
  db.in_tx([&](storage::Tx& tx) {
    contact_by_id(st, tx, who, id);
    st.delete_contact(tx, id);
  });
}

}  // namespace hazmon::service::notification_detail
