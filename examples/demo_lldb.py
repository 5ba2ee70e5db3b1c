"""demo_lldb.py -- the demo's first half: lldb debugs prefork's master and
each of its workers in sessions of their own, through handoffd.

    demo_lldb.py HANDOFF_PY PROGRAM URL

Stock lldb 16, driven through its Python API so the demo needs no input:
  1. connect to handoffd (URL), load the handoff commands, break in
     all_workers_started and `handoff watch`: each worker the master forks
     becomes a target of its own, on its own connection;
  2. with the master stopped there and each worker stopped at its fork,
     break in handle_request in every worker and in dispatch in the
     master, and let all four run, each session stopping and going on by
     itself;
  3. print, session by session, what each one saw.
Exits 0 when all four processes ran to their ends.
"""
import sys
import time

import lldb

HANDOFF_PY, PROGRAM, URL = sys.argv[1:4]
RUN_TIMEOUT = 60.0          # seconds for the whole run


class Session:
    def __init__(self, name, target):
        self.name = name
        self.target = target
        self.seen = []
        self.done = False

    @property
    def pid(self):
        return self.target.GetProcess().GetProcessID()


d = lldb.SBDebugger.Create()
d.SetAsync(False)
ci = d.GetCommandInterpreter()


def command(cmd):
    r = lldb.SBCommandReturnObject()
    ci.HandleCommand(cmd, r)
    if not r.Succeeded():
        sys.exit("demo: (lldb) %s: %s" % (cmd, r.GetError().strip()))
    return r.GetOutput().strip()


def value(frame, expr):
    v = frame.EvaluateExpression(expr)
    s = v.GetSummary() or v.GetValue() or "?"
    return s.strip('"')


def pump():
    ev = lldb.SBEvent()
    while d.GetListener().GetNextEvent(ev):
        pass


print("(lldb) target create prefork")
command("target create %s" % PROGRAM)
print("(lldb) process connect -p gdb-remote %s" % URL)
command("process connect -p gdb-remote %s" % URL)
print("(lldb) command script import handoff.py")
command("command script import %s" % HANDOFF_PY)
print("(lldb) breakpoint set -n all_workers_started")
master_bp = d.GetSelectedTarget().BreakpointCreateByName("all_workers_started")
print("(lldb) handoff watch")
print("  " + command("handoff watch"))
print("(lldb) continue")
command("continue")
print("(lldb) handoff wait 3")
print("  " + command("handoff wait 3 --timeout 60"))
pump()
print("(lldb) target list")
for line in command("target list").splitlines():
    print("  " + line)

master = Session("the master", d.GetTargetAtIndex(0))
frame = master.target.GetProcess().GetSelectedThread().GetFrameAtIndex(0)
master.seen.append("stopped in %s(n=%s): workers %s, %s, %s forked" % (
    frame.GetFunctionName(), value(frame, "n"),
    value(frame, "workers[0].pid"), value(frame, "workers[1].pid"),
    value(frame, "workers[2].pid")))
sessions = {master.pid: master}
for i in range(1, d.GetNumTargets()):
    t = d.GetTargetAtIndex(i)
    w = Session("worker target #%d" % i, t)
    th = t.GetProcess().GetSelectedThread()
    w.seen.append("connected on a socket of its own; stopped at its fork "
                  "(%s)" % th.GetStopDescription(64))
    t.BreakpointCreateByName("handle_request")
    sessions[w.pid] = w

master.target.BreakpointDelete(master_bp.GetID())
master.target.BreakpointCreateByName("dispatch")

# Everyone runs; each session stops in its own breakpoint and goes on.
d.SetAsync(True)
for s in sessions.values():
    s.target.GetProcess().Continue()
deadline = time.monotonic() + RUN_TIMEOUT
ev = lldb.SBEvent()
while not all(s.done for s in sessions.values()):
    if time.monotonic() > deadline:
        sys.exit("demo: the run took more than %g s" % RUN_TIMEOUT)
    if not d.GetListener().WaitForEvent(1, ev):
        continue
    if not lldb.SBProcess.EventIsProcessEvent(ev) or \
            lldb.SBProcess.GetRestartedFromEvent(ev):
        continue
    p = lldb.SBProcess.GetProcessFromEvent(ev)
    s = sessions.get(p.GetProcessID())
    state = lldb.SBProcess.GetStateFromEvent(ev)
    if s is None:
        continue
    if state == lldb.eStateExited:
        s.seen.append("exited with status %d" % p.GetExitStatus())
        s.done = True
    elif state == lldb.eStateStopped:
        frame = p.GetSelectedThread().GetFrameAtIndex(0)
        fn = frame.GetFunctionName()
        if fn == "handle_request":
            if s.name.startswith("worker target"):
                s.name = "worker %s (pid %d), %s" % (value(frame, "id"),
                                                     s.pid, s.name[7:])
            s.seen.append("handle_request: %s %s" % (
                value(frame, "req->method"), value(frame, "req->path")))
        elif fn == "dispatch":
            s.seen.append("dispatch: request %s, \"%s\", to worker %s" % (
                value(frame, "n"), value(frame, "line"),
                value(frame, "w->id")))
        else:
            s.seen.append("stopped in %s" % fn)
        p.Continue()

print()
for s in sorted(sessions.values(), key=lambda s: s.name):
    print("session: %s%s" % (s.name, " (pid %d)" % s.pid
                             if s is master else ""))
    for line in s.seen:
        print("    " + line)
d.SetAsync(False)
command("handoff unwatch")
lldb.SBDebugger.Destroy(d)
