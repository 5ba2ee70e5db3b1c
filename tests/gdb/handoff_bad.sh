#!/bin/bash
# The fork handoff packets from a bare RSP client (handoff_bad.py): wrong
# claims, wrong watches and malformed packets get errors and leave the
# held child held; a second claim fails; qHandoffList lists what is held.
# Then a client that watches its own tree through fork-handoff+ gets a
# %Handoff for each child: via:connect on TCP, via:fd (with the child's
# socket) on a unix socket.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PY="python3 $top_srcdir/tests/gdb/handoff_bad.py"

# Faults, with forkonce's child held while its parent's gdb runs on.
start_server --fork-mode=handoff --hold-timeout 600 :0 "$PROGS/forkonce"
ok $? "server listens"
parent=$(inferior_pid)
run_gdb parent "$PROGS/forkonce" \
	"target remote :$PORT" \
	"continue" &
G1=$!
EXTRA_PIDS=$G1
wait_for "$T/server.log" 'child [0-9]+ of [0-9]+ held at its fork' 60
ok $? "the child is held"
child=$(sed -n 's/^.* child \([0-9]*\) of [0-9]* held at its fork.*$/\1/p' \
    "$T/server.log" | head -n 1)
timeout 120 $PY faults "$PORT" "${parent:-0}" "${child:-0}" >"$T/faults.out" 2>&1
tap_from "$T/faults.out"
wait "$G1"
contains "$T/parent.out" "^\\[Inferior 1 \\(process $parent\\) exited normally\\]\$" \
    "the parent ends once its child is claimed and run"
contains "$T/server.out" '^child exited 7$' "the parent reaps exit code 7"
server_gone 20
ok $? "the server ends"

# A watcher on TCP: via:connect.
rm -f "$T/server.log" "$T/server.out"
start_server --fork-mode=handoff --hold-timeout 600 :0 "$PROGS/forker" 2
ok $? "tcp watch: server listens"
timeout 120 $PY watch "127.0.0.1:$PORT" >"$T/watch_tcp.out" 2>&1
tap_from "$T/watch_tcp.out"
contains "$T/server.log" 'announced to .*, via connect' "tcp watch: the log says announced via connect"
contains "$T/server.out" '^stopped-seen 0$' "tcp watch: the parent saw no stop"
contains "$T/server.out" '^exits OK$' "tcp watch: exits OK"
server_gone 20
ok $? "tcp watch: the server ends"

# A watcher on a unix socket: via:fd.
rm -f "$T/server.log" "$T/server.out"
start_server --fork-mode=handoff --hold-timeout 600 "unix:$T/sock" "$PROGS/forker" 2
ok $? "unix watch: server listens"
timeout 120 $PY watch "$T/sock" >"$T/watch_unix.out" 2>&1
tap_from "$T/watch_unix.out"
contains "$T/server.log" 'announced to .*, via fd' "unix watch: the log says announced via fd"
contains "$T/server.out" '^stopped-seen 0$' "unix watch: the parent saw no stop"
contains "$T/server.out" '^exits OK$' "unix watch: exits OK"
server_gone 20
ok $? "unix watch: the server ends"
done_testing
