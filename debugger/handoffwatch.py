"""handoffwatch -- the side connection behind handoffd's debugger scripts.

Stock gdb and lldb cannot take a %Handoff notification or a descriptor
passed over a unix socket, so the scripts in lldb/ and gdb/ open a
connection of their own to the daemon (docs/protocol.md):

    QHandoffWatch:PID[;via:connect]  -> OK: this connection now gets the
                                        handoffs of PID's tree
    %Handoff:pid:..;ppid:..;tid:..;kind:..;via:fd|connect|reverse
    qHandoffList                     -> the children held for a claim
    vAttach;PID                      -> on a new connection: claim one

Over a unix socket each via:fd notification carries a socket already
bound to the child; over TCP the child waits for a claim on the same
port.  Either way the caller ends with a connected socket bound to the
child, ready for its debugger (lldb: fd://N), or, for gdb, with the pid
to attach over a connection of gdb's own.

Nothing here blocks without a deadline: every connect and every reply
has one, so a daemon that is gone or an address that is wrong becomes a
HandoffError with a message, never a hung debugger.
"""

import array
import os
import re
import select
import shutil
import socket
import stat
import tempfile
import threading

CONNECT_TIMEOUT = 5.0       # seconds to reach the daemon
REPLY_TIMEOUT = 10.0        # seconds for any one reply
MAX_PACKET = 1 << 20        # longest packet or notification we accept
MAX_FDS = 16                # descriptors taken from one recvmsg
LIST_PAGES_MAX = 64         # qHandoffList pages (128 children each)
RELAY_CHUNK = 65536         # bytes a relay moves at a time


class HandoffError(Exception):
    """Something the user should read: a bad address, a refusal, EOF."""


# Error numbers handoffd answers with (docs/protocol.md).
_ERRORS = {
    0x03: "no such process is traced there",
    0x0D: "permission denied: not your process (see 'Who may claim')",
    0x10: "the child is still running to its exec; ask again",
    0x16: "the daemon refused the request as malformed",
}


def describe_error(reply):
    """E.. -> words; anything else as it came."""
    m = re.match(r"^E([0-9a-fA-F]{2})", reply)
    if m is None:
        return "unexpected reply %r" % reply[:60]
    n = int(m.group(1), 16)
    text = reply[4:] if reply[3:4] == ";" else ""
    return "%s (E%02x)%s" % (_ERRORS.get(n, "error %d" % n), n,
                             ": " + text if text else "")


# ------------------------------------------------------------ addresses

def parse_address(text):
    """An address as gdb, lldb and handoffd write one -> (family, where):
    a unix socket's path (abstract: a leading NUL), or a TCP (host,
    port), not yet resolved.

    unix://PATH, unix-connect://PATH, unix:PATH, or a PATH with a '/';
    unix-abstract://NAME, unix-abstract-connect://NAME;
    connect://HOST:PORT, tcp://HOST:PORT, tcp:HOST:PORT, HOST:PORT,
    :PORT (loopback), [V6]:PORT.
    """
    t = text.strip()
    for prefix in ("unix-abstract-connect://", "unix-abstract://"):
        if t.startswith(prefix) and len(t) > len(prefix):
            return socket.AF_UNIX, "\0" + t[len(prefix):]
    for prefix in ("unix-connect://", "unix://", "unix:"):
        if t.startswith(prefix) and len(t) > len(prefix):
            return socket.AF_UNIX, t[len(prefix):]
    for prefix in ("connect://", "tcp://", "tcp:"):
        if t.startswith(prefix):
            t = t[len(prefix):]
            break
    else:
        if "/" in t:
            return socket.AF_UNIX, t
    m = re.match(r"^\[([0-9A-Fa-f:.]+)\]:(\d+)$", t) or \
        re.match(r"^([^:\s]*):(\d+)$", t)
    if m is None or not 0 < int(m.group(2)) < 65536:
        raise HandoffError("%r is not an address handoffd listens on "
                           "(HOST:PORT, a unix socket path, "
                           "unix-abstract://NAME)" % text)
    return socket.AF_INET, (m.group(1) or "127.0.0.1", int(m.group(2)))


def address_text(family, sockaddr):
    """The inverse of parse_address, for messages and for gdb."""
    if family == socket.AF_UNIX:
        if sockaddr.startswith("\0"):
            return "unix-abstract://" + sockaddr[1:]
        return sockaddr
    host, port = sockaddr[0], sockaddr[1]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def connect(address, timeout=CONNECT_TIMEOUT):
    """A connected stream socket to address (text), or HandoffError.
    A TCP name is tried at each of its addresses, as gdb and lldb do."""
    family, where = parse_address(address)
    try:
        if family == socket.AF_UNIX:
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect(where)
            except OSError:
                s.close()
                raise
        else:
            s = socket.create_connection(where, timeout)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError as e:
        raise HandoffError("cannot reach handoffd at %s: %s" %
                           (address, e.strerror or e))
    return s


