#!/usr/bin/python3
"""faults.py -- the client side of tests/integration/faults.sh.

    faults.py COMMAND ADDRESS ARGS...

Each command plays one client of a fault scenario against handoffd at
ADDRESS (HOST:PORT, :PORT or a unix socket path) and prints what it saw,
one fact a line ("stop T05...", "reply X09", "eof"...), flushed at once:
the shell test waits for those lines and checks them, and checks the
debuggees in /proc itself.  Every read has a deadline (RSP_TIMEOUT): a
server that never answers is a line "timeout", never a hang.

Commands:
  vanish ADDR HOW            '?', then HOW and close at once: midpacket
                             (half a packet), midbinary (half an X
                             packet), running (vCont;c), interrupt
                             (vCont;c and 0x03 in one write)
  detach ADDR                '?' then D
  run ADDR WHAT [bp:SYM] [hw:SYM] [after:FILE]
                             a session (WHAT: stopped, the server's
                             process; attach:PID, vAttach; launch:PROG),
                             a breakpoint at SYM if asked (bp: int3, Z0;
                             hw: a debug register, Z1), once FILE
                             exists if asked, vCont;c and wait:
                             "running", then the reply (or "eof",
                             "timeout")
  interrupt ADDR WHAT        vCont;c then 0x03, twice; then D
  kill9 ADDR                 a stopped process SIGKILLed from outside,
                             then resumed
  kill9run ADDR PROG         (extended) vRun PROG, vCont;c, SIGKILL it
                             while running; then vRun PROG again
  watch ADDR PID N [hold]    QHandoffWatch PID (via:connect on TCP,
                             passed descriptors on a unix socket), take N
                             %Handoff notifications, then leave with them
                             unclaimed (descriptors closed unused); with
                             hold, only once the server has gone
  emfile ADDR LOG            connect until the server stops accepting,
                             count its accept warnings, free descriptors
  suid ADDR                  exec events of a program that execs a
                             set-uid copy of itself
  mem PID SYM N              N bytes at SYM in PID, from /proc/PID/mem
  runs PID SYM               "runs" once the counter SYM in PID changes
                             (read from /proc/PID/mem), else "gone" or
                             "frozen STATE" after a while
  list ADDR                  the server's qHandoffList reply
"""
import os
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from rsp import Rsp, symbol  # noqa: E402

LONG = 120      # seconds a client waits for a stop nothing else bounds


def say(*args):
    print(*args, flush=True)


def procmem(pid, addr, n):
    with open("/proc/%d/mem" % pid, "rb") as f:
        f.seek(addr)
        return f.read(n)


def exe(pid):
    return os.readlink("/proc/%d/exe" % pid)


def pid_of(reply):
    m = re.search(r"thread:p([0-9a-f]+)\.", reply)
    return int(m.group(1), 16) if m else None


def session(addr, what="stopped", features="multiprocess+;swbreak+;hwbreak+"):
    """Connect and bind as WHAT; returns (client, pid, stop reply)."""
    c = Rsp.connect(addr)
    c.request("qSupported:" + features)
    c.request("QPassSignals:14")        # SIGCHLD, as gdb passes it
    if what.startswith("launch:"):
        r = c.request("vRun;" + ";".join(a.encode().hex() for a in
                                         what[len("launch:"):].split(",")))
    elif what.startswith("attach:"):
        r = c.request("vAttach;%x" % int(what[len("attach:"):]))
    else:
        r = c.request("?")
    say("stop", r)
    pid = pid_of(r)
    if pid is None:
        m = re.match(r"QCp([0-9a-f]+)", c.request("qC"))
        pid = int(m.group(1), 16) if m else None
    say("pid", pid)
    return c, pid, r


def wait_reply(c, seconds):
    c.sock.settimeout(seconds)
    try:
        return c.reply()
    except socket.timeout:
        return "timeout"
    except (EOFError, ConnectionError):
        return "eof"


def cmd_vanish(addr, how):
    c, pid, _ = session(addr)
    if how == "midpacket":
        c.send_raw(b"$m%x" % 0x400000)
    elif how == "midbinary":
        c.send_raw(b"$X%x,10:\x01\x02" % 0x400000)
    elif how == "running":
        c.send("vCont;c")
    elif how == "interrupt":
        body = b"vCont;c"
        c.send_raw(b"$%s#%02x\x03" % (body, c.checksum(body)))
    c.sock.close()
    say("vanished", how)


def cmd_detach(addr):
    c, pid, r = session(addr)
    say("detach", c.request("D"))
    c.close()


