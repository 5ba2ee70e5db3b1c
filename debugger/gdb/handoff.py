"""handoff -- gdb commands that open handoffd's forked children.

    (gdb) source /usr/local/share/handoffd/gdb/handoff.py
    (gdb) handoff-watch [ADDRESS]
    (gdb) handoff-list
    (gdb) handoff-claim PID
    (gdb) handoff-wait N [SECONDS]
    (gdb) handoff-unwatch

handoff-watch opens a side connection to the handoffd serving the
current inferior and asks for the handoffs of its tree.  Each child the
process forks from then on gets an inferior of its own, on a connection
of its own to the daemon (`target extended-remote`, gdb 13's
multi-target), bound to the child, so `info inferiors` shows the parent
and every child.  The child is claimed on the daemon's port (vAttach)
and gdb reaches that connection through a private unix socket this
script relays (see handoffwatch.Relay for why).  The parent runs on.

In all-stop mode gdb cannot open a connection while a program runs, so
children that arrive then are opened before the next prompt (or by
handoff-wait, in scripts); in non-stop mode at once.  To run the parent
and its children together in all-stop (set schedule-multiple on), gdb
needs non-stop connections underneath: `maint set target-non-stop on`
before connecting.  See docs/protocol.md and handoffd(8).
"""

import os
import re
import sys
import threading
import time

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import handoffwatch as hw  # noqa: E402  (beside this directory)

WAIT_TIMEOUT = 30.0          # handoff-wait's default, seconds
WAIT_TIMEOUT_MAX = 3600.0    # and its limit
RELAY_ACCEPT = 30.0          # seconds gdb has to reach a child's relay


class State:
    def __init__(self):
        self.lock = threading.Condition()
        self.watcher = None
        self.address = None
        self.parent = None          # the watched inferior
        self.pending = []           # children announced, not yet opened
        self.opened = {}            # pid -> inferior number
        self.announced = 0          # since the watch
        self.failed = {}            # pid -> why it could not be opened
        self.posted = False         # a _drain is queued in gdb's loop
        self.ended = None           # why the watch ended, to be told
        self.warnings = []          # to be told too
        self.relays = []            # one per opened child
        self.nonstop = False        # gdb's non-stop mode, at the watch


st = State()


def say(msg):
    gdb.write("handoff: %s\n" % msg)
    gdb.flush()


def _address_of(inferior):
    """The address of the connection inferior uses (gdb 13)."""
    conn = inferior.connection
    if conn is None or conn.type not in ("remote", "extended-remote"):
        raise hw.HandoffError("inferior %d is not on a remote connection; "
                              "give handoffd's ADDRESS" % inferior.num)
    if conn.details is None or conn.details.startswith("|"):
        raise hw.HandoffError("inferior %d's connection (%s) has no "
                              "address to call back; give ADDRESS" %
                              (inferior.num, conn.details))
    return conn.details


def _running():
    try:
        return any(t.is_valid() and t.is_running()
                   for inf in gdb.inferiors() for t in inf.threads())
    except gdb.error:       # "while the target is running"
        return True


def _can_attach():
    return gdb.parameter("non-stop") or not _running()


def _quote(path):
    return '"%s"' % path.replace("\\", "\\\\").replace('"', '\\"')


def _attach(pid, kind="fork"):
    """A new inferior on a connection of its own, bound to the held child
    pid and stopped there: its number.  The child is claimed last, just
    before gdb connects: loading the program may take a while."""
    before = gdb.selected_inferior()
    exe = None
    if kind != "exec" and st.parent is not None and st.parent.is_valid():
        exe = st.parent.progspace.filename
    try:
        out = gdb.execute("add-inferior -no-connection" +
                          (" -exec %s" % _quote(exe) if exe else ""),
                          to_string=True)
    except gdb.error as e:
        raise hw.HandoffError("add-inferior for child %d: %s" % (pid, e))
    m = re.search(r"Added inferior (\d+)", out)
    if m is None:
        raise hw.HandoffError("add-inferior said %r" % out.strip())
    num = int(m.group(1))
    try:
        gdb.execute("inferior %d" % num, to_string=True)
        sock, _ = hw.claim(st.address, pid)
        relay = hw.Relay(sock, RELAY_ACCEPT)
        st.relays = [r for r in st.relays if r.alive] + [relay]
        gdb.execute("target extended-remote %s" % relay.path,
                    to_string=True)
    except (gdb.error, hw.HandoffError, OSError) as e:
        try:
            gdb.execute("inferior %d" % before.num, to_string=True)
            gdb.execute("remove-inferiors %d" % num, to_string=True)
        except gdb.error:
            pass
        if isinstance(e, hw.HandoffError):
            raise
        raise hw.HandoffError("connecting to child %d: %s" % (pid, e))
    gdb.execute("inferior %d" % before.num, to_string=True)
    with st.lock:
        st.opened[pid] = num
        st.lock.notify_all()
    return num


