# timeout: 120
# The example configs that need no host devices boot in the test bed with
# their placeholders filled in (the command line from a flag, which overrides
# the file); --print-config of each round-trips.
for c in minimal user-irqchip; do
	sed -e "s|@KERNEL@|$KT_KERNEL|" -e "s|@INITRD@|$KT_INITRD|" "$KT_DIR/configs/$c.json" \
		>"$KT_SCENARIO_DIR/$c.json"
	"$KT_KESTREL" --config "$KT_SCENARIO_DIR/$c.json" --print-config >"$KT_SCENARIO_DIR/$c.eff.json" ||
		fail "$c: --print-config failed"
	kestrel_bg "$c" --config "$KT_SCENARIO_DIR/$c.json" \
		--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
	wait_for "$c" "KT-GUEST-UP" 90
	wait_exit 15
	expect_rc 0
	grep "irqchip:" "$KT_SCENARIO_DIR/$c.out"
done
grep -q "^kestrel: irqchip: user " "$KT_SCENARIO_DIR/user-irqchip.out" || fail "user-irqchip.json did not use user"
grep -q "KT-GUEST-UP cpus=2 " "$KT_SCENARIO_DIR/user-irqchip.out" || fail "user-irqchip.json: not 2 vCPUs"
