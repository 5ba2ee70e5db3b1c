#!/bin/bash
# lldb 16 takes a held child through handoffd platform as it attaches to
# any process there: platform connect, process attach -p CHILD.  The
# attach goes out as vAttach;CHILD on a new connection to the daemon's
# port, which the daemon passes to the worker that holds the child.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

TOOLS="$top_srcdir/tests/tools"
LOOP_LINE=$(grep -n 'LINE:child_loop' "$top_srcdir/tests/progs/forkonce.c" |
    cut -d: -f1)

start_platform --server --listen 127.0.0.1:0 --hold-timeout 120
ok $? "the daemon started"

# The parent: launched and run on by a plain RSP client, no watcher.
python3 - "$TOOLS" "$PORT" "$PROGS/forkonce" >"$T/parent.out" 2>&1 <<'PY' &
import sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+")
c.request("QPassSignals:14")
print("run", c.request("vRun;" + sys.argv[3].encode().hex()))
c.send("vCont;c")
c.sock.settimeout(120)
print("parent", c.reply())
PY
client=$!
EXTRA_PIDS="$EXTRA_PIDS $client"
wait_for "$T/platform.log" 'child [0-9]+ of [0-9]+ held at its fork' 30
ok $? "the child is held"
child=$(sed -n 's/.*child \([0-9]*\) of [0-9]* held at its fork.*/\1/p' \
    "$T/platform.log" | head -1)

run_lldb attach "$PROGS/forkonce" \
	"platform select remote-linux" \
	"platform connect connect://127.0.0.1:$PORT" \
	"process attach -p ${child:-0}" \
	"breakpoint set -f forkonce.c -l $LOOP_LINE" \
	"continue" \
	"p child_counter" \
	"breakpoint delete -f" \
	"continue"
out="$T/attach.out"
contains "$out" "^Process $child stopped\$" "lldb attaches to the held child"
contains "$out" 'stop reason = signal SIGSTOP' "its stop is the SIGSTOP of its birth"
contains "$out" 'stop reason = breakpoint 1\.1' "lldb stops in the child's loop"
contains "$out" '^\(int\) \$0 = 0$' "child_counter 0 at the first hit"
contains "$out" "^Process $child exited with status = 7 " "the child exits with status 7"
[ "$(cat "$T/attach.status")" = 0 ]
ok $? "lldb ends by itself"
contains "$T/platform.log" "passed to worker" "the daemon passed the claim to the worker"
contains "$T/platform.log" "child $child \\(parent [0-9]+, fork\\) claimed by .* via vAttach" \
    "the worker logs the claim"
wait "$client"
contains "$T/parent.out" '^parent W00' "the parent ran on to its exit"
contains "$T/platform.out" '^child exited 7$' "the parent reaped exit code 7"
done_testing
