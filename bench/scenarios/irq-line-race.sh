# timeout: 1500
# The long run of the host-kernel reproducer (docs/kvm-irq-line-race.md,
# tests/kvm/irq_line_race.c): KT_RACE_TOGGLES (default 20000) toggles in
# each line mode, plain and with a spinner sharing the vCPU's CPU (--busy:
# more reschedules, so more vCPU loads), with the default 0-100 us jitter
# and with 0-2000 us (the raise then mostly lands while the vCPU sleeps in
# WFI); and the timer mode with a 20 ms period (longer than halt polling, so
# the vCPU really blocks). One BENCH line per run; nothing is judged.
R=$KT_DIR/irq-line-race
N=${KT_RACE_TOGGLES:-20000}
[ -x "$R" ] || fail "$R missing (built with the aarch64 kestrel, copied by scripts/testbed.sh)"
one() {
	local line
	"$R" "$@" >"$KT_SCENARIO_DIR/out" 2>&1
	cat "$KT_SCENARIO_DIR/out"
	line=$(grep '^mode=' "$KT_SCENARIO_DIR/out" | tail -n1)
	[ -n "$line" ] || fail "irq-line-race $*: no summary line"
	echo "BENCH irq-line-race jitter=${J:-100} $line"
}
J=100 one cross "$N" --jitter-us 100
J=100 one owner "$N" --jitter-us 100
J=100 one cross "$N" --jitter-us 100 --busy
J=100 one owner "$N" --jitter-us 100 --busy
J=2000 one cross $((N / 4)) --jitter-us 2000
J=0 one timer 200 100 --period-us 20000
