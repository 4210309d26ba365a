# timeout: 150
# Guest reboot -f by default: the VM restarts in place and the guest boots a
# second time; then SIGTERM stops kestrel cleanly (status 1, terminal restored).
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=reboot"
i=0
while [ "$(count_in g KT-GUEST-UP)" -lt 2 ]; do
	kill -0 "$KT_PID" 2>/dev/null || fail "kestrel exited after $(count_in g KT-GUEST-UP) boot(s)"
	[ $i -ge 1200 ] && fail "no second boot within 120 s"
	sleep 0.1
	i=$((i + 1))
done
grep -q "restarting the VM" "$KT_SCENARIO_DIR/g.out" || fail "no restart logged"
kill -TERM "$KT_PID"
wait_exit 15
expect_rc 1
