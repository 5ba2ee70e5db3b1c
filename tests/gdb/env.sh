#!/bin/bash
# extended-remote run with gdb's environment, cwd, startup-with-shell
# and arguments with spaces: the program (tests/progs/env) prints them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# The server starts programs through $SHELL: log each use.  ("$SHELL -c
# CMD"; one exec, as a real shell, so that the server's count holds.)
printf '#!/bin/sh\necho "$*" >>"%s/shell.log"\neval "$2"\n' "$T" >"$T/logsh"
chmod +x "$T/logsh"
: >"$T/shell.log"
mkdir "$T/srv"
cd "$T/srv" || exit 1
# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
SHELL=$T/logsh start_server --multi :0
ok $? "server listens"
cd / || exit 1

run_gdb env "$PROGS/env" \
	"target extended-remote :$PORT" \
	"set remote exec-file $PROGS/env" \
	"set environment HANDOFF_TEST=yes" \
	"set cwd /tmp" \
	'run "a b" c\ d e' \
	"unset environment HANDOFF_TEST" \
	"set cwd" \
	"run x" \
	"set environment HANDOFF_TEST=two  words" \
	'run "x  y" $HANDOFF_TEST' \
	"unset environment" \
	"run" \
	"set startup-with-shell off" \
	'run "x  y" $HANDOFF_TEST *' \
	"disconnect"
out="$T/env.out"
kill -TERM "$SERVER_PID"
server_gone 10
ok $? "the server ends on SIGTERM"
for p in $(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/server.log"); do
	no_process "$p" "process $p is gone"
done

[ "$(grep -c '^\[Inferior 1 (process [0-9]*) exited normally\]$' "$out")" = 5 ]
ok $? "five runs, each exits normally"
lacks "$out" 'failed|error|Unknown' "no run failed"
# Split the program's output by run: each starts with its "cwd" line.
awk '/^cwd /{n++} {print > (dir "/run" n ".txt")}' dir="$T" "$T/server.out"
for n in 1 2 3 4 5; do touch "$T/run$n.txt"; done
# same FILE EXPECTED DESCRIPTION: the file's lines are exactly these.
same() {
	local f=$1 want=$2
	printf '%s\n' "$want" | diff - "$f" >"$T/diff.out"
	ok $? "$3"
	[ -s "$T/diff.out" ] && sed 's/^/# /' "$T/diff.out"
}
same "$T/run1.txt" "cwd /tmp
HANDOFF_TEST yes
arg1 a b
arg2 c d
arg3 e" "set environment, set cwd, quoted and escaped spaces in arguments"
same "$T/run2.txt" "cwd $T/srv
HANDOFF_TEST (unset)
arg1 x" "unset environment VAR, set cwd back to the server's directory"
# gdbserver 13 quotes every argument for the shell: no expansion.
same "$T/run3.txt" "cwd $T/srv
HANDOFF_TEST two  words
arg1 x  y
arg2 \$HANDOFF_TEST" "startup-with-shell on: arguments quoted for the shell, not expanded"
same "$T/run4.txt" "cwd $T/srv
HANDOFF_TEST (unset)
arg1 x  y
arg2 \$HANDOFF_TEST" "unset environment clears it all; run reuses the arguments"
# (gdbserver 13.1 refuses this one: "can't handle command-line argument
# containing whitespace"; the arguments must reach the program as given.)
same "$T/run5.txt" "cwd $T/srv
HANDOFF_TEST (unset)
arg1 x  y
arg2 \$HANDOFF_TEST
arg3 *" "startup-with-shell off: arguments passed verbatim"
[ "$(grep -c . "$T/shell.log")" = 4 ]
ok $? "the shell started runs 1 to 4, not 5 ($(grep -c . "$T/shell.log") uses)"

# Arguments on the server's command line are quoted the same way.
cd "$T/srv" || exit 1
# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server :0 "$PROGS/env" 'a  b' '$HANDOFF_TEST' '*' ''
ok $? "server with a program and arguments"
pid=$(inferior_pid)
cd / || exit 1
run_gdb cmdline "$PROGS/env" "target remote :$PORT" "continue"
contains "$T/cmdline.out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
same "$T/server.out" "cwd $T/srv
HANDOFF_TEST (unset)
arg1 a  b
arg2 \$HANDOFF_TEST
arg3 *
arg4 " "command-line arguments passed verbatim (empty one included)"
server_gone 10
ok $? "the server ends after the session"
done_testing
