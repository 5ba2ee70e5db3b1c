"""handoff -- lldb commands that open handoffd's forked children.

    (lldb) command script import /usr/local/share/handoffd/lldb/handoff.py
    (lldb) handoff watch [--connect ADDRESS] [--stop-parent]
                         [--copy-breakpoints] [--exec REGEX]
    (lldb) handoff list
    (lldb) handoff claim PID [--connect ADDRESS]
    (lldb) handoff wait N [--timeout SECONDS]
    (lldb) handoff unwatch

`handoff watch` opens a side connection to the handoffd serving the
selected process and asks for the handoffs of its tree.  Each child the
process forks from then on becomes a new target in this debugger,
connected to the child (over a unix socket through the descriptor the
daemon passes; over TCP, a forwarded port included, by a claim on the
same port), stopped at the fork, with a `target list` entry of its own.
The parent runs on unless --stop-parent.  --copy-breakpoints sets the
parent's breakpoints in each child as they were at the last `handoff`
command (lldb locks the parent's target while it runs, so set them
before `handoff watch`, or run `handoff list` after changing them).
See docs/protocol.md and handoffd(8).
"""

import argparse
import os
import re
import shlex
import sys
import tempfile
import threading
import time

import lldb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import handoffwatch as hw  # noqa: E402  (beside this directory)

WAIT_TIMEOUT = 30.0          # handoff wait's default, seconds
WAIT_TIMEOUT_MAX = 3600.0    # and its limit

# One new target at a time: lldb selects each new target, and the
# user's selection is put back before the next one is made.
_target_lock = threading.Lock()


class Opened:
    """A child open in a target of its own."""

    def __init__(self, child, target, sock):
        self.child = child
        self.target = target
        self.sock = sock        # lldb does not own an fd:// descriptor


class State:
    """What one debugger's `handoff` commands share."""

    def __init__(self, debugger):
        self.debugger = debugger
        self.lock = threading.Condition()
        self.watcher = None
        self.address = None
        self.parent = None          # the watched target
        self.parent_process = None
        self.parent_exe = ""
        self.bp_file = None         # the parent's breakpoints, as JSON
        self.opts = None
        self.opened = {}            # pid -> Opened
        self.count = 0              # children opened since the watch
        self.skipped = {}           # pid -> why it was not opened

    def say(self, msg):
        """A line on the debugger's output, from any thread."""
        text = "handoff: %s\n" % msg
        out = self.debugger.GetOutputFile()
        if out is not None and out.IsValid():
            out.Write(text.encode())
            out.Flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()

    def sweep(self):
        """Close the sockets of children whose sessions are over."""
        with self.lock:
            for pid, o in list(self.opened.items()):
                p = o.target.GetProcess() if o.target.IsValid() else None
                if p is None or not p.IsValid() or p.GetState() in (
                        lldb.eStateExited, lldb.eStateDetached,
                        lldb.eStateInvalid):
                    if o.sock is not None:
                        o.sock.close()
                    del self.opened[pid]


_states = {}


def state_of(debugger):
    key = debugger.GetID()
    if key not in _states:
        _states[key] = State(debugger)
    return _states[key]


# ------------------------------------------------------------ children

def _snapshot(st):
    """The parent's breakpoints, as set (file and line, name...), kept
    for --copy-breakpoints.  Taken on lldb's own thread, by each handoff
    command: while the parent runs, `continue` holds its target's API
    lock, and the watcher's thread must not wait for it."""
    if not st.opts or not st.opts.copy_breakpoints or \
            st.parent is None or not st.parent.IsValid():
        return
    fd, path = tempfile.mkstemp(prefix="handoff-bp.", suffix=".json")
    os.close(fd)
    err = st.parent.BreakpointsWriteToFile(lldb.SBFileSpec(path))
    if err.Fail():
        os.unlink(path)
        raise hw.HandoffError("saving the parent's breakpoints: %s" %
                              err.GetCString())
    # Whole or not at all: the watcher's thread may be reading the last.
    if st.bp_file is None:
        st.bp_file = path
    else:
        os.replace(path, st.bp_file)


