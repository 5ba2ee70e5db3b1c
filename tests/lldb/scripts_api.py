"""scripts_api.py -- lldb 16's Python API drives debugger/lldb/handoff.py.

    scripts_api.py MODULE PROG URL MODE [ARGS]

URL is where lldb connects (process connect -p gdb-remote URL).  MODE:
  three     forkthree's three children each open in a target of their
            own (handoff watch --copy-breakpoints), each stopped at
            child_work while the parent is stopped at parent_done; then
            all run to their exits.
  exec      --exec /true$: forkthree /bin/true; only child 1, which
            execs /bin/true, is opened; the others run to their exits.
  gone      the daemon is killed while lldb watches (ARGS: its pid):
            the watch ends with a message; handoff wait fails at once.
  bad       bad input, one command at a time (ARGS: the daemon's
            address and its log; it runs --fork-mode handoff): wrong
            addresses, usage errors, a second watch, a claim of a child
            killed while held, then a claim of a live one.

Prints "ok - X" / "not ok - X" lines for tests/lib.sh's tap_from.
"""
import os
import signal
import sys
import time

import lldb

MODULE, PROG, URL, MODE = sys.argv[1:5]
ARGS = sys.argv[5:]
failed = 0


def ok(cond, what, detail=""):
    global failed
    print("%s - %s%s" % ("ok" if cond else "not ok", what,
                         "" if cond or not detail else " (%s)" % detail))
    failed += not cond
    sys.stdout.flush()


d = lldb.SBDebugger.Create()
d.SetAsync(False)
ci = d.GetCommandInterpreter()


def run(cmd):
    r = lldb.SBCommandReturnObject()
    ci.HandleCommand(cmd, r)
    out = (r.GetOutput() or "") + (r.GetError() or "")
    sys.stderr.write("(lldb) %s\n%s" % (cmd, out))
    return r.Succeeded(), out


def pump():
    """Take the debugger's pending process events, as lldb's own event
    thread does, so each target's public state is current."""
    ev = lldb.SBEvent()
    while d.GetListener().GetNextEvent(ev):
        pass


def stopped_in(target, fn):
    p = target.GetProcess()
    if p.GetState() != lldb.eStateStopped:
        return False
    for t in p:
        if t.GetStopReason() == lldb.eStopReasonBreakpoint and \
                t.GetFrameAtIndex(0).GetFunctionName() == fn:
            return True
    return False


def parent_setup(extra="", before=()):
    good, out = run("target create %s" % PROG)
    ok(good, "target create")
    good, out = run("process connect -p gdb-remote %s" % URL)
    ok(good, "lldb connects to handoffd at %s" % URL, out)
    good, out = run("command script import %s" % MODULE)
    ok(good, "command script import handoff.py", out)
    for cmd in before:
        run(cmd)
    if extra is not None:
        good, out = run("handoff watch %s" % extra)
        ok(good and "watching process" in out,
           "handoff watch: " + out.strip())
    return d.GetSelectedTarget()


