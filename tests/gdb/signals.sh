#!/bin/bash
# Signals: handle stop/print/pass, delivery on continue, "signal 0" and
# "signal SIG", and a crash reported as SIGSEGV then fatal.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# session NAME PROG GDB-COMMANDS...: a server for PROG, a gdb session;
# the server's output is kept in $T/NAME.server.out.
session() {
	local name=$1 prog=$2
	shift 2
	# (a fresh log: start_server must not see the last server's line)
	rm -f "$T/server.log" "$T/server.out"
	start_server :0 "$prog"
	ok $? "$name: server listens"
	pid=$(inferior_pid)
	run_gdb "$name" "$prog" "target remote :$PORT" "$@"
	no_process "$pid" "$name: the inferior is gone"
	server_gone 10
	ok $? "$name: the server ends after the session"
	cp "$T/server.out" "$T/$name.server.out"
	cp "$T/server.log" "$T/$name.server.log"
}

# SIGUSR1 stops and is delivered by continue; SIGALRM passes silently.
session pass "$PROGS/signals" \
	"handle SIGUSR1 stop print" \
	"handle SIGALRM nostop noprint pass" \
	"info signals SIGUSR1" \
	"info signals SIGALRM" \
	"continue" \
	"continue"
out="$T/pass.out"
contains "$out" '^SIGUSR1 +Yes	Yes	Yes		User defined signal 1$' "handle SIGUSR1 stop print"
contains "$out" '^SIGALRM +No	No	Yes		Alarm clock$' "handle SIGALRM nostop noprint pass"
contains "$out" '^Program received signal SIGUSR1, User defined signal 1\.$' "stop for SIGUSR1"
lacks "$out" '^Program received signal SIGALRM' "no stop for SIGALRM"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
contains "$T/pass.server.out" '^usr1 1 alrm 1$' "both signals delivered to the handlers"

# "signal 0" drops SIGUSR1; "signal SIGUSR1" replaces SIGALRM.
session sigcmd "$PROGS/signals" \
	"handle SIGUSR1 stop print" \
	"handle SIGALRM stop print" \
	"continue" \
	"print \$_siginfo.si_signo" \
	"signal 0" \
	"print \$_siginfo.si_signo" \
	"signal SIGUSR1"
out="$T/sigcmd.out"
contains "$out" '^Program received signal SIGUSR1, User defined signal 1\.$' "stop for SIGUSR1"
contains "$out" '^\$1 = 10$' "\$_siginfo at the SIGUSR1 stop"
contains "$out" '^Program received signal SIGALRM, Alarm clock\.$' "after signal 0, stop for SIGALRM"
contains "$out" '^\$2 = 14$' "\$_siginfo at the SIGALRM stop"
contains "$out" "^\\[Inferior 1 \\(process $pid\\) exited normally\\]\$" "program exits normally"
contains "$T/sigcmd.server.out" '^usr1 1 alrm 0$' "SIGUSR1 dropped, SIGALRM replaced by SIGUSR1"

# A crash: SIGSEGV stops, continue lets it kill the program.
session crash "$PROGS/crash" \
	"continue" \
	"print \$_siginfo.si_signo" \
	"print \$_siginfo._sifields._sigfault.si_addr" \
	"continue" \
	"info inferiors"
out="$T/crash.out"
contains "$out" '^Program received signal SIGSEGV, Segmentation fault\.$' "SIGSEGV reported"
contains "$out" '^0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at .*crash\.c:12$' "stopped at the faulting line"
contains "$out" '^\$1 = 11$' "siginfo signo"
contains "$out" '^\$2 = \(void \*\) 0x0$' "siginfo fault address"
contains "$out" '^Program terminated with signal SIGSEGV, Segmentation fault\.$' "continue: terminated by SIGSEGV"
contains "$out" '^The program no longer exists\.$' "program gone"
contains "$out" '^\* 1 +<null> ' "no process in info inferiors"
done_testing
