#!/bin/bash
# --no-host-io and --no-shell (docs/security.md): with them, vFile,
# qPlatform_mkdir, qPlatform_chmod and qPlatform_shell get the empty
# reply of a packet the server does not have, nothing is touched on the
# host, and the session goes on; without them, the same packets work.
# Both for handoffd gdbserver and for the platform daemon.  Then the log's
# warning when a TCP listener reaches beyond loopback, and the uid check
# of every loopback TCP peer: another user's connection is closed at
# once unless --allow-any-uid.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

RSP="$top_srcdir/tests/tools/rsp.py"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
OPEN="vFile:open:$(hex /etc/hostname),0,0"
MKDIR="qPlatform_mkdir:1ed,$(hex "$T/made")"
CHMOD="qPlatform_chmod:1ff,$(hex "$T/file")"
SHELL_CMD="qPlatform_shell:$(hex "touch $T/ran"),a"
: >"$T/file"
chmod 600 "$T/file"

# ask NAME ADDRESS: the four packets, then '?' to show the session lives.
ask() {
	python3 "$RSP" "$2" "$OPEN" "$MKDIR" "$CHMOD" "$SHELL_CMD" \
	    "qSupported:multiprocess+" >"$T/$1.out" 2>&1
}

for mode in gdbserver platform; do
	if [ $mode = gdbserver ]; then
		start_server --once --no-host-io --no-shell "$T/sock" "$PROGS/hello"
	else
		start_platform --listen "$T/sock" --no-host-io --no-shell
	fi
	ok $? "$mode: starts with --no-host-io --no-shell"
	ask "$mode-off" "$T/sock"
	out="$T/$mode-off.out"
	for p in "vFile:open" "qPlatform_mkdir" "qPlatform_chmod" "qPlatform_shell"; do
		[ "$(grep -A1 "^> $p" "$out" | sed -n 's/^< //p')" = "" ] &&
		    grep -A1 "^> $p" "$out" | grep -q '^<'
		ok $? "$mode: $p refused with the empty reply"
	done
	contains "$out" '^< PacketSize=' "$mode: the session goes on"
	[ ! -e "$T/made" ] && [ ! -e "$T/ran" ] &&
	    [ "$(stat -c %a "$T/file")" = 600 ]
	ok $? "$mode: nothing was made, changed or run on the host"
	kill "$SERVER_PID" 2>/dev/null
	server_gone 20
	ok $? "$mode: ends"
	rm -f "$T/sock"
done

start_platform --listen "$T/sock"
ask on "$T/sock"
out="$T/on.out"
contains "$out" '^< F[0-9a-f]+$' "without them: vFile:open opens"
[ -d "$T/made" ] && [ "$(stat -c %a "$T/file")" = 777 ]
ok $? "without them: mkdir and chmod act"
wait_for "$T/on.out" '^< F,0' 10
[ -e "$T/ran" ]
ok $? "without them: the shell runs the command"
kill "$SERVER_PID" 2>/dev/null
server_gone 20

start_server --once '*:0' "$PROGS/hello"
contains "$T/server.log" "warning: listening on \\*:$PORT, beyond loopback: any host that can reach it may debug here" \
    "'*:PORT': the log warns that the port reaches beyond loopback"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
start_server --once ':0' "$PROGS/hello"
lacks "$T/server.log" 'beyond loopback' "':PORT' (loopback): no such warning"
kill "$SERVER_PID" 2>/dev/null
server_gone 20

# as_nobody PORT|PATH|@NAME: qSupported from uid 65534, over loopback TCP
# or a unix socket (a path, or an abstract name); prints the reply, or
# "closed" when the server hung up first.
as_nobody() {	# the system's python: nobody may read it
	/usr/bin/python3 - "$1" <<'PY'
import os, socket, sys
os.setgid(65534)
os.setuid(65534)
a = sys.argv[1]
if a.isdigit():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    a = ("127.0.0.1", int(a))
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a = "\0" + a[1:] if a.startswith("@") else a
s.settimeout(5)
s.connect(a)
try:
    s.sendall(b"$qSupported#37")
    data = s.recv(4096)
    print(data.decode("latin-1") if data else "closed")
except (ConnectionResetError, BrokenPipeError):
    print("closed")
PY
}
for mode in gdbserver platform; do
	if [ $mode = gdbserver ]; then
		start_server --multi 127.0.0.1:0
	else
		start_platform --server --listen 127.0.0.1:0
	fi
	r=$(as_nobody "$PORT")
	[ "$r" = closed ]
	ok $? "$mode: another user's loopback connection is closed at once ($r)"
	log="$T/server.log"
	[ $mode = platform ] && log="$T/platform.log"
	contains "$log" 'refused: peer uid 65534 is neither 0 nor ours \(--allow-any-uid' \
	    "$mode: the log says who was refused and why"
	python3 "$RSP" "127.0.0.1:$PORT" "qSupported:multiprocess+" >"$T/$mode-root.out" 2>&1
	contains "$T/$mode-root.out" '^< PacketSize=' "$mode: our own user is served"
	kill "$SERVER_PID" 2>/dev/null
	server_gone 20
