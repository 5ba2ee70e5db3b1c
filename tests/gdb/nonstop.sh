#!/bin/bash
# Non-stop mode (QNonStop:1, %Stop and vStopped, vCont;t, vCtrlC): stock
# gdb 13 with threads stopping on their own, a parent running while its
# kept child sits at a breakpoint, and 100 children kept at once on one
# connection with none lost.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server --multi :0
ok $? "the server listens"

# 1. Threads: one stops at the breakpoint, the others run on.
run_gdb threads "$PROGS/threads" \
	"set non-stop on" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/threads" \
	"break worker" "run" "echo ==threads\\n" "info threads" \
	"delete" "continue -a"
out="$T/threads.out"
contains "$out" 'hit Breakpoint 1, worker \(arg=' "threads: a worker stops at the breakpoint"
[ "$(sed -n '/^==threads/,$p' "$out" | grep -c '(running)$')" -ge 1 ]
ok $? "threads: the others are running meanwhile"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' \
    "threads: the program runs to its end"

# 2. Two processes: the child at a breakpoint, the parent running.
run_gdb fork "$PROGS/forkonce" \
	"set non-stop on" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/forkonce" \
	"set detach-on-fork off" "break child_work" "run" \
	"echo ==threads\\n" "info threads" "continue -a"
out="$T/fork.out"
contains "$out" 'Thread 2\.1 "forkonce" hit Breakpoint 1\.2, child_work' \
    "fork: the child stops at its breakpoint"
contains "$out" '^\* 1\.1 +Thread [0-9.]+ "forkonce" \(running\)$' \
    "fork: the parent runs meanwhile"
contains "$out" '^\[Inferior 2 \(process [0-9]+\) exited with code 07\]$' \
    "fork: the child exits on its own"
kill "$SERVER_PID"
server_gone 10

# 3. 100 children kept at once, each stopping and going on its own.
N=100
rm -f "$T/server.log" "$T/server.out"
start_server --fork-mode multiplex :0 "$PROGS/forker" "$N"
python3 - "$top_srcdir/tests/tools" "$PORT" "$N" >"$T/many.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
n = int(sys.argv[3])
c.request("qSupported:multiprocess+;swbreak+;fork-events+;vfork-events+")
c.request("QPassSignals:14")
parent = int(re.match(r"QCp([0-9a-f]+)", c.request("qC")).group(1), 16)
print("nonstop", c.request("QNonStop:1"))
print("status", c.request("?")[:3])
while c.request("vStopped") != "OK":
    pass
c.sock.settimeout(60)
kids, exits, parent_exit = set(), {}, None

def handle(stop):
    global parent_exit
    m = re.search(r"fork:p([0-9a-f]+)\.", stop)
    if stop.startswith("T") and m:
        kid = int(m.group(1), 16)
        kids.add(kid)
        # The parent and its kept child go on, each on its own.
        return ["vCont;c:p%x.-1" % parent, "vCont;c:p%x.-1" % kid]
    m = re.match(r"[WX]([0-9a-f]+);process:([0-9a-f]+)", stop)
    if m:
        pid = int(m.group(2), 16)
        if pid == parent:
            parent_exit = int(m.group(1), 16)
        else:
            exits[pid] = int(m.group(1), 16)
        return []
    t = re.search(r"thread:p([0-9a-f]+)\.([0-9a-f]+);", stop)
    return ["vCont;c:p%s.%s" % (t.group(1), t.group(2))] if t else []

print("cont", c.request("vCont;c"))
while parent_exit is None or len(exits) < len(kids):
    text, fds = c.note()
    assert text.startswith("Stop:"), text
    todo = handle(text[5:])
    while True:
        r = c.request("vStopped")
        if r == "OK":
            break
        todo += handle(r)
    for p in todo:
        r = c.request(p)
        if r != "OK":
            print("resume", p, r)
print("forks", len(kids))
print("exits", len(exits), "of kept children", len(set(exits) & kids))
print("codes", sorted(exits.values()) == sorted(i % 200 + 1 for i in range(n)))
print("parent", parent_exit)
PY
out="$T/many.out"
contains "$out" '^nonstop OK$' "QNonStop:1 is taken"
contains "$out" '^cont OK$' "vCont replies OK at once in non-stop"
contains "$out" "^forks $N\$" "many: $N fork stops, as notifications"
contains "$out" "^exits $N of kept children $N\$" "many: $N children's exits, none lost"
contains "$out" '^codes True$' "many: each child's own exit code"
contains "$out" '^parent 0$' "many: the parent exits 0"
lacks "$out" '^resume ' "many: every resume was taken"
server_gone 20
ok $? "the server ends"

