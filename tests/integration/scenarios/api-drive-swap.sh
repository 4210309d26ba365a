# timeout: 200
# PATCH /drives/{id} at run time swaps a disk's backing file under a running
# guest (Firecracker's semantics, as container runtimes use them): the guest
# reads disk A's marker and size; paths that are not a regular file or a
# block device (a directory, a FIFO, a socket) and a missing file get 400
# naming the path, and the guest still reads A; then PATCH to disk B (other
# marker, twice the size): the guest sees B's size (config change interrupt)
# and B's marker (page cache dropped), and kestrel's seccomp filter allowed
# the open (seccomp on).
d=$KT_SCENARIO_DIR
KT_API=$d/api.sock
o=$d/g.out

# mkimg FILE MARKER KiB: a zeroed image of KiB KiB starting with MARKER
mkimg() {
	dd if=/dev/zero of="$1" bs=1024 count="$3" 2>/dev/null
	printf '%s' "$2" | dd of="$1" conv=notrunc 2>/dev/null
}

# check N: the guest prints "KT-DRV<N> size=<sectors> marker=<16 bytes>"; sets $line
check() {
	guest_send "echo 3 >/proc/sys/vm/drop_caches; echo KT-DRV\$(($1)) size=\$(cat /sys/block/vda/size) marker=\$(dd if=/dev/vda bs=16 count=1 2>/dev/null)"
	wait_for g "^KT-DRV$1 " 30
	line=$(tr -d '\r' <"$o" | grep "^KT-DRV$1 " | tail -n1)
	echo "guest: $line"
}

mkimg "$d/a.img" KT-DISK-A-MARKER 1024
mkimg "$d/b.img" KT-DISK-B-MARKER 2048
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --disk "path=$d/a.img,id=swap" \
	--api-socket "$KT_API" --cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_socket "$KT_API" 30
wait_for g "KT-SHELL" 90
check 1
[ "$line" = "KT-DRV1 size=2048 marker=KT-DISK-A-MARKER" ] || fail "guest does not see disk A: $line"

# refused: 400 naming the path, and disk A stays
mkfifo "$d/fifo"
for bad in "$d" "$d/fifo" "$KT_API" "$d/missing.img"; do
	expect_api 400 PATCH /drives/swap "{\"drive_id\": \"swap\", \"path_on_host\": \"$bad\"}"
	body_has "$bad"
done
expect_api 400 PATCH /drives/nope "{\"drive_id\": \"nope\", \"path_on_host\": \"$d/b.img\"}"
body_has 'no drive'
check 2
[ "$line" = "KT-DRV2 size=2048 marker=KT-DISK-A-MARKER" ] || fail "disk A gone after refused PATCHes: $line"
kill -0 "$KT_PID" || fail "kestrel died"

# the swap
expect_api 204 PATCH /drives/swap "{\"drive_id\": \"swap\", \"path_on_host\": \"$d/b.img\"}"
t_patch=$(cat "$d/api.time")
expect_api 200 GET /vm/config
body_has "b.img"
# the guest takes the new capacity from a work item after the interrupt: poll
n=3
while :; do
	check $n
	case "$line" in *size=4096*) break ;; esac
	[ $n -ge 20 ] && fail "the guest never saw the new size: $line"
	n=$((n + 1))
done
[ "$line" = "KT-DRV$n size=4096 marker=KT-DISK-B-MARKER" ] || fail "guest does not read disk B: $line"
grep -q "forbidden syscall" "$o" && fail "seccomp violation"
guest_send 'poweroff -f'
wait_exit 30
expect_rc 0
# disk A was not written through the swap
[ "$(head -c 16 "$d/a.img")" = KT-DISK-A-MARKER ] || fail "disk A changed"
echo "NOTE: PATCH /drives $(ms "$t_patch") ms (curl time_total)"
