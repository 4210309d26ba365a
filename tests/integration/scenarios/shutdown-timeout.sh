# timeout: 120
# A guest that ignores the power button (kt=ignore): SIGTERM presses it,
# kestrel logs so, and after --shutdown-timeout 3 stops the guest hard with
# exit status 4 (not before the timeout).
d=$KT_SCENARIO_DIR
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" \
	--shutdown-timeout 3 --cmdline "console=ttyS0 quiet panic=-1 kt=ignore"
wait_for g "KT-IGNORING-BUTTON" 90
t0=$(date +%s)
kill -TERM "$KT_PID"
wait_for g "asking the guest to power off" 10
wait_exit 30
t1=$(date +%s)
expect_rc 4
grep -q "did not power off within 3 s" "$d/g.out" || fail "no timeout log line"
echo "stopped $((t1 - t0)) s after SIGTERM"
[ $((t1 - t0)) -ge 2 ] || fail "stopped after $((t1 - t0)) s, before the 3 s timeout"
echo "NOTE: hard stop $((t1 - t0)) s after SIGTERM (timeout 3 s)"
