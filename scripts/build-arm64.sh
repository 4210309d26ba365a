#!/usr/bin/env bash
# Build the static aarch64 kestrel used by the test bed.
#   scripts/build-arm64.sh [BUILD_DIR]      (default: build-arm64)
# On an arm64 host this is a plain native static build; on x86_64 it cross
# compiles with Debian's gcc-aarch64-linux-gnu. Debian 12's libfdt-dev is not
# Multi-Arch, so the arm64 libfdt.a is taken from its .deb into BUILD_DIR/deps.
# The binary has the test-only hooks compiled in (-Dtest_hooks=true: hidden
# flags such as --test-seccomp-violation, inert unless given); the scenarios
# use them.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bdir=${1:-$top/build-arm64}
case "$bdir" in /*) ;; *) bdir=$PWD/$bdir ;; esac

# test_hooks_on DIR: whether the build folder DIR has -Dtest_hooks=true
test_hooks_on() {
	meson introspect "$1" --buildoptions 2>/dev/null | python3 -c 'import json, sys
sys.exit(not any(o["name"] == "test_hooks" and o["value"] for o in json.load(sys.stdin)))'
}

if [ "$(dpkg --print-architecture)" = arm64 ]; then
	[ -d "$bdir" ] || meson setup "$bdir" "$top" -Dstatic=true -Dtests=false \
		-Dtest_hooks=true >/dev/null
	test_hooks_on "$bdir" || meson setup --reconfigure "$bdir" "$top" -Dtest_hooks=true >/dev/null
	exec meson compile -C "$bdir"
fi

deps=$bdir-deps
if [ ! -f "$deps/usr/lib/aarch64-linux-gnu/libfdt.a" ]; then
	mkdir -p "$deps"
	(cd "$deps" && apt-get download -q libfdt-dev:arm64 >/dev/null 2>&1 &&
		dpkg-deb -x libfdt-dev_*_arm64.deb . && rm -f libfdt-dev_*_arm64.deb) || {
		echo "build-arm64: cannot download libfdt-dev:arm64 (run scripts/setup-deps.sh)" >&2
		exit 1
	}
fi
# Meson 1.0 does not expand @DIRNAME@ in cross files: write one with absolute paths.
mkdir -p "$deps"
sed "s|@DIRNAME@|$top/cross|g" "$top/cross/aarch64-linux-gnu.ini" >"$deps/cross.ini"
if [ ! -d "$bdir" ]; then
	meson setup "$bdir" "$top" --cross-file "$deps/cross.ini" \
		-Dstatic=true -Dtests=false -Dfdt_libdir="$deps/usr/lib/aarch64-linux-gnu" \
		-Dtest_hooks=true >/dev/null
fi
# a folder set up before the option existed gets it now
test_hooks_on "$bdir" || meson setup --reconfigure "$bdir" "$top" -Dtest_hooks=true >/dev/null
meson compile -C "$bdir" >/dev/null
echo "$bdir/kestrel"
