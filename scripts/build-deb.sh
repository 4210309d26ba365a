#!/usr/bin/env bash
# Build the Debian package of kestrel for arm64 (debian/, dpkg-buildpackage -b):
# natively on an arm64 Debian host, by cross build elsewhere.
#   scripts/build-deb.sh [BUILD_DIR]     (default build-deb)
# The sources (tracked and new files) are copied to BUILD_DIR/src and built
# there; the last line printed is the path of the .deb (in BUILD_DIR).
# Cross build: Debian 12's libfdt-dev is not Multi-Arch, so its arm64 .deb is
# extracted (as scripts/build-arm64.sh does) and kestrel links the arm64
# libfdt.so.1 of libfdt1:arm64 (Multi-Arch: same, installed by setup-deps.sh),
# which dpkg-shlibdeps then turns into the package's dependency.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bdir=${1:-$top/build-deb}
case "$bdir" in /*) ;; *) bdir=$PWD/$bdir ;; esac
mkdir -p "$bdir"
rm -rf "$bdir/src" "$bdir"/kestrel_* "$bdir"/kestrel-dbgsym_*
mkdir -p "$bdir/src"
(cd "$top" && git ls-files -co --exclude-standard -z | tar -cf - --null -T -) | tar -C "$bdir/src" -xf -

args=(-b -us -uc)
if [ "$(dpkg --print-architecture)" != arm64 ]; then
	ma=/usr/lib/aarch64-linux-gnu
	[ -e "$ma/libfdt.so.1" ] || { echo "build-deb: $ma/libfdt.so.1 missing (apt-get install libfdt1:arm64)" >&2; exit 1; }
	# the linker's name for it, pointing at the installed arm64 runtime library
	mkdir -p "$bdir/fdt"
	ln -sf "$ma/libfdt.so.1" "$bdir/fdt/libfdt.so"
	sed "s|@DIRNAME@|$top/cross|g" "$top/cross/aarch64-linux-gnu.ini" >"$bdir/cross.ini"
	export DH_MESON_CROSS_FILE=$bdir/cross.ini KESTREL_FDT_LIBDIR=$bdir/fdt
	# build dependencies are checked by setup-deps.sh's list, not by dpkg
	args+=(-aarm64 --no-check-builddeps)
fi
(cd "$bdir/src" && dpkg-buildpackage "${args[@]}") >"$bdir/build.log" 2>&1 || {
	tail -n 60 "$bdir/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (log: $bdir/build.log)" >&2
	exit 1
}
deb=$(ls "$bdir"/kestrel_*_arm64.deb)
echo "$deb"
