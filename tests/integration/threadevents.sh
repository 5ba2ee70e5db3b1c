#!/bin/bash
# QThreadEvents:1: each new thread is told as a "create" stop and each
# thread's exit as a "w" reply, in all-stop and in non-stop; with
# QThreadEvents:0 neither is.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

NT=$(sed -n 's/^#define NTHREADS[[:space:]]*\([0-9]*\).*/\1/p' \
    "$top_srcdir/tests/progs/threads.c")

# run_events MODE EVENTS: drive threads to its end, counting stops.
run_events() {
	python3 - "$top_srcdir/tests/tools" "$PORT" "$1" "$2" <<'PY'
import re, sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
c = Rsp.tcp("127.0.0.1", sys.argv[2])
nonstop, events = sys.argv[3] == "nonstop", sys.argv[4]
r = c.request("qSupported:multiprocess+")
print("feature", "QThreadEvents+" in r)
print("events", c.request("QThreadEvents:" + events))
c.request("QPassSignals:14")
c.sock.settimeout(60)
creates = exits = 0
stops = []
if nonstop:
    c.request("QNonStop:1")
    c.request("?")
    while c.request("vStopped") != "OK":
        pass
    c.request("vCont;c")
    while True:
        text, _ = c.note()
        batch = [text[5:]]
        while True:
            r = c.request("vStopped")
            if r == "OK":
                break
            batch.append(r)
        done = False
        for st in batch:
            if st.startswith("W"):
                done = True
                continue
            if "create:" in st:
                creates += 1
            if st.startswith("w"):
                exits += 1
                continue
            t = re.search(r"thread:(p[0-9a-f]+\.[0-9a-f]+);", st)
            c.request("vCont;c:" + t.group(1))
        if done:
            break
else:
    while True:
        r = c.request("vCont;c")
        if r.startswith("W"):
            break
        if "create:" in r:
            creates += 1
        if r.startswith("w"):
            exits += 1
print("creates", creates)
print("exits", exits)
PY
}

for mode in allstop nonstop; do
	start_server :0 "$PROGS/threads"
	run_events "$mode" 1 >"$T/$mode.out" 2>&1
	contains "$T/$mode.out" '^feature True$' "$mode: QThreadEvents+ is offered"
	contains "$T/$mode.out" '^events OK$' "$mode: QThreadEvents:1 is taken"
	contains "$T/$mode.out" "^creates $NT\$" "$mode: each of the $NT threads' creation is told"
	contains "$T/$mode.out" "^exits $NT\$" "$mode: and each one's exit"
	server_gone 20
	ok $? "$mode: the server ends"
done
start_server :0 "$PROGS/threads"
run_events allstop 0 >"$T/off.out" 2>&1
contains "$T/off.out" '^creates 0$' "QThreadEvents:0: no creation told"
contains "$T/off.out" '^exits 0$' "QThreadEvents:0: no exit told"
server_gone 20
ok $? "the server ends"
done_testing
