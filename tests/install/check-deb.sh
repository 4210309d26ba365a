#!/usr/bin/env bash
# The Debian package: built by scripts/build-deb.sh (a cross build from
# x86_64, native on arm64) into build-deb/, listed with dpkg-deb -c and
# extracted into build-deb/root (the test bed can boot from that tree:
# scripts/testbed.sh --install-root); the binary, man pages, completion, unit
# and configs are where the package says, and lintian reports no error or
# warning (overrides: debian/kestrel.lintian-overrides, each with its reason).
#   tests/install/check-deb.sh [BUILD_DIR]   (BUILD_DIR unused: the package
#   is built from the sources into build-deb/)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bd=$top/build-deb
root=$bd/root
rm -rf "$root"	# no stale tree for the test bed when this build fails
t0=$(date +%s)
deb=$("$top/scripts/build-deb.sh" "$bd" | tail -n1)
t1=$(date +%s)
[ -f "$deb" ] || { echo "no .deb built"; exit 1; }
mkdir -p "$root"
dpkg-deb -x "$deb" "$root"
bad=0
# dpkg-deb -c and the extracted tree agree
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||' | grep -v '^$' | sort >"$bd/listed"
(cd "$root" && find . -mindepth 1 | sed 's|^\./|/|' | sort) >"$bd/extracted"
diff -u "$bd/listed" "$bd/extracted" || { echo "dpkg-deb -c differs from the extracted tree"; bad=1; }
# the files the package promises, and nothing unexpected beside them
find "$root" -type f | sed "s|^$root||" | sort >"$bd/files"
{
	echo /lib/systemd/system/kestrel@.service
	echo /usr/bin/kestrel
	echo /usr/share/bash-completion/completions/kestrel
	echo /usr/share/doc/kestrel/changelog.gz
	echo /usr/share/doc/kestrel/copyright
	echo /usr/share/lintian/overrides/kestrel
	echo /usr/share/man/man1/kestrel.1.gz
	echo /usr/share/man/man5/kestrel.json.5.gz
	for f in "$top"/configs/*.json "$top"/configs/README.md; do
		echo "/usr/share/kestrel/$(basename "$f")"
	done
} | sort >"$bd/want"
diff -u "$bd/want" "$bd/files" || { echo "package files differ (- expected, + packaged)"; bad=1; }
file -b "$root/usr/bin/kestrel" | grep -q 'ARM aarch64' || { echo "usr/bin/kestrel is not an aarch64 binary"; bad=1; }
[ -x "$root/usr/bin/kestrel" ] || { echo "usr/bin/kestrel not executable"; bad=1; }
grep -qx 'ExecStart=/usr/bin/kestrel --config /etc/kestrel/%i.json .*' "$root/lib/systemd/system/kestrel@.service" ||
	{ echo "the unit does not run /usr/bin/kestrel"; bad=1; }
for m in man1/kestrel.1.gz man5/kestrel.json.5.gz; do
	w=$(zcat "$root/usr/share/man/$m" | MANWIDTH=80 man --warnings -l - 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$m: $w"; bad=1; }
done
cmp -s "$top/dist/bash-completion/kestrel" "$root/usr/share/bash-completion/completions/kestrel" ||
	{ echo "packaged completion differs from dist/"; bad=1; }
dep=$(dpkg-deb -f "$deb" Depends)
case $dep in *libfdt1*) ;; *) echo "Depends lacks libfdt1: $dep"; bad=1 ;; esac
# lintian: errors and warnings fail; infos are shown
lintian "${deb%.deb}.changes" >"$bd/lintian" 2>&1 || true
sed -i '/running with root privileges/d' "$bd/lintian"
if grep -Eq '^[EW]: ' "$bd/lintian"; then
	echo "lintian:"; cat "$bd/lintian"; bad=1
fi
t2=$(date +%s)
[ $bad -eq 0 ] && echo "$(basename "$deb"): $(wc -l <"$bd/files") files, lintian clean, build $((t1 - t0)) s, lintian $((t2 - t1)) s"
exit $bad
