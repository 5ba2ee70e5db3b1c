#!/bin/bash
# debugger/lldb/handoff.py with stock lldb 16: forkthree's three children
# each open in a target of their own, stopped at child_work, while the
# parent is stopped at parent_done -- over a unix socket (lldb's Python
# API, the child's socket passed as a descriptor) and over TCP through a
# port forward (lldb -b, each child claimed on the forwarded port).  Then
# --exec, --stop-parent, and bad input: a wrong address, a daemon that
# dies, a child gone before its claim.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

MODULE="$top_srcdir/debugger/lldb/handoff.py"
API="$top_srcdir/tests/lldb/scripts_api.py"
RELAY="$top_srcdir/tests/tools/relay.py"
LLDB_PY=/usr/lib/llvm-16/lib/python3.11/site-packages

api() {	# api NAME URL MODE [ARGS]: scripts_api.py, its asserts ours
	local name=$1
	shift
	PYTHONPATH=$LLDB_PY timeout 180 /usr/bin/python3 "$API" "$MODULE" \
	    "$PROGS/forkthree" "$@" >"$T/$name.tap" 2>"$T/$name.out"
	echo $? >"$T/$name.status"
	tap_from "$T/$name.tap"
}

# 1. A unix socket, the Python API.
start_server --once "$T/sock" "$PROGS/forkthree"
ok $? "handoffd listens on a unix socket"
api unix "unix-connect://$T/sock" three
contains "$T/server.log" 'announced to .* via fd' "each child's socket is passed (via fd)"
contains "$T/server.out" '^child 0 exited 20$' "the parent reaps child 0"
contains "$T/server.out" '^child 2 exited 22$' "the parent reaps child 2"
server_gone 20
ok $? "the server ends after the session"

# 2. TCP through a forward, lldb -b (the commands a user types).
start_server --once 127.0.0.1:0 "$PROGS/forkthree"
ok $? "handoffd listens on TCP"
python3 "$RELAY" 127.0.0.1 0 127.0.0.1 "$PORT" >"$T/relay.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/relay.log" '^relay listening on' 10
ok $? "the forward is up"
FWD=$(sed -n 's/^relay listening on \([0-9]*\)$/\1/p' "$T/relay.log")
run_lldb tcp "$PROGS/forkthree" \
	"gdb-remote 127.0.0.1:$FWD" \
	"command script import $MODULE" \
	"handoff watch" \
	"breakpoint set -n parent_done" \
	"continue" \
	"handoff wait 3 --timeout 60" \
	"target list" \
	"target select 1" "breakpoint set -n child_work" "continue" \
	"target select 2" "breakpoint set -n child_work" "continue" \
	"target select 3" "breakpoint set -n child_work" "continue" \
	"target list" \
	"target select 0" "thread list" \
	"target select 1" "process continue" \
	"target select 2" "process continue" \
	"target select 3" "process continue" \
	"target select 0" "breakpoint delete -f" "process continue"
out="$T/tcp.out"
contains "$out" "^watching process [0-9]+'s children through handoffd at 127\\.0\\.0\\.1:$FWD\$" \
    "tcp: the watch goes through the forward lldb's connection uses"
contains "$out" '^3 children opened$' "tcp: three children opened"
[ "$(grep -c '^handoff: child [0-9]* of [0-9]* (fork) is target #[123], stopped at its fork$' "$out")" = 3 ]
ok $? "tcp: each child is a target of its own, stopped at its fork"
[ "$(grep -c 'stop reason = breakpoint 1\.1' "$out")" -ge 3 ]
ok $? "tcp: each child stops at its own child_work breakpoint"
for id in 0 1 2; do
	contains "$out" "child_work\\(id=$id\\) at forkthree\\.c" "tcp: child $id at child_work"
done
contains "$out" 'stop reason = breakpoint 1\.1.*parent_done|parent_done.*stop reason = breakpoint 1\.1' \
    "tcp: the parent stops at parent_done"
contains "$out" '^\* thread #1: tid = [0-9]+, .*parent_done\(n=3\).*stop reason = breakpoint 1\.1$' \
    "tcp: after the children's stops, the parent is still at parent_done"
