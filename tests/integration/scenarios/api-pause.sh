# timeout: 150
# PATCH /vm {"state": "Paused"} stops the guest: its counter (a line every
# ~0.2 s) advances by at most one line over 2 s and GET / says Paused;
# {"state": "Resumed"} lets it count again. The request latencies (curl's
# time_total) are the NOTE.
d=$KT_SCENARIO_DIR
KT_API=$d/api.sock
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=counter" --api-socket "$KT_API" \
	--shutdown-timeout 0
wait_socket "$KT_API" 30
wait_count g '^KT-COUNT ' 5 90
expect_api 204 PATCH /vm '{"state": "Paused"}'
t_pause=$(cat "$d/api.time")
c1=$(count_in g '^KT-COUNT ')
expect_api 200 GET /
t_get=$(cat "$d/api.time")
body_has '"state": *"Paused"'
# the observation window itself: a running guest prints ~10 lines in it
sleep 2
c2=$(count_in g '^KT-COUNT ')
echo "paused: $c1 -> $c2 lines over 2 s"
[ $((c2 - c1)) -le 1 ] || fail "the counter went on while paused: $c1 -> $c2"
kill -0 "$KT_PID" || fail "kestrel died while paused"
# a second pause is accepted and does nothing
expect_api 204 PATCH /vm '{"state": "Paused"}'
expect_api 204 PATCH /vm '{"state": "Resumed"}'
t_resume=$(cat "$d/api.time")
expect_api 200 GET /
body_has '"state": *"Running"'
wait_count g '^KT-COUNT ' $((c2 + 5)) 30
last=$(grep '^KT-COUNT ' "$d/g.out" | tail -n1 | cut -d' ' -f2 | tr -d '\r')
echo "resumed: counter at $last"
[ "$last" -ge $((c2 + 5)) ] || fail "counter value $last, expected at least $((c2 + 5))"
# pause/resume a few times: each must stop and restart the count
for i in 1 2 3; do
	expect_api 204 PATCH /vm '{"state": "Paused"}'
	t_pause="$t_pause $(cat "$d/api.time")"
	expect_api 204 PATCH /vm '{"state": "Resumed"}'
	t_resume="$t_resume $(cat "$d/api.time")"
	expect_api 200 GET /
	t_get="$t_get $(cat "$d/api.time")"
done
c3=$(count_in g '^KT-COUNT ')
wait_count g '^KT-COUNT ' $((c3 + 3)) 30
kill -TERM "$KT_PID"
wait_exit 20
expect_rc 4
grep "forbidden syscall" "$d/g.out" && fail "seccomp violation"
echo "pause times (s): $t_pause; resume times (s): $t_resume; GET / (s): $t_get"
med() { echo "$@" | tr ' ' '\n' | sort -n | sed -n 3p; }
echo "NOTE: pause $(ms "$(med $t_pause)") ms, resume $(ms "$(med $t_resume)") ms; GET / $(ms "$(med $t_get)") ms (medians of 4, curl time_total)"
