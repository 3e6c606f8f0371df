#include <hazmon/gb28181/sip_message.hpp>

#include <osipparser2/osip_parser.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdarg>
#include <memory>
#include <mutex>

namespace hazmon::gb28181 {

namespace {
// libosip2's trace sink: nothing (see init_parser).
void quiet(const char*, int, osip_trace_level_t, const char*, va_list) {}

void init_parser() {
  static std::once_flag once;
  std::call_once(once, [] {
    parser_init();
    // libosip2 writes a line to stderr for every message it cannot parse: anyone on the network
    // could fill the journal with them. Refusals are counted in /metrics instead. Disabling the
    // levels alone leaves libosip2's default sink (stdout) in place, so the sink is replaced too.
    osip_trace_initialize_func(TRACE_LEVEL0, quiet);
    for (int l = TRACE_LEVEL0; l < END_TRACE_LEVEL; ++l)
      osip_trace_disable_level(static_cast<osip_trace_level_t>(l));
  });
}

struct MessageFree {
  void operator()(osip_message_t* m) const { osip_message_free(m); }
};

// A libosip2 *_to_str result as a std::string (freed).
template <typename T, typename F>
std::string to_str(const T* header, F fn) {
  if (!header) return {};
  char* s = nullptr;
  if (fn(header, &s) != 0 || !s) return {};
  std::string out(s);
  osip_free(s);
  return out;
}

std::string unquote(const char* s) {
  if (!s) return {};
  std::string v(s);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}
}  // namespace

std::optional<SipMessage> parse_sip(std::string_view text, std::string* error) {
  auto fail = [&](const char* why) -> std::optional<SipMessage> {
    if (error) *error = why;
    return std::nullopt;
  };
  init_parser();
  osip_message_t* raw = nullptr;
  if (osip_message_init(&raw) != 0) return fail("out of memory");
  std::unique_ptr<osip_message_t, MessageFree> m(raw);
  if (osip_message_parse(m.get(), text.data(), text.size()) != 0) return fail("not a SIP message");
  SipMessage out;
  out.is_request = MSG_IS_REQUEST(m.get());
  if (out.is_request) {
    if (!m->sip_method) return fail("no method");
    out.method = m->sip_method;
    out.request_uri = to_str(m->req_uri, osip_uri_to_str);
  } else {
    out.status = m->status_code;
  }
  if (!m->from || !m->from->url || !m->to || !m->to->url) return fail("no From or To");
  if (!m->call_id || !m->cseq || !m->cseq->number || !m->cseq->method)
    return fail("no Call-ID or CSeq");
  out.from_user = m->from->url->username ? m->from->url->username : "";
  out.from_host = m->from->url->host ? m->from->url->host : "";
  out.to_user = m->to->url->username ? m->to->url->username : "";
  out.from_header = to_str(m->from, osip_from_to_str);
  out.to_header = to_str(m->to, osip_from_to_str);
  osip_generic_param_t* tag = nullptr;
  out.to_has_tag = osip_to_get_tag(m->to, &tag) == 0 && tag;
  out.call_id = to_str(m->call_id, osip_call_id_to_str);
  auto number = std::string_view(m->cseq->number);
  if (std::from_chars(number.data(), number.data() + number.size(), out.cseq).ec != std::errc{})
    return fail("bad CSeq");
  out.cseq_method = m->cseq->method;
  for (int pos = 0;; ++pos) {
    osip_via_t* via = nullptr;
    if (osip_message_get_via(m.get(), pos, &via) < 0 || !via) break;
    out.vias.push_back(to_str(via, osip_via_to_str));
  }
  if (out.is_request && out.vias.empty()) return fail("no Via");
  osip_header_t* expires = nullptr;
  if (osip_message_get_expires(m.get(), 0, &expires) >= 0 && expires && expires->hvalue) {
    std::string_view v(expires->hvalue);
    int e = 0;
    if (std::from_chars(v.data(), v.data() + v.size(), e).ec != std::errc{} || e < 0)
      return fail("bad Expires");
    out.expires = e;
  }
  osip_authorization_t* auth = nullptr;
  if (osip_message_get_authorization(m.get(), 0, &auth) >= 0 && auth) {
    DigestCredentials c;
    c.username = unquote(osip_authorization_get_username(auth));
    c.realm = unquote(osip_authorization_get_realm(auth));
    c.nonce = unquote(osip_authorization_get_nonce(auth));
    c.uri = unquote(osip_authorization_get_uri(auth));
    c.response = unquote(osip_authorization_get_response(auth));
    c.algorithm = unquote(osip_authorization_get_algorithm(auth));
    c.qop = unquote(osip_authorization_get_message_qop(auth));
    c.nc = unquote(osip_authorization_get_nonce_count(auth));
    c.cnonce = unquote(osip_authorization_get_cnonce(auth));
    out.authorization = std::move(c);
  }
  if (auto* ct = m->content_type; ct && ct->type && ct->subtype)
    out.content_type = lower(std::string(ct->type) + "/" + ct->subtype);
  osip_body_t* body = nullptr;
  if (osip_message_get_body(m.get(), 0, &body) >= 0 && body && body->body)
    out.body.assign(body->body, body->length);
  // Whatever is copied into a response goes back as it came, so no line breaks may hide in it.
  for (const auto* s : {&out.from_header, &out.to_header, &out.call_id, &out.cseq_method})
    if (has_control(*s)) return fail("control characters in a header");
  for (const auto& v : out.vias)
    if (has_control(v)) return fail("control characters in Via");
  return out;
}

std::string sip_response(const SipMessage& req, int status, std::string_view reason,
                         std::string_view to_tag, const std::vector<std::string>& extra) {
  std::string r = "SIP/2.0 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
  for (const auto& v : req.vias) r += "Via: " + v + "\r\n";
  r += "From: " + req.from_header + "\r\n";
  r += "To: " + req.to_header;
  if (!req.to_has_tag && !to_tag.empty()) r += ";tag=" + std::string(to_tag);
  r += "\r\n";
  r += "Call-ID: " + req.call_id + "\r\n";
  r += "CSeq: " + std::to_string(req.cseq) + " " + req.cseq_method + "\r\n";
  for (const auto& h : extra) r += h + "\r\n";
  r += "User-Agent: hazmond\r\nContent-Length: 0\r\n\r\n";
  return r;
}

std::string sip_uri_user(std::string_view uri) {
  auto colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  auto rest = uri.substr(colon + 1);
  auto at = rest.find('@');
  if (at == std::string_view::npos) return {};
  return std::string(rest.substr(0, at));
}

}  // namespace hazmon::gb28181
