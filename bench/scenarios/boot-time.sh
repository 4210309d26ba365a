# timeout: 600
# Start-to-init time and kestrel's own RSS for 1, 2 and 4 vCPUs, interleaved.
# KT_BENCH_RUNS (default 5) boots per vCPU count; KT_IRQCHIP selects the irqchip.
. "$KT_DIR/lib-bench.sh"
runs=${KT_BENCH_RUNS:-5}
chip=${KT_IRQCHIP:-auto}
for i in $(seq "$runs"); do
	for n in 1 2 4; do
		r=$(boot_once "$n" 256 --irqchip "$chip") || fail "$r"
		echo "$n $r" >>"$KT_SCENARIO_DIR/raw"
		echo "run $i cpus=$n: $r"
	done
done
for n in 1 2 4; do
	ms=$(awk -v n=$n '$1 == n { print $2 }' "$KT_SCENARIO_DIR/raw" | median)
	lo=$(awk -v n=$n '$1 == n { print $2 }' "$KT_SCENARIO_DIR/raw" | sort -n | head -n1)
	hi=$(awk -v n=$n '$1 == n { print $2 }' "$KT_SCENARIO_DIR/raw" | sort -n | tail -n1)
	rss=$(awk -v n=$n '$1 == n { print $3 }' "$KT_SCENARIO_DIR/raw" | median)
	grss=$(awk -v n=$n '$1 == n { print $4 }' "$KT_SCENARIO_DIR/raw" | median)
	echo "BENCH boot irqchip=$chip cpus=$n runs=$runs start_to_init_ms_median=$ms min=$lo max=$hi kestrel_rss_kib=$rss guest_ram_touched_kib=$grss"
done
