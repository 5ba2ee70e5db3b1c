#!/bin/bash
# Fault injection (issue #8): each part killed or broken at the worst
# moment, then every debuggee must end in a state the log names, and
# none may be left stopped with no tracer and nobody to continue it
# (State t/T in /proc/PID/status with TracerPid 0, unless the log says
# the --unclaimed policy left it so).  The faults:
#  1. the client gone mid-packet, mid-vCont (running), mid-interrupt, and
#     with breakpoints planted in an attached process;
#  2. the watcher gone with handoffs pending (TCP and unix socket);
#  3. a platform worker SIGKILLed with children held;
#  4. the server SIGTERMed (every process ended as the log says) and
#     SIGKILLed (launched trees die by PTRACE_O_EXITKILL, attached ones
#     are detached by the kernel);
#  5. EMFILE: the server out of descriptors pauses accepting and serves
#     again once some are free;
#  6. ENOMEM: an LD_PRELOAD shim makes malloc fail in the server;
#  7. a debuggee blocking and ignoring every signal, interrupted (0x03);
#  8. a debuggee SIGKILLed from outside while stopped, and while running;
#  9. exec of a set-uid program under a server that is not root.
# The client side is faults.py; the debuggees are tests/progs/fault*.c,
# spin and forker (copied under $T, so that what is left behind is ours).
#
# The whole test runs under tests/tools/subreaper.py, which adopts the
# processes whose parents die (held children of a killed parent): what
# becomes of a stopped orphan is otherwise up to the machine's init, and
# to the kernel's rule for an orphaned process group (SIGHUP, SIGCONT).
if [ -z "${FAULTS_SUBREAPER:-}" ]; then
	FAULTS_SUBREAPER=1 exec python3 \
	    "${top_srcdir:-$(dirname "$0")/../..}/tests/tools/subreaper.py" \
	    bash "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

FAULTS="$top_srcdir/tests/integration/faults.py"
BIN="$T/bin"
mkdir -p "$BIN"
for p in spin forker faultblock faultfork faultsuid; do
	cp "$PROGS/$p" "$BIN/$p" || skip_all "tests/progs/$p is not built"
done
ulimit -c 0	# debuggees killed by a breakpoint left behind dump no core

# fate PID: "gone" (or a zombie), else "STATE TRACERPID".
fate() {
	local s
	s=$(awk '/^State:/ { s = $2 } /^TracerPid:/ { t = $2 }
	    END { if (s != "") print s, t }' "/proc/$1/status" 2>/dev/null)
	case $s in
	"" | Z* | X*) echo gone ;;
	*) echo "$s" ;;
	esac
}

# not_lost PID LOG DESCRIPTION: the process is gone, or runs, or is held
# by a live tracer, or is stopped untraced with the log saying the
# --unclaimed policy left it so ("child PID ... detached, stopped").
not_lost() {
	local f st tr rc=0
	f=$(fate "$1")
	st=${f% *}
	tr=${f#* }
	case $st in
	t | T)
		if [ "$tr" != 0 ] && kill -0 "$tr" 2>/dev/null; then
			rc=0
		elif grep -Eq "child $1 \\(.*detached, stopped" "$2"; then
			rc=0
		else
			rc=1
		fi ;;
	esac
	[ $rc = 0 ] || echo "# process $1: $f, no tracer, not named stopped in $(basename "$2")" >&2
	ok $rc "$3"
}

# is_fate PID REGEX DESCRIPTION: fate PID matches REGEX; when not, the
# description says what it was, with its signal masks (CI shows only
# the failing lines).
is_fate() {
	local f
	f=$(fate "$1")
	if [[ $f =~ $2 ]]; then
		ok 0 "$3"
	else
		ok 1 "$3 (was '$f', wanted /$2/; $(sigmask "$1" 2>/dev/null))"
	fi
}

# client NAME COMMAND ARGS...: faults.py in the background, output in
# $T/NAME.out; CLIENT is its pid.
client() {
	local name=$1
	shift
	python3 "$FAULTS" "$@" >"$T/$name.out" 2>&1 &
	CLIENT=$!
	disown $CLIENT	# killed on purpose: no "Killed" from the shell
	EXTRA_PIDS="$EXTRA_PIDS $CLIENT"
}

# fc NAME COMMAND ARGS...: faults.py in the foreground, into $T/NAME.out.
fc() {
	local name=$1
	shift
	timeout 150 python3 "$FAULTS" "$@" >"$T/$name.out" 2>&1
}

# started NAME PROG ARGS: PROG from $BIN in the background, its output
# in $T/NAME.out and then "status N" when it ends (133: SIGTRAP); waits
# for its "PROG PID ready" line; STARTED is its pid.
started() {
	local name=$1 prog=$2
	shift 2
	( "$BIN/$prog" "$@"; echo "status $?" ) >"$T/$name.out" 2>&1 &
	disown $!
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for "$T/$name.out" 'ready' 10
	STARTED=$(sed -n "s/^$prog \\([0-9]*\\) ready\$/\\1/p" "$T/$name.out")
	EXTRA_PIDS="$EXTRA_PIDS $STARTED"
}

