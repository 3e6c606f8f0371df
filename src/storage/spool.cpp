#include <hazmon/storage/spool.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <hazmon/core/error.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>

namespace hazmon::storage {
namespace fs = std::filesystem;
using core::Errc;
using core::Error;
using nlohmann::json;

namespace {
constexpr std::uint32_t kMagic = 0x484d5350;  // "HMSP"
constexpr std::size_t kReadingBytes = 4 + 8 + 8 + 8 + 2;

std::uint32_t crc32(const char* data, std::size_t n) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < n; ++i)
    c = table[(c ^ static_cast<unsigned char>(data[i])) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

template <typename T>
void put(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
T get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }
std::optional<double> opt_of(const json& j) {
  return j.is_null() ? std::nullopt : std::optional<double>(j.get<double>());
}

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  std::size_t left = s.size();
  while (left) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::unavailable, core::Reason::spool_unavailable,
                  std::string("spool write failed: ") + std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}
}  // namespace

std::string encode_batch(const IngestBatch& b) {
  std::string out;
  put<std::uint32_t>(out, static_cast<std::uint32_t>(b.readings.size()));
  out.reserve(4 + b.readings.size() * kReadingBytes + 256);
  for (const auto& r : b.readings) {
    put(out, r.point_id);
    put(out, r.collect_ms);
    put(out, r.received_ms);
    put(out, r.value);
    put(out, r.quality);
  }
  json meta = {{"uploads", json::array()},
               {"alarms", json::array()},
               {"enterprise_alarms", json::array()},
               {"gateways_seen", json::array()}};
  for (const auto& u : b.uploads) {
    json row = {u.company_code, u.data_id,  u.gateway_code, u.report_type,
                u.received_ms,  u.accepted, u.reply};
    // City mode: what goes to the province, so that a replayed upload is queued too (records
    // spooled before 0030 have seven fields).
    if (!u.forward_body.empty()) {
      row.push_back(u.forward_path);
      row.push_back(u.forward_body);
    }
    meta["uploads"].push_back(std::move(row));
  }
  for (const auto& a : b.alarms)
    meta["alarms"].push_back({a.point_id, a.quota_code, a.company_code, a.hazard_code, a.equip_code,
                              model::to_string(a.transition), model::to_string(a.type),
                              a.previous_type ? model::to_string(*a.previous_type) : "",
                              a.data_fault, opt(a.threshold), a.start_ms, a.at_ms, a.peak_ms,
                              a.value, a.peak, a.suppressed, a.late});
  for (const auto& e : b.enterprise_alarms)
    meta["enterprise_alarms"].push_back({e.company_code, e.data_id, e.quota_code, e.alarm_type,
                                         opt(e.value), opt(e.threshold), e.start_ms,
                                         e.end_ms ? json(*e.end_ms) : json(nullptr)});
  for (const auto& [g, ms] : b.gateways_seen) meta["gateways_seen"].push_back({g, ms});
  // Each upload's origin (migration 0031), by the uploads' order: [forwarded_by, app_id, newest
  // collect ms or null]. Records spooled before it have none.
  meta["upload_origins"] = json::array();
  for (const auto& u : b.uploads)
    meta["upload_origins"].push_back(
        {u.forwarded_by, u.app_id,
         u.newest_collect_ms ? json(*u.newest_collect_ms) : json(nullptr)});
  out += meta.dump();
  return out;
}

