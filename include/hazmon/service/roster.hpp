#pragma once
// The notice's roster: attachment 1 is the master list of enterprises; attachments 2–4 name
// enterprises for further tasks, spelled differently at times. Reconciliation matches exactly,
// then by normalised name, and reports every fuzzy match and every unmatched row.
#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hazmon/core/clock.hpp>
#include <hazmon/model/scope.hpp>

namespace hazmon::storage {
class Database;
}

namespace hazmon::service {

struct RosterRow {
  int attachment = 1;
  int seq = 0;
  std::string region;  // city name as printed; empty in attachment 3
  std::string name;
  std::string batch;  // attachment 1 only
};

enum class MatchKind { exact, normalised, unmatched };
std::string_view to_string(MatchKind k);

struct RosterMatch {
  RosterRow row;
  MatchKind kind = MatchKind::unmatched;
  std::string master_name;  // the attachment-1 name it matched
  std::string note;         // region disagreement, ambiguity, closest candidate
};

// Full-width brackets to ASCII, whitespace removed, a trailing bracketed suffix dropped, other
// brackets unwrapped, and the words 责任, 股份 and 集团 removed.
std::string normalise_enterprise_name(std::string_view name);
// Dice coefficient over character bigrams, for suggesting (never applying) a candidate.
double name_similarity(std::string_view a, std::string_view b);

// Parses one attachment CSV (header line first). Throws core::Error on a malformed file.
std::vector<RosterRow> read_roster_csv(const std::filesystem::path& file, int attachment);
// The same from a stream; `source` names it in error messages.
std::vector<RosterRow> read_roster_csv(std::istream& in, const std::string& source, int attachment);

// Matches `rows` (attachments 2–4) against `master` (attachment 1).
std::vector<RosterMatch> reconcile(const std::vector<RosterRow>& master,
                                   const std::vector<RosterRow>& rows);

struct AttachmentSummary {
  int attachment = 0;
  int rows = 0, exact = 0, normalised = 0, unmatched = 0;
};

struct RosterReport {
  std::vector<AttachmentSummary> summaries;
  std::vector<RosterMatch> fuzzy;      // normalised matches, for a person to confirm
  std::vector<RosterMatch> unmatched;  // rows that created nothing
  int enterprises_created = 0;
  int tasks_created = 0;
  std::string to_text() const;
};

// Deadline the notice sets for the enterprises' five deployments.
inline constexpr const char* kDeploymentDeadline = "2021-10-31";

// GET /api/v1/deployment/connection: the region asked for ("" = the caller's own), one state to
// list, the silence window (absent: the configured default) and the page.
struct ConnectionRequest {
  std::string region_code;
  std::optional<std::string> state;  // not_connected, silent or connected
  std::optional<int> silent_hours;
  int limit = 100, offset = 0;
};

// `connection` in the config: the silence window of the connection status, its default and the
// widest a request may ask for (a wider one would show a gateway silent for weeks as connected).
struct ConnectionSettings {
  int silent_hours = 24;
  int max_silent_hours = 168;
  // A city platform without a forwarded upload for this long is silent (GET
  // /api/v1/city-platforms); a request may ask for 1 to max_silent_hours × 60 minutes.
  int city_platform_silent_minutes = 15;
};
void from_json(const nlohmann::json& j, ConnectionSettings& s);

class RosterService {
 public:
  explicit RosterService(storage::Database& db, ConnectionSettings connection = {})
      : db_(db), connection_(connection) {}
  // The connection status's "now" (the system clock until set; tests move a FakeClock).
  void set_clock(const core::Clock* clock) { clock_ = clock; }
  // Loads the four attachments from `dir` in one transaction; idempotent (a second import
  // creates nothing and keeps task statuses).
  RosterReport import(const std::filesystem::path& dir);
  // Counts by city and by task within the caller's scope.
  nlohmann::json progress(const model::Principal& who);
  nlohmann::json list_tasks(const model::Principal& who, const std::string& company_code);
  nlohmann::json update_task(const model::Principal& who, const std::string& company_code,
                             const std::string& task, const nlohmann::json& body);

  // 接入状态 of the expected enterprises (roster_connection.cpp): counts per sub-region and a
  // page, not-connected ones first.
  nlohmann::json connection_status(const model::Principal& who, const ConnectionRequest& q);
  // 市级部署任务: a city officer reads and updates its own city's, the province all.
  nlohmann::json city_duties(const model::Principal& who, const std::optional<std::string>& city,
                             bool overdue_only);
  nlohmann::json update_city_duty(const model::Principal& who, const std::string& city,
                                  const std::string& duty, const nlohmann::json& body);
  // The province's view of its city platforms (city_platforms.cpp, docs/federation.md "Province
  // side"): each city_platform credential with what it forwarded. The province all, a city
  // officer its own city's; absent silent_minutes: connection.city_platform_silent_minutes.
  nlohmann::json city_platforms(const model::Principal& who, std::optional<int> silent_minutes);
  // Roster rows of attachments 2-4 with a suggestion for the unmatched ones, and their
  // resolution (confirm the suggestion, pick another enterprise or create one), which creates
  // the row's deployment task. Province or the row's city.
  nlohmann::json roster_rows(const model::Principal& who,
                             const std::optional<std::string>& match_kind);
  nlohmann::json resolve_row(const model::Principal& who, int attachment, int seq,
                             const nlohmann::json& body);

 private:
  storage::Database& db_;
  ConnectionSettings connection_;
  const core::Clock* clock_ = nullptr;
};

}  // namespace hazmon::service
