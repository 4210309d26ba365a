# timeout: 150
# Reset in place leaves nothing behind: after the guest's reboot -f the VM is
# rebuilt, and kestrel has the same number of threads (main + one per vCPU)
# and open file descriptors as during the first boot; poweroff then exits 0.
# irqchips: auto user
kestrel_bg g --kernel "$KT_KERNEL" --initrd "$KT_INITRD" --cpus 2 --irqchip "$KT_IRQCHIP" \
	--cmdline "console=ttyS0 quiet panic=-1 kt=shell"
wait_for g "KT-SHELL" 90
fds1=$(ls /proc/$KT_PID/fd | wc -l)
thr1=$(ls /proc/$KT_PID/task | wc -l)
echo "first boot: $fds1 fds, $thr1 threads"
[ "$thr1" -eq 3 ] || fail "expected 3 threads, found $thr1"
guest_send 'reboot -f'
wait_count g KT-SHELL 2 90
fds2=$(ls /proc/$KT_PID/fd | wc -l)
thr2=$(ls /proc/$KT_PID/task | wc -l)
echo "second boot: $fds2 fds, $thr2 threads"
[ "$fds2" -eq "$fds1" ] || { ls -l /proc/$KT_PID/fd; fail "fds: $fds1 -> $fds2"; }
[ "$thr2" -eq "$thr1" ] || fail "threads: $thr1 -> $thr2"
guest_send 'poweroff -f'
wait_exit 20
expect_rc 0