for code in 20 21 22; do
	contains "$out" "exited with status = $code " "tcp: a child exits $code"
done
contains "$out" 'Process [0-9]+ exited with status = 0 ' "tcp: the parent exits 0"
contains "$T/server.log" 'announced to .* via connect' "tcp: children announced for a claim on the port"
contains "$T/server.log" 'claimed by .* via vAttach' "tcp: each claimed with vAttach"
[ "$(grep -c '^relay: connection' "$T/relay.log")" -ge 5 ]
ok $? "tcp: lldb, the watch and three claims all came through the forward"
server_gone 20
ok $? "tcp: the server ends"

# 3. --exec: only the child that execs /bin/true is opened.
start_server --once "$T/sock" "$PROGS/forkthree" /bin/true
api exec "unix-connect://$T/sock" exec
contains "$T/server.out" '^child 0 exited 20$' "exec: child 0 ran on to its exit"
contains "$T/server.out" '^child 1 exited 0$' "exec: child 1 ran /bin/true"
server_gone 20
ok $? "exec: the server ends"

# 4. --stop-parent: the parent is interrupted at the first handoff.
start_server --once "$T/sock" "$PROGS/forkthree"
run_lldb stop "$PROGS/forkthree" \
	"process connect -p gdb-remote unix-connect://$T/sock" \
	"command script import $MODULE" \
	"handoff watch --stop-parent" \
	"continue" \
	"handoff wait 1" \
	"target select 0" "process status" \
	"process kill"
out="$T/stop.out"
contains "$out" '^handoff: child [0-9]+ of [0-9]+ \(fork\) is target #1, stopped at its fork$' \
    "stop-parent: the first child opens"
contains "$out" 'Process [0-9]+ stopped' "stop-parent: the parent's continue ends in a stop"
lacks "$out" 'Process [0-9]+ exited with status = 0 ' "stop-parent: the parent did not run to its end"
server_gone 20
ok $? "stop-parent: the server ends"

# 5. Bad input, and a held child killed before its claim.
start_server --once --fork-mode handoff --unclaimed kill "$T/sock" "$PROGS/forkthree"
api bad "unix-connect://$T/sock" bad "unix://$T/sock" "$T/server.log"
[ "$(cat "$T/bad.status")" = 0 ]
ok $? "bad: lldb's script ends by itself"
server_gone 20
ok $? "bad: the server ends"

# 6. The daemon dies under a watch.
start_server "$T/sock" "$PROGS/forkthree"
api gone "unix-connect://$T/sock" gone "$SERVER_PID"
[ "$(cat "$T/gone.status")" = 0 ]
ok $? "gone: lldb's script ends by itself"

# 7. Through handoffd platform (lldb's platform, one TCP port): the watch
# and each claim are routed to the session worker that traces the tree.
start_platform --listen 127.0.0.1:0
ok $? "the platform daemon listens"
run_lldb plat "" \
	"platform select remote-linux" \
	"platform connect connect://127.0.0.1:$PORT" \
	"target create $PROGS/forkthree" \
	"breakpoint set -n main" \
	"run" \
	"command script import $MODULE" \
	"handoff watch" \
	"breakpoint set -n parent_done" \
	"continue" \
	"handoff wait 3 --timeout 60" \
	"target select 2" "breakpoint set -n child_work" "continue" \
	"target select 0" "process kill"
out="$T/plat.out"
contains "$out" "^watching process [0-9]+'s children through handoffd at 127\.0\.0\.1:$PORT\$" \
    "platform: the watch finds the daemon from lldb's connections"
contains "$out" '^3 children opened$' "platform: three children opened"
contains "$out" 'child_work\(id=1\) at forkthree\.c' "platform: child 1 stops at child_work in its own target"
contains "$T/platform.log" 'claimed by .* via vAttach' "platform: the claims reach the worker"
[ "$(cat "$T/plat.status")" = 0 ]
ok $? "platform: lldb ends by itself"
none_left "$PROGS/forkthree" "no forkthree process is left behind"
done_testing
