# timeout: 150
# kestrel started with a full configuration and --api-socket boots at once
# and serves the run-time endpoints: GET /vm/config is --print-config's
# document, GET /machine-config, /kestrel/irqchip and /kestrel/stats answer
# with their keys, run-time-only requests work and pre-boot ones are
# refused. 100 sequential GET / give the latency NOTE. SIGTERM with
# --shutdown-timeout 0 stops the VM at once (exit 4, no power button).
d=$KT_SCENARIO_DIR
KT_API=$d/api.sock
set -- --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "$KT_IRQCHIP" --cpus 2 \
	--memory 192M --cmdline "console=ttyS0 quiet panic=-1 kt=ignore" --api-socket "$KT_API" \
	--shutdown-timeout 0
"$KT_KESTREL" "$@" --print-config >"$d/print.json" 2>&1 || fail "--print-config exited $?"
kestrel_bg g "$@"
wait_socket "$KT_API" 30
wait_for g "KT-IGNORING-BUTTON" 90
expect_api 200 GET /
body_has '"state": *"Running"'

expect_api 200 GET /vm/config
tr -d ' \n\r' <"$d/api.body" >"$d/api.flat"
tr -d ' \n\r' <"$d/print.json" >"$d/print.flat"
cmp -s "$d/api.flat" "$d/print.flat" || {
	cat "$d/print.json"
	fail "GET /vm/config differs from --print-config"
}
body_has '"cpus": *2'
body_has '"memory": *"192M"'
body_has '"shutdown_timeout": *0'
body_has "\"socket\": *\"$KT_API\""

expect_api 200 GET /machine-config
body_has '"vcpu_count": *2'
body_has '"mem_size_mib": *192'
body_has '"huge_pages": *"None"'

expect_api 200 GET /kestrel/irqchip
body_has '"irqchip": *"(kvm-v3|kvm-v2|gicv2-user)"'
body_has '"preference": *"'
body_has '"vcpus": *2'
case "$KT_IRQCHIP" in
user) body_has '"irqchip": *"gicv2-user"' ;;
esac

expect_api 200 GET /kestrel/stats
body_has '"irqchip": *"'
body_has '"classes": *\{'
body_has '"set_pending": *[0-9]'
body_has '"delivered": *[0-9]'
body_has '"serial": *\{[^}]*"bytes_out": *[1-9]'

# pre-boot requests are refused now
expect_api 400 PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 128}'
body_has 'after starting'
expect_api 400 PUT /actions '{"action_type": "InstanceStart"}'
expect_api 400 GET /no/such/path
body_has 'invalid request method and/or path'

# latency: 100 sequential GET / over one keep-alive connection
urls=""
i=0
while [ $i -lt 100 ]; do
	urls="$urls -o /dev/null http://localhost/"
	i=$((i + 1))
done
curl -s --max-time 60 --unix-socket "$KT_API" -w '%{http_code} %{time_total}\n' $urls \
	>"$d/lat.txt" || fail "curl exited $?"
[ "$(grep -c '^200 ' "$d/lat.txt")" -eq 100 ] || fail "not 100 answers: $(sort "$d/lat.txt" | uniq -c | head)"
cut -d' ' -f2 "$d/lat.txt" | sort -n >"$d/lat.sorted"
p50=$(sed -n 50p "$d/lat.sorted")
p99=$(sed -n 99p "$d/lat.sorted")
echo "BENCH api_get_root_ms p50=$(ms "$p50") p99=$(ms "$p99")"

kill -TERM "$KT_PID"
wait_exit 20
expect_rc 4
grep -q "asking the guest to power off" "$d/g.out" && fail "the button was pressed with --shutdown-timeout 0"
echo "NOTE: GET / p50 $(ms "$p50") ms, p99 $(ms "$p99") ms (100 sequential, one connection)"
