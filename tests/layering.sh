#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The layering rules of docs/design.md, checked from the sources' includes
# and calls (product folders only; tests/ may include anything):
#   *-includes   quoted includes ("x/y.h", and <x/y.h> naming a project
#                folder) of each floor stay within the folders it may use
#   kvm-ioctl    ioctl(fd, KVM_...) only in the KVM layer (arch/arm64/)
#   kvm-headers  <linux/kvm.h>, <asm/kvm.h> only in arch/arm64/ and the glue
#                exceptions below
#   vmm-size     no file in vmm/ over VMM_MAX_LINES lines (warns over
#                VMM_WARN_LINES)
# Prints "PASS layering/<rule>" or "FAIL layering/<rule>: file:line why, ..."
# per rule (and "WARN ..." lines, not counted) and exits 1 when a rule fails.
#
#   tests/layering.sh [--root DIR]   check the tree at DIR (default: this one)
#   tests/layering.sh --self-test    check that a tree with one violation per
#                                    rule fails each rule, and a clean one
#                                    passes ("PASS layering/self-test/<rule>")
set -uo pipefail

# Which folders each floor may include from (a floor always includes itself).
# vmm/ may include anything.
INCLUDE_RULES=(
	"lib:lib"
	"devices:lib devices"
	"arch/arm64:lib arch/arm64"
	"irqchip:lib irqchip arch/arm64"
)
# Folders checked by kvm-ioctl, kvm-headers (and the include rules above).
PRODUCT_DIRS="lib devices irqchip arch/arm64 vmm"
# The KVM layer: the only folders whose files may ioctl() with a KVM_ request.
KVM_IOCTL_ALLOWED_DIRS="arch/arm64"
# Folders whose files may include <linux/kvm.h> or <asm/kvm.h> ...
KVM_HEADER_ALLOWED_DIRS="arch/arm64"
# ... and the glue files outside them that may too (paths from the top).
KVM_HEADER_EXCEPTIONS="vmm/seccomp_rules.c"
# vmm/ file sizes, in lines: warn over VMM_WARN_LINES, fail over VMM_MAX_LINES.
VMM_WARN_LINES=500
VMM_MAX_LINES=560

top=$(cd "$(dirname "$0")/.." && pwd)

check_tree() {	# check_tree ROOT: prints the rule lines, returns 1 on a failure
	INCLUDE_RULES="$(IFS=';'; echo "${INCLUDE_RULES[*]}")" PRODUCT_DIRS="$PRODUCT_DIRS" \
	KVM_IOCTL_ALLOWED_DIRS="$KVM_IOCTL_ALLOWED_DIRS" \
	KVM_HEADER_ALLOWED_DIRS="$KVM_HEADER_ALLOWED_DIRS" \
	KVM_HEADER_EXCEPTIONS="$KVM_HEADER_EXCEPTIONS" \
	VMM_WARN_LINES="$VMM_WARN_LINES" VMM_MAX_LINES="$VMM_MAX_LINES" \
		python3 - "$1" <<'PYTHON'
import os
import re
import sys

root = sys.argv[1]
env = os.environ
product = env["PRODUCT_DIRS"].split()
# "floor:dir dir;floor:dir ..." -> {floor: [dirs it may include, itself too]}
rules = {}
for r in env["INCLUDE_RULES"].split(";"):
	floor, allowed = r.split(":", 1)
	rules[floor] = allowed.split() + [floor]
ioctl_ok = env["KVM_IOCTL_ALLOWED_DIRS"].split()
hdr_ok = env["KVM_HEADER_ALLOWED_DIRS"].split()
hdr_exc = set(env["KVM_HEADER_EXCEPTIONS"].split())
warn_lines = int(env["VMM_WARN_LINES"])
max_lines = int(env["VMM_MAX_LINES"])
top_folders = {p.split("/")[0] for p in product}


def under(path, dirs):
	return any(path == d or path.startswith(d + "/") for d in dirs)


def blank(text, keep_strings):
	"""Comments (and, unless keep_strings, string and char literals) replaced
	by spaces; newlines kept so that offsets give the same line numbers."""
	out = []
	i, n = 0, len(text)
	while i < n:
		c = text[i]
		if text.startswith("/*", i):
			j = text.find("*/", i + 2)
			j = n if j < 0 else j + 2
			out.append(re.sub(r"[^\n]", " ", text[i:j]))
			i = j
		elif text.startswith("//", i):
			j = text.find("\n", i)
			j = n if j < 0 else j
			out.append(" " * (j - i))
			i = j
		elif c in "\"'":
			j = i + 1
			while j < n and text[j] != c and text[j] != "\n":
				j += 2 if text[j] == "\\" else 1
			j = min(j + 1, n)
			out.append(text[i:j] if keep_strings else
				   c + re.sub(r"[^\n]", " ", text[i + 1:j - 1]) + c)
			i = j
		else:
			out.append(c)
			i += 1
	return "".join(out)


def line_of(text, off):
	return text.count("\n", 0, off) + 1


files = []
for d in product:
	for dirpath, dirnames, names in os.walk(os.path.join(root, d)):
		dirnames.sort()
		for name in sorted(names):
			if name.endswith((".c", ".h")):
				full = os.path.join(dirpath, name)
				files.append((os.path.relpath(full, root), full))

inc_re = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)
ioctl_re = re.compile(r"\bioctl\s*\(")
fail = {}  # rule -> list of "file:line why"
warn = []
for rule in ["%s-includes" % f.replace("/", "-") for f in rules] + \
	    ["kvm-ioctl", "kvm-headers", "vmm-size"]:
	fail[rule] = []

