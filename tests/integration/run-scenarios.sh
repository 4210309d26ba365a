#!/bin/sh
# Runs every scenario in DIR/scenarios (or those named in $KT_ONLY, a space
# separated list of scenario names), each with its own timeout, printing
#   KT-RESULT <name> PASS|FAIL <seconds> [note]
# (note: the text of the scenario's last "NOTE: text" line, for a figure the
# PASS line should show)
# and, for a failure, its log between KT-LOG-BEGIN/KT-LOG-END lines.
# Works in busybox sh inside the emulated host and on a real arm64 host.
kt=${1:-/kt}
export KT_DIR=$kt
export KT_KESTREL=${KT_KESTREL:-$kt/kestrel}
export KT_KERNEL=${KT_KERNEL:-$kt/guest/Image}
export KT_INITRD=${KT_INITRD:-$kt/guest/initrd.cpio}
export KT_ROOTFS=${KT_ROOTFS:-$kt/guest/rootfs.ext4}
work=${KT_WORK:-/tmp/kt-work}
mkdir -p "$work"
# end_started DIR: SIGKILL every process the scenario started, wherever it
# went (a background kestrel, a daemonised helper): they all inherited
# KT_SCENARIO_DIR=DIR. Nothing else on the host is touched (no killall: a
# real arm64 host may run other VMs).
end_started() {
	local p pass
	for pass in 1 2; do
		for p in /proc/[0-9]*; do
			[ "${p#/proc/}" = "$$" ] && continue
			tr '\0' '\n' 2>/dev/null <"$p/environ" | grep -qx "KT_SCENARIO_DIR=$1" &&
				kill -9 "${p#/proc/}" 2>/dev/null
		done
	done
}
# run_one NAME FILE IRQCHIP
run_one() {
	local name=$1 f=$2 chip=$3 limit dir start end rc note
	# "# timeout: N" in the scenario sets its limit (seconds), default 60
	limit=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$f" | head -n1)
	limit=${limit:-60}
	dir=$work/$name
	rm -rf "$dir" && mkdir -p "$dir"
	start=$(date +%s)
	KT_IRQCHIP=$chip KT_SCENARIO_DIR=$dir timeout -s KILL "$limit" \
		sh -c ". $kt/lib.sh; . $f" >"$dir/log" 2>&1 </dev/null
	rc=$?
	end=$(date +%s)
	# nothing a scenario started may outlive it
	end_started "$dir"
	# measurements come back whatever the result
	grep '^BENCH ' "$dir/log"
	if [ $rc -eq 0 ]; then
		note=$(sed -n 's/^NOTE: //p' "$dir/log" | tail -n1)
		echo "KT-RESULT $name PASS $((end - start))${note:+ $note}"
	else
		[ $rc -eq 137 ] && echo "scenario killed after its ${limit}s timeout" >>"$dir/log"
		echo "KT-RESULT $name FAIL $((end - start))"
		echo "KT-LOG-BEGIN $name"
		tail -n 200 "$dir/log"
		for g in "$dir"/*.out; do
			[ -f "$g" ] || continue
			echo "--- $(basename "$g") (last 80 lines)"
			tail -n 80 "$g"
		done
		echo "KT-LOG-END $name"
	fi
}

for f in "$kt"/scenarios/*.sh; do
	base=$(basename "$f" .sh)
	# "# irqchips: auto user" runs the scenario once per irqchip, named base[chip]
	chips=$(sed -n 's/^# irqchips: *//p' "$f" | head -n1)
	for chip in ${chips:-${KT_IRQCHIP:-auto}}; do
		name=$base
		[ -n "$chips" ] && name="$base[$chip]"
		if [ -n "$KT_ONLY" ]; then
			case " $KT_ONLY " in *" $base "* | *" $name "*) ;; *) continue ;; esac
		fi
		run_one "$name" "$f" "$chip"
	done
done
