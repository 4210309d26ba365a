# timeout: 240
# kestrel started with only --api-socket (seccomp on, the default) is
# configured and booted with Firecracker's getting-started curl sequence
# (PUT /boot-source, PUT /machine-config, PUT /actions InstanceStart), using
# Debian's curl. Bad requests before and after the start get 4xx with a
# fault_message and change nothing; a client that connects and sends
# nothing is dropped without disturbing the VM; 10 concurrent clients x 10
# requests are all answered; SendCtrlAltDel powers the kt=button guest off
# and kestrel exits 0.
d=$KT_SCENARIO_DIR
KT_API=$d/api.sock
curl --version | head -n1 || fail "no working curl in this host"
kestrel_bg g --api-socket "$KT_API"
wait_socket "$KT_API" 30
[ "$(stat -c %a "$KT_API")" = 600 ] || fail "socket mode $(stat -c %a "$KT_API"), expected 600"
expect_api 200 GET /
body_has '"state": *"Not started"'

# pre-boot: refused requests change nothing
expect_api 400 PUT /boot-source '{"kernel_image_path": '
body_has '"fault_message"'
expect_api 400 PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 256, "bogus": 1}'
body_has '"fault_message": *".*unknown field.*bogus'
expect_api 400 PUT /actions '{"action_type": "InstanceStart"}'
body_has 'no kernel'
expect_api 400 PATCH /vm '{"state": "Paused"}'
body_has '"fault_message"'

# Firecracker's sequence
expect_api 204 PUT /boot-source "{\"kernel_image_path\": \"$KT_KERNEL\", \"initrd_path\": \"$KT_INITRD\", \"boot_args\": \"console=ttyS0 quiet panic=-1 kt=button\"}"
expect_api 204 PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 256}'
expect_api 200 GET /machine-config
body_has '"vcpu_count": *2'
body_has '"mem_size_mib": *256'
expect_api 204 PUT /actions '{"action_type": "InstanceStart"}'
wait_for g "KT-GUEST-UP cpus=2 " 90
wait_for g "KT-BUTTON-READY" 60
expect_api 200 GET /
body_has '"state": *"Running"'
body_has '"vmm_version": *"[0-9]+\.[0-9]+'

# wrong state, malformed, unknown field, too large: 4xx, the VM runs on
expect_api 400 PUT /actions '{"action_type": "InstanceStart"}'
body_has '"fault_message": *".*already started'
expect_api 400 PUT /boot-source "{\"kernel_image_path\": \"$KT_KERNEL\"}"
body_has '"fault_message"'
expect_api 400 PATCH /vm '{"state": "Paused"'
body_has '"fault_message"'
expect_api 400 PATCH /vm '{"state": "Paused", "bogus": true}'
body_has '"fault_message": *".*unknown field.*bogus'
head -c 70000 /dev/zero | tr '\0' ' ' >"$d/big.json"
# Expect: 100-continue lets curl read the refusal before sending the body
code=$(api PUT /machine-config -H 'Expect: 100-continue' -d "@$d/big.json")
case "$code" in 4??) ;; *) fail "70000-byte body: status $code, expected 4xx" ;; esac
body_has '"fault_message"'
expect_api 200 GET /
body_has '"state": *"Running"'

# a client that connects and sends nothing: curl's FTP client waits for
# the server's greeting; kestrel drops the idle connection after its 5 s
# request limit (measured by curl: from its connect to the end)
curl -s --max-time 30 --unix-socket "$KT_API" -w '%{time_connect} %{time_total}\n' \
	ftp://localhost/ >"$d/idle.out" 2>&1 &
idle=$!

# 10 concurrent clients, 10 GET / each over one keep-alive connection
urls=""
for j in 1 2 3 4 5 6 7 8 9 10; do
	urls="$urls -o /dev/null http://localhost/"
done
pids=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s --max-time 60 --unix-socket "$KT_API" -w 'CODE %{http_code}\n' $urls \
		>"$d/client$i.out" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done
ok=$(cat "$d"/client*.out | grep -c '^CODE 200$')
echo "concurrent: $ok of 100 answered 200"
cat "$d"/client*.out | grep -v '^CODE 200$' | head
[ "$ok" -eq 100 ] || fail "$ok of 100 concurrent requests got 200"

wait "$idle"
idle_s=$(tail -n1 "$d/idle.out" | awk '{ printf "%.1f", $2 - $1 }')
echo "idle client dropped $idle_s s after connecting: $(cat "$d/idle.out")"
awk -v t="$idle_s" 'BEGIN { exit !(t >= 4.5 && t <= 8) }' ||
	fail "the idle client was dropped after $idle_s s, expected about 5 s"
kill -0 "$KT_PID" || fail "kestrel died"
expect_api 200 GET /
body_has '"state": *"Running"'

# the power button
expect_api 204 PUT /actions '{"action_type": "SendCtrlAltDel"}'
wait_for g "KT-POWER-BUTTON" 30
wait_exit 30
expect_rc 0
[ ! -e "$KT_API" ] || fail "the socket is still there after exit"
grep "forbidden syscall" "$d/g.out" && fail "seccomp violation"
echo "NOTE: 100/100 concurrent GET / answered; idle client dropped after $idle_s s"
