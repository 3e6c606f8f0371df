#!/usr/bin/env bash
# The Debian package (ctest package_deb, label install): cpack -G DEB from BUILD_DIR into a fresh
# directory, then dpkg-deb -I/-c: name, version, section, Depends from dpkg-shlibdeps (OpenCV DNN,
# FFmpeg, libpqxx, …), the Recommends, the maintainer scripts, and the files HAZMON_HOME needs,
# under /usr, with a unit that names /usr/bin/hazmond. About 30 s (strip and dpkg-shlibdeps).
# usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
work=$(mktemp -d /tmp/hazmon-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; failures=$((failures + 1)); fi
}

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; echo "FAIL  cpack -G DEB"; exit 1; }
version=$(sed -n 's/^project(hazmon VERSION \([0-9.]*\).*/\1/p' "$source/CMakeLists.txt")
deb=$(ls "$work"/out/hazmon_*.deb)
check "one package, hazmon_${version}_amd64.deb" test "$(basename "$deb")" = "hazmon_${version}_$(dpkg --print-architecture).deb"

dpkg-deb -f "$deb" >"$work/control"
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
field() { sed -n "s/^$1: //p" "$work/control"; }
echo "      Depends: $(field Depends)"
echo "      Recommends: $(field Recommends)"
check "Package: hazmon" test "$(field Package)" = hazmon
check "Version: $version" test "$(field Version)" = "$version"
check "Section: net" test "$(field Section)" = net
check "Maintainer set" grep -q '^Maintainer: .*<.*@.*>' "$work/control"
check "Description set" grep -q '^Description: .*monitoring' "$work/control"
for dep in systemd libc6 'libopencv-dnn[0-9]' 'libavcodec[0-9]' 'libpqxx-' libpq5 libssl3 libsodium libsystemd0; do
  check "Depends: $dep" grep -Eq "^Depends: (.*, )?$dep" "$work/control"
done
for rec in postgresql-15 chromium; do
  check "Recommends: $rec" grep -Eq "^Recommends: (.*, )?$rec(,|$)" "$work/control"
done
check "postgresql-15 is not a hard dependency (managed databases, ADR 0005)" bash -c "! grep -Eq '^Depends: .*postgresql-15' '$work/control'"

dpkg-deb -e "$deb" "$work/control.d"
for s in postinst prerm postrm; do
  check "maintainer script $s (0755)" test "$(stat -c %a "$work/control.d/$s")" = 755
done
check "postinst runs sysusers and tmpfiles" grep -q 'systemd-sysusers hazmon.conf' "$work/control.d/postinst"
check "postinst does not start or enable hazmond (only tells how)" \
  bash -c "! grep -Ev '^[[:space:]]*(#|echo )' '$work/control.d/postinst' | grep -Eq 'systemctl (start|enable|restart|reload-or-restart)'"

for f in /usr/bin/hazmond /usr/lib/systemd/system/hazmond.service /usr/lib/sysusers.d/hazmon.conf \
         /usr/lib/tmpfiles.d/hazmon.conf /usr/share/hazmon/schemas/config.schema.json /usr/share/hazmon/web/dist/index.html \
         /usr/share/hazmon/config/hazmond.prod.json /usr/share/hazmon/data/roster/ \
         /usr/share/hazmon/models/yolo-fastest-1.1-body/yolo-fastest-1.1_body.weights \
         /usr/share/hazmon/models/yolo-fastest-1.1-body/LICENSE \
         /usr/share/hazmon/models/shufflenetv2-onfire/shufflenetv2_onfire_ff.caffemodel \
         /usr/share/hazmon/models/shufflenetv2-onfire/LICENSE /usr/share/doc/hazmon/operations.md; do
  check "file $f" grep -qx "$f" "$work/files"
done
n_src=$(find "$source/migrations" -name '*.sql' | wc -l)
n_deb=$(grep -c '^/usr/share/hazmon/migrations/.*\.sql$' "$work/files" || true)
check "all $n_src migrations ($n_deb)" test "$n_src" = "$n_deb"
check "nothing outside /usr" bash -c "! grep -v '^/usr/' '$work/files' | grep -v '^/\$'"
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/hazmond.service)
check "the unit runs /usr/bin/hazmond with HAZMON_HOME=/usr/share/hazmon" \
  bash -c "grep -q '^ExecStart=/usr/bin/hazmond serve' <<<\"\$1\" && grep -q '^Environment=HAZMON_HOME=/usr/share/hazmon\$' <<<\"\$1\"" _ "$unit"
dpkg-deb -x "$deb" "$work/root"
check "the packaged hazmond is stripped, runs and prints the package's version" bash -c "! file '$work/root/usr/bin/hazmond' | grep -q 'not stripped' && '$work/root/usr/bin/hazmond' version | grep -qx \"hazmond $version\""

if ((failures)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
