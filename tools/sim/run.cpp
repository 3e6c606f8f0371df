// hazmon-sim run and replay: signal models, batching per gateway, pacing in compressed simulated
// time, outages, clock skew, retries with the same dataId, statistics.
#include "sim.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace hazmon::sim {
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
void civil(std::int64_t days, int& y, unsigned& m, unsigned& d) {
  days += 719468;
  std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace

namespace {
std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

std::optional<std::int64_t> parse_local_ms(const std::string& s) {
  int y, mo, d, h, mi, sec, used = 0;
  char sep;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &sec,
                  &used) != 7)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::string_view rest(s.c_str() + used);
  std::int64_t frac_ms = 0, offset_s = 8 * 3600;
  if (sep == 'T') {
    if (!rest.empty() && rest[0] == '.') {
      std::size_t i = 1;
      int digits = 0;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
        if (digits++ < 3) frac_ms = frac_ms * 10 + (rest[i] - '0');
        ++i;
      }
      while (digits > 0 && digits < 3) frac_ms *= 10, ++digits;
      rest.remove_prefix(i);
    }
    if (rest == "Z")
      offset_s = 0;
    else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':')
      offset_s = ((rest[1] - '0') * 36000 + (rest[2] - '0') * 3600 + (rest[4] - '0') * 600 +
                  (rest[5] - '0') * 60) *
                 (rest[0] == '-' ? -1 : 1);
    else
      return std::nullopt;
  } else if (sep != ' ' || !rest.empty()) {
    return std::nullopt;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return (days * 86400 + h * 3600 + mi * 60 + sec - offset_s) * 1000 + frac_ms;
}

std::string format_local(std::int64_t ms, bool with_ms) {
  std::int64_t local = ms + 8LL * 3600 * 1000;
  std::int64_t secs = floor_div(local, 1000);
  int frac = static_cast<int>(local - secs * 1000);
  std::int64_t days = floor_div(secs, 86400);
  int sod = static_cast<int>(secs - days * 86400);
  int y;
  unsigned mo, d;
  civil(days, y, mo, d);
  char buf[64];
  if (with_ms)
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+08:00", y, mo, d, sod / 3600,
                  sod / 60 % 60, sod % 60, frac);
  else
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", y, mo, d, sod / 3600,
                  sod / 60 % 60, sod % 60);
  return buf;
}

