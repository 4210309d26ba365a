# The hostile test guest (tests/hostile, docs/security.md): one run and its
# checks, shared by tests/integration/scenarios/hostile-guest.sh (CI) and
# bench/scenarios/hostile-long.sh (the long run). Sourced after lib.sh.

# hostile_run NAME IRQCHIP SEED ROUNDS NISV: runs hostile.img under kestrel
# (2 vCPUs, a virtio-blk disk, virtio-rng, and virtio-vsock when the host has
# /dev/vhost-vsock) with console NAME.out; fails
# unless every round ran, HOSTILE DONE came, kestrel said "guest powered
# off" and exited 0 (no KVM_RUN failure), picked the asked-for irqchip, no
# log line repeats (digits ignored: a flood), and, with NISV=1, every access
# KVM cannot decode came back to the guest as one external abort.
# Sets HOSTILE_DONE (the guest's last report, after "HOSTILE DONE ").
hostile_run() {
	local name=$1 chip=$2 seed=$3 rounds=$4 nisv=$5 d=$KT_SCENARIO_DIR guest_chip o n worst
	local img=$KT_DIR/hostile.img vsock=""
	[ -f "$img" ] || fail "$img missing (built by the aarch64 build, copied by scripts/testbed.sh)"
	case "$chip" in
	user) guest_chip=user ;;
	*) guest_chip=kvm ;;
	esac
	[ -c /dev/vhost-vsock ] && vsock="--vsock cid=$((1000 + seed % 1000))"
	[ -f "$d/disk.img" ] || dd if=/dev/zero of="$d/disk.img" bs=1024 count=1024 2>/dev/null
	kestrel_bg "$name" --kernel "$img" --cpus 2 --memory 128M --irqchip "$chip" \
		--disk path="$d/disk.img" --rng $vsock \
		--cmdline "hostile.seed=$seed hostile.rounds=$rounds hostile.cpus=2 hostile.chip=$guest_chip hostile.nisv=$nisv ${KT_HOSTILE_ARGS:-}"
	wait_for "$name" "HOSTILE start" 30
	wait_for "$name" "HOSTILE DONE" $((30 + rounds * 5))
	wait_exit 30
	o=$d/$name.out
	# kestrel logs "guest powered off" only after the guest's console is
	# flushed, so the guest's lines are whole (session.c)
	tr -d '\r' <"$o" >"$d/$name.clean"
	tail -n1 "$d/$name.clean" | grep -q "kestrel: guest powered off" ||
		fail "'guest powered off' is not kestrel's last line (seed $seed): $(tail -n2 "$d/$name.clean")"
	[ "$KT_RC" = 0 ] || fail "kestrel exit status $KT_RC (seed $seed)"
	grep -aq "kestrel: guest powered off" "$o" || fail "no 'guest powered off' (seed $seed)"
	[ "$(grep -ac 'HOSTILE round [0-9]* ok' "$d/$name.clean")" -eq "$rounds" ] ||
		fail "not all $rounds rounds reported (seed $seed)"
	grep -aq "KVM_RUN" "$o" && fail "a KVM_RUN failure (seed $seed)"
	case "$chip" in
	user) grep -aq "kestrel: irqchip: user " "$o" || fail "irqchip user not used" ;;
	*) grep -aq "kestrel: irqchip: kvm-v${KT_HOST_GIC:-3} " "$o" ||
		fail "auto did not pick kvm-v${KT_HOST_GIC:-3}" ;;
	esac
	# one line per kind of message: digits and hex numbers do not make a new kind
	grep -ao "kestrel: .*" "$o" | sed 's/0x[0-9a-f]*/N/g; s/[0-9][0-9]*/N/g' | sort | uniq -c |
		sort -rn >"$d/$name.kinds"
	worst=$(awk 'NR == 1 { print $1 }' "$d/$name.kinds")
	[ "${worst:-0}" -le 1 ] ||
		fail "a message repeated $worst times (seed $seed): $(head -n1 "$d/$name.kinds")"
	HOSTILE_DONE=$(grep -ao "HOSTILE DONE .*" "$d/$name.clean")
	HOSTILE_DONE=${HOSTILE_DONE#HOSTILE DONE }
	if [ "$nisv" = 1 ]; then
		n=$(echo "$HOSTILE_DONE" | sed -n 's/.* nisv=\([0-9]*\)\/\([0-9]*\) .*/\1 \2/p')
		set -- $n
		[ -n "$2" ] && [ "$2" -gt 0 ] && [ "$1" = "$2" ] ||
			fail "undecodable accesses: $1 of $2 got an external abort (seed $seed)"
		grep -aq "external abort injected" "$o" || fail "no log line for the undecodable accesses"
	fi
}
