#pragma once
// Inside gb28181 only: the text of the live-video dialog (ADR 0034), GB/T 28181-2016 §9.2 and
// annex F: the INVITE with its SDP offer (RTP/AVP over UDP, payload 96 PS/90000, recvonly, the
// y= SSRC), the ACK of a final answer and the BYE that ends the call. Written as text like the
// server's other requests; answers are read with parse_sip().
#include <string>

namespace hazmon::gb28181 {

// What every request of one call shares.
struct Dialog {
  std::string request_uri;  // sip:<channel>@<device ip:port>
  std::string via_host;     // our address as the device sees it, with our SIP port: "ip:port"
  std::string from;         // our From value, with our tag
  std::string to;           // the To value: before the answer without a tag, then the answer's
  std::string call_id;
};

// The SDP offer: receive PS over RTP on media_ip:media_port, SSRC `ssrc`.
std::string sdp_offer(const std::string& sip_id, const std::string& media_ip,
                      unsigned short media_port, const std::string& ssrc);
std::string invite_text(const Dialog& d, const std::string& branch, const std::string& sip_id,
                        const std::string& channel_id, const std::string& ssrc,
                        const std::string& sdp);
// ACK of a final answer (a 2xx: its own branch; another: the INVITE's branch, RFC 3261 17.1.1.3).
std::string ack_text(const Dialog& d, const std::string& branch);
std::string bye_text(const Dialog& d, const std::string& branch, long long cseq);

// The m=video port of an SDP answer, 0 when there is none (the device would send nothing).
int sdp_video_port(const std::string& sdp);

}  // namespace hazmon::gb28181