def three():
    parent = d.GetSelectedTarget()
    good, out = run("continue")
    ok(stopped_in(parent, "parent_done"), "the parent stops at parent_done",
       out)
    good, out = run("handoff wait 3 --timeout 60")
    ok(good, "handoff wait 3: three children opened", out)
    pump()
    ok(d.GetNumTargets() == 4, "four targets: the parent and three children",
       d.GetNumTargets())
    kids = [d.GetTargetAtIndex(i) for i in range(1, d.GetNumTargets())]
    ppid = parent.GetProcess().GetProcessID()
    pids = set()
    for k in kids:
        p = k.GetProcess()
        pids.add(p.GetProcessID())
        ok(p.GetState() == lldb.eStateStopped and
           p.GetSelectedThread().GetStopReason() == lldb.eStopReasonSignal and
           p.GetSelectedThread().GetStopReasonDataAtIndex(0) ==
           signal.SIGSTOP,
           "child %d: stopped at its fork (SIGSTOP)" % p.GetProcessID(),
           d.StateAsCString(p.GetState()))
        ok(k.GetNumBreakpoints() == 2,
           "child %d: the parent's 2 breakpoints copied" % p.GetProcessID(),
           k.GetNumBreakpoints())
    ok(len(pids) == 3 and ppid not in pids, "three distinct children")
    good, out = run("handoff list")
    ok(good and all(("child %d of %d (fork): target #" % (pid, ppid)) in out
                    for pid in pids), "handoff list names each child", out)
    ids = set()
    for i, k in enumerate(kids):
        d.SetSelectedTarget(k)
        run("continue")
        pump()
        p = k.GetProcess()
        ok(stopped_in(k, "child_work"),
           "child %d stops at child_work in target #%d" %
           (p.GetProcessID(), i + 1))
        v = p.GetSelectedThread().GetFrameAtIndex(0).FindVariable("id")
        ids.add(v.GetValueAsSigned(-1))
    ok(ids == {0, 1, 2}, "the children are ids 0, 1 and 2", ids)
    ok(stopped_in(parent, "parent_done") and
       all(stopped_in(k, "child_work") for k in kids),
       "at once: the parent at parent_done, each child at child_work")
    for k in kids:
        d.SetSelectedTarget(k)
        k.DeleteAllBreakpoints()
        id_ = k.GetProcess().GetSelectedThread().GetFrameAtIndex(0) \
            .FindVariable("id").GetValueAsSigned(-1)
        run("continue")
        pump()
        p = k.GetProcess()
        ok(p.GetState() == lldb.eStateExited and
           p.GetExitStatus() == 20 + id_,
           "child %d (id %d) exits %d" % (p.GetProcessID(), id_, 20 + id_),
           "%s %d" % (d.StateAsCString(p.GetState()), p.GetExitStatus()))
    d.SetSelectedTarget(parent)
    parent.DeleteAllBreakpoints()
    run("continue")
    p = parent.GetProcess()
    ok(p.GetState() == lldb.eStateExited and p.GetExitStatus() == 0,
       "the parent exits 0")
    good, out = run("handoff unwatch")
    ok(not good or "stopped watching" in out, "handoff unwatch", out)


def execfilter():
    parent = d.GetSelectedTarget()
    run("breakpoint set -n parent_done")
    good, out = run("continue")
    ok(stopped_in(parent, "parent_done"), "the parent stops at parent_done",
       out)
    good, out = run("handoff wait 1 --timeout 60")
    ok(good, "handoff wait 1: one child opened", out)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        good, out = run("handoff list")
        if out.count("not opened") == 2:
            break
        time.sleep(0.2)
    ok(out.count("ended before an exec") == 2,
       "the two children that never exec are not opened", out)
    pump()
    ok(d.GetNumTargets() == 2, "two targets: the parent and the exec'd child",
       d.GetNumTargets())
    k = d.GetTargetAtIndex(1)
    ok(k.GetExecutable().GetFilename() == "true",
       "the child's target is /bin/true's", k.GetExecutable().fullpath)
    d.SetSelectedTarget(k)
    run("continue")
    pump()
    p = k.GetProcess()
    ok(p.GetState() == lldb.eStateExited and p.GetExitStatus() == 0,
       "the exec'd child runs /bin/true to exit 0",
       "%s %d" % (d.StateAsCString(p.GetState()), p.GetExitStatus()))
    d.SetSelectedTarget(parent)
    parent.DeleteAllBreakpoints()
    run("continue")
    ok(parent.GetProcess().GetState() == lldb.eStateExited,
       "the parent exits")
    run("handoff unwatch")


def gone():
    parent = d.GetSelectedTarget()
    os.kill(int(ARGS[0]), signal.SIGKILL)
    t0 = time.monotonic()
    good, out = run("handoff wait 1 --timeout 30")
    ok(not good and "no watch is running" in out,
       "handoff wait after the daemon died: an error, not a hang", out)
    ok(time.monotonic() - t0 < 25, "handoff wait did not sit out its timeout")
    good, out = run("handoff list")
    ok(good and "not watching" in out, "handoff list: not watching", out)
    good, out = run("handoff watch")
    ok(not good and "handoff:" in out, "handoff watch again: an error", out)
    del parent


def expect_error(cmd, text, what):
    good, out = run(cmd)
    ok(not good and text in out, what, out.strip())


