#!/usr/bin/env bash
# Build the libFuzzer targets tests/fuzz/fuzz_*.c with clang
# (-fsanitize=fuzzer,address,undefined; outside meson, see tests/fuzz/README.md)
# and run each for SECONDS.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     e.g. scripts/fuzz.sh 60 fuzz_virtio_blk
#
# Each target names the portable sources it links in "fuzz-sources:" lines of
# its header comment. Corpora live in $FUZZ_DIR/corpus/<target> (default
# build-fuzz/, kept between runs) and start from tests/fuzz/regress/<target>/.
# A crash, leak or sanitizer report is saved in tests/fuzz/regress/<target>/
# (keep it: the unit tests replay that folder on every run). Needs clang with
# the libFuzzer runtime (Debian package: clang). Exit status 0 only when no
# target found anything; the last line is "fuzz: N target(s), M finding(s)".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-}
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
	exit 2
fi
shift
cc=${CLANG:-clang}
if ! command -v "$cc" >/dev/null; then
	echo "fuzz: $cc not found (Debian: apt-get install clang)" >&2
	exit 2
fi
out=${FUZZ_DIR:-$top/build-fuzz}
mkdir -p "$out"

if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in "$top"/tests/fuzz/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi

cflags=(-std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-Wall -Wextra -Werror -Wno-unused-parameter -I"$top")
findings=0
for t in "${targets[@]}"; do
	src=$top/tests/fuzz/$t.c
	if [ ! -f "$src" ]; then
		echo "fuzz: no such target: $t" >&2
		findings=$((findings + 1))
		continue
	fi
	deps=$(sed -n 's/^ \* fuzz-sources: //p' "$src")
	if ! (cd "$top" && "$cc" "${cflags[@]}" "$src" $deps -o "$out/$t" -lpthread) \
		>"$out/$t.build.log" 2>&1; then
		cat "$out/$t.build.log" >&2
		echo "fuzz: $t: build failed" >&2
		findings=$((findings + 1))
		continue
	fi
	regress=$top/tests/fuzz/regress/$t
	corpus=$out/corpus/$t
	mkdir -p "$regress" "$corpus"
	before=$(find "$regress" -type f | wc -l)
	# The first crash stops the run; its input lands in the regress folder.
	seeds=$top/tests/fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=
	"$out/$t" "$corpus" "$regress" ${seeds:+"$seeds"} -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$regress/" -print_final_stats=1 \
		>"$out/$t.log" 2>&1
	rc=$?
	after=$(find "$regress" -type f | wc -l)
	new=$((after - before))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$out/$t.log" | tail -n1)
	if [ $rc -ne 0 ] || [ $new -gt 0 ]; then
		findings=$((findings + (new > 0 ? new : 1)))
		echo "fuzz: $t: FOUND $new new input(s) (exit $rc), see $out/$t.log and $regress/"
		grep -m5 -E 'ERROR|SUMMARY|runtime error' "$out/$t.log" | sed 's/^/    /'
	else
		echo "fuzz: $t: ok, ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}," \
			"corpus $(ls "$corpus" | wc -l)"
	fi
	rmdir "$regress" "$top/tests/fuzz/regress" 2>/dev/null
done
echo "fuzz: ${#targets[@]} target(s), $findings finding(s)"
[ "$findings" -eq 0 ]
