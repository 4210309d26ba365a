# timeout: 300
# irqchips: auto user
# virtio-vsock through the host kernel's vhost-vsock (--vsock cid=N), with
# kt-vsock (tests/integration/vsock) on both sides:
#  1. the guest sees its CID;
#  2. guest -> host: a host listener gets the guest's line (from the guest's
#     CID) and the guest gets "pong:<line>" back;
#  3. host -> guest: the same with the guest listening on the guest CID;
#  4. bulk both ways: 8 MiB through an echo server on the other side, length
#     and FNV-1a checksum compared, once with the guest sending and once with
#     the host sending;
#  5. a second kestrel with the same CID exits 2 with one line;
#  6. driver reset: rmmod + modprobe of the transport (device status 0,
#     vhost stopped, activated again on the same device), then a round trip;
#  7. guest reboot: kestrel rebuilds the VM on the same vhost instance, then
#     a round trip;
#  8. the guest powers off: status 0.
# Runs once per irqchip: auto (in-kernel vGIC: interrupts through KVM irqfd)
# and user (userspace GIC: through the irq line).
V=$KT_DIR/kt-vsock
CID=${KT_VSOCK_CID:-4711}
BULK=8388608
d=$KT_SCENARIO_DIR
[ -x "$V" ] || fail "$V missing (built with the aarch64 kestrel, copied by scripts/testbed.sh)"
[ -c /dev/vhost-vsock ] || fail "/dev/vhost-vsock missing (modprobe vhost_vsock)"

# wait_file FILE PATTERN SECONDS: wait until PATTERN (grep -E) is in FILE
wait_file() {
	local i=0 n=$(($3 * 10))
	while [ $i -lt $n ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	echo "--- $1"
	cat "$1" 2>/dev/null
	fail "'$2' not in $(basename "$1") within $3 s"
}

# round_trip N: guest -> host line exchange number N (host port 5100 + N)
round_trip() {
	local port=$((5100 + $1))
	"$V" listen $port >"$d/h-rt$1.out" 2>&1 &
	hp=$!
	wait_file "$d/h-rt$1.out" "KT-VSOCK-LISTENING" 10
	guest_send "kt-vsock connect 2 $port round-trip-$1"
	wait_for g "pong:round-trip-$1" 60
	wait_pid $hp 20
	[ $RC -eq 0 ] || fail "host listener exited $RC"
	grep -q "KT-VSOCK-GOT round-trip-$1" "$d/h-rt$1.out" || fail "round trip $1 lost"
}

# wait_pid PID SECONDS: wait for a background host process; its status in RC
wait_pid() {
	local i=0 n=$(($2 * 10))
	while kill -0 "$1" 2>/dev/null; do
		[ $i -ge $n ] && fail "host process $1 still running after $2 s"
		sleep 0.1
		i=$((i + 1))
	done
	wait "$1"
	RC=$?
}

kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --irqchip "${KT_IRQCHIP:-auto}" \
	--vsock cid=$CID --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
# $((...)) keeps the typed command (echoed by the tty) from matching the marker
guest_send 'modprobe vmw_vsock_virtio_transport && echo KT-VSOCK-MOD-$((40 + 2))'
wait_for g "KT-VSOCK-MOD-42" 30

echo "1. the guest's CID"
guest_send 'kt-vsock cid'
wait_for g "KT-VSOCK-CID [0-9]+" 20
grep -q "KT-VSOCK-CID $CID" "$d/g.out" || fail "guest CID is not $CID"

echo "2. guest -> host"
"$V" listen 5000 >"$d/h-listen.out" 2>&1 &
hp=$!
wait_file "$d/h-listen.out" "KT-VSOCK-LISTENING" 10
guest_send 'kt-vsock connect 2 5000 hello-from-guest'
wait_for g "pong:hello-from-guest" 60
wait_pid $hp 20
cat "$d/h-listen.out"
[ $RC -eq 0 ] || fail "host listener exited $RC"
grep -q "KT-VSOCK-ACCEPTED cid=$CID " "$d/h-listen.out" || fail "peer is not cid $CID"
grep -q "KT-VSOCK-GOT hello-from-guest" "$d/h-listen.out" || fail "host did not get the line"

echo "3. host -> guest"
guest_send 'kt-vsock listen 5001 &'
wait_for g "KT-VSOCK-LISTENING port=5001" 20
"$V" connect $CID 5001 hello-from-host >"$d/h-connect.out" 2>&1
RC=$?
cat "$d/h-connect.out"
[ $RC -eq 0 ] || fail "host connect exited $RC"
grep -q "^pong:hello-from-host" "$d/h-connect.out" || fail "no pong from the guest"
wait_for g "KT-VSOCK-GOT hello-from-host" 20
grep -q "KT-VSOCK-ACCEPTED cid=2 " "$d/g.out" || fail "guest's peer is not the host (cid 2)"

echo "4a. bulk: guest sends, host echoes"
"$V" echo 5002 >"$d/h-echo.out" 2>&1 &
hp=$!
wait_file "$d/h-echo.out" "KT-VSOCK-LISTENING" 10
guest_send "kt-vsock bulk 2 5002 $BULK"
wait_for g "KT-VSOCK-BULK (ok|BAD)" 120
wait_pid $hp 20
cat "$d/h-echo.out"
grep "KT-VSOCK-BULK" "$d/g.out"
grep -q "KT-VSOCK-BULK ok bytes=$BULK " "$d/g.out" || fail "guest bulk failed"
gsum=$(sed -n "s/.*KT-VSOCK-BULK ok bytes=$BULK sum=\([0-9a-f]*\).*/\1/p" "$d/g.out" | head -n1)
grep -q "KT-VSOCK-ECHO bytes=$BULK sum=$gsum" "$d/h-echo.out" || fail "host echo saw other data"

echo "4b. bulk: host sends, guest echoes"
guest_send 'kt-vsock echo 5003 &'
wait_for g "KT-VSOCK-LISTENING port=5003" 20
"$V" bulk $CID 5003 $BULK >"$d/h-bulk.out" 2>&1
RC=$?
cat "$d/h-bulk.out"
[ $RC -eq 0 ] || fail "host bulk exited $RC"
hsum=$(sed -n "s/.*KT-VSOCK-BULK ok bytes=$BULK sum=\([0-9a-f]*\).*/\1/p" "$d/h-bulk.out")
[ -n "$hsum" ] || fail "host bulk failed"
wait_for g "KT-VSOCK-ECHO bytes=$BULK sum=$hsum" 30

echo "5. the same CID again"
run_fg --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --vsock cid=$CID \
	--cmdline "console=ttyS0 quiet panic=-1 kt=poweroff"
echo "second kestrel -> $KT_RC: $(cat "$d/fg.out")"
expect_rc 2
[ "$(wc -l <"$d/fg.out")" -eq 1 ] || fail "not one line"
grep -q "^kestrel: --vsock: cid $CID is already in use" "$d/fg.out" || fail "wrong message"

echo "6. driver reset"
guest_send 'rmmod vmw_vsock_virtio_transport && modprobe vmw_vsock_virtio_transport && echo KT-VSOCK-RELOAD-$((1 + 1))'
wait_for g "KT-VSOCK-RELOAD-2" 30
round_trip 1

echo "7. guest reboot"
guest_send 'reboot -f'
wait_count g "KT-SHELL" 2 90
guest_send 'modprobe vmw_vsock_virtio_transport && echo KT-VSOCK-MOD-$((40 + 3))'
wait_for g "KT-VSOCK-MOD-43" 30
round_trip 2

echo "8. poweroff"
guest_send 'poweroff -f'
wait_exit 30
expect_rc 0