IngestBatch decode_batch(const std::string& payload) {
  IngestBatch b;
  const char* p = payload.data();
  const char* end = p + payload.size();
  if (payload.size() < 4) throw Error(Errc::internal, "spool record too short");
  auto n = get<std::uint32_t>(p);
  if (static_cast<std::size_t>(end - p) < n * kReadingBytes)
    throw Error(Errc::internal, "spool record truncated");
  b.readings.resize(n);
  for (auto& r : b.readings) {
    r.point_id = get<std::int32_t>(p);
    r.collect_ms = get<std::int64_t>(p);
    r.received_ms = get<std::int64_t>(p);
    r.value = get<double>(p);
    r.quality = get<std::int16_t>(p);
  }
  auto meta = json::parse(p, end);
  for (auto& u : meta["uploads"]) {
    b.uploads.push_back({u[0], u[1], u[2], u[3], u[4].get<std::int64_t>(), u[5].get<int>(), u[6]});
    if (u.size() >= 9) {
      b.uploads.back().forward_path = u[7].get<std::string>();
      b.uploads.back().forward_body = u[8].get<std::string>();
    }
  }
  for (auto& a : meta["alarms"]) {
    model::AlarmEvent w;
    w.point_id = a[0];
    w.quota_code = a[1];
    w.company_code = a[2];
    w.hazard_code = a[3];
    w.equip_code = a[4];
    // The spool keeps the stored text ("raised", "HH"); "" for no previous type.
    auto transition = model::alarm_transition_from_string(a[5].get<std::string>());
    auto type = model::alarm_type_from_string(a[6].get<std::string>());
    if (!transition || !type) throw Error(Errc::internal, "spool record: unknown alarm text");
    w.transition = *transition;
    w.type = *type;
    w.previous_type = model::alarm_type_from_string(a[7].get<std::string>());
    w.data_fault = a[8];
    w.threshold = opt_of(a[9]);
    w.start_ms = a[10];
    w.at_ms = a[11];
    w.peak_ms = a[12];
    w.value = a[13];
    w.peak = a[14];
    w.suppressed = a[15];
    w.late = a[16];
    b.alarms.push_back(std::move(w));
  }
  for (auto& e : meta["enterprise_alarms"]) {
    EnterpriseAlarmRow r{
        e[0], e[1], e[2], e[3], opt_of(e[4]), opt_of(e[5]), e[6].get<std::int64_t>(), std::nullopt};
    if (!e[7].is_null()) r.end_ms = e[7].get<std::int64_t>();
    b.enterprise_alarms.push_back(std::move(r));
  }
  for (auto& g : meta["gateways_seen"])
    b.gateways_seen.emplace_back(g[0], g[1].get<std::int64_t>());
  if (auto it = meta.find("upload_origins");
      it != meta.end() && it->is_array() && it->size() == b.uploads.size())
    for (std::size_t i = 0; i < b.uploads.size(); ++i) {
      const auto& o = (*it)[i];
      b.uploads[i].forwarded_by = o[0].get<std::string>();
      b.uploads[i].app_id = o[1].get<std::string>();
      if (!o[2].is_null()) b.uploads[i].newest_collect_ms = o[2].get<std::int64_t>();
    }
  return b;
}

Spool::Spool(fs::path file) : file_(std::move(file)), offset_file_(file_.string() + ".applied") {
  fs::create_directories(file_.parent_path());
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw Error(Errc::unavailable, core::Reason::spool_unavailable,
                "cannot open spool " + file_.string() + ": " + std::strerror(errno));
  load_offset();
  // Count the complete records after the applied offset; cut a torn tail.
  std::ifstream in(file_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(applied_offset_));
  std::uint64_t good_end = applied_offset_;
  for (;;) {
    std::uint32_t hdr[3];
    if (!in.read(reinterpret_cast<char*>(hdr), sizeof hdr)) break;
    if (hdr[0] != kMagic) break;
    std::string payload(hdr[1], '\0');
    if (!in.read(payload.data(), hdr[1])) break;
    if (crc32(payload.data(), payload.size()) != hdr[2]) break;
    good_end += sizeof hdr + hdr[1];
    ++pending_;
  }
  if (good_end < fs::file_size(file_)) {
    if (::ftruncate(fd_, static_cast<off_t>(good_end)) != 0)
      throw Error(Errc::unavailable, core::Reason::spool_unavailable,
                  "cannot cut the torn tail of the spool");
  }
}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

void Spool::load_offset() {
  std::ifstream in(offset_file_);
  std::uint64_t off = 0;
  if (in >> off) applied_offset_ = off;
  if (applied_offset_ > fs::file_size(file_)) applied_offset_ = 0;
}

void Spool::save_offset(std::uint64_t off) {
  auto tmp = offset_file_.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    throw Error(Errc::unavailable, core::Reason::spool_unavailable, "cannot write spool progress");
  write_all(fd, std::to_string(off));
  ::fdatasync(fd);
  ::close(fd);
  fs::rename(tmp, offset_file_);
}

void Spool::append(const IngestBatch& batch) {
  auto payload = encode_batch(batch);
  std::string rec;
  put<std::uint32_t>(rec, kMagic);
  put<std::uint32_t>(rec, static_cast<std::uint32_t>(payload.size()));
  put<std::uint32_t>(rec, crc32(payload.data(), payload.size()));
  rec += payload;
  std::lock_guard lock(mutex_);
  write_all(fd_, rec);
  if (::fdatasync(fd_) != 0)
    throw Error(Errc::unavailable, core::Reason::spool_unavailable,
                std::string("spool fsync failed: ") + std::strerror(errno));
  ++pending_;
}