namespace {

// ------------------------------------------------------------------ randomness

struct Rng {
  std::uint64_t s;
  explicit Rng(std::uint64_t seed) : s(seed ^ 0x6A09E667F3BCC909ULL) {}
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  int between(int a, int b) {
    return a + static_cast<int>(next() % static_cast<std::uint64_t>(b - a + 1));
  }
  bool chance(double p) { return uniform() < p; }
  double normal() {
    if (has_spare) {
      has_spare = false;
      return spare;
    }
    double u, v, q;
    do {
      u = uniform() * 2 - 1;
      v = uniform() * 2 - 1;
      q = u * u + v * v;
    } while (q >= 1 || q == 0);
    double f = std::sqrt(-2 * std::log(q) / q);
    spare = v * f;
    has_spare = true;
    return u * f;
  }
  double spare = 0;
  bool has_spare = false;
};

std::uint64_t hash_str(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = 1469598103934665603ULL ^ (seed * 0x9E3779B97F4A7C15ULL);
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// ------------------------------------------------------------------ signal models

struct Profile {
  double noise = 1;             // multiplies every noise amplitude
  double events = 1;            // multiplies the rates of excursions, switch events and dropouts
  double bad_quality = 0.0001;  // share of readings with quality 1..3
};

Profile profile_named(const std::string& name) {
  if (name == "realistic") return {};
  if (name == "noisy") return {4.0, 10.0, 0.003};
  if (name == "quiet") return {0.25, 0.1, 0.0};
  throw UsageError("--noise-profile is realistic, noisy or quiet");
}

enum class Kind { level, temperature, pressure, gas, on_off, generic };

struct Point {
  std::string prefix;  // {"quotaCode":"…","collectTime":"
  Kind kind = Kind::generic;
  bool is_switch = false;
  int decimals = 2;
  double lo = 0, hi = 100;
  std::optional<double> l, h, hh;
  // State.
  double x = 0;
  double target = 0, rate = 0;         // level: m per simulated second toward target
  double base = 0, amp = 0, walk = 0;  // temperature, pressure
  double zero = 0;                     // gas sensor zero offset
  int exc_pos = 0, exc_len = 0;        // gas excursion in progress
  double exc_peak = 0;
  bool jitter = false;
  double jitter_center = 0, jitter_sigma = 0;
  int drop_left = 0;
  int on_left = 0;
};

std::optional<double> opt(const json& j, const char* k) {
  if (j.contains(k) && j[k].is_number()) return j[k].get<double>();
  return std::nullopt;
}

Point make_point(const json& pj, Rng& rng, std::uint64_t seed) {
  Point p;
  auto quota = pj.at("quota_code").get<std::string>();
  p.prefix = "{\"quotaCode\":\"" + quota + "\",\"collectTime\":\"";
  auto kind = pj.value("kind", "other");
  p.is_switch = pj.value("value_kind", "analog") == "switch";
  p.l = opt(pj, "l");
  p.h = opt(pj, "h");
  p.hh = opt(pj, "hh");
  p.lo = opt(pj, "range_low").value_or(0);
  p.hi = opt(pj, "range_high").value_or(p.hh ? *p.hh * 2 : 100);
  if (p.hi <= p.lo) p.hi = p.lo + 1;
  double span = p.hi - p.lo;
  p.decimals = span <= 5 ? 4 : span <= 30 ? 3 : 2;
  if (p.is_switch) {
    p.kind = Kind::on_off;
    return p;
  }
  if (kind == "level") {
    p.kind = Kind::level;
    p.x = p.lo + span * rng.uniform(0.2, 0.7);
    p.target = p.lo + span * rng.uniform(0.15, 0.75);
    p.rate = rng.uniform(0.3, 2.0) / 3600.0;  // 0.3–2 m/h
  } else if (kind == "temperature") {
    p.kind = Kind::temperature;
    p.base = rng.uniform(12, 28);
    p.amp = rng.uniform(3, 8);
  } else if (kind == "pressure") {
    p.kind = Kind::pressure;
    double top = p.h ? *p.h : p.hi;
    p.base = p.lo + (top - p.lo) * rng.uniform(0.2, 0.6);
    p.amp = (top - p.lo) * 0.03;
  } else if (kind == "combustible" || kind == "toxic") {
    p.kind = Kind::gas;
    p.zero = rng.uniform(0, 0.01) * span;
  } else {
    p.kind = Kind::generic;
    p.base = p.lo + span * rng.uniform(0.3, 0.6);
  }
  // About one analog point in twenty hovers around its high limit (debounce and deadband tests).
  auto near = p.h ? p.h : p.hh;
  if (near && p.kind != Kind::gas && hash_str(quota, seed) % 20 == 0) {
    p.jitter = true;
    p.jitter_center = *near;
    p.jitter_sigma = span * 0.004;
  }
  return p;
}

// The next sample at simulated time t_ms, dt seconds after the previous one; false: no reading
// (the point drops out).
bool sample(Point& p, std::int64_t t_ms, double dt, Rng& rng, const Profile& prof, double& value,
            int& quality) {
  const double per_day = dt / 86400.0 * prof.events;
  if (p.drop_left > 0) {
    --p.drop_left;
    return false;
  }
  if (rng.chance(0.4 * per_day)) {  // a dropout of 2–20 samples
    p.drop_left = rng.between(1, 19);
    return false;
  }
  quality = prof.bad_quality > 0 && rng.chance(prof.bad_quality) ? rng.between(1, 3) : 0;
  double span = p.hi - p.lo;
  switch (p.kind) {
    case Kind::on_off: {
      if (p.on_left > 0) {
        --p.on_left;
        value = 1;
      } else if (rng.chance(0.3 * per_day)) {
        p.on_left = rng.between(0, 2);  // short: 1–3 samples
        value = 1;
      } else {
        value = 0;
      }
      return true;
    }
    case Kind::level: {
      double step = p.rate * dt;
      if (std::abs(p.target - p.x) <= step) {
        p.x = p.target;
        // A new filling or draining leg; now and then a fill overshoots into H or HH.
        double r = rng.uniform();
        if (p.h && r < 0.06 * std::min(prof.events, 5.0))
          p.target = *p.h + (p.hh ? (*p.hh - *p.h) * rng.uniform(0.1, 0.6) : 0.2);
        else if (p.hh && r < 0.07 * std::min(prof.events, 5.0))
          p.target = std::min(p.hi, *p.hh + span * 0.01);
        else
          p.target = p.lo + span * rng.uniform(0.15, 0.75);
        p.rate = rng.uniform(0.3, 2.0) / 3600.0;
      } else {
        p.x += p.target > p.x ? step : -step;
      }
      value = p.x + rng.normal() * 0.004 * prof.noise;
      break;
    }
    case Kind::temperature: {
      double hour =
          static_cast<double>(((t_ms / 1000 + 8 * 3600) % 86400 + 86400) % 86400) / 3600.0;
      double daily = p.amp * std::sin((hour - 8.0) / 24.0 * 2 * M_PI);  // warmest at 14:00
      double k = std::min(1.0, dt / 7200.0);                            // AR(1), two hours
      p.walk += -p.walk * k + rng.normal() * 0.6 * std::sqrt(k);
      value = p.base + daily + p.walk + rng.normal() * 0.08 * prof.noise;
      break;
    }
    case Kind::pressure: {
      double hour =
          static_cast<double>(((t_ms / 1000 + 8 * 3600) % 86400 + 86400) % 86400) / 3600.0;
      double k = std::min(1.0, dt / 3600.0);
      p.walk += -p.walk * k + rng.normal() * p.amp * std::sqrt(k);
      value = p.base + p.amp * std::sin((hour - 8.0) / 24.0 * 2 * M_PI) + p.walk +
              rng.normal() * span * 0.001 * prof.noise;
      break;
    }
    case Kind::gas: {
      double h = p.h.value_or(span * 0.25), hh = p.hh.value_or(h * 2);
      double noise = std::abs(rng.normal()) * span * 0.002 * prof.noise;
      if (p.exc_len == 0 && rng.chance(0.5 * per_day)) {
        double r = rng.uniform();
        if (r < 0.5) {  // a single-sample spike
          p.exc_len = 1;
          p.exc_peak = h * rng.uniform(1.05, 2.0);
        } else {  // sustained: ramp, hold, decay; one in five passes HH
          p.exc_len = rng.between(6, 24);
          p.exc_peak = r < 0.9 ? h + (hh - h) * rng.uniform(0.1, 0.9) : hh * rng.uniform(1.02, 1.4);
        }
        p.exc_pos = 0;
      }
      value = p.zero + noise;
      if (p.exc_len > 0) {
        int pos = p.exc_pos++, len = p.exc_len;
        double f = len == 1         ? 1.0
                   : pos < 2        ? (pos + 1) / 3.0
                   : pos >= len - 3 ? (len - pos) / 4.0
                                    : 1.0;
        value += p.exc_peak * f * (1 + rng.normal() * 0.03 * prof.noise);
        if (p.exc_pos >= p.exc_len) p.exc_len = 0;
      }
      break;
    }
    case Kind::generic: {
      value = p.base + rng.normal() * span * 0.005 * prof.noise;
      break;
    }
  }
  if (p.jitter) value = p.jitter_center + rng.normal() * p.jitter_sigma * std::max(prof.noise, 0.5);
  value = std::clamp(value, p.lo, p.hi);
  return true;
}

void append_number(std::string& out, double v, int decimals) {
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  // Trim trailing zeros ("6.4200" → "6.42", "3.000" → "3").
  char* end = r.ptr;
  if (std::memchr(buf, '.', static_cast<std::size_t>(end - buf))) {
    while (end[-1] == '0') --end;
    if (end[-1] == '.') --end;
  }
  if (end - buf == 2 && buf[0] == '-' && buf[1] == '0') {  // "-0"
    out += '0';
    return;
  }
  out.append(buf, end);
}

// ------------------------------------------------------------------ statistics

// Latencies of a whole run: log-spaced buckets 1 % wide from 10 µs, so memory stays constant.
class Histogram {
 public:
  void add(double ms) {
    auto i = ms <= kMin
                 ? 0
                 : std::min<std::size_t>(kBuckets - 1,
                                         static_cast<std::size_t>(std::log(ms / kMin) / kStep) + 1);
    ++counts_[i];
    ++n_;
    max_ = std::max(max_, ms);
  }
  double quantile(double q) const {
    if (n_ == 0) return 0;
    auto want = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= want && seen > 0)
        return std::min(max_, i == 0 ? kMin : kMin * std::exp(kStep * static_cast<double>(i)));
    }
    return max_;
  }
  double max() const { return max_; }

