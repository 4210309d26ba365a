# timeout: 900
# What an idle guest costs: for --irqchip user and auto, 1 and 2 vCPUs, one
# boot idle for 0 s and one idle for KT_IDLE_SECS (default 10) s, with
# --stats. Reports the interrupts the guest took during the idle window, the
# host's KVM exit counters over that window and kestrel's per-vCPU exits
# (whole run); fails when the user GIC's idle window breaks the bound of
# docs/bench.md (tests/integration/idle-common.sh: idle_check).
. "$KT_DIR/idle-common.sh"
secs=${KT_IDLE_SECS:-10}
res=0
for cpus in 1 2; do
	for chip in user auto; do
		for s in 0 "$secs"; do
			line=$(idle_once "$chip" "$cpus" "$s") || fail "$chip, $cpus vCPUs, idle $s s: guest did not power off"
			echo "BENCH $line"
			if [ "$chip" = user ] && [ "$s" != 0 ]; then
				idle_check "$line" || res=1
			fi
		done
	done
done
[ $res -eq 0 ] || fail "idle bound broken"