std::uint64_t Spool::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

std::uint64_t Spool::bytes() const {
  std::lock_guard lock(mutex_);
  std::error_code ec;
  auto size = fs::file_size(file_, ec);
  return ec ? 0 : size - applied_offset_;
}

std::uint64_t Spool::replay(const std::function<void(const IngestBatch&)>& apply) {
  return replay_chunks(1, 0, [&](std::vector<IngestBatch>& recs) {
    for (const auto& r : recs) apply(r);
  });
}

std::uint64_t Spool::replay_chunks(std::size_t max_records, std::size_t max_readings,
                                   const std::function<void(std::vector<IngestBatch>&)>& apply) {
  std::lock_guard lock(mutex_);
  if (max_records == 0) max_records = 1;
  std::ifstream in(file_, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(applied_offset_));
  std::uint64_t off = applied_offset_, applied = 0;
  bool more = true;
  while (more) {
    std::vector<IngestBatch> recs;
    std::size_t readings = 0;
    std::uint64_t end = off;
    while (recs.size() < max_records) {
      std::uint32_t hdr[3];
      if (!in.read(reinterpret_cast<char*>(hdr), sizeof hdr)) {
        more = false;
        break;
      }
      std::string payload(hdr[1], '\0');
      if (hdr[0] != kMagic || !in.read(payload.data(), hdr[1]) ||
          crc32(payload.data(), payload.size()) != hdr[2]) {
        more = false;
        break;
      }
      auto rec = decode_batch(payload);
      if (!recs.empty() && max_readings && readings + rec.readings.size() > max_readings) {
        // The next call's first record: read it again then.
        in.clear();
        in.seekg(static_cast<std::streamoff>(end));
        break;
      }
      readings += rec.readings.size();
      end += sizeof hdr + hdr[1];
      recs.push_back(std::move(rec));
    }
    if (recs.empty()) break;
    auto n = recs.size();
    apply(recs);
    off = end;
    save_offset(off);
    applied_offset_ = off;
    pending_ -= n;
    applied += n;
  }
  if (pending_ == 0) {
    if (::ftruncate(fd_, 0) != 0)
      throw Error(Errc::unavailable, core::Reason::spool_unavailable, "cannot truncate the spool");
    ::fdatasync(fd_);
    save_offset(0);
    applied_offset_ = 0;
  }
  return applied;
}

std::size_t drop_uploads(IngestBatch& b, const std::function<bool(const UploadRecord&)>& drop) {
  std::vector<bool> gone(b.uploads.size());
  std::size_t total = 0, n_gone = 0;
  for (std::size_t i = 0; i < b.uploads.size(); ++i) {
    gone[i] = drop(b.uploads[i]);
    n_gone += gone[i];
    total += static_cast<std::size_t>(std::max(b.uploads[i].accepted, 0));
  }
  if (n_gone == 0) return 0;
  bool attributable = total == b.readings.size();
  std::size_t removed = 0;
  if (attributable) {
    std::vector<model::Reading> kept;
    kept.reserve(b.readings.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < b.uploads.size(); ++i) {
      auto n = static_cast<std::size_t>(std::max(b.uploads[i].accepted, 0));
      if (gone[i])
        removed += n;
      else
        kept.insert(kept.end(), b.readings.begin() + static_cast<std::ptrdiff_t>(at),
                    b.readings.begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
    }
    b.readings = std::move(kept);
  }
  std::vector<std::string> dropped_ids;
  std::vector<UploadRecord> uploads;
  for (std::size_t i = 0; i < b.uploads.size(); ++i) {
    if (gone[i])
      dropped_ids.push_back(b.uploads[i].company_code + "|" + b.uploads[i].data_id);
    else
      uploads.push_back(std::move(b.uploads[i]));
  }
  b.uploads = std::move(uploads);
  std::erase_if(b.enterprise_alarms, [&](const EnterpriseAlarmRow& e) {
    auto key = e.company_code + "|" + e.data_id;
    return std::find(dropped_ids.begin(), dropped_ids.end(), key) != dropped_ids.end();
  });
  return attributable ? removed : std::string::npos;
}

}  // namespace hazmon::storage
