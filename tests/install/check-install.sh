#!/usr/bin/env bash
# `meson install` of a native build into a scratch DESTDIR installs exactly the
# expected files: the binary, the man pages, the bash completion, the systemd
# unit, the example configs and the schema; nothing from tests/ or fuzz.
#   tests/install/check-install.sh BUILD_DIR
set -euo pipefail
b=$(cd "${1:?usage: check-install.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
prefix=$(meson introspect "$b" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
meson install -C "$b" --destdir "$d" --quiet >"$d.log" 2>&1 ||
	{ cat "$d.log"; rm -f "$d.log"; echo "meson install failed"; exit 1; }
rm -f "$d.log"
(cd "$d" && find . -type f -o -type l | sed 's|^\.||' | sort) >"$d/.got"
{
	echo "$prefix/bin/kestrel"
	echo "$prefix/lib/systemd/system/kestrel@.service"
	echo "$prefix/share/bash-completion/completions/kestrel"
	echo "$prefix/share/man/man1/kestrel.1"
	echo "$prefix/share/man/man5/kestrel.json.5"
	for f in "$top"/configs/*.json "$top"/configs/README.md; do
		echo "$prefix/share/kestrel/$(basename "$f")"
	done
} | sort >"$d/.want"
grep -v '^/\.\(got\|want\)$' "$d/.got" >"$d/.got2" || true
if ! diff -u "$d/.want" "$d/.got2"; then
	echo "installed files differ from the expected set (- expected, + installed)"
	exit 1
fi
# the unit runs the installed binary
grep -qx "ExecStart=$prefix/bin/kestrel --config /etc/kestrel/%i.json .*" \
	"$d$prefix/lib/systemd/system/kestrel@.service" || { echo "unit ExecStart wrong"; exit 1; }
[ -x "$d$prefix/bin/kestrel" ] || { echo "kestrel not executable"; exit 1; }
"$d$prefix/bin/kestrel" --version | grep -q '^kestrel ' || { echo "installed kestrel --version"; exit 1; }
echo "installed $(wc -l <"$d/.got2") files under $prefix"
