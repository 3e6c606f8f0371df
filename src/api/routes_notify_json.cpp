#include "routes_notify_json.hpp"

#include <hazmon/core/time_format.hpp>

#include "json_values.hpp"

namespace hazmon::api {
using json_values::or_null;
using json_values::time_or_null;
using nlohmann::json;

json notification_json(const model::NotificationRow& n) {
  return {{"id", n.id},
          {"warning_event_id", n.warning_event_id},
          {"event_no", n.event_no},
          {"company_code", n.company_code},
          {"company_name", n.company_name},
          {"push_reason", n.push_reason},
          {"channel", n.channel},
          {"recipient", n.recipient},
          {"recipient_name", n.recipient_name},
          {"recipient_level", n.recipient_level},
          {"subject", n.subject},
          {"body", n.body},
          {"status", n.status},
          {"attempts", n.attempts},
          {"next_attempt_at", core::format_rfc3339_pg(n.next_attempt_at)},
          {"last_error", or_null(n.last_error)},
          {"created_at", core::format_rfc3339_pg(n.created_at)},
          {"sent_at", time_or_null(n.sent_at)}};
}

json contact_json(const model::ContactRow& c) {
  return {{"id", c.id},
          {"level", c.level},
          {"company_code", or_null(c.company_code)},
          {"company_name", or_null(c.company_name)},
          {"region_code", or_null(c.region_code)},
          {"name", c.name},
          {"phone", or_null(c.phone)},
          {"email", or_null(c.email)},
          {"channels", json::parse(c.channels)},
          {"min_level", model::to_string(c.min_level)},
          {"is_active", c.is_active},
          {"note", c.note},
          {"created_at", core::format_rfc3339_pg(c.created_at)},
          {"updated_at", core::format_rfc3339_pg(c.updated_at)}};
}

}  // namespace hazmon::api
