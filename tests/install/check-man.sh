#!/usr/bin/env bash
# The man pages render without warnings, kestrel(1) lists exactly the flags of
# the CLI parser (vmm/cli.c's option table) and kestrel.json(5) exactly the
# fields of the JSON Schema (configs/kestrel.schema.json).
#   tests/install/check-man.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
bad=0
for p in kestrel.1 kestrel.json.5; do
	scdoc <"$top/man/$p.scd" >"$d/$p"
	w=$(MANWIDTH=80 man --warnings -l "$d/$p" 2>&1 >/dev/null)
	[ -z "$w" ] || { echo "$p: man warnings: $w"; bad=1; }
	[ "$(MANWIDTH=80 man -l "$d/$p" 2>/dev/null | wc -l)" -gt 40 ] || { echo "$p: renders short"; bad=1; }
done

# flags: the option table, without the test-only ones (#ifdef KESTREL_TEST_HOOKS)
awk '/^#ifdef KESTREL_TEST_HOOKS/ { skip = 1 } /^#endif/ { skip = 0 }
	/static const struct opt opts\[\]/ { t = 1 } t && /^};/ { t = 0 }
	t && !skip' "$top/vmm/cli.c" | grep -o '{ "-[-a-z]*"' | sed 's/{ "//; s/"//' | sort -u >"$d/cli"
# "check" is a command, not a flag; everything else in the table must be in the page
sed -n '/^# OPTIONS/,/^# [A-Z]/p' "$top/man/kestrel.1.scd" | grep '^\*-' |
	grep -o '\*-[-a-z]*\*' | tr -d '*' | sort -u >"$d/man1"
if ! diff -u "$d/cli" "$d/man1" >"$d/diff1"; then
	echo "kestrel.1 OPTIONS differ from vmm/cli.c (- parser, + man page):"; cat "$d/diff1"; bad=1
fi
[ "$(wc -l <"$d/cli")" -ge 20 ] || { echo "parsed only $(wc -l <"$d/cli") flags from vmm/cli.c"; bad=1; }

# fields: every property path of the schema (arrays as NAME[].field)
python3 - "$top/configs/kestrel.schema.json" >"$d/schema" <<'PY'
import json, sys
def walk(o, p):
    for k, v in o.get('properties', {}).items():
        q = p + '.' + k if p else k
        print(q)
        walk(v, q)
        if 'items' in v:
            walk(v['items'], q + '[]')
walk(json.load(open(sys.argv[1])), '')
PY
sort -u -o "$d/schema" "$d/schema"
sed -n '/^# FIELDS/,/^# [A-Z]/p' "$top/man/kestrel.json.5.scd" | grep '^\*[a-z]' |
	sed 's/^\*\([^*]*\)\*.*/\1/' | sort -u >"$d/man5"
if ! diff -u "$d/schema" "$d/man5" >"$d/diff5"; then
	echo "kestrel.json.5 FIELDS differ from the schema (- schema, + man page):"; cat "$d/diff5"; bad=1
fi
[ "$(wc -l <"$d/schema")" -ge 20 ] || { echo "parsed only $(wc -l <"$d/schema") schema fields"; bad=1; }
[ $bad -eq 0 ] && echo "$(wc -l <"$d/cli") flags, $(wc -l <"$d/schema") fields documented"
exit $bad
