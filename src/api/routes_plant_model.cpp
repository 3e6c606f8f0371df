// 3-D plant models (三维倾斜摄影, docs/plant-models.md, ADR 0030): a 3D Tiles tileset uploaded
// as one ZIP under /api/v1/upload/ (where the large request bodies are allowed), listed per
// enterprise, and its files served to the dashboard's Cesium viewer inside the caller's scope.
#include <hazmon/api/api.hpp>

#include <hazmon/api/response_cache.hpp>
#include <hazmon/core/time_format.hpp>
#include <hazmon/service/audit_log.hpp>
#include <hazmon/service/plant_model_service.hpp>

#include "route_names.hpp"

namespace hazmon::api {

namespace {

// The file route has one pattern per depth: the router matches whole segments.
constexpr std::size_t kMaxFileSegments = model::kMaxPlantModelDepth;

json model_json(const model::PlantModel& m) {
  auto base = "/api/v1/plant-models/" + std::to_string(m.id);
  return {{"id", m.id},
          {"company_code", m.company_code},
          {"company_name", m.company_name},
          {"name", m.name},
          {"uploaded_by", m.uploaded_by},
          {"uploaded_at", core::format_rfc3339(m.uploaded_at)},
          {"archive_bytes", m.archive_bytes},
          {"size_bytes", m.size_bytes},
          {"file_count", m.file_count},
          {"status", m.status},
          {"bounding_volume", json::parse(m.bounding, nullptr, false)},
          {"longitude", m.longitude ? json(*m.longitude) : json(nullptr)},
          {"latitude", m.latitude ? json(*m.latitude) : json(nullptr)},
          {"tileset_url", base + "/files/" + m.root_path}};
}

std::string company_param(Request& req) {
  const auto& code = req.params["code"];
  if (code.size() != 11 || code.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::not_found, "no such enterprise");
  return code;
}

// The file's path from the {p1}…{pN} segments; a "." or ".." segment is absent, like any path
// that names no file of the model.
std::string file_path(Request& req) {
  std::string path;
  for (std::size_t i = 1; i <= kMaxFileSegments; ++i) {
    auto it = req.params.find("p" + std::to_string(i));
    if (it == req.params.end()) break;
    if (it->second == "." || it->second == ".." || it->second.find('/') != std::string::npos)
      throw Error(Errc::not_found, "no such file");
    path += (path.empty() ? "" : "/") + it->second;
  }
  if (path.empty() || path.size() > model::kMaxPlantModelPath)
    throw Error(Errc::not_found, "no such file");
  return path;
}

}  // namespace

void add_plant_model_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.plant_models) return;
  auto& ps = *ctx.plant_models;
  // The ZIP as the body (application/zip); ?name= the model's name.
  r.add("POST", "/api/v1/upload/enterprises/{code}/plant-models",
        authed(ctx, "plant_model.upload", [&ctx, &ps](Request& req, const Principal& who) {
          check_query(req, {"name"});
          auto code = company_param(req);
          auto type = std::string(req.header("content-type"));
          if (auto semi = type.find(';'); semi != std::string::npos) type.resize(semi);
          while (!type.empty() && type.back() == ' ') type.pop_back();
          if (type != "application/zip" && type != "application/x-zip-compressed")
            throw Error(Errc::unsupported_media, "the body is a ZIP archive (application/zip)");
          auto m = ps.upload(who, code, query_or(req, "name", ""), req.body);
          // authed() leaves /api/v1/upload/ out of the audit log: the upload is recorded here.
          auto a = audit_entry(req, who, 201, "plant_model.upload", code);
          a.detail =
              json{{"model_id", m.id}, {"files", m.file_count}, {"bytes", m.size_bytes}}.dump();
          ctx.audit.record(a);
          return json_response(201, model_json(m));
        }));
  r.add("GET", "/api/v1/enterprises/{code}/plant-models",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          auto code = company_param(req);
          json items = json::array();
          for (const auto& m : ps.list(who, code)) items.push_back(model_json(m));
          auto total = items.size();
          return json_response(200, {{"items", std::move(items)}, {"total", total}});
        }));
  r.add("GET", "/api/v1/plant-models/{id}",
        authed(ctx, "", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, model_json(ps.get(who, id_param(req, "plant model"))));
        }));
  r.add("DELETE", "/api/v1/plant-models/{id}",
        authed(ctx, "plant_model.delete", [&ps](Request& req, const Principal& who) {
          check_query(req, {});
          ps.remove(who, id_param(req, "plant model"));
          return http::Response::no_content();
        }));
  // A file of the model: one literal pattern per depth (the router matches whole segments),
  // the first written out for the route check (tests/openapi_check.py).
  auto serve = authed(ctx, "", [&ps](Request& req, const Principal& who) {
    check_query(req, {});
    auto id = id_param(req, "plant model");
    auto f = ps.file(who, id, file_path(req));
    // A model's files never change (a new upload is a new model): the browser keeps them for a
    // day and then asks again; shared caches never (they are scoped).
    http::Response resp;
    auto etag = "\"" + f.sha256 + "\"";
    resp.headers.emplace_back("ETag", etag);
    resp.headers.emplace_back("Cache-Control", "private, max-age=86400");
    resp.headers.emplace_back("Vary", "Authorization");
    if (auto inm = req.header("if-none-match"); !inm.empty() && etag_matches(inm, etag)) {
      resp.status = 304;
      resp.content_type.clear();
      return resp;
    }
    resp.status = 200;
    resp.content_type = f.content_type;
    resp.body = std::move(f.bytes);
    return resp;
  });
  r.add("GET", "/api/v1/plant-models/{id}/files/{p1}", serve);
  std::string pattern = "/api/v1/plant-models/{id}/files/{p1}";
  for (std::size_t i = 2; i <= kMaxFileSegments; ++i) {
    pattern += "/{p" + std::to_string(i) + "}";
    r.add("GET", pattern, serve);
  }
}

}  // namespace hazmon::api
