#!/bin/bash
# Shared libraries: a pending breakpoint resolved when libdemo.so loads,
# info sharedlibrary, step into the library, finish with the value.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# session NAME GDB-COMMANDS...: a server for uselib and a gdb session.
session() {
	local name=$1
	shift
	# (a fresh log: start_server must not see the last server's line)
	rm -f "$T/server.log" "$T/server.out"
	start_server :0 "$PROGS/uselib"
	ok $? "$name: server listens"
	pid=$(inferior_pid)
	run_gdb "$name" "$PROGS/uselib" "target remote :$PORT" "$@"
	no_process "$pid" "$name: the inferior is gone"
	server_gone 10
	ok $? "$name: the server ends after the session"
	cp "$T/server.out" "$T/$name.server.out"
}

session pending \
	"set breakpoint pending on" \
	"echo ==libs0\\n" \
	"info sharedlibrary" \
	"echo ==break\\n" \
	"break libdemo.c:demo_twice" \
	"continue" \
	"echo ==libs1\\n" \
	"info sharedlibrary" \
	"echo ==finish\\n" \
	"finish" \
	"continue"
out="$T/pending.out"
section() {
	sed -n "/^==$1\$/,/^==$2\$/p" "$out" | sed '1d;$d'
}
section libs0 break >"$T/libs0.txt"
section break libs1 >"$T/break.txt"
section libs1 finish >"$T/libs1.txt"
contains "$T/libs0.txt" '^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes +target:.*/ld-linux-x86-64\.so\.2$' "at the start: the dynamic linker"
lacks "$T/libs0.txt" 'libdemo' "at the start: libdemo.so not loaded yet"
contains "$T/break.txt" '^Breakpoint 1 \(libdemo\.c:demo_twice\) pending\.$' "breakpoint pending"
contains "$T/break.txt" '^Breakpoint 1, demo_twice \(x=21\) at .*libdemo\.c:5$' "pending breakpoint hit in the library"
contains "$T/libs1.txt" '^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes +target:.*/tests/progs/libdemo\.so$' "info sharedlibrary lists libdemo.so"
contains "$T/libs1.txt" '^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes +target:.*/libc\.so\.6$' "info sharedlibrary lists libc"
contains "$out" '^0x[0-9a-f]+ in main \(\) at .*uselib\.c:9$' "finish returns to main"
contains "$out" '^Value returned is \$1 = 42$' "finish shows 42"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
contains "$T/pending.server.out" '^twice 42$' "program output"

session step \
	"break demo_twice" \
	"break main" \
	"continue" \
	"delete" \
	"step" \
	"backtrace" \
	"finish" \
	"continue"
out="$T/step.out"
contains "$out" '^Breakpoint 1 at 0x[0-9a-f]+$' "break demo_twice before the load: on the PLT"
contains "$out" '^Breakpoint 2, main \(\) at .*uselib\.c:9$' "stop in main"
contains "$out" '^demo_twice \(x=21\) at .*libdemo\.c:5$' "step enters the library (through the PLT)"
contains "$out" '^5		return 2 \* x;$' "step shows the library's source line"
contains "$out" '^#1  0x[0-9a-f]+ in main \(\) at .*uselib\.c:9$' "backtrace from the library to main"
contains "$out" '^Value returned is \$1 = 42$' "finish shows 42"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
done_testing