# server ARGS / platform ARGS: start_server / start_platform, with the
# server in EXTRA_PIDS too (cleanup ends it whichever came after) and the
# previous server's log and output kept as NAME-N.log and NAME-N.out.
NSERVERS=0
keep_log() {
	NSERVERS=$((NSERVERS + 1))
	[ -s "$T/$1.log" ] && mv "$T/$1.log" "$T/$1-$NSERVERS.log"
	[ -s "$T/$1.out" ] && mv "$T/$1.out" "$T/$1-$NSERVERS.out"
	return 0
}
server() {
	keep_log server
	start_server "$@"
	EXTRA_PIDS="$EXTRA_PIDS $SERVER_PID"
}
platform() {
	keep_log platform
	start_platform "$@"
	EXTRA_PIDS="$EXTRA_PIDS $SERVER_PID"
}

# skip DESCRIPTION REASON: a TAP skip.
skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# limit_fds PID N: PID may open N more descriptors (its lowest free ones).
limit_fds() {
	local f=0
	while [ -e "/proc/$1/fd/$f" ]; do
		f=$((f + 1))
	done
	prlimit --pid "$1" --nofile=$((f + $2)):$((f + $2))
}

# sigmask PID: its blocked, ignored and pending signal masks.
sigmask() {
	grep -E '^(SigBlk|SigIgn|SigPnd|ShdPnd):' "/proc/$1/status" | tr '\n' ' '
}

# stop_server: SIGTERM, then wait; SERVER_STATUS is its exit status.
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	kill "$SERVER_PID" 2>/dev/null
	server_gone 20
}

# ------------------------------------------------------------------ 1
# The client goes away mid-packet, mid-binary-packet and mid-vCont: the
# launched program stays stopped, traced by the server, for the next
# client (gdbserver's rule); that client detaches it and it runs on.
server :0 "$BIN/spin"
log="$T/server.log"
spin=$(inferior_pid)
n=0
for how in midpacket midbinary running; do
	fc "vanish-$how" vanish ":$PORT" "$how"
	n=$((n + 1))
	wait_count "$log" 'client gone' $n 10
	is_fate "$spin" "^t $SERVER_PID\$" \
	    "1. client gone $how: the program stays stopped, traced by the server"
done
[ "$(count "$log" 'client gone; processes kept for the next client')" = 3 ]
ok $? "1. the log says each time that the processes are kept"
fc detach1 detach ":$PORT"
contains "$T/detach1.out" '^detach OK' "1. the next client detaches the program"
fc runs1 runs "$spin" ticks
contains "$T/runs1.out" '^runs$' "1. the detached program runs on"
contains "$log" "process $spin detached, running" "1. the log says so"
server_gone 20
ok $? "1. the server ends with nothing left to debug"
kill -9 "$spin" 2>/dev/null

# The client goes away right after an interrupt (0x03), before the stop
# is told.  Its SIGINT must not outlive the interrupt: the next client's
# detach must leave a program that runs on.  The race (the SIGINT still
# queued behind the server's own SIGSTOP) is likeliest at a program's
# first resume, so five fresh programs.
lost=0
for i in 1 2 3 4 5; do
	server --multi :0 "$BIN/spin"
	spin=$(inferior_pid)
	fc "intr$i" vanish ":$PORT" interrupt
	wait_for "$T/server.log" 'client gone' 10
	pending=$(sigmask "$spin" | grep -Eo 'ShdPnd:\s*[0-9a-f]+' | xargs)
	fc "intr$i-detach" detach ":$PORT"
	fc "intr$i-runs" runs "$spin" ticks
	grep -q '^runs$' "$T/intr$i-runs.out" || {
		lost=$((lost + 1))
		echo "# try $i: process $spin after detach: $(cat "$T/intr$i-runs.out"); before it, held by the server: $pending" >&2
	}
	stop_server
	kill -9 "$spin" 2>/dev/null
done
[ $lost = 0 ]
ok $? "1. client gone mid-interrupt: the program, detached by the next client, runs on ($lost of 5 lost)"

# Breakpoints planted in an attached process, the client killed while it
# runs: with --once the server detaches it, its memory holds the original
# bytes again and it runs on (its children run the code that had the
# breakpoint, and exit 5).
started ff1 faultfork 2 "$T/go1"
ff=$STARTED
server --once --attach :0 "$ff"
client bp1 run ":$PORT" stopped bp:child_work
wait_for "$T/bp1.out" '^running' 10
orig=$(sed -n 's/^orig //p' "$T/bp1.out")
contains "$T/bp1.out" '^planted cc' "1. attached: the breakpoint is in memory (int3)"
kill -9 "$CLIENT"
server_gone 20
ok $? "1. attached, --once: the server ends when its client is killed"
contains "$T/server.log" "process $ff detached, running" "1. the log says the process was detached"
fc bp1-mem mem "$ff" child_work 1
[ -n "$orig" ] && [ "$(cat "$T/bp1-mem.out")" = "$orig" ]
ok $? "1. /proc/PID/mem holds the original byte again ($orig, now $(cat "$T/bp1-mem.out"))"
is_fate "$ff" '^[RS] 0$' "1. it runs, untraced"
touch "$T/go1"
wait_for "$T/ff1.out" '^reaped' 10
[ "$(count "$T/ff1.out" '^child [0-9]+ exited 5$')" = 2 ]
ok $? "1. its children run the code the breakpoint was in, and exit 5"
kill -9 "$ff"

