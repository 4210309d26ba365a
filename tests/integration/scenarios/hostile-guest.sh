# timeout: 240
# irqchips: auto user
# The hostile test guest (tests/hostile, docs/security.md) under the host's
# in-kernel GIC (auto: kvm-v3 on a GICv3 host, kvm-v2 on a GICv2 host) and
# the userspace GICv2, with 2 vCPUs, a virtio-blk disk and virtio-rng to
# attack. A bounded number of rounds (KT_HOSTILE_ROUNDS, default 12; the seed
# is KT_HOSTILE_SEED or taken from the clock and printed). kestrel must:
# run every round, print "guest powered off" and exit 0 when the guest's
# PSCI SYSTEM_OFF comes, never die on a signal or a KVM_RUN failure, and
# print at most one line per kind of message (digits ignored) - no flood.
img=$KT_DIR/hostile.img
d=$KT_SCENARIO_DIR
[ -f "$img" ] || fail "$img missing (built by the aarch64 build, copied by scripts/testbed.sh)"
rounds=${KT_HOSTILE_ROUNDS:-12}
seed=${KT_HOSTILE_SEED:-$(($(date +%s) % 100000))}
extra=${KT_HOSTILE_ARGS:-}
# the accesses KVM cannot decode (ldp, a post-indexed store) in MMIO and
# unmapped space: kestrel injects an external abort (KVM_CAP_ARM_NISV_TO_USER);
# KT_HOSTILE_NISV=0 leaves them out (a host kernel older than 5.5)
nisv=${KT_HOSTILE_NISV:-1}
case "$KT_IRQCHIP" in
user) guest_chip=user ;;
*) guest_chip=kvm ;;
esac
dd if=/dev/zero of="$d/disk.img" bs=1024 count=1024 2>/dev/null
echo "seed=$seed rounds=$rounds irqchip=$KT_IRQCHIP"
kestrel_bg g --kernel "$img" --cpus 2 --memory 128M --irqchip "$KT_IRQCHIP" \
	--disk path="$d/disk.img" --rng \
	--cmdline "hostile.seed=$seed hostile.rounds=$rounds hostile.cpus=2 hostile.chip=$guest_chip hostile.nisv=$nisv $extra"
wait_for g "HOSTILE start" 30
wait_for g "HOSTILE DONE" $((30 + rounds * 5))
wait_exit 30
o=$d/g.out
tr -d '\r' <"$o" | grep -a -v "HOSTILE round" | head -n 60
tr -d '\r' <"$o" | grep -a "HOSTILE round" | tail -n 2
[ "$KT_RC" = 0 ] || fail "kestrel exit status $KT_RC (seed $seed)"
# (the log line may land inside the guest's last console line: stderr and the
# console's flush at exit are two writers)
grep -aq "kestrel: guest powered off" "$o" || fail "no 'guest powered off' (seed $seed)"
[ "$(grep -ac 'HOSTILE round [0-9]* ok' "$o")" -eq "$rounds" ] || fail "not all $rounds rounds reported"
grep -aq "KVM_RUN" "$o" && fail "a KVM_RUN failure (seed $seed)"
case "$KT_IRQCHIP" in
user) grep -aq "kestrel: irqchip: user " "$o" || fail "irqchip user not used" ;;
*) grep -aq "kestrel: irqchip: kvm-v${KT_HOST_GIC:-3} " "$o" ||
	fail "auto did not pick kvm-v${KT_HOST_GIC:-3}" ;;
esac
# one line per kind of message: digits and hex numbers do not make a new kind
grep -ao "kestrel: .*" "$o" | sed 's/0x[0-9a-f]*/N/g; s/[0-9][0-9]*/N/g' | sort | uniq -c |
	sort -rn >"$d/kinds"
cat "$d/kinds"
worst=$(awk 'NR == 1 { print $1 }' "$d/kinds")
[ "${worst:-0}" -le 1 ] || fail "a message repeated $worst times (seed $seed): $(head -n1 "$d/kinds")"
done_line=$(tr -d '\r' <"$o" | grep -ao "HOSTILE DONE .*" | sed 's/kestrel:.*//')
if [ "$nisv" = 1 ]; then
	# every undecodable access came back to the guest as one external abort,
	# and kestrel said so once
	n=$(echo "$done_line" | sed -n 's/.* nisv=\([0-9]*\)\/\([0-9]*\) .*/\1 \2/p')
	set -- $n
	[ -n "$2" ] && [ "$2" -gt 0 ] && [ "$1" = "$2" ] ||
		fail "undecodable accesses: $1 of $2 got an external abort (seed $seed)"
	grep -aq "external abort injected" "$o" || fail "no log line for the undecodable accesses"
fi
echo "NOTE: seed=$seed rounds=$rounds ${done_line#HOSTILE DONE }"
