#!/bin/bash
# Fork handoff (docs/protocol.md) with stock clients: a forked child is
# held while its parent's gdb runs on, never seeing the fork; a second
# gdb (or lldb 16) claims the child with a plain attach, breaks in its
# loop and runs it to its exit code; the same through a TCP forward.
# Then the --unclaimed policies, --max-held and --fork-mode detach with
# forker, and the proof that a parent's waitpid(WUNTRACED) never sees a
# held child stop.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

RELAY="$top_srcdir/tests/tools/relay.py"
RSP="$top_srcdir/tests/tools/rsp.py"
LOOP_LINE=$(grep -n 'LINE:child_loop' "$top_srcdir/tests/progs/forkonce.c" |
    cut -d: -f1)
HELD_RE='child [0-9]+ of [0-9]+ held at its fork'

# held_child N: the pid of the Nth child the server held.
held_child() {
	sed -n 's/^.* child \([0-9]*\) of [0-9]* held at its fork.*$/\1/p' \
	    "$T/server.log" | sed -n "${1}p"
}

# fresh: forget the last server's files (start_server waits for a line).
fresh() {
	rm -f "$T/server.log" "$T/server.out"
}

# parent_gdb NAME PORT: gdb #1 on the parent, in the background (sets
# G1): stops after the fork, prints the child, runs the parent to its end.
parent_gdb() {
	run_gdb "$1" "$PROGS/forkonce" \
		"target remote :$2" \
		"break after_fork" \
		"continue" \
		"print child" \
		"continue" &
	G1=$!
	EXTRA_PIDS="$EXTRA_PIDS $G1"
}

# child_gdb NAME PORT CHILD: gdb #2 claims CHILD, breaks in its loop twice
# and runs it to its exit.
child_gdb() {
	run_gdb "$1" "$PROGS/forkonce" \
		"target extended-remote :$2" \
		"attach $3" \
		"break forkonce.c:$LOOP_LINE" \
		"continue" \
		"print child_counter" \
		"continue" \
		"print child_counter" \
		"delete" \
		"continue"
}

# check_parent NAME PARENT CHILD WHAT: the parent's gdb saw no fork.
check_parent() {
	local out="$T/$1.out"
	contains "$out" "^Breakpoint 1, after_fork \\(child=$3\\) at .*forkonce\\.c:[0-9]+\$" \
	    "$4: the parent's gdb stops after the fork"
	contains "$out" "^\\\$1 = $3\$" "$4: print child"
	contains "$out" "^\\[Inferior 1 \\(process $2\\) exited normally\\]\$" \
	    "$4: the parent runs to its end"
	lacks "$out" 'after v?fork|New inferior|Switching to|received signal' \
	    "$4: the parent's gdb sees no fork event and no signal"
	lacks "$out" "process $3|Thread $3" "$4: the parent's gdb never names the child process"
	[ "$(cat "$T/$1.status")" = 0 ]
	ok $? "$4: the parent's gdb ends by itself"
}

# check_child NAME CHILD WHAT: gdb #2's claim, breakpoint and exit.
check_child() {
	local out="$T/$1.out"
	lacks "$out" 'received signal|Remote communication error|Remote connection closed|Cannot|[Ee]rror' \
	    "$3: the claim and the run show no signal and no error"
	contains "$out" "^Breakpoint 1, child_work \\(\\) at .*forkonce\\.c:$LOOP_LINE\$" \
	    "$3: the child stops in its loop"
	contains "$out" '^\$1 = 0$' "$3: child_counter 0 at the first hit"
	contains "$out" '^\$2 = 1$' "$3: child_counter 1 at the second hit"
	contains "$out" "^\\[Inferior 1 \\(process $2\\) exited with code 07\\]\$" \
	    "$3: the child exits with code 07"
	[ "$(cat "$T/$1.status")" = 0 ]
	ok $? "$3: the child's gdb ends by itself"
}

