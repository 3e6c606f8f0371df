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
  # the layout check (tests/format, .clang-format) and the static analysis (scripts/tidy.sh)
  clang-format clang-tidy
  # video: FFmpeg libraries, OpenCV DNN, and the RTSP server the tests run
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  libopencv-dnn-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev libopencv-core-dev
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  # notify: SMTP client (libcurl) and a real SMTP server for the tests
  libcurl4-openssl-dev python3-aiosmtpd
  # upload hot path
  libsimdjson-dev
  # report: XLSX exports (ADR 0016), and unzip to read them back in the tests
  libxlsxwriter-dev unzip
  # 3-D plant models: the uploaded 3D Tiles ZIP read in memory and checked (ADR 0030)
  libzip-dev
  # GB/T 28181 SIP server: libosip2's parser (ADR 0029)
  libosip2-dev
  # dashboard: the headless browser tests/dashboard drives, its Chinese resources (the test
  # browser runs in zh-CN: date inputs 年/月/日) and a CJK font for its screenshots
  chromium chromium-l10n fonts-wqy-microhei
  # duty-room video calls (docs/calls.md, ADR 0031): the Janus WebRTC server their tests start
  janus
)
# The dashboard's npm packages (web/package-lock.json) need npm; Debian's nodejs and npm unless a
# Node.js with npm is already installed.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
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

# The dashboard (web/, ADR 0017): its npm packages exactly as web/package-lock.json pins them
# (Vue, ECharts, hls.js; Vite, TypeScript, vitest, openapi-typescript to build and test it;
# playwright-core for the browser test), then the build into web/dist, which hazmond serves.
# `npm ci` runs when the lock file changed since the last install, the build when any of its
# inputs (sources, configuration, the lock, schemas/openapi.yaml) changed since the last build.
root="$(cd "$(dirname "$0")/.." && pwd)"
web="$root/web"
stamp="$web/node_modules/.hazmon-lock-sha256"
lock_sum=$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_sum" ]]; then
  echo "setup: npm ci in web/"
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$lock_sum" > "$stamp"
fi
build_stamp="$web/dist/.hazmon-build-sha256"
build_sum=$(cd "$root" && { find web/src web/public web/scripts -type f ! -path web/src/api/schema.ts -print0 | sort -z |
  xargs -0 sha256sum; sha256sum web/package.json web/package-lock.json web/index.html web/vite.config.ts web/tsconfig.json \
  web/env.d.ts schemas/openapi.yaml; } | sha256sum | cut -d' ' -f1)
if [[ ! -f "$build_stamp" || "$(cat "$build_stamp")" != "$build_sum" || ! -f "$web/dist/index.html" ]]; then
  echo "setup: npm run build in web/"
  build_log=$(mktemp)
  if ! (cd "$web" && npm run build >"$build_log" 2>&1); then cat "$build_log" >&2; rm -f "$build_log"; exit 1; fi
  rm -f "$build_log"
  echo "$build_sum" > "$build_stamp"
fi