def _copy_breakpoints(st, dst):
    """The parent's breakpoints from the last snapshot, set in dst."""
    if st.bp_file is None or os.path.getsize(st.bp_file) == 0:
        return 0
    made = lldb.SBBreakpointList(dst)
    err = dst.BreakpointsCreateFromFile(lldb.SBFileSpec(st.bp_file), made)
    if err.Fail():
        raise hw.HandoffError("copying breakpoints: %s" % err.GetCString())
    return made.GetSize()


def _executable(st, child):
    """The program a new target for child starts from: the parent's for
    a fork, the new one (when this host can see it) after an exec."""
    if child.exe:
        return child.exe        # the daemon's word, right on any host
    if child.kind != "exec" and st.parent_exe:
        return st.parent_exe
    try:
        return os.readlink("/proc/%d/exe" % child.pid)
    except OSError:
        return ""


def _open_target(st, child, sock):
    """A new target connected to child over sock: returns the target."""
    d = st.debugger
    exe = _executable(st, child)
    err = lldb.SBError()
    with _target_lock:
        selected = d.GetSelectedTarget()    # the new one takes it
        target = d.CreateTarget(exe, None, None, False, err) if exe else \
            d.CreateTarget("")
        if selected.IsValid():
            d.SetSelectedTarget(selected)   # the user's, not the newcomer
    if target is None or not target.IsValid():
        raise hw.HandoffError("no target for child %d: %s" %
                              (child.pid, err.GetCString() or "?"))
    nbp = 0
    if st.opts.copy_breakpoints:
        try:
            nbp = _copy_breakpoints(st, target)
        except hw.HandoffError as e:
            st.say("child %d: %s" % (child.pid, e))   # open it anyway
    err = lldb.SBError()
    process = target.ConnectRemote(d.GetListener(),
                                   "fd://%d" % sock.fileno(),
                                   "gdb-remote", err)
    if err.Fail() or not process.IsValid():
        d.DeleteTarget(target)
        raise hw.HandoffError("connecting to child %d: %s" %
                              (child.pid, err.GetCString()))
    with st.lock:
        st.opened[child.pid] = Opened(child, target, sock)
        st.count += 1
        st.lock.notify_all()
    st.say("child %d of %d (%s) is target #%d, stopped at its %s%s" %
           (child.pid, child.ppid, child.kind, d.GetIndexOfTarget(target),
            "exec" if child.kind == "exec" else "fork",
            ", %d breakpoint%s copied" % (nbp, "" if nbp == 1 else "s")
            if st.opts.copy_breakpoints else ""))
    return target


def _exec_path(reply):
    """The program a stop reply's exec names, or None."""
    m = re.search(r"exec:([0-9a-fA-F]+);", reply)
    if m:
        return bytes.fromhex(m.group(1)).decode("utf-8", "replace")
    return None


def _follow_to_exec(st, child, sock):
    """--exec: run a forked child to its exec, then open it if the new
    program matches; let it go otherwise.  Runs on a thread of its own,
    since a child may run a long time before it execs."""
    conn = hw.Conn(sock)
    try:
        conn.request("qSupported:multiprocess+;exec-events+")
        conn.send("vCont;c")
        while True:
            reply = conn.reply(timeout=None)
            if reply[:1] in ("W", "X"):
                st.say("child %d ended before any exec (%s); not opened" %
                       (child.pid, reply))
                st.skipped[child.pid] = "ended before an exec"
                sock.close()
                return
            path = _exec_path(reply)
            if path is not None:
                break
            # A signal on the way: it goes to the child, as if untraced.
            conn.send("vCont;C%s" % reply[1:3] if reply[:1] == "T" and
                      reply[1:3] != "05" else "vCont;c")
        if not st.opts.exec.search(path):
            conn.request("D;%x" % child.pid)
            st.say("child %d execs %s, not /%s/: let go" %
                   (child.pid, path, st.opts.exec.pattern))
            st.skipped[child.pid] = "execs " + path
            sock.close()
            return
        child.kind = "exec"
        child.exe = path
        conn.sock = None
        _open_target(st, child, sock)
    except hw.HandoffError as e:
        st.say("child %d: %s" % (child.pid, e))
        sock.close()


