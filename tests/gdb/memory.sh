#!/bin/bash
# Memory: x, writes, unreadable addresses, find; $_siginfo; info auxv,
# info proc; disassembly with breakpoints planted shows the original
# bytes, not int3.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server :0 "$PROGS/hello" 1
ok $? "server listens on a free port"
pid=$(inferior_pid)

run_gdb mem "$PROGS/hello" \
	"target remote :$PORT" \
	"set code-cache off" \
	"set stack-cache off" \
	"x/8xb &counter" \
	"set var counter = 42" \
	"print counter" \
	"x/4xb &counter" \
	"x/xb 0" \
	"find &counter, +4, (int)42" \
	"echo ==auxv\\n" \
	"info auxv" \
	"echo ==proc\\n" \
	"info proc" \
	"echo ==dis0\\n" \
	"disassemble add" \
	"x/16xb add" \
	"echo ==brk\\n" \
	"set breakpoint always-inserted on" \
	"break add" \
	"break main" \
	"echo ==dis1\\n" \
	"disassemble add" \
	"x/16xb add" \
	"echo ==cont\\n" \
	"continue" \
	"echo ==dis2\\n" \
	"disassemble add" \
	"x/16xb add" \
	"echo ==end\\n" \
	"delete" \
	"continue"
out="$T/mem.out"
section() {
	sed -n "/^==$1\$/,/^==$2\$/p" "$out" | sed '1d;$d'
}
section auxv proc >"$T/auxv.txt"
section proc dis0 >"$T/proc.txt"
section dis0 brk >"$T/dis0.txt"
section brk dis1 >"$T/brk.txt"
section dis1 cont >"$T/dis1.txt"
section dis2 end >"$T/dis2.txt"

contains "$out" '^0x[0-9a-f]+ <counter>:	0x00	0x00	0x00	0x00	0x00	0x00	0x00	0x00$' "x/8xb &counter"
contains "$out" '^\$1 = 42$' "set var counter = 42, print"
contains "$out" '^0x[0-9a-f]+ <counter>:	0x2a	0x00	0x00	0x00$' "the write is in memory"
contains "$out" '^0x0:	Cannot access memory at address 0x0$' "unreadable address reported"
contains "$out" '^1 pattern found\.$' "find locates the value"

contains "$T/auxv.txt" '^6 +AT_PAGESZ +System page size +4096$' "info auxv: AT_PAGESZ"
contains "$T/auxv.txt" '^9 +AT_ENTRY +Entry point of program +0x[0-9a-f]+$' "info auxv: AT_ENTRY"
contains "$T/auxv.txt" '^31 +AT_EXECFN +File name of executable +0x[0-9a-f]+ ".*/tests/progs/hello"$' "info auxv: AT_EXECFN"
contains "$T/auxv.txt" '^0 +AT_NULL +End of vector +0x0$' "info auxv: AT_NULL ends it"
contains "$T/proc.txt" "^process $pid\$" "info proc: the pid"
contains "$T/proc.txt" "^cmdline = '.*/tests/progs/hello 1'\$" "info proc: cmdline"
contains "$T/proc.txt" "^exe = '.*/tests/progs/hello'\$" "info proc: exe"
contains "$T/proc.txt" "^cwd = '/.*'\$" "info proc: cwd"

contains "$T/dis0.txt" '^Dump of assembler code for function add:$' "disassemble add"
contains "$T/dis0.txt" '^   0x[0-9a-f]+ <\+0>:	push   %rbp$' "first instruction"
contains "$T/dis0.txt" '^   0x[0-9a-f]+ <\+[0-9]+>:	ret *$' "last instruction"
contains "$T/dis0.txt" '^End of assembler dump\.$' "end of dump"
contains "$T/brk.txt" '^Breakpoint 1 at 0x[0-9a-f]+: file .*hello\.c' "breakpoint in add, inserted at once"
diff "$T/dis0.txt" "$T/dis1.txt" >/dev/null
ok $? "with the breakpoint inserted, disassembly and bytes are unchanged"
diff "$T/dis0.txt" "$T/dis2.txt" >/dev/null
ok $? "stopped at another breakpoint, add still reads as the original"
lacks "$T/dis1.txt" 'int3|0xcc' "no int3 shown"
contains "$out" '^Breakpoint 2, main \(argc=2, ' "continue stops in main"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program runs to the end (breakpoints removed cleanly)"
contains "$T/server.out" '^sum 0$' "program output"
no_process "$pid" "the inferior is gone"
server_gone 10
ok $? "the server ends after the session"

# $_siginfo at a signal stop (qXfer:siginfo:read).
# (a fresh log: start_server must not see the last server's line)
rm -f "$T/server.log" "$T/server.out"
start_server :0 "$PROGS/signals"
ok $? "signals: server listens"
pid=$(inferior_pid)
run_gdb siginfo "$PROGS/signals" \
	"target remote :$PORT" \
	"continue" \
	"print \$_siginfo" \
	"print \$_siginfo._sifields._kill.si_pid" \
	"print \$_siginfo._sifields._kill.si_pid == $pid" \
	"continue"
out="$T/siginfo.out"
contains "$out" '^Program received signal SIGUSR1, User defined signal 1\.$' "signals: stop at SIGUSR1"
contains "$out" '^\$1 = \{si_signo = 10, si_errno = 0, si_code = -6, _sifields = \{.*\}\}$' "\$_siginfo: SIGUSR1 from tkill (si_code -6)"
contains "$out" '^\$3 = 1$' "\$_siginfo: the sender is the program itself"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "signals: program exits normally"
contains "$T/server.out" '^usr1 1 alrm 1$' "signals: both delivered"
no_process "$pid" "signals: the inferior is gone"
server_gone 10
ok $? "signals: the server ends after the session"
done_testing
