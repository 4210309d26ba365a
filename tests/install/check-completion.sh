#!/usr/bin/env bash
# dist/bash-completion/kestrel, sourced in bash with bash-completion loaded,
# completes flags, --irqchip/--serial/--seccomp values and file arguments.
#   tests/install/check-completion.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "bash-completion is not installed ($bc)"; exit 1; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/files"
touch "$d/files/Image" "$d/files/initrd.cpio" "$d/files/vm.json" "$d/files/notes.txt"

# complete LINE: print COMPREPLY (sorted, one per line) for the cursor at the end of LINE
complete_line() {
	bash --norc --noprofile -c '
		. "$1"; . "$2"; cd "$3"
		read -r -a COMP_WORDS <<<"$4"
		case $4 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$4; COMP_POINT=${#4}
		_kestrel kestrel "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$bc" "$top/dist/bash-completion/kestrel" "$d/files" "$1"
}

bad=0
expect() {	# expect LINE WANT...: the completions of LINE are exactly WANT
	local line=$1 got want
	shift
	got=$(complete_line "$line" | tr '\n' ' ')
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	if [ "$got" != "$want" ]; then
		echo "'$line': got [$got], want [$want]"
		bad=1
	fi
}
expect "kestrel --irq" --irqchip
expect "kestrel --irqchip " auto kvm-v2 kvm-v3 user
expect "kestrel --irqchip kvm" kvm-v2 kvm-v3
expect "kestrel --serial " file= off pty socket= stdio
expect "kestrel --serial file=vm" file=vm.json
expect "kestrel --seccomp " log off on
expect "kestrel --on-reboot e" exit
expect "kestrel --kernel I" Image
expect "kestrel --kernel " Image initrd.cpio notes.txt vm.json
expect "kestrel --config " vm.json
expect "kestrel --disk path=in" path=initrd.cpio
expect "kestrel --cpus 2 --s" --serial --seccomp --shutdown-timeout --stats
expect "kestrel ch" check
expect "kestrel check --j" --json
# every flag of the parser's option table is offered
all=$(complete_line "kestrel --" | tr '\n' ' ')
for f in $(awk '/^#ifdef KESTREL_TEST_HOOKS/ { s = 1 } /^#endif/ { s = 0 } !s' "$top/vmm/cli.c" |
	grep -o '{ "--[-a-z]*"' | sed 's/{ "//; s/"//' | grep -v -- '--json'); do
	case " $all " in *" $f "*) ;; *) echo "flag $f not offered"; bad=1 ;; esac
done
[ $bad -eq 0 ] && echo "all completions as expected"
exit $bad