def peer_addresses(exclude=()):
    """The daemons this process is connected to: every connected stream
    socket among our descriptors, by its peer's address (the debugger's
    own connection to handoffd is one of them).  Loopback and unix
    first."""
    found = []
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return found
    for name in fds:
        fd = int(name)
        if fd in exclude:
            continue
        try:
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            if s.type != socket.SOCK_STREAM or s.family not in (
                    socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
                continue
            peer = s.getpeername()
            if s.family == socket.AF_UNIX:
                if isinstance(peer, bytes):
                    peer = peer.decode("utf-8", "replace")
                if not peer:
                    continue        # a socketpair: nobody to call
            text = address_text(s.family, peer)
            if text not in found:
                found.append(text)
        except OSError:
            pass                    # not connected
        finally:
            s.close()
    return found


# ------------------------------------------------------------ the codec

def checksum(body):
    return sum(body) & 0xFF


def escape(payload):
    """'$', '#', '}' and '*' escaped ('}' then the byte xor 0x20)."""
    out = bytearray()
    for b in payload:
        if b in b"#$}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def frame(payload, kind=b"$"):
    """payload (str or bytes) as a packet, escaped."""
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    body = escape(payload)
    return kind + body + b"#%02x" % checksum(body)


def unescape(body):
    """Escapes and run-length encoding undone."""
    out = bytearray()
    i = 0
    while i < len(body):
        b = body[i]
        if b == 0x7D and i + 1 < len(body):
            out.append(body[i + 1] ^ 0x20)
            i += 2
        elif b == 0x2A and out and i + 1 < len(body):
            out += bytes((out[-1],)) * (body[i + 1] - 29)
            i += 2
        else:
            out.append(b)
            i += 1
    return bytes(out)


class Conn:
    """One RSP connection in ack mode, reading with deadlines; descriptors
    that ride with a notification's '%' are kept in arrival order."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.setblocking(True)
        self.buf = bytearray()
        self.fds = []
        self.notes = []             # (text, fd or None) not yet taken
        self.eof = False

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.fds = []
        for _, fd in self.notes:
            if fd is not None:
                os.close(fd)
        self.notes = []
        self.sock.close()

    def send(self, payload):
        try:
            self.sock.sendall(frame(payload))
        except OSError as e:
            raise HandoffError("handoffd connection lost: %s" %
                               (e.strerror or e))

    def fill(self, timeout):
        """One read; False when nothing came within timeout."""
        if self.eof:
            raise HandoffError("handoffd closed the connection")
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        fds = array.array("i")
        try:
            data, anc, flags, _ = self.sock.recvmsg(
                65536, socket.CMSG_SPACE(MAX_FDS * fds.itemsize))
        except OSError as e:
            raise HandoffError("handoffd connection lost: %s" %
                               (e.strerror or e))
        if flags & socket.MSG_CTRUNC:
            # A child's socket was dropped: the rest would be misnamed.
            raise HandoffError("descriptors lost in transit (MSG_CTRUNC)")
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
                n = len(cdata) - len(cdata) % fds.itemsize
                fds.frombytes(cdata[:n])
        for fd in fds:
            os.set_inheritable(fd, False)
            self.fds.append(fd)
        if not data:
            self.eof = True
            raise HandoffError("handoffd closed the connection")
        self.buf += data
        if len(self.buf) > 2 * MAX_PACKET:
            raise HandoffError("handoffd sent a packet past %d bytes" %
                               MAX_PACKET)
        return True

    def next_frame(self):
        """The next '$' reply as text, after queueing any notifications;
        None when the buffer holds no whole packet."""
        while True:
            while self.buf[:1] in (b"+", b"-"):
                del self.buf[:1]
            if not self.buf:
                return None
            start = self.buf[:1]
            if start not in (b"$", b"%"):
                del self.buf[:1]   # noise between packets
                continue
            end = self.buf.find(b"#")
            if end < 0 or len(self.buf) < end + 3:
                return None
            body = bytes(self.buf[1:end])
            try:
                good = int(self.buf[end + 1:end + 3], 16) == checksum(body)
            except ValueError:
                good = False
            del self.buf[:end + 3]
            text = unescape(body).decode("latin-1")
            if start == b"%":
                fd = None
                if ";via:fd" in text and self.fds:
                    fd = self.fds.pop(0)
                if good:
                    self.notes.append((text, fd))
                elif fd is not None:
                    os.close(fd)    # damaged: nothing to tell it by
                continue
            try:
                self.sock.sendall(b"+" if good else b"-")
            except OSError as e:
                raise HandoffError("handoffd connection lost: %s" %
                                   (e.strerror or e))
            if good:
                return text

    def request(self, payload, timeout=REPLY_TIMEOUT):
        """Send, then the reply (notifications in between are queued)."""
        self.send(payload)
        return self.reply(timeout)

    def reply(self, timeout=REPLY_TIMEOUT):
        while True:
            r = self.next_frame()
            if r is not None:
                return r
            if not self.fill(timeout):
                raise HandoffError("handoffd did not answer within %g s" %
                                   timeout)


# ------------------------------------------------------------ handoffs

class Child:
    """One %Handoff, parsed: pid, ppid, tid, kind, via (and the socket
    when it came with one)."""

    def __init__(self, text, fd=None):
        fields = dict(f.split(":", 1) for f in
                      text[len("Handoff:"):].split(";") if ":" in f)
        try:
            self.pid = int(fields["pid"], 16)
            self.ppid = int(fields.get("ppid", "0"), 16)
            self.tid = int(fields.get("tid", fields["pid"]), 16)
        except (KeyError, ValueError):
            raise HandoffError("malformed notification %r" % text[:80])
        self.kind = fields.get("kind", "fork")
        self.exe = None         # its program, once the daemon has said
        self.via = fields.get("via", "connect")
        self.sock = socket.socket(fileno=fd) if fd is not None else None

    def __repr__(self):
        return "child %d of %d (%s)" % (self.pid, self.ppid, self.kind)


def parse_list(reply):
    """One qHandoffList page -> (more, [dict])."""
    if reply[:1] not in ("m", "l"):
        raise HandoffError("qHandoffList: " + describe_error(reply))
    out = []
    for entry in filter(None, reply[1:].split(";")):
        d = dict(f.split(":", 1) for f in entry.split(",") if ":" in f)
        try:
            out.append({"pid": int(d["pid"], 16),
                        "ppid": int(d.get("ppid", "0"), 16),
                        "kind": d.get("kind", "?"),
                        "age_ms": int(d.get("age", "0"), 16),
                        "state": d.get("state", "?")})
        except (KeyError, ValueError):
            raise HandoffError("qHandoffList: bad entry %r" % entry[:80])
    return reply[0] == "m", out


def held_list(conn):
    """Every child the daemon holds for a claim, page by page."""
    out = []
    for _ in range(LIST_PAGES_MAX):
        more, page = parse_list(conn.request("qHandoffList:%x" % len(out)))
        out += page
        if not more or not page:
            break
    return out


def claim(address, pid, timeout=REPLY_TIMEOUT):
    """A new connection to address bound to held child pid: (socket, the
    child's stop reply).  Nothing but vAttach is sent, so the debugger
    that takes the socket starts its own session on it (qSupported...)."""
    c = Conn(connect(address))
    try:
        r = c.request("vAttach;%x" % pid, timeout)
    except HandoffError:
        c.close()
        raise
    if r[:1] not in ("T", "S"):
        c.close()
        if r[:1] in ("W", "X"):
            raise HandoffError("child %d is gone (%s)" % (pid, r))
        raise HandoffError("claiming child %d: %s" %
                           (pid, describe_error(r)))
    sock = c.sock
    c.sock = None
    return sock, r


class Watcher:
    """The watch connection, the thread that reads it, and the thread
    that hands each child on.

    on_child(Child) runs on a thread of its own, one child after the
    other, so that a slow debugger never stalls the reading of replies;
    on_warn(message) for a notification that could not be used; on_end
    (message) once, when the connection ends (None when stop() ended
    it).  Call start() once the caller's own state is ready."""

    def __init__(self, address, pid, on_child, on_end, via_connect=False,
                 on_warn=None):
        self.address = address
        self.pid = pid
        self.on_child = on_child
        self.on_end = on_end
        self.on_warn = on_warn
        self.conn = Conn(connect(address))
        self.lock = threading.Lock()     # one request at a time
        self.replies = []
        self.stale = 0                   # replies owed to timed-out asks
        self.cond = threading.Condition()
        self.children = []               # handoffs not yet handed on
        self.stopping = False
        self.ended = None
        try:
            self.conn.request("qSupported:multiprocess+")
            r = self.conn.request("QHandoffWatch:%x%s" %
                                  (pid, ";via:connect" if via_connect
                                   else ""))
        except HandoffError:
            self.conn.close()
            raise
        if r != "OK":
            self.conn.close()
            raise HandoffError("watching process %d at %s: %s" %
                               (pid, address, describe_error(r)))
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name="handoff-watch")
        self.giver = threading.Thread(target=self._give, daemon=True,
                                      name="handoff-give")

    def start(self):
        self.giver.start()
        self.thread.start()

    def _warn(self, msg):
        if self.on_warn is not None:
            try:
                self.on_warn(msg)
            except Exception:
                pass

    def _queue_notes(self):
        """Notifications read so far, parsed, for the giver."""
        while self.conn.notes:
            text, fd = self.conn.notes.pop(0)
            if not text.startswith("Handoff:"):
                if fd is not None:
                    os.close(fd)
                continue
            try:
                child = Child(text, fd)
            except HandoffError as e:
                if fd is not None:
                    os.close(fd)
                self._warn(str(e))
                continue
            with self.cond:
                self.children.append(child)
                self.cond.notify_all()

    def _give(self):
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.children or
                                   self.ended is not None)
                if not self.children:
                    return
                child = self.children.pop(0)
            if self.stopping:
                if child.sock is not None:
                    child.sock.close()
                continue
            try:
                self.on_child(child)
            except Exception as e:          # a script bug: say, go on
                self._warn("handling %r: %s" % (child, e))

    def _end(self, msg):
        with self.cond:
            if self.ended is None:
                self.ended = msg
            self.cond.notify_all()

    def _run(self):
        msg = None
        try:
            while True:
                while True:     # what was read with the last reply first
                    rep = self.conn.next_frame()
                    self._queue_notes()
                    if rep is None:
                        break
                    with self.cond:
                        if self.stale > 0:
                            self.stale -= 1     # its asker gave up
                        else:
                            self.replies.append(rep)
                        self.cond.notify_all()
                if self.stopping:
                    break
                self.conn.fill(None)
        except (HandoffError, OSError) as e:
            if not self.stopping:
                msg = "%s (watching %d at %s)" % (e, self.pid, self.address)
        self._end(msg or "stopped")
        self.conn.close()
        try:
            self.on_end(msg)
        except Exception:
            pass

    def request(self, payload, timeout=REPLY_TIMEOUT):
        with self.lock:
            with self.cond:
                if self.ended is not None:
                    raise HandoffError("the watch has ended: " + self.ended)
            self.conn.send(payload)
            with self.cond:
                self.cond.wait_for(
                    lambda: self.replies or self.ended is not None, timeout)
                if self.replies:
                    return self.replies.pop(0)
                if self.ended is not None:
                    raise HandoffError("the watch has ended: " + self.ended)
                self.stale += 1
                raise HandoffError("handoffd did not answer within %g s" %
                                   timeout)

    def held(self):
        """qHandoffList through the watch connection."""
        return held_list(self)

    def stop(self):
        """End the watch (the daemon forgets it when the connection
        closes) and wait for the threads, within REPLY_TIMEOUT."""
        self.stopping = True
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._end("stopped")
        for t in (self.thread, self.giver):
            if t.is_alive() and t is not threading.current_thread():
                t.join(REPLY_TIMEOUT)

    @property
    def alive(self):
        return self.ended is None