 private:
  static constexpr double kMin = 0.01;
  static constexpr std::size_t kBuckets = 1800;  // up to ~600 s
  const double kStep = std::log(1.01);
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(kBuckets);
  std::uint64_t n_ = 0;
  double max_ = 0;
};

struct Stats {
  std::atomic<std::uint64_t> uploads{0}, readings{0};  // submitted (first attempt)
  std::atomic<std::uint64_t> acked_uploads{0}, acked_readings{0}, accepted{0}, rejected{0};
  std::atomic<std::uint64_t> http_errors{0}, conn_errors{0}, s503{0}, retries{0}, failed{0};
  std::mutex mu;
  Histogram lat_all;
  std::vector<float> lat_window;
  std::map<std::string, std::uint64_t> reject_reasons;
  int error_lines = 0;

  void latency(double ms) {
    std::lock_guard lk(mu);
    lat_all.add(ms);
    lat_window.push_back(static_cast<float>(ms));
  }
};

struct Pct {
  double p50 = 0, p99 = 0, max = 0;
};

Pct percentiles(std::vector<float> v) {
  Pct p;
  if (v.empty()) return p;
  auto at = [&](double q) {
    auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]);
  };
  p.p50 = at(0.5);
  p.p99 = at(0.99);
  p.max = *std::max_element(v.begin(), v.end());
  return p;
}

std::atomic<int> g_signals{0};
extern "C" void on_signal(int) {
  if (g_signals.fetch_add(1) >= 1) _exit(130);  // a second Ctrl-C: leave at once
}

// Retries with the same body: 503/429/5xx and connection errors, until the deadline.
class Sender {
 public:
  Sender(const Url& url, const TlsOptions& tls, int connections, Stats& st)
      : st_(st),
        pool_(url, tls, connections, "/api/v1/upload/realtime",
              [this](Upload& up, const HttpReply& r, double ms) { return on_reply(up, r, ms); }) {}

