// hazmon-video-eval: the analysers of src/video on a clip or a still image, outside hazmond.
//
//   hazmon-video-eval --models DIR --input FILE --analyser JSON [--analyser JSON ...]
//                     [--rois JSON] [--duty JSON] [--every S] [--max-side N] [--repeat N]
//                     [--labels CSV] [--start ISO-8601] [--probe] [--person-input N]
//                     [--person-square]
//                     [--no-hint-filter]
//
// Frames are read with cv::VideoCapture (FFmpeg backend); one is analysed every --every seconds
// of clip time (CAP_PROP_POS_MSEC), scaled like the stream workers do (long side <= --max-side),
// with frame time = --start + clip position. A still image is fed --repeat times, --every apart.
// With --labels, every sample is scored against labels.csv (columns person, fire, smoke,
// vapour_leak over [t_start_s, t_end_s)): an episode open after the sample is a positive.
// --probe adds the raw model outputs per sample (persons in the frame, whole-frame P(fire)).
// --person-input N sets the person network's input long side (320), --person-square the square
// input of the model's README instead of one that follows the frame's aspect (the default).
// Findings pass the camera's hint filter (hint_filter.hpp: no vapour hint where a fire or smoke
// episode is open) like in hazmond; --no-hint-filter shows the analysers' raw episodes.
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <hazmon/core/error.hpp>
#include "analyser.hpp"
#include "hint_filter.hpp"

using namespace hazmon;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct LabelRow {
  double t0 = -1, t1 = -1;  // -1: still image (whole file)
  std::map<std::string, int> truth;
};

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
    } else
      cur += c;
  }
  out.push_back(cur);
  return out;
}

std::vector<LabelRow> read_labels(const std::string& path, const std::string& file) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line;
  std::getline(in, line);
  auto head = split_csv(line);
  std::vector<LabelRow> rows;
  while (std::getline(in, line)) {
    auto f = split_csv(line);
    if (f.size() < head.size() || f[0] != file) continue;
    LabelRow r;
    for (size_t i = 0; i < head.size(); ++i) {
      if (head[i] == "t_start_s" && !f[i].empty())
        r.t0 = std::stod(f[i]);
      else if (head[i] == "t_end_s" && !f[i].empty())
        r.t1 = std::stod(f[i]);
      else if (head[i] == "person" || head[i] == "fire" || head[i] == "smoke" ||
               head[i] == "vapour_leak")
        r.truth[head[i]] = std::stoi(f[i]);
    }
    rows.push_back(r);
  }
  return rows;
}

// Ground truth of one episode kind at clip time t; nullopt when the labels do not cover t.
std::optional<bool> truth_at(const std::vector<LabelRow>& rows, const std::string& kind, double t) {
  for (const auto& r : rows) {
    if (r.t0 >= 0 && (t < r.t0 || t >= r.t1)) continue;
    if (kind == "absent") return r.truth.at("person") == 0;
    if (kind == "fire") return r.truth.at("fire") == 1;
    if (kind == "smoke") return r.truth.at("smoke") == 1;
    if (kind == "vapour" || kind == "liquid") return r.truth.at("vapour_leak") == 1;
    return false;  // understaffed, camera health: every eval clip is a working camera
  }
  return std::nullopt;
}

// The kinds each analyser type is scored on.
std::vector<std::string> kinds_of(const std::string& type) {
  if (type == "leave_post") return {"absent"};
  if (type == "fire") return {"fire"};
  if (type == "smoke") return {"smoke"};
  if (type == "fire_smoke") return {"fire", "smoke"};
  if (type == "leak") return {"vapour", "liquid"};
  if (type == "camera_health") return {"black", "covered", "blur", "frozen", "scene_change"};
  return {};
}

core::SysTime parse_start(const std::string& iso) {
  std::tm tm{};
  std::istringstream in(iso);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) throw std::runtime_error("--start wants YYYY-MM-DDTHH:MM:SS (UTC)");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

struct Score {
  int tp = 0, fp = 0, fn = 0, tn = 0;
};