# 4. vCont;t and vCtrlC stop a running thread, told as a %Stop.
start_server :0 "$PROGS/spin"
python3 - "$top_srcdir/tests/tools" "$PORT" >"$T/stop.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+")
pid = int(re.match(r"QCp([0-9a-f]+)", c.request("qC")).group(1), 16)
c.request("QNonStop:1")
c.request("?")
while c.request("vStopped") != "OK":
    pass
print("cont", c.request("vCont;c"))
print("t", c.request("vCont;t:p%x.%x" % (pid, pid)))
text, _ = c.note()
print("stop", text[:8], "thread:p%x.%x;" % (pid, pid) in text)
print("vstopped", c.request("vStopped"))
print("cont", c.request("vCont;c"))
print("ctrlc", c.request("vCtrlC"))
text, _ = c.note()
print("int", text[:8])
print("vstopped", c.request("vStopped"))
print("all-stop", c.request("QNonStop:0"))
c.send("k")
PY
out="$T/stop.out"
contains "$out" '^t OK$' "vCont;t replies OK"
contains "$out" '^stop Stop:T00 True$' "the thread's stop is told as %Stop:T00"
contains "$out" '^ctrlc OK$' "vCtrlC replies OK"
contains "$out" '^int Stop:T02' "and the interrupt is told as a SIGINT stop"
contains "$out" '^all-stop OK$' "QNonStop:0 goes back to all-stop"
server_gone 20
ok $? "the server ends"

# 5. While every thread runs, memory is read and a breakpoint planted
#    (gdb does so in non-stop, e.g. gdb.multi/start-inferior-specific.exp
#    plants in a running inferior): /proc/PID/mem serves a running process.
start_server :0 "$PROGS/spin"
pid=$(inferior_pid)
python3 - "$top_srcdir/tests/tools" "$PORT" "$PROGS/spin" "$pid" \
    >"$T/running.out" 2>&1 <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
from rsp import Rsp, symbol
prog, pid = sys.argv[3], int(sys.argv[4])
ticks, tick = symbol(prog, pid, "ticks"), symbol(prog, pid, "tick")
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+;swbreak+")
c.nonstop()
print("cont", c.request("vCont;c"))
time.sleep(0.2)
a = int.from_bytes(bytes.fromhex(c.request("m%x,8" % ticks)), "little")
time.sleep(0.2)
b = int.from_bytes(bytes.fromhex(c.request("m%x,8" % ticks)), "little")
print("advancing", b > a > 0)
print("Z0", c.request("Z0,%x,1" % tick))
text, _ = c.note()
print("hit", text.startswith("Stop:T05") and "swbreak" in text)
print("vStopped", c.request("vStopped"))
print("z0", c.request("z0,%x,1" % tick))
print("detach", c.request("D;%x" % pid))
# No process left: gdb may still ask to stop a thread whose end it has
# not read (gdb.multi/multi-exit.exp); resuming is an error.
print("stop-gone", c.request("vCont;t:p%x.%x" % (pid, pid)))
print("cont-gone", c.request("vCont;c"))
print("empty", c.request("vCont;"))
c.send("k")
PY
out="$T/running.out"
contains "$out" '^cont OK$' "running: every thread resumed"
contains "$out" '^advancing True$' "running: memory is read while they run (the counter moves)"
contains "$out" '^Z0 OK$' "running: a breakpoint is planted while they run"
contains "$out" '^hit True$' "running: and a running thread stops at it"
contains "$out" '^detach OK$' "running: the program is detached"
contains "$out" '^stop-gone OK$' "running: vCont;t of a thread whose process is gone is OK"
contains "$out" '^cont-gone E03$' "running: resuming with no process is E03"
contains "$out" '^empty E16$' "running: a vCont with no action is malformed"
kill -9 "$pid" 2>/dev/null	# detached above, it would spin on
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "running: the server ends"
# 6. Attach in non-stop (gdb.multi/multi-term-settings.exp): vAttach says
#    OK and the stop comes as a notification; a stop reply in its place
#    made gdb 13 say "Attaching to process failed with: T00...".
"$PROGS/spin" >"$T/spin.out" 2>&1 &
spin=$!
wait_for "$T/spin.out" '^spin ready' 10
start_server --multi :0
run_gdb attach "$PROGS/spin" \
	"set non-stop on" \
	"target extended-remote :$PORT" \
	"attach $spin" \
	"echo ==threads\\n" \
	"info threads" \
	"detach"
