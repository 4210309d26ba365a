#!/usr/bin/env bash
# Host-side checks of a kestrel binary built for this (x86_64) machine:
# each prints "PASS name" or "FAIL name: why".
set -u
k=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

ok() { echo "PASS host/$1"; }
ko() { echo "FAIL host/$1: $2"; }

# check: on a host whose /dev/kvm is missing or not arm64, one line and status != 0
"$k" check >"$t/out" 2>"$t/err"
rc=$?
lines=$(cat "$t/out" "$t/err" | wc -l)
if [ "$(uname -m)" != aarch64 ] && [ $rc -ne 0 ] && [ "$lines" -eq 1 ] &&
	grep -Eq '^kestrel: /dev/kvm' "$t/err"; then
	ok check-non-arm64
elif [ "$(uname -m)" = aarch64 ]; then
	ok check-non-arm64
else
	ko check-non-arm64 "rc=$rc lines=$lines: $(head -c 300 "$t/out" "$t/err")"
fi

"$k" --help >"$t/out" 2>&1 && grep -q -- '--kernel PATH' "$t/out" &&
	grep -q 'exit status: 0 guest powered off' "$t/out" && ok help || ko help "$(head -3 "$t/out")"
"$k" --version >"$t/out" 2>&1 && grep -Eq '^kestrel [0-9]+\.[0-9]+' "$t/out" && ok version ||
	ko version "$(cat "$t/out")"
# the build's features: this native build has no KVM glue and is not static
if [ "$(uname -m)" != aarch64 ]; then want='-kvm -seccomp'; else want='+kvm +seccomp'; fi
grep -qx "features: $want +api -static -test-hooks" "$t/out" && grep -qx 'io engines: sync' "$t/out" &&
	ok version-features || ko version-features "$(cat "$t/out")"

# bad usage: one line, status 2
for args in "--bogus" "--kernel" "--kernel /k --cpus 0" "--kernel /k --memory lots" \
	"--kernel /k --irqchip gic9" "check --cpus 2"; do
	"$k" $args >"$t/out" 2>&1
	rc=$?
	name="usage[${args}]"
	if [ $rc -eq 2 ] && [ "$(wc -l <"$t/out")" -eq 1 ] && grep -q '^kestrel: ' "$t/out"; then
		ok "$name"
	else
		ko "$name" "rc=$rc: $(head -c 200 "$t/out")"
	fi
done

# portable components never include the KVM UAPI headers: every C file but
# those listed in a glue_src block of the meson.build files (the KVM glue)
glue=$(cd "$top" && for m in lib vmm devices irqchip arch/arm64; do
	awk -v d="$m" '/glue_src \+= files\(/ { g = 1; next } g && /\)/ { g = 0 }
		g { gsub(/[\t ,\x27]/, ""); if ($0 != "") print d "/" $0 }' "$m/meson.build"
done)
bad=$(cd "$top" && for f in lib/*.[ch] devices/*.[ch] irqchip/*.[ch] arch/arm64/*.[ch] vmm/*.[ch]; do
	echo "$glue" | grep -qx "$f" && continue
	grep -lE '#include <(linux/kvm|asm/kvm)\.h>' "$f"
done)
if [ -n "$bad" ]; then
	ko portable-no-kvm-headers "portable files include KVM headers: $bad"
elif ! echo "$glue" | grep -qx vmm/vm.c; then
	ko portable-no-kvm-headers "could not read the glue list from meson.build"
else
	ok portable-no-kvm-headers
fi

# --print-config: no /dev/kvm needed; its output fed back through --config prints the same
if "$k" --print-config --kernel /k/Image --cpus 2 --memory 512M --disk path=/d/root.img,id=root \
	--net tap=tap0,mac=52:54:00:12:34:56 --vsock cid=7 --rng --seccomp log >"$t/a.json" 2>"$t/err" &&
	"$k" --config "$t/a.json" --print-config >"$t/b.json" 2>>"$t/err" && cmp -s "$t/a.json" "$t/b.json" &&
	grep -q '"cid": 7' "$t/b.json"; then
	ok print-config-round-trip
else
	ko print-config-round-trip "$(head -c 300 "$t/err")"
fi

# the shell scripts the test bed runs parse (busybox sh in the guest and the
# emulated host; a syntax error there shows only as a panicking guest)
bad=""
for f in "$top"/tests/integration/*.sh "$top"/tests/integration/scenarios/*.sh \
	"$top"/bench/*.sh "$top"/bench/scenarios/*.sh; do
	sh -n "$f" 2>/dev/null || bad="$bad ${f#"$top"/}"
done
[ -z "$bad" ] && ok scripts-parse || ko scripts-parse "syntax errors in:$bad"

# the example configs, placeholders filled in, are accepted
for f in "$top"/configs/*.json; do
	case $f in *kestrel.schema.json) continue ;; esac
	name="config[$(basename "$f")]"
	sed -e 's|@KERNEL@|/k/Image|; s|@INITRD@|/k/initrd|; s|@DISK@|/k/root.img|; s|@TAP@|tap0|' \
		"$f" >"$t/c.json"
	if "$k" --config "$t/c.json" --print-config >"$t/out" 2>&1; then
		ok "$name"
	else
		ko "$name" "$(head -c 200 "$t/out")"
	fi
done

# bad config files: one line "kestrel: FILE: PATH: message" (or FILE:LINE:COLUMN:), status 2
bad_config() {	# bad_config NAME PATTERN DOCUMENT
	printf '%s' "$3" >"$t/bad.json"
	"$k" --config "$t/bad.json" >"$t/out" 2>&1
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$t/out")" -eq 1 ] &&
		grep -q "^kestrel: $t/bad.json$2" "$t/out"; then
		ok "bad-config[$1]"
	else
		ko "bad-config[$1]" "rc=$rc: $(head -c 200 "$t/out")"
	fi
}
bad_config range ': machine.cpus: 0 is out of range (1-4096)$' \
	'{"kernel":{"path":"/k"},"machine":{"cpus":0}}'
bad_config unknown-key ': disks\[1\].raedonly: unknown key$' \
	'{"kernel":{"path":"/k"},"disks":[{"path":"/a"},{"path":"/b","raedonly":true}]}'
bad_config syntax ':2:[0-9]*: syntax error: ' $'{"kernel":{"path":"/k"}\n'
bad_config missing-kernel ': kernel.path: missing' '{"machine":{"cpus":2}}'
bad_config empty ': empty file' ''