# The same through vAttach on an extended server, with a launched
# program beside it: the client gone mid-vCont leaves both stopped for
# the next client; then SIGTERM (what on_terminate in daemon/gdbserver.c
# does: the session's processes ended by gdb_end_all, launched ones
# killed, attached ones detached with their breakpoints out).
started ff2 faultfork 2 "$T/go2"
ff=$STARTED
server --multi :0
client bp2 run ":$PORT" "attach:$ff" bp:child_work
wait_for "$T/bp2.out" '^running' 10
orig=$(sed -n 's/^orig //p' "$T/bp2.out")
kill -9 "$CLIENT"
wait_for "$T/server.log" 'client gone' 10
is_fate "$ff" "^t $SERVER_PID\$" "1. vAttach, client gone mid-vCont: kept stopped, traced by the server"
client sp2 run ":$PORT" "launch:$BIN/spin"
wait_for "$T/sp2.out" '^running' 10
spin=$(sed -n 's/^pid //p' "$T/sp2.out")
stop_server
[ "${SERVER_STATUS:-1}" = 0 ]
ok $? "4. gdbserver, SIGTERM: the server ends, status 0"
contains "$T/server.log" 'signal 15: ending the session' "4. gdbserver, SIGTERM: logged"
contains "$T/server.log" "process $ff detached, running" "4. gdbserver, SIGTERM: the attached process detached, the log says"
contains "$T/server.log" "process $spin killed" "4. gdbserver, SIGTERM: the launched one killed, the log says"
no_process "$spin" "4. gdbserver, SIGTERM: the launched process is gone"
fc bp2-mem mem "$ff" child_work 1
[ -n "$orig" ] && [ "$(cat "$T/bp2-mem.out")" = "$orig" ]
ok $? "4. gdbserver, SIGTERM: the attached process's breakpoint is out of its memory"
touch "$T/go2"
wait_for "$T/ff2.out" '^reaped' 10
[ "$(count "$T/ff2.out" '^child [0-9]+ exited 5$')" = 2 ]
ok $? "4. gdbserver, SIGTERM: the attached process runs on, its children exit 5"
kill -9 "$ff"

# ------------------------------------------------------------------ 2
# The watcher goes away with its handoffs unclaimed.  On TCP (via
# connect) the children stay held until --hold-timeout, then get the
# --unclaimed action (resume here): they run, exit, their parent reaps
# them all and exits 0.
server --fork-mode handoff --hold-timeout 1 --unclaimed resume :0 \
    "$BIN/forker" 3