  void submit(UploadPtr up) {
    st_.uploads++;
    st_.readings += static_cast<std::uint64_t>(up->items);
    pool_.submit(std::move(up));
  }
  std::size_t outstanding() const { return pool_.outstanding(); }
  void set_deadline(Clock::time_point t) { deadline_.store(t.time_since_epoch().count()); }
  void stop() { pool_.stop(); }

 private:
  std::optional<std::chrono::milliseconds> on_reply(Upload& up, const HttpReply& r, double ms) {
    if (r.status != 0) st_.latency(ms);
    if (r.status >= 200 && r.status < 300) {
      st_.acked_uploads++;
      st_.acked_readings += static_cast<std::uint64_t>(up.items);
      auto j = json::parse(r.body, nullptr, false);
      if (j.is_object()) {
        if (j.contains("accepted") && j["accepted"].is_number_integer())
          st_.accepted += j["accepted"].get<std::uint64_t>();
        if (j.contains("rejected") && j["rejected"].is_array() && !j["rejected"].empty()) {
          st_.rejected += j["rejected"].size();
          std::lock_guard lk(st_.mu);
          for (const auto& x : j["rejected"])
            if (x.is_object() && x.contains("reason") && x["reason"].is_string())
              st_.reject_reasons[x["reason"].get<std::string>()]++;
        }
      }
      return std::nullopt;
    }
    bool retryable = r.status == 0 || r.status == 429 || r.status == 500 || r.status == 502 ||
                     r.status == 503 || r.status == 504;
    if (r.status == 503)
      st_.s503++;
    else if (r.status == 0)
      st_.conn_errors++, st_.http_errors++;
    else
      st_.http_errors++;
    bool past = Clock::now().time_since_epoch().count() > deadline_.load();
    if (!retryable || past) {
      st_.failed++;
      std::lock_guard lk(st_.mu);
      if (st_.error_lines++ < 10)
        std::fprintf(stderr, "upload %s %s: %s %s\n", up.data_id.c_str(),
                     past && retryable ? "given up" : "refused",
                     r.status ? ("HTTP " + std::to_string(r.status)).c_str() : r.error.c_str(),
                     r.body.substr(0, 300).c_str());
      return std::nullopt;
    }
    st_.retries++;
    std::chrono::milliseconds delay{0};
    if (!r.retry_after.empty() &&
        r.retry_after.find_first_not_of("0123456789") == std::string::npos &&
        r.retry_after.size() < 6)
      delay = std::chrono::milliseconds(std::min(30000, std::stoi(r.retry_after) * 1000));
    else
      delay = std::chrono::milliseconds(std::min(10000, 100 << std::min(up.attempts - 1, 7)));
    // Spread the resends so that they do not return together.
    delay += std::chrono::milliseconds(
        static_cast<int>(hash_str(up.data_id, static_cast<std::uint64_t>(up.attempts)) % 100));
    return delay;
  }

  Stats& st_;
  std::atomic<Clock::rep> deadline_{Clock::time_point::max().time_since_epoch().count()};
  UploadPool pool_;
};

// Once a second to stderr; the summary at the end.
class Reporter {
 public:
  Reporter(Stats& st, Sender& s) : st_(st), sender_(s), start_(Clock::now()), next_(start_ + 1s) {}

  void tick() {
    auto now = Clock::now();
    if (now < next_) return;
    next_ += 1s;
    if (next_ < now) next_ = now + 1s;
    std::vector<float> w;
    {
      std::lock_guard lk(st_.mu);
      w.swap(st_.lat_window);
    }
    auto p = percentiles(std::move(w));
    auto acked = st_.acked_readings.load();
    double secs = std::chrono::duration<double>(now - start_).count();
    std::fprintf(
        stderr,
        "[%5.0fs] sent %llu readings (%llu uploads), acked %llu, accepted %llu, rejected %llu, "
        "http errors %llu, "
        "503 %llu, latency p50 %.1f p99 %.1f max %.1f ms, %.0f readings/s, outstanding %zu\n",
        secs, ull(st_.readings), ull(st_.uploads), static_cast<unsigned long long>(acked),
        ull(st_.accepted), ull(st_.rejected), ull(st_.http_errors), ull(st_.s503), p.p50, p.p99,
        p.max, static_cast<double>(acked - last_acked_), sender_.outstanding());
    last_acked_ = acked;
  }

