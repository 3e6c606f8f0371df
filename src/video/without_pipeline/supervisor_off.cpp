// The video module of a hazmond built with HAZMON_WITH_VIDEO=OFF (src/video/CMakeLists.txt):
// the settings types and their parsing, but no pipeline, so nothing here links FFmpeg or OpenCV.
// app asks pipeline_built() and leaves video out: no VideoService, no Supervisor, and the API
// answers the video routes with 404 `video_disabled`. These definitions only keep the module's
// interface whole; constructing a Supervisor is a bug.
#include <hazmon/core/error.hpp>
#include <hazmon/video/supervisor.hpp>

namespace hazmon::video {

namespace {
constexpr const char* kWithoutVideo =
    "this hazmond was built without video (HAZMON_WITH_VIDEO=OFF): no cameras are analysed";
}

bool pipeline_built() noexcept { return false; }

struct Supervisor::Impl {};

Supervisor::Supervisor(VideoSettings, EventSink&, const core::Clock&, core::Metrics*,
                       core::Liveness*) {
  throw core::Error(core::Errc::not_found, core::Reason::video_disabled, kWithoutVideo);
}
Supervisor::~Supervisor() = default;
void Supervisor::set_cameras(const std::vector<CameraConfig>&) {}
void Supervisor::on_segment(std::function<void(const Segment&)>) {}
void Supervisor::set_gb_signalling(GbSignalling*) {}
std::vector<Segment> Supervisor::enforce_retention() { return {}; }
std::vector<CameraStatus> Supervisor::status() const { return {}; }
PipelineCosts Supervisor::costs() const { return {}; }
void Supervisor::stop() {}

std::vector<std::pair<std::string, std::string>> check_camera_settings(const nlohmann::json&,
                                                                       const nlohmann::json&,
                                                                       const nlohmann::json&) {
  return {{"", kWithoutVideo}};
}

}  // namespace hazmon::video
