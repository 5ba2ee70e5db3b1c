#!/bin/bash
# lldb-server's rules for a parent and its forked child on one
# connection, which lldb 16's own tests (TestGdbRemoteFork) check byte
# for byte: in all-stop, one process resumes at a time (E03 for a vCont
# that reaches two); T says E01 for a process we do not debug and E02
# for a thread we do not have; Hg and Hc of a process we do not debug
# are Eff, and a thread named with another process's pid is no thread.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/forkonce"
ok $? "server started"
python3 - "$top_srcdir/tests/tools" "$PORT" >"$T/fork.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
def say(what, got):
    print("%s %s" % (what, got))
# What lldb 16 sends: its qSupported makes this an lldb session.
r = c.request("qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;"
              "fork-events+;vfork-events+")
say("fork-events", "fork-events+" in r)
c.request("QNonStop:0")
r = c.request("c")
m = re.search(r"fork:p([0-9a-f]+)\.([0-9a-f]+);", r)
say("fork-stop", m is not None)
child = int(m.group(1), 16)
parent = int(re.search(r"thread:p([0-9a-f]+)\.", r).group(1), 16)
say("vCont-all", c.request("vCont;c"))
say("vCont-p-1", c.request("vCont;c:p-1.-1"))
say("vCont-two", c.request("vCont;c:p%x.-1;c:p%x.-1" % (parent, child)))
say("T-parent", c.request("Tp%x.%x" % (parent, parent)))
say("T-child", c.request("Tp%x.%x" % (child, child)))
say("T-crossed", c.request("Tp%x.%x" % (parent, child)))
nobody = max(parent, child) + 1
while nobody in (parent, child):
    nobody += 1
say("T-no-process", c.request("Tp%x.%x" % (nobody, child)))
say("T-no-thread", c.request("Tp%x.%x" % (child, nobody)))
say("T-bare-no-thread", c.request("T%x" % nobody))
say("Hg-no-process", c.request("Hgp%x.%x" % (nobody, child)))
say("Hc-no-process", c.request("Hcp%x.%x" % (nobody, child)))
say("Hc-crossed", c.request("Hcp%x.%x" % (parent, child)))
# The child alone runs to its end; the parent stays stopped.
say("Hc-child", c.request("Hcp%x.%x" % (child, child)))
r = c.request("vCont;c:p%x.-1" % child)
while r.startswith("O"):
    r = c.reply()
say("child-end", r)
# With one process left, no thread id means that one; its SIGCHLD is
# passed on.
r = c.request("vCont;c")
while not r.startswith("W") and not r.startswith("X"):
    r = c.reply() if r.startswith("O") else c.request("vCont;C" + r[1:3])
say("parent-end", r)
PY
out="$T/fork.out"
contains "$out" '^fork-events True$' "lldb's qSupported gets fork-events+"
contains "$out" '^fork-stop True$' "the fork is told with the child's pid"
contains "$out" '^vCont-all E03$' "all-stop: vCont with no thread id and two processes is E03"
contains "$out" '^vCont-p-1 E03$' "all-stop: vCont;c:p-1.-1 with two processes is E03"
contains "$out" '^vCont-two E03$' "all-stop: vCont naming both processes is E03"
contains "$out" '^T-parent OK$' "T of the parent's thread is OK"
contains "$out" '^T-child OK$' "T of the child's thread is OK"
contains "$out" '^T-crossed E02$' "T of the child's thread under the parent's pid is E02"
contains "$out" '^T-no-process E01$' "T under a pid we do not debug is E01"
contains "$out" '^T-no-thread E02$' "T of a thread the child does not have is E02"
contains "$out" '^T-bare-no-thread E02$' "T of an unknown bare tid is E02"
contains "$out" '^Hg-no-process Eff$' "Hg of a process we do not debug is Eff"
contains "$out" '^Hc-no-process Eff$' "Hc of a process we do not debug is Eff"
contains "$out" '^Hc-crossed E15$' "Hc of the child's thread under the parent's pid is E15"
contains "$out" '^Hc-child OK$' "Hc of the child is OK"
contains "$out" '^child-end W07;process:' "the child runs alone to its exit (7)"
contains "$out" '^parent-end W00;process:' "then vCont;c resumes the one process left, to its end"
server_gone 20
ok $? "the server ends"
done_testing
