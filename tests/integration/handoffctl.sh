#!/bin/bash
# handoffctl against a real handoffd: list the held children (plain and
# --json), claim each one (its stop reply printed, then it runs on to its
# exit; a second claim fails), watch a tree with --json (via:connect) and
# with --exec (one command per child, the child's connection inherited
# as {fd}); bad usage exits 2.
#
# A small RSP client ($T/drv.py, below) plays the parent's debugger: it
# continues the parent, passing SIGCHLD, once $T/go exists, and prints
# the parent's last stop reply.  It never says fork-handoff+, so the
# watcher is handoffctl's connection alone.  Given fd:N it continues the
# child on that inherited connection instead.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

HANDOFFCTL="$top_builddir/handoffctl"
command -v python3 >/dev/null || skip_all "no python3"

cat >"$T/drv.py" <<'EOF'
import os, socket, sys, time

def conn(where):
    if where.startswith("fd:"):
        return socket.socket(fileno=int(where[3:]))
    if where.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(where[5:])
        return s
    host, _, port = where.rpartition(":")
    return socket.create_connection((host, int(port)))

class Rsp:
    def __init__(self, s):
        self.s, self.buf = s, b""
        s.settimeout(60)
    def send(self, p):
        b = p.encode()
        self.s.sendall(b"$%s#%02x" % (b, sum(b) & 0xff))
    def reply(self):
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            end = self.buf.find(b"#")
            if self.buf[:1] in (b"$", b"%") and end != -1 and \
                    len(self.buf) >= end + 3:
                kind, body = self.buf[:1], self.buf[1:end]
                self.buf = self.buf[end + 3:]
                if kind == b"$":
                    self.s.sendall(b"+")
                    return body.decode()
                continue
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
    def req(self, p):
        self.send(p)
        return self.reply()

c = Rsp(conn(sys.argv[1]))
if len(sys.argv) > 2:
    c.req("qSupported:multiprocess+")
    print("pass", c.req("QPassSignals:14"), flush=True)
    while not os.path.exists(sys.argv[2]):
        time.sleep(0.05)
print("last", c.req("vCont;c"), flush=True)
EOF

# json_lines FILE: every line is one JSON object.
json_lines() {
	local line
	[ -s "$1" ] || return 1
	while IFS= read -r line; do
		printf '%s\n' "$line" | python3 -m json.tool >/dev/null ||
		    return 1
	done <"$1"
}

# lines_at_least FILE N: wait (hang guard) for N lines in FILE.
lines_at_least() {
	local i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -ge 300 ] && return 1
		sleep 0.1
	done
	return 0
}

# stopped FILE PID: FILE holds PID's SIGSTOP stop.  handoffctl shakes
# hands with a bare qSupported, lldb's dialect, where SIGSTOP is T13
# (T11 in gdb's).
stopped() {
	local kx
	kx=$(printf '%x' "$2")
	grep -Eq "^T(11|13).*thread:(p$kx\\.)?$kx;" "$1"
}

server_pid_in() {
	sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$1"
}

# ---- bad usage: status 2
for args in "" "bogus" "list" "claim 127.0.0.1:1" "claim 127.0.0.1:1 notapid" \
    "claim 127.0.0.1:1 0" "list 127.0.0.1:1 extra" "watch 127.0.0.1:1 --nope" \
    "claim 127.0.0.1:1 5 --json"; do
	# shellcheck disable=SC2086
	"$HANDOFFCTL" $args >"$T/usage.out" 2>&1
	[ $? -eq 2 ]
	ok $? "usage error exits 2: handoffctl $args"
done
"$HANDOFFCTL" list "unix:$T/nobody" >"$T/noconn.out" 2>&1
[ $? -eq 1 ] && [ "$(wc -l <"$T/noconn.out")" -eq 1 ]
ok $? "nobody listening: exit 1 and one line"

# ---- TCP: watch --json (via:connect), list, claim
start_handoffd tcp gdbserver --hold-timeout 60 127.0.0.1:0 \
    "$PROGS/forker" 3 || exit 1
ADDR=127.0.0.1:$PORT
PARENT=$(server_pid_in "$T/tcp.log")
python3 "$T/drv.py" "$ADDR" "$T/go" >"$T/drv.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/drv.out" '^pass OK$' 20
ok $? "the parent's debugger is connected"
"$HANDOFFCTL" watch "$ADDR" --pid "$PARENT" --json >"$T/watch.json" \
    2>"$T/watch.err" &
WATCH=$!
EXTRA_PIDS="$EXTRA_PIDS $WATCH"
wait_for "$T/tcp.log" 'watches for handoffs' 20
ok $? "watch is registered"
touch "$T/go"
lines_at_least "$T/watch.json" 3
[ "$(grep -c "\"ppid\":$PARENT,.*\"kind\":\"fork\",\"via\":\"connect\",\"fd\":null}" \
    "$T/watch.json")" -eq 3 ]
