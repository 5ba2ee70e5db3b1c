#!/bin/bash
# A platform worker's breakpoint ledger at and past WORKER_MAX_BPS
# (4096): a session attached to two processes plants 4096 breakpoints in
# the first (the ledger full) and one more in the second (past it), then
# its worker is SIGKILLed.  The daemon puts all 4096 bytes of the first
# back and says so; the one past the ledger may stay, and the log says
# that too.  (faults.sh checks the ledger in a live run.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

MAX_BPS=4096	# WORKER_MAX_BPS
cp "$PROGS/spin" "$T/spin" || exit 1
"$T/spin" >/dev/null 2>&1 &
A=$!
"$T/spin" >/dev/null 2>&1 &
B=$!
EXTRA_PIDS="$A $B"
start_platform --server --listen 127.0.0.1:0
ok $? "the platform daemon starts"

# The session: plants, prints what it did, then waits for its end.
python3 - "$top_srcdir/tests/tools" "$PORT" "$A" "$B" "$MAX_BPS" \
    >"$T/plant.out" 2>&1 <<'PY' &
import sys
sys.path.insert(0, sys.argv[1])
from rsp import Rsp
port, a, b, nbps = (int(x) for x in sys.argv[2:6])

def text_of(pid):
    """The first executable mapping of pid's C library."""
    for line in open("/proc/%d/maps" % pid):
        f = line.split()
        if "x" in f[1] and f[-1].split("/")[-1].startswith("libc"):
            return int(f[0].split("-")[0], 16)
    raise SystemExit("no libc text in %d" % pid)

def peek(pid, addr, n):
    with open("/proc/%d/mem" % pid, "rb") as m:
        m.seek(addr)
        return m.read(n)

c = Rsp.tcp("127.0.0.1", port)
c.request("qSupported:multiprocess+;swbreak+")
c.no_ack()      # one write a request: no Nagle wait on the client's acks
c.request("!")
lo, blo = text_of(a), text_of(b)
orig, borig = peek(a, lo, nbps), peek(b, blo, 1)
print("attach a", c.request("vAttach;%x" % a)[:1])
print("planted a", sum(c.request("Z0,%x,1" % (lo + i)) == "OK"
                       for i in range(nbps)))
print("attach b", c.request("vAttach;%x" % b)[:1])
print("planted b", int(c.request("Z0,%x,1" % blo) == "OK"))
print("in a", sum(x == 0xcc for x in peek(a, lo, nbps)))
print("addrs %x %s %x %s" % (lo, orig.hex(), blo, borig.hex()), flush=True)
c.sock.settimeout(60)
try:
    while c.sock.recv(4096):
        pass
except OSError:
    pass
print("session over", flush=True)
PY
client=$!
wait_for "$T/plant.out" '^addrs' 120
contains "$T/plant.out" '^attach a T' "the session attaches to the first process"
contains "$T/plant.out" "^planted a $MAX_BPS\$" "and plants WORKER_MAX_BPS ($MAX_BPS) breakpoints in it"
contains "$T/plant.out" "^in a $MAX_BPS\$" "all of them int3s in its memory"
contains "$T/plant.out" '^attach b T' "it attaches to the second"
contains "$T/plant.out" '^planted b 1$' "and plants one more there, past the ledger"
worker=$(sed -n 's/.*: session worker \([0-9]*\)$/\1/p' "$T/platform.log" | head -n 1)
kill -9 "$worker"
wait_for "$T/platform.log" "worker $worker .*died of signal 9" 20
ok $? "the worker is SIGKILLed"
wait "$client"
contains "$T/platform.log" "process $A: $MAX_BPS breakpoints taken out after its worker's death" \
    "the daemon takes all $MAX_BPS out of the first process, and says so"
contains "$T/platform.log" "worker $worker: 1 breakpoints found its ledger full \\(WORKER_MAX_BPS, $MAX_BPS\\)" \
    "the one past the ledger is logged"
read -r _ lo orig blo borig < <(grep '^addrs' "$T/plant.out")
now=$(python3 -c '
import sys
pid, addr, n = int(sys.argv[1]), int(sys.argv[2], 16), int(sys.argv[3])
with open("/proc/%d/mem" % pid, "rb") as m:
    m.seek(addr)
    print(m.read(n).hex())' "$A" "$lo" "$MAX_BPS")
[ "$now" = "$orig" ]
ok $? "the first process's memory is as it was"
kill -0 "$A" 2>/dev/null
ok $? "and it runs on"
kill -9 "$A" "$B" 2>/dev/null
wait "$A" "$B" 2>/dev/null
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "the daemon ends"
none_left "$T/spin" "nothing is left running"
done_testing
