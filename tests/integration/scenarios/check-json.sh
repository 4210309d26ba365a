# timeout: 30
# `kestrel check --json` in the emulated GICv3 host: vGICv3 and ITS yes,
# vGICv2 no (the host GICv3 has no GICv2 emulation), user irq yes.
"$KT_KESTREL" check --json >"$KT_SCENARIO_DIR/check.json" 2>&1 || fail "check exited $?"
cat "$KT_SCENARIO_DIR/check.json"
j=$KT_SCENARIO_DIR/check.json
want() { grep -q "\"$1\": $2" "$j" || fail "expected \"$1\": $2"; }
if [ "${KT_HOST_GIC:-3}" = 3 ]; then
	want vgic_v3 true
	want vgic_v2 false
	want vgic_its true
	want auto_irqchip '"kvm-v3"'
else
	want vgic_v3 false
	want vgic_v2 true
	want auto_irqchip '"kvm-v2"'
fi
want user_irq true
want arm64_kvm true
want psci_0_2 true
