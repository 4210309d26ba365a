# timeout: 120
# irqchips: auto user
# An ext4 image made on the build machine (mke2fs -d) is the guest's root on
# virtio-blk (root=/dev/vda); the guest writes a file and syncs; after kestrel
# exits the file is in the image, read back here through a loop mount.
img=$KT_SCENARIO_DIR/root.ext4
cp "$KT_ROOTFS" "$img"
token="kt-$$-$(date +%s)"
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" \
	--disk "path=$img,id=kt-root-disk" \
	--cmdline "console=ttyS0 quiet panic=-1 root=/dev/vda kt=diskwrite kt_token=$token kt_after=poweroff"
wait_for g "KT-DISK-SYNCED $token" 90
wait_exit 20
expect_rc 0
got=$(image_file "$img" kt-data.txt)
[ "$got" = "$token" ] || fail "image holds '$got', expected '$token'"
