#!/bin/bash
# A dead worker's pids, reused before the daemon hears of the death.
# The kernel detaches an attached tree the moment its worker dies, so its
# held children run and may end, and their pids go to new processes,
# before the platform daemon's worker_ended() sends SIGCONT to what the
# worker had.  The daemon must leave such a newcomer alone: it signals a
# pid only while the process's start time (/proc/PID/stat) is the one the
# worker reported.  Here the daemon is SIGSTOPped across the worker's
# death, the held children end, and a process stopped by its own SIGSTOP
# is made at one of their pids (/proc/sys/kernel/ns_last_pid); once the
# daemon goes on, that process must still be stopped.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

LAST_PID=/proc/sys/kernel/ns_last_pid
PID_TRIES=50	# forks to land on one pid while other tests fork too

[ -w "$LAST_PID" ] || skip_all "$LAST_PID is not writable (needs root)"
FAULTS="$top_srcdir/tests/integration/faults.py"
cp "$PROGS/faultfork" "$T/faultfork" || skip_all "tests/progs/faultfork is not built"

start_platform --server --listen 127.0.0.1:0 --fork-mode handoff \
    --hold-timeout 120 --unclaimed resume
ok $? "the platform daemon starts"
plog="$T/platform.log"

( "$T/faultfork" 2 "$T/go" "$T/kidgo"; echo "status $?" ) >"$T/ff.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/ff.out" 'ready' 10
ff=$(sed -n 's/^faultfork \([0-9]*\) ready$/\1/p' "$T/ff.out")
EXTRA_PIDS="$EXTRA_PIDS $ff"
python3 "$FAULTS" run ":$PORT" "attach:$ff" >"$T/client.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/client.out" '^running' 10
touch "$T/go"
wait_count "$plog" "child [0-9]+ of $ff held at its fork" 2 10
kids=$(sed -n "s/.*child \([0-9]*\) of $ff held at its fork.*/\1/p" "$plog" | xargs)
[ "$(echo $kids | wc -w)" = 2 ]
ok $? "the worker holds two children of the attached process"
kid=${kids%% *}
worker=$(sed -n 's/.*: session worker \([0-9]*\)$/\1/p' "$plog")
# The daemon tells the worker's pids as it reads them: wait until both
# children are in its list before it is stopped.
python3 "$FAULTS" list ":$PORT" >"$T/list.out" 2>&1
[ "$(grep -o 'state:held' "$T/list.out" | wc -l)" = 2 ]
ok $? "the daemon lists both"

kill -STOP "$SERVER_PID"
kill -9 "$worker"
touch "$T/kidgo"
wait_for "$T/ff.out" '^reaped 2' 10
ok $? "with the worker dead, the children ran to their end and were reaped"

# A newcomer at the first child's pid, stopped by its own hand.
imp=
for i in $(seq $PID_TRIES); do
	echo $((kid - 1)) >"$LAST_PID"
	sh -c 'kill -STOP $$; exec sleep 300' &
	imp=$!
	disown "$imp"
	EXTRA_PIDS="$EXTRA_PIDS $imp"
	[ "$imp" = "$kid" ] && break
	kill -9 "$imp" 2>/dev/null
	imp=
done
[ -n "$imp" ]
ok $? "a new process has pid $kid (after $i forks)"
i=0
while ! grep -q '^State:.*T' "/proc/$kid/status" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

kill -CONT "$SERVER_PID"
wait_for "$plog" "worker $worker .*died of signal 9" 10
ok $? "the daemon hears of the worker's death"
wait_for "$plog" "held child $kid \\(parent $ff\\): detached running with its worker's end, and gone since" 10
ok $? "the log says child $kid is gone, not continued"
contains "$plog" "process $ff: detached running with its worker's end" \
    "the attached process, still itself, is continued"
# worker_ended() logs after its kill(), and SIGCONT takes effect in the
# sender's kill(): the log line is late enough to look.
grep -q '^State:.*T' "/proc/$kid/status"
ok $? "the new process at pid $kid is still stopped: no SIGCONT reached it"

kill -9 "$imp" "$ff" 2>/dev/null
kill "$SERVER_PID"
server_gone 20
ok $? "the daemon ends"
done_testing
