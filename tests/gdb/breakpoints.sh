#!/bin/bash
# gdb over TCP: breakpoints, continue, step, next, finish, print,
# backtrace, and the exit code at the end.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/hello" 3 7
ok $? "server listens on a free port"
pid=$(inferior_pid)

run_gdb bp "$PROGS/hello" \
	"target remote :$PORT" \
	"break add" \
	"continue" \
	"backtrace" \
	"print a" \
	"print b" \
	"next" \
	"step" \
	"finish" \
	"continue" \
	"print counter" \
	"delete" \
	"continue"
out="$T/bp.out"
contains "$out" '^Breakpoint 1 at 0x[0-9a-f]+: file .*hello.c' "breakpoint set"
contains "$out" '^Breakpoint 1, add \(a=0, b=0\)' "first hit stops in add"
contains "$out" '^#1  0x[0-9a-f]+ in main \(argc=3' "backtrace shows main"
contains "$out" '^\$1 = 0$' "print a"
contains "$out" '^Value returned is \$[0-9]+ = 0$' "finish returns to the caller with the value"
contains "$out" '^Breakpoint 1, add \(a=0, b=1\)' "second hit after continue"
contains "$out" '^\$[0-9]+ = 1$' "counter read from memory"
contains "$out" '\[Inferior 1 \(process [0-9]+\) exited with code 07\]' "exit code reported"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
done_testing