def _tell_end():
    while st.warnings:
        say("warning: %s" % st.warnings.pop(0))
    if st.ended is not None:
        say("the watch ended: %s" % st.ended)
        st.ended = None


def _drain():
    """Open every pending child, when gdb can."""
    st.posted = False
    _tell_end()
    while True:
        with st.lock:
            if not st.pending or not _can_attach():
                return
            child = st.pending.pop(0)
        try:
            num = _attach(child.pid, child.kind)
            say("child %d of %d (%s) is inferior %d, stopped at its %s" %
                (child.pid, child.ppid, child.kind, num,
                 "exec" if child.kind == "exec" else "fork"))
        except hw.HandoffError as e:
            with st.lock:
                st.failed[child.pid] = str(e)
                st.lock.notify_all()
            say(str(e))


def _post_drain():
    """Non-stop: open the child from gdb's loop now.  At most one _drain
    waits there, and only in non-stop, where gdb's loop runs it at once:
    an event still queued when gdb exits outlives Python and crashes
    gdb 13 on its way out.  In all-stop, children open before the next
    prompt, or in handoff-wait."""
    with st.lock:
        if st.posted or not st.nonstop:
            return
        st.posted = True
    gdb.post_event(_drain)


def _on_child(child):
    """On the watcher's thread: queue, then let gdb's loop open it."""
    if child.sock is not None:       # via:fd was not asked for
        child.sock.close()
    if child.via == "reverse":
        st.warnings.append("%r went to the reverse-connect client; "
                           "nothing to open here" % child)
        return
    with st.lock:
        st.pending.append(child)
        st.announced += 1
        st.lock.notify_all()
    _post_drain()


def _on_end(msg):
    """On the watcher's thread: told at the next stop or handoff-*."""
    with st.lock:
        st.ended = msg
        st.lock.notify_all()


def _before_prompt():
    if st.pending or st.ended is not None:
        _drain()


def _on_exit(event):
    """Before gdb's Python goes, end our threads: one still running then
    crashes gdb 13 on its way out."""
    if st.watcher is not None:
        st.watcher.stop()
    for r in st.relays:
        r.stop()


gdb.events.before_prompt.connect(_before_prompt)
gdb.events.gdb_exiting.connect(_on_exit)


class Command(gdb.Command):
    """Shared error handling: HandoffError becomes a gdb error."""

    def invoke(self, arg, from_tty):
        _tell_end()
        try:
            self.run(gdb.string_to_argv(arg))
        except hw.HandoffError as e:
            raise gdb.GdbError("handoff: %s" % e)


class Watch(Command):
    """Open each child handoffd hands off in an inferior of its own.
Usage: handoff-watch [ADDRESS]
ADDRESS is handoffd's (HOST:PORT or a unix socket path); by default the
one the current inferior's connection goes to."""

    def __init__(self):
        super().__init__("handoff-watch", gdb.COMMAND_RUNNING)

    def run(self, argv):
        if len(argv) > 1:
            raise hw.HandoffError("usage: handoff-watch [ADDRESS]")
        if st.watcher is not None and st.watcher.alive:
            raise hw.HandoffError("already watching process %d at %s "
                                  "(handoff-unwatch first)" %
                                  (st.watcher.pid, st.address))
        inf = gdb.selected_inferior()
        if inf.pid == 0:
            raise hw.HandoffError("inferior %d has no process; run or "
                                  "attach first" % inf.num)
        address = argv[0] if argv else _address_of(inf)
        watcher = hw.Watcher(address, inf.pid, _on_child, _on_end,
                             via_connect=True,
                             on_warn=st.warnings.append)
        if st.watcher is not None:
            st.watcher.stop()           # one that ended: its threads
        st.watcher = watcher
        st.address = address
        st.parent = inf
        st.announced = 0
        st.failed = {}
        st.nonstop = bool(gdb.parameter("non-stop"))
        watcher.start()
        say("watching process %d's children through handoffd at %s" %
            (inf.pid, address))
        shown = gdb.execute("maint show target-non-stop", to_string=True)
        if not st.nonstop and "is on" not in shown:
            say("gdb resumes one all-stop connection at a time; to run the "
                "parent and its children together (set schedule-multiple "
                "on), connect with 'maint set target-non-stop on' first")


