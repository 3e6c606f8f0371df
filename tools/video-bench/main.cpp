// hazmon-video-bench: runs N cameras (all reading one RTSP URL) through video::Supervisor with
// the leave-post and fire analysers at one analysed frame per second, and prints what the
// pipeline sustained as one JSON object: analysed frames per camera per second, drops (a queue
// that cannot keep up drops its oldest frames), per-stage costs, process CPU and RSS.
//
// usage: hazmon-video-bench --url rtsp://...[,rtsp://...] --cameras N [--seconds 30] [--warmup 10]
//                           [--threads 2] [--models models] [--analysers leave_post,fire]
#include <nlohmann/json.hpp>

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

#include <hazmon/core/clock.hpp>
#include <hazmon/video/supervisor.hpp>

using namespace std::chrono;
using hazmon::video::CameraConfig;
using hazmon::video::PipelineCosts;

namespace {

struct CountingSink final : hazmon::video::EventSink {
  std::atomic<int> events{0};
  void on_video_event(const hazmon::video::VideoEvent&) override { ++events; }
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

PipelineCosts minus(const PipelineCosts& a, const PipelineCosts& b) {
  PipelineCosts d;
  d.demux_ms = a.demux_ms - b.demux_ms;
  d.decode_ms = a.decode_ms - b.decode_ms;
  d.scale_ms = a.scale_ms - b.scale_ms;
  d.inference_ms = a.inference_ms - b.inference_ms;
  d.analyse_ms = a.analyse_ms - b.analyse_ms;
  d.packets = a.packets - b.packets;
  d.frames_decoded = a.frames_decoded - b.frames_decoded;
  d.frames_analysed = a.frames_analysed - b.frames_analysed;
  d.frames_dropped = a.frames_dropped - b.frames_dropped;
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  std::string url, models = "models", analysers = "leave_post,fire";
  int cameras = 1, secs = 30, warmup = 10, threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--url")
      url = v;
    else if (k == "--cameras")
      cameras = std::stoi(v);
    else if (k == "--seconds")
      secs = std::stoi(v);
    else if (k == "--warmup")
      warmup = std::stoi(v);
    else if (k == "--threads")
      threads = std::stoi(v);
    else if (k == "--models")
      models = v;
    else if (k == "--analysers")
      analysers = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (url.empty()) {
    std::cerr << "usage: hazmon-video-bench --url rtsp://... --cameras N [--seconds S] [--warmup "
                 "S] [--threads T]\n";
    return 2;
  }
  // Several URLs (comma-separated): cameras take them in turn, e.g. relays whose key frames
  // arrive at different phases, as independent cameras' do.
  std::vector<std::string> urls;
  {
    std::stringstream us(url);
    for (std::string u; std::getline(us, u, ',');)
      if (!u.empty()) urls.push_back(u);
  }
  hazmon::video::VideoSettings s;
  s.models_dir = models;
  s.inference_threads = threads;
  s.offline_after = seconds(60);
  s.open_timeout = milliseconds(15000);  // many cameras connecting at once on a busy machine
  auto analyser_list = nlohmann::json::array();
  std::stringstream ss(analysers);
  for (std::string a; std::getline(ss, a, ',');) {
    if (!a.empty()) analyser_list.push_back({{"type", a}, {"interval_ms", 1000}});
  }
  std::vector<CameraConfig> cams;
  for (int i = 0; i < cameras; ++i) {
    CameraConfig c;
    c.video_id = "bench-" + std::to_string(i);
    c.company_code = "BENCH";
    c.rtsp_url = urls[static_cast<std::size_t>(i) % urls.size()];
    c.allowed_networks = {"0.0.0.0/0", "::/0",
                          "127.0.0.0/8"};  // the bench's relays run on loopback
    c.analysers = analyser_list;
    cams.push_back(c);
  }
  const long rss0 = rss_kib();
  CountingSink sink;
  hazmon::core::SystemClock clock;
  hazmon::video::Supervisor sup(s, sink, clock);
  sup.set_cameras(cams);
  std::this_thread::sleep_for(seconds(warmup));
  const auto c0 = sup.costs();
  const double cpu0 = cpu_seconds();
  const auto t0 = steady_clock::now();
  std::this_thread::sleep_for(seconds(secs));
  const auto c1 = sup.costs();
  const double cpu1 = cpu_seconds();
  const double wall = duration<double>(steady_clock::now() - t0).count();
  const long rss1 = rss_kib();
  int online = 0;
  std::uint64_t reconnects = 0;
  for (const auto& st : sup.status()) {
    online += st.state == hazmon::video::StreamState::online;
    reconnects += st.reconnects;
  }
  sup.stop();
  const auto d = minus(c1, c0);
  const double per_cam_fps = static_cast<double>(d.frames_analysed) / wall / cameras;
  nlohmann::json out = {
      {"cameras", cameras},
      {"online", online},
      {"seconds", wall},
      {"inference_threads", threads},
      {"analysers", analysers},
      {"analysed_fps_per_camera", per_cam_fps},
      {"frames_dropped", d.frames_dropped},
      {"sustained", d.frames_dropped == 0 && per_cam_fps >= 0.9 && online == cameras},
      {"packets", d.packets},
      {"frames_decoded", d.frames_decoded},
      {"frames_analysed", d.frames_analysed},
      {"reconnects", reconnects},
      {"cpu_cores_used", (cpu1 - cpu0) / wall},
      // CPU time is what a loaded machine distorts least: the whole process's CPU per analysed
      // frame, and how many cameras at 1 frame/s two idle cores would hold at that cost.
      {"cpu_ms_per_analysed_frame",
       d.frames_analysed ? 1000 * (cpu1 - cpu0) / static_cast<double>(d.frames_analysed) : 0},
      {"cameras_per_2_cores_at_this_cost",
       d.frames_analysed ? 2000 / (1000 * (cpu1 - cpu0) / static_cast<double>(d.frames_analysed))
                         : 0},
      {"stage_ms_total",
       {{"demux", d.demux_ms},
        {"decode", d.decode_ms},
        {"scale", d.scale_ms},
        {"inference", d.inference_ms},
        {"analyse", d.analyse_ms}}},
      {"decode_ms_per_frame",
       d.frames_decoded ? d.decode_ms / static_cast<double>(d.frames_decoded) : 0},
      {"scale_ms_per_frame",
       d.frames_analysed ? d.scale_ms / static_cast<double>(d.frames_analysed) : 0},
      {"inference_ms_per_frame",
       d.frames_analysed ? d.inference_ms / static_cast<double>(d.frames_analysed) : 0},
      {"analyse_ms_per_frame",
       d.frames_analysed ? d.analyse_ms / static_cast<double>(d.frames_analysed) : 0},
      {"demux_us_per_packet", d.packets ? 1000 * d.demux_ms / static_cast<double>(d.packets) : 0},
      {"rss_mib", static_cast<double>(rss1) / 1024},
      {"rss_mib_per_camera", static_cast<double>(rss1 - rss0) / 1024 / cameras},
      {"events", sink.events.load()},
  };
  std::cout << out.dump() << std::endl;
  return 0;
}
