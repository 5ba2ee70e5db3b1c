#!/usr/bin/env bash
# tests/lldbsuite/run.sh -- run a subset of lldb 16's own test suite with the
# installed lldb 16 against one or more gdbserver binaries (lldb-server-16,
# `handoffd`), and compare them test by test.
#
# Not part of CI: see RESULTS.md for the time it takes (about 3.5 minutes per
# server on 2 cores when every test passes; a server that stalls costs the
# suite's 20 s packet timeouts and the per-file timeouts below).
#
# Usage (as root, on Debian 12):
#   tests/lldbsuite/run.sh SERVER...      # e.g. /usr/bin/lldb-server-16 /tmp/h4/handoffd
#
# Each SERVER is a binary that takes `gdbserver` as its first argument, like
# lldb-server. A run is named after the binary (lldb-server-16, handoffd; set
# NAMES="a b" to choose). With two servers, the script ends with the
# comparison of the first (the reference) with the second.
#
# How the server under test is reached:
#   - API/tools/lldb-server/*: the tests start `SERVER gdbserver
#     --reverse-connect [::1]:PORT PROG` (and --attach=PID, host:port and
#     other forms in TestGdbRemoteConnection) and talk the protocol
#     themselves. They find the binary through lldbgdbserverutils'
#     get_lldb_server_exe(), patched to return $LLDBSUITE_SERVER.
#   - the other API tests and the Shell tests: lldb 16 (liblldb in python3,
#     or lldb-16) launches `$LLDB_DEBUGSERVER_PATH gdbserver --fd=N
#     --native-regs --setsid` for each process it runs.
#
# Environment knobs:
#   WORK          work directory (default /tmp/lldbsuite)
#   LLDBSRC       lldb directory of the llvm-project 16 source (default
#                 /tmp/llvmsrc/llvm-project-16.0.6.src/lldb, else fetched with
#                 `apt-get source llvm-toolchain-16` into $WORK/src)
#   TESTS         space-separated list of test files or directories, relative
#                 to lldb/test (default: the subset below)
#   JOBS          test files run at once (default 2)
#   FILE_TIMEOUT  seconds allowed for one API test file (default 300; for
#                 the second server on: 5x the first server's time for that
#                 file, at least 90 s, at most FILE_TIMEOUT)
#   SHELL_TIMEOUT seconds allowed for one Shell test (default 60; lldb-server
#                 needs 1-2 s)
#   CC            compiler for the test programs (default clang, i.e. clang 14)
#   LOG_SUCCESS=1 keep the logs of passing tests (Success*.log) for every
#                 server, not only for the first (the reference)
#   KEEP          names of servers whose last results are reused, not rerun
#                 (e.g. KEEP=lldb-server-16 while iterating on handoffd)
#   NO_APT=1      skip apt-get
#   COMPARE_ONLY=1 do not run; compare the last runs of the named servers
#
# Output: $WORK/runs/NAME/results.txt (one "STATUS<TAB>FILE::TEST" a line),
# $WORK/runs/NAME/logs/ (dotest output per file), $WORK/runs/NAME/build/
# (build dirs, with Failure*.log and Failure-host.log, the packet log, of
# failed tests; the reference also keeps Success*.log), $WORK/compare.txt, and
# $WORK/triage-NAME.txt: for each test that did not pass, the assertion, the
# last packets, and the reference server's reply to the same packet.
set -uo pipefail

WORK=${WORK:-/tmp/lldbsuite}
JOBS=${JOBS:-2}
FILE_TIMEOUT=${FILE_TIMEOUT:-300}
SHELL_TIMEOUT=${SHELL_TIMEOUT:-60}
CC=${CC:-clang}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
LLDB=/usr/bin/lldb-16
LLDB_PY=/usr/lib/llvm-16/lib/python3.11/site-packages

