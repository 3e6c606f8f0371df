#pragma once
// Warning notifications and duty contacts as the service hands them to the API: a row of the
// outbox `notification` and a duty contact `notify_contact` (storage::NotificationStore reads
// them, the routes turn them into JSON).
#include <optional>
#include <string>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/warning.hpp>

namespace hazmon::model {

// A notification as GET /notifications lists it.
struct NotificationRow {
  long long id = 0, warning_event_id = 0;
  std::string event_no, company_code, company_name, push_reason, channel, recipient, recipient_name,
      recipient_level, subject, body, status;
  int attempts = 0;
  core::SysTime next_attempt_at{}, created_at{};
  std::optional<std::string> last_error;
  std::optional<core::SysTime> sent_at;
};

// A message of a circular (its publication, withdrawal or reminder) to one person on one channel,
// as GET /circulars/{id}/notifications lists it (docs/circulars.md).
struct CircularDelivery {
  long long id = 0;
  std::string company_code, push_reason, channel, recipient, recipient_name, status;
  int attempts = 0;
  std::optional<std::string> last_error;
  core::SysTime created_at{};
  std::optional<core::SysTime> sent_at;
};

// A duty contact as the API shows it.
struct ContactRow {
  long long id = 0;
  std::string level;
  std::optional<std::string> company_code, company_name, region_code;
  std::string name;
  std::optional<std::string> phone, email;
  std::string channels;  // JSON array text
  WarningLevel min_level = WarningLevel::blue;
  bool is_active = true;
  std::string note;
  core::SysTime created_at{}, updated_at{};
};

}  // namespace hazmon::model