def _take(st, child):
    """A handoff: the child's socket (passed, or by a claim), then its
    target.  On the watcher's thread, which must not touch the parent's
    target (see _snapshot) or wait on a child's."""
    try:
        sock = child.sock
        if sock is None:
            if child.via != "connect":
                st.say("%r went to the reverse-connect client (via %s); "
                       "nothing to open here" % (child, child.via))
                return
            sock, _ = hw.claim(st.address, child.pid)
        if st.opts.stop_parent and st.parent_process is not None:
            # No state check (that takes the lock): lldb ignores an
            # interrupt of a process that is not running.
            st.parent_process.SendAsyncInterrupt()
        if st.opts.exec is not None and child.kind != "exec":
            threading.Thread(target=_follow_to_exec, args=(st, child, sock),
                             daemon=True).start()
            return
        if st.opts.exec is not None:
            # The daemon's word for the program: it may be another host.
            conn = hw.Conn(sock)
            r = conn.request("qXfer:exec-file:read:%x:0,fff" % child.pid)
            path = r[1:] if r[:1] in ("l", "m") else ""
            child.exe = path or None
            if not st.opts.exec.search(path):
                conn.request("D;%x" % child.pid)
                sock.close()
                st.say("child %d execs %s, not /%s/: let go" %
                       (child.pid, path, st.opts.exec.pattern))
                return
        _open_target(st, child, sock)
    except hw.HandoffError as e:
        st.say("%r: %s" % (child, e))


# ------------------------------------------------------------ commands

class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise hw.HandoffError("%s\nusage: %s" % (message,
                                                 self.format_usage().strip()
                                                 [len("usage: "):]))


def _parsers():
    top = _Parser(prog="handoff", add_help=False)
    sub = top.add_subparsers(dest="cmd", parser_class=_Parser)
    w = sub.add_parser("watch", add_help=False)
    w.add_argument("--connect", metavar="ADDRESS",
                   help="handoffd's address (default: the one this "
                   "process's connection goes to)")
    w.add_argument("--stop-parent", action="store_true",
                   help="interrupt the parent at each handoff")
    w.add_argument("--copy-breakpoints", action="store_true",
                   help="set the parent's breakpoints in each child "
                   "(those it had at the last handoff command)")
    w.add_argument("--exec", metavar="REGEX",
                   help="only children whose program (after an exec) "
                   "matches; the others are let go")
    sub.add_parser("list", add_help=False)
    c = sub.add_parser("claim", add_help=False)
    c.add_argument("pid", type=int)
    c.add_argument("--connect", metavar="ADDRESS")
    t = sub.add_parser("wait", add_help=False)
    t.add_argument("n", type=int)
    t.add_argument("--timeout", type=float, default=WAIT_TIMEOUT)
    sub.add_parser("unwatch", add_help=False)
    return top


def _find_daemon(pid, on_child, on_end, on_warn, given):
    """A watcher (not started) for pid at the address given, or at the
    first daemon among this process's connections that traces pid."""
    if given:
        return hw.Watcher(given, pid, on_child, on_end,
                          on_warn=on_warn), given
    tried = []
    for addr in hw.peer_addresses():
        try:
            return hw.Watcher(addr, pid, on_child, on_end,
                              on_warn=on_warn), addr
        except hw.HandoffError as e:
            tried.append("%s (%s)" % (addr, e))
    raise hw.HandoffError("no handoffd connection of this debugger traces "
                          "process %d%s; name one with --connect ADDRESS" %
                          (pid, ": tried " + ", ".join(tried) if tried
                           else ""))


def cmd_watch(st, args):
    if st.watcher is not None and st.watcher.alive:
        raise hw.HandoffError("already watching process %d at %s "
                              "(handoff unwatch first)" %
                              (st.watcher.pid, st.address))
    target = st.debugger.GetSelectedTarget()
    process = target.GetProcess() if target.IsValid() else None
    if process is None or not process.IsValid() or \
            process.GetState() in (lldb.eStateExited, lldb.eStateDetached):
        raise hw.HandoffError("no live process in the selected target; "
                              "connect to handoffd and launch or attach "
                              "first")
    if args.exec is not None:
        try:
            args.exec = re.compile(args.exec)
        except re.error as e:
            raise hw.HandoffError("--exec %r: %s" % (args.exec, e))
    st.opts = args
    st.parent = target
    st.parent_process = process
    st.parent_exe = target.GetExecutable().fullpath or ""
    st.count = 0
    st.skipped = {}
    _snapshot(st)

    def on_end(msg):
        if msg is not None:
            st.say("the watch ended: %s" % msg)
        with st.lock:
            st.lock.notify_all()

    if st.watcher is not None:
        st.watcher.stop()               # one that ended: its threads
    st.watcher, st.address = _find_daemon(
        process.GetProcessID(), lambda c: _take(st, c), on_end,
        lambda msg: st.say("warning: %s" % msg), args.connect)
    st.watcher.start()
    return "watching process %d's children through handoffd at %s" % (
        process.GetProcessID(), st.address)


