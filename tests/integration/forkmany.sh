#!/bin/bash
# GDB's fork events, 100 children kept at once in all-stop on one
# connection (--fork-mode multiplex): each fork stops everything and
# names its child; the client resumes all; every child's exit and the
# parent's are reported, none lost, each with its own code.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

N=100
start_server --fork-mode multiplex :0 "$PROGS/forker" "$N"
ok $? "the server listens"

python3 - "$top_srcdir/tests/tools" "$PORT" "$N" >"$T/client.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
n = int(sys.argv[3])
r = c.request("qSupported:multiprocess+;swbreak+;fork-events+;vfork-events+")
print("features", "fork-events+" in r)
c.request("QPassSignals:14")
parent = int(re.match(r"QCp([0-9a-f]+)", c.request("qC")).group(1), 16)
kids, exits, parent_exit = set(), {}, None
c.sock.settimeout(60)
# Two exits reaped in one turn are told one per resume, in no set order:
# the parent's may come before its last child's.
while parent_exit is None or len(exits) < len(kids):
    c.send("vCont;c")
    r = c.reply()
    m = re.search(r"fork:p([0-9a-f]+)\.", r)
    if r.startswith("T") and m:
        kids.add(int(m.group(1), 16))
        continue
    m = re.match(r"W([0-9a-f]+);process:([0-9a-f]+)", r)
    if m:
        pid, code = int(m.group(2), 16), int(m.group(1), 16)
        if pid == parent:
            parent_exit = code
        else:
            exits[pid] = code
        continue
    if not r.startswith("T"):
        print("unexpected", r)
        break
print("forks", len(kids))
print("exits", len(exits), "of kept children", len(set(exits) & kids))
print("codes", sorted(exits.values()) == sorted(i % 200 + 1 for i in range(n)))
print("parent", parent_exit)
PY
out="$T/client.out"
contains "$out" '^features True$' "fork-events+ is offered"
contains "$out" "^forks $N\$" "$N fork stops, each naming its child"
contains "$out" "^exits $N of kept children $N\$" "$N children's exits, none lost"
contains "$out" '^codes True$' "each child's own exit code"
contains "$out" '^parent 0$' "the parent exits 0: it saw every child exit right"
contains "$T/server.out" '^stopped-seen 0$' "the parent's waitpid saw no stop"
server_gone 20
ok $? "the server ends"
done_testing
