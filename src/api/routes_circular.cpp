// Circulars (信息通报, docs/circulars.md): drafted, edited, published and withdrawn by the
// province or a city (/api/v1/circulars…), acknowledged (签收) by the named enterprises' users,
// read under the scope rules; attachments uploaded as raw bytes under /api/v1/upload/ (where the
// large request bodies are allowed) and downloaded by whoever reads the circular.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/circular_service.hpp>

#include "circular_json.hpp"
#include "file_download.hpp"
#include "route_names.hpp"

namespace hazmon::api {

namespace {
long long attachment_param(Request& req) {
  const auto& id = req.params["attachment_id"];
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::not_found, "no such attachment");
  return std::stoll(id);
}

// {reason} of a withdrawal, {reply} of an acknowledgement: that one optional string only.
std::optional<std::string> text_field(const json& body, const char* key) {
  if (!body.is_object())
    throw Error(Errc::validation_failed, "the body must be an object",
                {{"", std::string("expected {") + key + "}"}});
  std::vector<core::FieldError> errors;
  for (auto& [k, v] : body.items())
    if (k != key) errors.push_back({"/" + k, std::string(key) + " only"});
  if (body.contains(key) && !body[key].is_string() && !body[key].is_null())
    errors.push_back({std::string("/") + key, "must be a string"});
  if (!errors.empty()) throw Error(Errc::validation_failed, "the body is not valid", errors);
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  return body[key].get<std::string>();
}

// An ASCII file name for Content-Disposition: the stored name's ASCII letters, digits, dots,
// dashes and underscores, or "attachment-<id>" with the type's extension.
std::string ascii_name(const model::CircularAttachment& a) {
  std::string out;
  for (unsigned char ch : a.name)
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
        ch == '.' || ch == '-' || ch == '_')
      out += static_cast<char>(ch);
  if (out.empty() || out.front() == '.' || out.find('.') == std::string::npos) {
    const char* ext = a.content_type == "application/pdf" ? ".pdf"
                      : a.content_type == "image/png"     ? ".png"
                      : a.content_type == "image/jpeg"    ? ".jpg"
                                                          : ".xlsx";
    out = "attachment-" + std::to_string(a.id) + ext;
  }
  return out;
}

// The list, a new draft, the per-region summary and one circular. The summary comes before
// /circulars/{id}: the first route that matches answers.
void add_list_routes(http::Router& r, ApiContext& ctx, service::CircularService& cs) {
  r.add("GET", "/api/v1/circulars", authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(
              req, {"state", "kind", "company_code", "unacknowledged", "mine", "limit", "offset"});
          auto [limit, offset] = query_page(req);
          storage::CircularFilter f;
          f.state = query_opt(req, "state");
          f.kind = query_opt(req, "kind");
          f.company_code = query_opt(req, "company_code");
          f.unacknowledged = query_flag(req, "unacknowledged").value_or(false);
          f.issued_by_me = query_flag(req, "mine").value_or(false);
          auto page = cs.list(who, f, limit, offset);
          auto now = cs.now();
          return json_response(
              200, page_json(
                       page, [&](const auto& c) { return circular_json(c, now); }, limit, offset));
        }));
  r.add("POST", "/api/v1/circulars",
        authed(ctx, "circular.create", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto body = parse_json_body(req);
          auto d = cs.create(who, circular_draft_from_json(body, true));
          return json_response(201, circular_detail_json(d, cs.now()));
        }));
  r.add("GET", "/api/v1/circulars/summary",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {"group_by"});
          auto group = query_or(req, "group_by", "county");
          if (group != "county" && group != "city")
            throw Error(Errc::bad_request, "group_by must be county or city");
          return json_response(200, circular_summary_json(cs.summary(who, group == "city")));
        }));
  r.add("GET", "/api/v1/circulars/{id}", authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          return json_response(200, circular_detail_json(cs.get(who, id), cs.now()));
        }));
}