def bad():
    addr, log = ARGS
    expect_error("handoff watch --connect 127.0.0.1:1",
                 "handoff: cannot reach handoffd at 127.0.0.1:1: "
                 "Connection refused", "a port nobody listens on")
    expect_error("handoff watch --connect /nonexistent/sock",
                 "cannot reach handoffd at /nonexistent/sock: No such file",
                 "a socket path that does not exist")
    expect_error("handoff watch --connect nonsense",
                 "'nonsense' is not an address handoffd listens on",
                 "an address that is not one")
    expect_error("handoff wait 1 --timeout 1",
                 "0 of 1 children opened, and no watch is running",
                 "wait with no watch: an error at once")
    expect_error("handoff claim 1 --connect %s" % addr,
                 "claiming child 1: ", "a claim of pid 1: refused, with why")
    expect_error("handoff wait 1 --timeout 0", "--timeout: 0 < SECONDS",
                 "wait --timeout 0: a usage error")
    expect_error("handoff wait 1 --timeout 3601",
                 "--timeout: 0 < SECONDS <= 3600",
                 "wait --timeout 3601, past WAIT_TIMEOUT_MAX: a usage error")
    good, out = run("handoff wait 0 --timeout 3600")
    ok(good, "wait 0 --timeout 3600, at the limit: done at once", out)
    expect_error("handoff frobnicate", "invalid choice: 'frobnicate'",
                 "an unknown subcommand")
    good, out = run("handoff watch")
    ok(good, "a watch found from lldb's own connection", out)
    expect_error("handoff watch", "already watching process",
                 "a second watch: refused")
    t0 = time.monotonic()
    expect_error("handoff wait 1 --timeout 1",
                 "0 of 1 children opened in 1 s",
                 "wait with nothing coming: times out with the count")
    ok(time.monotonic() - t0 < 10, "and in about its timeout")
    run("handoff unwatch")
    # --fork-mode handoff, no watcher: the children are held for a claim.
    parent = d.GetSelectedTarget()
    run("breakpoint set -n parent_done")
    run("continue")
    ok(stopped_in(parent, "parent_done"), "the parent stops at parent_done")
    held = []
    deadline = time.monotonic() + 20
    while len(held) < 3 and time.monotonic() < deadline:
        held = [int(p) for p in __import__("re").findall(
            r"child (\d+) of \d+ held at its fork", open(log).read())]
        time.sleep(0.1)
    ok(len(held) == 3, "three children held", held)
    os.kill(held[0], signal.SIGKILL)
    deadline = time.monotonic() + 20
    gone = "child %d (parent %d, fork) killed by signal 9 while held" % (
        held[0], parent.GetProcess().GetProcessID())
    while time.monotonic() < deadline and gone not in open(log).read():
        time.sleep(0.1)
    ok(gone in open(log).read(), "the server logs the held child's death")
    expect_error("handoff claim %d --connect %s" % (held[0], addr),
                 "claiming child %d: no such process" % held[0],
                 "a claim of a child killed while held: no such process")
    good, out = run("handoff claim %d --connect %s" % (held[1], addr))
    ok(good and d.GetNumTargets() == 2,
       "a claim of a live held child opens it", out)
    pump()
    k = d.GetTargetAtIndex(1)
    ok(k.GetProcess().GetProcessID() == held[1] and
       k.GetProcess().GetState() == lldb.eStateStopped,
       "its target is stopped at the fork")
    d.SetSelectedTarget(k)
    run("continue")
    pump()
    ok(k.GetProcess().GetState() == lldb.eStateExited and
       k.GetProcess().GetExitStatus() == 20 + held.index(held[1]),
       "and runs to its exit (21)")
    d.SetSelectedTarget(parent)
    run("process kill")


if MODE == "three":
    parent_setup("--copy-breakpoints", ["breakpoint set -n parent_done",
                                        "breakpoint set -n child_work"])
    three()
elif MODE == "exec":
    parent_setup("--exec /true$")
    execfilter()
elif MODE == "bad":
    parent_setup(None)
    bad()
elif MODE == "gone":
    parent_setup()
    gone()
lldb.SBDebugger.Destroy(d)
sys.exit(1 if failed else 0)
