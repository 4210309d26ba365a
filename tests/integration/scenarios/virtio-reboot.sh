# timeout: 180
# Devices survive a guest reboot (the VM is rebuilt with the same disk, tap and
# vsock backends; device threads are created again under the main thread's
# seccomp filter): after reboot -f the disk, rng and vsock still work.
img=$KT_SCENARIO_DIR/disk.img
dd if=/dev/urandom of="$img" bs=1024 count=512 2>/dev/null
sum=$(md5sum "$img" | cut -d' ' -f1)
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 --disk "path=$img" --rng \
	--net "tap=ktr$$" --vsock cid=4713 --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
guest_send 'reboot -f'
wait_count g KT-SHELL 2 90
guest_send 'dd if=/dev/vda bs=1024 count=512 2>/dev/null | md5sum; dd if=/dev/hwrng bs=1024 count=64 2>/dev/null | wc -c; echo kt-rb-$((1))done'
wait_for g "kt-rb-1done" 60
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^$sum " || fail "disk read after reboot differs"
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^65536$" || fail "rng read after reboot failed"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