// Editing a draft, publishing, withdrawing (the issuer) and acknowledging (the enterprise).
void add_workflow_routes(http::Router& r, ApiContext& ctx, service::CircularService& cs) {
  r.add("PATCH", "/api/v1/circulars/{id}",
        authed(ctx, "circular.update", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          auto body = parse_json_body(req);
          auto d = cs.edit(who, id, circular_draft_from_json(body, false));
          return json_response(200, circular_detail_json(d, cs.now()));
        }));
  r.add("POST", "/api/v1/circulars/{id}/publish",
        authed(ctx, "circular.publish", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          return json_response(200, circular_detail_json(cs.publish(who, id), cs.now()));
        }));
  r.add("POST", "/api/v1/circulars/{id}/withdraw",
        authed(ctx, "circular.withdraw", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          auto reason = text_field(parse_json_body(req), "reason");
          return json_response(
              200, circular_detail_json(cs.withdraw(who, id, reason.value_or("")), cs.now()));
        }));
  r.add("POST", "/api/v1/circulars/{id}/acknowledgement",
        authed(ctx, "circular.acknowledge", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          auto reply = text_field(parse_json_body(req, true), "reply");
          return json_response(200, circular_detail_json(cs.acknowledge(who, id, reply), cs.now()));
        }));
}

// Who was named and who has signed, filtered by acknowledged and overdue; what was sent to them.
void add_recipient_routes(http::Router& r, ApiContext& ctx, service::CircularService& cs) {
  r.add("GET", "/api/v1/circulars/{id}/recipients",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {"acknowledged", "overdue"});
          auto id = id_param(req, "circular");
          auto d = cs.get(who, id);
          auto now = cs.now();
          auto acked = query_flag(req, "acknowledged");
          bool overdue = query_flag(req, "overdue").value_or(false);
          json items = json::array();
          for (const auto& rc : d.recipients) {
            if (acked && rc.acknowledged_at.has_value() != *acked) continue;
            if (overdue && !model::recipient_overdue(d.circular, rc, now)) continue;
            items.push_back(circular_recipient_json(d.circular, rc, now));
          }
          return json_response(
              200, {{"circular_id", id},
                    {"state", d.circular.state},
                    {"ack_deadline", d.circular.ack_deadline
                                         ? json(core::format_rfc3339(*d.circular.ack_deadline))
                                         : json(nullptr)},
                    {"items", items},
                    {"total", items.size()}});
        }));
  // The SMS and e-mail sent for it (docs/circulars.md), for its issuer.
  r.add("GET", "/api/v1/circulars/{id}/notifications",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          return json_response(200, circular_deliveries_json(cs.deliveries(who, id)));
        }));
}

void add_attachment_routes(http::Router& r, ApiContext& ctx, service::CircularService& cs) {
  // Raw bytes with their Content-Type; under /api/v1/upload/ for the large body limit.
  r.add("POST", "/api/v1/upload/circulars/{id}/attachments",
        authed(ctx, "circular.attach", [&cs](Request& req, const Principal& who) {
          check_query(req, {"name"});
          auto id = id_param(req, "circular");
          auto type = std::string(req.header("content-type"));
          if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
          while (!type.empty() && type.back() == ' ') type.pop_back();
          auto a = cs.attach(who, id, query_or(req, "name", ""), type, req.body);
          return json_response(201, circular_attachment_json(id, a));
        }));
  r.add("GET", "/api/v1/circulars/{id}/attachments/{attachment_id}",
        authed(ctx, "", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          auto aid = attachment_param(req);
          auto [a, bytes] = cs.download(who, id, aid);
          return file_download(std::move(bytes), a.content_type.c_str(), ascii_name(a), a.name);
        }));
  r.add("DELETE", "/api/v1/circulars/{id}/attachments/{attachment_id}",
        authed(ctx, "circular.detach", [&cs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "circular");
          cs.detach(who, id, attachment_param(req));
          return http::Response::no_content();
        }));
}
}  // namespace

void add_circular_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.circulars) return;
  auto& cs = *ctx.circulars;
  add_list_routes(r, ctx, cs);
  add_workflow_routes(r, ctx, cs);
  add_recipient_routes(r, ctx, cs);
  add_attachment_routes(r, ctx, cs);
}

}  // namespace hazmon::api