  json summary(const std::string& mode) {
    auto end = Clock::now();
    double secs = std::chrono::duration<double>(end - start_).count();
    std::map<std::string, std::uint64_t> reasons;
    Pct p;
    {
      std::lock_guard lk(st_.mu);
      p = {st_.lat_all.quantile(0.5), st_.lat_all.quantile(0.99), st_.lat_all.max()};
      reasons = st_.reject_reasons;
    }
    auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
    json out = {
        {"mode", mode},
        {"elapsed_s", std::round(secs * 1000) / 1000},
        {"uploads", st_.uploads.load()},
        {"readings_sent", st_.readings.load()},
        {"uploads_acked", st_.acked_uploads.load()},
        {"readings_acked", st_.acked_readings.load()},
        {"accepted", st_.accepted.load()},
        {"rejected", st_.rejected.load()},
        {"http_errors", st_.http_errors.load()},
        {"connection_errors", st_.conn_errors.load()},
        {"http_503", st_.s503.load()},
        {"retries", st_.retries.load()},
        {"failed_uploads", st_.failed.load() + sender_.outstanding()},
        {"latency_ms", {{"p50", r3(p.p50)}, {"p99", r3(p.p99)}, {"max", r3(p.max)}}},
        {"readings_per_s",
         secs > 0 ? std::round(static_cast<double>(st_.acked_readings.load()) / secs * 10) / 10
                  : 0.0}};
    if (!reasons.empty()) out["reject_reasons"] = reasons;
    return out;
  }

  static void print_text(const json& s) {
    std::printf(
        "%s: %llu readings in %llu uploads; acknowledged %llu uploads; accepted %llu, rejected "
        "%llu; http errors %llu "
        "(connection %llu), 503 %llu, retries %llu, failed uploads %llu; latency p50 %.1f ms, p99 "
        "%.1f ms, max %.1f ms; "
        "%.0f readings/s over %.1f s\n",
        s["mode"].get<std::string>().c_str(), s["readings_sent"].get<unsigned long long>(),
        s["uploads"].get<unsigned long long>(), s["uploads_acked"].get<unsigned long long>(),
        s["accepted"].get<unsigned long long>(), s["rejected"].get<unsigned long long>(),
        s["http_errors"].get<unsigned long long>(),
        s["connection_errors"].get<unsigned long long>(), s["http_503"].get<unsigned long long>(),
        s["retries"].get<unsigned long long>(), s["failed_uploads"].get<unsigned long long>(),
        s["latency_ms"]["p50"].get<double>(), s["latency_ms"]["p99"].get<double>(),
        s["latency_ms"]["max"].get<double>(), s["readings_per_s"].get<double>(),
        s["elapsed_s"].get<double>());
    if (s.contains("reject_reasons"))
      for (const auto& [reason, n] : s["reject_reasons"].items())
        std::printf("  rejected %llu × %s\n", n.get<unsigned long long>(), reason.c_str());
  }

 private:
  static unsigned long long ull(const std::atomic<std::uint64_t>& a) {
    return static_cast<unsigned long long>(a.load());
  }
  Stats& st_;
  Sender& sender_;
  Clock::time_point start_, next_;
  std::uint64_t last_acked_ = 0;
};

// Waits for every outstanding upload (with retries) until the drain deadline.
void drain(Sender& sender, Reporter& rep, Clock::time_point deadline) {
  sender.set_deadline(deadline);
  while (sender.outstanding() > 0 && Clock::now() < deadline + 2s && g_signals.load() < 2) {
    std::this_thread::sleep_for(5ms);
    rep.tick();
  }
  sender.stop();
}

json load_config(const std::string& file) {
  std::ifstream f(file);
  if (!f) throw UsageError("cannot read " + file);
  auto doc = json::parse(f, nullptr, false);
  if (!doc.is_object() || !doc.contains("enterprises") || !doc["enterprises"].is_array() ||
      !doc.contains("url"))
    throw UsageError(file + " is not a file written by hazmon-sim setup");
  if (doc.value("incomplete", false))
    std::fprintf(stderr, "warning: %s is from a setup that did not finish; run setup again\n",
                 file.c_str());
  return doc;
}

// ------------------------------------------------------------------ gateways

struct Gateway {
  std::string company, code, bearer;
  std::vector<Point> points;
  Rng rng{0};
  std::int64_t next_round_ms = 0;  // simulated time of the next sampling round
  std::int64_t skew_ms = 0;
  std::string pending;  // items, comma separated
  int pending_n = 0;
  Clock::time_point pending_since{};
  std::chrono::milliseconds max_wait{500};
  Clock::time_point last_sent{};
  std::vector<std::pair<std::string, int>> backlog;  // items kept during an outage, in chunks
  std::uint64_t seq = 0;
};

struct RunOptions {
  double period_s = 30;
  int batch = 200;
  bool with_ms = false;
  std::string run_id;
};

