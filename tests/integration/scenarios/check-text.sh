# timeout: 30
# `kestrel check` prints a readable report with the irqchip chain.
"$KT_KESTREL" check >"$KT_SCENARIO_DIR/check.txt" 2>&1 || fail "check exited $?"
cat "$KT_SCENARIO_DIR/check.txt"
grep -q "KVM API version: *12" "$KT_SCENARIO_DIR/check.txt" || fail "no API version"
grep -q "<- auto picks this" "$KT_SCENARIO_DIR/check.txt" || fail "no auto choice"
grep -q "kvm-v2 *unusable: KVM_CREATE_DEVICE(VGIC_V2) test: No such device" \
	"$KT_SCENARIO_DIR/check.txt" || [ "${KT_HOST_GIC:-3}" = 2 ] || fail "kvm-v2 reason missing"
