# timeout: 7500
# The hostile test guest for a long time (docs/security.md): runs of
# KT_HOSTILE_RUN_ROUNDS rounds (default 100) with fresh seeds, alternating the
# host's in-kernel GIC (auto) and the userspace GICv2, until
# KT_HOSTILE_MINUTES (default 30, at most 120) have passed. Every run must
# pass hostile_run's checks (tests/integration/hostile-common.sh); the first
# failure ends the scenario with its seed.
. "$KT_DIR/hostile-common.sh"
. "$KT_DIR/lib-bench.sh"
minutes=${KT_HOSTILE_MINUTES:-30}
[ "$minutes" -le 120 ] || fail "KT_HOSTILE_MINUTES=$minutes: at most 120 (the scenario's timeout)"
per=${KT_HOSTILE_RUN_ROUNDS:-100}
nisv=${KT_HOSTILE_NISV:-1}
start=$(uptime_cs)
end=$((start + minutes * 6000))
runs=0
rounds=0
accesses=0
seed=${KT_HOSTILE_SEED:-$(($(date +%s) % 100000))}
chip=auto
while [ "$(uptime_cs)" -lt "$end" ]; do
	hostile_run "run" "$chip" "$seed" "$per" "$nisv"
	a=$(echo "$HOSTILE_DONE" | sed -n 's/.* accesses=\([0-9]*\).*/\1/p')
	runs=$((runs + 1))
	rounds=$((rounds + per))
	accesses=$((accesses + a))
	echo "run $runs irqchip=$chip seed=$seed: $HOSTILE_DONE"
	seed=$((seed + 1))
	if [ $chip = auto ]; then chip=user; else chip=auto; fi
done
secs=$((($(uptime_cs) - start) / 100))
echo "BENCH hostile-long minutes=$minutes seconds=$secs runs=$runs rounds=$rounds accesses=$accesses rounds_per_run=$per failures=0"
echo "NOTE: $secs s, $runs runs, $rounds rounds, $accesses accesses, no failure"
