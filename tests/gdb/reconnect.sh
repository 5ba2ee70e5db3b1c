#!/bin/bash
# gdb disconnects and another gdb takes over the same stopped process, as
# with gdbserver without --once; with --once the server ends instead.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/hello" 3
ok $? "server started"
pid=$(inferior_pid)

run_gdb first "$PROGS/hello" \
	"target remote :$PORT" \
	"break add" \
	"continue" \
	"continue" \
	"disconnect"
contains "$T/first.out" '^Breakpoint 1, add \(a=0, b=1\)' "first gdb stops at the second call"
[ "$(cat "$T/first.status")" = 0 ]
ok $? "first gdb disconnects cleanly"
wait_for "$T/server.log" 'will reopen the connection' 10
ok $? "the server waits for a new client"
[ -d "/proc/$pid" ]
ok $? "the process is kept"

run_gdb second "$PROGS/hello" \
	"target remote :$PORT" \
	"print a" \
	"print b" \
	"print counter" \
	"continue"
contains "$T/second.out" '^\$1 = 0$' "second gdb sees a"
contains "$T/second.out" '^\$2 = 1$' "second gdb sees b at the same stop"
contains "$T/second.out" '^\$3 = 1$' "and the program's memory as it was"
contains "$T/second.out" 'exited normally' "second gdb runs it to the end"
no_process "$pid" "the process is gone"
server_gone 10
ok $? "the server ends once nothing is left"

# --once: the first client's departure ends everything.
start_server --once :0 "$PROGS/hello" 3
pid=$(inferior_pid)
run_gdb once "$PROGS/hello" \
	"target remote :$PORT" \
	"break add" \
	"continue" \
	"disconnect"
contains "$T/once.out" '^Breakpoint 1, add' "--once: gdb stops in add"
server_gone 10
ok $? "--once: the server ends when gdb disconnects"
no_process "$pid" "--once: the launched process is killed"
done_testing
