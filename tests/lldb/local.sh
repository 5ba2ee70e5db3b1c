#!/bin/bash
# Stock lldb 16 starts handoffd as its local debug server
# (LLDB_DEBUGSERVER_PATH), as it starts lldb-server: "handoffd gdbserver
# --fd=N --native-regs --setsid", no program, the process launched or
# attached to by packets.  Launch, breakpoints, step/next/finish, frame
# variable, expression calling a function, threads, watchpoints, attach,
# detach, exit status.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
export LLDB_DEBUGSERVER_PATH="$HANDOFFD"
export LLDB_SERVER_LOG_CHANNELS="lldb process"
# lldb sends handoffd's stderr to /dev/null: a sanitizer's report goes here.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$T/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$T/ubsan"

# lldb_local NAME PROGRAM COMMAND...: lldb with handoffd logging to
# $T/NAME.log (lldb passes the file on as --log-file).
lldb_local() {
	export LLDB_DEBUGSERVER_LOG_FILE="$T/$1.log"
	run_lldb "$@"
}

# The pid of the handoffd that wrote a log.
server_of() {
	sed -n 's/^[0-9:.]* handoffd\[\([0-9]*\)\] .*/\1/p' "$1" | head -n 1
}

# ---- launch: breakpoints, stepping, variables, a function call, status
lldb_local launch "$PROGS/hello" \
	"breakpoint set -n add" \
	"run 2 5" \
	"platform shell ps -o args= --ppid \$PPID" \
	"frame variable a b" \
	"next" \
	"next" \
	"frame variable sum" \
	"finish" \
	"step" \
	"expression add(2, 3)" \
	"expression counter" \
	"breakpoint delete 1" \
	"continue"
out="$T/launch.out"
log="$T/launch.log"
pid=$(sed -n 's/^Process \([0-9]*\) launched: .*/\1/p' "$out")
contains "$out" '^/.*/handoffd gdbserver --fd=[0-9]+ --native-regs --setsid --log-file=' "lldb started handoffd with lldb-server's options"
lacks "$out" 'lldb-server' "and no lldb-server"
contains "$log" "^[0-9:.]+ handoffd\\[[0-9]+\\] info: process $pid launched: .*/hello\$" "handoffd launched the process"
contains "$log" 'info: client connected: fd://[0-9]+$' "handoffd serves lldb's socket"
lacks "$log" 'warning' "no warnings in handoffd's log"
contains "$out" "^Process $pid launched: '.*/hello' \\(x86_64\\)\$" "lldb reports the launch"
contains "$out" 'stop reason = breakpoint 1\.1' "stops at the breakpoint"
contains "$out" "thread #1, name = 'hello', stop reason = breakpoint" "the thread has its name"
contains "$out" '^\(int\) a = 0$' "frame variable a"
contains "$out" 'stop reason = step over' "next"
contains "$out" 'hello`add\(a=0, b=0\) at hello\.c:13' "next twice: at the return"
contains "$out" '^\(int\) sum = 0$' "frame variable sum"
contains "$out" 'stop reason = step out' "finish"
contains "$out" '^Return value: \(int\) \$0 = 0$' "finish shows the return value"
contains "$out" 'stop reason = step in' "step"
contains "$out" '^\(int\) \$1 = 5$' "expression calls add(2, 3)"
contains "$out" '^\(volatile int\) \$2 = 2$' "the call ran in the process"
contains "$out" "^Process $pid exited with status = 5 \\(0x00000005\\)\$" "exit status"
no_process "$pid" "the process is gone"
no_process "$(server_of "$log")" "handoffd is gone"

# ---- threads
lldb_local threads "$PROGS/threads" \
	"breakpoint set -n worker_step" \
	"run" \
	"thread list" \
	"frame variable id" \
	"thread backtrace all" \
	"breakpoint delete 1" \
	"continue"
out="$T/threads.out"
contains "$out" 'stop reason = breakpoint 1\.1' "a worker stops at the breakpoint"
[ "$(grep -c '^[ *] thread #[0-9]*: tid = ' "$out")" -ge 2 ]
ok $? "thread list shows several threads"
contains "$out" '^\(int\) id = [0-9]$' "frame variable in the worker"
contains "$out" "name = 'worker-[0-9]'" "thread names"
grep -Eq 'frame #[0-9]+: 0x[0-9a-f]+ libc\.so\.6`' "$out"
ok $? "backtraces reach into libc"
contains "$out" 'exited with status = 0 ' "runs to the end"

# ---- watchpoints
lldb_local watch "$PROGS/watch" \
	"breakpoint set -n main" \
	"run" \
	"watchpoint set variable watched" \
	"continue" \
	"frame variable watched" \
	"continue" \
	"watchpoint delete 1" \
	"continue"
out="$T/watch.out"
contains "$out" '^Watchpoint created: Watchpoint 1: addr = 0x[0-9a-f]+ size = 8 state = enabled type = w$' "watchpoint set"
contains "$out" 'stop reason = watchpoint 1' "the write stops the process"
contains "$out" '^\(volatile long\) watched = 10$' "at the first write"
contains "$out" '^new value: 20$' "second write"
contains "$out" 'exited with status = 0 ' "runs to the end without it"

