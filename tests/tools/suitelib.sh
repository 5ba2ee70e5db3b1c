# suitelib.sh -- what the runners of GDB's and lldb's own testsuites
# (tests/gdbsuite/run.sh, tests/lldbsuite/run.sh) share.

# kill_under DIR SPARE...: kill, by pid, every process whose executable or
# command line lies under DIR (test programs, servers copied there), but
# those whose command line holds one of SPARE (the runner's own).
kill_under() {
	local dir=$1 p exe cmd s spared
	shift
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = $$ ] && continue
		exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
		cmd=$(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) || continue
		case "$exe $cmd" in
		*"$dir/"*) ;;
		*) continue ;;
		esac
		spared=
		for s in "$@"; do
			case "$cmd" in *"$s"*) spared=1 ;; esac
		done
		[ -n "$spared" ] || kill -9 "$p" 2>/dev/null
	done
}
