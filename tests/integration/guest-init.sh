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
#   counter   print "KT-COUNT n" (n = 1, 2, ...) about every 0.2 s, forever; with
#             kt_disk=1 also write "KT-DISK n" to the first sector of /dev/vda (fsync)
#   flood     print "KT-FLOOD n" and 100 bytes of padding as fast as it can, forever
#   smpwork   short SMP workload (timer sleeps pinned on every CPU, a pipe
#             between the first and the last CPU), print KT-SMPWORK, power off
#   idle      print interrupt counts, sleep $kt_secs (default 10), print them
#             again (KT-IDLE-BEGIN/KT-IDLE-END), power off; with kt_sync=1
#             wait for a console line before the first count and after the last
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
		[ -n "$kt_disk" ] &&
			printf 'KT-DISK %08d\n' $n | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null
		usleep 200000
	done
	;;
flood)
	n=0
	pad=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123
	while :; do
		n=$((n + 1))
		echo "KT-FLOOD $n $pad"
	done
	;;
smpwork)
	n=$(grep -c ^processor /proc/cpuinfo)
	# on CPU N when busybox has taskset, else wherever the scheduler puts it
	on() {
		local c=$1
		shift
		if command -v taskset >/dev/null; then taskset -c "$c" "$@"; else "$@"; fi
	}
	c=0
	while [ $c -lt $n ]; do
		on $c sh -c 'i=0; while [ $i -lt 50 ]; do usleep 2000; i=$((i + 1)); done' &
		c=$((c + 1))
	done
	b=$(on 0 dd if=/dev/zero bs=4096 count=1024 2>/dev/null | on $((n - 1)) wc -c)
	wait
	echo "KT-SMPWORK cpus=$n pipe_bytes=$b"
	poweroff -f
	;;
idle)
	n=$(grep -c ^processor /proc/cpuinfo)
	# per CPU, comma separated: timer interrupts (arch_timer) and all
	# interrupts (every row of /proc/interrupts, IPIs included)
	irqs() {
		awk -v n="$n" 'NR > 1 { for (i = 2; i <= n + 1; i++) { a[i] += $i; if (/arch_timer/) t[i] += $i } }
			END { for (i = 2; i <= n + 1; i++) { ts = ts (i > 2 ? "," : "") t[i] + 0; as = as (i > 2 ? "," : "") a[i] + 0 }
				print "timer=" ts " all=" as }' /proc/interrupts
	}
	secs=${kt_secs:-10}
	# kt_sync=1: wait for a line on the console before the window and
	# before powering off (the host reads its counters meanwhile)
	echo "KT-IDLE-READY secs=$secs"
	[ -n "$kt_sync" ] && read -t 120 -r go
	echo "KT-IDLE-BEGIN secs=$secs $(irqs)"
	sleep "$secs"
	echo "KT-IDLE-END secs=$secs $(irqs)"
	[ -n "$kt_sync" ] && read -t 120 -r go
	poweroff -f
	;;
*)
	echo "KT-SHELL"
	exec setsid cttyhack sh -l
	;;
esac
