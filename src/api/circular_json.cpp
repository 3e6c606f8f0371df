#include "circular_json.hpp"

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>

#include <map>

#include "json_values.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using core::FieldError;
using json_values::opt;
using nlohmann::json;

namespace {
const char* kind_name(const std::string& key) {
  for (const auto& k : model::circular_kinds())
    if (key == k.key) return k.name;
  return "";
}

json region_json(const storage::CircularRegionCount& r) {
  return {{"region_code", r.region_code},   {"region_name", r.region_name},
          {"circulars", r.circulars},       {"recipients", r.recipients},
          {"acknowledged", r.acknowledged}, {"unacknowledged", r.unacknowledged},
          {"overdue", r.overdue},           {"acknowledged_late", r.acknowledged_late}};
}
}  // namespace

service::CircularDraft circular_draft_from_json(const json& body, bool create) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the circular must be an object",
                {{"", "expected {title, body, kind, company_codes, ack_deadline}"}});
  std::vector<FieldError> errors;
  service::CircularDraft d;
  for (auto& [k, v] : body.items()) {
    if (k == "title" || k == "body" || k == "kind") {
      if (!v.is_string()) {
        errors.push_back({"/" + k, "must be a string"});
        continue;
      }
      auto s = v.get<std::string>();
      (k == "title" ? d.title : k == "body" ? d.body : d.kind) = s;
    } else if (k == "ack_deadline") {
      if (v.is_null()) {
        d.ack_deadline = std::optional<core::SysTime>();
      } else if (!v.is_string()) {
        errors.push_back({"/ack_deadline", "must be a time or null"});
      } else if (auto t = core::parse_time(v.get<std::string>())) {
        d.ack_deadline = std::optional<core::SysTime>(*t);
      } else {
        errors.push_back({"/ack_deadline", "must be a time (RFC 3339 or yyyy-MM-dd HH:mm:ss)"});
      }
    } else if (k == "company_codes") {
      if (!v.is_array()) {
        errors.push_back({"/company_codes", "must be an array of enterprise codes"});
        continue;
      }
      std::vector<std::string> codes;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || v[i].get<std::string>().empty() ||
            v[i].get<std::string>().size() > 32)
          errors.push_back({"/company_codes/" + std::to_string(i), "must be an enterprise code"});
        else
          codes.push_back(v[i].get<std::string>());
      }
      d.company_codes = std::move(codes);
    } else {
      errors.push_back({"/" + k, "title, body, kind, company_codes and ack_deadline only"});
    }
  }
  if (create && !body.contains("title")) errors.push_back({"/title", "is required"});
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the circular is not valid", std::move(errors));
  return d;
}

json circular_json(const model::Circular& c, core::SysTime now) {
  bool overdue = c.state == "published" && c.ack_deadline && *c.ack_deadline < now &&
                 c.acknowledged < c.recipients;
  return {{"id", c.id},
          {"issuer_region", opt(c.issuer_region)},
          {"issuer_name", c.issuer_name},
          {"kind", c.kind},
          {"kind_name", kind_name(c.kind)},
          {"title", c.title},
          {"body", c.body},
          {"state", c.state},
          {"ack_deadline", opt(c.ack_deadline)},
          {"created_by", c.created_by},
          {"created_at", core::format_rfc3339(c.created_at)},
          {"updated_at", core::format_rfc3339(c.updated_at)},
          {"published_by", opt(c.published_by)},
          {"published_at", opt(c.published_at)},
          {"withdrawn_by", opt(c.withdrawn_by)},
          {"withdrawn_at", opt(c.withdrawn_at)},
          {"withdraw_reason", opt(c.withdraw_reason)},
          {"recipients", c.recipients},
          {"acknowledged", c.acknowledged},
          {"unacknowledged", c.recipients - c.acknowledged},
          // Acknowledged after the deadline, in the list too (attack 13.27).
          {"acknowledged_late", c.acknowledged_late},
          {"overdue", overdue}};
}

