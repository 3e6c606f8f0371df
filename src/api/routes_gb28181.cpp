// GB/T 28181 devices (国标设备, docs/gb28181.md): filed by the registry's writers under their scope
// (POST /api/v1/gb28181/devices, PATCH and DELETE …/{id}), read by people with their status
// (derived from what the SIP server received) and the channels of their last catalog. The SIP
// password is write-only: rows show `has_password`.
#include <hazmon/api/api.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/service/gb28181_service.hpp>

#include "route_names.hpp"

namespace hazmon::api {

namespace {
// The body's fields; unknown fields and wrong types are 422 with pointers.
service::GbDeviceInput device_input(const json& body) {
  if (!body.is_object()) throw Error(Errc::validation_failed, "the body must be an object");
  service::GbDeviceInput in;
  std::vector<core::FieldError> errors;
  for (const auto& [key, value] : body.items()) {
    std::optional<std::string>* field = key == "device_id"      ? &in.device_id
                                        : key == "company_code" ? &in.company_code
                                        : key == "name"         ? &in.name
                                        : key == "kind"         ? &in.kind
                                        : key == "password"     ? &in.password
                                                                : nullptr;
    if (!field) {
      errors.push_back({"/" + key, "unknown field"});
      continue;
    }
    if (!value.is_string()) {
      errors.push_back({"/" + key, "must be a string"});
      continue;
    }
    *field = value.get<std::string>();
  }
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the device is not valid", std::move(errors));
  return in;
}

// A channel made a camera: name, scene_type, analysers (an array), record; 422 with pointers.
service::GbCameraInput camera_input(const json& body) {
  if (!body.is_object()) throw Error(Errc::validation_failed, "the body must be an object");
  service::GbCameraInput in;
  std::vector<core::FieldError> errors;
  for (const auto& [key, value] : body.items()) {
    if (key == "name" || key == "scene_type") {
      if (!value.is_string())
        errors.push_back({"/" + key, "must be a string"});
      else
        (key == "name" ? in.name : in.scene_type) = value.get<std::string>();
    } else if (key == "analysers") {
      if (!value.is_array() || value.size() > 16)
        errors.push_back({"/analysers", "an array of at most 16 analysers"});
      else
        in.analysers = value.dump();
    } else if (key == "record") {
      if (!value.is_boolean())
        errors.push_back({"/record", "must be true or false"});
      else
        in.record = value.get<bool>();
    } else {
      errors.push_back({"/" + key, "unknown field"});
    }
  }
  if (!errors.empty())
    throw Error(Errc::validation_failed, "the camera is not valid", std::move(errors));
  return in;
}

const std::string& channel_param(Request& req) {
  const auto& v = req.params["channel_id"];
  if (v.size() != 20 || v.find_first_not_of("0123456789") != std::string::npos)
    throw Error(Errc::not_found, "no such channel");
  return v;
}
}  // namespace

void add_gb28181_routes(http::Router& r, ApiContext& ctx) {
  if (!ctx.gb28181) return;
  auto& gs = *ctx.gb28181;
  r.add("GET", "/api/v1/gb28181/devices",
        authed(ctx, "", [&gs](Request& req, const Principal& who) {
          check_query(req, {"company_code"});
          auto items = gs.list(who, query_opt(req, "company_code"));
          auto total = items.size();
          return json_response(200, {{"items", std::move(items)}, {"total", total}});
        }));
  r.add("POST", "/api/v1/gb28181/devices",
        authed(ctx, "gb28181.create", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          auto in = device_input(parse_json_body(req));
          return json_response(201, gs.create(who, in));
        }));
  r.add("GET", "/api/v1/gb28181/devices/{id}",
        authed(ctx, "", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          return json_response(200, gs.get(who, id_param(req, "device")));
        }));
  r.add("PATCH", "/api/v1/gb28181/devices/{id}",
        authed(ctx, "gb28181.update", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "device");
          auto in = device_input(parse_json_body(req));
          return json_response(200, gs.update(who, id, in));
        }));
  // Live video (ADR 0034): a channel of the device becomes a camera whose stream the SIP server
  // INVITEs; DELETE deactivates it (the SIP server sends BYE).
  r.add("POST", "/api/v1/gb28181/devices/{id}/channels/{channel_id}/camera",
        authed(ctx, "gb28181.camera.create", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "device");
          const auto& channel = channel_param(req);
          auto in = camera_input(parse_json_body(req));
          return json_response(201, gs.make_camera(who, id, channel, in));
        }));
  r.add("DELETE", "/api/v1/gb28181/devices/{id}/channels/{channel_id}/camera",
        authed(ctx, "gb28181.camera.delete", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          auto id = id_param(req, "device");
          gs.remove_camera(who, id, channel_param(req));
          return http::Response::no_content();
        }));
  r.add("DELETE", "/api/v1/gb28181/devices/{id}",
        authed(ctx, "gb28181.delete", [&gs](Request& req, const Principal& who) {
          check_query(req, {});
          gs.remove(who, id_param(req, "device"));
          return http::Response::no_content();
        }));
}

}  // namespace hazmon::api
