// The 18 key processes and the coverage check (issue 12, 附件5 §1–§4; docs/processes.md): the
// catalogue, which processes each enterprise and unit runs (registry writers under their scope),
// and per enterprise and per region which required points are connected and which are missing.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/process_service.hpp>

#include "file_download.hpp"
#include "process_json.hpp"
#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using model::Principal;
using nlohmann::json;

namespace {
std::string string_field(const json& body, const char* key, bool required,
                         std::vector<core::FieldError>& problems) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) problems.push_back({std::string("/") + key, "required"});
    return {};
  }
  if (!it->is_string()) {
    problems.push_back({std::string("/") + key, "expected a string"});
    return {};
  }
  return it->get<std::string>();
}
}  // namespace

void add_process_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.processes) return;
  auto& ps = *ctx.processes;
  r.add("GET", "/api/v1/processes", authed(ctx, "", [&ps](Request& req, const Principal&) {
          check_query(req, {});
          return json_response(200, catalogue_json(ps.catalogue()));
        }));
  r.add("GET", "/api/v1/enterprise-processes",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"company_code"});
          auto q = query_subset(req, {"company_code"});
          std::optional<std::string> company;
          if (q.count("company_code")) company = q["company_code"];
          json items = json::array();
          for (const auto& p : ps.list(who, company)) items.push_back(enterprise_process_json(p));
          return json_response(200, {{"items", items}});
        }));
  r.add(
      "POST", "/api/v1/enterprise-processes",
      authed(ctx, "process.assign", [&ps](Request& req, const Principal& who) {
        check_query(req, {});
        auto body = parse_json_body(req);
        if (!body.is_object())
          throw Error(Errc::validation_failed, "expected an object", {{"", "expected an object"}});
        std::vector<core::FieldError> problems;
        for (auto& [k, v] : body.items())
          if (k != "company_code" && k != "prodcell_id" && k != "process_code")
            problems.push_back({"/" + k, "unknown field"});
        auto company =
            string_field(body, "company_code", who.role != model::Role::enterprise_user, problems);
        if (company.empty() && who.scope.kind == model::ScopeKind::enterprise)
          company = who.scope.company_code;
        auto process = string_field(body, "process_code", true, problems);
        std::optional<std::string> cell;
        if (body.contains("prodcell_id") && !body["prodcell_id"].is_null())
          cell = string_field(body, "prodcell_id", false, problems);
        if (!problems.empty()) throw Error(Errc::validation_failed, "invalid process", problems);
        return json_response(201, enterprise_process_json(ps.add(who, company, cell, process)));
      }));
  r.add("DELETE", "/api/v1/enterprise-processes/{id}",
        authed(ctx, "process.unassign", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          ps.remove(who, id_param(req, "process entry"));
          return http::Response::no_content();
        }));
  r.add("GET", "/api/v1/coverage", authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"group_by"});
          return json_response(
              200, coverage_summary_json(ps.summary(who, query_or(req, "group_by", "city"))));
        }));
  // Counted in the statistics (统计分析): the same figures per region, also as CSV / XLSX.
  r.add("GET", "/api/v1/statistics/coverage",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {"group_by", "format"});
          auto format = query_or(req, "format", "json");
          if (format != "json" && format != "csv" && format != "xlsx")
            throw Error(Errc::bad_request, "format must be one of json, csv, xlsx");
          auto s = ps.summary(who, query_or(req, "group_by", "city"));
          if (format == "json") return json_response(200, coverage_statistics_json(s));
          return table_download(format, coverage_tables(s), "coverage-" + s.group_by,
                                "接入完整性-" + s.group_by);
        }));
  r.add("GET", "/api/v1/coverage/enterprises/{code}",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(
              200, enterprise_coverage_json(ps.enterprise_coverage(who, req.params["code"])));
        }));
}

}  // namespace hazmon::api
