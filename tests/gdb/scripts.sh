#!/bin/bash
# debugger/gdb/handoff.py with stock gdb 13 in batch mode: forkthree's
# three children each get an inferior of their own on a connection of
# their own and stop at child_work, while the parent is stopped at
# parent_done -- over a unix socket and over TCP through a port forward.
# Then bad input: a wrong address, a child gone before its claim, a
# daemon that dies under a watch.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SCRIPT="$top_srcdir/debugger/gdb/handoff.py"
RELAY="$top_srcdir/tests/tools/relay.py"

# three NAME ADDRESS: the whole scenario, through ADDRESS.
three() {
	run_gdb "$1" "$PROGS/forkthree" \
		"target extended-remote $2" \
		"source $SCRIPT" \
		"handoff-watch" \
		"break parent_done" \
		"break child_work" \
		"continue" \
		"handoff-wait 3 60" \
		"info inferiors" \
		"handoff-list" \
		"inferior 2" "continue" "print id" \
		"inferior 3" "continue" "print id" \
		"inferior 4" "continue" "print id" \
		"echo ==all-stopped\\n" \
		"info inferiors" \
		"thread apply all -s frame" \
		"echo ==end\\n" \
		"delete" \
		"inferior 2" "continue" \
		"inferior 3" "continue" \
		"inferior 4" "continue" \
		"inferior 1" "continue" \
		"handoff-unwatch"
}

# check NAME WHAT
check() {
	local out="$T/$1.out" p
	contains "$out" "^handoff: watching process [0-9]+'s children through handoffd at " \
	    "$2: handoff-watch"
	contains "$out" '^Breakpoint 1, parent_done \(n=3\) at ' "$2: the parent stops at parent_done"
	[ "$(grep -cE '^handoff: child [0-9]+ of [0-9]+ \(fork\) is inferior [234], stopped at its fork$' "$out")" = 3 ]
	ok $? "$2: three children, each an inferior of its own"
	for n in 2 3 4; do
		p=$(sed -n "s/^handoff: child \\([0-9]*\\) of [0-9]* (fork) is inferior $n,.*/\\1/p" "$out")
		contains "$out" "^ +$n +process ${p:-X} +$n \\(extended-remote " \
		    "$2: info inferiors: inferior $n is child ${p:-?} on connection $n"
		contains "$out" "^Thread $n\\.1 \"forkthree\" hit Breakpoint 2\\.[0-9], child_work \\(id=[0-2]\\) at " \
		    "$2: inferior $n stops at child_work"
	done
	for id in 0 1 2; do
		contains "$out" "^\\\$[123] = $id\$" "$2: a child has id $id"
	done
	sed -n '/^==all-stopped/,/^==end/p' "$out" >"$T/$1.stopped"
	contains "$T/$1.stopped" '^Thread 1\.1 .*' "$2: all four listed"
	[ "$(grep -c '^#0  child_work (id=[0-2]) at ' "$T/$1.stopped")" = 3 ] &&
	    grep -q '^#0  parent_done (n=3) at ' "$T/$1.stopped"
	ok $? "$2: at once, the parent at parent_done and each child at child_work"
	for code in 024 025 026; do
		contains "$out" "^\\[Inferior [234] \\(process [0-9]+\\) exited with code $code\\]\$" \
		    "$2: a child exits $code"
	done
	contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' "$2: the parent exits 0"
	lacks "$out" 'Python Exception|Traceback|No unwaited-for' "$2: no Python error, no lost wait"
	[ "$(cat "$T/$1.status")" = 0 ]
	ok $? "$2: gdb ends by itself"
}

# 1. A unix socket.
start_server --once "$T/sock" "$PROGS/forkthree"
ok $? "handoffd listens on a unix socket"
three unix "$T/sock"
check unix "unix"
contains "$T/server.log" 'watches for handoffs, to claim them on the port' \
    "unix: the script asks for claims on the port (via:connect)"
[ "$(grep -c 'claimed by .* via vAttach' "$T/server.log")" = 3 ]
ok $? "unix: three claims"
contains "$T/server.out" '^child 1 exited 21$' "unix: the parent reaps its children"
server_gone 20
ok $? "unix: the server ends"
ls -d "${TMPDIR:-/tmp}"/handoff.* >"$T/relays" 2>/dev/null
[ ! -s "$T/relays" ]
ok $? "unix: no relay socket left behind"

# 2. TCP through a forward.
start_server --once 127.0.0.1:0 "$PROGS/forkthree"
python3 "$RELAY" 127.0.0.1 0 127.0.0.1 "$PORT" >"$T/relay.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/relay.log" '^relay listening on' 10
ok $? "the forward is up"
FWD=$(sed -n 's/^relay listening on \([0-9]*\)$/\1/p' "$T/relay.log")
three tcp "127.0.0.1:$FWD"
check tcp "tcp"
contains "$T/tcp.out" "through handoffd at 127\\.0\\.0\\.1:$FWD\$" "tcp: the watch goes through the forward"
[ "$(grep -c '^relay: connection' "$T/relay.log")" -ge 5 ]
ok $? "tcp: gdb, the watch and three claims all came through the forward"
server_gone 20
ok $? "tcp: the server ends"

