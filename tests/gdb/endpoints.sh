#!/bin/bash
# Every kind of endpoint handoffd gdbserver meets its client on, driven
# by stock gdb through tests/gdb/epbridge.py: an abstract unix socket,
# connecting out (unix-connect://, connect://, --reverse-connect), a
# socket given by number (fd://, --fd), the port reported on --named-pipe
# and --pipe, and systemd's inherited listening socket (sd-listen://).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v python3 >/dev/null || skip_all "no python3"
BRIDGE="python3 $top_srcdir/tests/gdb/epbridge.py"
NAME="handoffd-test-$$"

# The descriptors the stopped program holds: 0 1 2 and nothing of ours.
FDS="python import os; print('fds', *sorted(int(f) for f in os.listdir('/proc/%d/fd' % gdb.selected_inferior().pid)))"
# Whether its environment has systemd's LISTEN_* variables.
ENV="python print('listen-env', any(v.startswith(b'LISTEN_') for v in open('/proc/%d/environ' % gdb.selected_inferior().pid, 'rb').read().split(b'\\0')))"

# session NAME BRIDGE-ARGS...: gdb through the bridge debugs hello 2 5 to
# its end; the bridge's and the server's words go to $T/NAME.log.
session() {
	local name=$1
	shift
	EPBRIDGE_LOG="$T/$name.log" run_gdb "$name" "$PROGS/hello" \
		"target remote | $BRIDGE $*" \
		"break add" \
		"continue" \
		"$FDS" \
		"$ENV" \
		"delete" \
		"continue"
}

# no_leak NAME DESCRIPTION: the program did not inherit a descriptor.
no_leak() {
	contains "$T/$1.out" '^fds 0 1 2$' "$2"
}

# served NAME DESCRIPTION: gdb's side of a session went as it should.
served() {
	local out="$T/$1.out"

	grep -Eq '^Breakpoint 1, add \(a=0, b=0\) at .*hello\.c:[0-9]+$' "$out" &&
	    grep -Eq '^\[Inferior 1 \(process [0-9]+\) exited with code 05\]$' "$out" &&
	    ! grep -Eq 'Remote communication error|Remote connection closed' "$out"
	ok $? "$2"
}

# bridged_server_gone NAME: the server the bridge started has exited.
bridged_server_gone() {
	local pid

	pid=$(sed -n 's/^epbridge: server pid \([0-9]*\)$/\1/p' "$T/$1.log")
	[ -n "$pid" ]
	ok $? "$1: the bridge started the server"
	no_process "$pid" "$1: the server is gone after the session"
	contains "$T/$1.log" '^epbridge: server status 0$' "$1: and its exit status is 0"
}

# ---- unix-abstract-accept://: listen on an abstract name
start_server "unix-abstract-accept://$NAME" "$PROGS/hello" 2 5
ok $? "abstract: server started"
contains "$T/server.log" "^Listening on abstract unix socket @$NAME\$" "abstract: server names the socket"
session abstract connect-abstract "$NAME"
served abstract "abstract: gdb debugs over the abstract socket"
contains "$T/server.log" '^Remote debugging from pid [0-9]+, uid [0-9]+$' "abstract: the peer's credentials were read"
server_gone 10
ok $? "abstract: the server ends after the session"

# unix-abstract://NAME is lldb-server's older spelling.
start_server "unix-abstract://$NAME.2" "$PROGS/hello" 2 5
session abstract2 connect-abstract "$NAME.2"
served abstract2 "unix-abstract://: gdb debugs"
server_gone 10
ok $? "unix-abstract://: the server ends"

# ---- unix-connect://: the server connects to a listening client
session uconnect listen-unix "$T/client.sock" -- \
	"$HANDOFFD" gdbserver "unix-connect://$T/client.sock" "$PROGS/hello" 2 5
served uconnect "unix-connect://: gdb debugs"
no_leak uconnect "unix-connect://: the program does not inherit the socket"
contains "$T/uconnect.log" "^Remote debugging using unix-connect://$T/client.sock\$" "unix-connect://: the server says where"
bridged_server_gone uconnect

# --reverse-connect with a path: the same.
session urev listen-unix "$T/client2.sock" -- \
	"$HANDOFFD" gdbserver --reverse-connect "$T/client2.sock" "$PROGS/hello" 2 5
served urev "--reverse-connect PATH: gdb debugs"
bridged_server_gone urev

