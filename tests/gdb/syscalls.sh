#!/bin/bash
# QCatchSyscalls: gdb's catch syscall stops at the call and at the
# return; a bad list is refused; numbers are bounded by TGT_MAX_SYSCALL
# (1024), at and past the limit.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/hello" 2 3
ok $? "the server listens"
run_gdb catch "$PROGS/hello" \
	"target remote :$PORT" \
	"catch syscall write" "continue" "continue" "delete" "continue"
out="$T/catch.out"
contains "$out" '^Catchpoint 1 \(call to syscall write\)' "catch syscall: the call"
contains "$out" '^Catchpoint 1 \(returned from syscall write\)' "catch syscall: the return"
contains "$out" '^\[Inferior 1 \(process [0-9]+\) exited with code 03\]$' \
    "without the catchpoint the program runs to its end"
server_gone 20
ok $? "the server ends"

start_server :0 "$PROGS/hello" 2 3
"$top_srcdir/tests/tools/rsp.py" "127.0.0.1:$PORT" \
    "qSupported:multiprocess+" "QCatchSyscalls:2" "QCatchSyscalls:1;zz" \
    "QCatchSyscalls:1;400" "QCatchSyscalls:1;3ff" "QCatchSyscalls:1;1;3c" \
    "vCont;c" "QCatchSyscalls:0" "vCont;c" "vCont;c" >"$T/packets.out" 2>&1
out="$T/packets.out"
contains "$out" '^< .*QCatchSyscalls\+' "qSupported offers QCatchSyscalls+"
grep -A1 '^> QCatchSyscalls:2$' "$out" | grep -q '^< E'
ok $? "QCatchSyscalls:2 is refused"
grep -A1 '^> QCatchSyscalls:1;zz$' "$out" | grep -q '^< E'
ok $? "a syscall number that is no number is refused"
grep -A1 '^> QCatchSyscalls:1;400$' "$out" | grep -q '^< E'
ok $? "syscall 1024, past TGT_MAX_SYSCALL, is refused"
grep -A1 '^> QCatchSyscalls:1;3ff$' "$out" | grep -q '^< OK$'
ok $? "syscall 1023, at the limit, is taken"
grep -A1 '^> QCatchSyscalls:1;1;3c$' "$out" | grep -q '^< OK$'
ok $? "write and exit are taken"
grep -A1 '^> vCont;c$' "$out" | head -2 | grep -q '^< T05.*syscall_entry:1;'
ok $? "the program stops entering write"
contains "$out" '^< W03' "with QCatchSyscalls:0 it runs to its end"
kill "$SERVER_PID" 2>/dev/null
server_gone 10
done_testing
