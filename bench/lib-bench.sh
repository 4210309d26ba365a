# Bench helpers (busybox sh, sourced by bench scenarios after tests/integration/lib.sh).
# Results are printed as lines starting with "BENCH ", which the test bed brings back.

# uptime in centiseconds
uptime_cs() {
	awk '{ split($1, a, "."); print a[1] * 100 + a[2] }' /proc/uptime
}

# rss_own PID MEM_KIB: resident KiB of PID's mappings except guest RAM (the
# anonymous mapping whose size is MEM_KIB), from /proc/PID/smaps
rss_own() {
	awk -v mem="$2" '
		/^[0-9a-f]+-[0-9a-f]+ / { size = 0; next }
		/^Size:/ { size = $2; next }
		/^Rss:/ { if (size != mem) own += $2; else guest += $2; next }
		END { printf "%d %d\n", own, guest }' "/proc/$1/smaps" 2>/dev/null
}

# boot_once CPUS MEM_MIB [kestrel args...]: boot a kt=poweroff guest, print
# "<ms to KT-GUEST-UP> <own rss KiB> <guest rss KiB>"; fails when the guest
# does not come up or kestrel does not exit 0
boot_once() {
	local n=$1 mem=$2 d=$KT_SCENARIO_DIR t0 t1 line res pid rc
	shift 2
	rm -f "$d/bench.fifo" && mkfifo "$d/bench.fifo"
	t0=$(uptime_cs)
	"$KT_KESTREL" --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus "$n" --memory "${mem}M" \
		--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff" "$@" \
		</dev/null >"$d/bench.fifo" 2>&1 &
	pid=$!
	exec 8<"$d/bench.fifo"
	res=""
	while IFS= read -r line <&8; do
		case "$line" in
		*KT-GUEST-UP*)
			t1=$(uptime_cs)
			res="$(((t1 - t0) * 10)) $(rss_own $pid $((mem * 1024)))"
			break
			;;
		esac
	done
	# keep reading so kestrel never writes into a closed pipe
	cat <&8 >/dev/null &
	exec 8<&-
	wait $pid
	rc=$?
	[ -n "$res" ] || fail "guest did not come up (kestrel status $rc)"
	[ $rc -eq 0 ] || fail "kestrel exited $rc"
	echo "$res"
}

# median of the numbers on stdin
median() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