def cmd_list(st, args):
    st.sweep()
    lines = []
    if st.watcher is not None and st.watcher.alive:
        lines.append("watching process %d at %s" %
                     (st.watcher.pid, st.address))
    else:
        lines.append("not watching")
    for pid, o in sorted(st.opened.items()):
        p = o.target.GetProcess()
        lines.append("  child %d of %d (%s): target #%d, %s" %
                     (pid, o.child.ppid, o.child.kind,
                      st.debugger.GetIndexOfTarget(o.target),
                      st.debugger.StateAsCString(p.GetState())))
    for pid, why in sorted(st.skipped.items()):
        lines.append("  child %d: not opened, %s" % (pid, why))
    if st.watcher is not None and st.watcher.alive:
        held = st.watcher.held()
        for h in held:
            lines.append("  held: child %d of %d (%s), %s for %.1f s "
                         "(handoff claim %d)" %
                         (h["pid"], h["ppid"], h["kind"], h["state"],
                          h["age_ms"] / 1000.0, h["pid"]))
    return "\n".join(lines)


def cmd_claim(st, args):
    address = args.connect or st.address
    if address is None:
        raise hw.HandoffError("not watching: give --connect ADDRESS")
    if st.opts is None:
        st.opts = _parsers().parse_args(["watch"])
    sock, _ = hw.claim(address, args.pid)
    child = hw.Child("Handoff:pid:%x;kind:fork;via:connect" % args.pid)
    st.skipped.pop(args.pid, None)
    _open_target(st, child, sock)
    return None


def cmd_wait(st, args):
    if not 0 < args.timeout <= WAIT_TIMEOUT_MAX:
        raise hw.HandoffError("--timeout: 0 < SECONDS <= %g" %
                              WAIT_TIMEOUT_MAX)
    deadline = time.monotonic() + args.timeout
    with st.lock:
        while st.count < args.n:
            if st.watcher is None or not st.watcher.alive:
                raise hw.HandoffError("%d of %d children opened, and no "
                                      "watch is running" %
                                      (st.count, args.n))
            left = deadline - time.monotonic()
            if left <= 0:
                raise hw.HandoffError("%d of %d children opened in %g s" %
                                      (st.count, args.n, args.timeout))
            st.lock.wait(left)
    return "%d children opened" % st.count


def cmd_unwatch(st, args):
    if st.watcher is None:
        raise hw.HandoffError("not watching")
    w, st.watcher = st.watcher, None
    w.stop()
    st.sweep()
    if st.bp_file is not None:
        os.unlink(st.bp_file)
        st.bp_file = None
    return "stopped watching process %d" % w.pid


COMMANDS = {"watch": cmd_watch, "list": cmd_list, "claim": cmd_claim,
            "wait": cmd_wait, "unwatch": cmd_unwatch}


def handoff(debugger, command, exe_ctx, result, internal_dict):
    """handoff watch|list|claim PID|wait N|unwatch (help handoff)"""
    try:
        args = _parsers().parse_args(shlex.split(command))
        if args.cmd is None:
            raise hw.HandoffError("usage: handoff watch|list|claim PID|"
                                  "wait N|unwatch")
        st = state_of(debugger)
        if args.cmd != "watch":
            _snapshot(st)
        msg = COMMANDS[args.cmd](st, args)
        if msg:
            result.AppendMessage(msg)
        result.SetStatus(lldb.eReturnStatusSuccessFinishResult)
    except hw.HandoffError as e:
        result.SetError("handoff: %s" % e)


def __lldb_init_module(debugger, internal_dict):
    debugger.HandleCommand(
        "command script add -o -h '%s' -f %s.handoff handoff" %
        ("open the children handoffd hands off in targets of their own: "
         "handoff watch|list|claim PID|wait N|unwatch", __name__))
