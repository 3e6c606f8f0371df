#pragma once
// SIP messages as hazmond's GB/T 28181 server reads and writes them (docs/gb28181.md). Parsing is
// libosip2's (osipparser2, ADR 0029); its types stay inside src/gb28181. A request is reduced to
// the fields the server uses; responses and requests are written as text.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hazmon::gb28181 {

// RFC 2617 Authorization: Digest fields, unquoted.
struct DigestCredentials {
  std::string username, realm, nonce, uri, response, algorithm, qop, nc, cnonce;
};

struct SipMessage {
  bool is_request = false;
  std::string method;       // requests: REGISTER, MESSAGE, ...
  int status = 0;           // responses
  std::string request_uri;  // requests: as sent
  std::string from_user, from_host, to_user;
  std::string from_header, to_header;  // whole values, for the response
  bool to_has_tag = false;
  std::string call_id;
  long long cseq = 0;
  std::string cseq_method;
  std::vector<std::string> vias;  // whole values, in order
  std::optional<int> expires;     // the Expires header
  std::optional<DigestCredentials> authorization;
  std::string content_type;  // "type/subtype", lower case
  std::string body;
};

// nullopt when libosip2 refuses the text or a header the server needs (From, To, Call-ID, CSeq,
// Via) is missing; `error` says which.
std::optional<SipMessage> parse_sip(std::string_view text, std::string* error = nullptr);

// A response to `req`: its Via, From, To (with `to_tag` added when it had none), Call-ID and
// CSeq, then `extra` header lines (each without CRLF), Content-Length 0.
std::string sip_response(const SipMessage& req, int status, std::string_view reason,
                         std::string_view to_tag, const std::vector<std::string>& extra = {});

// The user part of a SIP URI ("sip:34020000001320000001@3402000000" -> the id); empty if none.
std::string sip_uri_user(std::string_view uri);

}  // namespace hazmon::gb28181
