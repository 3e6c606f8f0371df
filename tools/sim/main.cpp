// hazmon-sim: command line.
#include "sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>

namespace hazmon::sim {

namespace {
const char* kHelp = R"(hazmon-sim — gateway simulator and load generator for hazmond (HTTPS only)

usage:
  hazmon-sim setup  --url URL --user NAME --password-file FILE --enterprises N --points M --out FILE
                    [--seed N] [--ca-file PEM] [--offline]
  hazmon-sim run    --config FILE [--rate READINGS_PER_S] [--duration S] [--batch ITEMS]
                    [--connections C] [--period S] [--noise-profile realistic|noisy|quiet]
                    [--outage-at S --outage-for S] [--skew-ms MS] [--seed N]
                    [--record TRACE.jsonl] [--drain S] [--url URL] [--ca-file PEM] [--json]
  hazmon-sim replay --config FILE --trace TRACE.jsonl [--speed X] [--rate UPLOADS_PER_S]
                    [--fresh-ids] [--id-suffix S] [--connections C] [--drain S] [--json]
  hazmon-sim sink   [--port P] [--address A] [--threads T]
  hazmon-sim --help

setup   For N enterprises (the roster's, from GET /api/v1/enterprises, then new ones with fresh
        codes when N exceeds them) creates one hazard source (rank 1-4), one gateway, M monitoring
        points (tank levels, temperatures, pressures, combustible and toxic gas, and switch points
        for static grounding, overflow and SIS bypass, with realistic ranges and LL/L/H/HH) and one
        gateway credential each, then writes FILE: url, and per enterprise the company code,
        gateway code, bearer and points with kind and limits. Idempotent: run again with the same
        FILE it reuses what FILE and the server already have (409 = already there).
        --offline writes a file with made-up codes and no server (for benchmarks against `sink`).

run     Plays every gateway of FILE: each point yields a value every --period seconds (default
        30) from its signal model, batched per gateway into uploads of at most --batch items
        (default 200), sent over --connections kept-alive HTTPS connections (default 16).
        --rate R paces to R readings/s in total by compressing simulated time; collect times
        run from the past up to now and never ahead of the wall clock. Without --rate the
        gateways run in real time. --duration S stops after S seconds (default: until Ctrl-C).
        --outage-at/--outage-for: in that window (seconds since start) the gateways keep their
        readings and send them afterwards as reportType "resend". --skew-ms: each gateway's
        clock is off by a fixed amount within ±MS. 503 and connection errors are retried with
        the same body (same dataId) with back-off; --drain S bounds the wait for them at the end
        (default 60). --record writes every upload body, one JSON per line.
        Progress goes to stderr once a second; the summary to stdout (--json: one JSON object).
        Exit status 0 only if every upload was acknowledged with a 2xx.

replay  Resends the bodies of a trace recorded with --record, unchanged (the server answers
        duplicates from its dataId memory) or, with --fresh-ids, with a suffix appended to every
        dataId (--id-suffix to choose it). --speed X keeps the recorded pacing (by sendTime)
        X times faster; without it the trace is sent as fast as the connections allow.

sink    A trivial HTTPS server (self-signed certificate made at start) that answers every
        upload with code 0 and accepted = its number of items; prints "serving https://…".
        For measuring the generator without a database.

exit status: 0 success, 1 some upload was not acknowledged or the server refused setup, 2 usage.
)";
}  // namespace

Options::Options(const std::vector<std::string>& args, std::vector<std::string> flags,
                 std::vector<std::string> valued) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      flags_.push_back(a);
      continue;
    }
    if (std::find(valued.begin(), valued.end(), a) != valued.end()) {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      values_.emplace_back(a, args[++i]);
      continue;
    }
    throw UsageError("unknown option " + a + " (see hazmon-sim --help)");
  }
}

bool Options::flag(const std::string& name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

std::optional<std::string> Options::get(const std::string& name) const {
  std::optional<std::string> out;
  for (const auto& [k, v] : values_)
    if (k == name) out = v;
  return out;
}

std::string Options::str(const std::string& name, const std::string& def) const {
  return get(name).value_or(def);
}

std::string Options::required(const std::string& name) const {
  auto v = get(name);
  if (!v || v->empty()) throw UsageError(name + " is required");
  return *v;
}

double Options::number(const std::string& name, double def, double min, double max) const {
  auto v = get(name);
  if (!v) return def;
  std::size_t used = 0;
  double d = 0;
  try {
    d = std::stod(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v->size() || !std::isfinite(d) || d < min || d > max)
    throw UsageError(name + " must be a number from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return d;
}

long long Options::integer(const std::string& name, long long def, long long min,
                           long long max) const {
  auto v = get(name);
  if (!v) return def;
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(*v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v->size() || n < min || n > max)
    throw UsageError(name + " must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return n;
}

}  // namespace hazmon::sim

int main(int argc, char** argv) {
  using namespace hazmon::sim;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kHelp, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  std::string cmd = args[0];
  args.erase(args.begin());
  if (std::find(args.begin(), args.end(), "--help") != args.end()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  try {
    if (cmd == "setup") return cmd_setup(args);
    if (cmd == "run") return cmd_run(args);
    if (cmd == "replay") return cmd_replay(args);
    if (cmd == "sink") return cmd_sink(args);
    throw UsageError("unknown command " + cmd + " (see hazmon-sim --help)");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "hazmon-sim: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hazmon-sim %s: %s\n", cmd.c_str(), e.what());
    return 1;
  }
}
