// Data quality (数据质量) and the daily and weekly reports (日报、周报). Scoped like every read:
// codes outside the caller's scope are 404, rows outside it are absent from every figure.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/service/data_quality.hpp>
#include <hazmon/service/report_service.hpp>

#include "file_download.hpp"
#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;
using nlohmann::json;

namespace {
void add_data_quality_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.data_quality) return;
  auto& dq = *ctx.data_quality;
  r.add("GET", "/api/v1/data-quality", authed(ctx, "", [&dq](Request& req, const Principal& who) {
          check_query(req, {"level", "from", "to", "company_code", "city_code", "bottom", "format",
                            "limit", "offset"});
          auto format = query_or(req, "format", "json");
          if (format != "json" && format != "csv" && format != "xlsx")
            throw Error(Errc::bad_request, "format must be json, csv or xlsx");
          service::DataQualityRequest q;
          q.level = query_or(req, "level", "enterprise");
          q.from = query_or(req, "from", "");
          q.to = query_or(req, "to", "");
          q.company_code = query_or(req, "company_code", "");
          q.city_code = query_or(req, "city_code", "");
          q.bottom = query_int(req, "bottom", 10, 1, 100);
          bool file = format != "json";
          q.limit =
              file ? dq.settings().max_export_rows + 1 : query_int(req, "limit", 100, 1, 1000);
          q.offset = file ? 0 : query_int(req, "offset", 0, 0, 1 << 30);
          q.with_totals = !file;
          q.with_bottom = format != "csv";
          auto res = dq.query(who, q);
          if (!file) return json_response(200, service::to_json(res));
          if (res.total > dq.settings().max_export_rows)
            throw Error(Errc::too_large, "the export would hold " + std::to_string(res.total) +
                                             " rows, more than " +
                                             std::to_string(dq.settings().max_export_rows) +
                                             "; ask for a shorter period or a higher level");
          std::vector<report::Table> tables{service::items_table(res)};
          if (format == "xlsx") tables.push_back(service::bottom_table(res));
          return table_download(
              format, tables, "data-quality-" + res.level + "-" + res.from_text + "-" + res.to_text,
              std::string("数据质量_") +
                  (res.level == "point"  ? "点位"
                   : res.level == "city" ? "城市"
                                         : "企业") +
                  "_" + res.from_text + "_" + res.to_text);
        }));
}
void add_report_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.reports) return;
  auto& rs = *ctx.reports;
  r.add("GET", "/api/v1/reports", authed(ctx, "", [&rs](Request& req, const Principal& who) {
          check_query(req, {"kind", "limit", "offset"});
          return json_response(
              200, rs.list(who, query_or(req, "kind", ""), query_int(req, "limit", 50, 1, 500),
                           query_int(req, "offset", 0, 0, 1 << 30)));
        }));
  r.add("POST", "/api/v1/reports",
        authed(ctx, "report.generate", [&rs](Request& req, const Principal& who) {
          check_query(req, {});
          auto row = rs.generate(who, parse_json_body(req));
          return json_response(201, rs.to_json(row, true));
        }));
  // /api/v1/reports/42 (JSON), 42.html, 42.xlsx, 42.pdf.
  r.add(
      "GET", "/api/v1/reports/{id}", authed(ctx, "", [&rs](Request& req, const Principal& who) {
        check_query(req, {});
        std::string id = req.params["id"];
        std::string ext;
        if (auto dot = id.find('.'); dot != std::string::npos) {
          ext = id.substr(dot + 1);
          id = id.substr(0, dot);
        }
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
          throw Error(Errc::not_found, "no such report");
        if (!ext.empty() && ext != "html" && ext != "xlsx" && ext != "pdf")
          throw Error(Errc::bad_request, "a report downloads as .html, .xlsx or .pdf");
        auto row = rs.get(who, std::stoll(id));
        if (ext.empty()) return json_response(200, rs.to_json(row, true));
        std::string stem = "report-" + row.kind + "-" + std::to_string(row.id);
        if (ext == "html") {
          Response resp;
          resp.content_type = "text/html; charset=utf-8";
          resp.body = rs.html(row);
          return resp;
        }
        if (ext == "xlsx") return file_download(rs.xlsx(row), kXlsxType, stem + ".xlsx");
        return file_download(rs.pdf(row), "application/pdf", stem + ".pdf");
      }));
}
}  // namespace

void add_quality_routes(http::Router& r, ApiContext& ctx) {
  add_data_quality_routes(r, ctx);
  add_report_routes(r, ctx);
}

}  // namespace hazmon::api