# ---- (a) two gdbs, one port: the parent runs on, the child is claimed.
# forkonce's "sleep" mode polls waitpid(WUNTRACED): it would say "parent
# saw a stop" if the held child showed it one.
fresh
start_server --fork-mode=handoff :0 "$PROGS/forkonce" sleep
ok $? "a: server listens"
parent=$(inferior_pid)
parent_gdb a_parent "$PORT"
wait_for "$T/server.log" "$HELD_RE" 60
ok $? "a: the child is held at its fork"
child=$(held_child 1)
child=${child:-none}
hex=$(printf %x "$child" 2>/dev/null)
contains "$T/server.log" "child $child \\(parent $parent, fork\\) held; claim it on [^ ]*:$PORT with vAttach;$hex \\(gdb: attach $child\\)" \
    "a: the log names the child, its parent and the port to claim it on"
state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$child/status" 2>/dev/null)
[ "$state" = t ]
ok $? "a: the held child is in a ptrace stop (state '$state')"
child_gdb a_child "$PORT" "$child"
wait "$G1"
check_child a_child "$child" a
check_parent a_parent "$parent" "$child" a
contains "$T/server.log" "child $child \\(parent $parent, fork\\) claimed by .* via vAttach" \
    "a: the log says who claimed the child and how"
contains "$T/server.out" '^child ran$' "a: the child's output"
contains "$T/server.out" '^child exited 7$' "a: the parent reaps exit code 7"
lacks "$T/server.out" 'parent saw a stop' "a: the parent's waitpid(WUNTRACED) saw no stop"
server_gone 20
ok $? "a: the server ends with its processes"
no_process "$child" "a: the child is gone"

# ---- (b) the second client is lldb 16.
if command -v "$LLDB" >/dev/null; then
	fresh
	start_server --fork-mode=handoff :0 "$PROGS/forkonce"
	ok $? "b: server listens"
	parent=$(inferior_pid)
	parent_gdb b_parent "$PORT"
	wait_for "$T/server.log" "$HELD_RE" 60
	ok $? "b: the child is held"
	child=$(held_child 1)
	child=${child:-none}
	# lldb 16's synchronous "gdb-remote" waits for a stop that a
	# connection with no process never reports (lldb-server the same):
	# connect asynchronously, wait for "connected", then attach.
	run_lldb b_child "$PROGS/forkonce" \
		"script import time" \
		"script lldb.debugger.SetAsync(True)" \
		"gdb-remote 127.0.0.1:$PORT" \
		"script [time.sleep(0.1) for _ in range(300) if lldb.debugger.GetSelectedTarget().GetProcess().GetState() != lldb.eStateConnected]" \
		"script lldb.debugger.SetAsync(False)" \
		"process attach -p $child" \
		"breakpoint set -f forkonce.c -l $LOOP_LINE" \
		"continue" \
		"p child_counter" \
		"continue" \
		"p child_counter" \
		"breakpoint delete -f" \
		"continue"
	wait "$G1"
	out="$T/b_child.out"
	contains "$out" "^Process $child stopped\$" "b: lldb attaches to the held child"
	contains "$out" 'stop reason = signal SIGSTOP' "b: the claim is a SIGSTOP stop"
	contains "$out" 'stop reason = breakpoint 1\.1' "b: lldb stops in the child's loop"
	contains "$out" "frame #0: .*forkonce\`child_work at forkonce\\.c:$LOOP_LINE" \
	    "b: at the loop's line"
	contains "$out" '^\(int\) \$0 = 0$' "b: child_counter 0 at the first hit"
	contains "$out" '^\(int\) \$1 = 1$' "b: child_counter 1 at the second hit"
	contains "$out" "^Process $child exited with status = 7 " "b: the child exits with status 7"
	[ "$(cat "$T/b_child.status")" = 0 ]
	ok $? "b: lldb ends by itself"
	check_parent b_parent "$parent" "$child" b
	contains "$T/server.out" '^child exited 7$' "b: the parent reaps exit code 7"
	server_gone 20
	ok $? "b: the server ends"
else
	echo "# no $LLDB: part b skipped"
fi

