#!/usr/bin/env bash
# Checks a test run against the manifest of what must run (tests/manifest.txt),
# so that a test or scenario that silently did not run fails CI.
#
#   scripts/check-manifest.sh MANIFEST RESULTS [emulated|host]
#   scripts/check-manifest.sh --self-test
#
# RESULTS holds the run's "PASS name ..." / "FAIL name: ..." lines (what
# scripts/test-all.sh prints). Every name in MANIFEST must have a PASS line,
# and every name with a result line must be in MANIFEST (a new test is listed
# when it is added). Mode "host" (a real arm64 KVM host, where the scenarios
# run once, as gic3/...) expects the gic3/ scenario entries only and skips the
# gic2/ ones. Prints "PASS manifest/listed", "PASS manifest/unlisted" or
# "FAIL manifest/...: names"; exit status 0 when both pass.
set -uo pipefail
if [ "${1:-}" = --self-test ]; then
	# one planted fault per rule: each must be caught, and a clean run passes
	d=$(mktemp -d)
	trap 'rm -rf "$d"' EXIT
	printf '# c\nunit/a\n\ngic3/s[user]\ngic2/s[user]  # trailing\n' >"$d/m"
	printf 'PASS unit/a\nPASS gic3/s[user] (1s) x\nPASS gic2/s[user] (2s)\n' >"$d/ok"
	self() {	# self NAME EXPECTED-STATUS RESULTS [MODE]
		local out rc
		out=$("$0" "$d/m" "$3" ${4:-} 2>&1)
		rc=$?
		if [ "$rc" = "$2" ]; then echo "PASS manifest/self-test/$1"; else
			echo "FAIL manifest/self-test/$1: status $rc: $out"; fi
	}
	self clean 0 "$d/ok"
	grep -v gic2 "$d/ok" >"$d/missing"
	self missing 1 "$d/missing"
	sed 's/^PASS unit/FAIL unit/' "$d/ok" >"$d/failed"
	self failed 1 "$d/failed"
	{ cat "$d/ok"; echo "FAIL unit/b: why"; } >"$d/unlisted"
	self unlisted 1 "$d/unlisted"
	self host 0 "$d/missing" host
	exit 0
fi
manifest=$1
results=$2
mode=${3:-emulated}
want=$(mktemp)
got=$(mktemp)
trap 'rm -f "$want" "$got"' EXIT

sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$manifest" | sort -u >"$want"
[ "$mode" = host ] && sed -i '/^gic2\//d' "$want"
# result lines: PASS/FAIL, then the name (a FAIL name may carry a ':')
awk '$1 == "PASS" || $1 == "FAIL" { n = $2; sub(/:$/, "", n); print $1, n }' "$results" |
	grep -v ' manifest/' >"$got.all"
awk '$1 == "PASS" { print $2 }' "$got.all" | sort -u >"$got"

bad=0
missing=$(comm -23 "$want" "$got" | tr '\n' ' ')
if [ -n "$missing" ]; then
	echo "FAIL manifest/listed: listed but did not pass: $missing"
	bad=1
else
	echo "PASS manifest/listed ($(wc -l <"$want") names)"
fi
unlisted=$(awk '{ print $2 }' "$got.all" | sort -u | comm -13 "$want" - | tr '\n' ' ')
if [ -n "$unlisted" ]; then
	echo "FAIL manifest/unlisted: ran but not in $manifest: $unlisted"
	bad=1
else
	echo "PASS manifest/unlisted"
fi
rm -f "$got.all"
[ "$bad" -eq 0 ]
