#!/bin/bash
# --attach to a running process: threads, a breakpoint, continue, then
# detach leaves it running, not stopped and not traced.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

"$PROGS/spin" >"$T/spin.out" 2>&1 &
spin=$!
EXTRA_PIDS=$spin
wait_for "$T/spin.out" '^spin ready' 10
ok $? "spin started"

start_server --attach :0 "$spin"
ok $? "server attaches and listens"
contains "$T/server.log" "^Attached; pid = $spin\$" "server reports the attach"

run_gdb attach "$PROGS/spin" \
	"target remote :$PORT" \
	"echo ==threads\\n" \
	"info threads" \
	"echo ==end\\n" \
	"break tick" \
	"continue" \
	"print ticks > 0" \
	"detach"
out="$T/attach.out"
sed -n '/^==threads$/,/^==end$/p' "$out" | sed '1d;$d' >"$T/threads.txt"
lacks "$out" 'received signal' "attach stop is not reported as a signal (as gdbserver: T00)"
contains "$T/threads.txt" "^\\* 1 +Thread $spin\\.$spin \"spin\" " "info threads: the main thread"
contains "$T/threads.txt" "^  2 +Thread $spin\\.[0-9]+ \"spin\" .*pause" "info threads: the helper thread in pause"
[ "$(grep -c "Thread $spin\\." "$T/threads.txt")" = 2 ]
ok $? "info threads: exactly two threads"
contains "$out" '^Breakpoint 1 at 0x[0-9a-f]+: file .*spin\.c, line 12\.$' "break tick"
contains "$out" '^Thread 1 "spin" hit Breakpoint 1, tick \(\) at .*spin\.c:12$' "continue stops at tick"
contains "$out" '^\$1 = 1$' "the attached program had been running"
contains "$out" "^\\[Inferior 1 \\(process $spin\\) detached\\]\$" "detach"
server_gone 10
ok $? "the server ends after the detach"

sleep 0.3
[ -d "/proc/$spin" ]
ok $? "the program is still alive"
state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$spin/stat" 2>/dev/null)
case $state in
t|T|Z|X|'')	false ;;
*)		true ;;
esac
ok $? "the program is running, not stopped (state '$state')"
stopped=
for task in /proc/$spin/task/*; do
	st=$(sed 's/^.*) \(.\).*$/\1/' "$task/stat" 2>/dev/null)
	case $st in t|T) stopped="$stopped ${task##*/}:$st" ;; esac
done
[ -z "$stopped" ]
ok $? "no thread of the program is stopped$stopped"
tracer=$(sed -n 's/^TracerPid:[[:space:]]*//p' "/proc/$spin/status" 2>/dev/null)
[ "$tracer" = 0 ]
ok $? "the program is no longer traced (TracerPid '$tracer')"
{ kill -KILL "$spin"; wait "$spin"; } 2>/dev/null
no_process "$spin" "the program is killed"
done_testing
