# timeout: 1500
# Start-to-init, kestrel against a peer VMM (kvmtool's lkvm, built by
# bench/build-kvmtool.sh and passed as KT_PEER_LKVM to scripts/testbed.sh),
# side by side in one run: the same kernel, initramfs, 1 vCPU, 256 MiB and
# "quiet" command line (kvmtool with --nodefaults, so it adds nothing to it);
# rounds interleaved and counterbalanced (odd rounds kestrel first, even
# rounds the peer first). Prints each round's ratio kestrel / peer and their
# median, min and max. KT_BENCH_RUNS rounds (default 15). Without a peer it
# says so and fails.
. "$KT_DIR/lib-bench.sh"
runs=${KT_BENCH_RUNS:-15}
lkvm=$KT_DIR/lkvm
[ -x "$lkvm" ] || fail "no peer: build it with bench/build-kvmtool.sh and pass KT_PEER_LKVM"
params="console=ttyS0 quiet panic=-1 kt=poweroff"
# kvmtool keeps its state (sockets) under $HOME/.lkvm
export HOME=$KT_SCENARIO_DIR

# boot_vmm kestrel|peer: ms from exec to the guest's KT-GUEST-UP line; the
# VMM must then exit 0 (the guest powers off)
boot_vmm() {
	local d=$KT_SCENARIO_DIR t0 t1 line res pid rc
	rm -f "$d/peer.fifo" && mkfifo "$d/peer.fifo"
	t0=$(uptime_cs)
	if [ "$1" = kestrel ]; then
		"$KT_KESTREL" --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 1 --memory 256M \
			--cmdline "$params" </dev/null >"$d/peer.fifo" 2>&1 &
	else
		"$lkvm" run --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 1 --mem 256 \
			--console serial --network mode=none --nodefaults --params "$params" \
			</dev/null >"$d/peer.fifo" 2>&1 &
	fi
	pid=$!
	exec 8<"$d/peer.fifo"
	res=""
	while IFS= read -r line <&8; do
		echo "$line" >>"$d/$1.out"
		case "$line" in
		*KT-GUEST-UP*)
			t1=$(uptime_cs)
			res=$(((t1 - t0) * 10))
			break
			;;
		esac
	done
	cat <&8 >>"$d/$1.out" &
	exec 8<&-
	wait $pid
	rc=$?
	[ -n "$res" ] || fail "$1: guest did not come up (status $rc)"
	[ $rc -eq 0 ] || fail "$1: exited $rc"
	echo "$res"
}

: >"$KT_SCENARIO_DIR/raw"
for i in $(seq "$runs"); do
	if [ $((i % 2)) -eq 1 ]; then order="kestrel peer"; else order="peer kestrel"; fi
	for v in $order; do
		ms=$(boot_vmm $v) || fail "$ms"
		eval "t_$v=$ms"
	done
	echo "$i $t_kestrel $t_peer" >>"$KT_SCENARIO_DIR/raw"
	echo "round $i ($order): kestrel ${t_kestrel} ms, peer ${t_peer} ms"
done
ratios=$(awk '{ printf "%.3f\n", $2 / $3 }' "$KT_SCENARIO_DIR/raw")
med=$(echo "$ratios" | median)
lo=$(echo "$ratios" | sort -n | head -n1)
hi=$(echo "$ratios" | sort -n | tail -n1)
mk=$(awk '{ print $2 }' "$KT_SCENARIO_DIR/raw" | median)
mp=$(awk '{ print $3 }' "$KT_SCENARIO_DIR/raw" | median)
echo "BENCH peer-boot rounds=$runs ratio_median=$med min=$lo max=$hi kestrel_ms_median=$mk peer_ms_median=$mp"
echo "NOTE: start-to-init kestrel/peer median $med ($lo-$hi) over $runs rounds"
