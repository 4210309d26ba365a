# timeout: 900
# CI version of bench/scenarios/user-irq-stress.sh: 12 consecutive boots with
# --irqchip user and 2 vCPUs, each running a short SMP workload (timer sleeps
# on every CPU, a cross-CPU pipe); every boot must reach poweroff. A boot takes
# 10 to 40 s on the emulated host depending on the machine's load; the limit
# allows 12 slow boots plus one stall (120 s + 10 s).
. "$KT_DIR/irq-stress-common.sh"
stress_run 12 2 || fail "not every boot reached poweroff"
