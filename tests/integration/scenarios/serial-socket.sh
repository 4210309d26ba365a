# timeout: 300
# --serial socket=PATH: a client connected to the socket reads the guest's
# console; a client that stops reading (SIGSTOP) does not stall the guest:
# the guest's output (serial bytes_in in GET /kestrel/stats) keeps growing
# and the oldest bytes are dropped and counted (serial dropped); once that
# client is gone, a second client is served the current output.
# The stopped client's socket fills after a few KiB (kestrel's small sends
# use up the send buffer), then the ring (64 KiB) fills, then bytes drop:
# at the ~1 KiB/s a nested test guest prints (one MMIO exit per byte) the
# first drop comes about 70 s after the stop.
V=$KT_DIR/kt-vsock
d=$KT_SCENARIO_DIR
sock=$d/console.sock
KT_API=$d/api.sock
[ -x "$V" ] || fail "$V missing (built with the aarch64 kestrel, copied by scripts/testbed.sh)"

# serial_stat FIELD: a counter of the "serial" object of GET /kestrel/stats
serial_stat() {
	expect_api 200 GET /kestrel/stats
	tr -d ' \n' <"$d/api.body" | sed -n "s/.*\"serial\":{[^}]*\"$1\":\([0-9]*\).*/\1/p"
}

# wait_file FILE PATTERN SECONDS: wait until PATTERN (grep -E) is in FILE
wait_file() {
	local i=0 n=$(($3 * 10))
	while [ $i -lt $n ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		kill -0 "$KT_PID" 2>/dev/null || fail "kestrel exited before '$2' reached $1"
		sleep 0.1
		i=$((i + 1))
	done
	fail "'$2' not in $1 within $3 s: $(tail -c 200 "$1")"
}

kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --serial "socket=$sock" \
	--api-socket "$KT_API" --shutdown-timeout 0 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=flood"
wait_socket "$KT_API" 30
wait_socket "$sock" 30
[ "$(stat -c %a "$sock")" = 600 ] || fail "console socket mode $(stat -c %a "$sock")"
"$V" unix "$sock" >"$d/c1.txt" 2>"$d/c1.err" &
c1=$!
wait_file "$d/c1.txt" "KT-GUEST-UP" 90
wait_file "$d/c1.txt" "KT-FLOOD [0-9]+ " 30
grep -q "KT-GUEST-UP" "$d/g.out" && fail "console output also reached stdout"

# the reader stops reading: the guest must go on printing, the ring drops
kill -STOP "$c1"
in0=$(serial_stat bytes_in)
drop0=$(serial_stat dropped)
echo "reader stopped: bytes_in $in0 dropped $drop0"
# wait (by condition) until bytes are dropped, then until 2 KiB more are:
# the guest goes on printing while nobody reads
i=0
while :; do
	drop1=$(serial_stat dropped)
	[ -n "$drop1" ] && [ "$drop1" -gt "$drop0" ] && break
	[ $i -ge 200 ] && fail "nothing dropped within 200 s of the reader stopping: $(api_body)"
	kill -0 "$KT_PID" || fail "kestrel died"
	sleep 1
	i=$((i + 1))
done
in1=$(serial_stat bytes_in)
i=0
while :; do
	drop2=$(serial_stat dropped)
	[ "$drop2" -ge $((drop1 + 2048)) ] && break
	[ $i -ge 60 ] && fail "the guest stalled with a stopped reader: dropped $drop1 -> $drop2"
	kill -0 "$KT_PID" || fail "kestrel died"
	sleep 1
	i=$((i + 1))
done
in2=$(serial_stat bytes_in)
out2=$(serial_stat bytes_out)
echo "guest went on: bytes_in $in0 -> $in1 -> $in2, dropped $drop0 -> $drop1 -> $drop2, bytes_out $out2"
[ "$in2" -ge $((in1 + 2048)) ] || fail "bytes_in did not grow with dropped: $in1 -> $in2"
n1=$(grep -o 'KT-FLOOD [0-9]*' "$d/c1.txt" | tail -n1 | cut -d' ' -f2)

# the first client goes away; a second one is served what the guest prints now
kill -KILL "$c1"
wait "$c1" 2>/dev/null
"$V" unix "$sock" >"$d/c2.txt" 2>"$d/c2.err" &
c2=$!
wait_file "$d/c2.txt" "KT-FLOOD [0-9]+ " 60
n2=$(grep -o 'KT-FLOOD [0-9]*' "$d/c2.txt" | tail -n1 | cut -d' ' -f2)
echo "first client's last line: $n1; second client's: $n2"
[ -n "$n2" ] && [ "$n2" -gt "$n1" ] || fail "second client got stale output: $n2 <= $n1"
kill -TERM "$KT_PID"
wait_exit 30
expect_rc 4
kill "$c2" 2>/dev/null
wait "$c2" 2>/dev/null
grep "forbidden syscall" "$d/g.out" && fail "seccomp violation"
echo "NOTE: stopped reader: guest wrote $((in2 - in0)) bytes, $((drop2 - drop0)) dropped, $out2 sent"
