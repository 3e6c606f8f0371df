#pragma once
// One camera: its stream thread(s), its place in the inference pool, its analysers, evidence
// and recording. With only a main stream, one thread reads it for everything; with a
// sub-stream too, one thread analyses the sub-stream and another keeps the main stream for
// evidence clips and recording.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <hazmon/video/supervisor.hpp>

#include "analyser.hpp"
#include "hint_filter.hpp"
#include "inference_pool.hpp"
#include "rtp_receiver.hpp"
#include "segment_recorder.hpp"

namespace hazmon::video {

class Camera {
 public:
  Camera(CameraConfig cfg, const VideoSettings& settings, EventSink& sink, const core::Clock& clock,
         InferencePool& pool, SegmentRecorder::Hook segment_hook);
  ~Camera();
  Camera(const Camera&) = delete;

  // GB/T 28181 cameras INVITE through what this points to (the supervisor's); before start().
  void set_gb(const std::atomic<GbSignalling*>* gb) { gb_ = gb; }
  void start();
  void stop();  // joins the threads; idempotent

  const CameraConfig& config() const { return cfg_; }
  CameraStatus status() const;
  void add_costs(PipelineCosts& c) const;

 private:
  enum Role : unsigned { analyse_role = 1, evidence_role = 2 };
  struct ClipJob;
  struct Session;

  void run_stream(unsigned role, std::string url);
  // One connection until it fails; true if frames (analysis) or packets (evidence) arrived.
  bool session(unsigned role, const std::string& url, std::string& error);
  // The analysed stream's packet: GOP measurement, decode when due, sample_frame.
  void analyse_packet(Session& s, AVPacket* pkt, std::int64_t ms);
  // A decoded frame: status, and when due for analysis scaled once and pushed to the pool.
  void sample_frame(Session& s, AVFrame* f, std::int64_t pkt_ms);
  void wait_backoff(std::chrono::milliseconds d, unsigned role);
  void give_up(unsigned role, const std::string& masked, const std::string& error);
  // Opens the offline episode once no frame has come for offline_after (or at once: `now`).
  void check_offline(bool now = false);
  void frame_arrived(int width, int height);
  void set_error(std::string e);

  // Inference pool thread.
  void analyse(const AnalysisFrame& frame, InferenceContext* ctx);
  void report(const AnalysisFrame& frame, Finding&& f);
  void emit(const VideoEvent& e);

  // Evidence thread.
  void request_clip(std::filesystem::path abs, VideoEvent e);
  void feed_clips(Session& s, const AVPacket* p, std::int64_t ms);
  void finish_clips(bool all);
  void clip_finished(ClipJob& job);

  CameraConfig cfg_;
  const VideoSettings& settings_;
  EventSink& sink_;
  const core::Clock& clock_;
  InferencePool& pool_;
  SegmentRecorder::Hook segment_hook_;
  std::vector<std::unique_ptr<Analyser>> analysers_;
  detail::HintFilter
      hints_;  // vapour hints that a fire or smoke episode explains (pool thread only)
  std::vector<std::int64_t> analyser_last_ms_;
  std::chrono::milliseconds interval_{1000};
  std::int64_t gop_ms_ = 0;  // measured on the analysed stream (its thread only)
  std::vector<std::vector<Point>> roi_polys_;
  std::shared_ptr<InferencePool::Slot> slot_;

  std::atomic<bool> stop_{false};
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  std::vector<std::thread> threads_;

  mutable std::mutex mu_;  // status, episodes, offline state
  CameraStatus st_;
  std::chrono::steady_clock::time_point last_frame_steady_;
  std::string offline_episode_;
  core::SysTime offline_since_{};
  std::map<std::string, VideoEvent> episodes_;  // open episodes by analyser/kind/roi

  std::mutex clip_mu_;
  std::vector<std::unique_ptr<ClipJob>> clip_requests_;
  std::vector<std::unique_ptr<ClipJob>> clips_;  // evidence thread only

  std::atomic<std::uint64_t> packets_{0}, decoded_{0}, analysed_{0}, dropped_{0}, reconnects_{0};
  const std::atomic<GbSignalling*>* gb_ = nullptr;
  RtpCounters rtp_;  // a GB/T 28181 camera's datagrams
  std::atomic<std::uint64_t> demux_ns_{0}, decode_ns_{0}, scale_ns_{0}, inference_ns_{0},
      analyse_ns_{0};
};

}  // namespace hazmon::video
