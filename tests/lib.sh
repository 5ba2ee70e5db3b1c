# lib.sh -- shared by the integration and real-client tests.
#
# Each test script is one behaviour; it prints TAP ("ok N - what") for
# each assertion and the plan at the end.  A private temp dir holds the
# server's log and every output, removed on success, kept and shown on
# failure.  Every process a test starts is ended by cleanup.

set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${GDB:=gdb}"
: "${LLDB:=lldb-16}"
HANDOFFD="$top_builddir/handoffd"
PROGS="$top_builddir/tests/progs"
T=$(mktemp -d "${TMPDIR:-/tmp}/handoffd-test.XXXXXX")
TAP_N=0
TAP_FAILED=0
SERVER_PID=
EXTRA_PIDS=

cleanup() {
	local p
	# Every job of ours too: a server a failed step left running (its
	# pid overwritten by the next start_server) would hang the wait.
	for p in $SERVER_PID $EXTRA_PIDS $(jobs -p); do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if [ "$TAP_FAILED" -ne 0 ]; then
		echo "# keeping $T" >&2
		for f in "$T"/*.log "$T"/*.out; do
			[ -f "$f" ] || continue
			echo "# ---- $f" >&2
			sed 's/^/# /' "$f" | tail -n 60 >&2
		done
	else
		rm -rf "$T"
	fi
}
trap cleanup 0
trap 'exit 1' 1 2 15

ok() {	# ok STATUS DESCRIPTION
	TAP_N=$((TAP_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $TAP_N - $2"
	else
		echo "not ok $TAP_N - $2"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# contains FILE REGEX DESCRIPTION
contains() {
	grep -Eq -- "$2" "$1"
	ok $? "$3"
}

# lacks FILE REGEX DESCRIPTION
lacks() {
	! grep -Eq -- "$2" "$1"
	ok $? "$3"
}

# wait_for FILE REGEX [SECONDS]: until the file has a matching line.
wait_for() {
	local i=0 limit=$(( ${3:-20} * 10 ))
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# count FILE REGEX: lines of FILE matching REGEX.
count() {
	grep -Ec -- "$2" "$1" 2>/dev/null
}

# wait_count FILE REGEX N [SECONDS]: until FILE has N lines matching.
wait_count() {
	local i=0 limit=$(( ${4:-20} * 10 ))
	while [ "$(count "$1" "$2")" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# start_handoffd NAME SUBCOMMAND ARGS...: handoffd in the background,
# output in $T/NAME.out and $T/NAME.log; sets SERVER_PID and PORT (TCP)
# from "Listening on port N".
start_handoffd() {
	local name=$1
	shift
	: >"$T/$name.log"	# never match an earlier server's lines
	"$HANDOFFD" "$@" >"$T/$name.out" 2>"$T/$name.log" &
	SERVER_PID=$!
	if ! wait_for "$T/$name.log" '^Listening on' 20; then
		echo "# $name did not start" >&2
		return 1
	fi
	PORT=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$T/$name.log")
	return 0
}

# start_server ARGS...: handoffd gdbserver ARGS ($T/server.log).
start_server() {
	start_handoffd server gdbserver "$@"
}

# start_platform ARGS...: handoffd platform ARGS ($T/platform.log).
start_platform() {
	start_handoffd platform platform "$@"
}

# tap_from FILE: count the "ok - X" / "not ok - X" lines a helper
# program printed as our own assertions.
tap_from() {
	local line
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		esac
	done <"$1"
}

# server_gone [SECONDS]: the server exits by itself.
server_gone() {
	local i=0 limit=$(( ${1:-10} * 10 ))
	while kill -0 "$SERVER_PID" 2>/dev/null; do
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.1
	done
	wait "$SERVER_PID" 2>/dev/null
	SERVER_STATUS=$?
	SERVER_PID=
	return 0
}

# run_gdb NAME PROGRAM COMMAND...: gdb -batch -nx, output in $T/NAME.out
run_gdb() {
	local name=$1 prog=$2 args=()
	shift 2
	for c in "$@"; do
		args+=(-ex "$c")
	done
	timeout 120 "$GDB" -batch -nx -iex 'set pagination off' \
	    -iex 'set confirm off' -iex 'set debuginfod enabled off' \
	    "${args[@]}" $prog >"$T/$name.out" 2>&1
	echo $? >"$T/$name.status"
}

# run_lldb NAME PROGRAM COMMAND...: lldb -b, output in $T/NAME.out
run_lldb() {
	local name=$1 prog=$2 args=()
	shift 2
	for c in "$@"; do
		args+=(-o "$c")
	done
	timeout 120 "$LLDB" -b -x "${args[@]}" $prog >"$T/$name.out" 2>&1
	echo $? >"$T/$name.status"
}

# no_process PID DESCRIPTION: the process is gone (not even a zombie).
no_process() {
	local i=0
	while [ -d "/proc/$1" ] && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	[ ! -d "/proc/$1" ]
	ok $? "$2"
}

# none_left REGEX DESCRIPTION: within 5 s no process's command line
# matches REGEX (pgrep -f): nothing a test started is left behind.
none_left() {
	local i=0
	while pgrep -f "$1" >/dev/null && [ $i -lt 50 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	! pgrep -f "$1" >/dev/null
	ok $? "$2"
}

# asan_build: handoffd is built with AddressSanitizer.  Its allocator is
# then ASan's: freed memory waits in a quarantine (RSS is not ours to
# bound; LeakSanitizer checks every exit instead) and malloc cannot be
# interposed.
asan_build() {
	nm "$HANDOFFD" 2>/dev/null | grep -q '__asan_init'
}

# inferior_pid: the pid the server printed for the process it created.
inferior_pid() {
	sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/server.log" |
	    tail -n 1
}