# unix-abstract-connect://
session aconnect listen-abstract "$NAME.3" -- \
	"$HANDOFFD" gdbserver "unix-abstract-connect://$NAME.3" "$PROGS/hello" 2 5
served aconnect "unix-abstract-connect://: gdb debugs"
bridged_server_gone aconnect

# ---- connect://HOST:PORT, and --reverse-connect HOST:PORT (lldb's form)
session tconnect listen-tcp -- \
	"$HANDOFFD" gdbserver "connect://127.0.0.1:{port}" "$PROGS/hello" 2 5
served tconnect "connect://: gdb debugs"
bridged_server_gone tconnect

session trev listen-tcp -- \
	"$HANDOFFD" gdbserver --native-regs "127.0.0.1:{port}" --reverse-connect -- "$PROGS/hello" 2 5
served trev "--reverse-connect HOST:PORT, options after it, -- PROG: gdb debugs"
contains "$T/trev.log" '^Remote debugging using 127\.0\.0\.1:[0-9]+$' "--reverse-connect: the server connected out"
bridged_server_gone trev

# ---- a connected socket by number: fd://N, --fd N, --fd=N
session fdurl socketpair -- \
	"$HANDOFFD" gdbserver "fd://{fd}" "$PROGS/hello" 2 5
served fdurl "fd://N: gdb debugs"
bridged_server_gone fdurl

session fdopt socketpair -- \
	"$HANDOFFD" gdbserver --fd "{fd}" -- "$PROGS/hello" 2 5
served fdopt "--fd N -- PROG: gdb debugs"
no_leak fdopt "--fd: the program does not inherit the client's socket"
bridged_server_gone fdopt

session fdeq socketpair -- \
	"$HANDOFFD" gdbserver "--fd={fd}" --setsid --native-regs "$PROGS/hello" 2 5
served fdeq "--fd=N --setsid --native-regs PROG: gdb debugs"
bridged_server_gone fdeq

# ---- serial://: a terminal (lldb-server's form; a pty here)
# (gdb gives the bridge's command line to the shell: the '&'s are quoted.)
session serial pty -- \
	"$HANDOFFD" gdbserver "'serial://{tty}?baud=115200&parity=no&parity-check=no&stop-bits=1'" "$PROGS/hello" 2 5
served serial "serial://DEVICE?OPTS: gdb debugs over a raw terminal"
no_leak serial "serial://: the program does not inherit the terminal"
bridged_server_gone serial
"$HANDOFFD" gdbserver "serial:///dev/null" "$PROGS/hello" >"$T/serial-null.out" 2>&1
[ $? -ne 0 ] && grep -q '^/dev/null: not a terminal$' "$T/serial-null.out"
ok $? "serial://: a device that is not a terminal is refused, by name"
pid=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/serial-null.out")
no_process "$pid" "serial://: the program started for it does not outlive the refusal"

# ---- the port, reported as lldb-server reports it
session npipe named-pipe -- \
	"$HANDOFFD" gdbserver :0 --named-pipe "{pipe}" "$PROGS/hello" 2 5
served npipe "--named-pipe: gdb debugs on the port written there"
port=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$T/npipe.log")
contains "$T/npipe.log" "^epbridge: port $port from the pipe\$" "--named-pipe: the port the server listens on"
bridged_server_gone npipe

session upipe pipe -- \
	"$HANDOFFD" gdbserver --pipe "{fd}" :0 "$PROGS/hello" 2 5
served upipe "--pipe: gdb debugs on the port written there"
no_leak upipe "--pipe: the program inherits neither pipe nor socket"
port=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$T/upipe.log")
contains "$T/upipe.log" "^epbridge: port $port from the pipe\$" "--pipe: the port the server listens on"
bridged_server_gone upipe

# ---- systemd socket activation: the inherited socket is the one used
session sd listen-fds -- \
	"$HANDOFFD" gdbserver sd-listen:// "$PROGS/hello" 2 5
served sd "sd-listen://: gdb debugs over the inherited socket"
no_leak sd "sd-listen://: the program does not inherit the listening socket"
contains "$T/sd.out" '^listen-env False$' "sd-listen://: nor LISTEN_PID and LISTEN_FDS"
contains "$T/sd.log" '^Listening on port [0-9]+ \(fd 3\)$' "sd-listen://: the server listens on fd 3"
bridged_server_gone sd
done_testing
