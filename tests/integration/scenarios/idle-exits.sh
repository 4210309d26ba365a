# timeout: 120
# A guest idle for 10 s with --irqchip user and 2 vCPUs: over the idle window
# kestrel sees no more MMIO exits and signal kicks than the interrupts the
# guest took need (bound in docs/bench.md; no periodic kick floor).
. "$KT_DIR/idle-common.sh"
line=$(idle_once user 2 10) || fail "guest did not power off"
echo "$line"
idle_check "$line" || fail "idle bound broken"