# 3. Bad input, and a held child killed before its claim.
start_server --once --fork-mode handoff --unclaimed kill "$T/sock" "$PROGS/forkthree"
run_gdb bad "$PROGS/forkthree" \
	"source $SCRIPT" \
	"handoff-watch" \
	"target extended-remote $T/sock" \
	"handoff-watch 127.0.0.1:1" \
	"handoff-watch /nonexistent/sock" \
	"handoff-watch nonsense" \
	"handoff-watch a b" \
	"handoff-wait 1 1" \
	"handoff-wait x" \
	"handoff-wait 1 0" \
	"handoff-wait 1 3601" \
	"handoff-claim" \
	"handoff-claim 1" \
	"break parent_done" \
	"continue" \
	"shell sleep 0.5; kill -9 \$(sed -n 's/.*child \\([0-9]*\\) of [0-9]* held at its fork.*/\\1/p' $T/server.log | head -1); sleep 1" \
	"python import re; held = re.findall(r'child (\\d+) of \\d+ held at its fork', open('$T/server.log').read()); gdb.execute('handoff-claim ' + held[0])" \
	"python gdb.execute('handoff-claim ' + held[1])" \
	"info inferiors" \
	"python gdb.execute('inferior %d' % max(i.num for i in gdb.inferiors()))" \
	"continue" \
	"inferior 1" "kill"
out="$T/bad.out"
contains "$out" '^handoff: inferior 1 has no process; run or attach first$' "watch before any process"
contains "$out" '^handoff: cannot reach handoffd at 127\.0\.0\.1:1: Connection refused$' "a port nobody listens on"
contains "$out" '^handoff: cannot reach handoffd at /nonexistent/sock: No such file or directory$' "a socket path that does not exist"
contains "$out" "^handoff: 'nonsense' is not an address handoffd listens on" "an address that is not one"
contains "$out" '^handoff: usage: handoff-watch \[ADDRESS\]$' "two addresses: usage"
contains "$out" '^handoff: 0 of 1 children came, and no watch is running$' "wait with no watch: at once"
contains "$out" '^handoff: usage: handoff-wait N \[SECONDS\]$' "wait x: usage"
[ "$(grep -c '^handoff: SECONDS: more than 0, at most 3600$' "$out")" = 2 ]
ok $? "wait 1 0 and wait 1 3601: past WAIT_TIMEOUT_MAX either way, refused"
contains "$out" '^handoff: usage: handoff-claim PID$' "claim without a pid: usage"
contains "$out" '^handoff: claiming child 1: ' "a claim of pid 1: refused, with why"
contains "$out" 'handoff: claiming child [0-9]+: no such process' "a claim of a child killed while held: no such process"
contains "$out" '^handoff: child [0-9]+ is inferior [0-9]+$' "a claim of a live held child opens it"
contains "$out" '^\[Inferior [0-9]+ \(process [0-9]+\) exited with code 02[456]\]$' "and it runs to its exit"
[ "$(cat "$T/bad.status")" = 0 ]
ok $? "bad: gdb ends by itself"
server_gone 20
ok $? "bad: the server ends"

# 4. The daemon dies under a watch: the wait ends at once, with why.
start_server "$T/sock" "$PROGS/forkthree"
run_gdb gone "$PROGS/forkthree" \
	"target extended-remote $T/sock" \
	"source $SCRIPT" \
	"handoff-watch" \
	"shell kill -9 $SERVER_PID; sleep 0.5" \
	"handoff-wait 1 30" \
	"handoff-list"
out="$T/gone.out"
contains "$out" '^handoff: 0 of 1 children came, and no watch is running$' "gone: the wait ends with why"
contains "$out" '^handoff: not watching$' "gone: handoff-list says so"
contains "$out" '^handoff: the watch ended: handoffd closed the connection' "gone: the watch's end is told"
[ "$(cat "$T/gone.status")" = 0 ]
ok $? "gone: gdb ends by itself"
SERVER_PID=

# 5. The README's walk-through: prefork's master and workers run
# together (maint set target-non-stop on, set schedule-multiple on), each
# worker on its own connection, stopping in handle_request.
start_server --once "$T/sock" "$PROGS/prefork"
run_gdb walk "$PROGS/prefork" \
	"maint set target-non-stop on" \
	"target extended-remote $T/sock" \
	"source $SCRIPT" \
	"handoff-watch" \
	"break all_workers_started" \
	"continue" \
	"handoff-wait 3" \
	"info inferiors" \
	"set schedule-multiple on" \
	"break handle_request" \
	"continue" \
	"print req->path" \
	"print \$_inferior" \
	"delete" \
	"detach inferiors 2 3 4" \
	"inferior 1" \
	"continue"
out="$T/walk.out"
lacks "$out" 'resume one all-stop connection at a time' "walk: no all-stop hint with target-non-stop"
[ "$(grep -cE '^handoff: child [0-9]+ of [0-9]+ \(fork\) is inferior [234], stopped at its fork$' "$out")" = 3 ]
ok $? "walk: three workers, each an inferior of its own"
contains "$out" '^Thread [234]\.1 "prefork" hit Breakpoint 2\.[0-9], handle_request \(id=0, req=' \
    "walk: worker 0 stops in handle_request with the others running"
contains "$out" '^\$1 = 0x[0-9a-f]+ "/index\.html"$' "walk: its first request is /index.html"
contains "$out" '^\[Inferior 2 \(process [0-9]+\) detached\]$' "walk: the workers are let go"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' "walk: the master exits 0"
contains "$T/server.out" '^master: served 9 requests, 3 workers$' "walk: all 9 requests served"
lacks "$out" 'Python Exception|Traceback|Fatal signal' "walk: no Python error, no crash"
[ "$(cat "$T/walk.status")" = 0 ]
ok $? "walk: gdb ends by itself"
server_gone 20
ok $? "walk: the server ends"
none_left "$PROGS/(forkthree|prefork)" "no process of the tests is left behind"
done_testing
