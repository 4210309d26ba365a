# timeout: 330
# Every example in configs/ boots in the test bed with its placeholders filled
# in (the command line from a flag, which overrides the file; Debian's kernel
# needs the test initramfs to load the virtio modules for the ext4 root).
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

# ext4 root on virtio-blk + a tap: the guest writes to its root and powers off
cp "$KT_ROOTFS" "$KT_SCENARIO_DIR/root.ext4"
sed -e "s|@KERNEL@|$KT_KERNEL|" -e "s|@DISK@|$KT_SCENARIO_DIR/root.ext4|" -e "s|@TAP@|ktc$$|" \
	"$KT_DIR/configs/ext4-root-net.json" >"$KT_SCENARIO_DIR/ext4.json"
kestrel_bg ext4 --config "$KT_SCENARIO_DIR/ext4.json" --initrd "$KT_INITRD" \
	--cmdline "console=ttyS0 quiet panic=-1 root=/dev/vda kt=diskwrite kt_token=from-config kt_after=poweroff"
wait_for ext4 "KT-DISK-SYNCED from-config" 90
wait_exit 20
expect_rc 0
[ "$(image_file "$KT_SCENARIO_DIR/root.ext4" kt-data.txt)" = from-config ] || fail "ext4 root not written"
# 4 vCPUs, rng and vsock
sed -e "s|@KERNEL@|$KT_KERNEL|" -e "s|@INITRD@|$KT_INITRD|" "$KT_DIR/configs/smp-vsock.json" \
	>"$KT_SCENARIO_DIR/smp.json"
kestrel_bg smp --config "$KT_SCENARIO_DIR/smp.json" --cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
wait_for smp "KT-GUEST-UP cpus=4 online=0-3" 90
wait_exit 20
expect_rc 0
# a Firecracker --config-file document (ext4 root on virtio-blk + a tap)
cp "$KT_ROOTFS" "$KT_SCENARIO_DIR/fc.ext4"
sed -e "s|@KERNEL@|$KT_KERNEL|" -e "s|@INITRD@|$KT_INITRD|" -e "s|@DISK@|$KT_SCENARIO_DIR/fc.ext4|" \
	-e "s|@TAP@|ktf$$|" "$KT_DIR/configs/firecracker-style.json" >"$KT_SCENARIO_DIR/fc.json"
kestrel_bg fc --config "$KT_SCENARIO_DIR/fc.json" \
	--cmdline "console=ttyS0 quiet panic=-1 root=/dev/vda kt=diskwrite kt_token=from-fc kt_after=poweroff"
wait_for fc "KT-DISK-SYNCED from-fc" 90
wait_exit 20
expect_rc 0
[ "$(image_file "$KT_SCENARIO_DIR/fc.ext4" kt-data.txt)" = from-fc ] || fail "Firecracker document's root not written"
