#!/usr/bin/env bash
# Fetch and unpack the Debian arm64 packages the test bed and the demo use:
# the kernel (an uncompressed arm64 Image and its modules), busybox-static,
# and curl with the shared libraries it loads (for the API scenarios: a tree
# in $cache/curl/root to copy into the emulated host's root).
# Everything lands in the cache ($KESTREL_CACHE, default ~/.cache/kestrel) and
# a second run downloads nothing. Prints the cache folder.
set -euo pipefail
cache=${KESTREL_CACHE:-$HOME/.cache/kestrel}
mkdir -p "$cache/debs"

fetch() {	# fetch PACKAGE: downloads PACKAGE:arm64 once, prints the .deb path
	local pkg=$1 deb
	deb=$(ls "$cache"/debs/"${pkg}"_*_arm64.deb 2>/dev/null | head -n1 || true)
	if [ -z "$deb" ]; then
		(cd "$cache/debs" && apt-get download -q "$pkg:arm64" >/dev/null 2>&1) || {
			echo "testbed-assets: apt-get download $pkg:arm64 failed" \
				"(run scripts/setup-deps.sh, which adds the arm64 architecture)" >&2
			exit 1
		}
		deb=$(ls "$cache"/debs/"${pkg}"_*_arm64.deb | head -n1)
	fi
	echo "$deb"
}

if [ ! -f "$cache/kernel/Image" ]; then
	# linux-image-arm64 is a metapackage: its dependency names the real kernel.
	kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { sub(":arm64", "", $2); print $2; exit }')
	[ -n "$kpkg" ] || { echo "testbed-assets: cannot resolve linux-image-arm64:arm64" >&2; exit 1; }
	deb=$(fetch "$kpkg")
	rm -rf "$cache/kernel.tmp" && mkdir -p "$cache/kernel.tmp"
	dpkg-deb -x "$deb" "$cache/kernel.tmp/root"
	kver=$(ls "$cache/kernel.tmp/root/lib/modules")
	depmod -b "$cache/kernel.tmp/root" "$kver"
	mv "$cache/kernel.tmp/root/boot/vmlinuz-$kver" "$cache/kernel.tmp/Image"
	mv "$cache/kernel.tmp/root/lib/modules" "$cache/kernel.tmp/modules"
	rm -rf "$cache/kernel.tmp/root"
	echo "$kver" >"$cache/kernel.tmp/version"
	rm -rf "$cache/kernel" && mv "$cache/kernel.tmp" "$cache/kernel"
fi
if [ ! -x "$cache/busybox/busybox" ]; then
	deb=$(fetch busybox-static)
	rm -rf "$cache/busybox.tmp" && mkdir -p "$cache/busybox.tmp"
	dpkg-deb -x "$deb" "$cache/busybox.tmp/root"
	mv "$cache/busybox.tmp/root/bin/busybox" "$cache/busybox.tmp/busybox"
	rm -rf "$cache/busybox.tmp/root" "$cache/busybox"
	mv "$cache/busybox.tmp" "$cache/busybox"
fi
if [ ! -x "$cache/curl/root/usr/bin/curl" ]; then
	# curl and its Depends, recursively (libcurl4, libc6, ...)
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances curl:arm64 2>/dev/null |
		awk '/^[a-z0-9]/ { sub(":arm64$", ""); print }' | sort -u)
	[ -n "$pkgs" ] || { echo "testbed-assets: cannot resolve curl:arm64" >&2; exit 1; }
	rm -rf "$cache/curl.tmp" && mkdir -p "$cache/curl.tmp/all" "$cache/curl.tmp/root"
	for p in $pkgs; do
		deb=$(fetch "$p")
		dpkg-deb -x "$deb" "$cache/curl.tmp/all"
	done
	# Keep curl, the loader and the libraries curl needs (DT_NEEDED,
	# transitively), each as a plain file under its soname.
	all=$cache/curl.tmp/all
	root=$cache/curl.tmp/root
	mkdir -p "$root/usr/bin" "$root/lib" "$root/lib/aarch64-linux-gnu"
	cp "$all/usr/bin/curl" "$root/usr/bin/curl"
	cp -L "$all/lib/ld-linux-aarch64.so.1" "$root/lib/ld-linux-aarch64.so.1"
	todo=$(readelf -d "$all/usr/bin/curl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
	done_libs=""
	while [ -n "$todo" ]; do
		set -- $todo
		lib=$1
		shift
		todo="$*"
		case " $done_libs " in *" $lib "*) continue ;; esac
		done_libs="$done_libs $lib"
		[ "$lib" = ld-linux-aarch64.so.1 ] && continue
		src=""
		for dir in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
			[ -e "$all/$dir/$lib" ] && { src=$all/$dir/$lib; break; }
		done
		[ -n "$src" ] || { echo "testbed-assets: curl needs $lib, not found" >&2; exit 1; }
		cp -L "$src" "$root/lib/aarch64-linux-gnu/$lib"
		todo="$todo $(readelf -d "$src" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
	done
	rm -rf "$all" "$cache/curl"
	mv "$cache/curl.tmp" "$cache/curl"
fi
echo "$cache"
