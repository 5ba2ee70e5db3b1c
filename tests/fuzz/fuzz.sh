#!/bin/bash
# fuzz.sh OUTDIR BUDGET [HARNESS...] -- build each libFuzzer harness of
# tests/fuzz with clang (-fsanitize=fuzzer,address,undefined) into OUTDIR
# and run it on a copy of its seed corpus (tests/fuzz/corpus/HARNESS).
# BUDGET is -runs=N (executions) or a number of seconds.  One line per
# harness: "HARNESS: N runs, cov C, ft F, crashes K"; a crash leaves its
# input as OUTDIR/HARNESS/crash-* and makes the exit status 1.
# FUZZ_CONFIG_H names a configured build's config.h: the session and
# worker harnesses, which link the whole server, need it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: fuzz.sh OUTDIR BUDGET [HARNESS...]}
budget=${2:?usage: fuzz.sh OUTDIR BUDGET [HARNESS...]}
shift 2
CC_FUZZ=${CC_FUZZ:-clang}
CFLAGS_FUZZ="-g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-parameter
    -Werror -I$top"

# The sources each harness links: the code under test and nothing else.
sources() {
	case $1 in
	codec)	echo "$top/rsp/codec.c $top/rsp/buf.c $top/rsp/hex.c" ;;
	fdpass)	echo "$top/handoff/fdpass.c" ;;
	session | worker)
		# The daemon's files but its sub-commands and main; the worker
		# harness includes platform.c itself, for its static parser.
		[ -f "${FUZZ_CONFIG_H:-}" ] || return 1
		skip='main|gdbserver|platform'
		[ "$1" = session ] && skip="$skip|worker"
		ls "$top"/rsp/*.c "$top"/handoff/*.c "$top"/platform/*.c \
		    "$top"/daemon/*.c | grep -Ev "/daemon/($skip)\.c\$"
		echo "-include $FUZZ_CONFIG_H -isystem /usr/include/bsd"
		echo "-DLIBBSD_OVERLAY -lbsd -lcap"
		;;
	*)	return 1 ;;
	esac
}

# A harness's own options.  fuzz_worker: an input that fills the
# daemon's lists to their limits takes half a second; pick such less.
options() {
	case $1 in
	worker)	echo "-entropic_scale_per_exec_time=1" ;;
	esac
}

[ $# -gt 0 ] || set -- codec fdpass session worker
case $budget in
-runs=*) limit=$budget ;;
*) limit="-max_total_time=$budget" ;;
esac
status=0
for h in "$@"; do
	if ! src=$(sources "$h"); then
		echo "$h: no such harness, or FUZZ_CONFIG_H not set" >&2
		status=2
		continue
	fi
	mkdir -p "$out/$h/corpus"
	# shellcheck disable=SC2086
	if ! $CC_FUZZ $CFLAGS_FUZZ -o "$out/$h/fuzz_$h" "$here/fuzz_$h.c" $src \
	    2>"$out/$h/build.log"; then
		echo "$h: build failed"
		sed 's/^/  /' "$out/$h/build.log"
		status=1
		continue
	fi
	cp "$here/corpus/$h"/* "$out/$h/corpus/" 2>/dev/null
	# shellcheck disable=SC2046
	(cd "$out/$h" && ASAN_OPTIONS=detect_leaks=1 "./fuzz_$h" "$limit" \
	    $(options "$h") -print_final_stats=1 corpus >run.log 2>&1)
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$h/run.log")
	cov=$(grep -o 'cov: [0-9]*' "$out/$h/run.log" | tail -1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$out/$h/run.log" | tail -1 | cut -d' ' -f2)
	crashes=$(find "$out/$h" -maxdepth 1 -name 'crash-*' -o -maxdepth 1 \
	    -name 'leak-*' -o -maxdepth 1 -name 'timeout-*' | wc -l)
	echo "$h: ${runs:-0} runs, cov ${cov:-0}, ft ${ft:-0}, crashes $crashes"
	if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
		tail -n 30 "$out/$h/run.log" | sed 's/^/  /'
		status=1
	fi
done
exit $status
