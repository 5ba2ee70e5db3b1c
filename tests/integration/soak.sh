#!/bin/bash
# A short soak (issue #8): bench/soak for SOAK_SECS seconds (default 15)
# against one handoffd platform daemon -- breakpoint loops, held forks
# claimed, detached, abandoned and left to --hold-timeout, clients that
# vanish mid-packet, platform queries, watchers that come and go on one
# long session -- then its leak check: once the load is gone the daemon
# has no more descriptors than before, its RSS is within the slack, no
# zombie, no worker and no test program is left, the long session's
# worker has its descriptors and RSS of before, and the log names every
# held child's fate.  Counts are diagnostics; nothing is timed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

SECS=${SOAK_SECS:-15}
if asan_build; then
	export SOAK_RSS_SLACK_KB=$((1024 * 1024))
	echo "# ASan build: RSS is not bounded (ASan's quarantine keeps freed memory); LeakSanitizer checks each exit"
fi
SOAK_KEEP=1 python3 "$top_srcdir/bench/soak" "$SECS" "$top_builddir" \
    >"$T/soak.out" 2>&1
status=$?
out="$T/soak.out"
sed -n 's/^\(soak: [0-9].*\|served .*\|claims cut .*\|breakpoint sessions .*\|ok .*\|LEAK .*\)$/# \1/p' "$out"
contains "$out" '^served in [0-9]+ s: [1-9][0-9]* sessions, [1-9][0-9]* breakpoint hits, [1-9][0-9]* forks' \
    "sessions, breakpoint hits and forks were served"
contains "$out" '^ok descriptors: ' "the daemon's descriptors come back"
contains "$out" '^ok VmRSS KiB: ' "the daemon's RSS comes back within the slack"
contains "$out" '^ok zombie children: ' "no zombie child is left"
contains "$out" '^ok session workers left: ' "every session worker ends"
contains "$out" '^ok test programs running: ' "no test program is left running"
contains "$out" "^ok the long session's worker: descriptors: " \
    "a long session's worker: its descriptors come back after the watchers"
contains "$out" "^ok the long session's worker: VmRSS KiB: " \
    "a long session's worker: its RSS comes back within the slack after the watchers"
contains "$out" "^ok every held child's fate logged: " "the log names every held child's fate"
lacks "$out" '^ERROR' "no client saw an error"
grep '^ERROR\|^LEAK' "$out" | head -n 10 | sed 's/^/# /'
[ $status -eq 0 ]
ok $? "bench/soak exits 0 (status $status)"
# bench/soak ran the programs from copies in the directory of its log.
log=$(sed -n "s/^soak: the daemon's log is //p" "$out")
dir=$(dirname "${log:-/nonexistent/x}")
none_left "$dir/(loadloop|stormfork)" "nothing is left running"
if [ $status -eq 0 ] && [ -n "$log" ]; then
	rm -rf "$dir"
elif [ -n "$log" ]; then
	cp "$log" "$T/daemon.log"
fi
done_testing