client w1-parent run ":$PORT" stopped "after:$T/w1-go"
wait_for "$T/w1-parent.out" '^waiting' 10
parent=$(sed -n 's/^pid //p' "$T/w1-parent.out")
client w1 watch ":$PORT" "$parent" 3
wait_for "$T/w1.out" '^watch' 10
touch "$T/w1-go"
wait_for "$T/w1.out" '^(watcher gone|lost)' 30
contains "$T/w1.out" '^watch OK' "2. TCP: the watch is taken"
[ "$(count "$T/w1.out" '^note Handoff:pid:.*via:connect')" = 3 ]
ok $? "2. TCP: three children announced, then the watcher leaves"
wait_for "$T/w1-parent.out" '^reply' 30
contains "$T/w1-parent.out" '^reply W00' "2. TCP: the parent reaps every child and exits 0"
for hex in $(sed -n 's/^note Handoff:pid:\([0-9a-f]*\);.*/\1/p' "$T/w1.out"); do
	kid=$((16#$hex))
	contains "$T/server.log" "child $kid \(parent $parent, fork\) unclaimed after [0-9]+s: detached, resumed" \
	    "2. TCP: the log names child $kid's end (unclaimed, resumed)"
	not_lost "$kid" "$T/server.log" "2. TCP: child $kid is not lost"
done
server_gone 20
ok $? "2. TCP: the server ends by itself"

# On a unix socket each child came as a descriptor already bound to it;
# the watcher closes them unused: nobody claimed those children, so each
# gets the --unclaimed action (resume here), as a child held on TCP does
# at its timeout, and the parent reaps them.
server --fork-mode handoff --hold-timeout 120 --unclaimed resume \
    "$T/sock" "$BIN/forker" 2
client w2-parent run "$T/sock" stopped "after:$T/w2-go"
wait_for "$T/w2-parent.out" '^waiting' 10
parent=$(sed -n 's/^pid //p' "$T/w2-parent.out")
client w2 watch "$T/sock" "$parent" 2
wait_for "$T/w2.out" '^watch' 10
touch "$T/w2-go"
wait_for "$T/w2.out" '^(watcher gone|lost)' 30
[ "$(count "$T/w2.out" '^note Handoff:pid:.*via:fd fds 1')" = 2 ]
ok $? "2. unix: two children announced, each with its descriptor"
wait_for "$T/w2-parent.out" '^reply' 30
contains "$T/w2-parent.out" '^reply W00' \
    "2. unix: the parent is not left waiting, and its children exited well"
for hex in $(sed -n 's/^note Handoff:pid:\([0-9a-f]*\);.*/\1/p' "$T/w2.out"); do
	kid=$((16#$hex))
	contains "$T/server.log" "child $kid \\(parent $parent, fork\\) its descriptor closed unused after [0-9]+s: detached, resumed" \
	    "2. unix: the log says child $kid got the --unclaimed action"
	not_lost "$kid" "$T/server.log" "2. unix: child $kid is not lost"
done
server_gone 20
ok $? "2. unix: the server ends by itself"
rm -f "$T/sock"

# The same, but the watcher holds the descriptors, unused, until the
# server is SIGTERMed: the children are still unclaimed, and get the
# --unclaimed action as the server ends (the parent, launched, killed).
server --fork-mode handoff --hold-timeout 120 --unclaimed resume \
    "$T/sock" "$BIN/forker" 2
client w3-parent run "$T/sock" stopped "after:$T/w3-go"
wait_for "$T/w3-parent.out" '^waiting' 10
parent=$(sed -n 's/^pid //p' "$T/w3-parent.out")
client w3 watch "$T/sock" "$parent" 2 hold
wait_for "$T/w3.out" '^watch' 10
touch "$T/w3-go"
wait_for "$T/w3.out" '^holding 2' 30
ok $? "2. unix, held: the watcher holds two descriptors, unused"
stop_server
contains "$T/server.log" "process $parent killed" "2. unix, held: the server ends, its program killed"
for hex in $(sed -n 's/^note Handoff:pid:\([0-9a-f]*\);.*/\1/p' "$T/w3.out"); do
	kid=$((16#$hex))
	contains "$T/server.log" "child $kid \\(parent $parent, fork\\) the server was told to end after [0-9]+s: detached, resumed" \
	    "2. unix, held: the log says child $kid got the --unclaimed action"
	no_process "$kid" "2. unix, held: child $kid is not left behind"
done
rm -f "$T/sock"

# ------------------------------------------------------------------ 3
# handoffd platform: two sessions, a launched tree and an attached one,
# each with two children held, a breakpoint planted in the attached
# parent (at reaped(), which it reaches only once its children are let
# go).  Both workers SIGKILLed: worker_ended() in daemon/platform.c says
# launched processes died with their worker (PTRACE_O_EXITKILL), takes
# the breakpoints out of the attached ones (int3 bytes, and a hardware
# breakpoint the kernel's detach leaves in the debug registers) and sends
# them and their held children SIGCONT.  The kernel lets the attached tree run the moment its
# worker dies, before the daemon hears of it: a process that meets an
# int3 in that window dies of SIGTRAP, and no daemon can prevent that
# (docs/security.md).  So the children here wait for a file the test
# makes only once the daemon says it is done, and the parent meets its
# breakpoint site only after that.
platform --server --listen 127.0.0.1:0 --fork-mode handoff \
    --hold-timeout 120 --unclaimed resume
plog="$T/platform.log"
client p-launch run ":$PORT" "launch:$BIN/forker,2"
wait_for "$T/p-launch.out" '^running' 10
lparent=$(sed -n 's/^pid //p' "$T/p-launch.out")
started ff3 faultfork 2 "$T/go3" "$T/kidgo3"
ff=$STARTED
client p-attach run ":$PORT" "attach:$ff" bp:reaped hw:reaped
wait_for "$T/p-attach.out" '^running' 10
contains "$T/p-attach.out" '^Z1 OK' "3. attached: a hardware breakpoint too, at the same site"
touch "$T/go3"
# Until the daemon itself lists the four children.
for i in $(seq 100); do
	fc p-list list ":$PORT"
	[ "$(grep -o 'state:held' "$T/p-list.out" | wc -l)" -ge 4 ] && break
	sleep 0.1
done
[ "$(grep -o 'state:held' "$T/p-list.out" | wc -l)" = 4 ]
ok $? "3. the daemon lists four held children"
lkids=$(sed -n "s/.*child \([0-9]*\) of $lparent held at its fork.*/\1/p" "$plog" | xargs)
akids=$(sed -n "s/.*child \([0-9]*\) of $ff held at its fork.*/\1/p" "$plog" | xargs)
workers=$(sed -n 's/.*: session worker \([0-9]*\)$/\1/p' "$plog")
kill -9 $workers
for w in $workers; do
	wait_for "$plog" "worker $w .*died of signal 9" 10
	ok $? "3. the daemon logs worker $w's death"
done
contains "$plog" "process $lparent: killed with its worker" "3. launched: the log says the parent died with its worker"
no_process "$lparent" "3. launched: the parent is gone"
for kid in $lkids; do
	contains "$plog" "held child $kid \(parent $lparent\): killed with its worker" \
	    "3. launched: the log says held child $kid died with its worker"
	no_process "$kid" "3. launched: held child $kid is gone"
done
wait_for "$plog" "process $ff: detached running with its worker's end" 10
ok $? "3. attached: the log says the parent was let go, running"
contains "$plog" "process $ff: 1 breakpoints taken out after its worker's death" \
    "3. attached: the log says its breakpoint was taken out"
contains "$plog" "process $ff: debug registers cleared in 1 threads after its worker's death" \
    "3. attached: the log says its debug registers were cleared"
touch "$T/kidgo3"
for kid in $akids; do
	contains "$plog" "held child $kid \(parent $ff\): detached running with its worker's end" \
	    "3. attached: the log says held child $kid was let go, running"
	not_lost "$kid" "$plog" "3. attached: held child $kid is not lost"
done
wait_for "$T/ff3.out" '^reaped' 10
[ "$(count "$T/ff3.out" '^child [0-9]+ exited 5$')" = 2 ]
ok $? "3. attached: the held children ran on and exited 5"
fc ff3-runs runs "$ff" ticks
grep -q '^runs$' "$T/ff3-runs.out" ||
    echo "# process $ff: $(cat "$T/ff3-runs.out"), $(grep status "$T/ff3.out")" >&2
contains "$T/ff3-runs.out" '^runs$' \
    "3. attached: the parent runs on past the breakpoint its dead worker planted"
kill -9 "$ff" 2>/dev/null
wait_for "$T/p-launch.out" '^reply' 10
contains "$T/p-launch.out" '^reply eof' "3. the clients see their connections end"
python3 "$top_srcdir/tests/tools/rsp.py" "127.0.0.1:$PORT" qSupported >"$T/p-after.out" 2>&1
contains "$T/p-after.out" '^< PacketSize' "3. the daemon serves on"

# ------------------------------------------------------------------ 4
# The same daemon SIGTERMed with a launched and an attached session,
# children held in both: platform_terminate() SIGTERMs every worker and
# reaps them; each worker (worker_terminate) kills what it launched,
# detaches what it attached and gives held children the --unclaimed
# action (resume).
client p2-launch run ":$PORT" "launch:$BIN/forker,2"
wait_for "$T/p2-launch.out" '^running' 10
lparent=$(sed -n 's/^pid //p' "$T/p2-launch.out")
started ff4 faultfork 2 "$T/go4"
ff=$STARTED
client p2-attach run ":$PORT" "attach:$ff" bp:reaped
wait_for "$T/p2-attach.out" '^running' 10
touch "$T/go4"
wait_count "$plog" "child [0-9]+ of ($lparent|$ff) held at its fork" 4 10
lkids=$(sed -n "s/.*child \([0-9]*\) of $lparent held at its fork.*/\1/p" "$plog" | xargs)
akids=$(sed -n "s/.*child \([0-9]*\) of $ff held at its fork.*/\1/p" "$plog" | xargs)
stop_server
[ "${SERVER_STATUS:-1}" = 0 ]
ok $? "4. platform, SIGTERM: the daemon ends, status 0"
contains "$plog" 'signal 15: ending every session' "4. platform, SIGTERM: logged"
contains "$plog" "process $lparent killed" "4. platform, SIGTERM: the launched parent killed, the log says"
no_process "$lparent" "4. platform, SIGTERM: the launched parent is gone"
contains "$plog" "process $ff detached, running" "4. platform, SIGTERM: the attached parent detached, the log says"
for kid in $lkids $akids; do
	contains "$plog" "child $kid \(parent [0-9]+, fork\) the worker was told to end after [0-9]+s: detached, resumed" \
	    "4. platform, SIGTERM: the log names held child $kid's end"
	not_lost "$kid" "$plog" "4. platform, SIGTERM: held child $kid is not lost"
done
wait_for "$T/ff4.out" '^reaped' 10
[ "$(count "$T/ff4.out" '^child [0-9]+ exited 5$')" = 2 ]
ok $? "4. platform, SIGTERM: the attached parent's children ran on and exited 5"
fc ff4-runs runs "$ff" ticks
contains "$T/ff4-runs.out" '^runs$' "4. platform, SIGTERM: the attached parent runs on, its breakpoint out"
kill -9 "$ff" 2>/dev/null

# The platform daemon SIGKILLed: its workers go on alone (worker_ctl in
# daemon/worker.c), held children still get the --unclaimed action
# (kill here) and the session still reports to its client.
platform --server --listen 127.0.0.1:0 --fork-mode handoff \
    --hold-timeout 1 --unclaimed kill
client pk run ":$PORT" "launch:$BIN/forker,2"
wait_for "$T/pk.out" '^running' 10
parent=$(sed -n 's/^pid //p' "$T/pk.out")
worker=$(sed -n 's/.*: session worker \([0-9]*\)$/\1/p' "$plog")
EXTRA_PIDS="$EXTRA_PIDS $worker"
{ kill -9 "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null
SERVER_PID=
wait_for "$plog" 'the daemon has gone; this session goes on' 10
ok $? "4. platform, SIGKILL: the worker notices and goes on"
wait_count "$plog" "child [0-9]+ \\(parent $parent, fork\\) unclaimed after [0-9]+s: killed" 2 20
ok $? "4. platform, SIGKILL: the held children still get --unclaimed kill, the log says"
for kid in $(sed -n "s/.*child \\([0-9]*\\) of $parent held at its fork.*/\\1/p" "$plog"); do
	no_process "$kid" "4. platform, SIGKILL: held child $kid is gone"
done
wait_for "$T/pk.out" '^reply' 20
contains "$T/pk.out" '^reply W03' "4. platform, SIGKILL: the client hears its program's end (it saw its children killed)"
no_process "$worker" "4. platform, SIGKILL: the worker ends with its session"

# gdbserver SIGTERMed with children held (the default --unclaimed,
# detach-stopped), one of them SIGKILLed from outside while held.
server --fork-mode handoff --hold-timeout 120 :0 "$BIN/forker" 3
client t-parent run ":$PORT" stopped
wait_for "$T/t-parent.out" '^running' 10
parent=$(sed -n 's/^pid //p' "$T/t-parent.out")
wait_count "$T/server.log" 'held; claim it' 3 10
kids=$(sed -n "s/.*child \([0-9]*\) (parent $parent, fork) held; claim.*/\1/p" "$T/server.log" | xargs)
EXTRA_PIDS="$EXTRA_PIDS $kids"
first=${kids%% *}
kill -9 "$first"
wait_for "$T/server.log" "child $first \(parent $parent, fork\) killed by signal 9 while held" 10
ok $? "4. a held child SIGKILLed from outside: the log says so"
# A SIGCONT while held (a shell's job control, say) cancels the stop
# signal the child dequeued at its birth: a SIGSTOP given to
# PTRACE_DETACH is then dropped by the kernel and the child runs on.
kill -CONT ${kids#* }
stop_server
[ "${SERVER_STATUS:-1}" = 0 ]
ok $? "4. gdbserver, SIGTERM with children held: the server ends, status 0"
contains "$T/server.log" "process $parent killed" "4. gdbserver, SIGTERM: the parent killed, the log says"
for kid in ${kids#* }; do
	contains "$T/server.log" "child $kid \(parent $parent, fork\) the server was told to end after [0-9]+s: detached, stopped" \
	    "4. gdbserver, SIGTERM: the log says held child $kid was left stopped (--unclaimed detach-stopped)"
	is_fate "$kid" '^T 0$' "4. gdbserver, SIGTERM: held child $kid is stopped, untraced, as the log says"
	kill -9 "$kid"
done

# SIGKILL: nothing runs in the server.  A launched tree dies with it
# (PTRACE_O_EXITKILL, set in platform/launch.c), held children too.
server --fork-mode handoff --hold-timeout 120 :0 "$BIN/forker" 2
client k-parent run ":$PORT" stopped
wait_for "$T/k-parent.out" '^running' 10
parent=$(sed -n 's/^pid //p' "$T/k-parent.out")
wait_count "$T/server.log" 'held; claim it' 2 10
kids=$(sed -n "s/.*child \([0-9]*\) (parent $parent, fork) held; claim.*/\1/p" "$T/server.log" | xargs)
EXTRA_PIDS="$EXTRA_PIDS $kids"
{ kill -9 "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null
SERVER_PID=
no_process "$parent" "4. gdbserver, SIGKILL: the launched program dies with the server (EXITKILL)"
for kid in $kids; do
	no_process "$kid" "4. gdbserver, SIGKILL: held child $kid dies with it"
done

# An attached tree (no PTRACE_O_EXITKILL: attach.c) is detached by the
# kernel: the parent runs on, and its held children, in the ptrace stop
# of their birth, must not be left stopped with no tracer.
started ff5 faultfork 2 "$T/go5"
ff=$STARTED
server --fork-mode handoff --hold-timeout 120 --attach :0 "$ff"
client k-attach run ":$PORT" stopped
wait_for "$T/k-attach.out" '^running' 10
touch "$T/go5"
wait_count "$T/server.log" 'held; claim it' 2 10
kids=$(sed -n "s/.*child \([0-9]*\) (parent $ff, fork) held; claim.*/\1/p" "$T/server.log" | xargs)
EXTRA_PIDS="$EXTRA_PIDS $kids"
{ kill -9 "$SERVER_PID"; wait "$SERVER_PID"; } 2>/dev/null
SERVER_PID=
fc ff5-runs runs "$ff" ticks
contains "$T/ff5-runs.out" '^runs$' "4. gdbserver, SIGKILL: the attached program runs on" ||
    cat "$T/ff5-runs.out" >&2
for kid in $kids; do
	not_lost "$kid" "$T/server.log" "4. gdbserver, SIGKILL: held child $kid of the attached program is not left stopped"
done
wait_for "$T/ff5.out" '^reaped' 10
[ "$(count "$T/ff5.out" '^child [0-9]+ exited 5$')" = 2 ]
ok $? "4. gdbserver, SIGKILL: the held children of the attached program run on and exit 5"
kill -9 "$ff" $kids 2>/dev/null

# ------------------------------------------------------------------ 5
# EMFILE: the server allowed two descriptors more than it has.  A third
# client waits in the listening backlog; the server must pause accepting
# (not spin on accept, logging each failure), live on, and serve it once
# descriptors are free again.
for mode in gdbserver platform; do
	if ! command -v prlimit >/dev/null; then
		skip "5. $mode: EMFILE" "no prlimit"
		continue
	fi
	if [ $mode = gdbserver ]; then
		server --multi :0
		log="$T/server.log"
	else
		platform --server --listen 127.0.0.1:0
		log="$T/platform.log"
	fi
	limit_fds "$SERVER_PID" 2
	fc "em-$mode" emfile ":$PORT" "$log"
	out="$T/em-$mode.out"
	contains "$out" '^refused after [1-9]' "5. $mode: out of descriptors, a client waits unaccepted"
	warned=$(sed -n 's/^accept warnings [0-9]* \([0-9]*\)$/\1/p' "$out")
	[ -n "$warned" ] && [ "$warned" -le 10 ]
	ok $? "5. $mode: accepting pauses (${warned:-?} accept warnings logged while nothing changed)"
	contains "$out" '^served PacketSize' "5. $mode: once descriptors are free, the waiting client is served"
	contains "$out" '^new client PacketSize' "5. $mode: and new clients too"
	kill -0 "$SERVER_PID" 2>/dev/null
	ok $? "5. $mode: the server lives on"
	stop_server
	[ "${SERVER_STATUS:-1}" = 0 ]
	ok $? "5. $mode: and ends on SIGTERM, status 0"
	# A server that spun on accept wrote a line per try: keep a sample.
	if [ "$(wc -l <"$log")" -gt 200 ]; then
		{ head -n 100 "$log"; echo "... $(wc -l <"$log") lines in all"; } \
		    >"$T/em-$mode-sample.log"
		rm -f "$log"
	fi
done

# ------------------------------------------------------------------ 6
# ENOMEM: malloc fails in the server (tests/progs/faultmalloc.c, an
# LD_PRELOAD shim the test builds).  xmalloc/xcalloc (daemon/log.c) call
# fatal(), which logs and exits 1, with no word of the debuggees: a
# launched tree dies by PTRACE_O_EXITKILL, an attached one is detached by
# the kernel with whatever breakpoints were in it.
shim="$T/faultmalloc.so"
if asan_build; then
	why="a sanitized server allocates through its runtime"
elif ! ${CC:-cc} -shared -fPIC -o "$shim" \
    "$top_srcdir/tests/progs/faultmalloc.c" 2>"$T/shim.out"; then
	why="cannot build the LD_PRELOAD shim"
else
	why=
fi
if [ -n "$why" ]; then
	skip "6. ENOMEM" "$why"
else
	# gdbserver attached, a breakpoint planted, starved at a new
	# connection (conn_new's xcalloc).
	started ff6 faultfork 2 "$T/go6"
	ff=$STARTED
	LD_PRELOAD="$shim" FAULT_MALLOC_FILE="$T/nomem" \
	    server --attach :0 "$ff"
	client nm1 run ":$PORT" stopped bp:child_work
	wait_for "$T/nm1.out" '^running' 10
	orig=$(sed -n 's/^orig //p' "$T/nm1.out")
	: >"$T/nomem"
	python3 "$top_srcdir/tests/tools/rsp.py" ":$PORT" qSupported \
	    >"$T/nm1-trigger.out" 2>&1
	server_gone 20
	ok $? "6. gdbserver, ENOMEM: the server exits"
	rm -f "$T/nomem"
	[ "${SERVER_STATUS:-}" = 1 ]
	ok $? "6. gdbserver, ENOMEM: status 1, no crash (${SERVER_STATUS:-?})"
	contains "$T/server.log" 'fatal: .*Cannot allocate memory' "6. gdbserver, ENOMEM: the log says why"
	contains "$T/server.log" "process $ff (detached|killed)" \
	    "6. gdbserver, ENOMEM: the log names the attached process's fate"
	fc nm1-mem mem "$ff" child_work 1
	[ -n "$orig" ] && [ "$(cat "$T/nm1-mem.out")" = "$orig" ]
	ok $? "6. gdbserver, ENOMEM: its breakpoint is out of its memory ($orig, now $(cat "$T/nm1-mem.out"))"
	is_fate "$ff" '^[RS] 0$' "6. gdbserver, ENOMEM: the attached process runs, untraced (the kernel detached it)"
	touch "$T/go6"
	wait_for "$T/ff6.out" '^(reaped|status)' 10
	[ "$(count "$T/ff6.out" '^child [0-9]+ exited 5$')" = 2 ]
	ok $? "6. gdbserver, ENOMEM: its children run the code that had the breakpoint ($(grep -c 'signal 5' "$T/ff6.out") killed by SIGTRAP)"
	kill -9 "$ff" 2>/dev/null

	# The platform daemon starved alone (the shim fails only in the
	# pid the trigger file names): its workers go on.
	LD_PRELOAD="$shim" FAULT_MALLOC_FILE="$T/nomem" \
	    platform --server --listen 127.0.0.1:0 --fork-mode detach
	client nm2 run ":$PORT" "launch:$BIN/faultfork,1,$T/go7" bp:reaped
	wait_for "$T/nm2.out" '^running' 10
	ff=$(sed -n 's/^pid //p' "$T/nm2.out")
	worker=$(sed -n 's/.*: session worker \([0-9]*\)$/\1/p' "$T/platform.log")
	EXTRA_PIDS="$EXTRA_PIDS $worker"
	echo "$SERVER_PID" >"$T/nomem"
	python3 "$top_srcdir/tests/tools/rsp.py" ":$PORT" qSupported \
	    >"$T/nm2-trigger.out" 2>&1
	server_gone 20
	ok $? "6. platform, ENOMEM: the daemon exits"
	rm -f "$T/nomem"
	contains "$T/platform.log" "platform\\[[0-9]+\\] fatal: .*Cannot allocate memory" \
	    "6. platform, ENOMEM: the log says why"
	wait_for "$T/platform.log" 'the daemon has gone; this session goes on' 10
	ok $? "6. platform, ENOMEM: the worker notices, and goes on"
	touch "$T/go7"
	wait_for "$T/nm2.out" '^reply' 20
	contains "$T/nm2.out" '^reply T05' "6. platform, ENOMEM: the session still reports its program's stops"
	no_process "$ff" "6. platform, ENOMEM: its client gone, the session kills its program"
	contains "$T/platform.log" "process $ff killed" "6. platform, ENOMEM: and says so"
	no_process "$worker" "6. platform, ENOMEM: the worker ends"
fi

# ------------------------------------------------------------------ 7
# A debuggee that blocks every signal and ignores every one it may,
# attached and interrupted with 0x03 anyway (twice), then detached: it
# runs on with its mask and dispositions as they were, and nothing the
# server sent is left pending in it.
started fb faultblock
fb=$STARTED
before=$(sigmask "$fb")
server --once --attach :0 "$fb"
fc int7 interrupt ":$PORT" stopped
grep -q '^stop1 T' "$T/int7.out" && grep -q '^stop2 T' "$T/int7.out"
ok $? "7. 0x03 stops a debuggee that blocks every signal, twice ($(grep '^stop[12]' "$T/int7.out" | cut -c1-13 | xargs))"
server_gone 20
ok $? "7. --once: the server ends with its client"
is_fate "$fb" '^[RS] 0$' "7. the debuggee is let go, untraced"
fc fb-runs runs "$fb" ticks
contains "$T/fb-runs.out" '^runs$' "7. it runs on"
after=$(sigmask "$fb")
[ "$(echo "$before" | grep -Eo 'Sig(Blk|Ign):\s*[0-9a-f]+')" = \
    "$(echo "$after" | grep -Eo 'Sig(Blk|Ign):\s*[0-9a-f]+')" ]
ok $? "7. its blocked and ignored signals are as they were"
echo "$after" | grep -Eq 'SigPnd:\s*0+ ShdPnd:\s*0+ '
ok $? "7. no signal the server sent is left pending in it ($after)"
kill -9 "$fb"

# ------------------------------------------------------------------ 8
# A debuggee SIGKILLed from outside while stopped: the next resume gets
# X09, the log says so, and the session ends cleanly.  While running
# (extended mode): the client waiting gets X09 at once, and the session
# goes on with vRun.
server :0 "$BIN/spin"
spin=$(inferior_pid)
fc k8 kill9 ":$PORT"
contains "$T/k8.out" '^interrupted T' "8. stopped under the debugger"
contains "$T/k8.out" '^resumed X09' "8. SIGKILLed from outside: the resume gets X09"
wait_for "$T/server.log" "process $spin killed by signal 9" 10
ok $? "8. the log says the process was killed by signal 9"
server_gone 20
ok $? "8. the server ends, nothing left to debug"
[ "${SERVER_STATUS:-1}" = 0 ]
ok $? "8. status 0"
server --multi :0
fc k8b kill9run ":$PORT" "$BIN/spin"
contains "$T/k8b.out" '^reply X09' "8. running, SIGKILLed: the waiting client gets X09"
contains "$T/k8b.out" '^rerun T05' "8. extended: the session goes on (vRun again)"
contains "$T/k8b.out" '^kill OK' "8. and ends its new program"
stop_server

# ------------------------------------------------------------------ 9
# A server that is not root (uid 65534) debugs a program that execs a
# set-uid root copy of itself: the kernel runs it without the privilege
# (a tracer without CAP_SYS_PTRACE over it), so it prints euid 65534.
# The server should report that, not leave it for the user to guess;
# but not on a nosuid mount, where the bit means nothing either way.
SU="$T/suid"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "9. set-uid exec" "needs root and setpriv"
elif findmnt -no OPTIONS -T "$T" 2>/dev/null | grep -qw nosuid; then
	skip "9. set-uid exec" "$T is on a nosuid mount"
else
	mkdir "$SU"
	chmod 711 "$T"
	chmod 755 "$SU"
	cp "$HANDOFFD" "$SU/handoffd"
	cp "$BIN/faultsuid" "$SU/faultsuid"
	cp "$BIN/faultsuid" "$SU/suidcopy"
	chown 0:0 "$SU/suidcopy"
	chmod 4755 "$SU/suidcopy"
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	(cd "$SU" && $nobody "$SU/suidcopy") >"$T/suid-plain.out" 2>&1
	contains "$T/suid-plain.out" '^faultsuid euid 0 uid 65534$' \
	    "9. untraced, uid 65534 runs the copy set-uid (euid 0)"
	cd "$SU" || exit 1
	keep_log server
	HANDOFFD=setpriv start_handoffd server --reuid=65534 --regid=65534 \
	    --clear-groups "$SU/handoffd" gdbserver --once :0 \
	    "$SU/faultsuid" "$SU/suidcopy"
	EXTRA_PIDS="$EXTRA_PIDS $SERVER_PID"
	cd - >/dev/null || exit 1
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$SERVER_PID/status")" = 65534 ]
	ok $? "9. the server runs as uid 65534"
	fc s9 suid ":$PORT"
	contains "$T/s9.out" '^reply T05.*exec:' "9. the exec is reported to the client (exec stop)"
	contains "$T/s9.out" '^reply W00' "9. the program runs to its end"
	contains "$T/server.out" '^faultsuid euid 65534 uid 65534$' \
	    "9. traced, the kernel ran it without the privilege (euid 65534)"
	contains "$T/server.log" '(set-uid|setuid|set-user-ID).*(without|not|unprivileged|privilege)' \
	    "9. the log says the set-uid program ran without its privilege"
	server_gone 20
	ok $? "9. the server ends (--once)"

	# The same on a nosuid mount: the bit means nothing there, traced
	# or not, and the log must not blame the tracing.
	NS="$T/nosuid"
	mkdir "$NS"
	if ! mount -t tmpfs -o nosuid,mode=755 tmpfs "$NS" 2>/dev/null; then
		skip "9. set-uid exec on a nosuid mount" "cannot mount a tmpfs"
	else
		cp "$BIN/faultsuid" "$NS/faultsuid"
		cp "$BIN/faultsuid" "$NS/suidcopy"
		chown 0:0 "$NS/suidcopy"
		chmod 4755 "$NS/suidcopy"
		cd "$SU" || exit 1
		keep_log server
		HANDOFFD=setpriv start_handoffd server --reuid=65534 \
		    --regid=65534 --clear-groups "$SU/handoffd" gdbserver \
		    --once :0 "$NS/faultsuid" "$NS/suidcopy"
		EXTRA_PIDS="$EXTRA_PIDS $SERVER_PID"
		cd - >/dev/null || exit 1
		fc s9n suid ":$PORT"
		contains "$T/server.out" '^faultsuid euid 65534 uid 65534$' \
		    "9. nosuid mount: the copy runs without the privilege"
		contains "$T/server.log" "process [0-9]+ runs a new program: $NS/suidcopy" \
		    "9. nosuid mount: the exec is logged"
		lacks "$T/server.log" 'set-uid or set-gid' \
		    "9. nosuid mount: the log does not blame the tracing"
		server_gone 20
		ok $? "9. nosuid mount: the server ends (--once)"
		umount "$NS"
	fi
	chmod 700 "$T"
fi

none_left "$T/|$PROGS/fault" "nothing is left behind"
done_testing
