/*
 * signals.h -- GDB's signal numbers and Linux's.
 *
 * The remote protocol speaks GDB's own numbering (enum gdb_signal),
 * which differs from Linux's for most signals past 6.
 */
#ifndef PLATFORM_SIGNALS_H
#define PLATFORM_SIGNALS_H

#define GDB_SIGNAL_0		0
#define GDB_SIGNAL_TRAP		5
#define GDB_SIGNAL_UNKNOWN	143
#define GDB_SIGNAL_LAST		152	/* one past the largest number */

/* GDB number of a host signal; GDB_SIGNAL_UNKNOWN if it has none. */
int	sig_to_gdb(int host);
/* Host number of a GDB signal; 0 if the host has no such signal. */
int	sig_from_gdb(int gdb);
/*
 * In a child about to exec: every signal unblocked and at its default
 * action.  Through the system calls, because glibc's signal(2) and
 * sigprocmask(3) refuse the two real-time signals it keeps for itself
 * (32 and 33), and an ignored one stays ignored across exec.
 */
void	sig_reset_all(void);

#endif /* PLATFORM_SIGNALS_H */
