#!/usr/bin/env bash
# ThreadSanitizer build of the unit tests that run threads (vCPU and device
# threads against the irqchips, the device worker threads, the UART reader),
# in its own build folder (gcc, -Db_sanitize=thread), and runs each once.
#
#   scripts/tsan.sh [BUILD_DIR]      default: build-tsan in the source tree
#
# Prints "PASS tsan/<test>" or "FAIL tsan/<test>: why" (followed by the first
# report, indented) per test; exit status 0 only when all pass.
#
# No suppressions: none are needed (libc and cmocka raise no false
# positives here). If one ever is, add a documented tests/tsan.supp and pass
# it with TSAN_OPTIONS=suppressions=..., for libc/cmocka reports only; a race
# in project code gets fixed. -Wno-tsan: gcc warns that TSan does not model
# atomic_thread_fence (devices/virtio_queue.c orders used->idx against the
# guest's event index with one; the data itself is published with
# acquire/release, which TSan does see).
set -uo pipefail

# The unit tests whose code under test starts threads (pthread_create in the
# test or in the component). Checked below against the sources.
TSAN_TESTS="gicv2_user irqchip uart_16550 virtio_blk virtio_net pl061 serial_out thread_kick user_lines work_gate log"

top=$(cd "$(dirname "$0")/.." && pwd)
bt=${1:-$top/build-tsan}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# A test of a component that starts threads and is not in the list fails.
missing=""
for f in "$top"/tests/unit/test_*.c "$top"/devices/*.c "$top"/irqchip/*.c "$top"/lib/*.c; do
	grep -q 'pthread_create' "$f" || continue
	name=$(basename "$f" .c)
	name=${name#test_}
	[ -f "$top/tests/unit/test_$name.c" ] || continue
	[[ " $TSAN_TESTS " == *" $name "* ]] || missing+=" $name"
done
if [ -n "$missing" ]; then
	echo "FAIL tsan/list: threaded tests not in TSAN_TESTS of scripts/tsan.sh:$missing"
fi

if [ ! -d "$bt" ]; then
	CC=gcc meson setup "$bt" "$top" -Db_sanitize=thread -Db_lundef=false \
		-Dc_args=-Wno-tsan >"$log" 2>&1 ||
		{ cat "$log"; echo "FAIL tsan/build: meson setup"; exit 1; }
fi
targets=()
for t in $TSAN_TESTS; do
	targets+=("tests/unit/test_$t")
done
if ! meson compile -C "$bt" "${targets[@]}" >"$log" 2>&1; then
	grep -E 'error|FAILED' "$log" | head -20
	echo "FAIL tsan/build"
	exit 1
fi

# gcc 12's TSan cannot map its shadow with the high mmap randomisation of
# newer kernels: run without address randomisation when setarch allows it.
norand=()
setarch "$(uname -m)" -R true 2>/dev/null && norand=(setarch "$(uname -m)" -R)
bad=${missing:+1}
for t in $TSAN_TESTS; do
	TSAN_OPTIONS="halt_on_error=0 second_deadlock_stack=1 history_size=4" \
		timeout 300 "${norand[@]}" "$bt/tests/unit/test_$t" >"$log" 2>&1
	rc=$?
	n=$(grep -c '^WARNING: ThreadSanitizer' "$log")
	if [ $rc -eq 0 ] && [ "$n" -eq 0 ]; then
		echo "PASS tsan/$t"
		continue
	fi
	bad=1
	if [ "$n" -gt 0 ]; then
		echo "FAIL tsan/$t: $n ThreadSanitizer report(s), the first:"
		sed -n '/^WARNING: ThreadSanitizer/,/^SUMMARY/p' "$log" | head -60 | sed 's/^/    /'
	else
		echo "FAIL tsan/$t: exit status $rc"
		grep -E 'FAILED|ERROR|FATAL' "$log" | head -10 | sed 's/^/    /'
	fi
done
[ -z "$bad" ]
