#!/bin/bash
# lldb 16 and fork events on one connection (handoffd gdbserver,
# --fork-mode auto, no watcher): follow-fork-mode parent (the default:
# the child is detached) and child (the parent is), and a vfork that
# execs.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FORKONCE="$PROGS/forkonce"

# 1. follow-fork-mode parent.
start_server :0 "$FORKONCE"
ok $? "the server listens"
run_lldb parent "$FORKONCE" "gdb-remote $PORT" \
	"breakpoint set -n after_fork" "continue" "continue"
out="$T/parent.out"
contains "$out" "stop reason = breakpoint 1\\.1" "parent: the parent stops in after_fork"
contains "$out" 'forkonce`after_fork\(child=[0-9]+\)' "parent: with its child's pid"
contains "$out" '^Process [0-9]+ exited with status = 0 ' "parent: the parent exits 0"
contains "$T/server.log" '^Detaching from process [0-9]+$' "parent: lldb detached the child"
contains "$T/server.out" '^child exited 7$' "parent: the child ran free, exit 7"
server_gone 20
ok $? "parent: the server ends"

# 2. follow-fork-mode child.
rm -f "$T/server.log" "$T/server.out"
start_server :0 "$FORKONCE"
run_lldb child "$FORKONCE" \
	"settings set target.process.follow-fork-mode child" \
	"gdb-remote $PORT" "breakpoint set -n child_work" "continue" \
	"continue"
out="$T/child.out"
contains "$out" "stop reason = breakpoint 1\\.1" "child: the child stops in child_work"
contains "$out" 'forkonce`child_work at forkonce\.c' "child: in child_work"
contains "$out" '^Process [0-9]+ exited with status = 7 ' "child: the child exits 7"
contains "$T/server.out" '^child exited 7$' "child: the parent, detached, reaps it"
server_gone 20
ok $? "child: the server ends"

# 3. vfork then exec, following the parent.
rm -f "$T/server.log" "$T/server.out"
start_server :0 "$PROGS/forker" 1 --vfork-exec "$PROGS/hello"
run_lldb vfork "$PROGS/forker" "gdb-remote $PORT" \
	"breakpoint set -n after_fork" "continue" "continue"
out="$T/vfork.out"
contains "$out" "stop reason = breakpoint 1\\.1" "vfork: the parent's breakpoint, back after vforkdone"
contains "$out" '^Process [0-9]+ exited with status = 0 ' "vfork: forker exits 0"
server_gone 20
ok $? "vfork: the server ends"
done_testing