DEFAULT_TESTS="
API/tools/lldb-server
API/commands/process/launch
API/commands/process/attach
API/commands/process/attach-resume
API/commands/process/continue_to_bkpt
API/commands/process/signal
API/commands/process/handle
API/commands/process/launch-with-shellexpand
API/python_api/process/io
API/functionalities/exec
API/functionalities/signal
API/functionalities/inferior-crashing/TestInferiorCrashing.py
API/functionalities/inferior-crashing/TestInferiorCrashingStep.py
API/functionalities/load_unload
API/functionalities/load_after_attach
API/functionalities/memory-region
API/functionalities/process_group
API/functionalities/breakpoint/breakpoint_command
API/functionalities/breakpoint/breakpoint_conditions
API/functionalities/breakpoint/breakpoint_hit_count
API/functionalities/breakpoint/breakpoint_ignore_count
API/functionalities/breakpoint/hardware_breakpoints
API/functionalities/breakpoint/step_over_breakpoint
API/functionalities/breakpoint/consecutive_breakpoints
API/functionalities/breakpoint/address_breakpoints
API/functionalities/breakpoint/auto_continue
API/functionalities/thread/multi_break
API/functionalities/thread/num_threads
API/functionalities/thread/thread_exit
API/functionalities/thread/break_after_join
API/functionalities/thread/create_during_step
API/functionalities/thread/exit_during_step
API/functionalities/thread/exit_during_break
API/functionalities/thread/state
API/functionalities/thread/step_out
API/functionalities/thread/thread_specific_break
API/functionalities/thread/create_after_attach
API/commands/watchpoints/hello_watchpoint
API/commands/watchpoints/hello_watchlocation
API/commands/watchpoints/multiple_threads
API/commands/watchpoints/step_over_watchpoint
API/commands/watchpoints/watchpoint_commands
API/commands/watchpoints/watchpoint_set_command
API/commands/watchpoints/watchpoint_size
API/commands/watchpoints/multi_watchpoint_slots
API/commands/watchpoints/watchpoint_disable
API/commands/watchpoints/watchpoint_count
API/commands/watchpoints/multiple_hits
Shell/Subprocess
"
TESTS=${TESTS:-$DEFAULT_TESTS}

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

