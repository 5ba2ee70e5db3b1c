#!/bin/bash
# lldb 16's Python API through handoffd gdbserver --multi: a launch with
# stdout to a file and an environment entry (QSetSTDOUT, QEnvironment,
# vRun), and an attach that waits for the program (vAttachWait).  The
# assertions are session_api.py's; this runs it with lldb's module.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

PY=/usr/bin/python3
LLDB_PY=/usr/lib/llvm-16/lib/python3.11/site-packages
[ -x "$PY" ] && PYTHONPATH=$LLDB_PY "$PY" -c 'import lldb' 2>/dev/null ||
	skip_all "no lldb 16 Python module"
PYTHONPATH=$LLDB_PY timeout 120 "$PY" \
	"$top_srcdir/tests/lldb/session_api.py" "$HANDOFFD" "$PROGS" "$T"
st=$?
[ $st -eq 0 ] || TAP_FAILED=1
exit $st