class List(Command):
    """The children handoff-watch opened, those waiting, and those the
daemon holds for a claim.
Usage: handoff-list"""

    def __init__(self):
        super().__init__("handoff-list", gdb.COMMAND_STATUS)

    def run(self, argv):
        if st.watcher is not None and st.watcher.alive:
            say("watching process %d at %s" % (st.watcher.pid, st.address))
        else:
            say("not watching")
        for pid, num in sorted(st.opened.items()):
            say("  child %d: inferior %d" % (pid, num))
        for c in list(st.pending):
            say("  child %d of %d (%s): to be opened at the next stop" %
                (c.pid, c.ppid, c.kind))
        for pid, why in sorted(st.failed.items()):
            say("  child %d: not opened: %s" % (pid, why))
        if st.watcher is not None and st.watcher.alive:
            for h in st.watcher.held():
                say("  held: child %d of %d (%s), %s for %.1f s "
                    "(handoff-claim %d)" % (h["pid"], h["ppid"], h["kind"],
                                            h["state"], h["age_ms"] / 1000.0,
                                            h["pid"]))


class Claim(Command):
    """Open one held child in an inferior of its own.
Usage: handoff-claim PID"""

    def __init__(self):
        super().__init__("handoff-claim", gdb.COMMAND_RUNNING)

    def run(self, argv):
        if len(argv) != 1 or not argv[0].isdigit():
            raise hw.HandoffError("usage: handoff-claim PID")
        pid = int(argv[0])
        if st.address is None:
            st.address = _address_of(gdb.selected_inferior())
            st.parent = gdb.selected_inferior()
        if not _can_attach():
            raise hw.HandoffError("a program is running (all-stop): "
                                  "interrupt it first")
        with st.lock:
            st.pending = [c for c in st.pending if c.pid != pid]
        num = _attach(pid)
        st.failed.pop(pid, None)
        say("child %d is inferior %d" % (pid, num))


class Wait(Command):
    """Wait for N children (counted from handoff-watch) and open them.
Usage: handoff-wait N [SECONDS]   (default 30)"""

    def __init__(self):
        super().__init__("handoff-wait", gdb.COMMAND_RUNNING)

    def run(self, argv):
        try:
            n = int(argv[0])
            timeout = float(argv[1]) if len(argv) > 1 else WAIT_TIMEOUT
            if len(argv) > 2:
                raise ValueError
        except (IndexError, ValueError):
            raise hw.HandoffError("usage: handoff-wait N [SECONDS]")
        if not 0 < timeout <= WAIT_TIMEOUT_MAX:
            raise hw.HandoffError("SECONDS: more than 0, at most %g" %
                                  WAIT_TIMEOUT_MAX)
        deadline = time.monotonic() + timeout
        failed_before = set(st.failed)
        with st.lock:
            while st.announced < n:
                if st.watcher is None or not st.watcher.alive:
                    raise hw.HandoffError("%d of %d children came, and no "
                                          "watch is running" %
                                          (st.announced, n))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise hw.HandoffError("%d of %d children came in %g s" %
                                          (st.announced, n, timeout))
                st.lock.wait(left)
        if not _can_attach():
            raise hw.HandoffError("%d children came; a program is running "
                                  "(all-stop), so they open at the next "
                                  "stop" % st.announced)
        _drain()
        failed = set(st.failed) - failed_before
        if failed:
            raise hw.HandoffError("%d of %d children not opened" %
                                  (len(failed), n))


class Unwatch(Command):
    """Stop watching (children already open stay open).
Usage: handoff-unwatch"""

    def __init__(self):
        super().__init__("handoff-unwatch", gdb.COMMAND_RUNNING)

    def run(self, argv):
        if st.watcher is None:
            raise hw.HandoffError("not watching")
        w, st.watcher = st.watcher, None
        w.stop()
        say("stopped watching process %d" % w.pid)


Watch()
List()
Claim()
Wait()
Unwatch()
