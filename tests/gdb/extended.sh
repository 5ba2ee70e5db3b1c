#!/bin/bash
# extended-remote with --multi: run, restart, kill, attach/detach, a
# second client; --once ends the server after the first client.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

"$PROGS/spin" >"$T/spin.out" 2>&1 &
spin=$!
EXTRA_PIDS=$spin
wait_for "$T/spin.out" '^spin ready' 10
ok $? "spin started"

# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server --multi :0
ok $? "--multi server listens with no program"

run_gdb ext1 "$PROGS/hello" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/hello" \
	"break add" \
	"run" \
	"echo ==inf1\\n" \
	"info inferiors" \
	"echo ==rerun\\n" \
	"run" \
	"echo ==inf2\\n" \
	"info inferiors" \
	"echo ==kill\\n" \
	"kill" \
	"info inferiors" \
	"echo ==attach\\n" \
	"delete" \
	"attach $spin" \
	"info threads" \
	"break tick" \
	"continue" \
	"detach" \
	"echo ==end\\n" \
	"disconnect"
out="$T/ext1.out"
section() {
	sed -n "/^==$1\$/,/^==$2\$/p" "$out" | sed '1d;$d'
}
section inf1 rerun >"$T/inf1.txt"
section rerun inf2 >"$T/rerun.txt"
section inf2 kill >"$T/inf2.txt"
section kill attach >"$T/kill.txt"
section attach end >"$T/attach.txt"
pids=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/server.log")
set -- $pids
[ $# = 2 ]
ok $? "two runs, two processes created ($1 $2)"
pid1=${1:-none} pid2=${2:-none}
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at .*hello\.c:[0-9]+$' "run stops at the breakpoint"
contains "$T/inf1.txt" "^\\* 1 +process $pid1 +1 \\(extended-remote :$PORT\\) +/.*/hello \$" "info inferiors: the first run"
contains "$T/rerun.txt" '^Breakpoint 1, add \(a=0, b=0\) at ' "run again restarts from the beginning"
contains "$T/inf2.txt" "^\\* 1 +process $pid2 " "info inferiors: a new process"
no_process "$pid1" "the first run's process was killed by the restart"
contains "$T/kill.txt" "^\\[Inferior 1 \\(process $pid2\\) killed\\]\$" "kill"
contains "$T/kill.txt" '^\* 1 +<null> ' "no process after kill"
no_process "$pid2" "the killed process is gone"
lacks "$T/attach.txt" 'received signal|Program terminated' "attach: no spurious signal stop"
contains "$T/attach.txt" "^\\* 1 +Thread $spin\\.$spin \"spin\" " "attach: main thread"
contains "$T/attach.txt" "^  2 +Thread $spin\\.[0-9]+ \"spin\" " "attach: helper thread"
contains "$T/attach.txt" '^Thread 1 "spin" hit Breakpoint 2, tick \(\) at .*spin\.c:12$' "attach: breakpoint hit"
contains "$T/attach.txt" "^\\[Inferior 1 \\(process $spin\\) detached\\]\$" "detach"
lacks "$out" 'Remote connection closed|Remote communication error' "no connection error"
sleep 0.3
state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$spin/stat" 2>/dev/null)
case $state in t|T|Z|X|'') false ;; *) true ;; esac
ok $? "the detached program runs on (state '$state')"
tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$spin/status" 2>/dev/null)
[ "$tracer" = 0 ]
ok $? "the detached program is not traced (TracerPid '$tracer')"
sleep 0.3
kill -0 "$SERVER_PID" 2>/dev/null
ok $? "the server stays up after the client disconnects"

run_gdb ext2 "$PROGS/hello" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/hello" \
	"run 2 4" \
	"info inferiors" \
	"disconnect"
out="$T/ext2.out"
pid3=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/server.log" | sed -n 3p)
contains "$out" "^\\[Inferior 1 \\(process ${pid3:-none}\\) exited with code 04\\]\$" "second client runs the program to its end"
lacks "$out" 'Remote connection closed|Remote communication error|^Don.t know how to run' "second client: no error"
contains "$T/server.out" '^sum 1$' "the second run's output"
kill -0 "$SERVER_PID" 2>/dev/null
ok $? "the server is still up"
kill -TERM "$SERVER_PID"
server_gone 10
ok $? "the server ends on SIGTERM"
for p in $pids $pid3; do
	no_process "$p" "process $p is gone"
done
[ -d "/proc/$spin" ]
ok $? "the once-attached program is still alive"
{ kill -KILL "$spin"; wait "$spin"; } 2>/dev/null

# --multi --once: the server ends with the first client.
# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server --multi --once :0
ok $? "--multi --once server listens"
run_gdb once "$PROGS/hello" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/hello" \
	"break add" \
	"run" \
	"disconnect"
out="$T/once.out"
pid=$(inferior_pid)
contains "$out" '^Breakpoint 1, add \(a=0, b=0\) at ' "--once: run stops at the breakpoint"
server_gone 10
ok $? "--once: the server ends after the client disconnects"
no_process "${pid:-0}" "--once: the created process is killed"

# Plain remote, --once: disconnect with the program stopped ends all.
# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server --once :0 "$PROGS/hello"
ok $? "--once with a program listens"
pid=$(inferior_pid)
run_gdb once2 "$PROGS/hello" \
	"target remote :$PORT" \
	"break add" \
	"continue" \
	"disconnect"
contains "$T/once2.out" '^Breakpoint 1, add \(a=0, b=0\) at ' "--once: stops at the breakpoint"
server_gone 10
ok $? "--once: the server ends after disconnect"
no_process "$pid" "--once: the program is killed"
done_testing
