# timeout: 90
# seccomp on (the default) with 2 vCPUs: kestrel has 3 threads (main + one
# per vCPU) and every one of them runs under a seccomp filter ("Seccomp: 2"
# in /proc/PID/task/TID/status). Where the kernel reports the count, the
# main thread carries 1 filter and each vCPU thread 2: the main thread's,
# inherited, plus its own. Then poweroff -f -> exit 0.
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
tab=$(printf '\t')
tasks=$(ls "/proc/$KT_PID/task")
n=$(echo $tasks | wc -w)
echo "threads of kestrel ($KT_PID): $tasks"
[ "$n" -eq 3 ] || fail "expected 3 threads (main + 2 vCPUs), found $n"
for t in $tasks; do
	st=/proc/$KT_PID/task/$t/status
	grep "^Seccomp" "$st" | sed "s/^/task $t: /"
	grep -q "^Seccomp:${tab}2\$" "$st" || fail "task $t: not filtered: $(grep '^Seccomp:' "$st")"
	if grep -q "^Seccomp_filters:" "$st"; then
		want=2
		[ "$t" = "$KT_PID" ] && want=1
		grep -q "^Seccomp_filters:${tab}$want\$" "$st" ||
			fail "task $t: expected $want filter(s): $(grep '^Seccomp_filters:' "$st")"
	fi
done
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