class Relay:
    """A private unix socket path whose first connection is joined to
    sock, byte for byte, until either side closes.

    gdb can neither take a passed descriptor nor attach in a second
    all-stop remote target (gdb 13 may poll the first, idle one and
    report "No unwaited-for children left"), but it adopts a stopped
    process when it connects to a server that has one.  So the child is
    claimed here and gdb connects to this path: `target extended-remote
    PATH` finds the child stopped, in one synchronous step."""

    def __init__(self, sock, timeout=CONNECT_TIMEOUT):
        self.sock = sock
        self.dir = tempfile.mkdtemp(prefix="handoff.")   # mode 0700
        self.path = os.path.join(self.dir, "child")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.listener.bind(self.path)
            self.listener.listen(1)
        except OSError as e:
            self._cleanup()
            raise HandoffError("relay socket %s: %s" % (self.path, e))
        self.timeout = timeout
        self.peer = None
        self.closing = False
        self.thread = threading.Thread(target=self._run, daemon=True,
                                       name="handoff-relay")
        self.thread.start()

    def stop(self):
        """End the relay now (the child's session ends with it) and wait
        for its thread: a debugger on its way out calls this before its
        Python goes."""
        self.closing = True
        for s in (self.listener, self.peer, self.sock):
            try:
                if s is not None:
                    s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join(REPLY_TIMEOUT)

    @property
    def alive(self):
        return self.thread.is_alive()

    def _cleanup(self):
        self.listener.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self):
        peer = None
        try:
            r, _, _ = select.select([self.listener], [], [], self.timeout)
            if r and not self.closing:
                peer, _ = self.listener.accept()
        except OSError:
            pass
        self.peer = peer
        self._cleanup()
        if peer is None:
            self.sock.close()       # nobody came: the session ends
            return
        ends = {peer: self.sock, self.sock: peer}
        try:
            while True:
                r, _, _ = select.select(list(ends), [], [])
                for s in r:
                    data = s.recv(RELAY_CHUNK)
                    if not data:
                        raise EOFError
                    ends[s].sendall(data)
        except (OSError, EOFError):
            pass
        peer.close()
        self.sock.close()
