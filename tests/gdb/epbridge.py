#!/usr/bin/env python3
"""epbridge.py -- joins gdb's "target remote | COMMAND" pipe to handoffd
over one kind of endpoint, so that tests/gdb/endpoints.sh can drive every
kind with stock gdb.

    epbridge.py MODE [ARG] [-- SERVER COMMAND...]

MODE says how the bridge meets the server:
    connect-abstract NAME    connect to a server listening on @NAME
    listen-unix PATH         listen on PATH, start the server, accept it
    listen-abstract NAME     the same on an abstract name
    listen-tcp               listen on a free port, "{port}" in the command
    socketpair               the server gets one end, "{fd}" its number
    named-pipe               a FIFO at "{pipe}"; the server writes its
                             port there; connect to it
    pipe                     the same over a pipe, "{fd}" its write end
    listen-fds               a listening socket at fd 3, with LISTEN_FDS
                             and LISTEN_PID set for the server (systemd)
    pty                      a pseudo-terminal in raw mode; the server
                             opens the terminal named "{tty}"

Then bytes go both ways between our stdin/stdout and the socket until
either side closes.  What the server prints, and what the bridge learns
("port N", "server pid N", "server status N"), goes to $EPBRIDGE_LOG.
"""
import os
import pty
import selectors
import socket
import subprocess
import sys
import tempfile
import tty

TIMEOUT = 20            # seconds for the server to connect or report
LOG = os.environ.get("EPBRIDGE_LOG", "/dev/null")


def note(msg):
    with open(LOG, "a") as f:
        f.write("epbridge: %s\n" % msg)


def start(cmd, subst, pass_fds=(), env=None):
    cmd = [c.format(**subst) for c in cmd]
    log = open(LOG, "a")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, pass_fds=pass_fds, env=env)
    note("server pid %d" % p.pid)
    return p


def abstract(name):
    return "\0" + name


def accept_one(lsock):
    lsock.settimeout(TIMEOUT)
    s, _ = lsock.accept()
    lsock.close()
    return s


def read_id(fd):
    """What lldb-server writes: the port, NUL-terminated."""
    data = b""
    while not data.endswith(b"\0"):
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    os.close(fd)
    note("port %s from the pipe" % data.rstrip(b"\0").decode())
    return int(data.rstrip(b"\0"))


class Terminal:
    """The controlling side of a pty, with the socket calls relay uses."""

    def __init__(self):
        self.fd, self.other = pty.openpty()
        tty.setraw(self.fd)
        self.name = os.ttyname(self.other)

    def fileno(self):
        return self.fd

    def sendall(self, data):
        while data:
            data = data[os.write(self.fd, data):]

    def recv(self, n):
        try:
            return os.read(self.fd, n)
        except OSError:         # EIO: the server closed the terminal
            return b""

    def close(self):
        os.close(self.fd)
        os.close(self.other)


def meet(mode, args, cmd):
    """The socket to the server, and the server's process if we started it."""
    if mode == "connect-abstract":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(abstract(args[0]))
        return s, None
    if mode in ("listen-unix", "listen-abstract"):
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(args[0] if mode == "listen-unix" else abstract(args[0]))
        lsock.listen(1)
        p = start(cmd, {})
        return accept_one(lsock), p
    if mode == "listen-tcp":
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        p = start(cmd, {"port": lsock.getsockname()[1]})
        return accept_one(lsock), p
    if mode == "socketpair":
        ours, theirs = socket.socketpair()
        p = start(cmd, {"fd": theirs.fileno()}, pass_fds=(theirs.fileno(),))
        theirs.close()
        return ours, p
    if mode == "named-pipe":
        path = os.path.join(tempfile.mkdtemp(), "port")
        os.mkfifo(path)
        p = start(cmd, {"pipe": path})
        port = read_id(os.open(path, os.O_RDONLY))
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
        return socket.create_connection(("127.0.0.1", port)), p
    if mode == "pipe":
        r, w = os.pipe()
        p = start(cmd, {"fd": w}, pass_fds=(w,))
        os.close(w)
        return socket.create_connection(("127.0.0.1", read_id(r))), p
    if mode == "listen-fds":
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        port = lsock.getsockname()[1]
        if lsock.fileno() != 3:
            os.dup2(lsock.fileno(), 3)
        # LISTEN_PID must be the server's own pid: the shell's, kept by exec.
        sh = ["sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"', "sh"]
        p = start(sh + cmd, {}, pass_fds=(3,))
        if lsock.fileno() != 3:
            os.close(3)
        lsock.close()
        return socket.create_connection(("127.0.0.1", port)), p
    if mode == "pty":
        t = Terminal()
        # t.other stays open: reads see EIO, not the server's bytes,
        # while no one holds the terminal side.
        return t, start(cmd, {"tty": t.name})
    sys.exit("epbridge: unknown mode %s" % mode)


def relay(s):
    sel = selectors.DefaultSelector()
    sel.register(0, selectors.EVENT_READ, "in")
    sel.register(s, selectors.EVENT_READ, "sock")
    while True:
        for key, _ in sel.select():
            if key.data == "in":
                data = os.read(0, 65536)
                if not data:
                    return
                s.sendall(data)
            else:
                data = s.recv(65536)
                if not data:
                    return
                os.write(1, data)


def main():
    argv = sys.argv[1:]
    cmd = []
    if "--" in argv:
        i = argv.index("--")
        argv, cmd = argv[:i], argv[i + 1:]
    s, p = meet(argv[0], argv[1:], cmd)
    try:
        relay(s)
    finally:
        s.close()
        if p is not None:
            try:
                note("server status %d" % p.wait(TIMEOUT))
            except subprocess.TimeoutExpired:
                note("server still running")


if __name__ == "__main__":
    main()
