#include <hazmon/gb28181/manscdp.hpp>

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <memory>

namespace hazmon::gb28181 {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80                   ? 1
                      : (c >= 0xc2 && c <= 0xdf) ? 2
                      : (c >> 4) == 0xe          ? 3
                      : (c >= 0xf0 && c <= 0xf4) ? 4
                                                 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

// The encoding named by the XML declaration, lower case; empty without one.
std::string declared_encoding(std::string_view body) {
  if (body.substr(0, 5) != "<?xml") return {};
  auto end = body.find("?>");
  auto decl = body.substr(0, end);
  auto at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  auto q = decl.find_first_of("\"'", at);
  if (q == std::string_view::npos) return {};
  auto q2 = decl.find(decl[q], q + 1);
  if (q2 == std::string_view::npos) return {};
  return lower(decl.substr(q + 1, q2 - q - 1));
}

struct Node {
  std::string name, text;
  std::vector<Node> children;
  const Node* child(std::string_view n) const {
    for (const auto& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
  std::string value(std::string_view n) const {
    const auto* c = child(n);
    return c ? c->text : std::string();
  }
};

std::string decode_entities(std::string_view s, bool& ok) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 6) {
      ok = false;
      return {};
    }
    auto e = s.substr(i + 1, semi - i - 1);
    if (e == "lt")
      out.push_back('<');
    else if (e == "gt")
      out.push_back('>');
    else if (e == "amp")
      out.push_back('&');
    else if (e == "quot")
      out.push_back('"');
    else if (e == "apos")
      out.push_back('\'');
    else {
      ok = false;
      return {};
    }
    i = semi;
  }
  return out;
}

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

class Reader {
 public:
  Reader(std::string_view s, std::size_t max_nodes) : s_(s), max_nodes_(max_nodes) {}

  bool document(Node& root, std::string& error) {
    skip_misc();
    if (!element(root, 0)) {
      error = error_.empty() ? "malformed XML" : error_;
      return false;
    }
    skip_misc();
    if (pos_ != s_.size()) {
      error = "content after the root element";
      return false;
    }
    return true;
  }

 private:
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  // Whitespace, the XML declaration, processing instructions and comments.
  void skip_misc() {
    for (;;) {
      skip_ws();
      if (s_.substr(pos_, 2) == "<?") {
        auto e = s_.find("?>", pos_);
        if (e == std::string_view::npos) return;
        pos_ = e + 2;
      } else if (s_.substr(pos_, 4) == "<!--") {
        auto e = s_.find("-->", pos_);
        if (e == std::string_view::npos) return;
        pos_ = e + 3;
      } else {
        return;
      }
    }
  }
  bool name(std::string& out) {
    auto b = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
            s_[pos_] == '-' || s_[pos_] == ':' || s_[pos_] == '.'))
      ++pos_;
    out = std::string(s_.substr(b, pos_ - b));
    return !out.empty();
  }
  bool element(Node& n, int depth) {
    if (depth > 8) return fail("XML nested too deep");
    if (++nodes_ > max_nodes_) return fail("too many XML elements");
    if (pos_ >= s_.size() || s_[pos_] != '<') return fail("malformed XML");
    if (s_.substr(pos_, 2) == "<!") return fail("DTDs and CDATA are not accepted");
    ++pos_;
    if (!name(n.name)) return fail("malformed XML");
    // Attributes are skipped (MANSCDP carries none that matter here, e.g. Num="2").
    for (;;) {
      if (pos_ >= s_.size()) return fail("malformed XML");
      char c = s_[pos_];
      if (c == '"' || c == '\'') {
        auto e = s_.find(c, pos_ + 1);
        if (e == std::string_view::npos) return fail("malformed XML");
        pos_ = e + 1;
        continue;
      }
      if (c == '<') return fail("malformed XML");
      if (c == '/' && s_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return true;
      }
      ++pos_;
      if (c == '>') break;
    }
    std::string text;
    for (;;) {
      auto lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) return fail("malformed XML");
      text.append(s_.substr(pos_, lt - pos_));
      pos_ = lt;
      if (s_.substr(pos_, 4) == "<!--") {
        auto e = s_.find("-->", pos_);
        if (e == std::string_view::npos) return fail("malformed XML");
        pos_ = e + 3;
        continue;
      }
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        std::string close;
        if (!name(close) || close != n.name) return fail("mismatched XML tags");
        skip_ws();
        if (pos_ >= s_.size() || s_[pos_] != '>') return fail("malformed XML");
        ++pos_;
        break;
      }
      Node child;
      if (!element(child, depth + 1)) return false;
      n.children.push_back(std::move(child));
    }
    bool ok = true;
    n.text = trim(decode_entities(text, ok));
    if (!ok) return fail("unknown XML entity");
    return true;
  }

  std::string_view s_;
  std::size_t pos_ = 0, nodes_ = 0, max_nodes_;
  std::string error_;
};

