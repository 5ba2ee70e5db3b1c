#!/usr/bin/python3
"""subreaper.py -- run a command as the adopter of its orphans.

    subreaper.py COMMAND [ARG...]

Makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), runs COMMAND
as its child and reaps every orphan that exits meanwhile; exits with
COMMAND's status (128 + N for a signal N) once COMMAND ends.  SIGTERM,
SIGINT and SIGHUP are passed on to COMMAND.

A test whose processes outlive their parents (a held child whose parent
the server killed) gets them adopted here, not by the machine's init:
what an init does with a stopped orphan differs between machines, and
the kernel sends SIGHUP and SIGCONT to a stopped process whose process
group has no member left with a parent outside it in the same session.
This process, in the test's own group, is such a parent.
"""
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: subreaper.py COMMAND [ARG...]\n")
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.stderr.write("subreaper.py: prctl: %s\n"
                         % os.strerror(ctypes.get_errno()))
        return 1
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[1], argv[1:])
        finally:
            os._exit(127)

    def forward(sig, frame):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    while True:
        try:
            who, status = os.wait()
        except InterruptedError:
            continue
        except ChildProcessError:
            return 1
        if who == pid:
            return os.waitstatus_to_exitcode(status) if \
                os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
