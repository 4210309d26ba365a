# timeout: 150
# Guest reboot -f by default: the VM restarts in place and the guest boots a
# second time; then SIGINT stops kestrel at once (status 4, terminal restored).
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=reboot"
wait_count g KT-GUEST-UP 2 120
grep -q "restarting the VM" "$KT_SCENARIO_DIR/g.out" || fail "no restart logged"
kill -INT "$KT_PID"
wait_exit 15
expect_rc 4
