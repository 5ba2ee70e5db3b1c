#!/bin/bash
# Load (issue #8): three loads, each checked for what it must not lose
# and for the daemon's memory and descriptors, never for time.
#
# 1. 50 sessions at once on one port of handoffd platform: a client
#    thread per session launches tests/progs/loadloop, plants a Z0
#    breakpoint on load_hit and continues through HITS hits (gdb's way:
#    z0, step, Z0, continue), reading the hit count at each; all 50 are
#    launched and stopped before any runs.  Every hit comes, in order,
#    at the breakpoint, every program exits with its code, every worker
#    ends, and the daemon's descriptors come back to where they were.
# 2. 1000 held children: handoffd gdbserver --attach --max-held 1000 on
#    tests/progs/stormfork forking 1000; all 1000 listed held at once,
#    half claimed (vAttach) and run to their exit on their claim
#    connections, the other half let go (--unclaimed resume) when the
#    server is told to end; the parent reaps all 1000 with their own
#    codes, and the log names each child's fate.  Between the two, 5000
#    short connections while the session lives: each one is served.
# 3. A fork storm: stormfork forking as fast as it can for STORM_SECS
#    under handoffd gdbserver --multi --max-held 32 --unclaimed kill
#    --hold-timeout 15, while a client claims whatever qHandoffList
#    shows held, each claim on a new connection; the daemon's RSS and
#    descriptors are sampled from /proc.  Nothing is lost (the parent
#    reaps every child, each exited with its code or killed), the log
#    names every child's fate, the descriptors stay bounded and come
#    back, no zombie is left, and RSS stays within STORM_RSS_SLACK_KB.
#
# Memory per session and per held child (bytes of RSS growth over the
# count) are printed as '# ' diagnostics.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

TOOLS="$top_srcdir/tests/tools"
# The programs run from copies in $T: other tests (soak.sh) may run the
# same ones at the same time, and none_left must see only ours.
cp "$PROGS/loadloop" "$PROGS/stormfork" "$T/" || exit 1
LOADLOOP="$T/loadloop"
STORMFORK="$T/stormfork"
SESSIONS=${LOAD_SESSIONS:-50}
HITS=${LOAD_HITS:-100}
HELD=${LOAD_HELD:-1000}
STORM_SECS=${LOAD_STORM_SECS:-10}
# Short connections while one session lives: more than the sessions a
# server keeps at once (HANDOFF_MAX_SESSIONS, 4352 today).
CONNS=${LOAD_CONNS:-5000}
STORM_MAX_HELD=32
STORM_RSS_SLACK_KB=1024
if asan_build; then
	STORM_RSS_SLACK_KB=$((1024 * 1024))
	echo "# ASan build: the storm's RSS is not bounded (ASan's quarantine keeps freed memory); LeakSanitizer checks each exit"
fi
# Held children no claim reaches (the claimer is refused) are killed
# after this, so that a failure costs the run less than the default 60 s.
STORM_HOLD_TIMEOUT=15

# diag FILE: its "diag ..." lines as TAP diagnostics.
diag() {
	sed -n 's/^diag /# /p' "$1"
}

# The helpers every client below shares: /proc readings and a client
# with TCP_NODELAY (rsp.py acknowledges each reply in a write of its
# own; with Nagle on, the next request waits for the delayed ACK).
LOADLIB="$T/loadlib.py"
cat >"$LOADLIB" <<'PY'
import os, socket, sys
sys.path.insert(0, os.environ["TOOLS"])
from rsp import Rsp

def status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split()[1]
    return None

def rss_kb(pid):
    return int(status(pid, "VmRSS"))

def pss_kb(pid):
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0

def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))

def children(pid):
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        return [int(p) for p in f.read().split()]

def zombies(pid):
    n = 0
    for c in children(pid):
        try:
            if status(c, "State") == "Z":
                n += 1
        except OSError:
            pass
    return n

def connect(port):
    c = Rsp.tcp("127.0.0.1", port)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c

def hexs(s):
    return s.encode().hex()

def held_list(c):
    """Every held child as (pid, ppid), all pages of qHandoffList."""
    import re
    out, start = [], 0
    while True:
        r = c.request("qHandoffList:%x" % start)
        got = [(int(a, 16), int(b, 16)) for a, b in
               re.findall(r"pid:([0-9a-f]+),ppid:([0-9a-f]+)", r)]
        out += got
        start += len(got)
        if not r.startswith("m") or not got:
            return out
