#pragma once
// Inside http only: hazmon's Request and Response to and from Beast's messages.
#include <boost/beast/http.hpp>

#include <string>

#include <hazmon/http/message.hpp>

namespace hazmon::http {
namespace bhttp = boost::beast::http;

// The answer as Beast writes it, with the headers every answer carries (request id, security
// headers, Cache-Control no-store unless the handler set one); `head`: the body is dropped.
bhttp::response<bhttp::string_body> to_beast(const Response& r, unsigned version, bool keep_alive,
                                             const std::string& request_id, bool head);
// The same for an answer with a shared body (r.shared_body set): Beast writes the caller's bytes
// in place, so `r` must outlive the write.
bhttp::response<bhttp::span_body<const char>> to_beast_shared(const Response& r, unsigned version,
                                                              bool keep_alive,
                                                              const std::string& request_id,
                                                              bool head);

// The whole answer, status line, fields and body, in one buffer: written as one, it leaves the
// TLS layer in full records (Beast's flat_stream sends a header that does not fit in 16 KB with
// its body as a record and a segment of its own).
std::string serialize(const bhttp::response<bhttp::span_body<const char>>& res);

// The request as handlers see it: header names in lower case, the client's X-Request-Id when
// it is sane (else a new one); takes the body.
Request to_request(bhttp::request<bhttp::string_body>& breq, const std::string& client_addr);

}  // namespace hazmon::http
