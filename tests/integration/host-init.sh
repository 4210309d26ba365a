#!/bin/busybox sh
# /init of the emulated arm64 host (or run directly on a real arm64 KVM host
# via tests/integration/run-scenarios.sh). Mounts the basics, loads the
# modules scenarios need, runs every scenario and powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /tmp /run
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
echo 1 >/proc/sys/kernel/printk 2>/dev/null
for m in $(cat /etc/kt-modules 2>/dev/null); do
	modprobe "$m" 2>/dev/null || echo "KT-NOTE modprobe $m failed"
done
echo "KT-HOST-UP $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
KT_ONLY=$(echo "$KT_ONLY" | tr , " ") sh /kt/run-scenarios.sh /kt
echo "KT-HOST-DONE"
poweroff -f
