#include "invite.hpp"

#include <sstream>

namespace hazmon::gb28181 {

namespace {
std::string head(const std::string& method, const Dialog& d, const std::string& branch,
                 long long cseq) {
  std::string m = method + " " + d.request_uri + " SIP/2.0\r\n";
  m += "Via: SIP/2.0/UDP " + d.via_host + ";rport;branch=z9hG4bK" + branch + "\r\n";
  m += "From: " + d.from + "\r\n";
  m += "To: " + d.to + "\r\n";
  m += "Call-ID: " + d.call_id + "\r\n";
  m += "CSeq: " + std::to_string(cseq) + " " + method + "\r\n";
  m += "Max-Forwards: 70\r\nUser-Agent: hazmond\r\n";
  return m;
}
}  // namespace

std::string sdp_offer(const std::string& sip_id, const std::string& media_ip,
                      unsigned short media_port, const std::string& ssrc) {
  return "v=0\r\no=" + sip_id + " 0 0 IN IP4 " + media_ip + "\r\ns=Play\r\nc=IN IP4 " + media_ip +
         "\r\nt=0 0\r\nm=video " + std::to_string(media_port) +
         " RTP/AVP 96\r\na=recvonly\r\na=rtpmap:96 PS/90000\r\ny=" + ssrc + "\r\n";
}

std::string invite_text(const Dialog& d, const std::string& branch, const std::string& sip_id,
                        const std::string& channel_id, const std::string& ssrc,
                        const std::string& sdp) {
  auto m = head("INVITE", d, branch, 1);
  m += "Contact: <sip:" + sip_id + "@" + d.via_host + ">\r\n";
  // §9.2.2: Subject names the media sender and its stream serial, then the receiver.
  m += "Subject: " + channel_id + ":" + ssrc + "," + sip_id + ":0\r\n";
  m += "Content-Type: APPLICATION/SDP\r\n";
  m += "Content-Length: " + std::to_string(sdp.size()) + "\r\n\r\n" + sdp;
  return m;
}

std::string ack_text(const Dialog& d, const std::string& branch) {
  // An ACK's CSeq number is the INVITE's (1).
  return head("ACK", d, branch, 1) + "Content-Length: 0\r\n\r\n";
}

std::string bye_text(const Dialog& d, const std::string& branch, long long cseq) {
  return head("BYE", d, branch, cseq) + "Content-Length: 0\r\n\r\n";
}

int sdp_video_port(const std::string& sdp) {
  std::istringstream in(sdp);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("m=video ", 0) != 0) continue;
    try {
      int port = std::stoi(line.substr(8));
      return port > 0 && port < 65536 ? port : 0;
    } catch (const std::exception&) {
      return 0;
    }
  }
  return 0;
}

}  // namespace hazmon::gb28181
