#!/usr/bin/python3
"""handoff_bad.py -- the fork handoff packets (docs/protocol.md) from a
bare RSP client: what a wrong claim, a wrong watch or a malformed packet
gets, and the watcher's %Handoff notification.  Prints "ok - X" / "not ok
- X" for handoff_bad.sh to count.

    handoff_bad.py faults PORT PARENT CHILD
        CHILD is held (forkonce's child, the parent's gdb running on):
        list, bad claims and watches, one good claim, a second claim,
        the child run to its end.
    handoff_bad.py watch ADDR
        We are the first client of "forker 2" on ADDR (HOST:PORT or a
        unix path): we watch our tree through qSupported's fork-handoff+,
        take both children as the notifications say (via:connect on TCP,
        via:fd on a unix socket) and run all to their ends.
"""
import os
import re
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from rsp import Rsp  # noqa: E402

GDB_FEATURES = "qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+"
LLDB_FEATURES = ("qSupported:xmlRegisters=i386,arm,mips,arc;multiprocess+;"
                 "fork-events+;vfork-events+")
GDB_SIGCHLD = 0x14      # GDB's number for SIGCHLD (QPassSignals)
failed = 0


def check(cond, what, got=None):
    global failed
    if cond:
        print("ok - %s" % what, flush=True)
    else:
        failed += 1
        print("not ok - %s" % what, flush=True)
        if got is not None:
            print("# got: %r" % (got,), flush=True)


def is_error(r):
    return re.fullmatch(r"E[0-9a-fA-F]{2}(;.*)?", r) is not None


def safe(fn, *args):
    """fn(*args), or the exception's text: a failure must not end us."""
    try:
        return fn(*args)
    except (OSError, EOFError, ValueError) as e:
        return "<%s: %s>" % (type(e).__name__, e)


def run_to_exit(c, what):
    """Continue c until its process exits; the W/X reply (or None)."""
    r = safe(c.request, "c")
    for _ in range(100):
        if not r.startswith("T") and not r.startswith("S"):
            break
        sig = int(r[1:3], 16)
        r = safe(c.request, "C%02x" % sig if sig != 0x11 else "c")
    check(r.startswith("W") or r.startswith("X"), "%s runs to its end" % what,
          r)
    return r


def faults(port, parent, child):
    a = Rsp.tcp("127.0.0.1", port)
    r = a.request(GDB_FEATURES + ";fork-handoff+")
    check("fork-handoff+" in r.split(";"),
          "qSupported (gdb's features) lists fork-handoff+", r)
    b = Rsp.tcp("127.0.0.1", port)
    r = b.request(LLDB_FEATURES)
    check("fork-handoff+" not in r.split(";"),
          "qSupported (lldb's features) is lldb-server's: no fork-handoff+",
          r)
    b.close()

    r = a.request("qHandoffList")
    m = re.fullmatch(r"l(pid:[0-9a-f]+,.*)", r)
    check(m is not None and ";" not in r, "qHandoffList: one entry, 'l'", r)
    fields = dict(f.split(":", 1) for f in r[1:].split(",") if ":" in f)
    check(fields.get("pid") == "%x" % child and
          fields.get("ppid") == "%x" % parent and
          fields.get("tid") == "%x" % child and
          fields.get("kind") == "fork" and fields.get("state") == "held" and
          re.fullmatch(r"[0-9a-f]+", fields.get("age", "")) is not None,
          "qHandoffList entry: pid, ppid, tid, kind:fork, age, state:held",
          r)
    r = a.request("qHandoffList:1")
    check(r == "l", "qHandoffList:1 past the last entry: 'l'", r)
    r = a.request("qHandoffList:zz")
    check(is_error(r), "qHandoffList:zz: an error", r)

    r = a.request("QHandoffWatch:1")
    check(r == "E03", "QHandoffWatch:1 (not traced): E03", r)
    r = a.request("QHandoffWatch")
    check(r == "E03", "QHandoffWatch on an unbound connection: E03", r)
    r = a.request("QHandoffWatch:zz")
    check(is_error(r), "QHandoffWatch:zz: an error", r)
    r = a.request("QHandoffWatch:")
    check(is_error(r), "QHandoffWatch: with no pid: an error", r)

    r = a.request("vAttach;1")
    check(is_error(r), "vAttach;1 (init, not ours): an error", r)
    r = a.request("vAttach;zz")
    check(is_error(r), "vAttach;zz: an error", r)
    r = a.request("vAttach;")
    check(is_error(r), "vAttach; with no pid: an error", r)
    r = a.request("vAttach;%x" % parent)
    check(is_error(r), "vAttach of the parent, traced by the other session: "
          "an error", r)
    r = a.request("qHandoffList")
    check(r.startswith("lpid:%x," % child),
          "the failed claims leave the child held", r)

    r = a.request("vAttach;%x" % child)
    check(r.startswith("T11") and
          ("thread:%x;" % child in r or
           "thread:p%x.%x;" % (child, child) in r),
          "vAttach of the held child: its SIGSTOP stop (T11)", r)
    r = a.request("?")
    check(r.startswith("T11"), "? after the claim: the same stop", r)
    c = Rsp.tcp("127.0.0.1", port)
    c.request(GDB_FEATURES)
    r = safe(c.request, "vAttach;%x" % child)
    check(is_error(r), "a second claim of the same child: an error", r)
    r = safe(c.request, "qHandoffList")
    check(r == "l", "qHandoffList once the child is claimed: 'l'", r)
    r = run_to_exit(a, "the claimed child")
    check(re.match(r"W07\b", r) is not None, "the child exits 7", r)
    c.close()
    a.close()


