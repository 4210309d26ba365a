#!/usr/bin/env bash
# The one command that sets up and runs every test:
#   1. installs missing Debian packages (scripts/setup-deps.sh)
#   2. builds the portable components natively with ASan/UBSan and runs the
#      cmocka unit tests (meson test); bounded fuzzing of the parsers; the
#      unit tests that run threads again, built with ThreadSanitizer
#   3. host-side checks of the native kestrel binary, then the layering rules
#      of the sources (tests/layering.sh, with its self-test)
#   4. builds the static aarch64 kestrel and runs the integration scenarios in
#      the emulated arm64 host (GICv3 host, then GICv2 host), or directly on an
#      arm64 KVM host
#   5. checks that everything in tests/manifest.txt ran and passed, and that
#      nothing ran unlisted (scripts/check-manifest.sh; full runs only)
# and ends with "N passed, N failed". Exit status 0 only when nothing failed.
# KT_GICS="3 2" chooses the emulated hosts; KT_ONLY="a b" limits the scenarios.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
all=$(mktemp)	# every result line, for the manifest check at the end
pass=0
failn=0
tally() {	# tally LOGFILE: count "PASS "/"FAIL " lines
	local p f
	p=$(grep -c '^PASS ' "$1" || true)
	f=$(grep -c '^FAIL ' "$1" || true)
	pass=$((pass + p))
	failn=$((failn + f))
	grep -E '^(PASS|FAIL) ' "$1" >>"$all"
}

./scripts/setup-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

# 2. unit tests, natively, with sanitizers
bn=$top/build-native
if [ ! -d "$bn" ]; then
	meson setup "$bn" -Db_sanitize=address,undefined -Db_lundef=false >/dev/null ||
		{ echo "FAIL meson setup (native)"; echo "0 passed, 1 failed"; exit 1; }
fi
log=$(mktemp)
if meson compile -C "$bn" >"$log" 2>&1; then
	meson test -C "$bn" --print-errorlogs >"$log" 2>&1
	cat "$log" | grep -E '^ *[0-9]+/[0-9]+ ' | sed -E 's/^ *[0-9]+\/[0-9]+ +//' |
		awk '{ st = ($2 == "OK" || $2 == "EXPECTEDFAIL") ? "PASS" : "FAIL"; print st " unit/" $1 }' |
		tee "$log.res"
	grep -q FAIL "$log.res" && sed -n '/Summary of Failures/,$p; /stderr:/,/^―/p' "$log" | head -100
	tally "$log.res"
else
	cat "$log"
	echo "FAIL build (native)" | tee "$log.res"
	tally "$log.res"
fi

# 2b. libFuzzer targets of the guest-facing parsers, bounded (KT_FUZZ_SECONDS each)
if ./scripts/fuzz.sh "${KT_FUZZ_SECONDS:-30}" >"$log.fuzz" 2>&1; then
	sed -n 's/^fuzz: \(fuzz_[a-z0-9_]*\): ok.*/PASS fuzz\/\1/p' "$log.fuzz" | tee "$log.fz"
else
	cat "$log.fuzz"
	sed -n 's/^fuzz: \(fuzz_[a-z0-9_]*\): ok.*/PASS fuzz\/\1/p' "$log.fuzz" >"$log.fz"
	echo "FAIL fuzz: see above" | tee -a "$log.fz"
fi
tally "$log.fz"

# 2c. ThreadSanitizer build (build-tsan) of the unit tests that run threads
scripts/tsan.sh "$top/build-tsan" | tee "$log.tsan"
tally "$log.tsan"

# 3. host-side checks of the native binary
bash tests/integration/host-side.sh "$bn/kestrel" | tee "$log.host"
tally "$log.host"

# 3a. install checks (tests/install/*.sh): meson install, man pages, completion,
# systemd unit, Debian package; one PASS/FAIL install/<name> line each
for t in tests/install/check-*.sh; do
	n=$(basename "$t" .sh)
	n=${n#check-}
	if bash "$t" "$bn" >"$log.inst" 2>&1; then
		echo "PASS install/$n $(tail -n1 "$log.inst")"
	else
		sed 's/^/  /' "$log.inst" | tail -n 40
		echo "FAIL install/$n"
	fi
done | tee "$log.install"
tally "$log.install"

# 3b. layering rules of the sources (docs/design.md), and the checker's own self-test
{ bash tests/layering.sh --self-test; bash tests/layering.sh; scripts/check-manifest.sh --self-test; } |
	tee "$log.layer"
tally "$log.layer"

# 4. integration scenarios against arm64 KVM
if [ "$(uname -m)" = aarch64 ]; then gics=host; else gics=${KT_GICS:-3 2}; fi
if kestrel=$(./scripts/build-arm64.sh "$top/build-arm64" 2>"$log.cross" | tail -n1) &&
	[ -x "$kestrel" ]; then
	for g in $gics; do
		args=(--kestrel "$kestrel")
		[ "$g" != host ] && args+=(--gic "$g")
		[ -n "${KT_ONLY:-}" ] && args+=(--only "$KT_ONLY")
		# the Debian package's tree (tests/install/check-deb.sh) for unit-stop
		[ -x "$top/build-deb/root/usr/bin/kestrel" ] && args+=(--install-root "$top/build-deb/root")
		./scripts/testbed.sh "${args[@]}" | tee "$log.tb"
		tally "$log.tb"
		# a host that did not come up counts as a failure even with no lines
		grep -q '^testbed ' "$log.tb" || { echo "FAIL testbed gic$g: no result"; failn=$((failn + 1)); }
	done
else
	cat "$log.cross"
	echo "FAIL build (aarch64 cross)"
	failn=$((failn + 1))
fi

# 5. everything in the manifest ran and passed, and nothing ran unlisted
# (a full run only: KT_ONLY or another KT_GICS runs a subset on purpose)
if [ -z "${KT_ONLY:-}" ] && { [ "$gics" = host ] || [ "$gics" = "3 2" ]; }; then
	mode=emulated
	[ "$gics" = host ] && mode=host
	scripts/check-manifest.sh tests/manifest.txt "$all" "$mode" | tee "$log.manifest"
	tally "$log.manifest"
else
	echo "manifest: not checked (a partial run: KT_ONLY='${KT_ONLY:-}' KT_GICS='$gics')"
fi
rm -f "$log" "$log".* "$all"
echo
echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
