#pragma once
// Video calls between duty rooms (可视化调度, ADR 0031, docs/calls.md). A duty room is a region
// (the province, a city or a county: its officers) or an enterprise (its users).
#include <optional>
#include <string>
#include <vector>

#include <hazmon/core/clock.hpp>

namespace hazmon::model {

struct DutyRoom {
  std::string kind;         // "region" or "enterprise"
  std::string code;         // GB/T 2260 code or company code
  std::string name;         // 山西省, 太原市, the enterprise's name ("" when unknown)
  std::string region_code;  // the region itself, or the enterprise's county
  bool operator==(const DutyRoom& o) const { return kind == o.kind && code == o.code; }
};

struct CallParticipant {
  long long id = 0;
  std::optional<long long> user_id;
  std::string user_name;
  std::string side;  // "caller" or "callee"
  core::SysTime joined_at{};
  std::optional<core::SysTime> left_at;
};

struct DutyCall {
  long long id = 0;
  std::optional<long long> caller_user_id;
  std::string caller_name;
  DutyRoom caller, callee;
  long long janus_room = 0;
  std::string state;  // ringing, active, ended
  core::SysTime started_at{};
  std::optional<core::SysTime> answered_at, ended_at;
  std::optional<std::string> ended_by, end_reason;
  std::vector<CallParticipant> participants;
  bool incoming = false;  // for the reader: placed to the reader's duty room
};

}  // namespace hazmon::model
