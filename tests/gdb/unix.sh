#!/bin/bash
# gdb over a unix socket path: "target remote /path/to/socket".
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

sock="$T/sock"
start_server "$sock" "$PROGS/hello" 2 5
ok $? "server listens on the socket"
contains "$T/server.log" "^Listening on unix socket $sock\$" "server names the socket"
[ -S "$sock" ]
ok $? "the socket exists"
pid=$(inferior_pid)

run_gdb unix "$PROGS/hello" \
	"target remote $sock" \
	"break add" \
	"continue" \
	"info threads" \
	"print counter" \
	"continue" \
	"delete" \
	"continue"
out="$T/unix.out"
contains "$out" '^0x[0-9a-f]+ in _start \(\) from target:.*/ld-linux' "gdb connects and sees the stop at _start"
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at .*hello\.c:[0-9]+$' "breakpoint hit"
contains "$out" "^\\* 1 +Thread $pid\\.$pid \"hello\" +add \\(a=0, b=0\\)" "info threads shows the one thread"
contains "$out" '^\$1 = 0$' "print counter"
contains "$out" '^Breakpoint 1, add \(a=0, b=1\) at ' "second hit"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited with code 05\\]\$" "exit code reported"
lacks "$out" '^Remote connection closed|Remote communication error' "no connection error"
contains "$T/server.out" '^sum 1$' "program output on the server's stdout"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
[ ! -e "$sock" ]
ok $? "the socket file is removed"
done_testing
