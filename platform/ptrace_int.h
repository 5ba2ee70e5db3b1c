/*
 * ptrace_int.h -- what the files of platform/ share among themselves.
 * Not for use outside platform/.
 */
#ifndef PLATFORM_PTRACE_INT_H
#define PLATFORM_PTRACE_INT_H

#include <sys/syscall.h>
#include <unistd.h>

#include "platform/target.h"

/* Options on every process we trace; launched ones add EXITKILL. */
#define PTR_OPTIONS	(PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC |	\
			 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |	\
			 PTRACE_O_TRACEVFORKDONE | PTRACE_O_TRACESYSGOOD)

struct proc	*proc_new(struct target *, pid_t, bool attached);
void		 proc_free(struct proc *);
struct thr	*thr_new(struct proc *, pid_t);
void		 thr_free(struct thr *);
void		 thr_gone(struct thr *);
void		 thr_invalidate(struct thr *);
int		 thr_resume(struct thr *);
void		 tgt_status(struct target *, pid_t, int status);
/* Keep the status of a pid nobody knows yet (events.c). */
void		 tgt_stash(pid_t, int status);
int		 mem_open(struct proc *);
/* hw.c's part of bp_ledger_forget: its debug registers went too. */
void		 hw_ledger_forget(struct proc *);
/* One breakpoint's int3 in, or the original byte back. */
int		 bp_plant(struct proc *, struct bp *);
int		 bp_unplant(struct proc *, struct bp *);
/*
 * p's breakpoints went with its memory and its debug registers (exec,
 * gone): tell the ledgers, of int3s and of hardware ones.
 */
void		 bp_ledger_forget(struct proc *);
/* The thread group (process) task tid belongs to, or -1. */
pid_t		 thr_tgid(pid_t tid);
/* The set of processes changed (tgt_generation). */
void		 tgt_procs_changed(void);
/* Hand a fact to the session's g_note hook, if any. */
void		 tgt_note(struct target *, const struct tgt_note *);

static inline int
syscall_tgkill(pid_t pid, pid_t tid, int sig)
{
	return syscall(SYS_tgkill, pid, tid, sig);
}

#endif /* PLATFORM_PTRACE_INT_H */