# ---- (c) both gdbs through a TCP forward (ssh -L, adb forward).
fresh
start_server --fork-mode=handoff :0 "$PROGS/forkonce"
ok $? "c: server listens"
parent=$(inferior_pid)
python3 "$RELAY" 127.0.0.1 0 127.0.0.1 "$PORT" >"$T/relay.log" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/relay.log" '^relay listening on [0-9]+$' 20
ok $? "c: the relay listens"
rport=$(sed -n 's/^relay listening on \([0-9]*\)$/\1/p' "$T/relay.log")
parent_gdb c_parent "$rport"
wait_for "$T/server.log" "$HELD_RE" 60
ok $? "c: the child is held"
child=$(held_child 1)
child=${child:-none}
child_gdb c_child "$rport" "$child"
wait "$G1"
check_child c_child "$child" c
check_parent c_parent "$parent" "$child" c
[ "$(grep -c '^relay: connection$' "$T/relay.log")" = 2 ]
ok $? "c: both clients came through the relay"
contains "$T/server.out" '^child exited 7$' "c: the parent reaps exit code 7"
server_gone 20
ok $? "c: the server ends"

# ---- (d, e) forker: the --unclaimed policies, --max-held, detach mode.
# run_forker NAME N: gdb #1 runs forker N to its end, in the background.
run_forker() {
	run_gdb "$1" "$PROGS/forker" \
		"target remote :$PORT" \
		"continue" &
	G1=$!
	EXTRA_PIDS="$EXTRA_PIDS $G1"
}

# detach-stopped: untraced, in a group stop, until SIGCONT.
fresh
start_server --fork-mode=handoff --hold-timeout 1 --unclaimed detach-stopped \
    :0 "$PROGS/forker" 1
ok $? "detach-stopped: server listens"
parent=$(inferior_pid)
run_forker ds 1
wait_for "$T/server.log" 'unclaimed after [0-9]+s: detached, stopped' 60
ok $? "detach-stopped: the log says the child was left stopped"
child=$(held_child 1)
child=${child:-none}
contains "$T/server.log" "child $child \\(parent $parent, fork\\) unclaimed after [0-9]+s: detached, stopped" \
    "detach-stopped: the log names child and parent"
state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$child/status" 2>/dev/null)
[ "$state" = T ]
ok $? "detach-stopped: the child is in a group stop (state '$state')"
tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$child/status" 2>/dev/null)
[ "$tracer" = 0 ]
ok $? "detach-stopped: the child is not traced (TracerPid '$tracer')"
kill -CONT "$child" 2>/dev/null
ok $? "detach-stopped: SIGCONT sent"
wait "$G1"
contains "$T/ds.out" "^\\[Inferior 1 \\(process $parent\\) exited (normally|with code 03)\\]\$" \
    "detach-stopped: after SIGCONT the program finishes"
contains "$T/server.out" '^exits OK$' "detach-stopped: the child exits as it should"
server_gone 20
ok $? "detach-stopped: the server ends"

# resume: detached running; the parent never sees a stop.
fresh
start_server --fork-mode=handoff --hold-timeout 1 --unclaimed resume \
    :0 "$PROGS/forker" 1
ok $? "resume: server listens"
parent=$(inferior_pid)
run_forker rs 1
wait "$G1"
child=$(held_child 1)
contains "$T/server.log" "child ${child:-none} \\(parent $parent, fork\\) unclaimed after [0-9]+s: detached, resumed" \
    "resume: the log says the child was let go running"
contains "$T/rs.out" "^\\[Inferior 1 \\(process $parent\\) exited normally\\]\$" \
    "resume: the program exits 0"
contains "$T/server.out" '^stopped-seen 0$' "resume: the parent's waitpid(WUNTRACED) saw no stop"
contains "$T/server.out" '^exits OK$' "resume: exits OK"
server_gone 20
ok $? "resume: the server ends"

# kill: the parent reaps a SIGKILL (forker: code 128 + 9).
fresh
start_server --fork-mode=handoff --hold-timeout 1 --unclaimed kill \
    :0 "$PROGS/forker" 1
ok $? "kill: server listens"
parent=$(inferior_pid)
run_forker kl 1
wait "$G1"
child=$(held_child 1)
child=${child:-none}
contains "$T/server.log" "child $child \\(parent $parent, fork\\) unclaimed after [0-9]+s: killed" \
    "kill: the log says the child was killed"
contains "$T/server.out" "^exits BAD pid $child code 137\$" "kill: the parent reaps a SIGKILL"
contains "$T/kl.out" "^\\[Inferior 1 \\(process $parent\\) exited with code 03\\]\$" \
    "kill: the program reports it"
