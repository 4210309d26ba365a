# timeout: 150
# The installed kestrel@.service, run as systemd would: its own ExecStart line
# (from the installed unit, %i = vm1, %t = the runtime dir) with the installed
# kestrel and an installed example config (share/kestrel/minimal.json with its
# placeholders filled in and a command line for the guest's power-button
# hook). The stop is SIGTERM to the main process (KillSignal=SIGTERM,
# KillMode=mixed): the guest's hook runs, it powers off, and kestrel exits
# with a status the unit counts as success (0, or one in SuccessExitStatus=).
d=$KT_SCENARIO_DIR
root=$KT_DIR/install
[ -d "$root" ] || fail "no installed tree in $root (scripts/testbed.sh --install-root)"
unit=$(find "$root" -name 'kestrel@.service' | head -n1)
[ -n "$unit" ] || fail "kestrel@.service is not installed"
example=$(find "$root" -path '*/share/kestrel/minimal.json' | head -n1)
[ -n "$example" ] || fail "share/kestrel/minimal.json is not installed"
line=$(sed -n 's/^ExecStart=//p' "$unit")
echo "ExecStart=$line"
# word splitting below is what systemd does only without quotes or escapes
case $line in *\"* | *\'* | *\\*) fail "ExecStart has quoting this test cannot split" ;; esac
exe=${line%% *}
[ -x "$root$exe" ] || fail "ExecStart's $exe is not installed"
"$root$exe" --version | tee "$d/version"
grep -q '^features: +kvm +seccomp +api ' "$d/version" || fail "installed kestrel lacks kvm/seccomp"

# the unit's paths, moved under the scenario's folder: /etc/kestrel -> $d/etc,
# %t (/run) -> $d/run; systemd creates RuntimeDirectory=kestrel/%i
mkdir -p "$d/etc/kestrel" "$d/run/kestrel/vm1"
sed -e "s|@KERNEL@|$KT_KERNEL|" \
	-e "s|\"@INITRD@\"|\"$KT_INITRD\", \"cmdline\": \"console=ttyS0 quiet panic=-1 kt=button\"|" \
	"$example" >"$d/etc/kestrel/vm1.json"
cat "$d/etc/kestrel/vm1.json"
cmd=$(echo "$line" | sed -e "s|^$exe |$root$exe |" -e "s|/etc/kestrel/|$d/etc/kestrel/|g" \
	-e "s|%t|$d/run|g" -e "s|%i|vm1|g")
case $cmd in *%*) fail "unexpanded specifier in: $cmd" ;; esac
echo "running: $cmd"
# systemd's stdin is /dev/null, its stdout and stderr the journal
$cmd </dev/null >"$d/g.out" 2>&1 &
KT_PID=$!
wait_for g "KT-BUTTON-READY" 90
# the API socket the unit asks for is there and answers
KT_API=$d/run/kestrel/vm1/api.sock
wait_socket "$KT_API" 10
expect_api 200 GET /
body_has '"state": *"Running"'
# systemctl stop: SIGTERM to the main process only
kill -TERM "$KT_PID"
wait_for g "KT-POWER-BUTTON" 30
wait_for g "KT-HOOK-REMOUNTED" 30
wait_exit 45
ok=$(sed -n 's/^SuccessExitStatus=//p' "$unit")
case " 0 $ok " in *" $KT_RC "*) ;; *) fail "exit status $KT_RC is not a success for the unit (0 $ok)" ;; esac
expect_rc 0
grep -q "asking the guest to power off" "$d/g.out" || fail "no power-button log line"
echo "NOTE: installed $exe: SIGTERM -> guest hook -> exit $KT_RC (unit success: 0 $ok)"
