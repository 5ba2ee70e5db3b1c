#!/bin/bash
# "kill" over plain target remote: the process dies, the server exits.
# Exit codes reported by "exited with code".
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# session NAME PROG-AND-ARGS -- GDB-COMMANDS...
session() {
	local name=$1 prog=()
	shift
	while [ "$1" != -- ]; do prog+=("$1"); shift; done
	shift
	# (a fresh log: start_server must not see the last server's line)
	rm -f "$T/server.log" "$T/server.out"
	start_server :0 "${prog[@]}"
	ok $? "$name: server listens"
	pid=$(inferior_pid)
	run_gdb "$name" "${prog[0]}" "target remote :$PORT" "$@"
	no_process "$pid" "$name: no process left"
	server_gone 10
	ok $? "$name: the server exits"
	[ "${SERVER_STATUS:-1}" = 0 ]
	ok $? "$name: server exit status 0"
}

session kill "$PROGS/hello" -- \
	"break add" \
	"continue" \
	"kill" \
	"info inferiors"
out="$T/kill.out"
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at ' "kill: stopped at the breakpoint first"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) killed\\]\$" "kill: gdb reports the kill"
contains "$out" '^\* 1 +<null> ' "kill: no process in info inferiors"
lacks "$out" 'Remote connection closed|Remote communication error|Couldn.t|error' "kill: no error"

session kill0 "$PROGS/hello" -- \
	"kill"
contains "$T/kill0.out" "^\\[Inferior 1 \\(process $pid\\) killed\\]\$" "kill at the first stop"

session killthreads "$PROGS/threads" -- \
	"break worker_step" \
	"continue" \
	"continue" \
	"kill"
out="$T/killthreads.out"
contains "$out" '^Thread [0-9]+ "worker-[0-9]" hit Breakpoint 1, ' "threads: stopped with several threads"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) killed\\]\$" "threads: killed"

for code in 0 1 42 255; do
	session "exit$code" "$PROGS/hello" 2 "$code" -- "continue"
	out="$T/exit$code.out"
	if [ "$code" = 0 ]; then
		contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "exit 0: exited normally"
	else
		oct=$(printf '0%o' "$code")
		contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited with code $oct\\]\$" "exit $code: exited with code $oct"
	fi
done
done_testing
