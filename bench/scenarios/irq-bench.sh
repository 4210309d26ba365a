# timeout: 900
# Start-to-init time and an interrupt-heavy guest workload (500 x usleep 200,
# then 20 MB through a pipe between two processes), in-kernel vGIC vs the
# userspace GICv2, interleaved in alternating order; medians and their ratio.
. "$KT_DIR/lib-bench.sh"
runs=${KT_BENCH_RUNS:-5}
one() {	# one CHIP: boot, run the workload, record "chip boot_ms sleep_ms pipe_ms"
	local r line
	r=$(boot_once 2 256 --irqchip "$1") || fail "$r"
	# boot_once powers the guest off right after init; run the workload separately
	kestrel_bg w --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 --irqchip "$1" \
		--cmdline "console=ttyS0 quiet panic=-1 kt=irqbench"
	wait_for w "KT-IRQBENCH" 300
	wait_exit 20
	expect_rc 0
	line=$(grep KT-IRQBENCH "$KT_SCENARIO_DIR/w.out" | tr -d '\r')
	echo "$1 ${r%% *} $(echo "$line" | sed 's/.*sleep_ms=\([0-9]*\) pipe_ms=\([0-9]*\).*/\1 \2/')" \
		>>"$KT_SCENARIO_DIR/raw"
}
for i in $(seq "$runs"); do
	if [ $((i % 2)) = 1 ]; then one auto; one user; else one user; one auto; fi
done
cat "$KT_SCENARIO_DIR/raw"
col() { awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$KT_SCENARIO_DIR/raw" | median; }
for k in 2 3 4; do
	name=$(echo "x boot_ms sleep_ms pipe_ms" | cut -d' ' -f$k)
	a=$(col auto $k)
	u=$(col user $k)
	echo "BENCH irq runs=$runs cpus=2 $name kvm=$a user=$u ratio_user_over_kvm=$(awk -v a="$a" -v u="$u" 'BEGIN { printf "%.2f", u / a }')"
done