[ $# -ge 1 ] || die "usage: $0 SERVER... (e.g. /usr/bin/lldb-server-16 /tmp/h4/handoffd)"
[ "$(id -u)" = 0 ] || [ -n "${NO_APT:-}" ] || die "run as root (apt-get), or set NO_APT=1"

SERVERS=("$@")
read -r -a NAMES <<< "${NAMES:-}"
for i in "${!SERVERS[@]}"; do
	[ -n "${NAMES[$i]:-}" ] || NAMES[$i]=$(basename "${SERVERS[$i]}")
done

# --- 1. packages ---------------------------------------------------------
# lldb-16 (lldb-16, lldb-server-16, liblldb-16), python3-lldb-16 (the lldb
# module dotest.py drives), clang-14 via `clang` and llvm-14 (FileCheck,
# llvm-objcopy... for the Makefile.rules and the Shell tests), make.
# dotest.py brings its own pexpect/unittest2 (lldb/third_party/Python).
if [ -z "${NO_APT:-}" ] && [ -z "${COMPARE_ONLY:-}" ]; then
	need=
	for p in lldb-16 python3-lldb-16 clang llvm-14 llvm-14-tools make dpkg-dev xz-utils; do
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

# --- 2. lldb's test tree ---------------------------------------------------
if [ -z "${COMPARE_ONLY:-}" ]; then
	if [ -z "${LLDBSRC:-}" ]; then
		if [ -f /tmp/llvmsrc/llvm-project-16.0.6.src/lldb/use_lldb_suite_root.py ]; then
			LLDBSRC=/tmp/llvmsrc/llvm-project-16.0.6.src/lldb
		else
			LLDBSRC=$(ls -d "$WORK"/src/llvm-toolchain-16-*/lldb 2>/dev/null | head -1)
		fi
	fi
	if [ -z "${LLDBSRC:-}" ] || [ ! -f "$LLDBSRC/use_lldb_suite_root.py" ]; then
		mkdir -p "$WORK/src"
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
		say "apt-get source --download-only llvm-toolchain-16"
		(cd "$WORK/src" && apt-get source --download-only llvm-toolchain-16 >/dev/null) ||
			die "apt-get source llvm-toolchain-16 failed"
		orig=$(ls "$WORK"/src/llvm-toolchain-16_*.orig.tar.* | head -1)
		say "unpacking lldb/ from $orig"
		tar -C "$WORK/src" -xf "$orig" --wildcards '*/lldb/*' || die "cannot unpack $orig"
		LLDBSRC=$(ls -d "$WORK"/src/llvm-toolchain-16-*/lldb | head -1)
	fi
	say "lldb source: $LLDBSRC"
	"$PY" "$HERE/helper.py" prepare "$LLDBSRC" "$WORK" || die "cannot prepare $WORK/lldb"

	# the test files
	units=()
	for t in $TESTS; do
		p=$WORK/lldb/test/$t
		if [ -d "$p" ]; then
			while IFS= read -r f; do units+=("${f#"$WORK"/lldb/test/}"); done < <(
				find "$p" \( -name 'Test*.py' -o -name '*.test' \) | sort)
		elif [ -f "$p" ]; then
			units+=("$t")
		else
			die "no such test: $t"
		fi
	done
	say "${#units[@]} test files"
fi

# --- 3. run ------------------------------------------------------------------
# Kill what a run left behind: processes whose executable or command line lies
# under that run's directory (test programs, servers copied there), by pid.
. "$HERE/../tools/suitelib.sh"
cleanup_run() {
	kill_under "$1" run.sh helper.py dotest.py
}

# unit_timeout NAME UNIT: seconds allowed for an API test file. For any server
# but the first (the reference), 5 times what the reference took for that
# file, at least 90 s, at most FILE_TIMEOUT: a server that hangs (a pty never
# answered, a reply that never comes) costs a minute or two, not FILE_TIMEOUT.
unit_timeout() {
	local ref=$WORK/runs/${NAMES[0]}/unit-seconds t
	if [ "$1" != "${NAMES[0]}" ] && [ -f "$ref" ]; then
		t=$(awk -v u="$2" '$2 == u { print $1 * 5 }' "$ref" | tail -1)
		if [ -n "$t" ]; then
			[ "$t" -lt 90 ] && t=90
			[ "$t" -gt "$FILE_TIMEOUT" ] && t=$FILE_TIMEOUT
			echo "$t"; return
		fi
	fi
	echo "$FILE_TIMEOUT"
}

# The reference server (the first) keeps the logs of its passing tests: what
# `helper.py triage` compares a failing server's packets with.
log_success() {
	if [ "$1" = "${NAMES[0]}" ] || [ -n "${LOG_SUCCESS:-}" ]; then echo --log-success; fi
}

# run_unit NAME SERVER UNIT: one test file; prints its result lines.
run_unit() {
	local name=$1 server=$2 unit=$3 dir=$WORK/runs/$1 log rc t0
	log=$dir/logs/${unit//\//_}.log
	t0=$(date +%s)
	case "$unit" in
	API/*)
		(cd "$WORK" && LLDBSUITE_SERVER=$server LLDB_DEBUGSERVER_PATH=$server \
			PYTHONPATH=$LLDB_PY exec timeout -k 10 "$(unit_timeout "$name" "$unit")" "$PY" \
			lldb/test/API/dotest.py --executable "$LLDB" --compiler "$CC" \
			--llvm-tools-dir /usr/lib/llvm-14/bin --build-dir "$dir/build" \
			--skip-category dwo --channel "gdb-remote packets" $(log_success "$name") \
			-p "^$(basename "$unit")\$" "lldb/test/$(dirname "$unit")" \
			>"$log" 2>&1 </dev/null)
		rc=$?
		"$PY" "$HERE/helper.py" parse "$log" "$unit" "$([ $rc = 124 ] || [ $rc = 137 ] && echo timeout)"
		;;
	Shell/*)
		LLDB_DEBUGSERVER_PATH=$server SHELL_TIMEOUT=$SHELL_TIMEOUT \
			"$PY" "$HERE/helper.py" shell "$WORK/lldb/test/$unit" "$dir/build/$(dirname "$unit")" </dev/null
		;;
	esac
	echo "$(( $(date +%s) - t0 )) $unit" >> "$dir/unit-seconds"
}

run_server() {
	local name=$1 server=$2 dir=$WORK/runs/$1 t0 running=0
	rm -rf "$dir"; mkdir -p "$dir/logs" "$dir/build" "$dir/bin"
	# a private copy, so a rebuild during the run does not change it (not of
	# an installed lldb-server: it finds lldb-argdumper next to itself)
	case "$server" in
	/usr/*) ;;
	*)	cp "$server" "$dir/bin/$(basename "$server")" || die "cannot copy $server"
		server=$dir/bin/$(basename "$server") ;;
	esac
	say "$name: $server"
	t0=$(date +%s)
	for unit in "${units[@]}"; do
		run_unit "$name" "$server" "$unit" > "$dir/logs/${unit//\//_}.res" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
	done
	wait
	cleanup_run "$dir"
	for unit in "${units[@]}"; do cat "$dir/logs/${unit//\//_}.res"; done > "$dir/results.txt"
	echo "$(( $(date +%s) - t0 ))" > "$dir/seconds"
	say "$name: $(cut -f1 "$dir/results.txt" | sort | uniq -c | tr '\n' ' ') in $(cat "$dir/seconds")s"
}

# On ^C or kill: stop every unit (each `timeout` leads a process group of its
# own) and what they left behind.
stop_runs() {
	local p cmd
	trap - INT TERM
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || continue
		case "$cmd" in
		*run.sh*) ;;
		*"$WORK/runs/"*) kill -9 "$p" 2>/dev/null ;;
		esac
	done
	exit 130
}

if [ -z "${COMPARE_ONLY:-}" ]; then
	trap stop_runs INT TERM
	for i in "${!SERVERS[@]}"; do
		s=${SERVERS[$i]}
		[ -x "$s" ] || s=$(command -v "$s") || die "server not found: ${SERVERS[$i]}"
		if [[ " ${KEEP:-} " == *" ${NAMES[$i]} "* ]] && [ -f "$WORK/runs/${NAMES[$i]}/results.txt" ]; then
			say "${NAMES[$i]}: keeping the results of the last run (KEEP)"
			continue
		fi
		run_server "${NAMES[$i]}" "$(readlink -f "$s")"
	done
fi

# --- 4. compare --------------------------------------------------------------
if [ "${#SERVERS[@]}" -ge 2 ]; then
	a=$WORK/runs/${NAMES[0]}/results.txt b=$WORK/runs/${NAMES[1]}/results.txt
	[ -f "$a" ] && [ -f "$b" ] || die "no results to compare ($a, $b)"
	{
		"$PY" "$HERE/helper.py" compare "$a" "$b"
		echo
		for n in "${NAMES[@]}"; do
			[ -f "$WORK/runs/$n/seconds" ] && echo "time $n: $(cat "$WORK/runs/$n/seconds")s"
		done
	} | tee "$WORK/compare.txt"
	# what did not pass, with the packets at fault and the reference's replies
	for n in "${NAMES[@]:1}"; do
		"$PY" "$HERE/helper.py" triage "$WORK/runs/$n" 6 "$WORK/runs/${NAMES[0]}" \
			> "$WORK/triage-$n.txt" 2>&1 && say "triage of $n: $WORK/triage-$n.txt"
	done
fi