std::string make_body(const Gateway& g, const std::string& data_id, const char* type,
                      std::string_view items, std::size_t reserve) {
  std::string b;
  b.reserve(reserve + 200);
  b += "{\"companyCode\":\"";
  b += g.company;
  b += "\",\"gatewayCode\":\"";
  b += g.code;
  b += "\",\"dataId\":\"";
  b += data_id;
  b += "\",\"reportType\":\"";
  b += type;
  b += "\",\"sendTime\":\"";
  b += format_local(now_ms(), false);
  if (std::strcmp(type, "heartbeat") == 0) {
    b += "\"}";
    return b;
  }
  b += "\",\"datas\":[";
  b += items;
  b += "]}";
  return b;
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  Options o(args, {"--json"},
            {"--config", "--rate", "--duration", "--batch", "--connections", "--period",
             "--noise-profile", "--outage-at", "--outage-for", "--skew-ms", "--seed", "--record",
             "--drain", "--url", "--ca-file"});
  auto doc = load_config(o.required("--config"));
  auto url = parse_url(o.str("--url", doc["url"].get<std::string>()));
  TlsOptions tls{o.str("--ca-file", "")};
  RunOptions ro;
  ro.period_s = o.number("--period", 30, 0.1, 86400);
  ro.batch = static_cast<int>(o.integer("--batch", 200, 1, 5000));
  const int connections = static_cast<int>(o.integer("--connections", 16, 1, 1024));
  const double rate = o.number("--rate", 0, 0, 1e9);
  const double duration = o.number("--duration", 0, 0, 1e8);
  const double outage_at = o.number("--outage-at", -1, 0, 1e8);
  const double outage_for = o.number("--outage-for", 0, 0, 1e8);
  if ((outage_at >= 0) != (outage_for > 0))
    throw UsageError("--outage-at and --outage-for go together");
  const auto skew = o.integer("--skew-ms", 0, 0, 250000);
  const auto seed = static_cast<std::uint64_t>(o.integer("--seed", 1, 0, 1LL << 40));
  const double drain_s = o.number("--drain", 60, 0, 86400);
  const bool as_json = o.flag("--json");
  auto prof = profile_named(o.str("--noise-profile", "realistic"));
  ro.with_ms = skew > 0;
  {
    Rng r(static_cast<std::uint64_t>(now_ms()) ^ seed);
    char id[16];
    std::snprintf(id, sizeof id, "%08llx",
                  static_cast<unsigned long long>(r.next() & 0xffffffffULL));
    ro.run_id = id;
  }

  std::vector<Gateway> gws;
  std::size_t n_points = 0;
  for (const auto& e : doc["enterprises"]) {
    Gateway g;
    g.company = e.at("company_code").get<std::string>();
    g.code = e.value("gateway_code", "");
    g.bearer = e.at("bearer").get<std::string>();
    g.rng = Rng(hash_str(g.company, seed));
    for (const auto& pj : e.at("points")) g.points.push_back(make_point(pj, g.rng, seed));
    if (g.points.empty()) continue;
    n_points += g.points.size();
    if (skew > 0)
      g.skew_ms = static_cast<std::int64_t>(g.rng.uniform(-1, 1) * static_cast<double>(skew));
    gws.push_back(std::move(g));
  }
  if (gws.empty()) throw UsageError("the config has no points");

  // Simulated time: sim(t) = min(start + k·(t − t0), t), k from the requested rate.
  const double natural = static_cast<double>(n_points) / ro.period_s;
  const double k = rate > 0 ? rate / natural : 1.0;
  const std::int64_t t0 = now_ms();
  const double backfill_s = k > 1 ? (k - 1) * (duration > 0 ? duration : 3600.0) : 0;
  const std::int64_t sim_start = t0 - static_cast<std::int64_t>(backfill_s * 1000);
  const auto period_ms = static_cast<std::int64_t>(ro.period_s * 1000);
  for (auto& g : gws) g.last_sent = Clock::now();
  for (auto& g : gws)
    g.next_round_ms =
        sim_start + static_cast<std::int64_t>(g.rng.uniform() * static_cast<double>(period_ms));
  std::fprintf(stderr,
               "run: %zu gateways, %zu points, period %.1f s (%.0f readings/s in real time), time "
               "compression ×%.2f, "
               "simulated time from %s\n",
               gws.size(), n_points, ro.period_s, natural, k,
               format_local(sim_start, false).c_str());

  std::ofstream record;
  if (auto rec = o.get("--record")) {
    record.open(*rec, std::ios::trunc);
    if (!record) throw UsageError("cannot write " + *rec);
  }

  Stats st;
  Sender sender(url, tls, connections, st);
  Reporter rep(st, sender);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto start = Clock::now();
  const auto end =
      duration > 0 ? start + std::chrono::milliseconds(static_cast<std::int64_t>(duration * 1000))
                   : Clock::time_point::max();
  const auto max_outstanding = static_cast<std::size_t>(connections) * 4;
  auto stopping = [&] { return g_signals.load() > 0 || Clock::now() >= end; };
  auto in_outage = [&](Clock::time_point t) {
    if (outage_at < 0) return false;
    double s = std::chrono::duration<double>(t - start).count();
    return s >= outage_at && s < outage_at + outage_for;
  };

  auto send = [&](Gateway& g, const char* type, std::string_view items, int n, bool force) {
    // Back-pressure: at most a few uploads per connection wait; pacing resumes when they drain.
    while (!force && sender.outstanding() >= max_outstanding && !stopping()) {
      std::this_thread::sleep_for(200us);
      rep.tick();
    }
    auto up = std::make_shared<Upload>();
    char id[64];
    std::snprintf(id, sizeof id, "%s-%s-%llu", g.code.empty() ? g.company.c_str() : g.code.c_str(),
                  ro.run_id.c_str(), static_cast<unsigned long long>(++g.seq));
    up->data_id = id;
    up->items = n;
    up->bearer = g.bearer;
    up->body = make_body(g, up->data_id, type, items, items.size());
    g.last_sent = Clock::now();
    if (record.is_open()) record << up->body << '\n';
    sender.submit(std::move(up));
  };
  auto flush = [&](Gateway& g, bool force) {
    if (g.pending_n == 0) return;
    if (in_outage(Clock::now())) {
      // The gateway keeps what it cannot send, merged into chunks of at most --batch items.
      if (!g.backlog.empty() && g.backlog.back().second + g.pending_n <= ro.batch) {
        g.backlog.back().first += ',';
        g.backlog.back().first += g.pending;
        g.backlog.back().second += g.pending_n;
      } else {
        g.backlog.emplace_back(g.pending, g.pending_n);
      }
    } else {
      send(g, "realtime", g.pending, g.pending_n, force);
    }
    g.pending.clear();
    g.pending_n = 0;
  };
  auto send_backlog = [&](Gateway& g, bool force) {
    for (auto& [items, n] : g.backlog) send(g, "resend", items, n, force);
    g.backlog.clear();
  };

  // A gateway sends when it holds --batch items, or when its oldest item has waited as long as
  // filling a batch takes at this pace (20 ms to 500 ms of real time).
  for (auto& g : gws) {
    double per_s = static_cast<double>(g.points.size()) * k / ro.period_s;
    g.max_wait = std::chrono::milliseconds(
        std::clamp<std::int64_t>(static_cast<std::int64_t>(ro.batch / per_s * 1000), 20, 500));
  }
  const double dt = ro.period_s;
  std::string tbuf;
  bool was_outage = false;
  while (!stopping()) {
    auto now_c = Clock::now();
    std::int64_t real = now_ms();
    auto sim_now = std::min<std::int64_t>(
        sim_start + static_cast<std::int64_t>(k * static_cast<double>(real - t0)), real);
    bool outage = in_outage(now_c);
    if (was_outage && !outage)
      for (auto& g : gws) send_backlog(g, false);
    was_outage = outage;
    for (auto& g : gws) {
      while (g.next_round_ms <= sim_now && !stopping()) {
        std::int64_t t = g.next_round_ms;
        g.next_round_ms += period_ms;
        tbuf = format_local(t + g.skew_ms, ro.with_ms);
        for (auto& p : g.points) {
          double v = 0;
          int q = 0;
          if (!sample(p, t, dt, g.rng, prof, v, q)) continue;
          if (g.pending_n == 0)
            g.pending_since = now_c;
          else
            g.pending += ',';
          g.pending += p.prefix;
          g.pending += tbuf;
          if (p.is_switch) {
            g.pending += "\",\"switchValue\":";
            g.pending += v > 0.5 ? '1' : '0';
          } else {
            g.pending += "\",\"value\":";
            append_number(g.pending, v, p.decimals);
          }
          g.pending += ",\"quality\":";
          g.pending += static_cast<char>('0' + q);
          g.pending += '}';
          if (++g.pending_n >= ro.batch) flush(g, false);
        }
      }
      if (g.pending_n > 0 && now_c - g.pending_since >= g.max_wait) flush(g, false);
      // A gateway with nothing to send says it is alive every 60 s (DOMAIN.md §8).
      if (!outage && now_c - g.last_sent >= 60s) send(g, "heartbeat", {}, 0, false);
    }
    rep.tick();
    std::this_thread::sleep_for(2ms);
  }
  // What the gateways still hold goes out now (a backlog still in its outage as "resend").
  for (auto& g : gws) {
    flush(g, true);
    g.pending.clear();
    g.pending_n = 0;
  }
  for (auto& g : gws) {
    // flush() during an outage moved the items into the backlog.
    if (!g.backlog.empty()) send_backlog(g, true);
  }
  if (record.is_open()) record.flush();
  drain(sender, rep,
        Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(drain_s * 1000)));
  auto s = rep.summary("run");
  s["gateways"] = gws.size();
  s["points"] = n_points;
  s["time_compression"] = std::round(k * 100) / 100;
  if (as_json)
    std::printf("%s\n", s.dump().c_str());
  else
    Reporter::print_text(s);
  return s["failed_uploads"].get<std::uint64_t>() == 0 && s["uploads_acked"] == s["uploads"] ? 0
                                                                                             : 1;
}

