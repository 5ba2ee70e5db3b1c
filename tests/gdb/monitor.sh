#!/bin/bash
# monitor commands, info os, and --disable-packet, as gdbserver has them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server --multi :0
ok $? "server started with --multi"
# A process whose command line is not text: info os must still parse.
bash -c $'exec -a \x01odd\xff\xfename sleep 60' &
EXTRA_PIDS="$EXTRA_PIDS $!"

run_gdb mon "$PROGS/hello" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/hello" \
	"break add" \
	"run" \
	"info os" \
	"info os processes" \
	"monitor help" \
	"monitor set debug 1" \
	"monitor set debug 0" \
	"monitor set debug-format all" \
	"monitor set debug-format bogus" \
	"monitor frobnicate" \
	"kill" \
	"monitor exit"
out="$T/mon.out"
pid=$(inferior_pid)
contains "$out" '^processes +Listing of all processes' "info os lists the processes type"
contains "$out" "^$pid +[a-z]+ +.*/hello" "info os processes shows the inferior"
contains "$out" '^[0-9]+ +[a-z]+ +\?odd\?\?name' "a command line that is not text is shown with '?'"
lacks "$out" 'while parsing osdata' "the osdata document parses"
contains "$out" '^  set remote-debug <0\|1>' "monitor help"
contains "$out" '^Debug output enabled\.' "monitor set debug 1"
contains "$out" '^Debug output disabled\.' "monitor set debug 0"
contains "$out" '^All extra debug format options enabled\.' "set debug-format all"
contains "$out" '^Unknown debug-format argument: "bogus"' "a bad debug-format is refused"
contains "$out" '^Unknown monitor command\.' "an unknown command says so"
contains "$out" 'Protocol error with Rcmd' "and fails, as on gdbserver"
server_gone 10
ok $? "monitor exit ends the server"

# A server without T stop replies nor thread packets: gdb copes.
start_server --disable-packet=T,threads :0 "$PROGS/hello" 3
ok $? "server started with --disable-packet=T,threads"
run_gdb dis "$PROGS/hello" \
	"target remote :$PORT" \
	"break add" \
	"continue" \
	"print a" \
	"continue"
contains "$T/dis.out" '^Breakpoint 1, add \(a=0, b=0\)' "breakpoint hit with S replies"
contains "$T/dis.out" '^\$1 = 0$' "registers and memory still read"
lacks "$T/server.log" 'warning' "no warnings from the server"
done_testing
