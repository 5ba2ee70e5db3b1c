#!/bin/bash
# Target-side breakpoint conditions (ConditionalBreakpoints+): with
# "set breakpoint condition-evaluation target" gdb sends each condition
# as an agent expression with the Z packet, and the server reports only
# the hits where it is true: a false one never reaches gdb (no stop reply
# at that PC) when the rest of the process is stopped (all-stop), on
# software and hardware breakpoints.  In non-stop, with other threads of
# the process running, the server tells the hit and gdb, which always
# evaluates the condition again, resumes: gdb shows only the true hit.
# A condition the server cannot evaluate is reported.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# stops NAME ADDR: stop replies gdb received with the PC at ADDR.
stops() {
	local le
	le=$(python3 -c 'import sys, struct; print(struct.pack("<Q", int(sys.argv[1], 16)).hex())' "$2")
	grep -a -c -E "(Packet received|Notification received): (Stop:)?T05[^ ]*;10:$le;" "$T/$1.out"
}

# cond NAME PROG ARGS -- GDB-COMMANDS: gdb with remote debugging on.
cond() {
	local name=$1 prog=$2
	shift 2
	local args=()
	while [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	shift
	start_server :0 "$prog" "${args[@]}"
	run_gdb "$name" "$prog" \
		"set breakpoint condition-evaluation target" \
		"target remote :$PORT" \
		"set debug remote 1" \
		"$@"
	server_gone 20
	ok $? "$name: the server ends"
}

addr_of() {	# addr_of NAME: the address gdb gave breakpoint 1
	sed -n 's/^\(Hardware assisted b\|B\)reakpoint 1 at \(0x[0-9a-f]*\): .*/\2/p' "$T/$1.out" | head -1
}

# ---- all-stop, software: add(s, i) for i = 0..5; stop only at b == 3.
cond sw "$PROGS/hello" 6 5 -- "break add if b == 3" "continue" \
	"print b" "print counter" "continue"
contains "$T/sw.out" 'Z0,[0-9a-f]+,1;X[0-9a-f]+,[0-9a-f]+#' "sw: the condition goes with Z0"
contains "$T/sw.out" '^Breakpoint 1, add \(a=3, b=3\) at ' "sw: the stop is the call with b == 3"
contains "$T/sw.out" '^\$2 = 3$' "sw: after three calls that went on unseen"
[ "$(stops sw "$(addr_of sw)")" = 1 ] ; ok $? "sw: one stop reply at the breakpoint, not four"
contains "$T/sw.out" 'exited with code 05\]$' "sw: the program runs to its end"

# ---- hardware breakpoint: the debug register is stepped over the same way.
cond hw "$PROGS/hello" 6 5 -- "hbreak add if b == 4" "continue" \
	"print b" "continue"
contains "$T/hw.out" 'Z1,[0-9a-f]+,1;X[0-9a-f]+,[0-9a-f]+#' "hw: the condition goes with Z1"
contains "$T/hw.out" '^Breakpoint 1, add \(a=6, b=4\) at ' "hw: the stop is the call with b == 4"
[ "$(stops hw "$(addr_of hw)")" = 1 ] ; ok $? "hw: one stop reply at the breakpoint"
contains "$T/hw.out" 'exited with code 05\]$' "hw: the program runs to its end"

# ---- never true: no stop at all.
cond never "$PROGS/hello" 6 5 -- "break add if b == 100" "continue"
[ "$(stops never "$(addr_of never)")" = 0 ] ; ok $? "never: no stop reply at the breakpoint"
contains "$T/never.out" 'exited with code 05\]$' "never: the program runs to its end"

# ---- a condition the server cannot evaluate (memory at 8): reported.
cond unreadable "$PROGS/hello" 6 5 -- "break add if *(int *) 8 == 1" \
	"continue" "print b" "delete" "continue"
contains "$T/unreadable.out" '^\$1 = 0$' "unreadable: the first hit (b == 0) is reported"
contains "$T/unreadable.out" 'exited with code 05\]$' "unreadable: the program runs to its end"

# ---- threads, all-stop: the others wait while one steps over, then run.
cond threads "$PROGS/threads" -- "break worker_step if id == 2" \
	"continue" "print id" "continue"
contains "$T/threads.out" 'hit Breakpoint 1, worker_step \(id=2\) at ' "threads: the stop is worker 2's"
[ "$(grep -a -c 'hit Breakpoint 1,' "$T/threads.out")" = 1 ] ; ok $? "threads: and the only one"
contains "$T/threads.out" 'exited normally\]$' "threads: every thread runs to the end"
contains "$T/server.out" '^threads done 4$' "threads: all four workers ran"

# ---- threads, non-stop.
start_server :0 "$PROGS/threads"
run_gdb nonstop "$PROGS/threads" \
	"set non-stop on" \
	"set breakpoint condition-evaluation target" \
	"target remote :$PORT" \
	"set debug remote 1" \
	"break worker_step if id == 3" \
	"continue -a" \
	"print id" \
	"continue -a"
contains "$T/nonstop.out" 'Notification received: Stop:T05' "nonstop: stops come as %Stop"
contains "$T/nonstop.out" 'hit Breakpoint 1, worker_step \(id=3\) at ' "nonstop: the stop is worker 3's"
[ "$(grep -a -c 'hit Breakpoint 1,' "$T/nonstop.out")" = 1 ] ; ok $? "nonstop: and the only one"
contains "$T/nonstop.out" 'exited normally\]$' "nonstop: every thread runs to the end"
server_gone 20
ok $? "nonstop: the server ends"
done_testing
