#!/usr/bin/env bash
# kestrel@.service, as `meson install` writes it, passes `systemd-analyze
# verify` (against the DESTDIR-installed binary and man pages) and keeps the
# properties docs/install.md promises: graceful stop by SIGTERM to kestrel
# alone, a stop timeout above the shutdown timeout, exit status 4 counted as
# success, restart on failure, the VMM's device allow list and sandboxing.
#   tests/install/check-unit.sh BUILD_DIR
set -euo pipefail
b=$(cd "${1:?usage: check-unit.sh BUILD_DIR}" && pwd)
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing (package systemd)"; exit 1; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
meson install -C "$b" --destdir "$d/root" --quiet >"$d/log" 2>&1 ||
	{ cat "$d/log"; echo "meson install failed"; exit 1; }
unit=$(find "$d/root" -name 'kestrel@.service')
[ -n "$unit" ] || { echo "kestrel@.service not installed"; exit 1; }
exe=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$unit")
[ -x "$d/root$exe" ] || { echo "ExecStart binary $exe is not installed"; exit 1; }
man=$(find "$d/root" -type d -name man | head -n1)
# an instance, with ExecStart pointing into DESTDIR
mkdir -p "$d/u"
sed "s|^ExecStart=$exe |ExecStart=$d/root$exe |" "$unit" >"$d/u/kestrel@vm1.service"
if ! MANPATH=$man systemd-analyze verify "$d/u/kestrel@vm1.service" >"$d/verify" 2>&1; then
	echo "systemd-analyze verify:"; cat "$d/verify"; exit 1
fi
[ -s "$d/verify" ] && { echo "systemd-analyze verify warns:"; cat "$d/verify"; exit 1; }

bad=0
has() {	# has LINE: the unit holds this exact line
	grep -qxF "$1" "$unit" || { echo "unit lacks '$1'"; bad=1; }
}
grep -qx "ExecStart=$exe --config /etc/kestrel/%i.json --api-socket %t/kestrel/%i/api.sock" "$unit" ||
	{ echo "unexpected ExecStart: $(grep ^ExecStart= "$unit")"; bad=1; }
for l in KillSignal=SIGTERM KillMode=mixed SuccessExitStatus=4 Restart=on-failure RestartPreventExitStatus=2 \
	RuntimeDirectory=kestrel/%i DevicePolicy=closed "DeviceAllow=/dev/kvm rw" \
	"DeviceAllow=/dev/net/tun rw" "DeviceAllow=/dev/vhost-vsock rw" NoNewPrivileges=yes \
	ProtectSystem=strict ProtectHome=yes PrivateTmp=yes CapabilityBoundingSet=CAP_NET_ADMIN \
	RestrictAddressFamilies=AF_UNIX; do
	has "$l"
done
# the stop timeout outlasts kestrel's default shutdown timeout (30 s) with margin
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")
[ "${stop:-0}" -ge 45 ] || { echo "TimeoutStopSec=${stop:-unset}: not above the 30 s shutdown timeout"; bad=1; }
# overall exposure as systemd rates it (lower is better), kept at its level today
score=$(systemd-analyze security --offline=yes "$d/u/kestrel@vm1.service" 2>/dev/null |
	sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
awk -v s="${score:-99}" 'BEGIN { exit !(s <= 4.0) }' ||
	{ echo "systemd-analyze security exposure ${score:-?} above 4.0"; bad=1; }
[ $bad -eq 0 ] && echo "verify ok, exposure $score"
exit $bad
