#!/bin/busybox sh
# /init of the nested test guest. What it does is chosen on the kernel
# command line with kt=ACTION (unknown parameters reach init as variables):
#   poweroff  print the marker, power off       reboot  print, reboot -f
#   timer     check the clock and RTC, power off shell   interactive shell (default)
#   irqbench  time an interrupt-heavy workload (timer sleeps, cross-CPU pipe), power off
#   diskwrite write $kt_token to /kt-data.txt on the root fs, sync, report
#   button    act on the power button (gpio-keys + busybox acpid): the
#             shutdown hook writes $kt_token to /kt-data.txt (if given),
#             syncs, remounts / read-only and powers off
#   ignore    print a marker and sit idle, ignoring the power button
#   counter   print "KT-COUNT n" (n = 1, 2, ...) about every 0.2 s, forever
# A kernel command line with root=/dev/vda mounts the ext4 root on virtio-blk
# and switches to it (the image carries this script as /init).
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
grep -q ' /dev devtmpfs' /proc/mounts || mount -t devtmpfs dev /dev
# virtio-mmio transports in the device tree: load the drivers (modules in
# Debian's kernel)
if ls /sys/bus/platform/devices 2>/dev/null | grep -q virtio; then
	for m in virtio_mmio virtio_blk virtio_net virtio_rng; do
		modprobe $m 2>/dev/null
	done
fi
# root=/dev/vda: this initramfs mounts the ext4 root on virtio-blk and
# switches to it, whose /init is this script again (with /.kt-rootfs there)
if [ ! -e /.kt-rootfs ] && grep -q "root=/dev/vda" /proc/cmdline; then
	modprobe crc32c_generic
	modprobe ext4
	mkdir -p /newroot
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	mount -t ext4 /dev/vda /newroot || {
		echo "KT-ROOT-FAILED"
		ls /dev /sys/bus/platform/devices; lsmod; dmesg | tail -20
		poweroff -f
	}
	umount /proc /sys
	mount --move /dev /newroot/dev
	exec switch_root /newroot /init
fi
echo "KT-GUEST-UP cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)"
case "$kt" in
poweroff)
	poweroff -f
	;;
reboot)
	reboot -f
	;;
timer)
	t0=$(cat /proc/uptime | cut -d' ' -f1)
	sleep 1
	t1=$(cat /proc/uptime | cut -d' ' -f1)
	echo "KT-TIMER t0=$t0 t1=$t1"
	echo "KT-RTC $(cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null || echo none)"
	poweroff -f
	;;
diskwrite)
	# write $kt_token to the root file system, sync, report; then power off
	# (kt_after=poweroff) or wait to be killed
	echo "$kt_token" >/kt-data.txt
	sync
	echo "KT-DISK-SYNCED $kt_token"
	[ "$kt_after" = poweroff ] && poweroff -f
	while :; do sleep 1000; done
	;;
irqbench)
	cs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }
	t0=$(cs)
	i=0
	while [ $i -lt 500 ]; do
		usleep 200
		i=$((i + 1))
	done
	t1=$(cs)
	dd if=/dev/zero bs=4096 count=5000 2>/dev/null | cat >/dev/null
	t2=$(cs)
	echo "KT-IRQBENCH sleep_ms=$(((t1 - t0) * 10)) pipe_ms=$(((t2 - t1) * 10))"
	poweroff -f
	;;
button)
	modprobe gpio_keys && modprobe evdev || echo "KT-BUTTON-NO-MODULES"
	i=0
	while [ ! -e /dev/input/event0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	mkdir -p /etc/acpi/PWRF
	{
		echo '#!/bin/sh'
		echo 'echo KT-POWER-BUTTON'
		[ -n "$kt_token" ] && echo "echo $kt_token >/kt-data.txt"
		echo 'sync'
		echo 'echo KT-HOOK-SYNCED'
		echo 'mount -o remount,ro / 2>/dev/null'
		echo 'echo KT-HOOK-REMOUNTED'
		echo 'poweroff -f'
	} >/etc/acpi/PWRF/00000080
	chmod +x /etc/acpi/PWRF/00000080
	# acpid opens the input devices present when it starts, and needs a log
	# file; it daemonizes first: ready once it holds /dev/input/event0 open
	acpid -l /dev/console
	i=0
	while [ $i -lt 100 ]; do
		p=$(pidof acpid)
		[ -n "$p" ] && ls -l /proc/$p/fd 2>/dev/null | grep -q /dev/input/event0 && break
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 100 ] && echo "KT-BUTTON-READY"
	while :; do sleep 1000; done
	;;
ignore)
	echo "KT-IGNORING-BUTTON"
	while :; do sleep 1000; done
	;;
counter)
	n=0
	while :; do
		n=$((n + 1))
		echo "KT-COUNT $n"
		usleep 200000
	done
	;;
*)
	echo "KT-SHELL"
	exec setsid cttyhack sh -l
	;;
esac