for rel, full in files:
	with open(full, encoding="utf-8", errors="replace") as f:
		raw = f.read()
	code = blank(raw, keep_strings=True)
	for m in inc_re.finditer(code):
		kind, path = m.group(1), m.group(2).strip()
		ln = line_of(code, m.start())
		if path in ("linux/kvm.h", "asm/kvm.h") and \
		   not under(rel, hdr_ok) and rel not in hdr_exc:
			fail["kvm-headers"].append("%s:%d includes <%s>" % (rel, ln, path))
		if kind == '"' and "/" not in path:
			# resolved next to the including file first
			path = os.path.normpath(os.path.join(os.path.dirname(rel), path))
		elif kind == "<" and path.split("/")[0] not in top_folders:
			continue  # a system header
		for floor, allowed in rules.items():
			if under(rel, [floor]) and not under(path, allowed):
				fail["%s-includes" % floor.replace("/", "-")].append(
					'%s:%d includes "%s"' % (rel, ln, path))
	if not under(rel, ioctl_ok):
		code = blank(raw, keep_strings=False)
		for m in ioctl_re.finditer(code):
			# the second argument, up to the next top-level ',' or ')'
			depth, i, args, cur = 0, m.end(), [], []
			while i < len(code):
				c = code[i]
				if c == "(":
					depth += 1
				elif c == ")":
					if depth == 0:
						break
					depth -= 1
				elif c == "," and depth == 0:
					args.append("".join(cur))
					cur = []
					i += 1
					continue
				cur.append(c)
				i += 1
			args.append("".join(cur))
			if len(args) < 2:
				continue
			req = re.sub(r"\s+", " ", args[1]).strip()
			# casts and parentheses in front: (unsigned long)KVM_RUN, (KVM_RUN)
			req = re.sub(r"^(\(\s*(?:[a-z_][\w ]*\**)\s*\)\s*|\(\s*)*", "", req)
			if req.startswith("KVM_"):
				fail["kvm-ioctl"].append("%s:%d ioctl(%s)" % (
					rel, line_of(code, m.start()), req.split()[0].rstrip(")")))
	if under(rel, ["vmm"]):
		lines = raw.count("\n") + (0 if raw.endswith("\n") or not raw else 1)
		if lines > max_lines:
			fail["vmm-size"].append("%s:%d lines (max %d)" % (rel, lines, max_lines))
		elif lines > warn_lines:
			warn.append("WARN layering/vmm-size: %s:%d lines (warning over %d)" %
				    (rel, lines, warn_lines))

bad = 0
for rule, v in fail.items():
	if v:
		bad = 1
		print("FAIL layering/%s: %s" % (rule, ", ".join(v)))
	else:
		print("PASS layering/%s" % rule)
for w in warn:
	print(w)
sys.exit(bad)
PYTHON
}

