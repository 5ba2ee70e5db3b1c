#!/bin/bash
# --no-host-io and --no-shell (docs/security.md): with them, vFile,
# qPlatform_mkdir, qPlatform_chmod and qPlatform_shell get the empty
# reply of a packet the server does not have, nothing is touched on the
# host, and the session goes on; without them, the same packets work.
# Both for handoffd gdbserver and for the platform daemon.  Then the log's
# warning when a TCP listener reaches beyond loopback.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

RSP="$top_srcdir/tests/tools/rsp.py"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
OPEN="vFile:open:$(hex /etc/hostname),0,0"
MKDIR="qPlatform_mkdir:1ed,$(hex "$T/made")"
CHMOD="qPlatform_chmod:1ff,$(hex "$T/file")"
SHELL_CMD="qPlatform_shell:$(hex "touch $T/ran"),a"
: >"$T/file"
chmod 600 "$T/file"

# ask NAME ADDRESS: the four packets, then '?' to show the session lives.
ask() {
	python3 "$RSP" "$2" "$OPEN" "$MKDIR" "$CHMOD" "$SHELL_CMD" \
	    "qSupported:multiprocess+" >"$T/$1.out" 2>&1
}

for mode in gdbserver platform; do
	if [ $mode = gdbserver ]; then
		start_server --once --no-host-io --no-shell "$T/sock" "$PROGS/hello"
	else
		start_platform --listen "$T/sock" --no-host-io --no-shell
	fi
	ok $? "$mode: starts with --no-host-io --no-shell"
	ask "$mode-off" "$T/sock"
	out="$T/$mode-off.out"
	for p in "vFile:open" "qPlatform_mkdir" "qPlatform_chmod" "qPlatform_shell"; do
		[ "$(grep -A1 "^> $p" "$out" | sed -n 's/^< //p')" = "" ] &&
		    grep -A1 "^> $p" "$out" | grep -q '^<'
		ok $? "$mode: $p refused with the empty reply"
	done
	contains "$out" '^< PacketSize=' "$mode: the session goes on"
	[ ! -e "$T/made" ] && [ ! -e "$T/ran" ] &&
	    [ "$(stat -c %a "$T/file")" = 600 ]
	ok $? "$mode: nothing was made, changed or run on the host"
	kill "$SERVER_PID" 2>/dev/null
	server_gone 20
	ok $? "$mode: ends"
	rm -f "$T/sock"
done

start_platform --listen "$T/sock"
ask on "$T/sock"
out="$T/on.out"
contains "$out" '^< F[0-9a-f]+$' "without them: vFile:open opens"
[ -d "$T/made" ] && [ "$(stat -c %a "$T/file")" = 777 ]
ok $? "without them: mkdir and chmod act"
wait_for "$T/on.out" '^< F,0' 10
[ -e "$T/ran" ]
ok $? "without them: the shell runs the command"
kill "$SERVER_PID" 2>/dev/null
server_gone 20

start_server --once '*:0' "$PROGS/hello"
contains "$T/server.log" "warning: listening on \\*:$PORT, beyond loopback: any host that can reach it may debug here" \
    "'*:PORT': the log warns that the port reaches beyond loopback"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
start_server --once ':0' "$PROGS/hello"
lacks "$T/server.log" 'beyond loopback' "':PORT' (loopback): no such warning"
kill "$SERVER_PID" 2>/dev/null
server_gone 20
done_testing
