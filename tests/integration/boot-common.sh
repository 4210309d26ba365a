# Shared by the boot scenarios. KT_IRQCHIP (default auto) picks the irqchip.

# boot_and_poweroff N: boot with N vCPUs and kt=poweroff; every CPU online;
# kestrel exits 0 within 15 s of the guest's poweroff.
boot_and_poweroff() {
	local n=$1 last=$(($1 - 1)) online
	kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus "$n" --memory 256M \
		--irqchip "${KT_IRQCHIP:-auto}" --cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
	wait_for g "KT-GUEST-UP" 90
	grep "KT-GUEST-UP" "$KT_SCENARIO_DIR/g.out"
	online=0
	[ "$n" -gt 1 ] && online="0-$last"
	grep -q "KT-GUEST-UP cpus=$n online=$online" "$KT_SCENARIO_DIR/g.out" ||
		fail "expected cpus=$n online=$online"
	wait_exit 15
	expect_rc 0
}
