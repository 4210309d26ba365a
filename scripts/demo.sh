#!/usr/bin/env bash
# Set up and run a kestrel microVM with an interactive shell on this terminal.
# On an arm64 host with /dev/kvm kestrel runs directly; elsewhere an emulated
# arm64 host (qemu-system-aarch64, TCG) is booted and kestrel runs inside it.
#   scripts/demo.sh [--check]      --check: only show `kestrel check` of the host
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=boot
[ "${1:-}" = --check ] && mode=check
"$top/scripts/setup-deps.sh"
kestrel=$("$top/scripts/build-arm64.sh" "$top/build-arm64" | tail -n1)
cache=$("$top/scripts/testbed-assets.sh")
out=$top/build-demo
mkdir -p "$out"

# The guest: Debian's arm64 kernel and a busybox initramfs with a shell.
groot=$out/guest-root
rm -rf "$groot" && mkdir -p "$groot"/{bin,sbin,proc,sys,dev,tmp,etc,root}
cp "$cache/busybox/busybox" "$groot/bin/busybox"
cp "$top/tests/integration/guest-init.sh" "$groot/init"
chmod +x "$groot/init"
(cd "$groot" && find . | cpio -o -H newc --quiet) >"$out/guest-initrd.cpio"
kcmd=(--kernel "$cache/kernel/Image" --initrd "$out/guest-initrd.cpio" --cpus 2 --memory 256M
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell")

if [ "$(uname -m)" = aarch64 ] && [ -c /dev/kvm ]; then
	[ $mode = check ] && exec "$kestrel" check
	echo "demo: booting a microVM; in its shell, 'poweroff -f' ends it (or Ctrl-a x)"
	exec "$kestrel" "${kcmd[@]}"
fi

hroot=$out/host-root
rm -rf "$hroot" && mkdir -p "$hroot"/{bin,sbin,proc,sys,dev,tmp,etc,demo}
cp "$cache/busybox/busybox" "$hroot/bin/busybox"
cp "$kestrel" "$hroot/bin/kestrel"
cp "$cache/kernel/Image" "$hroot/demo/Image"
cp "$out/guest-initrd.cpio" "$hroot/demo/initrd.cpio"
cat >"$hroot/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/printk
echo "== emulated arm64 host up; kestrel check:"
kestrel check
if [ $mode = boot ]; then
	echo "== starting a microVM; in its shell 'poweroff -f' ends it"
	setsid cttyhack kestrel --kernel /demo/Image --initrd /demo/initrd.cpio --cpus 2 \\
		--memory 256M --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
	echo "== kestrel exited with status \$?"
fi
poweroff -f
INIT
chmod +x "$hroot/init"
(cd "$hroot" && find . | cpio -o -H newc --quiet) >"$out/host-initrd.cpio"
echo "demo: booting the emulated arm64 host (about 3 s); Ctrl-a x ends QEMU and the demo"
exec qemu-system-aarch64 -machine virt,virtualization=on,gic-version=3 \
	-cpu max,pauth-impdef=on -smp 2 -m 2048 -nographic -no-reboot -nic none \
	-kernel "$cache/kernel/Image" -initrd "$out/host-initrd.cpio" \
	-append "console=ttyAMA0 quiet loglevel=1 rdinit=/init"
