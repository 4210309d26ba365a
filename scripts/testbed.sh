#!/usr/bin/env bash
# Run the integration scenarios (tests/integration/scenarios) against real
# arm64 KVM. On an arm64 host with /dev/kvm they run directly; elsewhere an
# emulated arm64 host (qemu-system-aarch64 TCG with virtualization=on) is
# booted once and runs them all.
#
#   scripts/testbed.sh [--gic 3|2] [--only "name name"] [--kestrel PATH]
#                      [--scenarios DIR] [--env "VAR=value ..."]
#                      [--install-root DIR]
#
# --scenarios runs another set (bench/scenarios for the benchmarks); --env
# passes variables to the scenarios (e.g. KT_IRQCHIP=user KT_BENCH_RUNS=15).
# Prints one "PASS name"/"FAIL name" line per scenario (a PASS line ends with
# the scenario's last "NOTE: text" line, if any), then a summary line
# --install-root gives an installed tree (an extracted .deb) for the scenarios
# that use installed files (unit-stop); by default it is `meson install` of
# the --kestrel build folder into build-testbed/install-root. It reaches the
# scenarios as $KT_DIR/install.
# "testbed: N passed, N failed". Logs of failed scenarios are kept in
# build-testbed/logs/. Exit status: 0 when all passed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
gic=3
only=""
kestrel=""
scen=$top/tests/integration/scenarios
env=""
iroot=""
while [ $# -gt 0 ]; do
	case "$1" in
	--gic) gic=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--kestrel) kestrel=$2; shift 2 ;;
	--scenarios) scen=$(cd "$2" && pwd); shift 2 ;;
	--env) env=$2; shift 2 ;;
	--install-root) iroot=$(cd "$2" && pwd); shift 2 ;;
	*) echo "testbed: unknown option $1" >&2; exit 2 ;;
	esac
done
out=$top/build-testbed
mkdir -p "$out"
logs=$out/logs-gic$gic
rm -rf "$logs" && mkdir -p "$logs"

[ -n "$kestrel" ] || kestrel=$("$top/scripts/build-arm64.sh" "$top/build-arm64" | tail -n1)
cache=$("$top/scripts/testbed-assets.sh")
# the installed files (kestrel, unit, configs, ...): meson install of kestrel's build
if [ -z "$iroot" ] && [ -f "$(dirname "$kestrel")/build.ninja" ]; then
	iroot=$out/install-root
	rm -rf "$iroot"
	meson install -C "$(dirname "$kestrel")" --destdir "$iroot" --quiet >/dev/null ||
		{ echo "testbed: meson install of $(dirname "$kestrel") failed" >&2; iroot=""; }
fi
kver=$(cat "$cache/kernel/version")
bb=$cache/busybox/busybox

# Modules for the nested guest (virtio) and for the host (tap, vhost).
guest_mods="virtio_mmio virtio_blk virtio_net virtio_rng vmw_vsock_virtio_transport ext4 crc32c_generic gpio_keys evdev"
host_mods="tun vhost_net vhost_vsock loop ext4 crc32c_generic"

# copy_modules ROOT MODULES...: copy the modules and what they depend on
copy_modules() {
	local root=$1 m dep mdir=$cache/kernel/modules/$kver
	shift
	mkdir -p "$root/lib/modules/$kver"
	cp "$mdir"/modules.dep "$mdir"/modules.alias "$mdir"/modules.builtin* \
		"$mdir"/modules.order "$root/lib/modules/$kver/" 2>/dev/null || true
	for m in "$@"; do
		local f
		f=$(awk -v m="$m" -F: '{ n = $1; sub(".*/", "", n); sub("\\.ko$", "", n);
			gsub("-", "_", n); mm = m; gsub("-", "_", mm);
			if (n == mm) { print $0; exit } }' "$mdir/modules.dep")
		[ -n "$f" ] || { echo "testbed: no module $m in $kver" >&2; continue; }
		for dep in ${f/:/ }; do
			mkdir -p "$root/lib/modules/$kver/$(dirname "$dep")"
			cp "$mdir/$dep" "$root/lib/modules/$kver/$dep"
		done
	done
}

