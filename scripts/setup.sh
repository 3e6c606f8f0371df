#!/usr/bin/env bash
# Installs every Debian package hazmon needs to build, run and test.
# Idempotent and non-interactive: a second run only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libboost1.81-dev libssl-dev libpqxx-dev libpq-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libvalijson-dev
  libsodium-dev prometheus-cpp-dev libsystemd-dev
  libgtest-dev libgmock-dev python3-minimal
  postgresql-15 postgresql-client-15
  curl ccache
  # video: FFmpeg libraries, OpenCV DNN, and the RTSP server the tests run
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  libopencv-dnn-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev libopencv-core-dev
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  # notify: SMTP client (libcurl) and a real SMTP server for the tests
  libcurl4-openssl-dev python3-aiosmtpd
  # upload hot path
  libsimdjson-dev
)
if [[ "${HAZMON_SETUP_BENCH:-0}" == 1 ]]; then
  packages+=(wrk nginx-light)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
