#pragma once
// The names the handlers of a routes_*.cpp use (errors, requests, principals, JSON and list
// pages), declared once with the request helpers they come with.
#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>
#include <hazmon/http/message.hpp>
#include <hazmon/model/scope.hpp>

#include "json_values.hpp"
#include "request_helpers.hpp"

namespace hazmon::api {
using core::Errc;
using core::Error;
using http::Request;
using json_values::page_json;
using model::Principal;
using nlohmann::json;
}  // namespace hazmon::api
