// The pure part of the roster: CSV reading, name normalisation and reconciliation (no database),
// kept apart from roster.cpp so that tests/fuzz/roster_fuzz.cpp can build it alone.
#include <hazmon/service/roster.hpp>

#include <hazmon/core/error.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <istream>
#include <map>
#include <set>

namespace hazmon::service {
using core::Errc;
using core::Error;

std::string_view to_string(MatchKind k) {
  switch (k) {
    case MatchKind::exact:
      return "exact";
    case MatchKind::normalised:
      return "normalised";
    case MatchKind::unmatched:
      return "unmatched";
  }
  return "unmatched";
}

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos)) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(std::move(cur));
  return out;
}
}  // namespace

std::string normalise_enterprise_name(std::string_view name) {
  std::string n(name);
  replace_all(n, "（", "(");
  replace_all(n, "）", ")");
  replace_all(n, "\xE3\x80\x80", "");  // ideographic space
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == ' ' || c == '\t'; }),
          n.end());
  // A bracketed suffix names a plant or phase of the same enterprise: 某公司（氯碱厂）.
  if (!n.empty() && n.back() == ')') {
    if (auto open = n.rfind('('); open != std::string::npos && open > 0) n.erase(open);
  }
  // Brackets inside the name are kept as text: 某肥业（集团）有限公司 ≈ 某集团（肥业）有限公司.
  replace_all(n, "(", "");
  replace_all(n, ")", "");
  for (std::string_view word : {"责任", "股份", "集团"}) replace_all(n, word, "");
  return n;
}

double name_similarity(std::string_view a, std::string_view b) {
  auto ua = decode_utf8(a), ub = decode_utf8(b);
  if (ua.size() < 2 || ub.size() < 2) return ua == ub ? 1.0 : 0.0;
  std::multiset<std::u32string> ba;
  for (std::size_t i = 0; i + 1 < ua.size(); ++i) ba.insert(ua.substr(i, 2));
  int common = 0;
  for (std::size_t i = 0; i + 1 < ub.size(); ++i) {
    auto it = ba.find(ub.substr(i, 2));
    if (it != ba.end()) {
      ++common;
      ba.erase(it);
    }
  }
  return 2.0 * common / static_cast<double>((ua.size() - 1) + (ub.size() - 1));
}

std::vector<RosterRow> read_roster_csv(const std::filesystem::path& file, int attachment) {
  std::ifstream in(file);
  if (!in) throw Error(Errc::bad_request, "cannot read roster file " + file.string());
  return read_roster_csv(in, file.string(), attachment);
}

std::vector<RosterRow> read_roster_csv(std::istream& in, const std::string& source,
                                       int attachment) {
  std::string line;
  if (!std::getline(in, line)) throw Error(Errc::bad_request, source + " is empty");
  if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
  auto header = split_csv_line(line);
  auto col = [&](const char* name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  int c_seq = col("seq"), c_region = col("region"), c_name = col("enterprise"),
      c_batch = col("batch");
  if (c_seq < 0 || c_name < 0)
    throw Error(Errc::bad_request, source + " lacks a seq or enterprise column");
  std::vector<RosterRow> out;
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    auto f = split_csv_line(line);
    if (static_cast<int>(f.size()) != static_cast<int>(header.size()))
      throw Error(Errc::bad_request,
                  source + ":" + std::to_string(lineno) + ": wrong number of fields");
    RosterRow r;
    r.attachment = attachment;
    try {
      r.seq = std::stoi(f[c_seq]);
    } catch (const std::exception&) {
      throw Error(Errc::bad_request,
                  source + ":" + std::to_string(lineno) + ": seq is not a number");
    }
    r.name = f[c_name];
    if (c_region >= 0) r.region = f[c_region];
    if (c_batch >= 0) r.batch = f[c_batch];
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<RosterMatch> reconcile(const std::vector<RosterRow>& master,
                                   const std::vector<RosterRow>& rows) {
  std::map<std::string, const RosterRow*> by_name;
  std::map<std::string, std::vector<const RosterRow*>> by_norm;
  for (const auto& m : master) {
    by_name[m.name] = &m;
    by_norm[normalise_enterprise_name(m.name)].push_back(&m);
  }
  std::vector<RosterMatch> out;
  for (const auto& r : rows) {
    RosterMatch m;
    m.row = r;
    const RosterRow* hit = nullptr;
    if (auto it = by_name.find(r.name); it != by_name.end()) {
      hit = it->second;
      m.kind = MatchKind::exact;
    } else if (auto nt = by_norm.find(normalise_enterprise_name(r.name)); nt != by_norm.end()) {
      if (nt->second.size() == 1) {
        hit = nt->second.front();
        m.kind = MatchKind::normalised;
      } else {
        m.note = "normalised name is ambiguous between " + std::to_string(nt->second.size()) +
                 " enterprises";
      }
    }
    if (hit) {
      m.master_name = hit->name;
      if (!r.region.empty() && !hit->region.empty() && r.region != hit->region)
        m.note = "region " + r.region + " here, " + hit->region + " in attachment 1";
    } else {
      // Suggest, never apply: a person decides whether the closest name is the same enterprise.
      double best = 0;
      const RosterRow* cand = nullptr;
      for (const auto& mm : master) {
        double s =
            name_similarity(normalise_enterprise_name(r.name), normalise_enterprise_name(mm.name));
        if (s > best) {
          best = s;
          cand = &mm;
        }
      }
      if (cand && best >= 0.6) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.2f", best);
        if (!m.note.empty()) m.note += "; ";
        m.note += "closest: " + cand->name + " (similarity " + buf + ")";
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace hazmon::service
