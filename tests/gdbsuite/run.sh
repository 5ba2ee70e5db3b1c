#!/usr/bin/env bash
# tests/gdbsuite/run.sh -- run a subset of GDB 13.1's own testsuite against
# GNU gdbserver and against `handoffd gdbserver`, with the boards
# native-gdbserver and native-extended-gdbserver, and compare test by test.
#
# Not part of CI: the four runs take about 5 minutes on 2 cores (RESULTS.md).
# A server that refuses an option or a connection costs 60-120 s of testsuite
# timeouts per case (the first comparison took 34 minutes).
#
# Usage (as root, on Debian 12):
#   tests/gdbsuite/run.sh [HANDOFFD]          # HANDOFFD: path to the handoffd binary
#   HANDOFFD=/tmp/b/handoffd tests/gdbsuite/run.sh
#
# Environment knobs:
#   HANDOFFD        handoffd binary (default: first argument, else ./build/handoffd)
#   WORK            work directory (default /tmp/gdbsuite)
#   GDBSRC          unpacked gdb-13.1 source tree (default /tmp/gdbsrc/gdb-13.1,
#                   else fetched with `apt-get source --download-only gdb` into $WORK/src)
#   TESTS           space-separated .exp list relative to gdb/testsuite
#                   (default: the subset below)
#   BOARDS          default "native-gdbserver native-extended-gdbserver"
#   SERVERS         default "handoffd gdbserver" (the comparison needs both)
#   JOBS            runs done at once (default 2); each runs in its own network
#                   namespace (unshare -n) so the testsuite's port numbers never clash
#   RUN_TIMEOUT     seconds allowed for one (server, board) run (default 3600)
#   REMOTE_DEBUG=1  run handoffd with --remote-debug, one packet log per server
#                   process in $WORK/runs/handoffd-BOARD/serverlogs/
#   EXIT_WAIT       seconds the testsuite waits for the server to exit after
#                   "monitor exit" (default 3; 0 = the testsuite's own $timeout,
#                   which some tests raise to 600). GNU gdbserver exits at once;
#                   a server without "monitor exit" would stall each gdb restart
#                   for $timeout. The cap only shortens that wait: the testsuite
#                   still logs "WARNING: Timed out waiting for EOF in server after
#                   monitor exit", counted in the W column below.
#   NO_APT=1        skip apt-get
#   COMPARE_ONLY=1  do not run anything; only print the comparison of the last runs
#
# Output: $WORK/runs/SERVER-BOARD/{gdb.sum,gdb.log}, and the comparison on
# stdout and in $WORK/compare.txt.
set -uo pipefail

HANDOFFD=${1:-${HANDOFFD:-}}
WORK=${WORK:-/tmp/gdbsuite}
BOARDS=${BOARDS:-"native-gdbserver native-extended-gdbserver"}
SERVERS=${SERVERS:-"handoffd gdbserver"}   # slowest first: better packing with JOBS=2
JOBS=${JOBS:-2}
RUN_TIMEOUT=${RUN_TIMEOUT:-3600}

