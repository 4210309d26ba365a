# timeout: 120
# A read-only disk: the guest sees it read-only, its writes fail, and the
# image is unchanged byte for byte.
img=$KT_SCENARIO_DIR/disk.img
dd if=/dev/urandom of="$img" bs=1024 count=1024 2>/dev/null
before=$(md5sum "$img" | cut -d' ' -f1)
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --disk "path=$img,readonly=on,id=ro-disk" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
guest_send 'cat /sys/block/vda/ro; dd if=/dev/zero of=/dev/vda bs=512 count=1 conv=fsync; echo "kt-dd-rc=$?"; cat /sys/block/vda/serial; echo; dd if=/dev/vda bs=1024 count=1024 2>/dev/null | md5sum; echo kt-ro-$((1))done'
wait_for g "kt-ro-1done" 30
o=$KT_SCENARIO_DIR/g.out
tr -d '\r' <"$o" | grep -q "^1$" || fail "guest does not see /dev/vda read-only"
tr -d '\r' <"$o" | grep -q "kt-dd-rc=[1-9]" || fail "a write to the read-only disk succeeded"
tr -d '\r' <"$o" | grep -q "^ro-disk$" || fail "serial (GET_ID) not ro-disk"
tr -d '\r' <"$o" | grep -q "^$before " || fail "guest read different bytes than the image holds"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
after=$(md5sum "$img" | cut -d' ' -f1)
[ "$before" = "$after" ] || fail "image changed: $before -> $after"