# A tree with one violation per rule; each rule must fail, naming the file
# and line, and a clean tree with near misses must pass every rule.
self_test() {
	local t bad=0 out rule want
	t=$(mktemp -d)
	trap 'rm -rf "$t"' RETURN
	mkdir -p "$t/clean" "$t/bad"
	local d
	for d in clean bad; do
		mkdir -p "$t/$d/lib" "$t/$d/devices" "$t/$d/irqchip" "$t/$d/arch/arm64" "$t/$d/vmm"
		# allowed everywhere: lib/, own floor, system headers
		printf '#include <stdint.h>\n#include "lib/log.h"\n#include "util.h"\n' >"$t/$d/lib/log.c"
		printf '#include "lib/log.h"\n#include "devices/virtio_queue.h"\n' >"$t/$d/devices/blk.c"
		printf '#include "arch/arm64/layout.h"\n#include "lib/guest_mem.h"\n' \
			>"$t/$d/irqchip/gic.c"
		printf '#include <linux/kvm.h>\n#include "lib/log.h"\nint f(int fd) { return ioctl(fd,\n KVM_RUN, 0); }\n' \
			>"$t/$d/arch/arm64/kvm.c"
		# near misses: not calls, not KVM requests, comments and strings
		cat >"$t/$d/vmm/main.c" <<-'EOF'
			#include "devices/blk.h"
			#include "irqchip/gic.h"
			#include <linux/if_tun.h>
			/* ioctl(fd, KVM_RUN, 0) in a comment; #include <linux/kvm.h> */
			// ioctl(fd, KVM_RUN)
			static const char *s = "ioctl(fd, KVM_RUN, 0)";
			int g(int fd) { return ioctl(fd, TUNSETIFF, 0) + kvm_ioctl(fd, KVM_RUN, 0); }
			#define X IOCTL(KVM_RUN, 0)
		EOF
		for x in $KVM_HEADER_EXCEPTIONS; do printf '#include <linux/kvm.h>\n' >"$t/$d/$x"; done
		seq 1 "$VMM_WARN_LINES" | sed 's,^,// ,' >"$t/$d/vmm/big.c"
	done
	# one violation per rule, at a known line
	printf '#include "lib/log.h"\n#include "vmm/vm.h"\n' >"$t/bad/lib/bad.c"
	printf '#include "lib/log.h"\n#include <irqchip/irqchip.h>\n' >"$t/bad/devices/bad.c"
	printf '#include "lib/log.h"\n#include "devices/virtio_mmio.h"\n' >"$t/bad/arch/arm64/bad.c"
	printf '#include "lib/log.h"\n#include "vmm/log.h"\n' >"$t/bad/irqchip/bad.c"
	printf 'int h(int fd)\n{\n\treturn ioctl(fd,\n\t\t     (unsigned long)KVM_IRQ_LINE, 0);\n}\n' \
		>"$t/bad/irqchip/kvm.c"
	printf '#include <stdint.h>\n#include <asm/kvm.h>\n' >"$t/bad/vmm/vm_virtio.c"
	seq 1 $((VMM_MAX_LINES + 1)) | sed 's,^,// ,' >"$t/bad/vmm/vm.c"

	out=$(check_tree "$t/clean")
	if [ $? -eq 0 ] && ! grep -q '^FAIL' <<<"$out" &&
		! grep -q 'WARN.*big.c' <<<"$out"; then
		echo "PASS layering/self-test/clean-tree"
	else
		echo "FAIL layering/self-test/clean-tree: $(grep -E '^(FAIL|WARN)' <<<"$out" | tr '\n' ' ')"
		bad=1
	fi
	out=$(check_tree "$t/bad")
	[ $? -ne 0 ] || { echo "FAIL layering/self-test/exit-status: 0 on a bad tree"; bad=1; }
	for want in \
		'lib-includes: lib/bad.c:2 includes "vmm/vm.h"' \
		'devices-includes: devices/bad.c:2 includes "irqchip/irqchip.h"' \
		'arch-arm64-includes: arch/arm64/bad.c:2 includes "devices/virtio_mmio.h"' \
		'irqchip-includes: irqchip/bad.c:2 includes "vmm/log.h"' \
		'kvm-ioctl: irqchip/kvm.c:3 ioctl(KVM_IRQ_LINE)' \
		'kvm-headers: vmm/vm_virtio.c:2 includes <asm/kvm.h>' \
		"vmm-size: vmm/vm.c:$((VMM_MAX_LINES + 1)) lines"; do
		rule=${want%%:*}
		# exactly this violation, and no other for the rule
		if grep -qF "FAIL layering/$want" <<<"$out" &&
			[ "$(grep "^FAIL layering/$rule:" <<<"$out" | grep -o ', ' | wc -l)" -eq 0 ]; then
			echo "PASS layering/self-test/$rule"
		else
			echo "FAIL layering/self-test/$rule: wanted \"$want\", got: $(grep "layering/$rule" <<<"$out")"
			bad=1
		fi
	done
	return $bad
}

case "${1:-}" in
--self-test) self_test ;;
--root) check_tree "$2" ;;
"") check_tree "$top" ;;
*) echo "usage: $0 [--root DIR | --self-test]" >&2; exit 2 ;;
esac