// ------------------------------------------------------------------ replay

namespace {
std::string field_of(std::string_view body, std::string_view key) {
  std::string pat = "\"" + std::string(key) + "\":\"";
  auto p = body.find(pat);
  if (p == std::string_view::npos) return {};
  p += pat.size();
  auto e = body.find('"', p);
  return e == std::string_view::npos ? std::string() : std::string(body.substr(p, e - p));
}

std::size_t count_items(std::string_view body) {
  std::size_t n = 0;
  for (auto p = body.find("\"quotaCode\""); p != std::string_view::npos;
       p = body.find("\"quotaCode\"", p + 1))
    ++n;
  return n;
}
}  // namespace

int cmd_replay(const std::vector<std::string>& args) {
  Options o(args, {"--json", "--fresh-ids"},
            {"--config", "--trace", "--speed", "--rate", "--id-suffix", "--connections", "--drain",
             "--url", "--ca-file"});
  auto doc = load_config(o.required("--config"));
  auto url = parse_url(o.str("--url", doc["url"].get<std::string>()));
  TlsOptions tls{o.str("--ca-file", "")};
  const auto trace_file = o.required("--trace");
  const double speed = o.number("--speed", 0, 0, 1e6);
  const double rate = o.number("--rate", 0, 0, 1e7);
  const int connections = static_cast<int>(o.integer("--connections", 16, 1, 1024));
  const double drain_s = o.number("--drain", 60, 0, 86400);
  const bool as_json = o.flag("--json");
  std::string suffix = o.str("--id-suffix", "");
  if (o.flag("--fresh-ids") && suffix.empty()) {
    // ".r" and the time in base 36: unique per replay, short.
    auto t = static_cast<unsigned long long>(now_ms());
    std::string b36;
    while (t) {
      b36.insert(b36.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[t % 36]);
      t /= 36;
    }
    suffix = ".r" + b36;
  }
  if (suffix.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    throw UsageError("--id-suffix may hold letters, digits, '.', '_' and '-'");

  std::map<std::string, std::string> bearer;
  for (const auto& e : doc["enterprises"])
    bearer[e.at("company_code").get<std::string>()] = e.at("bearer").get<std::string>();

  std::ifstream in(trace_file);
  if (!in) throw UsageError("cannot read " + trace_file);
  Stats st;
  Sender sender(url, tls, connections, st);
  Reporter rep(st, sender);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const auto start = Clock::now();
  const auto max_outstanding = static_cast<std::size_t>(connections) * 4;
  std::optional<std::int64_t> first_send;
  std::uint64_t line_no = 0, skipped = 0;
  std::string line;
  while (g_signals.load() == 0 && std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto company = field_of(line, "companyCode");
    auto data_id = field_of(line, "dataId");
    auto it = bearer.find(company);
    if (company.empty() || data_id.empty() || it == bearer.end()) {
      if (skipped++ < 5)
        std::fprintf(stderr,
                     "replay: line %llu skipped (no companyCode/dataId, or an enterprise not in "
                     "the config)\n",
                     static_cast<unsigned long long>(line_no));
      continue;
    }
    // Pacing: by the recorded sendTime (--speed), or a fixed number of uploads per second (--rate).
    Clock::time_point due = start;
    if (speed > 0) {
      auto sent = parse_local_ms(field_of(line, "sendTime"));
      if (sent) {
        if (!first_send) first_send = *sent;
        due = start + std::chrono::milliseconds(static_cast<std::int64_t>(
                          static_cast<double>(*sent - *first_send) / speed));
      }
    } else if (rate > 0) {
      due = start + std::chrono::microseconds(
                        static_cast<std::int64_t>(static_cast<double>(line_no - 1) * 1e6 / rate));
    }
    while ((Clock::now() < due || sender.outstanding() >= max_outstanding) &&
           g_signals.load() == 0) {
      std::this_thread::sleep_for(200us);
      rep.tick();
    }
    auto up = std::make_shared<Upload>();
    up->bearer = it->second;
    up->items = static_cast<int>(count_items(line));
    up->data_id = data_id + suffix;
    if (up->data_id.size() > 64)
      throw UsageError("dataId " + data_id + suffix + " would be longer than 64 characters");
    if (!suffix.empty()) {
      std::string pat = "\"dataId\":\"" + data_id + "\"";
      auto p = line.find(pat);
      line.replace(p, pat.size(), "\"dataId\":\"" + up->data_id + "\"");
    }
    up->body = std::move(line);
    line = std::string();
    sender.submit(std::move(up));
    rep.tick();
  }
  drain(sender, rep,
        Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(drain_s * 1000)));
  auto s = rep.summary("replay");
  s["lines_skipped"] = skipped;
  if (!suffix.empty()) s["id_suffix"] = suffix;
  if (as_json)
    std::printf("%s\n", s.dump().c_str());
  else
    Reporter::print_text(s);
  return s["failed_uploads"].get<std::uint64_t>() == 0 && s["uploads_acked"] == s["uploads"] &&
                 skipped == 0
             ? 0
             : 1;
}

int cmd_sink(const std::vector<std::string>& args) {
  Options o(args, {}, {"--port", "--address", "--threads"});
  return run_sink(o.str("--address", "127.0.0.1"),
                  static_cast<unsigned short>(o.integer("--port", 0, 0, 65535)),
                  static_cast<int>(o.integer("--threads", 1, 1, 64)));
}

}  // namespace hazmon::sim
