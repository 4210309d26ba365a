# timeout: 150
# irqchips: auto user
# SIGTERM presses the PL061 power button: the guest's gpio-keys + acpid hook
# runs (it writes a token to its ext4 root on virtio-blk and syncs), the
# guest powers off and kestrel exits 0; the token is in the image afterwards.
img=$KT_SCENARIO_DIR/root.ext4
cp "$KT_ROOTFS" "$img"
token="button-$$-$(date +%s)"
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" --stats \
	--disk "path=$img" \
	--cmdline "console=ttyS0 quiet panic=-1 root=/dev/vda kt=button kt_token=$token"
wait_for g "KT-BUTTON-READY" 90
kill -TERM "$KT_PID"
wait_for g "KT-POWER-BUTTON" 30
wait_exit 30
expect_rc 0
grep -q "asking the guest to power off" "$KT_SCENARIO_DIR/g.out" || fail "no power-button log line"
got=$(image_file "$img" kt-data.txt)
[ "$got" = "$token" ] || fail "image holds '$got', expected '$token'"
