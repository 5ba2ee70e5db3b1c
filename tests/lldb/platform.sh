#!/bin/bash
# handoffd platform: stock lldb 16 connects to one port, and every
# session it runs goes through that same port, each in a worker of its
# own -- also through a single TCP forward, where lldb-server would need a
# second port per session.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
PY=/usr/bin/python3
export PYTHONPATH=/usr/lib/llvm-16/lib/python3.11/site-packages
$PY -c 'import lldb' 2>/dev/null || skip_all "no lldb Python module"
API="$top_srcdir/tests/lldb/platform_api.py"
RELAY="$top_srcdir/tests/tools/relay.py"
HELLO="$PROGS/hello"

# run_platform_lldb NAME URL COMMANDS...: connect, then debug hello,
# which lldb installs on the "remote" side as $T/remote-NAME.
run_platform_lldb() {
	local name=$1 url=$2
	shift 2
	run_lldb "$name" "" \
	    "platform select remote-linux" \
	    "platform connect $url" \
	    "target create -r $T/remote-$name $HELLO" \
	    "$@"
}

# Started by a path longer than the titles it takes, as in a deep build
# tree: ps must show the title alone, not the padding after it.
deep="$T/a-build-directory-deep-enough-that-every-title-is-shorter-than-it"
mkdir -p "$deep"
ln -s "$HANDOFFD" "$deep/handoffd"
HANDOFFD="$deep/handoffd" start_platform --server --listen 127.0.0.1:0 --debug
ok $? "the daemon started"
daemon=$SERVER_PID
title=$(tr '\0' ' ' <"/proc/$daemon/cmdline" | sed 's/ *$//')
[ "$title" = "handoffd: platform 127.0.0.1:0" ]
ok $? "the daemon names itself: '$title'"

# 0. Capabilities: the daemon says whether it may trace other users'
# processes, and keeps only what it uses (as root: ptrace, kill, file
# access, setpcap = 0x8012e).  Run as nobody, it says it cannot.
if [ "$(id -u)" -eq 0 ]; then
	contains "$T/platform.log" "can trace other users' processes" \
	    "as root: it can trace other users' processes"
	[ "$(awk '/^CapEff/ { print $2 }' "/proc/$daemon/status")" = \
	    000000000008012e ]
	ok $? "as root: only the capabilities it uses are left"
	if command -v setpriv >/dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		    --inh-caps=-all --bounding-set=-all "$HANDOFFD" platform \
		    --listen 127.0.0.1:0 >/dev/null 2>"$T/nobody.log" &
		nobody=$!
		EXTRA_PIDS="$EXTRA_PIDS $nobody"
		wait_for "$T/nobody.log" '^Listening on' 20
		contains "$T/nobody.log" "cannot trace other users' processes" \
		    "as nobody: it says it cannot trace other users' processes"
		kill "$nobody"
		wait "$nobody" 2>/dev/null
	fi
fi

# 1. platform connect, then run: a session through the same port.
run_platform_lldb basic "connect://127.0.0.1:$PORT" \
	"breakpoint set -n add" \
	"run 3 4" \
	"bt" \
	"frame variable a b" \
	"continue" \
	"frame variable b" \
	"breakpoint delete 1" \
	"continue"
out="$T/basic.out"
contains "$out" 'Connected: yes' "platform connect"
contains "$out" 'stop reason = breakpoint 1\.1' "run stops at the breakpoint"
contains "$out" 'frame #1: .*hello`main' "backtrace reaches main"
contains "$out" '^\(int\) b = 1$' "second hit: b = 1"
contains "$out" 'exited with status = 4' "the program's exit status"
contains "$T/platform.log" "qLaunchGDBServer: naming port $PORT\$" \
    "lldb asked for a debug server and was given this same port"
contains "$T/platform.log" "session worker [0-9]+" "the session ran in a worker"

# 2. Two sessions at once through the one port; then a worker killed.
spin_pid=
"$PROGS/spin" >/dev/null 2>&1 &
spin_pid=$!
EXTRA_PIDS="$EXTRA_PIDS $spin_pid"
$PY "$API" "connect://127.0.0.1:$PORT" "$HELLO" "$T" "$daemon" two crash \
    "attach=$spin_pid" >"$T/api.out" 2>"$T/api.err"
tap_from "$T/api.out"
contains "$T/platform.log" "worker [0-9]+ .* died of signal 9" \
    "the daemon logs the worker's death"
contains "$T/platform.log" "process $spin_pid: detached running" \
    "and names what became of its attached process"
kill -0 "$daemon" 2>/dev/null
ok $? "the daemon outlived its workers"

# 3. Through one TCP forward on another address, same port number:
# lldb only ever knows the forward.
$PY "$RELAY" 127.0.0.2 "$PORT" 127.0.0.1 "$PORT" >"$T/relay.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/relay.out" '^relay listening' 10
run_platform_lldb forward "connect://127.0.0.2:$PORT" \
	"breakpoint set -n add" \
	"run 2 6" \
	"frame variable a b" \
	"breakpoint delete 1" \
	"continue"
