#!/usr/bin/env bash
# Install everything kestrel needs to build and test on Debian 12 (x86_64 or arm64).
# Idempotent: does nothing when all packages are present.
set -euo pipefail

native_pkgs=(meson ninja-build pkg-config gcc make libfdt-dev libseccomp-dev
	libjansson-dev zlib1g-dev libcmocka-dev kmod cpio e2fsprogs clang libclang-rt-14-dev
	scdoc man-db groff-base bash-completion systemd debhelper dpkg-dev lintian file)
cross_pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross
	qemu-system-arm libseccomp-dev:arm64 libjansson-dev:arm64 zlib1g-dev:arm64
	libfdt1:arm64)

arch=$(dpkg --print-architecture)
pkgs=("${native_pkgs[@]}")
if [ "$arch" != arm64 ]; then
	pkgs+=("${cross_pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=
[ "$(id -u)" -ne 0 ] && sudo=sudo
if [ "$arch" != arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$sudo dpkg --add-architecture arm64
fi
echo "setup: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
