#include <hazmon/model/commitment.hpp>

#include <array>
#include <regex>
#include <utility>

namespace hazmon::model {

const std::vector<WorkKind>& special_work_kinds() {
  static const std::vector<WorkKind> k = {
      {"hot_special", "特级动火"},     {"hot_1", "一级动火"},     {"hot_2", "二级动火"},
      {"confined_space", "受限空间"},  {"blinding", "盲板抽堵"},  {"height_1", "Ⅰ级高处"},
      {"height_2", "Ⅱ级高处"},         {"height_3", "Ⅲ级高处"},   {"height_4", "Ⅳ级高处"},
      {"lifting_1", "一级吊装"},       {"lifting_2", "二级吊装"}, {"lifting_3", "三级吊装"},
      {"temporary_power", "临时用电"}, {"excavation", "动土"},    {"road_closure", "断路"},
  };
  return k;
}

namespace {
constexpr std::array<std::pair<CommitterRole, const char*>, 4> kRoles = {{
    {CommitterRole::principal, "principal"},
    {CommitterRole::technical, "technical"},
    {CommitterRole::operations, "operations"},
    {CommitterRole::enterprise_principal, "enterprise_principal"},
}};
}  // namespace

const char* to_string(CommitterRole r) {
  for (const auto& [v, s] : kRoles)
    if (v == r) return s;
  return "principal";
}
std::optional<CommitterRole> committer_role_from_string(std::string_view s) {
  for (const auto& [v, n] : kRoles)
    if (s == n) return v;
  return std::nullopt;
}

std::vector<core::FieldError> check_commitment(const Commitment& c) {
  std::vector<core::FieldError> out;
  auto count = [&](int v, const std::string& pointer) {
    if (v < 0 || v > kMaxCount)
      out.push_back({pointer, "must be a count from 0 to " + std::to_string(kMaxCount)});
  };
  const std::pair<int, const char*> units[] = {
      {c.units_total, "total"},     {c.units_running, "running"}, {c.units_stopped, "stopped"},
      {c.units_startup, "startup"}, {c.units_trial, "trial"},     {c.units_overhaul, "overhaul"}};
  for (const auto& [v, k] : units) count(v, std::string("/units/") + k);
  const auto& kinds = special_work_kinds();
  for (std::size_t i = 0; i < kinds.size() && i < c.work.size(); ++i)
    count(c.work[i], std::string("/special_work/") + kinds[i].key);
  if (out.empty() &&
      c.units_running + c.units_stopped + c.units_startup + c.units_trial + c.units_overhaul !=
          c.units_total)
    out.push_back(
        {"/units/total", "running + stopped + startup + trial + overhaul must equal total (" +
                             std::to_string(c.units_total) + ")"});
  if (c.key_process_count < 0 || c.key_process_count > kMaxKeyProcesses)
    out.push_back({"/key_process_count", "must be 0 to 18 (the key processes)"});
  auto blank = [](const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; };
  if (blank(c.committer)) out.push_back({"/committer", "the committer (承诺人) is required"});
  if (blank(c.duty_leader)) out.push_back({"/duty_leader", "the duty leader is required"});
  static const std::regex phone(R"(^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$)");
  if (!std::regex_match(c.duty_phone, phone))
    out.push_back({"/duty_phone", "must be a mobile (11 digits) or a fixed line (0351-1234567)"});
  return out;
}

}  // namespace hazmon::model
