# timeout: 90
# --dump-dtb writes the device tree the guest boots with (a flattened tree,
# magic d00dfeed, naming the GIC in use), and the guest sees the same nodes.
run_fg --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 --dump-dtb "$KT_SCENARIO_DIR/vm.dtb" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
expect_rc 0
[ "$(head -c 4 "$KT_SCENARIO_DIR/vm.dtb" | hexdump -e '4/1 "%02x"')" = d00dfeed ] ||
	fail "not a flattened device tree"
grep -q "arm,gic-v3\|arm,cortex-a15-gic" "$KT_SCENARIO_DIR/vm.dtb" || fail "no GIC node"
grep -q "ns16550a" "$KT_SCENARIO_DIR/vm.dtb" || fail "no UART node"
grep -q "arm,pl031" "$KT_SCENARIO_DIR/vm.dtb" || fail "no RTC node"
run_fg --kernel "$KT_KERNEL" --irqchip user --dump-dtb "$KT_SCENARIO_DIR/user.dtb" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff" --initrd "$KT_INITRD"
expect_rc 0
grep -q "arm,cortex-a15-gic" "$KT_SCENARIO_DIR/user.dtb" || fail "user irqchip: no GICv2 node"
# an unwritable path is a usage error, with nothing left running
run_fg --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --dump-dtb /nonexistent/dir/x.dtb
expect_rc 2
cat "$KT_SCENARIO_DIR/fg.out"
