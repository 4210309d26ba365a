# timeout: 90
# A list whose first entry this host cannot do falls back to user and says why.
if [ "${KT_HOST_GIC:-3}" = 3 ]; then bad=kvm-v2; else bad=kvm-v3; fi
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$bad,user" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
wait_for g "KT-GUEST-UP" 90
wait_exit 15
expect_rc 0
grep "irqchip:" "$KT_SCENARIO_DIR/g.out"
grep -q "^kestrel: irqchip: user (first usable of $bad,user; $bad: KVM_CREATE_DEVICE" \
	"$KT_SCENARIO_DIR/g.out" || fail "fallback to user not reported with its reason"
