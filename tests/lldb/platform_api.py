#!/usr/bin/python3
# platform_api.py -- stock lldb 16's Python API against handoffd platform:
# several sessions at once through the one port, each in a worker of its
# own.  Prints TAP lines (numbered by the caller's count) on stdout.
#
# usage: platform_api.py URL PROGRAM REMOTE_DIR DAEMON_PID CHECKS...
#   lldb installs PROGRAM in REMOTE_DIR, once per session.
#   CHECKS: two    two sessions stopped at once, one listening socket,
#                  workers named after their programs, no capabilities
#           crash  SIGKILL one worker: its debuggee is gone, the other
#                  session goes on
#           attach PID: attach through the daemon; SIGKILL the worker:
#                  the process is left running and untraced
import os
import re
import signal
import sys
import time

import lldb

URL, PROG, REMOTE, DAEMON = sys.argv[1], sys.argv[2], sys.argv[3], \
    int(sys.argv[4])
CHECKS = sys.argv[5:]
results = []


def ok(cond, what):
    results.append((bool(cond), what))
    print("%s - %s" % ("ok" if cond else "not ok", what), flush=True)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def status_field(pid, name):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split(":", 1)[1].strip()
    return None


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return f.read().replace(b"\0", b" ").decode(errors="replace").strip()


def listening_sockets(pids):
    """TCP and unix sockets in LISTEN state held by any of pids."""
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir("/proc/%d/fd" % pid):
                try:
                    link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
                except OSError:
                    continue
                if link.startswith("socket:["):
                    inodes.add(link[8:-1])
        except OSError:
            continue
    found = []
    for table in ("tcp", "tcp6"):
        with open("/proc/net/" + table) as f:
            next(f)
            for line in f:
                col = line.split()
                if col[3] == "0A" and col[9] in inodes:
                    found.append(table + " " + col[1])
    with open("/proc/net/unix") as f:
        next(f)
        for line in f:
            col = line.split()
            # Flags 00010000 is __SO_ACCEPTCON: a listening socket.
            if col[3] == "00010000" and col[6] in inodes:
                found.append("unix " + (col[7] if len(col) > 7 else "?"))
    return found


class Session:
    def __init__(self, name):
        self.name = name
        self.dbg = lldb.SBDebugger.Create(False)
        self.dbg.SetAsync(False)
        self.platform = lldb.SBPlatform("remote-linux")
        err = self.platform.ConnectRemote(lldb.SBPlatformConnectOptions(URL))
        ok(err.Success(), "%s: platform connect %s (%s)" % (name, URL, err))
        self.dbg.SetSelectedPlatform(self.platform)
        err = lldb.SBError()
        self.target = self.dbg.CreateTarget(PROG, None, "remote-linux",
                                            True, err)
        ok(self.target.IsValid(), "%s: target created (%s)" % (name, err))
        self.remote = os.path.join(REMOTE, "remote-" + name)
        self.target.GetModuleAtIndex(0).SetPlatformFileSpec(
            lldb.SBFileSpec(self.remote))
        self.bp = self.target.BreakpointCreateByName("add")
        self.process = None

    def launch(self, args):
        info = lldb.SBLaunchInfo(args)
        info.SetExecutableFile(lldb.SBFileSpec(self.remote), True)
        err = lldb.SBError()
        self.process = self.target.Launch(info, err)
        ok(err.Success() and self.process.IsValid(),
           "%s: launched through the daemon (%s)" % (self.name, err))
        ok(self.process.GetState() == lldb.eStateStopped and
           self.process.GetSelectedThread().GetStopReason() ==
           lldb.eStopReasonBreakpoint,
           "%s: stopped at the breakpoint" % self.name)
        return self.process.GetProcessID()

    def var(self, name):
        frame = self.process.GetSelectedThread().GetFrameAtIndex(0)
        return frame.FindVariable(name).GetValueAsSigned(-1)

    def finish(self, status):
        self.target.BreakpointDelete(self.bp.GetID())
        self.process.Continue()
        ok(self.process.GetState() == lldb.eStateExited and
           self.process.GetExitStatus() == status,
           "%s: ran to its end, exit status %d (got %s, %d)" %
           (self.name, status,
            lldb.SBDebugger.StateAsCString(self.process.GetState()),
            self.process.GetExitStatus()))


def wait_gone(pid, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if status_field(pid, "State").startswith("Z"):
                return True
        except (OSError, AttributeError):
            return True
        time.sleep(0.05)
    return False


def check_two():
    a, b = Session("A"), Session("B")
    pa = a.launch(["3", "7"])
    pb = b.launch(["4", "9"])
    ok(pa != pb and pa > 0 and pb > 0, "two debuggees at once: %d, %d" %
       (pa, pb))
    wa = int(status_field(pa, "PPid"))
    wb = int(status_field(pb, "PPid"))
    workers = children(DAEMON)
    ok(wa != wb and wa in workers and wb in workers,
       "each in a worker of its own, children of the daemon")
    ok(status_field(pa, "TracerPid") == str(wa),
       "the worker is the debuggee's only tracer")
    ok(re.match(r"handoffd: session %d \S+$" % pa, cmdline(wa)),
       "the worker names itself: %r" % cmdline(wa))
    socks = listening_sockets([DAEMON] + workers)
    ok(len(socks) == 1, "one listening socket in all: %s" % socks)
    ok(status_field(pa, "CapEff") == "0000000000000000" and
       status_field(pa, "CapBnd") == "0000000000000000",
       "the debuggee has no capabilities (CapEff %s, CapBnd %s)" %
       (status_field(pa, "CapEff"), status_field(pa, "CapBnd")))
    ok(a.var("b") == 0 and b.var("b") == 0, "frame variables in both")
    a.process.Continue()
    ok(a.var("b") == 1 and b.var("b") == 0,
       "A moved on, B stayed where it was")
    a.finish(7)
    b.finish(9)
    ok(wait_gone(wa) and wait_gone(wb), "both workers ended with their "
       "sessions")


def check_crash():
    a, c = Session("A"), Session("C")
    a.launch(["2", "5"])
    pc = c.launch(["2", "6"])
    wc = int(status_field(pc, "PPid"))
    os.kill(wc, signal.SIGKILL)
    ok(wait_gone(pc), "SIGKILL of C's worker: C's debuggee is gone too")
    a.finish(5)


def check_attach(pid):
    a = Session("attach")
    err = lldb.SBError()
    proc = a.target.AttachToProcessWithID(lldb.SBListener(), pid, err)
    ok(err.Success() and proc.GetState() == lldb.eStateStopped,
       "attach to %d through the daemon (%s)" % (pid, err))
    worker = int(status_field(pid, "TracerPid"))
    ok(worker in children(DAEMON), "a worker of the daemon traces it")
    os.kill(worker, signal.SIGKILL)
    end = time.time() + 10
    while time.time() < end and (status_field(pid, "TracerPid") != "0" or
                                 status_field(pid, "State")[0] in "tT"):
        time.sleep(0.05)
    ok(status_field(pid, "TracerPid") == "0",
       "the worker's death detached it")
    ok(status_field(pid, "State")[0] in "RS",
       "and the daemon set it running (state %s)" %
       status_field(pid, "State"))


for check in CHECKS:
    if check.startswith("attach="):
        check_attach(int(check[7:]))
    else:
        {"two": check_two, "crash": check_crash}[check]()
lldb.SBDebugger.Terminate()
sys.exit(0 if all(r for r, _ in results) else 1)
