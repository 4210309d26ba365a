#!/bin/busybox sh
# /init of the nested test guest. What it does is chosen on the kernel
# command line with kt=ACTION (unknown parameters reach init as variables):
#   poweroff  print the marker, power off       reboot  print, reboot -f
#   timer     check the clock and RTC, power off shell   interactive shell (default)
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
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
*)
	echo "KT-SHELL"
	exec setsid cttyhack sh -l
	;;
esac
