#!/bin/bash
# clone() without CLONE_THREAD makes a process, not a thread: the parent
# stops at a breakpoint after it (no hang), info threads shows only the
# parent's threads, and the child runs untraced to its end (it writes a
# marker file and the parent reaps its exit code 7).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

marker="$T/child.marker"
start_server :0 "$PROGS/clonefork" "$marker"
ok $? "server listens on a free port"
pid=$(inferior_pid)

run_gdb clone "$PROGS/clonefork" \
	"target remote :$PORT" \
	"break after_clone" \
	"continue" \
	"print g_val" \
	"echo ==child\\n" \
	"eval \"shell grep -E '^(State|TracerPid):' /proc/%d/status\", child" \
	"echo ==threads\\n" \
	"info threads" \
	"echo ==end\\n" \
	"continue"
out="$T/clone.out"
[ "$(cat "$T/clone.status")" = 0 ]
ok $? "gdb ends by itself (no hang)"
contains "$out" '^Thread 1 "clonefork" hit Breakpoint 1, after_clone \(child=[0-9]+\) at .*clonefork\.c:[0-9]+$' \
    "the parent stops at the breakpoint after the clone"
child=$(sed -n 's/^Thread 1 .* after_clone (child=\([0-9]*\)) at .*/\1/p' "$out")
[ -n "$child" ]
ok $? "the clone's pid is known"
sed -n '/^==child$/,/^==threads$/p' "$out" | sed '1d;$d' >"$T/child.txt"
contains "$T/child.txt" '^State:[[:space:]]+[RS] ' "at the breakpoint the child runs (or sleeps on its pipe), not stopped"
contains "$T/child.txt" '^TracerPid:[[:space:]]+0$' "at the breakpoint the child is not traced"
sed -n '/^==threads$/,/^==end$/p' "$out" | sed '1d;$d' >"$T/threads.txt"
[ "$(grep -cE '^[* ] +[0-9]+ +Thread ' "$T/threads.txt")" = 2 ]
ok $? "info threads: two threads, main and the pthread"
lacks "$T/threads.txt" "Thread [0-9]+\\.${child:-X} " "info threads: the clone child is not among them"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" \
    "the parent exits 0: it reaped the child's exit 7"
contains "$T/server.out" '^child exited 7, g_val 1$' "the child ran in its own memory"
[ -f "$marker" ] && grep -q '^child ran$' "$marker"
ok $? "the child wrote its marker"
lacks "$T/server.log" 'cannot be stopped' "no thread had to be forgotten"
contains "$T/server.log" "process ${child:-X} ppid $pid \\(clone without CLONE_THREAD\\) detached" \
    "the server logs the clone child let go"
no_process "${child:-X}" "the child is gone, not left stopped or traced"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
done_testing
