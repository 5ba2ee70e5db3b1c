#!/bin/bash
# Stock lldb 16 over gdb-remote: clone() without CLONE_THREAD makes a
# process, not a thread.  The parent stops at the breakpoint after the
# clone (no hang), thread list shows only its two threads, and the child
# runs untraced to its end.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
marker="$T/child.marker"
start_server :0 "$PROGS/clonefork" "$marker"
ok $? "server started"
pid=$(inferior_pid)
run_lldb clone "$PROGS/clonefork" \
	"gdb-remote $PORT" \
	"breakpoint set -n after_clone" \
	"continue" \
	"frame variable child" \
	"thread list" \
	"continue"
out="$T/clone.out"
[ "$(cat "$T/clone.status")" = 0 ]
ok $? "lldb ends by itself (no hang)"
contains "$out" 'stop reason = breakpoint 1\.1' "the parent stops at the breakpoint"
contains "$out" 'clonefork`after_clone' "in after_clone"
child=$(sed -n 's/^(pid_t) child = \([0-9]*\)$/\1/p' "$out")
[ -n "$child" ]
ok $? "frame variable child: the clone's pid"
[ "$(grep -cE '^[ *] +thread #[0-9]+: tid = ' "$out")" = 2 ]
ok $? "thread list: two threads"
lacks "$out" "^[ *] +thread #[0-9]+: tid = ${child:-X}," "thread list: not the clone child"
contains "$out" "Process $pid exited with status = 0" "the parent exits 0: it reaped the child's exit 7"
[ -f "$marker" ] && grep -q '^child ran$' "$marker"
ok $? "the child wrote its marker"
lacks "$T/server.log" 'cannot be stopped' "no thread had to be forgotten"
no_process "${child:-X}" "the child is gone, not left stopped or traced"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends"
done_testing
