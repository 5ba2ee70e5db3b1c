#!/bin/bash
# Threads: names in info threads, a breakpoint hit in each worker,
# "thread N", and thread exit (only the main thread left at the end).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/threads"
ok $? "server listens on a free port"
pid=$(inferior_pid)

run_gdb threads "$PROGS/threads" \
	"target remote :$PORT" \
	"break worker_step" \
	"continue" \
	"set \$hit = \$_thread" \
	"echo ==first-hit\\n" \
	"info threads" \
	"echo ==thread-1\\n" \
	"thread 1" \
	"backtrace" \
	"echo ==thread-back\\n" \
	"thread \$hit" \
	"print id" \
	"continue" \
	"echo ==second-hit\\n" \
	"info threads" \
	"continue" \
	"continue" \
	"delete" \
	"break all_joined" \
	"continue" \
	"echo ==joined\\n" \
	"info threads" \
	"echo ==end\\n" \
	"continue"
out="$T/threads.out"
# section A B: the lines of the output between "==A" and "==B".
section() {
	sed -n "/^==$1\$/,/^==$2\$/p" "$out" | sed '1d;$d'
}
section first-hit thread-1 >"$T/first.txt"
section thread-1 thread-back >"$T/t1.txt"
section thread-back second-hit >"$T/back.txt"
section second-hit joined >"$T/second.txt"
section joined end >"$T/joined.txt"

for n in 0 1 2 3; do
	contains "$out" "^Thread [0-9]+ \"worker-$n\" hit Breakpoint 1, worker_step \\(id=$n\\) at .*threads\\.c:[0-9]+\$" \
	    "worker-$n hits the breakpoint in its own thread"
done
contains "$out" "^\\[New Thread $pid\\.[0-9]+\\]\$" "new threads announced"
# The workers start 10ms apart; on a loaded machine the order may vary.
# The first hit: gdb thread number N, worker K.
first=$(grep -m1 -E '^Thread [0-9]+ "worker-[0-3]" hit Breakpoint 1, ' "$out")
n=$(echo "$first" | sed -n 's/^Thread \([0-9]*\) .*/\1/p')
k=$(echo "$first" | sed -n 's/^Thread [0-9]* "worker-\([0-3]\)".*/\1/p')
contains "$T/first.txt" "^  1 +Thread $pid\\.$pid \"threads\" " "info threads: main thread, named"
contains "$T/first.txt" "^\\* ${n:-X} +Thread $pid\\.[0-9]+ \"worker-${k:-X}\" +worker_step \\(id=${k:-X}\\) at " "info threads: current thread, named worker-N, in worker_step"
grep -E '^  [0-9]+ +Thread ' "$T/first.txt" | grep -Ev "^  1 " | grep -Eqv "\"(worker-[0-3]|threads)\" "
[ $? = 1 ]
ok $? "info threads: every other thread is a worker (or not yet named)"
grep -Eq '^\* [0-9]+ +Thread [0-9]+\.[0-9]+ "worker-([0-3])" +worker_step \(id=\1\) at ' "$T/second.txt"
ok $? "info threads at the second hit: the hitting worker is current"
contains "$T/t1.txt" "^\\[Switching to thread 1 \\(Thread $pid\\.$pid\\)\\]\$" "thread 1 switches to the main thread"
contains "$T/t1.txt" '^#[0-9]+ +0x[0-9a-f]+ in main \(\) at .*threads\.c:[0-9]+$' "main thread's backtrace reaches main"
contains "$T/back.txt" "^\\[Switching to thread ${n:-X} \\(Thread $pid\\.[0-9]+\\)\\]\$" "thread \$hit switches back"
contains "$T/back.txt" "^\\\$1 = ${k:-X}\$" "the worker's local read in its frame"
contains "$out" '^Thread 1 "threads" hit Breakpoint 2, all_joined \(\) at .*threads\.c:[0-9]+$' "all_joined reached in the main thread"
contains "$T/joined.txt" "^\\* 1 +Thread $pid\\.$pid \"threads\" +all_joined \\(\\) at " "info threads after the joins: the main thread"
[ "$(grep -c 'Thread ' "$T/joined.txt")" = 1 ]
ok $? "info threads after the joins: exactly one thread"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
contains "$T/server.out" '^threads done 4$' "all four workers ran"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
done_testing