ok $? "watch --json: three via:connect handoffs of the parent"
json_lines "$T/watch.json"
ok $? "watch --json: each line is JSON"
kill "$WATCH" 2>/dev/null

"$HANDOFFCTL" list "$ADDR" >"$T/list.out" 2>&1
ok $? "list exits 0"
[ "$(grep -cE "^[0-9]+ +$PARENT +[0-9]+ +fork +[0-9]+ held\$" "$T/list.out")" -eq 3 ]
ok $? "list: three held children of the parent"
"$HANDOFFCTL" list "$ADDR" --json >"$T/list.json" 2>&1
ok $? "list --json exits 0"
json_lines "$T/list.json" && [ "$(grep -c '"state":"held"' "$T/list.json")" -eq 3 ]
ok $? "list --json: three JSON objects, held"

KIDS=$(sed -n 's/.*"pid":\([0-9]*\),.*/\1/p' "$T/watch.json")
FIRST=$(echo "$KIDS" | head -n 1)
mkfifo "$T/stay"
"$HANDOFFCTL" claim "$ADDR" "$FIRST" --stay <"$T/stay" >"$T/stay.out" 2>&1 &
STAY=$!
EXTRA_PIDS="$EXTRA_PIDS $STAY"
exec 7>"$T/stay"
wait_for "$T/stay.out" '^T' 20
stopped "$T/stay.out" "$FIRST"
ok $? "claim --stay $FIRST: its SIGSTOP stop printed"
"$HANDOFFCTL" claim "$ADDR" "$FIRST" >"$T/claim2.out" 2>&1
[ $? -eq 1 ] && [ "$(wc -l <"$T/claim2.out")" -eq 1 ]
ok $? "a second claim of a claimed child: exit 1, one line"
exec 7>&-
wait "$STAY"
ok $? "claim --stay exits 0 once its stdin closes"
no_process "$FIRST" "claim --stay $FIRST: released, it runs to its exit"
for k in $KIDS; do
	[ "$k" = "$FIRST" ] && continue
	"$HANDOFFCTL" claim "$ADDR" "$k" >"$T/claim.out" 2>&1
	[ $? -eq 0 ] && stopped "$T/claim.out" "$k"
	ok $? "claim $k: its SIGSTOP stop printed"
	no_process "$k" "claim $k: released, it runs to its exit"
done
wait_for "$T/drv.out" '^last ' 30
grep -q '^last W00' "$T/drv.out"
ok $? "the parent exits 0: its children exited right, no stop seen"
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=

# ---- unix socket: watch --exec (via:fd), {fd} the child's connection
start_handoffd unix gdbserver "unix:$T/sock" "$PROGS/forker" 3 || exit 1
PARENT=$(server_pid_in "$T/unix.log")
rm -f "$T/go"
python3 "$T/drv.py" "unix:$T/sock" "$T/go" >"$T/drv2.out" 2>&1 &
EXTRA_PIDS="$EXTRA_PIDS $!"
wait_for "$T/drv2.out" '^pass OK$' 20
ok $? "the parent's debugger is connected (unix)"
"$HANDOFFCTL" watch "unix:$T/sock" --pid "$PARENT" --exec \
    "echo {pid} {ppid} {fd} >>'$T/lines.out'; python3 '$T/drv.py' fd:{fd} >>'$T/kids.out'" \
    >"$T/watch2.out" 2>&1 &
WATCH=$!
EXTRA_PIDS="$EXTRA_PIDS $WATCH"
wait_for "$T/unix.log" 'watches for handoffs' 20
ok $? "watch --exec is registered"
touch "$T/go"
lines_at_least "$T/lines.out" 3
[ "$(awk -v pp="$PARENT" '$2 == pp && $3 >= 0 { print $1 }' "$T/lines.out" |
    sort -u | wc -l)" -eq 3 ]
ok $? "--exec ran once per child: three distinct pids, the parent's, an fd each"
[ "$(grep -c "ppid $PARENT tid .* kind fork via fd\$" "$T/watch2.out")" -eq 3 ]
ok $? "watch prints a line per handoff"
wait_for "$T/drv2.out" '^last ' 30
grep -q '^last W00' "$T/drv2.out"
ok $? "the parent exits 0: each child, run on its inherited fd, exited right"
lines_at_least "$T/kids.out" 3
[ "$(grep -c '^last W0[123]$' "$T/kids.out")" -eq 3 ]
ok $? "three children ran to their exits on their own connections"
kill "$WATCH" 2>/dev/null

done_testing