DEFAULT_TESTS="
gdb.server/*.exp
gdb.base/break.exp gdb.base/step-test.exp gdb.base/watchpoint.exp
gdb.base/signals.exp gdb.base/sigall.exp gdb.base/attach.exp
gdb.base/detach.exp gdb.base/kill-after-signal.exp gdb.base/restore.exp
gdb.base/finish.exp gdb.base/display.exp gdb.base/setshow.exp
gdb.base/args.exp gdb.base/environ.exp gdb.base/startup-with-shell.exp
gdb.base/dump.exp gdb.base/shlib-call.exp gdb.base/solib-display.exp
gdb.threads/thread_check.exp gdb.threads/threadapply.exp
gdb.threads/killed.exp gdb.threads/print-threads.exp
gdb.threads/schedlock.exp gdb.threads/watchthreads.exp
gdb.threads/thread-specific.exp
"
TESTS=${TESTS:-$DEFAULT_TESTS}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, unshare -n)"

# --- 1. packages ---------------------------------------------------------
if [ -z "${NO_APT:-}" ] && [ -z "${COMPARE_ONLY:-}" ]; then
	need=
	for p in dejagnu expect gdb gdbserver gcc g++ make xz-utils dpkg-dev iproute2 util-linux; do
		dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
	done
	if [ -n "$need" ]; then
		say "apt-get install$need"
		apt-get update -qq || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null ||
			die "apt-get install failed"
	fi
fi

mkdir -p "$WORK" || die "cannot create $WORK"
WORK=$(cd "$WORK" && pwd)

# --- 2. gdb source -------------------------------------------------------
if [ -z "${GDBSRC:-}" ]; then
	if [ -f /tmp/gdbsrc/gdb-13.1/gdb/testsuite/configure ]; then
		GDBSRC=/tmp/gdbsrc/gdb-13.1
	else
		GDBSRC=$WORK/src/gdb-13.1
	fi
fi
TS=$GDBSRC/gdb/testsuite
if [ ! -f "$TS/configure" ] && [ -z "${COMPARE_ONLY:-}" ]; then
	mkdir -p "$WORK/src"
	orig=$(ls "$WORK"/src/gdb_13.1*.orig.tar.* 2>/dev/null | head -1)
	if [ -z "$orig" ]; then
		if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
			say "adding a deb-src entry (/etc/apt/sources.list.d/debian-src.sources)"
			if [ -f /etc/apt/sources.list.d/debian.sources ]; then
				sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
					> /etc/apt/sources.list.d/debian-src.sources
			else
				grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
					> /etc/apt/sources.list.d/debian-src.list
			fi
			apt-get update -qq || die "apt-get update failed"
		fi
		say "apt-get source --download-only gdb"
		(cd "$WORK/src" && apt-get source --download-only gdb >/dev/null) ||
			die "apt-get source gdb failed"
		orig=$(ls "$WORK"/src/gdb_13.1*.orig.tar.* 2>/dev/null | head -1)
		[ -n "$orig" ] || die "no gdb_13.1 orig tarball in $WORK/src (is Debian's gdb 13.1?)"
	fi
	say "unpacking $orig"
	tar -C "$WORK/src" -xf "$orig" || die "cannot unpack $orig"
	[ -f "$TS/configure" ] || die "$TS/configure missing after unpacking"
fi

# --- 3. handoffd and the wrappers ---------------------------------------
if [ -z "${COMPARE_ONLY:-}" ]; then
	case " $SERVERS " in *" handoffd "*)
		[ -n "$HANDOFFD" ] || HANDOFFD=./build/handoffd
		[ -x "$HANDOFFD" ] || die "handoffd binary not found: '$HANDOFFD' (pass it as \$1 or HANDOFFD=)"
		HANDOFFD=$(cd "$(dirname "$HANDOFFD")" && pwd)/$(basename "$HANDOFFD")
		# a private copy, so a rebuild during the run does not change it
		mkdir -p "$WORK/bin"
		cp "$HANDOFFD" "$WORK/bin/handoffd.bin" || die "cannot copy $HANDOFFD"
		HANDOFFD=$WORK/bin/handoffd.bin
		say "handoffd: $HANDOFFD ($("$HANDOFFD" --version 2>&1 | head -1))"
	esac
	mkdir -p "$WORK/bin"
	cat > "$WORK/bin/gdbserver" <<-'EOF'
	#!/bin/sh
	exec /usr/bin/gdbserver "$@"
	EOF
	cat > "$WORK/bin/handoffd" <<-EOF
	#!/bin/sh
	# \$GDBSUITE_LOGDIR is set by run.sh when REMOTE_DEBUG=1
	if [ -n "\${GDBSUITE_LOGDIR:-}" ]; then
	    exec "$HANDOFFD" gdbserver --remote-debug --log-file "\$GDBSUITE_LOGDIR/server.\$\$.log" "\$@"
	fi
	exec "$HANDOFFD" gdbserver "\$@"
	EOF
	chmod +x "$WORK/bin/gdbserver" "$WORK/bin/handoffd"

	# --- 4. configure the testsuite alone ------------------------------
	if [ ! -f "$WORK/build/site.exp" ] || [ "$TS/configure" -nt "$WORK/build/site.exp" ]; then
		say "configuring $TS in $WORK/build"
		rm -rf "$WORK/build"; mkdir -p "$WORK/build"
		(cd "$WORK/build" && "$TS/configure" >configure.log 2>&1 && make site.exp >>configure.log 2>&1) ||
			die "testsuite configure failed, see $WORK/build/configure.log"
	fi
fi

# EXIT_WAIT: an overlay of lib/gdbserver-support.exp, found first because
# DejaGNU's load_lib searches ../lib (relative to the run directory) first.
EXIT_WAIT=${EXIT_WAIT:-3}
if [ -z "${COMPARE_ONLY:-}" ]; then
	rm -rf "$WORK/runs/lib"
	if [ "$EXIT_WAIT" != 0 ]; then
		mkdir -p "$WORK/runs/lib"
		awk -v w="$EXIT_WAIT" '
			{ print }
			/^proc gdbserver_exit / { inexit = 1 }
			inexit && /set have_prompt 0/ {
				print "\t    set timeout " w "  ;# tests/gdbsuite/run.sh: EXIT_WAIT"
				inexit = 0; done = 1
			}
			END { if (!done) exit 1 }' "$TS/lib/gdbserver-support.exp" \
			> "$WORK/runs/lib/gdbserver-support.exp" ||
			die "could not patch gdbserver_exit in lib/gdbserver-support.exp"
	fi
fi

# Kill what a run left behind: processes whose executable or command line
# lies under that run's directory (test programs, servers), by pid.
. "$(cd "$(dirname "$0")" && pwd)/../tools/suitelib.sh"
cleanup_run() {
	kill_under "$1" runtest expect run.sh
}

run_one() {
	local server=$1 board=$2 dir=$WORK/runs/$1-$2 t0 rc
	rm -rf "$dir"; mkdir -p "$dir"
	cp "$WORK/build/site.exp" "$dir/"
	local logdir=
	if [ -n "${REMOTE_DEBUG:-}" ] && [ "$server" = handoffd ]; then
		logdir=$dir/serverlogs; mkdir -p "$logdir"
	fi
	t0=$(date +%s)
	# shellcheck disable=SC2086  # TESTS is a glob list on purpose
	(cd "$dir" && GDBSUITE_LOGDIR=$logdir exec timeout -k 30 "$RUN_TIMEOUT" \
		unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		runtest --tool gdb --srcdir "$TS" --outdir "$dir" \
		GDB=/usr/bin/gdb GDB_DATA_DIRECTORY=/usr/share/gdb \
		GDBSERVER="$WORK/bin/$server" --target_board="$board" \
		$(cd "$TS" && echo $TESTS) >"$dir/runtest.out" 2>&1 </dev/null) &
	echo $! > "$dir/timeout.pid"
	wait $!
	rc=$?
	rm -f "$dir/timeout.pid"
	cleanup_run "$dir"
	echo "$(( $(date +%s) - t0 ))" > "$dir/seconds"
	say "$server $board: runtest rc=$rc in $(cat "$dir/seconds")s"
}

# On ^C or kill: stop every run (timeout's process group, then leftovers).
stop_runs() {
	local f d
	trap - INT TERM
	for f in "$WORK"/runs/*/timeout.pid; do
		[ -f "$f" ] || continue
		kill -TERM -- "-$(cat "$f")" 2>/dev/null
	done
	sleep 2
	for f in "$WORK"/runs/*/timeout.pid; do
		[ -f "$f" ] || continue
		d=$(dirname "$f")
		kill -KILL -- "-$(cat "$f")" 2>/dev/null
		cleanup_run "$d"
	done
	exit 130
}

if [ -z "${COMPARE_ONLY:-}" ]; then
	trap stop_runs INT TERM
	say "tests: $(cd "$TS" && echo $TESTS | wc -w) .exp files; boards: $BOARDS; servers: $SERVERS"
	running=0
	for server in $SERVERS; do
		for board in $BOARDS; do
			run_one "$server" "$board" &
			running=$((running + 1))
			if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
		done
	done
	wait
fi

# --- 5. compare ------------------------------------------------------------
# Each gdb.sum line "STATUS: file.exp: name" becomes one record; a test name
# that repeats within a file gets " #2", " #3"... appended so repeats pair up.
compare() {
	local board g h
	for board in $BOARDS; do
		g=$WORK/runs/gdbserver-$board/gdb.sum
		h=$WORK/runs/handoffd-$board/gdb.sum
		[ -f "$g" ] && [ -f "$h" ] || { echo "(no results for $board)"; continue; }
		awk -v board="$board" -v gs="$g" -v hs="$h" '
		function parse(f, side,   line, st, rest, file, name, key, cur) {
			cur = ""
			while ((getline line < f) > 0) {
				if (line ~ /^Running .*\.exp \.\.\.$/) {
					cur = line; sub(/^Running /, "", cur); sub(/ \.\.\.$/, "", cur)
					sub(/.*\/testsuite\//, "", cur)
					files[cur] = 1
					continue
				}
				if (line !~ /^(PASS|FAIL|XFAIL|KFAIL|XPASS|KPASS|UNRESOLVED|UNTESTED|UNSUPPORTED|ERROR|WARNING): /)
					continue
				st = line; sub(/:.*/, "", st)
				rest = substr(line, length(st) + 3)
				file = cur
				if (rest ~ /^gdb\.[^ ]*\.exp: /) {
					file = rest; sub(/: .*/, "", file)
					name = substr(rest, length(file) + 3)
				} else
					name = rest
				if (file == "") file = "?"
				files[file] = 1
				if (st == "PASS" || st == "XFAIL" || st == "KFAIL") cls = st == "PASS" ? "P" : "X"
				else if (st == "FAIL" || st == "XPASS" || st == "KPASS") cls = "F"
				else if (st == "UNRESOLVED" || st == "ERROR") cls = "U"
				else if (st == "WARNING") cls = "W"
				else cls = "S"
				cnt[side, file, cls]++
				tot[side, cls]++
				if (cls == "W" || cls == "S" && st == "UNTESTED") {
					# keep warnings/untested as notes, not as tests
					continue
				}
				# gdb_test appends why a test failed: strip it so FAIL pairs with PASS
				why = ""
				if (match(name, / \((timeout|eof|the program exited|the program is no longer running|GDB internal error|got interactive prompt|unexpected output|resync count exceeded|recursive internal problem)\)$/)) {
					why = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1)
				}
				key = file ": " name
				n = ++seen[side, key]
				if (n > 1) key = key " #" n
				stat[side, key] = st
				detail[side, key] = why
				if (side == "g") { order[++nkeys] = key }
				else if (!(("g", key) in stat)) { honly[++nh] = key }
			}
			close(f)
		}
		function c(side, file, cls) { return cnt[side, file, cls] + 0 }
		BEGIN {
			parse(gs, "g"); parse(hs, "h")
			printf "\n### board %s\n\n", board
			printf "%-48s | %-22s | %-22s\n", "file", "gdbserver P/F/U/S/W", "handoffd P/F/U/S/W"
			printf "%-48s-+-%-22s-+-%-22s\n", "------------------------------------------------", "----------------------", "----------------------"
			n = 0; for (f in files) list[++n] = f
			# sort file names (insertion sort: a few dozen)
			for (i = 2; i <= n; i++) { v = list[i]; for (j = i - 1; j >= 1 && list[j] > v; j--) list[j+1] = list[j]; list[j+1] = v }
			for (i = 1; i <= n; i++) {
				f = list[i]
				gstr = sprintf("%d/%d/%d/%d/%d", c("g",f,"P"), c("g",f,"F"), c("g",f,"U"), c("g",f,"S"), c("g",f,"W"))
				hstr = sprintf("%d/%d/%d/%d/%d", c("h",f,"P"), c("h",f,"F"), c("h",f,"U"), c("h",f,"S"), c("h",f,"W"))
				mark = (c("h",f,"P") < c("g",f,"P") || c("h",f,"F") + c("h",f,"U") > c("g",f,"F") + c("g",f,"U")) ? "  <" : ""
				printf "%-48s | %-22s | %-22s%s\n", f, gstr, hstr, mark
			}
			printf "%-48s | %-22s | %-22s\n", "TOTAL",
				sprintf("%d/%d/%d/%d/%d", tot["g","P"], tot["g","F"], tot["g","U"], tot["g","S"], tot["g","W"]),
				sprintf("%d/%d/%d/%d/%d", tot["h","P"], tot["h","F"], tot["h","U"], tot["h","S"], tot["h","W"])
			print "(P = PASS+XFAIL+KFAIL, F = FAIL+XPASS+KPASS, U = UNRESOLVED+ERROR, S = UNSUPPORTED+UNTESTED, W = WARNING)"
			nreg = 0; nfix = 0
			for (i = 1; i <= nkeys; i++) {
				k = order[i]
				# test membership before any read: reading creates the element
				hst = "MISSING"; why = ""
				if (("h", k) in stat) { hst = stat["h", k]; why = detail["h", k] }
				if (stat["g", k] == "PASS" && hst != "PASS")
					reg[++nreg] = sprintf("  %-10s %s%s", hst, k, why == "" ? "" : " " why)
				if (stat["g", k] != "PASS" && hst == "PASS") nfix++
			}
			printf "\nRegressions on %s (PASS with gdbserver, not PASS with handoffd): %d\n", board, nreg
			for (i = 1; i <= nreg; i++) print reg[i]
			printf "Better with handoffd (not PASS with gdbserver, PASS with handoffd): %d\n", nfix
			printf "Tests only in the handoffd run: %d\n", nh
		}'
	done
	echo
	for board in $BOARDS; do for server in $SERVERS; do
		[ -f "$WORK/runs/$server-$board/seconds" ] &&
			echo "time $server $board: $(cat "$WORK/runs/$server-$board/seconds")s"
	done; done
}

compare | tee "$WORK/compare.txt"
