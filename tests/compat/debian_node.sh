#!/usr/bin/env bash
# The dashboard with Debian's own Node.js (issue 10: "it must also work with Debian's own nodejs
# when Node is missing"): a fresh Debian 12 root made by debootstrap, with only Debian's
# `nodejs` and `npm` packages (18.x and 9.2 on bookworm, what scripts/setup.sh installs when no
# npm is found), runs the same `npm ci`, `npm run build` and `npx vitest run` as the setup script
# and the suite. Not part of .ci/run: it needs root, Debian's mirror and a few minutes.
# Usage: sudo tests/compat/debian_node.sh [root-dir=/tmp/hazmon-bookworm-node]
set -euo pipefail
cd "$(dirname "$0")/../.."
R=${1:-/tmp/hazmon-bookworm-node}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
if [[ ! -x "$R/usr/bin/node" ]]; then
  # --include of npm can leave some node-* packages unconfigured on the first pass; they are
  # configured below once /proc is there.
  debootstrap --variant=minbase --include=nodejs,npm,ca-certificates bookworm "$R" "$MIRROR" || true
fi
mountpoint -q "$R/proc" || mount -t proc proc "$R/proc"
mountpoint -q "$R/dev" || mount --bind /dev "$R/dev"
trap 'umount "$R/proc" "$R/dev" 2>/dev/null || true' EXIT
cp /etc/resolv.conf "$R/etc/resolv.conf"
# The host's trust store (a proxy's CA where there is one), and localhost for vitest's server.
cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt"
grep -q localhost "$R/etc/hosts" 2>/dev/null || printf '127.0.0.1 localhost\n::1 localhost\n' > "$R/etc/hosts"
chroot "$R" bash -c 'DEBIAN_FRONTEND=noninteractive dpkg --configure -a >/dev/null 2>&1 || true'
rm -rf "$R/src" && mkdir -p "$R/src"
git archive HEAD web schemas | tar -x -C "$R/src"
chroot "$R" env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    npm_config_cafile=/etc/ssl/certs/ca-certificates.crt bash -euo pipefail -c '
  echo "node $(node --version), npm $(npm --version) ($(dpkg-query -W -f="\${Version}" nodejs) from Debian)"
  cd /src/web
  npm ci --no-audit --no-fund
  npm run build
  npx vitest run
'
echo "debian_node: npm ci, build and vitest passed with Debian's Node.js"