out="$T/attach.out"
lacks "$out" 'failed with' "attach: gdb takes the non-stop attach"
[ "$(sed -n '/^==threads/,$p' "$out" | grep -c ' "spin" ')" -eq 2 ]
ok $? "attach: both threads are listed"
contains "$out" "^\\[Inferior 1 \\(process $spin\\) detached\\]\$" "attach: and detached"
kill -0 "$spin" 2>/dev/null
ok $? "attach: the program runs on after the detach"
kill -9 "$spin" 2>/dev/null
kill "$SERVER_PID" 2>/dev/null
wait "$spin" 2>/dev/null
server_gone 20
ok $? "attach: the server ends"

# 7. gdb's Hg stands while stops are told: a stop formatted as it
#    happens must not move the general thread (gdb's next P would land on
#    another thread: gdb.threads/next-fork-other-thread.exp, displaced
#    stepping with forks).  Each worker of threads stops at worker_step,
#    10 ms apart; between two stops gdb's Hg names the first.  (The
#    second stop may come from the drain instead: then a step of that
#    worker makes the stop told after the Hg.)
start_server :0 "$PROGS/threads"
pid=$(inferior_pid)
python3 - "$top_srcdir/tests/tools" "$PORT" "$PROGS/threads" "$pid" \
    >"$T/hg.out" 2>&1 <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp, symbol
prog, pid = sys.argv[3], int(sys.argv[4])
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+;swbreak+")
c.nonstop()
print("Z0", c.request("Z0,%x,1" % symbol(prog, pid, "worker_step")))
c.request("vCont;c")
text, _ = c.note()
first = re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", text).group(1)
# Workers that stopped before the drain ended are told by it, not by a
# note: then one of them is stepped, so that a stop is still formatted
# after the Hg (a slow server may have queued them all).
early = c.drain()
print("Hg", c.request("Hgp%x.%s" % (pid, first)))
if early:
    tid = re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", early[0]).group(1)
    c.request("vCont;s:p%x.%s" % (pid, tid))
text, _ = c.note()              # the next worker's stop, told meanwhile
second = re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", text).group(1)
print("two", first != second)
middle = c.request("p5")        # rdi: worker_step's id argument
# Each thread's own, selected explicitly.
c.request("Hgp%x.%s" % (pid, first))
mine = c.request("p5")
c.request("Hgp%x.%s" % (pid, second))
other = c.request("p5")
print("ids differ", mine != other)
print("same", middle == mine)
c.send("k")
PY
out="$T/hg.out"
contains "$out" '^Z0 OK$' "hg: a breakpoint in worker_step"
contains "$out" '^Hg OK$' "hg: gdb selects the first worker to stop"
contains "$out" '^two True$' "hg: another worker's stop is told meanwhile"
contains "$out" '^ids differ True$' "hg: the two workers have their own ids"
contains "$out" '^same True$' "hg: the register read still comes from the thread gdb selected"
server_gone 20
ok $? "hg: the server ends"

# 8. A wildcard vCont;c leaves threads whose stops wait in the vStopped
#    queue, not yet pulled (gdb may send the vCont before the %Stop reaches
#    it; gdbserver: "has queued stop reply").  Two workers stop at
#    worker_step; neither stop is pulled when vCont;c comes.
start_server :0 "$PROGS/threads"
pid=$(inferior_pid)
python3 - "$top_srcdir/tests/tools" "$PORT" "$PROGS/threads" "$pid" \
    >"$T/queued.out" 2>&1 <<'PY'
import re, sys, time
sys.path.insert(0, sys.argv[1])
from rsp import Rsp, symbol
prog, pid = sys.argv[3], int(sys.argv[4])
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:multiprocess+;swbreak+")
c.nonstop()
bp = symbol(prog, pid, "worker_step")
c.request("Z0,%x,1" % bp)
c.request("vCont;c")
text, _ = c.note()
first = int(re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", text).group(1), 16)
time.sleep(0.2)                 # the next worker stops too, queued
# Out of the way: resumed, a worker would now run to its end.
c.request("z0,%x,1" % bp)
print("wildcard", c.request("vCont;c"))
time.sleep(0.2)
def state(tid):
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"
print("first", state(first))
r = c.request("vStopped")
second = int(re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", r).group(1), 16)
print("second", r[:3], state(second))
c.send("k")
PY
out="$T/queued.out"
contains "$out" '^wildcard OK$' "queued: vCont;c is taken"
contains "$out" '^first t$' "queued: the worker whose stop gdb has not pulled stays stopped"
contains "$out" '^second T05 t$' "queued: and so does the one queued behind it"
server_gone 20
ok $? "queued: the server ends"
done_testing
