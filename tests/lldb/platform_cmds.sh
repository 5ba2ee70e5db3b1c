#!/bin/bash
# Stock lldb 16's platform commands (platform connect, shell, process
# list and info, get-file, put-file, mkdir, get-size, get-permissions,
# file-exists, file open/read/write/close, settings -w) against handoffd
# gdbserver --multi and handoffd platform, and where lldb-server 16
# answers the same, the same output as against lldb-server-16 platform.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

command -v "$LLDB" >/dev/null || skip_all "no $LLDB"
LLDB_SERVER=${LLDB_SERVER:-lldb-server-16}

R="$T/remote"			# the "remote" side's files
mkdir -p "$R"
printf 'hello platform\n' >"$R/text"
printf 'put me\n' >"$T/local-put"
chmod 0750 "$T/local-put"

# A process with a name of its own for the process list.
cp /bin/sleep "$R/hopcmds"
"$R/hopcmds" 300 &
SLEEPER=$!
EXTRA_PIDS="$SLEEPER"

# run_cmds NAME PORT: the commands, in $T/NAME.out.
run_cmds() {
	local name=$1 port=$2 n=$1
	rm -rf "$R/dir-$n" "$R/put-$n" "$T/got-$n"
	run_lldb "$name" "" \
		"platform select remote-linux" \
		"platform connect connect://127.0.0.1:$port" \
		"platform shell echo hi" \
		"platform shell -- echo out; echo err >&2" \
		"platform process list -n hopcmds" \
		"platform process info $SLEEPER" \
		"platform get-size $R/text" \
		"platform file-exists $R/text" \
		"platform file-exists $R/nonexistent" \
		"platform get-permissions $R/text" \
		"platform get-file $R/text $T/got-$n" \
		"platform put-file $T/local-put $R/put-$n" \
		"platform mkdir -v 0750 $R/dir-$n" \
		"platform file open $R/text" \
		"platform file read -o 6 -c 8 0" \
		"platform file close 0" \
		"platform settings -w $R/dir-$n" \
		"platform status" \
		"platform shell pwd" \
		"platform shell -- exit 3"
}

# check NAME PORT: what lldb shows and what happened on the remote side.
check() {
	local n=$1 out="$T/$1.out"
	run_cmds "$@"
	contains "$out" 'Connected: yes' "$n: platform connect"
	contains "$out" '^hi$' "$n: platform shell echo hi"
	contains "$out" '^err$' "$n: shell output takes stderr too"
	contains "$out" "^$SLEEPER +$$ +[a-z0-9_-]+ +x86_64-pc-linux-gnu +hopcmds\$" \
	    "$n: process list -n finds the process, its parent and triple"
	contains "$out" "^ +pid = $SLEEPER\$" "$n: process info: pid"
	contains "$out" '^ *arg\[0\] = 300$' "$n: process info: arguments"
	contains "$out" "^ +uid = $(id -u) +\\($(id -un)\\)\$" \
	    "$n: process info: uid and user name (qUserName)"
	contains "$out" "^ +gid = $(id -g) +\\($(id -gn)\\)\$" \
	    "$n: process info: gid and group name (qGroupName)"
	contains "$out" "File size of $R/text \\(remote\\): 15\$" \
	    "$n: get-size"
	contains "$out" "File $R/text \\(remote\\) exists" "$n: file-exists"
	contains "$out" "File $R/nonexistent \\(remote\\) does not exist" \
	    "$n: file-exists, a missing file"
	contains "$out" "File permissions of $R/text \\(remote\\): 0o0644" \
	    "$n: get-permissions"
	cmp -s "$R/text" "$T/got-$n"
	ok $? "$n: get-file copies the file"
	cmp -s "$T/local-put" "$R/put-$n"
	ok $? "$n: put-file copies the file"
	[ "$(stat -c %a "$R/put-$n" 2>/dev/null)" = 750 ]
	ok $? "$n: put-file keeps the permissions"
	[ "$(stat -c %a "$R/dir-$n" 2>/dev/null)" = 750 ]
	ok $? "$n: mkdir -v 0750 makes the directory"
	contains "$out" '^File Descriptor = [0-9]+$' "$n: file open"
	contains "$out" '^Data = "platform"$' "$n: file read at an offset"
	contains "$out" '^file 0 closed\.$' "$n: file close"
	contains "$out" "^WorkingDir: $R/dir-$n\$" \
	    "$n: settings -w, then status shows it (qGetWorkingDir)"
	contains "$out" "^$R/dir-$n\$" "$n: shell runs in the working directory"
	contains "$out" 'error: command returned with status 3' \
	    "$n: shell exit status"
}

# 1. handoffd gdbserver --multi answers the platform packets itself.
start_server --multi 127.0.0.1:0
ok $? "gdbserver --multi started"
check gdbserver "$PORT"
kill "$SERVER_PID" 2>/dev/null
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=

# 2. handoffd platform answers them on its own connections.
if "$HANDOFFD" platform --help >/dev/null 2>&1; then
	start_platform --server --listen 127.0.0.1:0
	ok $? "handoffd platform started"
	check platform "$PORT"
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	SERVER_PID=
fi

# 3. The same commands against lldb-server: where it answers as we do,
# lldb shows the very same lines.
if command -v "$LLDB_SERVER" >/dev/null; then
	"$LLDB_SERVER" platform --server --listen 127.0.0.1:0 \
	    --socket-file "$T/ls.port" >"$T/lldb-server.log" 2>&1 &
	EXTRA_PIDS="$EXTRA_PIDS $!"
	wait_for "$T/ls.port" '^[0-9]+' 20
	run_cmds lldbserver "$(cat "$T/ls.port")"
	# (Not the descriptor: lldb-server's are its own, ours index a
	# table of the session's, so "file read 0" reads another file.)
	same='^(File (size|permissions|/)|WorkingDir|  Platform|    Triple|'
	same="$same Connected| +pid| *arg|error: command)"
	for p in gdbserver platform; do
		[ -f "$T/$p.out" ] || continue
		diff <(grep -E "$same" "$T/lldbserver.out" | sed "s/-lldbserver//g") \
		    <(grep -E "$same" "$T/$p.out" | sed "s/-$p//g") >"$T/diff-$p.log"
		ok $? "$p: the same lines as lldb-server for the same commands"
	done
fi
done_testing