long long number(const std::string& s) {
  long long v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size() ? v : -1;
}

std::optional<double> coordinate(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !(v >= -180 && v <= 180)) return std::nullopt;
  if (v == 0) return std::nullopt;  // devices send 0.0 for "not set"
  return v;
}
}  // namespace

std::optional<std::string> manscdp_to_utf8(std::string_view body) {
  auto enc = declared_encoding(body);
  if (enc == "utf-8" || enc == "utf8") {
    if (!valid_utf8(body)) return std::nullopt;
    return std::string(body);
  }
  iconv_t cd = iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<void, int (*)(iconv_t)> guard(cd, iconv_close);
  std::string out(body.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(body.data());
  std::size_t in_left = body.size();
  char* o = out.data();
  std::size_t out_left = out.size();
  if (iconv(cd, &in, &in_left, &o, &out_left) == static_cast<std::size_t>(-1)) return std::nullopt;
  out.resize(out.size() - out_left);
  return out;
}

std::optional<Manscdp> parse_manscdp(std::string_view xml, std::size_t max_items,
                                     std::string* error) {
  Node root;
  std::string err;
  Reader reader(xml, max_items * 16 + 64);
  if (!reader.document(root, err)) {
    if (error) *error = err;
    return std::nullopt;
  }
  Manscdp m;
  m.root = root.name;
  m.cmd_type = root.value("CmdType");
  m.sn = number(root.value("SN"));
  m.device_id = root.value("DeviceID");
  m.status = root.value("Status");
  if (m.cmd_type.empty() || m.sn < 0) {
    if (error) *error = "no CmdType or SN";
    return std::nullopt;
  }
  if (auto sum = root.value("SumNum"); !sum.empty()) m.sum_num = std::max(0LL, number(sum));
  if (const auto* list = root.child("DeviceList")) {
    for (const auto& it : list->children) {
      if (it.name != "Item") continue;
      if (m.items.size() >= max_items) {
        if (error) *error = "too many catalog items";
        return std::nullopt;
      }
      CatalogItem c;
      c.channel_id = it.value("DeviceID");
      c.name = it.value("Name");
      c.manufacturer = it.value("Manufacturer");
      c.model = it.value("Model");
      c.owner = it.value("Owner");
      c.civil_code = it.value("CivilCode");
      c.address = it.value("Address");
      c.parent_id = it.value("ParentID");
      c.status = it.value("Status");
      c.longitude = coordinate(it.value("Longitude"));
      c.latitude = coordinate(it.value("Latitude"));
      m.items.push_back(std::move(c));
    }
  }
  return m;
}

std::string catalog_query(long long sn, std::string_view device_id) {
  return "<?xml version=\"1.0\" encoding=\"GB2312\"?>\r\n<Query>\r\n<CmdType>Catalog</CmdType>\r\n"
         "<SN>" +
         std::to_string(sn) + "</SN>\r\n<DeviceID>" + std::string(device_id) +
         "</DeviceID>\r\n</Query>\r\n";
}

bool is_gb_id(std::string_view id, std::string* type) {
  if (id.size() != 20 ||
      !std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isdigit(c); }))
    return false;
  if (type) *type = std::string(id.substr(10, 3));
  return true;
}

}  // namespace hazmon::gb28181
