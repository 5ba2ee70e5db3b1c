#!/bin/bash
# Hardware watchpoints: watch (Old/New values), awatch, rwatch; delete
# and run to the end.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

start_server :0 "$PROGS/watch"
ok $? "server listens on a free port"
pid=$(inferior_pid)

run_gdb watch "$PROGS/watch" \
	"target remote :$PORT" \
	"break main" \
	"continue" \
	"echo ==watch\\n" \
	"watch watched" \
	"continue" \
	"info watchpoints" \
	"delete" \
	"echo ==awatch\\n" \
	"awatch watched" \
	"continue" \
	"delete" \
	"echo ==rwatch\\n" \
	"rwatch watched" \
	"continue" \
	"echo ==rwatch2\\n" \
	"continue" \
	"echo ==end\\n" \
	"delete" \
	"continue"
out="$T/watch.out"
section() {
	sed -n "/^==$1\$/,/^==$2\$/p" "$out" | sed '1d;$d'
}
section watch awatch >"$T/w.txt"
section awatch rwatch >"$T/aw.txt"
section rwatch rwatch2 >"$T/rw1.txt"
section rwatch2 end >"$T/rw2.txt"
# The four lines from a watchpoint report: "Old value"/"Value" to the frame.
report() {	# report FILE: the report lines joined by '|'
	grep -A3 -E '^(Old value|Value) = ' "$1" | paste -sd'|'
}

contains "$T/w.txt" '^Hardware watchpoint 2: watched$' "watch sets a hardware watchpoint"
contains "$T/w.txt" '^Old value = 0$' "first write: old value 0"
contains "$T/w.txt" '^New value = 10$' "first write: new value 10"
contains "$T/w.txt" '^touch \(v=10\) at .*watch\.c:[0-9]+$' "stops in touch after the write"
contains "$T/w.txt" '^2 +hw watchpoint +keep y +watched$' "info watchpoints lists it"
contains "$T/w.txt" '^	breakpoint already hit 1 time$' "hit count 1"

contains "$T/aw.txt" '^Hardware access \(read/write\) watchpoint 3: watched$' "awatch set"
report "$T/aw.txt" | grep -Eq '^Old value = 10\|New value = 20\|touch \(v=20\) at .*watch\.c:[0-9]+'
ok $? "awatch reports the write 10 -> 20 in touch"

contains "$T/rw1.txt" '^Hardware read watchpoint 4: watched$' "rwatch set"
lacks "$T/rw1.txt" '^touch ' "rwatch does not stop for the write of 30"
report "$T/rw1.txt" | grep -Eq '^Value = 30\|0x[0-9a-f]+ in main \(\) at .*watch\.c:20\|'
ok $? "rwatch stops after the read for sink (line 20), value 30"
report "$T/rw2.txt" | grep -Eq '^Value = 30\|0x[0-9a-f]+ in main \(\) at .*watch\.c:21\|'
ok $? "rwatch stops again after the read for printf (line 21)"

contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "runs to the end after delete"
contains "$T/server.out" '^watched 30$' "program output"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"
done_testing