// CPU time of this thread: on a busy 2-core machine wall time mostly measures the neighbours.
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int usage() {
  std::cerr << "usage: hazmon-video-eval --models DIR --input FILE --analyser JSON [--analyser "
               "JSON ...]\n"
               "       [--rois JSON] [--duty JSON] [--every S] [--max-side N] [--repeat N] "
               "[--labels CSV]\n"
               "       [--start YYYY-MM-DDTHH:MM:SS] [--probe] [--person-input N] "
               "[--person-square] [--no-hint-filter]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string models = "models", input, labels_path;
  std::vector<std::string> analyser_json;
  json rois = json::array(), duty = json::array();
  double every = 1.0;
  int max_side = 640, repeat = 10;
  bool probe = false, person_aspect = true, hint_filter = true;
  int person_input = 320;
  // Monday 2026-11-30 10:00 China time: inside the usual duty hours.
  core::SysTime start = parse_start("2026-11-30T02:00:00");
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--models")
      models = next();
    else if (a == "--input")
      input = next();
    else if (a == "--analyser")
      analyser_json.push_back(next());
    else if (a == "--rois")
      rois = json::parse(next());
    else if (a == "--duty")
      duty = json::parse(next());
    else if (a == "--every")
      every = std::stod(next());
    else if (a == "--max-side")
      max_side = std::stoi(next());
    else if (a == "--repeat")
      repeat = std::stoi(next());
    else if (a == "--labels")
      labels_path = next();
    else if (a == "--start")
      start = parse_start(next());
    else if (a == "--probe")
      probe = true;
    else if (a == "--person-input")
      person_input = std::stoi(next());
    else if (a == "--person-square")
      person_aspect = false;
    else if (a == "--no-hint-filter")
      hint_filter = false;
    else
      return usage();
  }
  if (input.empty() || analyser_json.empty() || every <= 0) return usage();

  video::ModelPaths paths;
  fs::path m = models;
  paths.person_cfg = (m / "yolo-fastest-1.1-body/yolo-fastest-1.1_body.cfg").string();
  paths.person_weights = (m / "yolo-fastest-1.1-body/yolo-fastest-1.1_body.weights").string();
  paths.fire_prototxt = (m / "shufflenetv2-onfire/shufflenetv2_onfire_ff.prototxt").string();
  paths.fire_caffemodel = (m / "shufflenetv2-onfire/shufflenetv2_onfire_ff.caffemodel").string();
  paths.person_input = person_input;
  paths.person_keep_aspect = person_aspect;
  video::InferenceContext ctx(paths);

  struct Slot {
    std::string type;
    std::unique_ptr<video::Analyser> a;
    double ms = 0, cpu_ms = 0;
    std::map<std::string, Score> scores;
  };
  std::vector<Slot> slots;
  for (const auto& text : analyser_json) {
    json entry = json::parse(text);
    slots.push_back({entry.value("type", ""), video::make_analyser(entry, rois, duty), 0, 0, {}});
  }

  const std::string file = fs::path(input).filename().string();
  std::vector<LabelRow> labels;
  if (!labels_path.empty()) labels = read_labels(labels_path, file);

  // Frame source: a still image (repeated) or a clip.
  const std::string ext = fs::path(input).extension().string();
  const bool still = ext == ".png" || ext == ".jpg" || ext == ".jpeg";
  cv::Mat image;
  cv::VideoCapture cap;
  if (still) {
    image = cv::imread(input, cv::IMREAD_COLOR);
    if (image.empty()) throw std::runtime_error("cannot read image " + input);
  } else if (!cap.open(input, cv::CAP_FFMPEG)) {
    throw std::runtime_error("cannot open clip " + input);
  }

  video::detail::HintFilter hints;
  json events = json::array(), samples = json::array();
  std::set<std::string> open;  // "<analyser>/<kind>" with an episode open
  int frames = 0, sample_no = 0;
  double next_t = 0, decode_ms = 0;
  const auto run_start = std::chrono::steady_clock::now();
  for (;;) {
    cv::Mat frame;
    double t;
    if (still) {
      if (sample_no >= repeat) break;
      frame = image;
      t = sample_no * every;
    } else {
      auto d0 = std::chrono::steady_clock::now();
      if (!cap.grab()) break;
      ++frames;
      t = cap.get(cv::CAP_PROP_POS_MSEC) / 1000.0;
      if (t + 1e-6 < next_t) continue;
      if (!cap.retrieve(frame) || frame.empty()) continue;
      decode_ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - d0).count();
      next_t = std::floor(t / every + 1e-6) * every + every;
    }
    ++sample_no;
    video::AnalysisFrame af;
    af.source_width = frame.cols;
    af.source_height = frame.rows;
    const double scale =
        std::min(1.0, static_cast<double>(max_side) / std::max(frame.cols, frame.rows));
    if (scale < 1.0)
      cv::resize(frame, af.bgr, {}, scale, scale, cv::INTER_AREA);
    else
      af.bgr = frame;
    af.time = start + std::chrono::milliseconds(std::llround(t * 1000));
    af.pts_ms = std::llround(t * 1000);
    af.video_id = file;

    json sample = {{"t", std::round(t * 100) / 100}};
    if (probe) {
      sample["persons"] = ctx.detect_persons(af.bgr, 0.4).size();
      sample["p_fire"] = std::round(ctx.fire_probability(af.bgr) * 1000) / 1000;
    }
    // All analysers first, then the camera's hint filter over the frame's findings (as the
    // stream worker does), then the events and scores.
    std::vector<std::vector<video::Finding>> outs(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      auto& s = slots[i];
      auto a0 = std::chrono::steady_clock::now();
      const double c0 = thread_cpu_ms();
      s.a->analyse(af, ctx, outs[i]);
      s.cpu_ms += thread_cpu_ms() - c0;
      s.ms +=
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a0).count();
      if (!hint_filter) continue;
      hints.observe(outs[i]);
    }
    for (std::size_t i = 0; i < slots.size(); ++i) {
      auto& s = slots[i];
      auto& out = outs[i];
      if (hint_filter) std::erase_if(out, [&](const video::Finding& f) { return !hints.pass(f); });
      for (const auto& f : out) {
        const std::string key = f.analyser + "/" + f.kind;
        if (f.phase == video::EventPhase::start) open.insert(key);
        if (f.phase == video::EventPhase::end) open.erase(key);
        events.push_back(
            {{"analyser", f.analyser},
             {"kind", f.kind},
             {"phase", f.phase == video::EventPhase::start ? "start"
                       : f.phase == video::EventPhase::end ? "end"
                                                           : "update"},
             {"t", std::round(t * 100) / 100},
             {"started_t",
              std::round(std::chrono::duration<double>(f.started_at - start).count() * 100) / 100},
             {"confidence", std::round(f.confidence * 1000) / 1000},
             {"boxes", f.boxes.size()},
             {"roi", f.roi_name},
             {"detail", f.detail}});
      }
      if (!labels.empty()) {
        for (const auto& kind : kinds_of(s.type)) {
          auto truth = truth_at(labels, kind, t);
          if (!truth) continue;
          bool positive = false;
          for (const auto& k : open)
            if (k.size() > kind.size() &&
                k.compare(k.size() - kind.size() - 1, std::string::npos, "/" + kind) == 0)
              positive = true;
          auto& sc = s.scores[kind];
          if (positive && *truth)
            ++sc.tp;
          else if (positive)
            ++sc.fp;
          else if (*truth)
            ++sc.fn;
          else
            ++sc.tn;
        }
      }
    }
    if (probe) samples.push_back(sample);
  }
  const double wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - run_start)
          .count();

  json result = {{"input", file},
                 {"frames_read", frames},
                 {"samples", sample_no},
                 {"every_s", every},
                 {"events", events}};
  json per = json::object(), costs = json::object();
  for (const auto& s : slots) {
    costs["analyse_ms_per_sample"][s.a->name()] =
        sample_no ? std::round(s.ms / sample_no * 100) / 100 : 0.0;
    costs["analyse_cpu_ms_per_sample"][s.a->name()] =
        sample_no ? std::round(s.cpu_ms / sample_no * 100) / 100 : 0.0;
    for (const auto& [kind, sc] : s.scores) {
      json j = {{"tp", sc.tp}, {"fp", sc.fp}, {"fn", sc.fn}, {"tn", sc.tn}};
      j["precision"] =
          sc.tp + sc.fp ? json(static_cast<double>(sc.tp) / (sc.tp + sc.fp)) : json(nullptr);
      j["recall"] =
          sc.tp + sc.fn ? json(static_cast<double>(sc.tp) / (sc.tp + sc.fn)) : json(nullptr);
      per[s.type + "/" + kind] = j;
    }
  }
  auto c = ctx.costs();
  costs["person_runs"] = c.person_runs;
  costs["person_ms_avg"] =
      c.person_runs ? std::round(c.person_ms / c.person_runs * 100) / 100 : 0.0;
  costs["fire_runs"] = c.fire_runs;
  costs["fire_ms_avg"] = c.fire_runs ? std::round(c.fire_ms / c.fire_runs * 100) / 100 : 0.0;
  costs["decode_ms_per_sample"] = sample_no ? std::round(decode_ms / sample_no * 100) / 100 : 0.0;
  costs["wall_ms"] = std::round(wall_ms);
  if (!labels.empty()) result["per_sample"] = per;
  result["costs"] = costs;
  if (probe) result["probe"] = samples;
  std::cout << result.dump(2) << "\n";
  return 0;
} catch (const hazmon::core::Error& e) {
  std::cerr << "hazmon-video-eval: " << e.what() << "\n";
  return 1;
} catch (const std::exception& e) {
  std::cerr << "hazmon-video-eval: " << e.what() << "\n";
  return 1;
}
