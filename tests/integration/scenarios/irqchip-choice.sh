# timeout: 90
# auto picks the host's in-kernel GIC; the other in-kernel GIC, which this host
# cannot emulate, fails with one clear line and status 2.
if [ "${KT_HOST_GIC:-3}" = 3 ]; then good=kvm-v3 bad=kvm-v2; else good=kvm-v2 bad=kvm-v3; fi
run_fg --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip $bad \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
cat "$KT_SCENARIO_DIR/fg.out"
expect_rc 2
[ "$(wc -l <"$KT_SCENARIO_DIR/fg.out")" -eq 1 ] || fail "expected one line"
grep -q "^kestrel: --irqchip $bad: no usable interrupt controller" "$KT_SCENARIO_DIR/fg.out" ||
	fail "unclear message"
grep -q "No such device" "$KT_SCENARIO_DIR/fg.out" || fail "no reason given"
run_fg --kernel "$KT_KERNEL" --initrd "$KT_INITRD" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
expect_rc 0
grep "irqchip:" "$KT_SCENARIO_DIR/fg.out"
grep -q "^kestrel: irqchip: $good " "$KT_SCENARIO_DIR/fg.out" || fail "auto did not pick $good"
