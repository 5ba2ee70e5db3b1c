#!/bin/bash
# demo.sh BUILDDIR -- handoffd's two ways of debugging a program that
# forks, on the bundled pre-forking server (examples/prefork.c), with no
# input: first one connection per process (lldb, the handoff script),
# then one connection for all (gdb's multiplexing).  Prints what each
# session saw; leaves nothing running.
set -eu
build=${1:?usage: demo.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/handoffd-demo.XXXXXX")
LLDB_PY=/usr/lib/llvm-16/lib/python3.11/site-packages
server=

cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null || true
	pkill -KILL -f "$work/prefork" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup 0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
indent() { sed "s/^/   $1/"; }

# serve NAME: handoffd gdbserver on a unix socket, running prefork.
serve() {
	rm -f "$work/sock"
	"$build/handoffd" gdbserver --once "$work/sock" "$work/prefork" \
	    >"$work/$1.out" 2>"$work/$1.log" &
	server=$!
	for _ in $(seq 100); do
		grep -q '^Listening on' "$work/$1.log" && return 0
		sleep 0.1
	done
	echo "demo: handoffd did not start" >&2
	exit 1
}

# finish NAME LABEL: the server ends with its session; what prefork
# printed.
finish() {
	wait "$server" && server=
	say "What prefork printed ($2)"
	indent "program: " <"$work/$1.out"
}

gcc -g -O0 -o "$work/prefork" "$here/prefork.c"

say "prefork: a master forks 3 workers and hands them 9 requests"
echo "   Each worker is a forked child. How do you debug all four?"

# ------------------------------------------------------------------ 1
say "1. One connection per process: lldb and the handoff script"
cat <<'EOF'
   handoffd keeps each new worker stopped at its fork and passes lldb a
   socket already connected to it; 'handoff watch' makes each one a
   target of its own. The master runs on while the workers wait.
EOF
serve handoff
PYTHONPATH=$LLDB_PY /usr/bin/python3 "$here/demo_lldb.py" \
    "$top/debugger/lldb/handoff.py" "$work/prefork" \
    "unix-connect://$work/sock" 2>&1 | indent ""
finish handoff "one connection per process"
conns1=$(grep -c 'announced to .* via fd' "$work/handoff.log" || true)
say "handoffd's log of the handoffs"
grep -E 'held at its fork|announced to' "$work/handoff.log" |
    sed 's/^[0-9:.]* handoffd\[[0-9]*\] info: //' | indent "server: "

# ------------------------------------------------------------------ 2
say "2. One connection for all: gdb's multiplexing, the same program"
cat <<'EOF'
   gdb follows every fork itself (detach-on-fork off) and all four
   processes share gdb's one connection.
EOF
serve multiplex
cat >"$work/multiplex.gdb" <<'EOF'
set pagination off
set confirm off
set debuginfod enabled off
set detach-on-fork off
set schedule-multiple on
echo (gdb) target extended-remote SOCKET\n
target extended-remote SOCKET
break all_workers_started
commands
silent
printf "(gdb) inferior %d, the master: stopped in all_workers_started\n", $_inferior
info inferiors
continue
end
break handle_request
commands
silent
printf "(gdb) inferior %d: worker %d handles %s %s\n", $_inferior, id, req->method, req->path
continue
end
python
# Go on until every process has ended; each exit stops gdb once.  A
# worker may end while gdb stops the others for an exit: switching to it
# then fails to read its registers, and its own exit comes with the next
# continue.
for _ in range(4 * 4):
    live = [i for i in gdb.inferiors() if i.pid]
    if not live:
        break
    try:
        gdb.execute("inferior %d" % live[0].num, to_string=True)
    except gdb.error:
        pass
    try:
        gdb.execute("continue")
    except gdb.error as e:
        print("   (gdb) %s" % e)
end
EOF
sed -i "s|SOCKET|$work/sock|" "$work/multiplex.gdb"
timeout 120 gdb -batch -nx -x "$work/multiplex.gdb" "$work/prefork" 2>&1 |
    grep -v -e '^Reading ' -e 'File transfers from remote' \
	-e '^\[New inferior' -e '^\[Switching to' -e '^Breakpoint [0-9] at' \
	-e '^#0  ' -e '^[0-9]*	in ' |
    indent ""
finish multiplex "multiplexed"

# ------------------------------------------------------------------ end
say "The two, side by side"
cat <<EOF
   one connection per process: $((conns1 + 1)) connections (the master's, then
     one per worker, each passed to lldb over the unix socket); each
     session stops and resumes on its own, and any client -- lldb, gdb,
     another machine through a forwarded port -- can take a worker.
   multiplexed: 1 connection; gdb holds every process, and one stop
     stops them all (all-stop).
EOF
if pgrep -f "$work/prefork" >/dev/null; then
	echo "demo: something is still running" >&2
	exit 1
fi
say "Done: nothing left running."