# ---- attach and detach
"$PROGS/spin" >"$T/spin.out" &
spin=$!
EXTRA_PIDS="$EXTRA_PIDS $spin"
wait_for "$T/spin.out" '^spin ready' 10
lldb_local attach "" \
	"process attach -p $spin" \
	"thread list" \
	"breakpoint set -n tick" \
	"continue" \
	"expression ticks" \
	"breakpoint delete 1" \
	"process detach"
out="$T/attach.out"
log="$T/attach.log"
contains "$log" "info: process $spin attached\$" "handoffd attached"
contains "$out" "^Process $spin stopped\$" "lldb attaches"
! grep -q 'failed to set breakpoint site' "$out"
ok $? "no stray breakpoint at attach"
[ "$(grep -c '^[ *] thread #[0-9]*: tid = ' "$out")" -eq 2 ]
ok $? "both threads listed"
contains "$out" 'spin`tick at spin\.c:[0-9]+' "breakpoint in the attached process"
contains "$out" '^\(volatile unsigned long\) \$0 = [1-9][0-9]*$' "expression reads its memory"
contains "$out" "^Process $spin detached\$" "detach"
contains "$log" "info: process $spin detached" "handoffd detached"
sleep 0.2
grep -Eq '^TracerPid:[[:space:]]+0$' "/proc/$spin/status"
ok $? "the process is no longer traced"
grep -Eq '^State:[[:space:]]+[RS]' "/proc/$spin/status"
ok $? "and runs on"
no_process "$(server_of "$log")" "handoffd is gone"
kill "$spin"

# ---- attach by name
cp "$PROGS/spin" "$T/spin$$"
"$T/spin$$" >"$T/spin2.out" &
spin=$!
EXTRA_PIDS="$EXTRA_PIDS $spin"
wait_for "$T/spin2.out" '^spin ready' 10
lldb_local attachname "" \
	"process attach -n spin$$" \
	"process detach"
contains "$T/attachname.log" "info: process $spin attached\$" "process attach -n: handoffd attached to the process of that name"
contains "$T/attachname.out" "^Process $spin detached\$" "and detached"
kill "$spin"
# ---- lldb's own client for abstract unix sockets: the name's length
# in the address as lldb builds it.
start_server "unix-abstract-accept://handoffd-local-$$" "$PROGS/hello" 2 5
run_lldb abstract "$PROGS/hello" \
	"process connect -p gdb-remote unix-abstract-connect://handoffd-local-$$" \
	"breakpoint set -n add" \
	"continue" \
	"frame variable b" \
	"breakpoint delete 1" \
	"continue"
contains "$T/server.log" '^Remote debugging from pid [0-9]+, uid [0-9]+$' "abstract: lldb connects to the abstract name"
contains "$T/abstract.out" '^\(int\) b = 0$' "abstract: frame variable"
contains "$T/abstract.out" 'exited with status = 5 ' "abstract: exit status"
server_gone 10
ok $? "abstract: the server ends"

# ---- a stock lldb-server platform starts handoffd as its gdbserver:
# "gdbserver tcp://[127.0.0.1]:0 --native-regs --pipe N", the port back
# through the pipe.
: "${LLDB_SERVER:=lldb-server-16}"
if command -v "$LLDB_SERVER" >/dev/null; then
	LLDB_DEBUGSERVER_LOG_FILE="$T/remote.log" \
	    LLDB_SERVER_LOG_CHANNELS="gdb-remote process" \
	    "$LLDB_SERVER" platform --server --listen 127.0.0.1:0 \
	    --socket-file "$T/platform.port" >"$T/platform.out" 2>&1 &
	plat=$!
	EXTRA_PIDS="$EXTRA_PIDS $plat"
	wait_for "$T/platform.port" '^[0-9]+' 10
	run_lldb remote "" \
		"platform select remote-linux" \
		"platform connect connect://127.0.0.1:$(cat "$T/platform.port")" \
		"file $PROGS/hello" \
		"breakpoint set -n add" \
		"run 2 5" \
		"frame variable a b" \
		"breakpoint delete 1" \
		"continue"
	out="$T/remote.out"
	log="$T/remote.log"
	port=$(sed -n 's/.* debug: listening on port \([0-9]*\)$/\1/p' "$log")
	contains "$log" "debug: socket id $port reported\$" "remote: handoffd reported its port to lldb-server"
	contains "$log" 'info: process [0-9]+ launched: .*/hello$' "remote: handoffd launched the process"
	contains "$out" 'stop reason = breakpoint 1\.1' "remote: stops at the breakpoint"
	contains "$out" '^\(int\) b = 0$' "remote: frame variable"
	contains "$out" 'exited with status = 5 ' "remote: exit status"
	no_process "$(server_of "$log")" "remote: handoffd is gone"
	kill "$plat"
else
	for what in "reported its port" "launched" "breakpoint" "frame variable" "exit status" "gone"; do
		ok 0 "remote: $what # SKIP no $LLDB_SERVER"
	done
fi

! ls "$T"/asan.* "$T"/ubsan.* >/dev/null 2>&1
ok $? "no sanitizer reports from handoffd"
done_testing
