# Consecutive boots with the userspace GIC, each running a short SMP workload
# in the guest (kt=smpwork: timer sleeps pinned on every CPU, a 4 MiB pipe
# between the first and the last CPU) and powering off. Shared by
# bench/scenarios/user-irq-stress.sh (200 boots) and the CI scenario
# tests/integration/scenarios/user-irq-stress.sh (20 boots). Sources
# lib-bench.sh (uptime_cs, median).
#
# A boot that has not exited KT_STRESS_TIMEOUT seconds (default 120) after it
# started is a stall: it gets SIGTERM (kestrel then prints its --stats), then
# SIGKILL 10 s later if still there; its console is kept as stall-N.out.
# A boot that exits on its own but without the workload's marker or with a
# non-zero status is a failure (kept as fail-N.out). With KT_STRESS_PROGRESS
# set to a writable file (e.g. /dev/console), a progress line goes there
# every 10 boots.
. "$KT_DIR/lib-bench.sh"

# stress_progress TEXT: one progress line, if asked for
stress_progress() {
	[ -n "$KT_STRESS_PROGRESS" ] && echo "KT-STRESS-PROGRESS $*" >"$KT_STRESS_PROGRESS" 2>/dev/null
	return 0
}

# stress_run BOOTS CPUS: run the boots, print one BENCH line; returns 0 only
# when every boot reached poweroff (0 stalls, 0 failures)
stress_run() {
	local boots=$1 cpus=$2 tmo=${KT_STRESS_TIMEOUT:-120} d=$KT_SCENARIO_DIR
	local i=1 ok=0 stalls=0 failed=0 t0 t1 pid n rc out online
	local times=$d/times-${boots}x$cpus
	online=0
	[ "$cpus" -gt 1 ] && online="0-$((cpus - 1))"
	: >"$times"
	while [ "$i" -le "$boots" ]; do
		out=$d/boot.out
		t0=$(uptime_cs)
		"$KT_KESTREL" --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus "$cpus" \
			--memory 256M --irqchip user --stats \
			--cmdline "console=ttyS0 quiet panic=-1 kt=smpwork" </dev/null >"$out" 2>&1 &
		pid=$!
		n=0
		while kill -0 "$pid" 2>/dev/null && [ "$n" -lt $((tmo * 10)) ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if kill -0 "$pid" 2>/dev/null; then
			# stall: SIGTERM makes kestrel stop its vCPUs and print --stats
			kill -TERM "$pid"
			n=0
			while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 100 ]; do
				sleep 0.1
				n=$((n + 1))
			done
			kill -KILL "$pid" 2>/dev/null
			wait "$pid"
			stalls=$((stalls + 1))
			cp "$out" "$d/stall-$i.out"
			echo "boot $i (${cpus} vCPUs): STALL, not powered off after ${tmo}s; console and --stats:"
			tr -d '\r' <"$out" | tail -n 40
			stress_progress "boot $i of $boots cpus=$cpus: STALL"
		else
			wait "$pid"
			rc=$?
			t1=$(uptime_cs)
			if [ "$rc" -eq 0 ] &&
				grep -q "KT-GUEST-UP cpus=$cpus online=$online" "$out" &&
				grep -q "KT-SMPWORK cpus=$cpus pipe_bytes=4194304" "$out"; then
				ok=$((ok + 1))
				echo $(((t1 - t0) * 10)) >>"$times"
				echo "boot $i (${cpus} vCPUs): ok, $(((t1 - t0) * 10)) ms"
			else
				failed=$((failed + 1))
				cp "$out" "$d/fail-$i.out"
				echo "boot $i (${cpus} vCPUs): FAILED, kestrel status $rc; console:"
				tr -d '\r' <"$out" | tail -n 40
				stress_progress "boot $i of $boots cpus=$cpus: FAILED (status $rc)"
			fi
		fi
		[ $((i % 10)) -eq 0 ] &&
			stress_progress "boots=$i of $boots cpus=$cpus ok=$ok stalls=$stalls failed=$failed" \
				"boot_to_poweroff_ms_median=$(median <"$times")"
		i=$((i + 1))
	done
	echo "BENCH user-irq-stress boots=$boots cpus=$cpus ok=$ok stalls=$stalls failed=$failed" \
		"boot_to_poweroff_ms_median=$(median <"$times") min=$(sort -n "$times" | head -n1)" \
		"max=$(sort -n "$times" | tail -n1) per_boot_timeout_s=$tmo"
	[ "$ok" -eq "$boots" ]
}

# stress_plan PLAN: PLAN is a comma separated list of BOOTSxCPUS (e.g.
# 200x2,100x4), run in order in this one scenario; returns 0 only when all
# passed
stress_plan() {
	local e res=0
	for e in $(echo "$1" | tr , ' '); do
		stress_run "${e%x*}" "${e#*x}" || res=1
	done
	return $res
}
