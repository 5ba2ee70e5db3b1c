#!/bin/bash
# GDB's fork events on one connection (--fork-mode auto with no watcher,
# or multiplex): stock gdb 13 follows the parent and detaches the child,
# follows the child, keeps both (detach-on-fork off), catches fork and
# vfork; --fork-mode detach and handoff offer no fork events at all.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FORKONCE="$PROGS/forkonce"

# ext_gdb NAME COMMAND...: gdb on an extended-remote server running
# forkonce, with the commands that follow.
ext_gdb() {
	local name=$1
	shift
	run_gdb "$name" "$FORKONCE" \
		"target extended-remote :$PORT" \
		"set remote exec-file $FORKONCE" \
		"$@"
}

start_server --multi :0
ok $? "the server listens"

# 1. The defaults: follow the parent, detach the child.
ext_gdb parent "break after_fork" "run" "continue"
out="$T/parent.out"
contains "$out" '^\[Detaching after fork from child process [0-9]+\]$' \
    "parent: gdb detaches the child at the fork"
contains "$out" '^Breakpoint 1, after_fork \(child=[0-9]+\)' \
    "parent: the parent goes on to after_fork"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' \
    "parent: the parent exits"
contains "$T/server.out" '^child exited 7$' "parent: the child ran free"
contains "$T/server.log" 'child [0-9]+ of [0-9]+: a fork event for client' \
    "parent: the server chose the fork event (no watcher)"

# 2. follow-fork-mode child: the parent goes, the child is debugged.
ext_gdb child "set follow-fork-mode child" "break child_work" "run" \
    "continue"
out="$T/child.out"
contains "$out" '^\[Detaching after fork from parent process [0-9]+\]$' \
    "child: gdb detaches the parent"
contains "$out" 'hit Breakpoint 1, child_work \(\) at .*forkonce\.c' \
    "child: the child stops in child_work"
contains "$out" '^\[Inferior 2 \(process [0-9]+\) exited with code 07\]$' \
    "child: the child exits with code 7"

# 2b. The same with gdb's non-stop target (as GDB's testsuite boards run
#     it): gdb detaches the parent, then resumes with a plain vCont;c, and
#     the kept child must go then (it waits for its fork to be dealt with).
run_gdb childns "$FORKONCE" \
	"maint set target-non-stop on" \
	"target extended-remote :$PORT" \
	"set remote exec-file $FORKONCE" \
	"set follow-fork-mode child" "break child_work" "run" "continue"
out="$T/childns.out"
contains "$out" '^\[Detaching after fork from parent process [0-9]+\]$' \
    "child, non-stop target: gdb detaches the parent"
contains "$out" 'hit Breakpoint 1, child_work \(\) at .*forkonce\.c' \
    "child, non-stop target: the child goes on to child_work"
contains "$out" '^\[Inferior 2 \(process [0-9]+\) exited with code 07\]$' \
    "child, non-stop target: and exits with code 7"

# 3. detach-on-fork off, schedule-multiple on: both kept, both run.
ext_gdb both "set detach-on-fork off" "set schedule-multiple on" \
    "break child_work" "run" "echo ==inferiors\\n" "info inferiors" \
    "delete" "continue"
out="$T/both.out"
contains "$out" '^\[New inferior 2 \(process [0-9]+\)\]$' \
    "both: the child is inferior 2"
contains "$out" 'Thread 2\.1 "forkonce" hit Breakpoint 1\.2, child_work' \
    "both: the child hits the breakpoint it inherited"
[ "$(sed -n '/^==inferiors/,$p' "$out" | grep -Ec '^\*? +[12] +process [0-9]+')" = 2 ]
ok $? "both: info inferiors lists parent and child"
contains "$out" 'exited (normally|with code 07)\]$' "both: they run on to an exit"

# 4. catch fork, then detach.
ext_gdb catch "catch fork" "run" "continue"
out="$T/catch.out"
contains "$out" '^Catchpoint 1 \(forked process [0-9]+\)' "catch fork stops at the fork"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' \
    "catch fork: the parent then exits"

# 5. vfork: catch vfork, the child execs hello, the parent goes on.
run_gdb vfork "$PROGS/forker" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/forker" \
	"catch vfork" "run 1 --vfork-exec $PROGS/hello" "continue"
out="$T/vfork.out"
contains "$out" '^Catchpoint 1 \(vforked process [0-9]+\)' "catch vfork stops at the vfork"
contains "$out" '^\[Detaching after vfork from child process [0-9]+\]$' \
    "vfork: gdb detaches the child"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' \
    "vfork: forker exits 0 (its vfork child exec'd and exited)"

# 5b. catch exec: follow the vfork child into hello, which it execs.
run_gdb exec "$PROGS/forker" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/forker" \
	"set follow-fork-mode child" "catch exec" \
	"run 1 --vfork-exec $PROGS/hello" "continue"
out="$T/exec.out"
contains "$out" "^process [0-9]+ is executing new program: .*hello\$" \
    "catch exec: gdb follows the child through its exec"
contains "$out" "hit Catchpoint 1 \\(exec'd .*hello\\)" \
    "catch exec stops at the exec"
contains "$out" '^\[Inferior 2 \(process [0-9]+\) exited normally\]$' \
    "catch exec: hello runs to its end"
kill "$SERVER_PID"
server_gone 10

# 6. --fork-mode detach and handoff: no fork events offered.
for mode in detach handoff; do
	rm -f "$T/server.log" "$T/server.out"
	start_server --multi --fork-mode "$mode" --hold-timeout 1 \
	    --unclaimed resume :0
	ext_gdb "m$mode" "set debug remote 1" "break after_fork" "run" \
	    "continue"
	out="$T/m$mode.out"
	lacks "$out" 'Detaching after fork' "$mode: gdb sees no fork"
	lacks "$out" 'received: PacketSize.*fork-events\+' \
	    "$mode: no fork-events+ in qSupported's reply"
	contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited normally\]$' \
	    "$mode: the program runs to its end"
	kill "$SERVER_PID"
	server_gone 10
done
done_testing
