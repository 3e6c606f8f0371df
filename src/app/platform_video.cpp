// app::Platform's video sections: the review queue and the pipeline (with node.cluster, the
// cameras this node holds a lease for), and GB/T 28181 devices with their SIP server.
#include "platform_impl.hpp"

namespace hazmon::app {
namespace fs = std::filesystem;
using nlohmann::json;

// Video events: the review queue; the pipeline (one worker per camera row with an RTSP URL,
// nothing without cameras) when video.enabled. The pipeline reports to the service and gets its
// cameras from it.
void Platform::Impl::build_video() {
  if (!o.video_service) return;
  if (!video::pipeline_built()) {
    // HAZMON_WITH_VIDEO=OFF: no review queue either (nothing would fill it); the video routes
    // answer 404 video_disabled. The config's video section is still checked by the schema.
    if (cfg["video"]["enabled"].get<bool>())
      log->warn(
          "video.enabled is true, but this hazmond was built without video "
          "(HAZMON_WITH_VIDEO=OFF): cameras are not analysed and the video API answers "
          "404 video_disabled");
    return;
  }
  auto vs = video_service_settings(cfg);
  vs.secret_box = box.get();  // camera credentials (ADR 0014)
  if (o.manual_ticks) vs.housekeeping_interval = std::chrono::seconds(0);
  fs::create_directories(vs.evidence_dir);
  fs::create_directories(vs.recording_dir);
  video =
      std::make_unique<service::VideoService>(db, warnings.get(), std::move(vs), *clock, &liveness);
  registry->on_change([v = video.get()](const std::string& entity) {
    if (entity == "cameras" || entity == "enterprises") v->reload_cameras();
  });
  registry->add_check("cameras", [v = video.get()](const json& row) {
    std::vector<core::FieldError> out = v->check_camera_row(row);  // RTSP only, allowed networks
    auto get = [&row](const char* k) { return row.contains(k) ? row[k] : json::array(); };
    for (auto& [pointer, message] :
         video::check_camera_settings(get("analysers"), get("rois"), get("duty_schedule")))
      out.push_back({pointer, message});
    return out;
  });
  if (!cfg["video"]["enabled"].get<bool>()) return;
  try {
    pipeline = std::make_unique<video::Supervisor>(video_pipeline_settings(cfg), *video, *clock,
                                                   &metrics, &liveness);
  } catch (const std::exception& e) {
    // The review queue and the rest of the platform still serve; cameras are not analysed.
    log->error("video pipeline not started: {}", e.what());
    return;
  }
  pipeline->on_segment([v = video.get()](const video::Segment& s) { v->add_segment(s); });
  // One node runs every camera; with node.cluster, those it holds a lease for (ADR 0028).
  video->on_cameras([this](const std::vector<video::CameraConfig>& cams) {
    std::vector<std::string> ids;
    for (const auto& c : cams) ids.push_back(c.video_id);
    if (!nodes->cluster()) {
      pipeline->set_cameras(cams);
      nodes->set_cameras(std::move(ids));
      return;
    }
    {
      std::lock_guard lock(cameras_mu);
      all_cameras = cams;
    }
    nodes->set_cameras(std::move(ids));
    run_held(nodes->held());
  });
  nodes->on_held([this](const std::set<std::string>& held) {
    if (nodes->cluster()) run_held(held);
  });
  video->status_source([p = pipeline.get()] { return p->status(); });
  video->retention([p = pipeline.get()] { return p->enforce_retention(); });
}

void Platform::Impl::run_held(const std::set<std::string>& held) {
  std::vector<video::CameraConfig> run;
  {
    std::lock_guard lock(cameras_mu);
    for (const auto& c : all_cameras)
      if (held.count(c.video_id)) run.push_back(c);
  }
  if (pipeline) pipeline->set_cameras(run);
}

namespace {
// video's GbSignalling over the SIP server: the two modules do not know each other (ADR 0034).
class SipSignalling final : public video::GbSignalling {
 public:
  explicit SipSignalling(::hazmon::gb28181::Server& sip) : sip_(sip) {}
  video::GbCall invite(const video::GbSource& src, const std::string& media_address,
                       unsigned short port, std::chrono::milliseconds timeout) override {
    auto r =
        sip_.invite({src.device_row, src.device_id, src.channel_id, media_address, port}, timeout);
    return {r.ok, r.error, r.call_id, r.device_ip};
  }
  void bye(const std::string& call_id) override { sip_.bye(call_id); }

 private:
  ::hazmon::gb28181::Server& sip_;
};
}  // namespace

// GB/T 28181 devices: the API always; the SIP server when gb28181.enabled (docs/gb28181.md);
// channels made cameras run in the pipeline, INVITEd through the SIP server (ADR 0034).
void Platform::Impl::build_gb28181() {
  auto gs = cfg.contains("gb28181") ? cfg["gb28181"].get<service::Gb28181Settings>()
                                    : service::Gb28181Settings{};
  gb28181 = std::make_unique<service::Gb28181Service>(db, *box, gs, *clock);
  if (video)
    gb28181->camera_hooks(
        [](const std::string& analysers) {
          return video::check_camera_settings(json::parse(analysers), json::array(), json::array());
        },
        [v = video.get()] { v->reload_cameras(); });
  if (!gs.enabled) return;
  sip = std::make_unique<::hazmon::gb28181::Server>(gs.server, *gb28181, *clock, &metrics);
  if (pipeline) {
    gb_signalling = std::make_unique<SipSignalling>(*sip);
    pipeline->set_gb_signalling(gb_signalling.get());
  }
}

}  // namespace hazmon::app
