# timeout: 600
# CI version of bench/scenarios/user-irq-stress.sh: 20 consecutive boots with
# --irqchip user and 2 vCPUs, each running a short SMP workload (timer sleeps
# on every CPU, a cross-CPU pipe); every boot must reach poweroff.
. "$KT_DIR/irq-stress-common.sh"
stress_run 20 2 || fail "not every boot reached poweroff"