def cmd_run(addr, what, *opts):
    c, pid, r = session(addr, what)
    for o in opts:
        if o.startswith("bp:"):
            a = symbol(exe(pid), pid, o[3:])
            say("orig", procmem(pid, a, 1).hex())
            say("Z0", c.request("Z0,%x,1" % a))
            say("planted", procmem(pid, a, 1).hex())
        elif o.startswith("hw:"):
            say("Z1", c.request("Z1,%x,1" % symbol(exe(pid), pid, o[3:])))
        elif o.startswith("after:"):
            say("waiting")
            while not os.path.exists(o[6:]):
                time.sleep(0.01)
    c.send("vCont;c")
    say("running")
    say("reply", wait_reply(c, LONG))


def cmd_interrupt(addr, what):
    c, pid, r = session(addr, what)
    for i in (1, 2):
        c.send("vCont;c")
        say("running", i)
        time.sleep(0.05)        # let it run into its loop: not checked
        c.send_raw(b"\x03")
        r = wait_reply(c, 10)
        say("stop%d" % i, r)
        if not r.startswith("T"):
            return
    say("detach", c.request("D"))
    c.close()


def cmd_kill9(addr):
    c, pid, r = session(addr)
    c.send("vCont;c")
    time.sleep(0.05)
    c.send_raw(b"\x03")
    say("interrupted", wait_reply(c, 10))
    os.kill(pid, signal.SIGKILL)
    say("killed", pid)
    c.send("vCont;c")
    say("resumed", wait_reply(c, 10))
    say("status", c.request("?"))
    c.close()


def cmd_kill9run(addr, prog):
    c, pid, r = session(addr, "launch:" + prog)
    c.send("vCont;c")
    time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    say("killed", pid)
    say("reply", wait_reply(c, 10))
    r = c.request("vRun;" + prog.encode().hex())
    say("rerun", r)
    say("rerun-pid", pid_of(r))
    say("kill", c.request("vKill;%x" % pid_of(r)))
    c.close()


def cmd_watch(addr, pid, n, hold=None):
    w = Rsp.connect(addr)
    via = "" if "/" in addr else ";via:connect"
    say("watch", w.request("QHandoffWatch:%x%s" % (int(pid), via)))
    w.sock.settimeout(LONG)
    kept = []
    for _ in range(int(n)):
        text, fds = w.note()
        say("note", text, "fds", len(fds))
        kept += fds
    if hold == "hold":
        say("holding", len(kept))
        try:
            w.note()            # none comes: until the server ends
        except (OSError, EOFError, ValueError):
            pass
    for fd in kept:
        os.close(fd)
    w.close()
    say("watcher gone")


def cmd_emfile(addr, log):
    def warnings():
        with open(log, errors="replace") as f:
            return sum(1 for line in f if "accept" in line)
    held = []
    for i in range(16):
        c = Rsp.connect(addr)
        held.append(c)
        c.send("qSupported")
        c.sock.settimeout(1 if i < 15 else 10)
        try:
            c.reply()
            continue
        except socket.timeout:
            pass
        # Not accepted: the kernel holds it in the backlog.
        say("refused after", i)
        deadline = time.monotonic() + 10
        while warnings() == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        first = warnings()
        time.sleep(0.5)         # how many more while nothing changes
        say("accept warnings", first, warnings())
        for h in held[:-1]:
            h.close()
        say("freed", len(held) - 1)
        say("served", wait_reply(c, 10)[:10])
        d = Rsp.connect(addr)
        say("new client", d.request("qSupported")[:10])
        return
    say("never refused")


def cmd_suid(addr):
    c, pid, r = session(addr, features="multiprocess+;swbreak+;exec-events+")
    for _ in range(4):
        c.send("vCont;c")
        r = wait_reply(c, 30)
        say("reply", r)
        if not r.startswith("T"):
            break


def cmd_mem(pid, sym, n):
    pid = int(pid)
    say(procmem(pid, symbol(exe(pid), pid, sym), int(n)).hex())


def state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return "gone"


def cmd_runs(pid, sym):
    pid = int(pid)
    try:
        a = symbol(exe(pid), pid, sym)
        first = procmem(pid, a, 8)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if procmem(pid, a, 8) != first:
                say("runs")
                return
            time.sleep(0.01)
    except (FileNotFoundError, ProcessLookupError, OSError):
        pass
    s = state(pid)
    say("gone" if s in ("gone", "Z", "X") else "frozen " + s)


def cmd_list(addr):
    c = Rsp.connect(addr)
    say("list", c.request("qHandoffList"))
    c.close()


def main(argv):
    cmds = {
        "vanish": cmd_vanish, "detach": cmd_detach, "run": cmd_run,
        "interrupt": cmd_interrupt, "kill9": cmd_kill9,
        "kill9run": cmd_kill9run, "watch": cmd_watch, "emfile": cmd_emfile,
        "suid": cmd_suid, "mem": cmd_mem, "runs": cmd_runs,
        "list": cmd_list,
    }
    if len(argv) < 3 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    try:
        cmds[argv[1]](*argv[2:])
    except (EOFError, ConnectionError, socket.timeout) as e:
        say("lost", type(e).__name__, e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