PY
export TOOLS LOADLIB

# ------------------------------------------------- 1. 50 sessions at once
start_platform --server --listen 127.0.0.1:0
ok $? "platform: listens"
python3 - "$PORT" "$SERVER_PID" "$LOADLOOP" "$SESSIONS" "$HITS" \
    >"$T/sessions.out" 2>&1 <<'PY'
import os, re, subprocess, sys, threading, time
exec(open(os.environ["LOADLIB"]).read())
port, daemon, prog = sys.argv[1], int(sys.argv[2]), os.path.realpath(sys.argv[3])
nsess, hits = int(sys.argv[4]), int(sys.argv[5])

off = None
for line in subprocess.run(["nm", prog], capture_output=True,
                           text=True).stdout.splitlines():
    f = line.split()
    if len(f) == 3 and f[2] in ("load_hit", "load_hits"):
        if f[2] == "load_hit":
            off = int(f[0], 16)
        else:
            off_hits = int(f[0], 16)

def base(pid):
    with open("/proc/%d/maps" % pid) as m:
        return min(int(l.split("-")[0], 16) for l in m
                   if l.rstrip().endswith(prog))

def rip(stop):
    m = re.search(r"(?:^T..|;)10:([0-9a-f]{16});", stop)
    return int.from_bytes(bytes.fromhex(m.group(1)), "little") if m else None

launched = threading.Barrier(nsess + 1, timeout=120)
go = threading.Barrier(nsess + 1, timeout=120)
result = {}