server_gone 20
ok $? "kill: the server ends"
no_process "$child" "kill: the child is gone"

# --max-held 2, five children, a hold far longer than the test: the last
# three get the --unclaimed action at once; the two held are claimed and
# detached by a small RSP client.
fresh
start_server --fork-mode=handoff --hold-timeout 600 --unclaimed resume \
    --max-held 2 :0 "$PROGS/forker" 5
ok $? "max-held: server listens"
parent=$(inferior_pid)
run_forker mh 5
i=0
while [ "$(grep -c 'over --max-held' "$T/server.log")" -lt 3 ] && [ $i -lt 600 ]; do
	i=$((i + 1))
	sleep 0.1
done
[ "$(grep -c 'over --max-held' "$T/server.log")" = 3 ]
ok $? "max-held: three children over --max-held"
[ "$(grep -Ec "$HELD_RE" "$T/server.log")" = 5 ]
ok $? "max-held: five children born held"
c1=$(held_child 1) c2=$(held_child 2)
over=$(sed -n 's/^.* child \([0-9]*\) (parent [0-9]*, fork) over --max-held.*: detached, resumed.*$/\1/p' "$T/server.log" | tr '\n' ' ')
[ "$over" = "$(held_child 3) $(held_child 4) $(held_child 5) " ]
ok $? "max-held: the third, fourth and fifth children were resumed ($over)"
for c in $c1 $c2; do
	[ -d "/proc/$c" ] && [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$c/status")" = t ]
	ok $? "max-held: child $c is still held"
	python3 "$RSP" ":$PORT" "vAttach;$(printf %x "$c")" D >"$T/claim_$c.out" 2>&1
	contains "$T/claim_$c.out" '^< T11' "max-held: child $c claimed (SIGSTOP stop)"
	contains "$T/claim_$c.out" '^< OK$' "max-held: child $c detached"
done
wait "$G1"
contains "$T/mh.out" "^\\[Inferior 1 \\(process $parent\\) exited normally\\]\$" \
    "max-held: the program exits 0"
contains "$T/server.out" '^stopped-seen 0$' "max-held: the parent saw no stop"
contains "$T/server.out" '^exits OK$' "max-held: exits OK"
server_gone 20
ok $? "max-held: the server ends"

# --fork-mode detach: gdbserver's behaviour, nothing held.
fresh
start_server --fork-mode=detach :0 "$PROGS/forker" 3
ok $? "detach: server listens"
parent=$(inferior_pid)
run_forker dt 3
wait "$G1"
contains "$T/dt.out" "^\\[Inferior 1 \\(process $parent\\) exited normally\\]\$" \
    "detach: the program exits 0"
contains "$T/server.out" '^stopped-seen 0$' "detach: the parent saw no stop"
contains "$T/server.out" '^exits OK$' "detach: exits OK"
lacks "$T/server.log" 'held' "detach: no child is held"
server_gone 20
ok $? "detach: the server ends"

# (e) a claim with forker: a gdb claims the child, the parent's
# waitpid(WUNTRACED) sees no stop.
fresh
start_server --fork-mode=handoff :0 "$PROGS/forker" 1
ok $? "claim: server listens"
parent=$(inferior_pid)
run_forker cl 1
wait_for "$T/server.log" "$HELD_RE" 60
ok $? "claim: the child is held"
child=$(held_child 1)
child=${child:-none}
run_gdb cl_child "$PROGS/forker" \
	"target extended-remote :$PORT" \
	"attach $child" \
	"break child_work" \
	"continue" \
	"print i" \
	"continue"
wait "$G1"
contains "$T/cl_child.out" '^Breakpoint 1, child_work \(i=0\) at .*forker\.c:[0-9]+$' \
    "claim: the claimed child stops in child_work"
contains "$T/cl_child.out" "^\\[Inferior 1 \\(process $child\\) exited with code 01\\]\$" \
    "claim: the child exits with code 01"
contains "$T/server.out" '^stopped-seen 0$' "claim: the parent saw no stop"
contains "$T/server.out" '^exits OK$' "claim: exits OK"
server_gone 20
ok $? "claim: the server ends"
done_testing
