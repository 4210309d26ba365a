# timeout: 60
# Device options that cannot work: one clear line each, status 2, nothing left.
bad() {
	local pat=$1
	shift
	"$KT_KESTREL" --kernel "$KT_KERNEL" --initrd "$KT_INITRD" "$@" </dev/null >"$KT_SCENARIO_DIR/bad.out" 2>&1
	rc=$?
	echo "[$*] -> $rc: $(cat "$KT_SCENARIO_DIR/bad.out")"
	[ $rc -eq 2 ] || fail "[$*]: status $rc, expected 2"
	[ "$(wc -l <"$KT_SCENARIO_DIR/bad.out")" -eq 1 ] || fail "[$*]: not one line"
	grep -q -- "$pat" "$KT_SCENARIO_DIR/bad.out" || fail "[$*]: message lacks '$pat'"
}
bad "--disk path=/nonexistent.img" --disk path=/nonexistent.img
bad "duplicate\|also\|same" --disk "path=$KT_ROOTFS,id=a" --disk "path=$KT_INITRD,id=a"
bad "waytoolongtapname0" --net tap=waytoolongtapname0
