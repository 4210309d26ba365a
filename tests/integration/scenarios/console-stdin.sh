# timeout: 90
# irqchips: auto user
# A command written to kestrel's stdin runs in the guest shell and its output
# comes back; poweroff -f from the shell exits 0.
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
guest_send 'echo kt-answer-$((6 * 7))'
wait_for g "kt-answer-42" 20
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
