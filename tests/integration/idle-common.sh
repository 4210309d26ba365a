# What an idle guest costs kestrel, shared by bench/scenarios/idle-exits.sh
# and tests/integration/scenarios/idle-exits.sh.
#
# idle_once CHIP CPUS SECS boots a kt=idle guest with --stats: the guest
# prints its interrupt counts (per CPU: arch_timer and all rows of
# /proc/interrupts), sleeps SECS, prints them again and powers off. Two
# views of the idle window result:
# - the host kernel's KVM statistics for this VM (debugfs, summed over its
#   vCPUs), read when each of the two markers appears on the console:
#   mmio_exit_user (MMIO exits to kestrel), signal_exits (KVM_RUN
#   interrupted by a signal: a kick that found the vCPU inside KVM_RUN),
#   exits (every exit to the hypervisor, in-kernel ones included). The
#   timer-level exits of the userspace GIC (KVM_EXIT_INTR without a signal)
#   have no counter there.
# - kestrel's own --stats per vCPU at exit (whole run, boot included): exits,
#   mmio, kick (every KVM_RUN return that was neither MMIO nor a system
#   event: timer-level exits, signals, immediate_exit).
# Prints one line (run_all_irqs: per CPU, at the end)
#   IDLE chip=C cpus=N secs=S timer=D all=D kvm_exits=D kvm_mmio_user=D
#        kvm_signal=D vcpu0=exits/mmio/kick,... (whole run)
# where D are the deltas over the window, summed over CPUs. Returns non-zero
# when the guest did not run to poweroff.

# kvm_stats PID: "exits mmio_exit_user signal_exits" of kestrel PID's VM from
# debugfs, or "- - -" when not available
kvm_stats() {
	local dir
	grep -q " /sys/kernel/debug debugfs" /proc/mounts ||
		mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	for dir in /sys/kernel/debug/kvm/"$1"-*; do
		[ -r "$dir/signal_exits" ] || continue
		echo "$(cat "$dir/exits") $(cat "$dir/mmio_exit_user") $(cat "$dir/signal_exits")"
		return 0
	done
	echo "- - -"
}

# wait_mark NAME PATTERN SECONDS: like wait_for, but returns 1 instead of failing
wait_mark() {
	local i=0 n=$(($3 * 20))
	while [ $i -lt $n ]; do
		grep -q "$2" "$KT_SCENARIO_DIR/$1.out" 2>/dev/null && return 0
		kill -0 "$KT_PID" 2>/dev/null || return 1
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

idle_once() {
	local chip=$1 cpus=$2 secs=$3 o=$KT_SCENARIO_DIR/idle.out s0 s1 b e
	kestrel_bg idle --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus "$cpus" --memory 256M \
		--irqchip "$chip" --stats \
		--cmdline "console=ttyS0 quiet panic=-1 kt=idle kt_secs=$secs kt_sync=1"
	# the guest waits for a line before its first count and after its last,
	# so the host's counters are read while the VM certainly exists
	wait_mark idle "KT-IDLE-READY" 120 || return 1
	s0=$(kvm_stats "$KT_PID")
	guest_send go
	wait_mark idle "KT-IDLE-END" $((secs + 60)) || return 1
	s1=$(kvm_stats "$KT_PID")
	guest_send go
	wait_exit 20
	[ "$KT_RC" = 0 ] || return 1
	b=$(tr -d '\r' <"$o" | grep "KT-IDLE-BEGIN")
	e=$(tr -d '\r' <"$o" | grep "KT-IDLE-END")
	tr -d '\r' <"$o" >>"$KT_SCENARIO_DIR/idle-all.out"
	# field F (timer or all) of END minus BEGIN, summed over CPUs (or the
	# END values per CPU with "end")
	delta() {
		echo "$b|$e" | awk -v f="$1" -v how="$2" -F'|' '{
			split($1, x, " "); split($2, y, " ")
			for (i in x) if (index(x[i], f "=") == 1) bs = substr(x[i], length(f) + 2)
			for (i in y) if (index(y[i], f "=") == 1) es = substr(y[i], length(f) + 2)
			n = split(bs, bv, ","); split(es, ev, ",")
			if (how == "end") { print es; exit }
			for (i = 1; i <= n; i++) s += ev[i] - bv[i]
			print s }'
	}
	echo "IDLE chip=$chip cpus=$cpus secs=$secs timer=$(delta timer) all=$(delta all)" \
		"$(echo "$s0|$s1" | awk -F'|' '{ split($1, a, " "); split($2, b, " ")
			if (a[1] == "-" || b[1] == "-") print "kvm_exits=- kvm_mmio_user=- kvm_signal=-"
			else print "kvm_exits=" b[1] - a[1], "kvm_mmio_user=" b[2] - a[2], "kvm_signal=" b[3] - a[3] }')" \
		"run_all_irqs=$(delta all end)" \
		"$(tr -d '\r' <"$o" | awk '/^vcpu [0-9]+: exits / {
			m = k = 0
			for (i = 5; i <= NF; i++) { if ($i ~ /^mmio=/) m = substr($i, 6); if ($i ~ /^kick=/) k = substr($i, 6) }
			v = v (v == "" ? "" : ",") $4 "/" m + 0 "/" k + 0 }
			END { print "run_exits_mmio_kick=" v }')"
}

# idle_field LINE NAME: the value of NAME=value in an IDLE line
idle_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# idle_check LINE: the bounds of docs/bench.md ("Idle cost"):
# - over the idle window (host KVM counters): MMIO exits to kestrel
#   <= 5 per interrupt the guest took + 400 (console I/O of the markers),
#   signal kicks <= 1 per interrupt + 20 per vCPU;
# - over the whole run (kestrel --stats, guest counts at the end), per vCPU:
#   kick exits <= 1.25 per interrupt of that CPU + 100.
# A periodic kick of 50/s per vCPU breaks the signal bound by ~400 per vCPU
# in 10 s and the run bound by ~1.5x. Returns 0 when all are met; without
# KVM debugfs statistics only the run bound is checked (and it says so).
idle_check() {
	local cpus all mmio sig ends kicks
	cpus=$(idle_field "$1" cpus)
	all=$(idle_field "$1" all)
	mmio=$(idle_field "$1" kvm_mmio_user)
	sig=$(idle_field "$1" kvm_signal)
	if [ "$mmio" = - ]; then
		echo "no KVM debugfs statistics on this host: idle window bound not checked"
	else
		[ "$mmio" -le $((5 * all + 400)) ] ||
			{ echo "idle: $mmio MMIO exits for $all interrupts"; return 1; }
		[ "$sig" -le $((all + 20 * cpus)) ] ||
			{ echo "idle: $sig signal kicks for $all interrupts on $cpus vCPUs"; return 1; }
	fi
	ends=$(idle_field "$1" run_all_irqs)
	kicks=$(idle_field "$1" run_exits_mmio_kick)
	echo "$ends $kicks" | awk '{ n = split($1, a, ","); split($2, v, ",")
		for (i = 1; i <= n; i++) { split(v[i], x, "/")
			if (x[3] > 1.25 * a[i] + 100) { printf "vCPU %d: %d kick exits for %d interrupts\n", i - 1, x[3], a[i]; bad = 1 } }
		exit bad }'
}
