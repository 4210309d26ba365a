# timeout: 120
# --irqchip user with 4 vCPUs: the guest's /proc/interrupts shows the GICv2
# counting (timer PPI 27, UART SPI, IPIs between CPUs), sleep 1 returns, and
# --stats reports deliveries per class.
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 4 --irqchip user --stats \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
grep -q "^kestrel: irqchip: user " "$KT_SCENARIO_DIR/g.out" || fail "user irqchip not picked"
guest_send 'sleep 1; echo kt-sle$((0))pt; cat /proc/interrupts; echo kt-irqs-$((0))done'
wait_for g "kt-irqs-0done" 30
o=$KT_SCENARIO_DIR/g.out
tr -d '\r' <"$o" | sed -n '/^kt-sle0pt/,/^kt-irqs-0done/p' >"$KT_SCENARIO_DIR/irqs"
cat "$KT_SCENARIO_DIR/irqs"
# timer: a GIC line for hwirq 27 with a non-zero count on every CPU
awk '/GIC/ && / 27 / { for (i = 2; i <= 5; i++) if ($i + 0 == 0) exit 1; found = 1 }
	END { exit !found }' "$KT_SCENARIO_DIR/irqs" || fail "timer PPI 27 not counting on all CPUs"
# the UART SPI (INTID 33) counted
awk '/GIC/ && / 33 / { s = 0; for (i = 2; i <= 5; i++) s += $i; if (s > 0) found = 1 }
	END { exit !found }' "$KT_SCENARIO_DIR/irqs" || fail "UART SPI 33 not counting"
# IPIs delivered (rescheduling or function-call IPIs)
awk '/^ *IPI[0-9]:/ { for (i = 2; i <= 5; i++) s += $i } END { exit !(s > 0) }' \
	"$KT_SCENARIO_DIR/irqs" || fail "no IPIs counted"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
grep -A6 "^irqchip" "$o"
awk '$1 == "SGI" && $3 > 0 { sgi = 1 } $1 == "PPI" && $3 > 0 { ppi = 1 } $1 == "SPI" && $3 > 0 { spi = 1 }
	END { exit !(sgi && ppi && spi) }' "$o" || fail "--stats shows no deliveries for SGI, PPI and SPI"
