#!/bin/bash
# The README's demo (examples/demo.sh) runs with no input, shows each
# session's transcript and the multiplexed run, exits 0 and leaves
# nothing running.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

TMPDIR=$T timeout 300 bash "$top_srcdir/examples/demo.sh" "$top_builddir" \
    >"$T/demo.out" 2>&1
ok $? "the demo exits 0"
sed -i 's/\x1b\[[0-9;]*m//g' "$T/demo.out"
out="$T/demo.out"
contains "$out" '^ *session: the master \(pid [0-9]+\)$' "the master's session"
for id in 0 1 2; do
	contains "$out" "^ *session: worker $id \\(pid [0-9]+\\), target #[123]\$" \
	    "worker $id's session, a target of its own"
done
[ "$(grep -c 'handle_request: ' "$out")" = 9 ]
ok $? "the workers' sessions saw the 9 requests between them"
[ "$(grep -c 'dispatch: request ' "$out")" = 9 ]
ok $? "the master's session saw it dispatch 9"
[ "$(grep -c '^ *exited with status [0-3]$' "$out")" = 4 ]
ok $? "each session saw its process exit"
[ "$(grep -c 'announced to .* via fd' "$out")" = 3 ]
ok $? "three sockets passed, one per worker"
[ "$(grep -cE '^ *\(gdb\) inferior [234]: worker [0-2] handles ' "$out")" = 9 ]
ok $? "multiplexed: gdb saw the 9 requests on its inferiors"
[ "$(grep -cE '^ +[*]? +[1-4] +process [0-9]+ +1 \(extended-remote ' "$out")" = 4 ]
ok $? "multiplexed: all four processes on connection 1"
[ "$(grep -c 'program: master: served 9 requests, 3 workers' "$out")" = 2 ]
ok $? "prefork served every request both times"
contains "$out" '^== Done: nothing left running\.$' "the demo says nothing is left"
lacks "$out" 'Traceback|Python Exception|Fatal signal' "no Python error, no crash"
pgrep -f "$T/handoffd-demo" >/dev/null
[ $? -ne 0 ]
ok $? "nothing of the demo's is running"
[ -z "$(ls -d "$T"/handoffd-demo.* 2>/dev/null)" ]
ok $? "its work directory is gone"
done_testing
