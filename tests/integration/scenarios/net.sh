# timeout: 180
# irqchips: auto user
# virtio-net on a tap in the emulated host (created by kestrel): ping both
# ways, then 10 MiB from the host to the guest and back with matching md5.
# Link-local addresses; the traffic never leaves the emulated host.
tap=kt$$
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --net "tap=$tap,mac=52:54:00:12:34:56" \
	--irqchip "$KT_IRQCHIP" --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
ip addr add 169.254.77.1/24 dev $tap || fail "no tap $tap"
ip link set $tap up
guest_send 'ip link set eth0 up; ip addr add 169.254.77.2/24 dev eth0; cat /sys/class/net/eth0/address; ping -c 3 -W 5 169.254.77.1; echo "kt-ping-rc=$?"'
wait_for g "kt-ping-rc=[0-9]" 60
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^52:54:00:12:34:56$" || fail "guest MAC is not the configured one"
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "kt-ping-rc=0" || fail "guest cannot ping the host"
ping -c 3 -W 5 169.254.77.2 || fail "host cannot ping the guest"
dd if=/dev/urandom of="$KT_SCENARIO_DIR/blob" bs=1024 count=10240 2>/dev/null
sum=$(md5sum "$KT_SCENARIO_DIR/blob" | cut -d' ' -f1)
# host -> guest
guest_send 'nc -l -p 7001 >/tmp/blob & echo kt-listening-$((1))'
wait_for g "kt-listening-1" 20
i=0
until nc 169.254.77.2 7001 <"$KT_SCENARIO_DIR/blob"; do
	i=$((i + 1)); [ $i -ge 20 ] && fail "cannot connect to the guest"; sleep 0.2
done
guest_send 'wait; md5sum /tmp/blob; echo kt-recv-$((1))done'
wait_for g "kt-recv-1done" 60
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^$sum " || fail "10 MiB host->guest: checksum differs"
# guest -> host
# busybox nc quits when its stdin ends: give it one that stays open
{ sleep 600 & echo $! >"$KT_SCENARIO_DIR/sleep.pid"; wait; } | nc -l -p 7002 >"$KT_SCENARIO_DIR/back" &
lpid=$!
guest_send 'i=0; until nc 169.254.77.1 7002 </tmp/blob; do i=$((i + 1)); [ $i -ge 25 ] && break; sleep 0.2; done; echo kt-sent-$((1))done'
wait_for g "kt-sent-1done" 60
i=0
while kill -0 $lpid 2>/dev/null; do
	i=$((i + 1)); [ $i -ge 300 ] && fail "host-side nc did not finish"; sleep 0.1
done
kill "$(cat "$KT_SCENARIO_DIR/sleep.pid")" 2>/dev/null
back=$(md5sum "$KT_SCENARIO_DIR/back" | cut -d' ' -f1)
ls -l "$KT_SCENARIO_DIR/back"
[ "$back" = "$sum" ] || fail "10 MiB guest->host: checksum differs"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