done
mv "$T/platform.log" "$T/platform-checked.log"
start_platform --server --listen 127.0.0.1:0 --allow-any-uid
r=$(as_nobody "$PORT")
case $r in *PacketSize=*) true ;; *) false ;; esac
ok $? "--allow-any-uid: another user's connection is served"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
# Unix sockets: the socket file is made mode 0600, and every peer's uid
# is checked as it is accepted, whatever the file's mode has become; an
# abstract socket has no mode at all, so the check is all there is.
chmod 755 "$T"
for mode in gdbserver platform; do
	for kind in path abstract; do
		if [ $kind = path ]; then
			addr="$T/$mode.sock" url="unix://$T/$mode.sock"
		else
			addr="@handoffd-hostaccess-$$-$mode" url="unix-abstract://handoffd-hostaccess-$$-$mode"
		fi
		if [ $mode = gdbserver ]; then
			start_server --multi "$url"
			log="$T/server.log"
		else
			start_platform --server --listen "$url"
			log="$T/platform.log"
		fi
		if [ $kind = path ]; then
			[ "$(stat -c %a "$addr")" = 600 ]
			ok $? "$mode: the unix socket is made mode 0600"
			chmod 666 "$addr"
		fi
		r=$(as_nobody "$addr")
		[ "$r" = closed ]
		ok $? "$mode, $kind socket: another user's connection is closed at once ($r)"
		contains "$log" "unix socket peer refused: pid [0-9]+, uid 65534 is neither 0 nor ours" \
		    "$mode, $kind socket: the log names who was refused"
		python3 "$RSP" "$addr" "qSupported:multiprocess+" >"$T/$mode-$kind.out" 2>&1
		contains "$T/$mode-$kind.out" '^< PacketSize=' "$mode, $kind socket: our own user is served"
		kill "$SERVER_PID" 2>/dev/null
		server_gone 20
		mv "$log" "$log.$kind"
	done
done

# What a debuggee inherits: nothing of the server's descriptors, signal
# mask, ignored signals or inheritable and ambient capabilities, however
# the server itself was started.  The server here starts with all four.
badly() {	# badly PROGRAM ARGS...: exec PROGRAM with all four
	# exec: in the background, $! is then the program, not a subshell.
	exec /usr/bin/python3 - "$@" <<'PY'
import ctypes, os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2, signal.SIGTERM})
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
# Signal 33, one glibc keeps for itself and will not let signal(2) reset:
# ignored through rt_sigaction (13 on x86-64), as a parent may leave it.
class KAction(ctypes.Structure):
    _fields_ = [("handler", ctypes.c_void_p), ("flags", ctypes.c_ulong),
                ("restorer", ctypes.c_void_p), ("mask", ctypes.c_uint64)]
ign = KAction(1, 0, None, 0)	# SIG_IGN
ctypes.CDLL(None).syscall(13, 33, ctypes.byref(ign), None, 8)
fd = os.open("/etc/hostname", os.O_RDONLY)
os.dup2(fd, 7, inheritable=True)
caps = ["setpriv", "--inh-caps", "+net_raw", "--ambient-caps", "+net_raw"]
os.execvp(caps[0], caps + sys.argv[1:])
PY
}
(badly ls /proc/self/fd) >"$T/badly.out" 2>&1
(badly grep -E '^(SigBlk|SigIgn|CapInh|CapAmb)' /proc/self/status) >>"$T/badly.out" 2>&1
grep -qx 7 "$T/badly.out" &&
    grep -q '^SigBlk:.*[1-9a-f]' "$T/badly.out" &&
    grep -q '^SigIgn:.*1[0-9a-f]\{8\}$' "$T/badly.out" &&
    grep -q '^CapInh:.*[1-9a-f]' "$T/badly.out" &&
    grep -q '^CapAmb:.*[1-9a-f]' "$T/badly.out"
ok $? "started badly, a program gets fd 7, a blocked mask, ignored signals (33 too) and capabilities"
bad_start() {	# bad_start ARGS...: handoffd gdbserver ARGS, started badly
	: >"$T/server.log"
	badly "$HANDOFFD" gdbserver "$@" >"$T/server.out" 2>"$T/server.log" &
	SERVER_PID=$!
	wait_for "$T/server.log" '^Listening on' 20 &&
	    PORT=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$T/server.log")
}
for mode in launched attached; do
	rm -f "$T/inherit.out"
	if [ $mode = launched ]; then
		bad_start --once 127.0.0.1:0 "$PROGS/inherit" "$T/inherit.out"
	else
		bad_start --multi 127.0.0.1:0
	fi
	ok $? "$mode: a server started so"
	[ "$(readlink "/proc/$SERVER_PID/exe")" = "$(readlink -f "$HANDOFFD")" ]
	ok $? "$mode: and it is the process the test ends"
	if [ $mode = launched ]; then
		python3 "$RSP" "127.0.0.1:$PORT" "vCont;c" >"$T/inherit-rsp.out" 2>&1
	else
		hexprog=$(hex "$PROGS/inherit"); hexout=$(hex "$T/inherit.out")
		python3 "$RSP" "127.0.0.1:$PORT" "qSupported:multiprocess+" "!" \
		    "vRun;$hexprog;$hexout" "vCont;c" >"$T/inherit-rsp.out" 2>&1
	fi
	contains "$T/inherit-rsp.out" '^< W00' "$mode: the debuggee ran to its end"
	contains "$T/inherit.out" '^fds 0 1 2$' "$mode: it inherited descriptors 0, 1 and 2 only"
	contains "$T/inherit.out" '^SigBlk:[[:space:]]+0+$' "$mode: no signal blocked"
	contains "$T/inherit.out" '^SigIgn:[[:space:]]+0+$' "$mode: no signal ignored"
	contains "$T/inherit.out" '^CapInh:[[:space:]]+0+$' "$mode: no inheritable capability"
	contains "$T/inherit.out" '^CapAmb:[[:space:]]+0+$' "$mode: no ambient capability"
	kill "$SERVER_PID" 2>/dev/null
	server_gone 20
	ok $? "$mode: the server ends"
done
done_testing
