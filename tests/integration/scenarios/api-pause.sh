# timeout: 150
# PATCH /vm {"state": "Paused"} stops the guest: its counter (a line every
# ~0.2 s) advances by at most one line over 2 s and GET / says Paused;
# {"state": "Resumed"} lets it count again. The guest also writes its count
# to a disk (fsync each time): the image does not change while paused and
# moves on after the resume. The request latencies (curl's time_total) are
# the NOTE.
d=$KT_SCENARIO_DIR
KT_API=$d/api.sock
dd if=/dev/zero of="$d/w.img" bs=1024 count=1024 2>/dev/null
disk() { head -c 16 "$d/w.img" | tr -d '\0\n'; }
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=counter kt_disk=1" --api-socket "$KT_API" \
	--shutdown-timeout 0 --disk "path=$d/w.img,id=w"
wait_socket "$KT_API" 30
wait_count g '^KT-COUNT ' 5 90
case "$(disk)" in KT-DISK*) ;; *) fail "the guest's disk writer did not start: '$(disk)'" ;; esac
expect_api 204 PATCH /vm '{"state": "Paused"}'
t_pause=$(cat "$d/api.time")
w1=$(disk)
c1=$(count_in g '^KT-COUNT ')
expect_api 200 GET /
t_get=$(cat "$d/api.time")
body_has '"state": *"Paused"'
# the observation window itself: a running guest prints ~10 lines in it
sleep 2
c2=$(count_in g '^KT-COUNT ')
echo "paused: $c1 -> $c2 lines over 2 s"
[ $((c2 - c1)) -le 1 ] || fail "the counter went on while paused: $c1 -> $c2"
w2=$(disk)
echo "paused: disk '$w1' -> '$w2'"
[ "$w1" = "$w2" ] || fail "the disk writer went on while paused: '$w1' -> '$w2'"
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
i=0
while [ "$(disk)" = "$w2" ]; do
	[ $i -ge 100 ] && fail "the disk writer did not resume: '$(disk)'"
	sleep 0.1
	i=$((i + 1))
done
echo "resumed: disk '$(disk)'"
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
