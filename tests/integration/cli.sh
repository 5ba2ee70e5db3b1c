#!/bin/bash
# handoffd gdbserver's command line in lldb-server's form: each bad
# address or option is a clear startup failure (status 1, the message,
# "Exiting", nothing launched); a good one without a program serves; and
# --attach takes a pid or a process name.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# fails DESCRIPTION REGEX ARGS...: the server refuses to start.
fails() {
	local what=$1 re=$2 st
	shift 2
	timeout 20 "$HANDOFFD" gdbserver "$@" >"$T/fail.out" 2>"$T/fail.log"
	st=$?
	[ "$st" -eq 1 ] && grep -Eq -- "$re" "$T/fail.log" &&
	    ! grep -q '^Process .* created' "$T/fail.log"
	ok $? "$what"
}

long=$(printf 'x%.0s' $(seq 108))
hello="$PROGS/hello"

# ---- a bad URL, each kind
fails "unknown scheme" '^bogus://x: unknown URL scheme "bogus" \(tcp, listen, connect,' bogus://x "$hello"
fails "connect:// without a port" '^connect://localhost: expected HOST:PORT after the scheme$' connect://localhost "$hello"
fails "connect:// to port 0" '^connect://:0: bad port$' connect://:0 "$hello"
fails "connect:// to every address" '^connect://\*:1: cannot connect to every address$' 'connect://*:1' "$hello"
fails "listen:// past port 65535" '^listen://:65536: bad port$' listen://:65536 "$hello"
fails "tcp:// with a word for a port" '^tcp://h:http: bad port$' tcp://h:http "$hello"
fails "an unclosed [" '^\[::1:5: bad host$' '[::1:5' "$hello"
fails "unix-accept:// without a path" '^unix-accept://: no socket path$' unix-accept:// "$hello"
fails "unix-connect:// path too long" "^unix-connect:///$long: socket path longer than 107 bytes\$" "unix-connect:///$long" "$hello"
fails "unix-abstract:// without a name" '^unix-abstract://: no socket name$' unix-abstract:// "$hello"
fails "abstract name too long" "^unix-abstract-accept://${long}x: socket name longer than 107 bytes\$" "unix-abstract-accept://${long}x" "$hello"
fails "fd:// not a number" '^fd://three: bad descriptor number$' fd://three "$hello"
fails "fd:// out of range" '^fd://65536: bad descriptor number$' fd://65536 "$hello"
fails "fd:// not open" '^fd://517: fd 517 is not open$' fd://517 "$hello"
fails "--fd not open" '^fd://517: fd 517 is not open$' --fd 517 "$hello"
fails "sd-listen:// with nothing passed" '^sd-listen://: no socket was passed to this process \(LISTEN_PID, LISTEN_FDS\)$' sd-listen:// "$hello"
LISTEN_PID=1 LISTEN_FDS=1 fails "sd-listen:// passed to another pid" '^sd-listen://: no socket was passed' sd-listen:// "$hello"
fails "sd-listen:// with a name" '^sd-listen://x: sd-listen:// takes no name$' sd-listen://x "$hello"
# LISTEN_PID must be the server's own pid: the shell's, kept by exec.
SD='LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"'
sh -c "$SD" "$HANDOFFD" gdbserver sd-listen:// "$hello" 3</dev/null \
    >"$T/fail.out" 2>"$T/fail.log"
[ $? -eq 1 ] && grep -Eq '^sd-listen://: fd 3 is not a listening stream socket$' "$T/fail.log"
ok $? "sd-listen:// on a descriptor that is no listening socket"
fails "a word is no address" '^hello: expected \[HOST\]:PORT, a unix socket path or -$' hello "$hello"
# fails_late DESCRIPTION REGEX ARGS...: the program is started before
# the server connects out; when that fails the program goes too.
fails_late() {
	local what=$1 re=$2 st pid
	shift 2
	timeout 20 "$HANDOFFD" gdbserver "$@" >"$T/fail.out" 2>"$T/fail.log"
	st=$?
	pid=$(sed -n 's/^Process .* created; pid = \([0-9]*\)$/\1/p' "$T/fail.log")
	[ "$st" -eq 1 ] && grep -Eq -- "$re" "$T/fail.log" && [ -n "$pid" ] &&
	    [ ! -d "/proc/$pid" ]
	ok $? "$what"
}

fails_late "nobody listens for connect://" '^127\.0\.0\.1:1: Can.t connect: Connection refused\.$' connect://127.0.0.1:1 "$hello"
fails_late "nobody listens for unix-connect://" "^$T/none: Can.t connect: No such file or directory\\.\$" "unix-connect://$T/none" "$hello"
fails_late "nobody listens on the abstract name" "^@handoffd-none-$$: Can.t connect: Connection refused\\.\$" "unix-abstract-connect://handoffd-none-$$" "$hello"

