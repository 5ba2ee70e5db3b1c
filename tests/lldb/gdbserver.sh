#!/bin/bash
# Stock lldb 16 drives handoffd gdbserver as it drives a gdbserver:
# breakpoints, backtrace, variables, registers, memory, and kill (lldb
# waits for a reply to 'k', which gdb must not get).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
start_server :0 "$PROGS/hello" 3
ok $? "server started"
pid=$(inferior_pid)
run_lldb basic "$PROGS/hello" \
	"gdb-remote $PORT" \
	"breakpoint set -n add" \
	"continue" \
	"bt" \
	"frame variable a b" \
	"register read rip" \
	"continue" \
	"frame variable b" \
	"expression counter" \
	"kill"
out="$T/basic.out"
contains "$out" 'stop reason = breakpoint 1\.1' "lldb stops at the breakpoint"
contains "$out" 'frame #1: .*hello`main' "backtrace reaches main"
contains "$out" '^\(int\) a = 0$' "frame variable a"
contains "$out" '^\(int\) b = 1$' "second hit: b = 1"
contains "$out" 'rip = 0x[0-9a-f]+ +hello`add' "register read rip"
contains "$out" '^\(volatile int\) \$[0-9]+ = 1$' "expression reads memory"
contains "$out" 'exited with status = 9' "kill reports the process killed"
lacks "$out" 'failed to send k packet' "kill gets its reply"
no_process "$pid" "the process is gone"
server_gone 10
ok $? "the server ends"

# lldb's own session packets: thread suffixes, threads in stop replies,
# memory regions, register info.
start_server :0 "$PROGS/threads"
pid=$(inferior_pid)
run_lldb threads "$PROGS/threads" \
	"gdb-remote $PORT" \
	"breakpoint set -n worker_step" \
	"continue" \
	"thread list" \
	"memory region \$pc" \
	"register read rip rsp" \
	"frame variable id" \
	"kill"
out="$T/threads.out"
contains "$out" 'stop reason = breakpoint 1\.1' "a worker stops at the breakpoint"
[ "$(grep -c '^[ *] thread #' "$out")" -ge 2 ] 
ok $? "thread list shows several threads"
contains "$out" '^\[0x[0-9a-f]+-0x[0-9a-f]+\) r-x .*/threads' "memory region: range, permissions, file"
contains "$out" 'rsp = 0x[0-9a-f]+' "register read through the thread suffix"
contains "$out" '^\(int\) id = [0-9]$' "frame variable in the worker"
contains "$out" 'exited with status = 9' "kill"
no_process "$pid" "the process is gone"
done_testing
