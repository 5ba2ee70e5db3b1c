#!/bin/bash
# Thread-local variables (qGetTLSAddr): in the program and in libc
# (errno), in the main thread and in another, as with gdbserver.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/tls"
ok $? "server started"
pid=$(inferior_pid)
run_gdb tls "$PROGS/tls" \
	"target remote :$PORT" \
	"break tls_stop" \
	"continue" \
	"print tls_counter" \
	"print tls_name" \
	"continue" \
	"print tls_counter" \
	"print tls_name" \
	"print errno" \
	"thread 1" \
	"print tls_counter" \
	"kill"
out="$T/tls.out"
contains "$out" '^\$1 = 43$' "main thread: the program's __thread int"
contains "$out" '^\$2 = "main"' "main thread: a __thread array"
contains "$out" '^\$3 = 7$' "worker: its own copy"
contains "$out" '^\$4 = "worker' "worker: its own array"
contains "$out" '^\$5 = 33$' "worker: errno, thread-local in libc"
contains "$out" '^\$6 = 43$' "main thread again: its copy unchanged"
lacks "$out" 'Cannot find thread-local|Remote failure reply' "no TLS errors"
no_process "$pid" "the process is gone"
done_testing
