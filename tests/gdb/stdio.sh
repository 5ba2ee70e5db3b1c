#!/bin/bash
# gdb over a pipe: "target remote | handoffd gdbserver - PROG ARGS".
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# The server runs under gdb; a shell records its pid first.
pipe_cmd() {	# pipe_cmd NAME PROG ARGS...
	local name=$1
	shift
	echo "target remote | sh -c 'echo \$\$ >$T/$name.pid; exec \"\$0\" \"\$@\"' $HANDOFFD gdbserver - $*"
}

run_gdb stdio "$PROGS/hello" \
	"$(pipe_cmd stdio "$PROGS/hello" 2 9)" \
	"break add" \
	"continue" \
	"backtrace" \
	"continue" \
	"delete" \
	"continue"
out="$T/stdio.out"
pid=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$out")
contains "$out" '^Process .*/hello created; pid = [0-9]+$' "server starts the program"
contains "$out" '^Remote debugging using stdio$' "server speaks on stdio"
contains "$out" '^0x[0-9a-f]+ in _start \(\) from target:.*/ld-linux' "first stop at _start"
contains "$out" '^Breakpoint 1 at 0x[0-9a-f]+: file .*hello\.c, line [0-9]+\.$' "breakpoint set"
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at .*hello\.c:[0-9]+$' "breakpoint hit"
contains "$out" '^#1  0x[0-9a-f]+ in main \(argc=3, argv=0x[0-9a-f]+\) at .*hello\.c:[0-9]+$' "backtrace"
contains "$out" '^Breakpoint 1, add \(a=0, b=1\) at ' "second hit"
contains "$out" '^sum 1$' "program output reaches gdb's terminal (not the protocol stream)"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited with code 011\\]\$" "exit code reported"
lacks "$out" 'Ignoring packet error|Remote communication error|Remote connection closed|Bad packet|unexpected' "clean protocol stream"
[ "$(cat "$T/stdio.status")" = 0 ]
ok $? "gdb exit status 0"
no_process "$pid" "the inferior is gone"
no_process "$(cat "$T/stdio.pid")" "the server is gone"

# gdb ends the session with the program still stopped: both go away.
run_gdb live "$PROGS/hello" \
	"$(pipe_cmd live "$PROGS/hello")" \
	"break add" \
	"continue"
out="$T/live.out"
pid=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$out")
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at ' "second session stops at the breakpoint"
lacks "$out" '^sum ' "program did not run to its end"
no_process "$pid" "gdb's exit kills the stopped inferior"
no_process "$(cat "$T/live.pid")" "and the server exits"
done_testing