# ---- bad options
fails "--fd not a number" "invalid '--fd' argument: x" --fd x "$hello"
fails "--pipe not a number" "invalid '--pipe' argument: -1" --pipe -1 :0 "$hello"
fails "COMM and --fd" '--fd and :0: give one' :0 --fd 0 "$hello"
fails "--attach PID and a program" '--attach 1 and a program: give one' :0 --attach 1 "$hello"
fails "--attach NAME of no process" '^Cannot attach to process no-such-proc-x: no process of that name$' :0 --attach no-such-proc-x
fails "gdbserver's form still needs a program" '^Usage:' :0
fails "no COMM at all" '^Usage:' --native-regs

# ---- the handoff options: each bound at and past its limit
fails "--fork-mode of no such mode" '^handoffd: --fork-mode sideways: expected auto, handoff, detach or multiplex$' --fork-mode sideways :0 "$hello"
fails "--unclaimed of no such action" '^handoffd: --unclaimed stay: expected detach-stopped, resume or kill$' --unclaimed stay :0 "$hello"
fails "--hold-timeout 0" '^handoffd: --hold-timeout 0: too small \(1 to 86400 seconds\)$' --hold-timeout 0 :0 "$hello"
fails "--hold-timeout past a day" '^handoffd: --hold-timeout 86401: too large \(1 to 86400 seconds\)$' --hold-timeout 86401 :0 "$hello"
fails "--max-held past 4096" '^handoffd: --max-held 4097: too large \(0 to 4096\)$' --max-held 4097 :0 "$hello"
fails "--max-held not a number" '^handoffd: --max-held many: invalid \(0 to 4096\)$' --max-held many :0 "$hello"
fails "--stall-timeout past a day" '^handoffd: --stall-timeout 86401: too large \(0 to 86400 seconds\)$' --stall-timeout 86401 :0 "$hello"
fails "--stall-timeout negative" '^handoffd: --stall-timeout -1: too small \(0 to 86400 seconds\)$' --stall-timeout -1 :0 "$hello"
start_server :0 --once --max-held 4096 --hold-timeout 86400 --unclaimed kill \
    --fork-mode multiplex --allow-any-uid --stall-timeout 86400 "$hello"
ok $? "--max-held 4096, --hold-timeout 86400 and --stall-timeout 86400, the limits, are taken"
kill "$SERVER_PID"
server_gone 10

# ---- lldb-server's form: no program, a URL, options after it
start_server listen://127.0.0.1:0 --native-regs --once
ok $? "listen:// with no program starts"
contains "$T/server.log" '^Listening on port [0-9]+$' "and listens on TCP"
kill "$SERVER_PID"
server_gone 10
ok $? "and ends on SIGTERM"

start_server 'tcp://*:0' --native-regs
contains "$T/server.log" '^Listening on port [0-9]+$' "tcp://*:0 listens on every address"
grep -Eq "^ *[0-9]+: 0+:$(printf '%04X' "$PORT") 0+:0000 0A" /proc/net/tcp ||
    grep -Eq "^ *[0-9]+: 0+:$(printf '%04X' "$PORT") 0+:0000 0A" /proc/net/tcp6
ok $? "bound to the any address"
kill "$SERVER_PID"
server_gone 10

# ---- --attach NAME: the one process of that name
cp "$PROGS/spin" "$T/spin$$"
"$T/spin$$" >"$T/spin.out" &
spin=$!
EXTRA_PIDS="$EXTRA_PIDS $spin"
wait_for "$T/spin.out" '^spin ready' 10
start_server :0 --attach "spin$$"
ok $? "--attach NAME starts"
contains "$T/server.log" "^Attached; pid = $spin\$" "--attach NAME attaches to the process of that name"
kill "$SERVER_PID"
server_gone 10
grep -Eq '^TracerPid:[[:space:]]+0$' "/proc/$spin/status"
ok $? "and lets it go when the server ends"

start_server --attach="$spin" :0
contains "$T/server.log" "^Attached; pid = $spin\$" "--attach=PID before COMM"
kill "$SERVER_PID"
server_gone 10

"$T/spin$$" >"$T/spin2.out" &
spin2=$!
EXTRA_PIDS="$EXTRA_PIDS $spin2"
wait_for "$T/spin2.out" '^spin ready' 10
fails "--attach NAME of two processes" "^Cannot attach to process spin$$: 2 processes of that name \\([0-9]+, [0-9]+\\.\\.\\.\\): give a pid\$" :0 --attach "spin$$"
kill "$spin" "$spin2"
wait "$spin" "$spin2" 2>/dev/null
done_testing
