#!/usr/bin/python3
"""rsp.py -- a minimal GDB remote serial protocol client for tests.

    from rsp import Rsp
    c = Rsp.tcp("127.0.0.1", port)      # or Rsp.unix(path), Rsp(sock)
    c.request("qSupported:fork-handoff+")   # -> the reply, a str
    c.send("c"); c.reply()              # the same in two steps

Packets go out as $DATA#CS and the server's '+' ack is eaten; replies are
acknowledged with '+' until QStartNoAckMode is done (c.no_ack()).
Notifications (%NAME:DATA#CS) that arrive in between are kept in
c.notes as (text, fds): fds are the descriptors that rode with them as
SCM_RIGHTS data (the first byte of a notification carries them).
Every read has a timeout (Rsp.TIMEOUT seconds, socket.timeout past it):
a test must never hang on a server that does not answer.

Run as a program it is a one-shot client for shell tests:

    rsp.py HOST:PORT|PATH PACKET...

sends each PACKET in turn and prints each reply on a line of its own
("> PACKET" then "< REPLY"; "% NOTE" for notifications; "<timeout>" when
no reply came).
"""
import array
import os
import socket
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "debugger"))
import handoffwatch as hw  # noqa: E402


class Rsp:
    TIMEOUT = float(os.environ.get("RSP_TIMEOUT", "10"))  # seconds, any reply
    MAX_FDS = 4         # descriptors accepted with one read

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(self.TIMEOUT)
        self.buf = b""
        self.fds = []           # received, not yet tied to a notification
        self.notes = []         # (text, [fds]) in arrival order
        self.ack = True

    @classmethod
    def tcp(cls, host, port):
        return cls(socket.create_connection((host, int(port)), cls.TIMEOUT))

    @classmethod
    def unix(cls, path):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(cls.TIMEOUT)
        s.connect(path)
        return cls(s)

    @classmethod
    def connect(cls, where):
        """HOST:PORT, :PORT or PORT is TCP; anything with a '/' a unix path;
        @NAME an abstract unix socket."""
        if where.startswith("@"):
            return cls.unix("\0" + where[1:])
        if "/" in where:
            return cls.unix(where)
        host, _, port = where.rpartition(":")
        return cls.tcp(host or "127.0.0.1", port)

    def close(self):
        for fd in self.fds:
            socket.close(fd)
        self.fds = []
        self.sock.close()

    # The codec is the debugger scripts' (debugger/handoffwatch.py).
    checksum = staticmethod(hw.checksum)
    escape = staticmethod(hw.escape)
    unescape = staticmethod(hw.unescape)

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, packet):
        """Send one packet (str or bytes), escaped, with its checksum."""
        if isinstance(packet, str):
            packet = packet.encode("latin-1")
        body = self.escape(packet)
        self.send_raw(b"$%s#%02x" % (body, self.checksum(body)))

    def _fill(self):
        fdsize = array.array("i").itemsize
        data, anc, flags, _ = self.sock.recvmsg(
            65536, socket.CMSG_SPACE(self.MAX_FDS * fdsize))
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                a = array.array("i")
                a.frombytes(cdata[:len(cdata) - len(cdata) % fdsize])
                self.fds.extend(a)
        if flags & socket.MSG_CTRUNC:
            raise OSError("descriptors lost (MSG_CTRUNC)")
        if not data:
            raise EOFError("connection closed")
        self.buf += data

    def _frame(self):
        """The next '$' or '%' frame as (kind, text); acks are skipped."""
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            if self.buf[:1] in (b"$", b"%"):
                end = self.buf.find(b"#")
                if end != -1 and len(self.buf) >= end + 3:
                    kind = self.buf[:1]
                    body = self.buf[1:end]
                    cs = self.buf[end + 1:end + 3]
                    self.buf = self.buf[end + 3:]
                    if int(cs, 16) != self.checksum(body):
                        raise ValueError("bad checksum in %r" % body)
                    if kind == b"$" and self.ack:
                        self.send_raw(b"+")
                    return kind, self.unescape(body).decode("latin-1")
            elif self.buf:
                raise ValueError("junk from the server: %r" % self.buf[:40])
            self._fill()

    def reply(self):
        """The next reply; notifications met on the way go to self.notes."""
        while True:
            kind, text = self._frame()
            if kind == b"%":
                self.notes.append((text, self.fds))
                self.fds = []
                continue
            return text

    def note(self):
        """The next notification (text, fds), waiting for one if need be."""
        while not self.notes:
            kind, text = self._frame()
            if kind == b"%":
                self.notes.append((text, self.fds))
                self.fds = []
            else:
                raise ValueError("a reply when a notification was due: %r"
                                 % text)
        return self.notes.pop(0)

    def request(self, packet):
        self.send(packet)
        return self.reply()

    def no_ack(self):
        r = self.request("QStartNoAckMode")
        if r == "OK":
            self.ack = False
        return r

    def drain(self, first=None):
        """Non-stop: one round of stops, first (a %Stop's text) then each
        vStopped reply until OK, in order, without the "Stop:" prefix."""
        stops = [] if first is None else [first[len("Stop:"):]]
        while True:
            r = self.request("vStopped")
            if r == "OK":
                return stops
            stops.append(r)

    def nonstop(self):
        """QNonStop:1, then '?' and the round it starts: every stop so far
        taken, so that later notifications are news."""
        r = self.request("QNonStop:1")
        first = self.request("?")
        if first != "OK":
            self.drain()
        return r


def symbol(prog, pid, name):
    """Where name of the (PIE) program prog is in process pid: nm's offset
    plus the first mapping of prog."""
    import subprocess
    for line in subprocess.run(["nm", prog], capture_output=True,
                               text=True).stdout.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            off = int(f[0], 16)
            break
    else:
        raise KeyError(name)
    with open("/proc/%d/maps" % pid) as maps:
        base = min(int(l.split("-")[0], 16) for l in maps
                   if l.rstrip().endswith(prog))
    return base + off


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: rsp.py HOST:PORT|PATH PACKET...\n")
        return 2
    c = Rsp.connect(argv[1])
    for p in argv[2:]:
        print("> %s" % p, flush=True)
        try:
            r = c.request(p)
        except socket.timeout:
            print("<timeout>", flush=True)
            return 1
        for text, fds in c.notes:
            print("%% %s fds %d" % (text, len(fds)), flush=True)
        c.notes = []
        print("< %s" % r, flush=True)
    c.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
