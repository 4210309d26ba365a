# timeout: 120
# irqchips: auto user
# virtio-rng: the guest's hw_random uses it and reads 1 MiB from /dev/hwrng.
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --rng --irqchip "$KT_IRQCHIP" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
guest_send 'cat /sys/class/misc/hw_random/rng_current; dd if=/dev/hwrng bs=4096 count=256 2>/dev/null | wc -c; echo kt-rng-$((1))done'
wait_for g "kt-rng-1done" 60
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^virtio_rng" || fail "hw_random does not use virtio_rng"
tr -d '\r' <"$KT_SCENARIO_DIR/g.out" | grep -q "^1048576$" || fail "did not read 1 MiB"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
