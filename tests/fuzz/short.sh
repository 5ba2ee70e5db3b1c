#!/bin/bash
# A short pass of every libFuzzer harness (tests/fuzz/fuzz.sh), as make
# check runs it: each harness builds, replays its seed corpus (real
# gdb 13 and lldb 16 traffic, and every input that once crashed), then
# runs FUZZ_SHORT_RUNS more executions, with no crash, leak or timeout.
# The long runs: tests/fuzz/RESULTS.md.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

: "${FUZZ_SHORT_RUNS:=20000}"
command -v "${CC_FUZZ:-clang}" >/dev/null || skip_all "no clang for libFuzzer"
export FUZZ_CONFIG_H="$top_builddir/config.h"
for h in codec fdpass session worker; do
	"$top_srcdir/tests/fuzz/fuzz.sh" "$T/fuzz" "-runs=$FUZZ_SHORT_RUNS" "$h" \
	    >"$T/$h.out" 2>&1
	ok $? "$(head -n 1 "$T/$h.out")"
done
done_testing
