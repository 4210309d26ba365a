# timeout: 90
# irqchips: auto user
# The guest timer works (sleep 1 returns, uptime advances by >= 1 s) and the
# PL031 RTC gives a sane date (after 2024-01-01, within a day of the host).
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=timer"
wait_for g "KT-RTC" 90
wait_exit 15
expect_rc 0
line=$(grep KT-TIMER "$KT_SCENARIO_DIR/g.out" | tr -d '\r')
echo "$line"
t0=$(echo "$line" | sed 's/.*t0=\([0-9.]*\).*/\1/')
t1=$(echo "$line" | sed 's/.*t1=\([0-9.]*\).*/\1/')
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.0 && b - a < 10) }' ||
	fail "uptime went from $t0 to $t1"
rtc=$(grep KT-RTC "$KT_SCENARIO_DIR/g.out" | tr -d '\r' | awk '{ print $2 }')
now=$(date +%s)
echo "guest RTC $rtc, host $now"
[ "$rtc" -gt 1704067200 ] 2>/dev/null || fail "RTC says $rtc"
d=$((rtc - now))
[ ${d#-} -lt 86400 ] || fail "RTC $rtc is far from host time $now"
