# timeout: 900
# virtio-blk sequential write and read throughput against the same file
# written and read directly in the emulated host, and tap throughput
# (host -> guest and guest -> host with nc); KT_BENCH_RUNS rounds (default 3).
. "$KT_DIR/lib-bench.sh"
runs=${KT_BENCH_RUNS:-3}
mb=32
img=$KT_SCENARIO_DIR/disk.img
cs() { uptime_cs; }
tap=ktb$$
dd if=/dev/zero of="$img" bs=1M count=$((mb * 2)) 2>/dev/null
dd if=/dev/urandom of="$KT_SCENARIO_DIR/blob" bs=1M count=$mb 2>/dev/null
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 --memory 512M \
	--disk "path=$img" --net "tap=$tap" --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
ip addr add 169.254.78.1/24 dev $tap && ip link set $tap up
guest_send 'ip link set eth0 up; ip addr add 169.254.78.2/24 dev eth0; echo kt-up-$((1))'
wait_for g "kt-up-1" 20
cgs() { awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime; }
for r in $(seq "$runs"); do
	# guest: write then read the disk (page cache dropped before the read)
	guest_send "cs() { awk '{ split(\$1, a, \".\"); print a[1] * 100 + a[2] }' /proc/uptime; }; t0=\$(cs); dd if=/dev/zero of=/dev/vda bs=1M count=$mb conv=fsync 2>/dev/null; t1=\$(cs); echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/vda of=/dev/null bs=1M count=$mb 2>/dev/null; t2=\$(cs); echo KT-IO-$r \$(((t1 - t0) * 10)) \$(((t2 - t1) * 10))"
	wait_for g "^KT-IO-$r [0-9]" 300
	# host: the same file, directly
	sync; echo 3 >/proc/sys/vm/drop_caches
	t0=$(cs); dd if=/dev/zero of="$img" bs=1M count=$mb conv=fsync,notrunc 2>/dev/null; t1=$(cs)
	echo 3 >/proc/sys/vm/drop_caches
	dd if="$img" of=/dev/null bs=1M count=$mb 2>/dev/null; t2=$(cs)
	echo "host $r $(((t1 - t0) * 10)) $(((t2 - t1) * 10))" >>"$KT_SCENARIO_DIR/raw"
	tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep "^KT-IO-$r " | awk -v r=$r '{ print "guest", r, $2, $3 }' >>"$KT_SCENARIO_DIR/raw"
	# tap: host -> guest
	guest_send "nc -l -p 7100 >/dev/null & echo kt-l-$r-\$((1))"
	wait_for g "kt-l-$r-1" 20
	t0=$(cs)
	i=0
	until nc 169.254.78.2 7100 <"$KT_SCENARIO_DIR/blob"; do i=$((i + 1)); [ $i -ge 25 ] && fail "connect"; sleep 0.2; done
	t1=$(cs)
	echo "net $r $(((t1 - t0) * 10))" >>"$KT_SCENARIO_DIR/raw"
done
cat "$KT_SCENARIO_DIR/raw"
med() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$KT_SCENARIO_DIR/raw" | median; }
gw=$(med guest 3); gr=$(med guest 4); hw=$(med host 3); hr=$(med host 4); nt=$(med net 3)
echo "BENCH io runs=$runs mb=$mb blk_write_ms guest=$gw host=$hw ratio_guest_over_host=$(awk -v a="$gw" -v b="$hw" 'BEGIN { printf "%.2f", a / b }')"
echo "BENCH io runs=$runs mb=$mb blk_read_ms guest=$gr host=$hr ratio_guest_over_host=$(awk -v a="$gr" -v b="$hr" 'BEGIN { printf "%.2f", a / b }')"
echo "BENCH io runs=$runs mb=$mb tap_host_to_guest_ms=$nt MBps=$(awk -v t="$nt" -v m=$mb 'BEGIN { printf "%.1f", m * 1000 / t }')"
guest_send 'poweroff -f'
wait_exit 20