def session(i, wait=True):
    r = {"launched": False, "hits": 0, "exit": None, "error": None}
    result[i] = r
    try:
        c = connect(port)
        c.request("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
        stop = c.request("vRun;%s;%s" % (hexs(prog), hexs(str(hits))))
        m = re.search(r"thread:p([0-9a-f]+)\.([0-9a-f]+);", stop)
        if not stop.startswith("T05") or m is None:
            raise Exception("vRun: " + stop)
        pid = int(m.group(1), 16)
        thread = "p%s.%s" % (m.group(1), m.group(2))
        b = base(pid)
        bp, counter = b + off, b + off_hits
        if c.request("Z0,%x,1" % bp) != "OK":
            raise Exception("Z0 refused")
        r["launched"] = True
    except Exception as e:
        r["error"] = "setup: %r" % e
    try:
        if wait:
            launched.wait()
            go.wait()
    except threading.BrokenBarrierError:
        r["error"] = "the barrier broke"
        return
    if not r["launched"]:
        return
    try:
        for n in range(hits):
            stop = c.request("vCont;c")
            if not stop.startswith("T05") or rip(stop) != bp:
                raise Exception("hit %d: %s" % (n, stop[:60]))
            v = c.request("m%x,8" % counter)
            if int.from_bytes(bytes.fromhex(v), "little") != n:
                raise Exception("hit %d: load_hits %s" % (n, v))
            r["hits"] += 1
            if c.request("z0,%x,1" % bp) != "OK":
                raise Exception("z0 refused")
            stop = c.request("vCont;s:%s" % thread)
            if not stop.startswith("T05"):
                raise Exception("step %d: %s" % (n, stop[:60]))
            if c.request("Z0,%x,1" % bp) != "OK":
                raise Exception("Z0 refused")
        c.request("z0,%x,1" % bp)
        stop = c.request("vCont;c")
        r["exit"] = stop
        if not re.match(r"W%02x;process:%x$" % (hits % 256, pid), stop):
            raise Exception("end: %s" % stop)
        c.close()
    except Exception as e:
        r["error"] = "%r" % e

def settled(timeout):
    end = time.time() + timeout
    while children(daemon) and time.time() < end:
        time.sleep(0.1)
    return not children(daemon)

# One session first, so that what the daemon sets up once is in the
# baseline.
session(-1, wait=False)
print("warmup", result[-1]["error"])
settled(20)
rss0, fds0 = rss_kb(daemon), nfds(daemon)

threads = [threading.Thread(target=session, args=(i,)) for i in range(nsess)]
for t in threads:
    t.start()
try:
    launched.wait()
except threading.BrokenBarrierError:
    print("error: not every session was launched")
workers = children(daemon)
rss1, fds1 = rss_kb(daemon), nfds(daemon)
wrss = sum(rss_kb(w) for w in workers)
wpss = sum(pss_kb(w) for w in workers)
try:
    go.wait()
except threading.BrokenBarrierError:
    pass
for t in threads:
    t.join()
print("launched", sum(result[i]["launched"] for i in range(nsess)))
print("workers", len(workers))
print("hits", sum(result[i]["hits"] for i in range(nsess)))
print("exits", sum(result[i]["exit"] is not None and result[i]["error"] is None
                   for i in range(nsess)))
for i in range(nsess):
    if result[i]["error"]:
        print("error session %d: %s" % (i, result[i]["error"]))
print("settled", settled(30))
time.sleep(0.2)
rss2, fds2 = rss_kb(daemon), nfds(daemon)
print("fds before %d with %d sessions %d after %d" % (fds0, nsess, fds1, fds2))
print("zombies", zombies(daemon))
print("diag %d sessions at once: daemon RSS %d -> %d KiB (%d bytes a session);"
      " its %d workers' RSS %d KiB (%d bytes a session), Pss %d KiB (%d bytes"
      " a session)" % (nsess, rss0, rss1, (rss1 - rss0) * 1024 // nsess,
                       len(workers), wrss, wrss * 1024 // nsess, wpss,
                       wpss * 1024 // nsess))
print("diag daemon after the sessions: RSS %d KiB (%+d KiB from before)"
      % (rss2, rss2 - rss0))
PY
out="$T/sessions.out"
diag "$out"
contains "$out" '^warmup None$' "platform: a first session runs its breakpoint loop"
contains "$out" "^launched $SESSIONS\$" "platform: $SESSIONS sessions launched at once, a breakpoint planted in each"
contains "$out" "^workers $SESSIONS\$" "platform: $SESSIONS session workers at once"
contains "$out" "^hits $((SESSIONS * HITS))\$" "platform: every one of the $((SESSIONS * HITS)) hits came, in order, at the breakpoint"
contains "$out" "^exits $SESSIONS\$" "platform: every program exits with its own code"
lacks "$out" '^error' "platform: no session saw an error"
contains "$out" '^settled True$' "platform: every worker ends with its session"
fds=$(sed -n 's/^fds before \([0-9]*\) .* after \([0-9]*\)$/\1 \2/p' "$out")
[ -n "$fds" ] && [ "${fds% *}" = "${fds#* }" ]
ok $? "platform: the daemon's descriptors come back ($fds)"
contains "$out" '^zombies 0$' "platform: the daemon leaves no zombie"
n=$(grep -Ec 'info: worker [0-9]+ \(.*\): session ended$' "$T/platform.log")
[ "$n" -eq $((SESSIONS + 1)) ]
ok $? "platform: the log names each worker's end, $((SESSIONS + 1)) with the first ($n)"
lacks "$T/platform.log" 'warning: worker [0-9]+ .*(died|failed)' "platform: no worker died or failed"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "platform: ends on SIGTERM"

# ------------------------------------------------- 2. 1000 held children
"$STORMFORK" -n "$HELD" -g "$T/go" -p "$T/held.pids" \
    >"$T/heldprog.out" 2>&1 &
PARENT=$!
EXTRA_PIDS="$EXTRA_PIDS $PARENT"
wait_for "$T/heldprog.out" '^stormfork ' 10
start_server --attach --fork-mode handoff --max-held "$HELD" \
    --unclaimed resume :0 "$PARENT"
ok $? "held: the server attaches to the forking parent"
python3 - "$PORT" "$SERVER_PID" "$PARENT" "$HELD" "$T/go" "$T/held.pids" \
    "$CONNS" >"$T/held.out" 2>&1 <<'PY'
import os, re, sys, time
exec(open(os.environ["LOADLIB"]).read())
port, daemon, parent, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
gofile, pidfile, conns = sys.argv[5], sys.argv[6], int(sys.argv[7])
c = connect(port)
c.request("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
c.request("QPassSignals:14")        # SIGCHLD, in GDB's numbers
rss0, fds0 = rss_kb(daemon), nfds(daemon)
c.send("vCont;c")
open(gofile, "w").close()
side = connect(port)
held, deadline = [], time.time() + 120
while len(held) < n and time.time() < deadline:
    time.sleep(0.2)
    held = held_list(side)
rss1, fds1 = rss_kb(daemon), nfds(daemon)
print("held", len(held))
seq = {}
for _ in range(100):
    if os.path.exists(pidfile) and os.path.getsize(pidfile) > 0:
        break
    time.sleep(0.1)
time.sleep(0.2)
for line in open(pidfile):
    i, p = line.split()
    seq[int(p)] = int(i)
print("all-listed", sorted(p for p, _ in held) == sorted(seq) and
      all(pp == parent for _, pp in held))
print("diag %d children held: RSS %d -> %d KiB (%d bytes a held child)"
      % (len(held), rss0, rss1, (rss1 - rss0) * 1024 // max(len(held), 1)))
claimed = ran = 0
for p in sorted(seq, key=lambda p: seq[p])[:n // 2]:
    try:
        k = connect(port)
        r = k.request("vAttach;%x" % p)
        if not r.startswith("T11"):
            print("claim %d: %s" % (p, r))
            continue
        claimed += 1
        r = k.request("vCont;c")
        if re.match(r"W%02x(;process:%x)?$" % (seq[p] % 200 + 1, p), r):
            ran += 1
        else:
            print("run %d: %s" % (p, r))
        k.close()
    except (OSError, EOFError) as e:
        print("claim %d: %r" % (p, e))
side.close()
time.sleep(0.2)
rss2, fds2 = rss_kb(daemon), nfds(daemon)
print("claimed", claimed, "ran", ran)
print("left", len(held_list(connect(port))))
print("diag after %d claims: RSS %d KiB (%+d KiB, %d bytes a claim);"
      " descriptors %d -> %d -> %d"
      % (claimed, rss2, rss2 - rss1, (rss2 - rss1) * 1024 // max(claimed, 1),
         fds0, fds1, fds2))
# Connections come and go while the session lives: each is served.
served = 0
for i in range(conns):
    try:
        k = connect(port)
        if k.request("qSupported:multiprocess+").startswith("PacketSize="):
            served += 1
        k.close()
    except (OSError, EOFError):
        pass
time.sleep(0.2)
rss3, fds3 = rss_kb(daemon), nfds(daemon)
print("conns", conns, "served", served)
print("fds", fds0, fds1, fds2, fds3)
print("diag %d more connections (qSupported, close), %d served: RSS %d KiB"
      " (%+d KiB, %d bytes a connection); descriptors %d"
      % (conns, served, rss3, rss3 - rss2,
         (rss3 - rss2) * 1024 // max(served, 1), fds3))
PY
out="$T/held.out"
diag "$out"
contains "$out" "^held $HELD\$" "held: $HELD children held at once"
contains "$out" '^all-listed True$' "held: qHandoffList names each, with its parent"
contains "$out" "^claimed $((HELD / 2)) ran $((HELD / 2))\$" "held: $((HELD / 2)) claimed, each run to its own exit on its claim connection"
contains "$out" "^left $((HELD - HELD / 2))\$" "held: the other $((HELD - HELD / 2)) still held"
contains "$out" "^conns $CONNS served $CONNS\$" "held: $CONNS more connections while the session lives, each served"
fds=$(sed -n 's/^fds //p' "$out")
set -- $fds
[ $# -eq 4 ] && [ "$4" -le "$1" ] && [ "$3" -le "$1" ]
ok $? "held: the server's descriptors come back after claims and connections ($fds)"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "held: the server ends on SIGTERM"
i=0
while kill -0 "$PARENT" 2>/dev/null && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 "$PARENT" 2>/dev/null && echo "# the parent still waited; killed"
wait "$PARENT"
ok $? "held: the parent, detached, reaps every child"
contains "$T/heldprog.out" "^reaped $HELD exited-ok $HELD killed 0 bad 0 stopped-seen 0 " \
    "held: all $HELD exited with their own codes; the parent saw no stop"

# fates LOG PARENT PIDFILE NAME: every child of PARENT in LOG, in order,
# from its "held at its fork" to the one line that says what became of
# it; $T/NAME.fates gets the counts, and the pids held are checked
# against PIDFILE (each pid as often: pids come back in a long storm).
fates() {
	awk -v pp="$2" -v list="$T/$4.heldpids" '
	$4 == "child" && $6 == "of" && $7 == pp && / held at its fork$/ {
		if (open[$5]) dup++
		open[$5] = 1; held++; print $5 > list; next
	}
	$4 == "child" && $6 == "(parent" && $7 == pp "," {
		pid = $5
		if (/ held; claim it on /) next
		else if (/ claimed by /) f = "claimed"
		else if (/ detached, resumed$/) f = "resumed"
		else if (/ detached, stopped;/) f = "detached-stopped"
		else if (/: killed$/) f = "killed"
		else if (/ while held$/) f = "ended-held"
		else { other++; print "other: " $0; next }
		if (!open[pid]) { orphan++; print "orphan: " $0; next }
		open[pid] = 0; fate[f]++; settled++
	}
	END {
		for (p in open) if (open[p]) { left++; if (left < 5) print "unsettled " p }
		printf "held %d settled %d unsettled %d dup %d orphan %d other %d\n",
		    held, settled, left, dup, orphan, other
		for (f in fate) printf "fate %s %d\n", f, fate[f]
	}' "$1" >"$T/$4.fates"
	sort -n "$T/$4.heldpids" >"$T/$4.heldpids.sorted"
	awk '{ print $2 }' "$3" | sort -n >"$T/$4.pids.sorted"
	cmp -s "$T/$4.heldpids.sorted" "$T/$4.pids.sorted"
	echo "same-pids $?" >>"$T/$4.fates"
}

fates "$T/server.log" "$PARENT" "$T/held.pids" held
out="$T/held.fates"
sed 's/^/# held: /' "$out"
contains "$out" "^held $HELD settled $HELD unsettled 0 dup 0 orphan 0 other 0\$" \
    "held: the log names each child held and, once, what became of it"
contains "$out" '^same-pids 0$' "held: the children the log names are the parent's"
contains "$out" "^fate claimed $((HELD / 2))\$" "held: $((HELD / 2)) logged claimed"
contains "$out" "^fate resumed $((HELD - HELD / 2))\$" "held: $((HELD - HELD / 2)) logged detached, resumed"

# ------------------------------------------------- 3. a fork storm
mv "$T/server.log" "$T/held-server.log"
start_server --multi --fork-mode handoff --max-held "$STORM_MAX_HELD" \
    --unclaimed kill --hold-timeout "$STORM_HOLD_TIMEOUT" :0
ok $? "storm: the server listens"
python3 - "$PORT" "$SERVER_PID" "$STORMFORK" "$STORM_SECS" \
    "$T/storm.pids" "$STORM_RSS_SLACK_KB" >"$T/storm.out" 2>&1 <<'PY'
import os, re, sys, threading, time
exec(open(os.environ["LOADLIB"]).read())
port, daemon, prog, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
pidfile, slack = sys.argv[5], int(sys.argv[6])
c = connect(port)
c.request("qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+")
c.request("QPassSignals:14")
stop = c.request("vRun;" + ";".join(hexs(a) for a in
                                     [prog, "-t", secs, "-p", pidfile]))
parent = int(re.search(r"thread:p([0-9a-f]+)\.", stop).group(1), 16)
print("parent", parent)
rss0, fds0 = rss_kb(daemon), nfds(daemon)
samples, done = [], threading.Event()
def sampler():
    t0 = time.time()
    while not done.is_set():
        samples.append((time.time() - t0, rss_kb(daemon), nfds(daemon)))
        time.sleep(0.1)
claims = {"claimed": 0, "ran": 0, "refused": 0, "lost": 0, "errors": 0}
def claim(p):
    try:
        k = connect(port)
        r = k.request("vAttach;%x" % p)
    except (OSError, EOFError) as e:
        # The connection closed or reset before the reply.
        claims["lost"] += 1
        if claims["lost"] <= 3:
            print("claim %d: %r" % (p, e))
        time.sleep(0.01)
        return
    if r.startswith("T11"):
        claims["claimed"] += 1
        r = k.request("vCont;c")
        if re.match(r"W[0-9a-f]{2}(;process:%x)?$" % p, r):
            claims["ran"] += 1
        else:
            claims["errors"] += 1
            print("run %d: %s" % (p, r))
    elif r.startswith("E"):
        claims["refused"] += 1
        print("refused %d %s" % (p, r))
    else:
        claims["errors"] += 1
        print("claim %d: %s" % (p, r))
    k.close()
def claimer():
    side = None
    while not done.is_set():
        try:
            if side is None:
                side = connect(port)
            held = held_list(side)
        except (OSError, EOFError) as e:
            side = None
            claims["lost"] += 1
            time.sleep(0.01)
            continue
        if not held:
            time.sleep(0.005)
        for p, _ in held:
            claim(p)
threads = [threading.Thread(target=sampler), threading.Thread(target=claimer)]
for t in threads:
    t.start()
c.sock.settimeout(float(secs) * 6 + 60)
r = c.request("vCont;c")
print("parent-end", r)
done.set()
for t in threads:
    t.join()
c.close()
time.sleep(0.5)
rss2, fds2 = rss_kb(daemon), nfds(daemon)
print("claims %(claimed)d ran %(ran)d refused %(refused)d lost %(lost)d errors %(errors)d" % claims)
# Steady state: from the second sample past a second (--max-held is
# reached in the first few milliseconds) to the end.
steady = [s for s in samples if s[0] >= 1.0]
ref = steady[0] if steady else samples[0]
peak_rss = max(s[1] for s in samples)
peak_fds = max(s[2] for s in samples)
print("fds before %d peak %d after %d" % (fds0, peak_fds, fds2))
print("rss-bounded", max(s[1] for s in steady + [(0, rss2, 0)]) - ref[1] <= slack)
print("zombies", zombies(daemon))
print("diag storm: daemon RSS %d KiB before, %d at 1 s, peak %d, after %d"
      " (%+d KiB over the storm, %d claims); descriptors %d, peak %d, after %d"
      % (rss0, ref[1], peak_rss, rss2, rss2 - ref[1], claims["claimed"],
         fds0, peak_fds, fds2))
for s in samples[::20]:
    print("sample %.1f s rss %d KiB fds %d" % s)
PY
out="$T/storm.out"
diag "$out"
STORM_PARENT=$(sed -n 's/^parent \([0-9]*\)$/\1/p' "$out")
forks=$(sed -n 's/^forks \([0-9]*\)$/\1/p' "$T/server.out")
echo "# storm: $forks forks in ${STORM_SECS} s, --max-held $STORM_MAX_HELD"
sed -n 's/^reaped /# storm: reaped /p' "$T/server.out"
contains "$out" '^parent-end W00;process:' "storm: the parent exits 0: every child reaped, as it should have ended, no stop seen"
[ -n "$forks" ] && grep -Eq "^reaped $forks exited-ok [0-9]+ killed [0-9]+ bad 0 stopped-seen 0 " "$T/server.out"
ok $? "storm: all $forks children reaped by the parent, each exited with its code or killed"
contains "$out" '^claims [1-9][0-9]* ' "storm: children are claimed during the storm"
contains "$out" '^claims [0-9]+ ran [0-9]+ refused [0-9]+ lost 0 ' \
    "storm: no claim connection is closed unanswered (connections over are freed)"
contains "$out" '^claims [0-9]+ ran [0-9]+ refused 0 ' \
    "storm: every child qHandoffList shows held can be claimed"
n=$(grep -c 'refused: [0-9]* sessions already' "$T/server.log")
[ "$n" -gt 0 ] && echo "# storm: the log has $n connections refused: 'N sessions already'" &&
    grep -m 1 'sessions already' "$T/server.log" | sed 's/^/# storm: /'
grep '^refused ' "$out" | head -n 3 | while read -r _ p _; do
	grep -m 2 " child $p " "$T/server.log" | sed 's/^/# storm: refused: /'
done
c=$(sed -n 's/^claims \([0-9]*\) ran \([0-9]*\) .*/\1 \2/p' "$out")
[ -n "$c" ] && [ "${c% *}" = "${c#* }" ] && grep -q '^claims .* errors 0$' "$out"
ok $? "storm: every claimed child runs to its exit on its claim connection ($c)"
grep -q 'over --max-held' "$T/server.log"
ok $? "storm: --max-held is reached, past it children are killed at once"
fates "$T/server.log" "$STORM_PARENT" "$T/storm.pids" storm
sed 's/^/# storm: /' "$T/storm.fates"
contains "$T/storm.fates" "^held $forks settled $forks unsettled 0 dup 0 orphan 0 other 0\$" \
    "storm: the log names each of the $forks children held and, once, what became of it"
contains "$T/storm.fates" '^same-pids 0$' "storm: the children the log names are the parent's"
fds=$(sed -n 's/^fds before \([0-9]*\) peak \([0-9]*\) after \([0-9]*\)$/\1 \2 \3/p' "$out")
set -- $fds
[ $# -eq 3 ] && [ "$2" -le $(($1 + 4)) ]
ok $? "storm: the daemon's descriptors stay bounded (before, peak, after: $fds)"
[ $# -eq 3 ] && [ "$3" -le "$1" ]
ok $? "storm: and come back once the storm is over"
contains "$out" '^zombies 0$' "storm: no zombie is left"
contains "$out" '^rss-bounded True$' "storm: the daemon's RSS stays within $STORM_RSS_SLACK_KB KiB of its level at 1 s"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
ok $? "storm: the server ends on SIGTERM"
none_left "$T/(stormfork|loadloop)" "nothing is left running"
done_testing
