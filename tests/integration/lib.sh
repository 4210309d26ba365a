# Helpers for scenarios (busybox sh). A scenario is sourced after this file
# with $KT_SCENARIO_DIR as its private folder; it fails by exiting non-zero
# (use fail "why"). Guests are started in the background with their serial
# console captured to a file and their stdin fed from a fifo.

fail() {
	echo "FAIL: $*"
	exit 1
}

# kestrel_bg NAME ARGS...: start kestrel in the background; its console goes
# to $KT_SCENARIO_DIR/NAME.out, its stdin comes from the fifo NAME.in.
# Sets KT_PID.
kestrel_bg() {
	local name=$1
	shift
	local d=$KT_SCENARIO_DIR
	rm -f "$d/$name.in"
	mkfifo "$d/$name.in"
	"$KT_KESTREL" "$@" <"$d/$name.in" >"$d/$name.out" 2>&1 &
	KT_PID=$!
	# keep the fifo open for writing so the guest's stdin does not see EOF
	exec 9>"$d/$name.in"
}

# guest_send TEXT: write a line to the guest's stdin
guest_send() {
	printf '%s\n' "$1" >&9
}

# wait_for NAME PATTERN SECONDS: wait until PATTERN (grep -E) appears in the
# console of NAME; fail on timeout or when kestrel died without printing it.
wait_for() {
	local out=$KT_SCENARIO_DIR/$1.out i=0 n=$(($3 * 10))
	while [ $i -lt $n ]; do
		grep -Eq "$2" "$out" 2>/dev/null && return 0
		if ! kill -0 "$KT_PID" 2>/dev/null; then
			grep -Eq "$2" "$out" 2>/dev/null && return 0
			fail "kestrel exited before '$2' appeared"
		fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "'$2' not seen within $3 s"
}

# wait_exit SECONDS: wait for the background kestrel to exit; sets KT_RC
wait_exit() {
	local i=0 n=$(($1 * 10))
	while kill -0 "$KT_PID" 2>/dev/null; do
		[ $i -ge $n ] && fail "kestrel still running after $1 s"
		sleep 0.1
		i=$((i + 1))
	done
	wait "$KT_PID"
	KT_RC=$?
}

# run_guest ARGS...: run kestrel in the foreground, console to $KT_SCENARIO_DIR/fg.out,
# status in KT_RC
run_fg() {
	"$KT_KESTREL" "$@" </dev/null >"$KT_SCENARIO_DIR/fg.out" 2>&1
	KT_RC=$?
}

expect_rc() {
	[ "$KT_RC" = "$1" ] || fail "exit status $KT_RC, expected $1"
}

# wait_count NAME PATTERN N SECONDS: wait until the console of NAME has N
# lines matching PATTERN (e.g. a second boot); fail on timeout or exit
wait_count() {
	local i=0 n=$(($4 * 10))
	while [ $i -lt $n ]; do
		[ "$(count_in "$1" "$2")" -ge "$3" ] && return 0
		kill -0 "$KT_PID" 2>/dev/null || fail "kestrel exited before '$2' x$3"
		sleep 0.1
		i=$((i + 1))
	done
	fail "'$2' not seen $3 times within $4 s"
}

# count_in NAME PATTERN: number of console lines matching PATTERN
count_in() {
	grep -Ec "$2" "$KT_SCENARIO_DIR/$1.out" 2>/dev/null
}

# image_file IMG PATH: print file PATH from the ext4 image IMG (a loop mount,
# read-write so that the journal is replayed as a reboot would)
image_file() {
	local mnt=$KT_SCENARIO_DIR/mnt
	mkdir -p "$mnt"
	mount -o loop -t ext4 "$1" "$mnt" || fail "cannot mount $1"
	cat "$mnt/$2" 2>/dev/null
	umount "$mnt"
}

# API helpers (the real curl over kestrel's --api-socket). Set KT_API to
# the socket path first.

# wait_socket PATH SECONDS: wait until the socket PATH exists; fail on
# timeout or when kestrel died
wait_socket() {
	local i=0 n=$(($2 * 10))
	while [ ! -S "$1" ]; do
		kill -0 "$KT_PID" 2>/dev/null || fail "kestrel exited before creating $1"
		[ $i -ge $n ] && fail "no socket $1 within $2 s"
		sleep 0.1
		i=$((i + 1))
	done
}

# api METHOD PATH [CURL ARGS...]: one request; prints the HTTP status (000
# when curl got no response); the body is in $KT_SCENARIO_DIR/api.body and
# curl's time_total (s) in $KT_SCENARIO_DIR/api.time
api() {
	local m=$1 p=$2 out
	shift 2
	out=$(curl -s --max-time 15 --unix-socket "$KT_API" -o "$KT_SCENARIO_DIR/api.body" \
		-w '%{http_code} %{time_total}' -X "$m" "http://localhost$p" "$@")
	echo "${out#* }" >"$KT_SCENARIO_DIR/api.time"
	echo "api: $m $p -> ${out% *} $(head -c 300 "$KT_SCENARIO_DIR/api.body")" >&2
	echo "${out% *}"
}

# api_json METHOD PATH JSON: a request with a JSON body, the way
# Firecracker's getting-started guide sends it
api_json() {
	api "$1" "$2" -H 'Accept: application/json' -H 'Content-Type: application/json' -d "$3"
}

# expect_api STATUS METHOD PATH [JSON]: the request must get STATUS
expect_api() {
	local want=$1 got
	shift
	if [ $# -ge 3 ]; then
		got=$(api_json "$@")
	else
		got=$(api "$@")
	fi
	[ "$got" = "$want" ] || fail "$1 $2: status $got, expected $want: $(cat "$KT_SCENARIO_DIR/api.body")"
}

# api_body: the body of the last response
api_body() {
	cat "$KT_SCENARIO_DIR/api.body"
}

# body_has PATTERN: the last response body matches PATTERN (grep -E)
body_has() {
	grep -Eq "$1" "$KT_SCENARIO_DIR/api.body" || fail "response body '$(api_body)' lacks '$1'"
}

# ms SECONDS: seconds (curl's time_total) as milliseconds with one decimal
ms() {
	awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'
}