# The nested guest's initramfs: busybox, init, virtio modules.
groot=$out/guest-root
rm -rf "$groot" && mkdir -p "$groot"/{bin,sbin,proc,sys,dev,tmp,etc,root}
cp "$bb" "$groot/bin/busybox"
cp "$top/tests/integration/guest-init.sh" "$groot/init"
chmod +x "$groot/init"
# kt-vsock (vsock scenario), built beside kestrel for aarch64
ktv=$(dirname "$kestrel")/tests/integration/vsock/kt-vsock
[ -x "$ktv" ] && cp "$ktv" "$groot/bin/kt-vsock"
# irq-line-race (kvm-irq-line-race scenario, tests/kvm), runs in the host only
ktr=$(dirname "$kestrel")/tests/kvm/irq-line-race
copy_modules "$groot" $guest_mods
(cd "$groot" && find . | cpio -o -H newc --quiet) >"$out/guest-initrd.cpio"
# The same tree as an ext4 root file system for virtio-blk (mke2fs -d).
touch "$groot/.kt-rootfs"
rm -f "$out/rootfs.ext4"
mke2fs -q -t ext4 -d "$groot" -L ktroot "$out/rootfs.ext4" 24M
rm -f "$groot/.kt-rootfs"

if [ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ]; then
	# A real arm64 KVM host: run the scenarios here.
	kt=$out/kt
	rm -rf "$kt" && mkdir -p "$kt/guest"
	cp -r "$scen" "$kt/scenarios"
	cp "$top"/tests/integration/*.sh "$top"/bench/*.sh "$kt/"
	cp -r "$top/configs" "$kt/configs"
	cp "$kestrel" "$kt/kestrel"
	[ -n "$iroot" ] && cp -a "$iroot" "$kt/install"
	[ -x "$ktv" ] && cp "$ktv" "$kt/kt-vsock"
	[ -x "$ktr" ] && cp "$ktr" "$kt/irq-line-race"
	[ -n "${KT_PEER_LKVM:-}" ] && cp "$KT_PEER_LKVM" "$kt/lkvm"
	cp "$cache/kernel/Image" "$kt/guest/Image"
	cp "$out/guest-initrd.cpio" "$kt/guest/initrd.cpio"
	cp "$out/rootfs.ext4" "$kt/guest/rootfs.ext4"
	# the same end marker as the emulated host's /init prints
	{ env $env KT_ONLY=$only KT_WORK=$out/work sh "$kt/run-scenarios.sh" "$kt"; echo KT-HOST-DONE; } |
		tee "$out/console-gic$gic.log"
else
	# The emulated host's initramfs: busybox, kestrel, the guest, the scenarios.
	hroot=$out/host-root
	rm -rf "$hroot" && mkdir -p "$hroot"/{bin,sbin,proc,sys,dev,tmp,etc,kt/guest}
	cp "$bb" "$hroot/bin/busybox"
	cp "$top/tests/integration/host-init.sh" "$hroot/init"
	chmod +x "$hroot/init"
	cp -r "$scen" "$hroot/kt/scenarios"
	cp "$top"/tests/integration/*.sh "$top"/bench/*.sh "$hroot/kt/"
	cp -r "$top/configs" "$hroot/kt/configs"
	cp "$kestrel" "$hroot/kt/kestrel"
	if [ -n "$iroot" ]; then
		cp -a "$iroot" "$hroot/kt/install"
		# a packaged (dynamically linked) kestrel: its Depends' arm64 libraries,
		# as installing the package would bring them (libc comes with curl below)
		for lib in $(aarch64-linux-gnu-readelf -d "$iroot"/usr/*bin/kestrel 2>/dev/null |
			sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$cache/curl/root/lib/aarch64-linux-gnu/$lib" ] || [ -e "$cache/curl/root/lib/$lib" ] && continue
			mkdir -p "$hroot/lib/aarch64-linux-gnu"
			cp -L "/usr/lib/aarch64-linux-gnu/$lib" "$hroot/lib/aarch64-linux-gnu/" ||
				echo "testbed: no arm64 $lib for the installed kestrel" >&2
		done
	fi
	[ -x "$ktv" ] && cp "$ktv" "$hroot/kt/kt-vsock"
	[ -x "$ktr" ] && cp "$ktr" "$hroot/kt/irq-line-race"
	# a peer VMM for the side-by-side benches (bench/build-kvmtool.sh)
	[ -n "${KT_PEER_LKVM:-}" ] && cp "$KT_PEER_LKVM" "$hroot/kt/lkvm"
	ln -s /kt/kestrel "$hroot/bin/kestrel"
	# curl (Debian's, dynamically linked: its glibc loader and libraries
	# come along) for the API scenarios
	cp -a "$cache/curl/root/." "$hroot/"
	cp "$cache/kernel/Image" "$hroot/kt/guest/Image"
	cp "$out/guest-initrd.cpio" "$hroot/kt/guest/initrd.cpio"
	cp "$out/rootfs.ext4" "$hroot/kt/guest/rootfs.ext4"
	echo "$host_mods" | tr ' ' '\n' >"$hroot/etc/kt-modules"
	copy_modules "$hroot" $host_mods
	# scenario selection and host facts reach /init as environment variables
	(cd "$hroot" && find . | cpio -o -H newc --quiet) >"$out/host-initrd.cpio"

	# Overall limit: every scenario's own limit plus boot time.
	limit=120
	for f in "$scen"/*.sh; do
		n=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$f" | head -n1)
		limit=$((limit + ${n:-60}))
	done
	append="console=ttyAMA0 quiet loglevel=1 rdinit=/init KT_HOST_GIC=$gic"
	[ -n "$only" ] && append="$append KT_ONLY=${only// /,}"
	[ -n "$env" ] && append="$append $env"
	timeout -s KILL "$limit" qemu-system-aarch64 \
		-machine "virt,virtualization=on,gic-version=$gic" -cpu max,pauth-impdef=on \
		-smp 2 -m 2048 -display none -monitor none -serial stdio -no-reboot -nic none \
		-kernel "$cache/kernel/Image" -initrd "$out/host-initrd.cpio" \
		-append "$append" </dev/null >"$out/console-gic$gic.log" 2>&1 || true
fi

# Split the console into results and logs.
pass=0
failn=0
awk -v logs="$logs" '
	/^KT-LOG-BEGIN / { f = logs "/" $2 ".log"; next }
	/^KT-LOG-END /   { close(f); f = ""; next }
	f != ""          { print > f }
' < <(tr -d '\r' <"$out/console-gic$gic.log")
while read -r tag name res secs note; do
	[ "$tag" = KT-RESULT ] || continue
	if [ "$res" = PASS ]; then
		echo "PASS gic$gic/$name (${secs}s)${note:+ $note}"
		pass=$((pass + 1))
	else
		echo "FAIL gic$gic/$name (${secs}s) - log: $logs/$name.log"
		failn=$((failn + 1))
	fi
done < <(tr -d '\r' <"$out/console-gic$gic.log")
if ! grep -q "KT-HOST-DONE" "$out/console-gic$gic.log"; then
	echo "FAIL gic$gic/testbed: the host did not finish (console: $out/console-gic$gic.log)"
	tail -n 30 "$out/console-gic$gic.log"
	failn=$((failn + 1))
fi
grep '^BENCH ' < <(tr -d '\r' <"$out/console-gic$gic.log") | tee "$out/bench-gic$gic.txt" || true
echo "testbed gic$gic: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
