#!/bin/bash
# lldb-server's non-stop mode, which lldb 16's own tests (TestNonStop,
# TestGdbRemoteForkNonStop) check packet by packet: a process stops as a
# whole (the event's thread first, then each other thread, T00); resuming
# a process that runs is E37; 't' for one thread is E03; '?' tells the
# same round again; the program's output comes as %Stdio notifications
# taken with vStdio; acknowledging nothing is Eff; k is OK, then X09 as a
# stop.  The program is tests/progs/stopper.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server --multi :0
ok $? "server started"
python3 - "$top_srcdir/tests/tools" "$PORT" "$PROGS/stopper" \
    >"$T/ns.out" 2>&1 <<'PY'
import binascii, re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
def say(what, got):
    print("%s %s" % (what, got))
def tid(stop):
    return re.search(r"thread:p[0-9a-f]+\.([0-9a-f]+);", stop).group(1)
output = []
stdio = []          # %Stdio notifications not yet taken
def take_output():
    """Every %Stdio so far, each with its vStdio round."""
    stdio.extend(n for n, _ in c.notes if n.startswith("Stdio:"))
    c.notes = [n for n in c.notes if not n[0].startswith("Stdio:")]
    while stdio:
        n = stdio.pop(0)
        if not n.startswith("Stdio:O"):
            say("unexpected", n)
            continue
        output.append(bytes.fromhex(n[len("Stdio:O"):]).decode())
        r = c.request("vStdio")
        while r.startswith("O") and r != "OK":
            output.append(bytes.fromhex(r[1:]).decode())
            r = c.request("vStdio")
        say("vStdio-end", r)
def stop_note():
    """The next %Stop; any %Stdio meanwhile is kept for take_output."""
    while True:
        text, _ = c.note()
        if text.startswith("Stop:"):
            return text[5:]
        stdio.append(text)
r = c.request("qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+")
r = c.request("vRun;" + binascii.hexlify(sys.argv[3].encode()).decode())
pid = re.search(r"thread:p([0-9a-f]+)\.", r).group(1)
say("nonstop", c.request("QNonStop:1"))
say("c", c.request("c"))
first = stop_note()
say("first", first[:3])
rnd = [first]
while True:
    r = c.request("vStopped")
    if r == "OK":
        break
    rnd.append(r)
say("round", " ".join(s[:3] for s in rnd))
say("round-threads", len(set(tid(s) for s in rnd)))
say("vStopped-nothing", c.request("vStopped"))
again = [c.request("?")]
while True:
    r = c.request("vStopped")
    if r == "OK":
        break
    again.append(r)
say("status-same", [(s[:3], tid(s)) for s in again] ==
    [(s[:3], tid(s)) for s in rnd])
say("t-one-thread", c.request("vCont;t:p%s.%s" % (pid, tid(rnd[1]))))
main = tid(first)
say("resume", c.request("vCont;C0a:p%s.%s;c" % (pid, main)))
say("resume-again", c.request("c"))
say("vCont-again", c.request("vCont;c:p%s.%s" % (pid, tid(rnd[1]))))
# Both messages: the first before the stop, the second after.
import socket, time
deadline = time.time() + 10
c.sock.settimeout(1)
while "".join(output).count("message") < 2 and time.time() < deadline:
    try:
        stdio.append(c.note()[0])
    except socket.timeout:
        pass
    take_output()
c.sock.settimeout(10)
say("output", repr("".join(output).replace("\r", "")))
say("vStdio-nothing", c.request("vStdio"))
say("k", c.request("k"))
say("killed", stop_note())
say("vStopped-last", c.request("vStopped"))
PY
out="$T/ns.out"
contains "$out" '^nonstop OK$' "QNonStop:1"
contains "$out" '^c OK$' "c is OK, the stop comes as a notification"
contains "$out" '^first T0a$' "the stop is the program's SIGUSR1, in Linux's number"
contains "$out" '^round T0a T00$' "then the process's other thread, stopped with it: T00"
contains "$out" '^round-threads 2$' "one stop per thread"
contains "$out" '^vStopped-nothing Eff$' "vStopped with nothing to take is Eff"
contains "$out" '^status-same True$' "'?' tells the same round, the event's thread first"
contains "$out" '^t-one-thread E03$' "vCont;t for one thread is E03"
contains "$out" '^resume OK$' "vCont;C0a;c resumes the process"
contains "$out" '^resume-again E37$' "c while it runs is E37"
contains "$out" '^vCont-again E37$' "vCont;c of its other thread is E37"
contains "$out" "^output 'message 1\\\\nmessage 2\\\\n'\$" "both messages come, in order, as %Stdio and vStdio"
contains "$out" '^vStdio-end OK$' "vStdio ends each round with OK"
contains "$out" '^vStdio-nothing Eff$' "vStdio with nothing to take is Eff"
contains "$out" '^k OK$' "k is OK"
contains "$out" '^killed X09;process:' "and the kill comes as a stop"
contains "$out" '^vStopped-last OK$' "taken with vStopped"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "the server ends"

# Past GDB_MAX_STDIO_QUEUE %Stdio packets not taken, the terminal is not
# read: the program waits in write(2), and once lldb takes them every
# byte comes, in order (seq prints far more than the queue holds).
start_server --multi :0
python3 - "$top_srcdir/tests/tools" "$PORT" "$(command -v seq)" \
    >"$T/flood.out" 2>&1 <<'PY'
import binascii, sys, time
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
c.request("qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+")
args = [sys.argv[3], "1", "60000"]
c.request("vRun;" + ";".join(binascii.hexlify(a.encode()).decode()
                             for a in args))
c.request("QNonStop:1")
print("c", c.request("c"))
first, _ = c.note()
time.sleep(1)               # no vStdio: the queue fills, then the reader waits
c.sock.settimeout(0.5)
early = []
try:
    while True:
        early.append(c.note()[0])
except Exception:
    pass
c.sock.settimeout(20)
print("held", not any(n.startswith("Stop:") for n in early))
print("one-note", early == [])
out = [bytes.fromhex(first[len("Stdio:O"):])]
exited = None
while True:
    r = c.request("vStdio")
    if r == "OK":
        break
    out.append(bytes.fromhex(r[1:]))
# What is read after the drain comes as new notifications, then the exit.
while exited is None:
    text, _ = c.note()
    if text.startswith("Stop:"):
        exited = text[5:]
        continue
    out.append(bytes.fromhex(text[len("Stdio:O"):]))
    while True:
        r = c.request("vStdio")
        if r == "OK":
            break
        out.append(bytes.fromhex(r[1:]))
want = "".join("%d\r\n" % i for i in range(1, 60001)).encode()
print("exit", exited)
print("bytes", len(b"".join(out)), len(want))
print("same", b"".join(out) == want)
PY
out="$T/flood.out"
contains "$out" '^c OK$' "flood: c is OK"
contains "$out" '^held True$' "flood: with the queue full the program is held back, not ended"
contains "$out" '^one-note True$' "flood: one %Stdio is told until it is taken"
contains "$out" '^exit W00' "flood: the program ends once its output is taken"
contains "$out" '^same True$' "flood: every byte comes, in order"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "flood: the server ends"
done_testing
