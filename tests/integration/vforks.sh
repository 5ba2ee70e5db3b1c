#!/bin/bash
# Two threads vfork at once, their children kept (fork events): each
# thread's vforkdone is told, not only the first one's.  gdb, following
# the parent, detaches each child and waits for that thread's vforkdone
# (gdb.threads/next-fork-other-thread.exp with vfork asserted when one
# never came).  The client here does what gdb does: D;CHILD, then
# resumes the vforking thread alone until its vforkdone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server --once :0 "$PROGS/vforks"
ok $? "server started"
python3 - "$top_srcdir/tests/tools" "$PORT" >"$T/vforks.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+;fork-events+;vfork-events+;swbreak+")
done = set()
vforks = 0
r = c.request("vCont;c")
while not r.startswith("W"):
    m = re.search(r"thread:p([0-9a-f]+)\.([0-9a-f]+);vfork:p([0-9a-f]+)\.", r)
    if m:
        vforks += 1
        pid, tid, child = m.groups()
        print("detach", c.request("D;" + child))
        r = c.request("vCont;c:p%s.%s" % (pid, tid))
        print("then", "vforkdone" in r and "thread:p%s.%s;" % (pid, tid) in r)
        if "vforkdone" in r:
            done.add(tid)
            r = c.request("vCont;c")
        continue
    # Anything else (a signal): pass it on.
    r = c.request("vCont;C%s" % r[1:3]) if r.startswith("T") else c.request("vCont;c")
print("vforks", vforks)
print("vforkdones", len(done))
print("end", r[:3])
PY
out="$T/vforks.out"
contains "$out" '^vforks 2$' "both vforks are told"
[ "$(grep -c '^detach OK$' "$out")" = 2 ]
ok $? "each child is detached"
[ "$(grep -c '^then True$' "$out")" = 2 ]
ok $? "each vforking thread, resumed alone, tells its own vforkdone"
contains "$out" '^vforkdones 2$' "two vforkdones, one per thread"
contains "$out" '^end W00$' "the program runs to its end"
server_gone 20
ok $? "the server ends"
contains "$T/server.out" '^vforks 1 2$' "both children ran and exited"
done_testing
