# timeout: 90
# irqchips: auto user
# Guest reboot -f with --on-reboot exit: kestrel exits with status 3.
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --on-reboot exit \
	--cmdline "console=ttyS0 quiet panic=-1 kt=reboot"
wait_for g "KT-GUEST-UP" 90
wait_exit 15
expect_rc 3
