# timeout: 120
# --serial file=PATH: the guest's console goes to the file (appended), not
# to stdout; --serial pty: kestrel prints the pty's path and the console is
# read there; --log-file PATH: kestrel's own lines go to the file with
# timestamps.
out=$KT_SCENARIO_DIR/console.txt
log=$KT_SCENARIO_DIR/kestrel.log
kestrel_bg f --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --serial "file=$out" --log-file "$log" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
wait_exit 90
expect_rc 0
grep -q "KT-GUEST-UP" "$out" || fail "console file lacks the guest's marker"
grep -q "KT-GUEST-UP" "$KT_SCENARIO_DIR/f.out" && fail "console output also reached stdout"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z kestrel: .*guest powered off' "$log" ||
	fail "log file lacks a timestamped 'guest powered off' line: $(head -c 300 "$log")"
[ "$(stat -c %a "$out")" = 600 ] || fail "console file mode $(stat -c %a "$out")"

kestrel_bg p --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --serial pty \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
i=0
while ! grep -q 'serial: pty /dev/' "$KT_SCENARIO_DIR/p.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
pty=$(sed -n 's,.*serial: pty \(/dev/[^ ]*\).*,\1,p' "$KT_SCENARIO_DIR/p.out" | head -n1)
[ -c "$pty" ] || fail "no pty path printed: $(head -c 300 "$KT_SCENARIO_DIR/p.out")"
timeout 90 cat "$pty" >"$KT_SCENARIO_DIR/pty.txt" 2>/dev/null &
catpid=$!
wait_exit 90
expect_rc 0
wait "$catpid"	# the pty hangs up when kestrel exits: cat has read everything
grep -q "KT-GUEST-UP" "$KT_SCENARIO_DIR/pty.txt" ||
	fail "pty did not carry the console: $(head -c 300 "$KT_SCENARIO_DIR/pty.txt")"
