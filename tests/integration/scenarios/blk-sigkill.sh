# timeout: 300
# No data lost: the guest writes and syncs, kestrel is killed with SIGKILL
# right after, and the data is in the image - every time, over 5 runs.
img=$KT_SCENARIO_DIR/root.ext4
cp "$KT_ROOTFS" "$img"
for i in 1 2 3 4 5; do
	token="kill-$i-$$-$(date +%s)"
	kestrel_bg g$i --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --disk "path=$img" \
		--cmdline "console=ttyS0 quiet panic=-1 root=/dev/vda kt=diskwrite kt_token=$token"
	wait_for g$i "KT-DISK-SYNCED $token" 90
	kill -KILL "$KT_PID"
	wait "$KT_PID"
	got=$(image_file "$img" kt-data.txt)
	echo "run $i: wrote $token, image has $got"
	[ "$got" = "$token" ] || fail "run $i: image holds '$got', expected '$token'"
done
