# timeout: 14400
# Stress of the userspace GIC: KT_STRESS_BOOTS (default 200) consecutive boots
# with --irqchip user and KT_STRESS_CPUS vCPUs (default 2), each running a
# short SMP workload and powering off; passes only with no stall and no
# failure. KT_STRESS_PLAN=200x2,100x4 runs several sizes in this one run
# instead. KT_STRESS_TIMEOUT: per-boot limit in seconds (default 120).
# The scenario's own limit above is for the largest plan (300 boots).
. "$KT_DIR/irq-stress-common.sh"
stress_plan "${KT_STRESS_PLAN:-${KT_STRESS_BOOTS:-200}x${KT_STRESS_CPUS:-2}}" ||
	fail "not every boot reached poweroff"
