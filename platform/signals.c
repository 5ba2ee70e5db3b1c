/*
 * signals.c -- mapping GDB's signal numbers to Linux's and back.
 */
#include <sys/syscall.h>

#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "platform/signals.h"

/* GDB numbers of Linux signals 0..31 (GDB's include/gdb/signals.def). */
static const unsigned char gdb_of_host[32] = {
	[0] = 0, [SIGHUP] = 1, [SIGINT] = 2, [SIGQUIT] = 3, [SIGILL] = 4,
	[SIGTRAP] = 5, [SIGABRT] = 6, [SIGBUS] = 10, [SIGFPE] = 8,
	[SIGKILL] = 9, [SIGUSR1] = 30, [SIGSEGV] = 11, [SIGUSR2] = 31,
	[SIGPIPE] = 13, [SIGALRM] = 14, [SIGTERM] = 15,
	[SIGSTKFLT] = GDB_SIGNAL_UNKNOWN, [SIGCHLD] = 20, [SIGCONT] = 19,
	[SIGSTOP] = 17, [SIGTSTP] = 18, [SIGTTIN] = 21, [SIGTTOU] = 22,
	[SIGURG] = 16, [SIGXCPU] = 24, [SIGXFSZ] = 25, [SIGVTALRM] = 26,
	[SIGPROF] = 27, [SIGWINCH] = 28, [SIGIO] = 23, [SIGPWR] = 32,
	[SIGSYS] = 12,
};

#define GDB_REALTIME_32		77
#define GDB_REALTIME_33		45	/* 33..63 run on from here */
#define GDB_REALTIME_64		78	/* 64..127 run on from here */

int
sig_to_gdb(int host)
{
	if (host >= 0 && host < 32)
		return gdb_of_host[host];
	if (host == 32)
		return GDB_REALTIME_32;
	if (host >= 33 && host <= 63)
		return GDB_REALTIME_33 + host - 33;
	if (host == 64)
		return GDB_REALTIME_64;
	return GDB_SIGNAL_UNKNOWN;
}

int
sig_from_gdb(int gdb)
{
	int host;

	if (gdb <= 0 || gdb >= GDB_SIGNAL_LAST)
		return 0;
	for (host = 1; host < 32; host++) {
		if (gdb_of_host[host] == gdb && gdb != GDB_SIGNAL_UNKNOWN)
			return host;
	}
	if (gdb == GDB_REALTIME_32)
		return 32;
	if (gdb >= GDB_REALTIME_33 && gdb < GDB_REALTIME_33 + 31)
		return gdb - GDB_REALTIME_33 + 33;
	if (gdb == GDB_REALTIME_64)
		return 64;
	return 0;
}

/* The kernel's struct sigaction (x86-64), as rt_sigaction(2) takes it. */
struct sig_kaction {
	void		(*ka_handler)(int);
	unsigned long	 ka_flags;
	void		(*ka_restorer)(void);
	uint64_t	 ka_mask;
};

#define SIG_KERNEL_MAX	64	/* the kernel's _NSIG */

void
sig_reset_all(void)
{
	struct sig_kaction dfl = { .ka_handler = SIG_DFL };
	uint64_t none = 0;
	int sig;

	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof(none));
	for (sig = 1; sig <= SIG_KERNEL_MAX; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			syscall(SYS_rt_sigaction, sig, &dfl, NULL,
			    sizeof(dfl.ka_mask));
	}
}
