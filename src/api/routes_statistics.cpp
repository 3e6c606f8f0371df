// The overview (总览) and the statistics API (统计分析), every answer cut to the caller's scope;
// `format=csv|xlsx` downloads the same rows through the report module (ADR 0016).
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/report/table.hpp>
#include <hazmon/service/statistics_result.hpp>
#include <hazmon/service/statistics_service.hpp>

#include "file_download.hpp"
#include "read_cached.hpp"
#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using http::Response;
using model::Principal;

namespace {
std::string format_of(const Request& req) {
  auto it = req.query.find("format");
  if (it == req.query.end() || it->second.empty() || it->second == "json") return "json";
  if (it->second == "csv" || it->second == "xlsx") return it->second;
  throw Error(Errc::bad_request, "format must be one of json, csv, xlsx");
}

Response answer(const std::string& format, service::StatisticsResult r) {
  if (format == "json") return json_response(200, r.body);
  return table_download(format, r.tables, r.ascii_file_name, r.file_name);
}

service::StatQuery query_of(const Request& req) { return {req.query.begin(), req.query.end()}; }
}  // namespace

void add_statistics_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.statistics) return;
  auto& s = *ctx.statistics;
  // The figures and the map's markers, from the response cache (ADR 0018) for at most
  // statistics.overview_cache_ms and never across a registry write; without the cache, from the
  // service's own per-scope reuse.
  r.add("GET", "/api/v1/overview",
        authed(ctx, "",
               read_cached(ctx, Freshness::live,
                           [&ctx, &s](Request& req, const Principal& who) {
                             check_query(req, {});
                             if (ctx.response_cache) return json_response(200, s.overview(who));
                             return Response::json(200, *s.overview_text(who));
                           })),
        http::Exec::worker, read_cached_early(ctx, Freshness::live));
  r.add("GET", "/api/v1/statistics/trend",
        authed(ctx, "", [&s](Request& req, const Principal& who) {
          check_query(req,
                      {"metric", "bucket", "from", "to", "region_code", "company_code", "format"});
          auto format = format_of(req);
          return answer(format, s.trend(who, query_of(req)));
        }));
  // One route per metric (written out: tests/openapi_check.py reads the paths from these calls).
  auto grouped = [&ctx, &s](const char* metric) {
    return authed(ctx, "", [&s, metric](Request& req, const Principal& who) {
      check_query(req, {"group_by", "period", "from", "to", "region_code", "company_code", "limit",
                        "format"});
      auto format = format_of(req);
      return answer(format, s.grouped(who, metric, query_of(req)));
    });
  };
  r.add("GET", "/api/v1/statistics/alarms", grouped("alarms"));
  r.add("GET", "/api/v1/statistics/warnings", grouped("warnings"));
  r.add("GET", "/api/v1/statistics/video-events", grouped("video-events"));
  r.add("GET", "/api/v1/statistics/ranking",
        authed(ctx, "", [&s](Request& req, const Principal& who) {
          check_query(req, {"by", "from", "to", "region_code", "limit", "format"});
          auto format = format_of(req);
          return answer(format, s.ranking(who, query_of(req)));
        }));
  r.add("GET", "/api/v1/statistics/video-review",
        authed(ctx, "", [&s](Request& req, const Principal& who) {
          check_query(req, {"by", "from", "to", "region_code", "company_code", "limit", "format"});
          auto format = format_of(req);
          return answer(format, s.video_review(who, query_of(req)));
        }));
  r.add("GET", "/api/v1/statistics/disposal",
        authed(ctx, "", [&s](Request& req, const Principal& who) {
          check_query(req, {"by", "from", "to", "region_code", "company_code", "limit", "format"});
          auto format = format_of(req);
          return answer(format, s.disposal(who, query_of(req)));
        }));
  r.add("GET", "/api/v1/statistics/five-systems",
        authed(ctx, "", [&s](Request& req, const Principal& who) {
          check_query(req, {"by", "from", "to", "region_code", "format"});
          auto format = format_of(req);
          return answer(format, s.five_systems(who, query_of(req)));
        }));
}

}  // namespace hazmon::api