out="$T/forward.out"
contains "$out" 'stop reason = breakpoint 1\.1' "through the forward: breakpoint"
contains "$out" 'exited with status = 6' "through the forward: exit status"
[ "$(grep -c '^relay: connection' "$T/relay.out")" -ge 2 ]
ok $? "both the platform and the session connection took the forward"
kill -9 "$daemon"
wait "$daemon" 2>/dev/null

# 4. A forward that changes the port number: --advertise-port names the
# client's side of it.
$PY "$RELAY" 127.0.0.1 0 127.0.0.1 "@$T/port" >"$T/relay2.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/relay2.out" '^relay listening' 10
FWD=$(sed -n 's/^relay listening on //p' "$T/relay2.out")
start_platform --server --listen 127.0.0.1:0 --socket-file "$T/port" \
    --advertise-port "$FWD" --debug
daemon=$SERVER_PID
run_platform_lldb advertise "connect://127.0.0.1:$FWD" \
	"breakpoint set -n add" \
	"run 1 8" \
	"frame variable a" \
	"breakpoint delete 1" \
	"continue"
out="$T/advertise.out"
contains "$T/platform.log" "qLaunchGDBServer: naming port $FWD\$" \
    "qLaunchGDBServer names the forward's port"
contains "$out" 'stop reason = breakpoint 1\.1' "through the renumbering forward: breakpoint"
contains "$out" 'exited with status = 8' "through the renumbering forward: exit status"
kill "$daemon"; wait "$daemon" 2>/dev/null

# 5. On a unix socket and an abstract one: lldb's platform connects, and
# gdb runs a program through the daemon (lldb 16 itself cannot run over
# a unix socket platform: it builds "unix-connect://[]PATH", lldb-server
# included).
start_platform --server --listen "unix:$T/sock" --debug
daemon=$SERVER_PID
run_lldb unix "" "platform select remote-linux" \
	"platform connect unix-connect://$T/sock" "platform status"
contains "$T/unix.out" 'Connected: yes' "lldb: platform connect unix-connect://"
run_gdb unixgdb "$HELLO" "target extended-remote $T/sock" \
	"set remote exec-file $HELLO" \
	"break add" "run 2 3" "print b" "continue" "print b" "kill"
contains "$T/unixgdb.out" '^\$1 = 0$' "gdb: run through the unix socket daemon"
contains "$T/unixgdb.out" '^\$2 = 1$' "gdb: and continue"
kill "$daemon"; wait "$daemon" 2>/dev/null
abs="handoffd-test-$$"
start_platform --server --listen "unix-abstract-accept://$abs" --debug
daemon=$SERVER_PID
run_lldb abstract "" "platform select remote-linux" \
	"platform connect unix-abstract-connect://$abs" "platform status"
contains "$T/abstract.out" 'Connected: yes' "lldb: platform connect unix-abstract-connect://"
kill "$daemon"; wait "$daemon" 2>/dev/null

# 6. systemd's socket activation: the socket comes as fd 3 with
# LISTEN_PID and LISTEN_FDS, and no --listen is needed.
: >"$T/platform.log"
$PY -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print("Socket on port %d" % s.getsockname()[1], flush=True)
if s.fileno() == 3:	# dup2 to itself would keep it close-on-exec
    os.set_inheritable(3, True)
else:
    os.dup2(s.fileno(), 3)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.execv(sys.argv[1], [sys.argv[1], "platform", "--server", "--debug"])
' "$HANDOFFD" >"$T/platform.out" 2>"$T/platform.log" &
SERVER_PID=$!
daemon=$SERVER_PID
wait_for "$T/platform.log" '^Listening on' 20
PORT=$(sed -n 's/^Socket on port //p' "$T/platform.out")
run_platform_lldb socket "connect://127.0.0.1:$PORT" \
	"breakpoint set -n add" "run 1 5" "frame variable a" \
	"breakpoint delete 1" "continue"
contains "$T/socket.out" 'stop reason = breakpoint 1\.1' "socket activation: breakpoint"
contains "$T/socket.out" 'exited with status = 5' "socket activation: exit status"
contains "$T/platform.log" "qLaunchGDBServer: naming port $PORT\$" \
    "socket activation: qLaunchGDBServer names the socket's port"
kill "$daemon"; wait "$daemon" 2>/dev/null

# 7. Without --server the daemon ends with its first client.
start_platform --listen 127.0.0.1:0
run_platform_lldb once "connect://127.0.0.1:$PORT" "run 1 3"
contains "$T/once.out" 'exited with status = 3' "a session without --server"
server_gone 10
ok $? "the daemon exits once its first client is done"

# 8. The program's output reaches lldb: it runs on a terminal and what
# it prints comes as O packets, as with lldb-server.
start_platform --server --listen 127.0.0.1:0
daemon=$SERVER_PID
run_platform_lldb output "connect://127.0.0.1:$PORT" "run 4"
contains "$T/output.out" '^sum 6' "the program's output is in lldb's"
contains "$T/output.out" 'exited with status = 0' "output: exit status"
kill "$daemon"; wait "$daemon" 2>/dev/null
done_testing
