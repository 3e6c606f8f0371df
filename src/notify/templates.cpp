#include <hazmon/notify/templates.hpp>

#include <hazmon/core/time_format.hpp>

#include <chrono>
#include <cstdio>

namespace hazmon::notify {
namespace {
const char* status_zh(const std::string& s) {
  if (s == "pending_review") return "待审核";
  if (s == "pending") return "待推送";
  if (s == "pushed") return "待企业反馈";
  if (s == "fed_back") return "待县区核查";
  if (s == "checked") return "待办结";
  if (s == "closed") return "已办结";
  return "处置中";
}

const char* recipient_zh(const std::string& r) {
  if (r == "enterprise") return "企业";
  if (r == "county") return "县区";
  if (r == "city") return "市";
  if (r == "province") return "省";
  return "";
}

const char* rank_zh(const std::optional<int>& rank) {
  if (!rank) return "";
  switch (*rank) {
    case 1:
      return "一级";
    case 2:
      return "二级";
    case 3:
      return "三级";
    case 4:
      return "四级";
  }
  return "";
}

std::string link_of(const model::WarningEvent& ev, const TemplateSettings& s) {
  return dashboard_link(s, "/warning-events/" + std::to_string(ev.id));
}

// "液氯罐区" → "液氯罐区"; with the enterprise: "某化工有限公司液氯罐区".
std::string where_of(const model::WarningEvent& ev) {
  std::string out = ev.company_name;
  if (out.empty()) out = ev.company_code;
  if (ev.hazard_name)
    out += *ev.hazard_name;
  else if (ev.prodcell_name)
    out += *ev.prodcell_name;  // a non-major unit's event (ADR 0019)
  return out;
}

std::string recipients_zh(const std::vector<model::ActorKind>& recipients) {
  std::string out;
  for (auto r : recipients)
    out += std::string(out.empty() ? "" : "、") + recipient_zh(model::to_string(r));
  return out;
}
}  // namespace

std::string level_name_zh(std::string_view level) {
  if (level == "red") return "红色预警";
  if (level == "orange") return "橙色预警";
  if (level == "yellow") return "黄色预警";
  if (level == "blue") return "蓝色预警";
  return "预警";
}

std::string dashboard_link(const TemplateSettings& s, const std::string& path) {
  if (s.dashboard_url.empty()) return {};
  std::string base = s.dashboard_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

std::string local_minute(const std::string& rfc3339) {
  using namespace std::chrono;
  auto t = core::parse_time(rfc3339);
  if (!t) return rfc3339;
  auto local = floor<minutes>(*t) + hours(8);
  auto day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss hms{local - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()));
  return buf;
}

Rendered render_warning(const model::WarningPush& push, Channel channel,
                        const TemplateSettings& s) {
  const model::WarningEvent& ev = push.event;
  const std::string& reason = push.push_reason;
  const std::string level = level_name_zh(model::to_string(ev.level));
  const std::string where = where_of(ev);
  const std::string& content = ev.content;
  const std::string& event_no = ev.event_no;
  const std::string deadline =
      ev.deadline_ts ? local_minute(core::format_rfc3339_pg(*ev.deadline_ts)) : std::string();
  const std::string link = link_of(ev, s);
  const std::string escalations = std::to_string(ev.escalation_count);
  const bool video = ev.source == model::WarningSource::video_ai;

  std::string headline;  // what happened, in one sentence
  std::string tag;       // subject prefix
  if (reason == "escalated") {
    headline =
        where + "的" + level + "（编号" + event_no + "）逾期未处置，已第" + escalations + "次升级";
    tag = "逾期升级·" + level;
  } else if (reason == "level_raised") {
    headline = where + "的预警已升级为" + level + "（编号" + event_no + "）";
    tag = "预警升级·" + level;
  } else {
    headline = where + "发生" + level + "（编号" + event_no + "）";
    tag = level;
  }
  std::string ask = reason == "escalated" ? "请相关单位督促企业立即处置" : "请立即核实处置";
  if (!deadline.empty()) ask += "，并于" + deadline + "前反馈";

  Rendered r;
  r.subject = "【" + tag + "】" + where;
  if (channel == Channel::sms) {
    r.body = s.sms_prefix + headline + "：" + content + ask + "。";
    if (!link.empty()) r.body += "详情：" + link;
    return r;
  }
  std::string b;
  b += headline + "。\n\n";
  b += "事件编号：" + event_no + "\n";
  b += "预警级别：" + level + "\n";
  b += "企业名称：" + ev.company_name + "（" + ev.company_code + "）\n";
  if (ev.hazard_name && !ev.hazard_name->empty()) {
    b += "重大危险源：" + *ev.hazard_name;
    if (const char* rk = rank_zh(ev.hazard_rank); *rk) b += std::string("（") + rk + "）";
    b += "\n";
  }
  if (ev.prodcell_name && !ev.prodcell_name->empty())
    b += "非重大危险源单元：" + *ev.prodcell_name + "\n";
  else if (ev.source == model::WarningSource::sensor && !ev.hazard_code)
    b += "监测对象：企业级监测点（非重大危险源）\n";
  b += std::string("预警来源：") + (video ? "视频智能分析（经人工审核确认）" : "在线监测数据") +
       "\n";
  b += "预警内容：" + content + "\n";
  b += "首次报警：" + local_minute(core::format_rfc3339_pg(ev.first_ts)) + "\n";
  b += std::string("处置状态：") + status_zh(model::to_string(ev.status));
  if (ev.overdue) b += "（已逾期）";
  b += "\n";
  if (!deadline.empty()) b += "处置期限：" + deadline + "\n";
  if (auto who = recipients_zh(push.recipients); !who.empty()) b += "通知范围：" + who + "\n";
  b += "\n" + ask + "。\n";
  if (!link.empty()) b += "查看详情：" + link + "\n";
  b += kMailFooter;
  r.body = std::move(b);
  return r;
}

}  // namespace hazmon::notify