json circular_recipient_json(const model::Circular& c, const model::CircularRecipient& r,
                             core::SysTime now) {
  return {{"company_code", r.company_code},
          {"company_name", r.company_name},
          {"region_code", r.region_code},
          {"acknowledged", r.acknowledged_at.has_value()},
          {"acknowledged_at", opt(r.acknowledged_at)},
          {"acknowledged_by", opt(r.acknowledged_by)},
          {"reply", opt(r.reply)},
          {"overdue", model::recipient_overdue(c, r, now)},
          {"late", model::recipient_late(c, r)}};
}

json circular_attachment_json(long long circular_id, const model::CircularAttachment& a) {
  return {{"id", a.id},
          {"name", a.name},
          {"content_type", a.content_type},
          {"size_bytes", a.size_bytes},
          {"sha256", a.sha256},
          {"uploaded_by", a.uploaded_by},
          {"uploaded_at", core::format_rfc3339(a.uploaded_at)},
          {"href", "/api/v1/circulars/" + std::to_string(circular_id) + "/attachments/" +
                       std::to_string(a.id)}};
}

json circular_detail_json(const service::CircularDetail& d, core::SysTime now) {
  auto j = circular_json(d.circular, now);
  json recipients = json::array(), attachments = json::array(), pending = json::array();
  long long late = 0;
  for (const auto& r : d.recipients) {
    recipients.push_back(circular_recipient_json(d.circular, r, now));
    if (!r.acknowledged_at) pending.push_back(r.company_code);
    if (model::recipient_late(d.circular, r)) ++late;
  }
  for (const auto& a : d.attachments)
    attachments.push_back(circular_attachment_json(d.circular.id, a));
  j["recipient_list"] = std::move(recipients);
  j["unacknowledged_codes"] = std::move(pending);
  j["acknowledged_late"] = late;  // of the recipients the caller sees
  j["attachments"] = std::move(attachments);
  j["manageable"] = d.manageable;
  return j;
}

json circular_summary_json(const service::CircularSummary& s) {
  json regions = json::array();
  for (const auto& r : s.regions) regions.push_back(region_json(r));
  return {{"at", core::format_rfc3339(s.at)},
          {"group_by", s.by_city ? "city" : "county"},
          {"regions", std::move(regions)},
          {"total", region_json(s.total)}};
}

namespace {
// "circular_published" -> "published".
std::string step_of(const std::string& push_reason) {
  const std::string prefix = "circular_";
  return push_reason.rfind(prefix, 0) == 0 ? push_reason.substr(prefix.size()) : push_reason;
}

json delivery_json(const model::CircularDelivery& m) {
  return {{"id", m.id},
          {"step", step_of(m.push_reason)},
          {"channel", m.channel},
          {"recipient", m.recipient},
          {"recipient_name", m.recipient_name},
          {"status", m.status},
          {"attempts", m.attempts},
          {"last_error", opt(m.last_error)},
          {"created_at", core::format_rfc3339(m.created_at)},
          {"sent_at", opt(m.sent_at)}};
}
}  // namespace

json circular_deliveries_json(const service::CircularDeliveries& d) {
  const bool draft = d.circular.state == "draft";
  json items = json::array(), unreachable = json::array();
  std::map<std::string, long long> totals = {{"sent", 0}, {"pending", 0}, {"failed", 0}};
  for (const auto& r : d.recipients) {
    json messages = json::array();
    bool told = false;
    for (const auto& m : d.messages) {
      if (m.company_code != r.company_code) continue;
      messages.push_back(delivery_json(m));
      told = told || m.push_reason == "circular_published";
      ++totals[m.status];
    }
    if (!draft && !told) unreachable.push_back(r.company_code);
    items.push_back({{"company_code", r.company_code},
                     {"company_name", r.company_name},
                     {"acknowledged", r.acknowledged_at.has_value()},
                     {"reachable", draft ? json(nullptr) : json(told)},
                     {"messages", std::move(messages)}});
  }
  return {{"circular_id", d.circular.id},
          {"state", d.circular.state},
          {"notify_enabled", d.enabled},
          {"items", std::move(items)},
          {"unreachable_codes", std::move(unreachable)},
          {"totals", totals}};
}

}  // namespace hazmon::api