def watch(addr):
    first = Rsp.connect(addr)
    r = first.request(GDB_FEATURES + ";fork-handoff+")
    check("fork-handoff+" in r.split(";"), "qSupported lists fork-handoff+", r)
    first.request("QPassSignals:%02x" % GDB_SIGCHLD)
    first.request("?")
    first.send("c")
    kids = {}
    for n in (1, 2):
        try:
            note, fds = first.note()
        except (OSError, EOFError, ValueError) as e:
            check(False, "notification %d arrives" % n, str(e))
            return
        m = re.fullmatch(r"Handoff:pid:([0-9a-f]+);ppid:([0-9a-f]+);"
                         r"tid:([0-9a-f]+);kind:fork;via:(fd|connect)", note)
        check(m is not None, "notification %d: %%Handoff with pid, ppid, tid, "
              "kind:fork, via" % n, note)
        if m is None:
            return
        pid = int(m.group(1), 16)
        unix = "/" in addr
        check(m.group(4) == ("fd" if unix else "connect"),
              "notification %d: via:%s" % (n, "fd" if unix else "connect"),
              note)
        if m.group(4) == "fd":
            check(len(fds) == 1, "notification %d: one descriptor with it"
                  % n, len(fds))
            if len(fds) != 1:
                return
            c = Rsp(socket.socket(fileno=fds[0]))
            c.request(GDB_FEATURES)
            r = c.request("?")
        else:
            check(not fds, "notification %d: no descriptor over TCP" % n)
            c = Rsp.connect(addr)
            c.request(GDB_FEATURES)
            r = c.request("vAttach;%x" % pid)
        check(r.startswith("T11"), "child %d: a SIGSTOP stop" % n, r)
        kids[pid] = c
    for i, (pid, c) in enumerate(kids.items()):
        r = run_to_exit(c, "child %d" % (i + 1))
        check(re.match(r"W%02x\b" % (i + 1), r) is not None,
              "child %d exits %d" % (i + 1, i + 1), r)
        c.close()
    r = first.reply()
    while r.startswith("T"):
        r = first.request("c")
    check(re.match(r"W00\b", r) is not None, "the parent exits 0", r)
    first.close()


def main(argv):
    if argv[1] == "faults":
        faults(int(argv[2]), int(argv[3]), int(argv[4]))
    elif argv[1] == "watch":
        watch(argv[2])
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except Exception as e:     # a hang guard or a bug in us: one failure
        print("not ok - no exception (%s: %s)" % (type(e).__name__, e),
              flush=True)
        sys.exit(1)
