#!/bin/bash
# demo.sh BUILDDIR -- stock gdb debugs the bundled example through
# handoffd, in batch mode; prints what happens; leaves nothing running.
set -eu
build=${1:?usage: demo.sh BUILDDIR}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/handoffd-demo.XXXXXX")
server=

cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup 0

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

gcc -g -O0 -o "$work/wordfreq" "$here/wordfreq.c"

say "Starting: handoffd gdbserver :0 wordfreq"
"$build/handoffd" gdbserver :0 "$work/wordfreq" \
    >"$work/program.out" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do
	grep -q '^Listening on port' "$work/server.log" && break
	sleep 0.1
done
port=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$work/server.log")
sed 's/^/   server: /' "$work/server.log"

say "gdb connects over TCP port $port and debugs the program"
cat >"$work/session.gdb" <<GDB
set pagination off
set confirm off
set debuginfod enabled off
echo \n--- target remote :$port\n
target remote :$port
echo \n--- break count_word if len == 3   (stop on each three-letter word)\n
break count_word if len == 3
continue
echo \n--- where are we?\n
backtrace
echo \n--- the word, as the program sees it\n
print *w@len
continue
print *w@len
echo \n--- a hardware watchpoint on the running total\n
delete
watch total
continue
continue
echo \n--- change the program's state: total = 1000\n
delete
set var total = 1000
print total
echo \n--- let it run to the end\n
continue
GDB
gdb -batch -nx -x "$work/session.gdb" "$work/wordfreq" 2>&1 |
    grep -v -e '^Reading ' -e 'File transfers from remote' |
    sed 's/^/   gdb: /'

say "What the program printed (total includes our change)"
sed 's/^/   program: /' "$work/program.out"

wait "$server" && server=
say "handoffd exited by itself; its log:"
sed 's/^/   server: /' "$work/server.log"
if pgrep -f "$work/wordfreq" >/dev/null; then
	echo "demo: the example is still running" >&2
	exit 1
fi
say "Done: nothing left running."
