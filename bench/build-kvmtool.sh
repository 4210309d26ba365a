#!/usr/bin/env bash
# Builds the bench peer: kvmtool's lkvm, static, for aarch64, from its public
# source at one documented commit. A bench input only: neither kestrel nor CI
# needs it.
#
#   bench/build-kvmtool.sh SRC [OUT]
#
# SRC: a git clone of kvmtool (https://git.kernel.org/pub/scm/linux/kernel/git/will/kvmtool.git
# or its GitHub mirror https://github.com/kvmtool/kvmtool) holding the commit
# below. OUT (default build-kvmtool/) receives a checkout of that commit and
# the stripped binary; its path is the last line printed. Use it with
#   KT_PEER_LKVM=OUT/lkvm-static scripts/testbed.sh --scenarios bench/scenarios --only peer-boot
# It links Debian's arm64 libfdt.a, taken out of libfdt-dev:arm64 by
# scripts/build-arm64.sh (kvmtool builds its device tree with libfdt, like kestrel).
set -euo pipefail
commit=b48735e5d562eaffb96cf98a91da212176f1534c	# "disk/core: Fix memory leakage in open all disks"
top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:?usage: bench/build-kvmtool.sh SRC [OUT]}
out=$(mkdir -p "${2:-$top/build-kvmtool}" && cd "${2:-$top/build-kvmtool}" && pwd)

git -C "$src" cat-file -e "$commit^{commit}" 2>/dev/null || {
	echo "build-kvmtool: $src does not hold kvmtool commit $commit" >&2
	exit 2
}
rm -rf "$out/src"
git clone -q --no-checkout "$src" "$out/src"
git -C "$out/src" checkout -q "$commit"

# libfdt for aarch64: the same .a kestrel's cross build uses
"$top/scripts/build-arm64.sh" "$top/build-arm64" >/dev/null
deps=$top/build-arm64-deps/usr
mkdir -p "$out/libfdt"
cp "$deps/lib/aarch64-linux-gnu/libfdt.a" "$deps/include/libfdt.h" \
	"$deps/include/libfdt_env.h" "$deps/include/fdt.h" "$out/libfdt/"

make -C "$out/src" -j"$(nproc)" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	LIBFDT_DIR="$out/libfdt" lkvm-static >"$out/build.log" 2>&1 || {
	tail -n 20 "$out/build.log" >&2
	echo "build-kvmtool: make failed (log: $out/build.log)" >&2
	exit 1
}
aarch64-linux-gnu-strip -o "$out/lkvm-static" "$out/src/lkvm-static"
echo "kvmtool $commit" >"$out/VERSION"
echo "$out/lkvm-static"
