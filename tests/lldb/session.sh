#!/bin/bash
# Stock lldb 16 and lldb's session packets: an expression that calls a
# function in the program (_M to allocate, QSaveRegisterState and
# QRestoreRegisterState around the call), the registers unchanged after
# it, thread names, a watchpoint's stop reason, the exit status, a
# fault's description and a signal's number.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
start_server --remote-debug --log-file "$T/packets.log" :0 \
	"$PROGS/session" 5
ok $? "server started"
pid=$(inferior_pid)
run_lldb session "$PROGS/session" \
	"gdb-remote $PORT" \
	"breakpoint set -n stop_here" \
	"continue" \
	"register read rip rsp rbp" \
	"expression triple(5)" \
	"register read rip rsp rbp" \
	"thread list" \
	"watchpoint set variable watched" \
	"continue" \
	"watchpoint delete 1" \
	"continue"
out="$T/session.out"
log="$T/packets.log"
contains "$out" 'stop reason = breakpoint 1\.1' "lldb stops in stop_here"
contains "$out" '^\(int\) \$0 = 15$' "expression calls triple(5) in the program"
grep -A2 'client -> _M[0-9a-f]*,r' "$log" | grep -Eq 'client <- [0-9a-f]{4,} \('
ok $? "lldb allocated memory with _M, got an address"
grep -A1 'client -> QSaveRegisterState' "$log" | grep -Eq 'client <- [0-9]+ \('
ok $? "lldb saved the registers with QSaveRegisterState"
grep -A1 'client -> QRestoreRegisterState:[0-9]' "$log" | grep -q 'client <- OK'
ok $? "and restored them with QRestoreRegisterState"
regs=$(grep -E '^ +(rip|rsp|rbp) = ' "$out")
[ "$(echo "$regs" | wc -l)" -eq 6 ] &&
	[ "$(echo "$regs" | sed -n 1,3p)" = "$(echo "$regs" | sed -n 4,6p)" ]
ok $? "register read after the expression shows the same rip, rsp, rbp"
contains "$out" "thread #2: tid = [0-9]+, .*name = 'sess-worker'" \
	"thread list names the worker thread"
contains "$out" "thread #1: tid = $pid, .*name = 'session'" \
	"and the main thread"
contains "$out" 'stop reason = watchpoint 1' "watchpoint stop reason"
contains "$out" 'new value: 42' "stopped after the write"
contains "$out" "Process $pid exited with status = 5" "exit status"
no_process "$pid" "the process is gone"
server_gone 10
ok $? "the server ends"

# A fault, described as lldb-server describes it (from its siginfo).
start_server :0 "$PROGS/crash"
pid=$(inferior_pid)
run_lldb crash "$PROGS/crash" "gdb-remote $PORT" "continue" "kill"
contains "$T/crash.out" \
	'stop reason = signal SIGSEGV: invalid address \(fault address: 0x0\)' \
	"a fault's stop reason and address"
no_process "$pid" "the crashed process is gone"

# Signals in Linux's numbers, as lldb-server sends them (gdb's SIGUSR1 is
# 30, which lldb would read as SIGPWR).
start_server :0 "$PROGS/signals"
pid=$(inferior_pid)
run_lldb signals "$PROGS/signals" "gdb-remote $PORT" \
	"process handle SIGUSR1 -s true -p true" "continue" "kill"
contains "$T/signals.out" 'stop reason = signal SIGUSR1$' \
	"SIGUSR1 is named as lldb numbers it"
no_process "$pid" "the signalled process is gone"
done_testing
