# timeout: 60
# Bad user input: one clear line each, status 2, no crash.
bad() {	# bad PATTERN ARGS...
	local pat=$1
	shift
	"$KT_KESTREL" "$@" </dev/null >"$KT_SCENARIO_DIR/bad.out" 2>&1
	rc=$?
	echo "[$*] -> $rc: $(cat "$KT_SCENARIO_DIR/bad.out")"
	[ $rc -eq 2 ] || fail "[$*]: status $rc, expected 2"
	[ "$(wc -l <"$KT_SCENARIO_DIR/bad.out")" -eq 1 ] || fail "[$*]: not one line"
	grep -q "$pat" "$KT_SCENARIO_DIR/bad.out" || fail "[$*]: message lacks '$pat'"
}
bad "/nonexistent" --kernel /nonexistent
bad "not an arm64 Image" --kernel "$KT_DIR/lib.sh"
bad "initrd" --kernel "$KT_KERNEL" --initrd /nonexistent-initrd
bad "^kestrel: --memory" --kernel "$KT_KERNEL" --memory 64G
bad "^kestrel: --memory" --kernel "$KT_KERNEL" --memory 300T
bad "^kestrel: --cpus" --kernel "$KT_KERNEL" --cpus 0
bad "^kestrel: --cpus" --kernel "$KT_KERNEL" --cpus 4096
bad "unknown option '--frobnicate'" --kernel "$KT_KERNEL" --frobnicate
bad "does not fit\|do not fit" --kernel "$KT_KERNEL" --initrd "$KT_KERNEL" --memory 64M
