/*
 * target.h -- the processes one session traces, and their threads.
 *
 * This layer knows processes, not packets or sockets.  It launches and
 * attaches, resumes and stops, and turns wait statuses into stop events
 * (struct stop) that the packet layer formats.  All-stop: when one thread
 * has an event to report, every other thread of every process is stopped
 * first, and events found meanwhile are kept pending for later.
 */
#ifndef PLATFORM_TARGET_H
#define PLATFORM_TARGET_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "platform/regs.h"

#define TGT_MAX_ARGS		256	/* arguments of a launched program */
#define TGT_MAX_ENV		4096	/* environment entries we keep */
#define TGT_MAX_BREAKPOINTS	4096	/* software breakpoints per process */
#define TGT_HW_SLOTS		4	/* DR0-DR3 */
#define TGT_MAX_ALLOCS		1024	/* mem_alloc blocks per process */
#define TGT_MAX_ALLOC_BYTES	(1ULL << 32)	/* bytes of one block */
#define TGT_MAX_SYSCALL		1024	/* syscall numbers QCatchSyscalls names */

/* What stopped a thread, as facts. */
enum stop_kind {
	STOP_NONE = 0,
	STOP_SIGNAL,		/* signal-delivery stop (incl. traps) */
	STOP_EXITED,		/* process exited, s_code = status */
	STOP_KILLED,		/* process killed, s_signo = signal */
	STOP_EXEC,		/* PTRACE_EVENT_EXEC */
	STOP_THREAD_EXIT,	/* one thread gone (not reported in all-stop) */
	STOP_FORK,		/* PTRACE_EVENT_FORK, child kept: s_child */
	STOP_VFORK,		/* PTRACE_EVENT_VFORK, child kept: s_child */
	STOP_VFORK_DONE,	/* the kept vfork child released the memory */
	STOP_SYSCALL_ENTRY,	/* QCatchSyscalls: s_sysno entered */
	STOP_SYSCALL_RETURN,	/* QCatchSyscalls: s_sysno returns */
	STOP_THREAD_CREATED,	/* QThreadEvents: a new thread, stopped */
};

enum stop_why {
	WHY_NONE = 0,
	WHY_SWBREAK,		/* hit one of our software breakpoints */
	WHY_HWBREAK,		/* hardware execution breakpoint */
	WHY_WATCH,		/* write watchpoint, s_addr */
	WHY_RWATCH,		/* read watchpoint, s_addr */
	WHY_AWATCH,		/* access watchpoint, s_addr */
	WHY_STEP,		/* a single step completed */
};

struct stop {
	enum stop_kind	 s_kind;
	int		 s_signo;	/* host signal number, 0 if none */
	int		 s_code;	/* exit status */
	enum stop_why	 s_why;
	uint64_t	 s_addr;	/* data address of a watchpoint */
	pid_t		 s_child;	/* STOP_FORK, STOP_VFORK */
	int		 s_sysno;	/* STOP_SYSCALL_* */
};

/* Per-thread resume request. */
enum resume_kind { RESUME_STOP = 0, RESUME_CONT, RESUME_STEP };

struct proc;

struct thr {
	TAILQ_ENTRY(thr) t_entry;
	struct proc	*t_proc;
	pid_t		 t_tid;
	bool		 t_stopped;	/* in a ptrace stop */
	bool		 t_want_sigstop; /* our SIGSTOP is still coming */
	bool		 t_pending;	/* t_stop is yet to be reported */
	bool		 t_stepping;	/* resumed with PTRACE_SINGLESTEP */
	enum resume_kind t_rkind;	/* what the next resume does */
	int		 t_rsig;	/* signal the next resume delivers */
	bool		 t_regs_dirty;	/* cache written, not yet stored */
	struct stop	 t_stop;	/* the last event */
	struct regs	*t_regs;	/* cache, valid while stopped */
	bool		 t_regs_gp;	/* general registers cached */
	bool		 t_regs_all;	/* everything cached */
	pid_t		 t_fork_child;	/* the kept child that waits for this
					   thread to be resumed, or 0 */
	bool		 t_vfork_kept;	/* its vfork child is kept: its
					   vforkdone is told, not handled */
	bool		 t_drop_sigstop; /* adopted: its first resume never
					   delivers the SIGSTOP it reported */
	int		 t_sysno;	/* inside this syscall (-1: none) */
	bool		 t_gone;	/* exited; kept to report it, then freed */
	uint64_t	 t_seq;		/* when its pending event came (0: none) */
	bool		 t_stop_req;	/* non-stop: the client asked it to stop;
					   our SIGSTOP is its stop (signal 0) */
	int		 t_stop_signo;	/* that stop is told with this signal
					   (tgt_interrupt's), not 0 */
};

struct bp {
	TAILQ_ENTRY(bp)	 b_entry;
	uint64_t	 b_addr;
	uint8_t		 b_saved;	/* the byte under the int3 */
	bool		 b_inserted;
};

/*
 * Target-side conditions of one breakpoint (GDB's ConditionalBreakpoints):
 * agent expressions (ax.h); the breakpoint is reported when one of them
 * is true, or cannot be evaluated.
 */
#define TGT_MAX_CONDS		32	/* conditions on one breakpoint */

struct cond {
	TAILQ_ENTRY(cond) c_entry;
	bool		 c_hw;		/* a hardware one (Z1), else Z0 */
	uint64_t	 c_addr;
	unsigned	 c_n;
	uint8_t		*c_code[TGT_MAX_CONDS];
	size_t		 c_len[TGT_MAX_CONDS];
};

/* Memory mem_alloc mapped in a process, for mem_free. */
struct alloc {
	TAILQ_ENTRY(alloc) a_entry;
	uint64_t	 a_addr;
	uint64_t	 a_len;
};

enum hw_type { HW_NONE = 0, HW_EXEC, HW_WRITE, HW_READ, HW_ACCESS };

struct hw_slot {
	enum hw_type	 h_type;
	uint64_t	 h_addr;
	unsigned	 h_len;		/* 1, 2, 4 or 8 */
};

struct target;

struct proc {
	TAILQ_ENTRY(proc) p_entry;
	struct target	*p_tgt;
	pid_t		 p_pid;
	bool		 p_attached;	/* attached (vs launched by us) */
	bool		 p_exited;	/* gone; waits to be reported */
	int		 p_memfd;	/* /proc/PID/mem, -1 if not open */
	TAILQ_HEAD(, thr) p_threads;
	unsigned	 p_nbps;
	TAILQ_HEAD(, bp) p_bps;
	struct hw_slot	 p_hw[TGT_HW_SLOTS];
	bool		 p_bps_lifted;	/* out of memory during a vfork */
	TAILQ_HEAD(, alloc) p_allocs;	/* what mem_alloc mapped */
	unsigned	 p_nallocs;
	bool		 p_detach_on_error; /* detach, not kill, if the client
					   vanishes (QSetDetachOnError) */
	bool		 p_held;	/* non-stop, stopped as a whole for
					   lldb: its events wait for a resume */
	TAILQ_HEAD(, cond) p_conds;	/* target-side breakpoint conditions */
	bool		 p_untold;	/* a kept fork child whose fork is not
					   yet reported: not listed */
	pid_t		 p_fork_waits;	/* a kept fork child: the thread that
					   forked it; it does not run until that
					   thread is resumed, or it is named */
};

/* How to start a program. */
struct launch {
	char	**l_argv;		/* program and arguments */
	char	**l_envp;		/* environment */
	const char *l_cwd;		/* NULL: the server's own */
	const char *l_wrapper;		/* NULL or a wrapper command line */
	bool	  l_shell;		/* start through $SHELL or /bin/sh */
	bool	  l_no_aslr;		/* personality(ADDR_NO_RANDOMIZE) */
	bool	  l_stdio_quiet;	/* stdin /dev/null, stdout to stderr */
	const char *l_stdio[3];		/* files for fds 0, 1, 2, or NULL */
};

/*
 * Facts about what the target did on its own, for the session to log:
 * the platform layer decides, the daemon tells.
 */
enum tgt_child_how { CHILD_FORK, CHILD_VFORK, CHILD_CLONE };

enum tgt_fate { CHILD_LET_GO, CHILD_HOLD, CHILD_KEEP };

/* A new process traced from birth, for the session to decide on. */
struct tgt_child {
	pid_t		 c_pid;
	pid_t		 c_ppid;
	enum tgt_child_how c_how;
	bool		 c_attached;	/* the parent was attached, not launched */
};

enum tgt_note_kind {
	NOTE_CHILD_DETACHED,	/* a new process let go, untraced */
	NOTE_CHILD_LOST,	/* a new process gone before it was let go */
	NOTE_THREAD_DROPPED,	/* could not be stopped: forgotten */
	NOTE_EXEC,		/* a process runs a new program */
};

struct tgt_note {
	enum tgt_note_kind n_kind;
	pid_t		 n_pid;		/* child, or the thread's process */
	pid_t		 n_ppid;	/* the child's parent */
	pid_t		 n_tid;		/* the thread dropped */
	enum tgt_child_how n_how;
	bool		 n_shared_vm;	/* the child shares the parent's memory */
	unsigned	 n_bps_left;	/* breakpoints left in a sharing child */
	int		 n_errno;	/* why the thread could not be signalled */
	int		 n_state;	/* its state letter, -1 if no such task */
	pid_t		 n_tgid;	/* its thread group, -1 if gone */
	/*
	 * NOTE_EXEC: the program is set-uid (or set-gid) to an id the
	 * process does not have: traced, the kernel did not raise it.
	 */
	bool		 n_setid_lost;
	uid_t		 n_file_uid;	/* the program's owner and group */
	gid_t		 n_file_gid;
	uid_t		 n_euid;	/* what the process runs as */
	gid_t		 n_egid;
	char		 n_exe[256];	/* the program, "" if unknown */
};

struct target {
	TAILQ_ENTRY(target) g_entry;	/* every target of this process */
	TAILQ_HEAD(, proc) g_procs;
	/*
	 * Asked for each fork or vfork child: CHILD_HOLD keeps it traced
	 * and in its first stop, outside any target (a vfork child is the
	 * caller's to run on to its exec); CHILD_KEEP makes it a process
	 * of this target, and the parent stops with a fork event (GDB's
	 * multiprocess fork events); CHILD_LET_GO, or a NULL g_hold, lets
	 * it go untraced.
	 */
	enum tgt_fate	(*g_hold)(void *, const struct tgt_child *);
	void		*g_hold_arg;
	/* Another target's wait reaped an event of ours: poll soon. */
	void		(*g_wake)(void *);
	void		*g_wake_arg;
	/* Called with each fact as it happens; NULL: nobody listens. */
	void		(*g_note)(void *, const struct tgt_note *);
	void		*g_note_arg;
	bool		 g_running;	/* resumed and not yet reported */
	bool		 g_stopping;	/* inside tgt_stop_all */
	struct proc	*g_stop_only;	/* ... of that process only, or NULL */
	bool		 g_need_poll;	/* a thread vanished while resuming */
	bool		 g_exec_events;	/* report exec; else a SIGTRAP */
	bool		 g_nonstop;	/* each thread stops and goes alone */
	bool		 g_thread_events; /* QThreadEvents: report creation and
					   exit of threads */
	uint8_t		 g_pass[64 / 8 * 2];	/* QPassSignals (host) */
	bool		 g_pass_set;
	/* QCatchSyscalls: on, every syscall or those in the set. */
	bool		 g_sys_catch;
	bool		 g_sys_all;
	uint8_t		 g_sys_set[TGT_MAX_SYSCALL / 8];
};

struct target *tgt_new(void);
void	 tgt_free(struct target *);

/*
 * Several targets may live in one process (a session per connection),
 * all traced by it.  A wait status belongs to the target that knows the
 * thread; one no target knows goes to the stray handler (held children),
 * and, if it declines, is kept until a fork or clone event names the pid.
 */
void	 tgt_set_stray(bool (*)(void *, pid_t, int status), void *);
/*
 * A count that changes whenever a process of any target comes, exits or
 * goes: who reports the processes traced need look only when it moved.
 */
uint64_t tgt_generation(void);
void	 tgt_route(struct target *first, pid_t, int status);
/*
 * Take pid, traced by this process and in a ptrace stop (a held child),
 * into g as a stopped process whose one thread reports SIGSTOP.
 */
int	 tgt_adopt(struct target *, pid_t, bool attached, struct proc **);

/*
 * Start a program stopped at its first instruction (after the shell and
 * wrapper, if any).  On failure returns -1 and writes a message to err.
 */
int	 tgt_launch(struct target *, const struct launch *, struct proc **,
	    char *err, size_t errlen);
/* Attach to a running process and all its threads. */
int	 tgt_attach(struct target *, pid_t, struct proc **);
/* Remove breakpoints and let the process go; p is freed. */
int	 tgt_detach(struct proc *);
/* Kill the process and reap it; p is freed. */
int	 tgt_kill(struct proc *);
/* Forget a process that was reported exited; p is freed. */
void	 tgt_forget(struct proc *);
/* A thread whose exit was reported (QThreadEvents): freed. */
void	 thr_forget(struct thr *);
/* The client has seen t's pending event. */
void	 tgt_reported(struct thr *);

struct proc *tgt_proc(struct target *, pid_t pid);
struct thr *tgt_thr(struct target *, pid_t tid);
struct proc *tgt_first_proc(struct target *);

/*
 * Resume: kind[i]/sig[i] for each thread, chosen by the caller through
 * tgt_resume_set.  If a thread about to run has a pending event nothing
 * runs and that event is reported by the next tgt_poll.  Returns 1 when
 * the caller should call tgt_poll without waiting for SIGCHLD, 0 when
 * SIGCHLD will come, -1 with errno on failure.
 */
void	 tgt_resume_clear(struct target *);
void	 tgt_resume_set(struct thr *, enum resume_kind, int signo);
int	 tgt_resume(struct target *);

/*
 * Take the kernel's news (call on SIGCHLD).  Returns a thread with an
 * event to report, every thread of the target then stopped, or NULL.
 */
struct thr *tgt_poll(struct target *);
/*
 * The same in two halves, for a process with many targets: tgt_reap
 * takes every status waiting, each to its target; tgt_check then says
 * whether g has an event to report (stopping the rest of g first).
 */
void	 tgt_reap(void);
struct thr *tgt_check(struct target *);
/* A thread with a pending event, without waiting; NULL if none. */
struct thr *tgt_pending(struct target *);
/*
 * Non-stop: ask a running thread to stop; its stop comes as an event
 * (signal 0) like any other.  A stopped thread the client counts as
 * running (t_rkind not RESUME_STOP: attached in non-stop) has that stop
 * told at once.  0, or -1 with errno.
 */
int	 tgt_stop_thread(struct thr *);
/* The client named a kept fork child: it may run before its parent. */
void	 tgt_fork_release(struct proc *);
/*
 * Ask the running target to stop (the 0x03 byte): proc's first thread
 * stops with our SIGSTOP, and the stop is told as signo (SIGINT for gdb,
 * as gdbserver's; SIGSTOP for lldb, as lldb-server's).  No signal is
 * queued to the process: one that blocks signo stops all the same, and
 * none is left pending to strike after a detach.
 */
int	 tgt_interrupt(struct target *, struct proc *, int signo);
/*
 * Told of each breakpoint byte put into (in) or taken out of an attached
 * process's memory, and (addr 0, !in) of a process whose breakpoints went
 * with its memory (exec, gone): a platform worker keeps a ledger of them
 * for the daemon, should it die.  NULL: nobody keeps one.
 */
typedef void tgt_bp_ledger_fn(pid_t pid, uint64_t addr, uint8_t saved,
	    bool in);
void	 tgt_set_bp_ledger(tgt_bp_ledger_fn *);
/*
 * This process is dying (a fatal error): take every breakpoint out of
 * every attached process, which the kernel will detach and let run, and
 * tell say of each process and how many were taken out.  Launched ones
 * die with us (PTRACE_O_EXITKILL).  Allocates nothing.
 */
void	 tgt_last_words(void (*say)(const struct proc *, unsigned removed));
/* Stop every running thread (for detach/kill while running). */
void	 tgt_stop_all(struct target *);
void	 tgt_stop_proc(struct target *, struct proc *only);

/* Registers of a stopped thread, fetched on first use after a stop. */
struct regs *thr_regs(struct thr *, bool all);
int	 thr_regs_store(struct thr *);

/* Memory, with our breakpoints hidden; return bytes done or -1. */
ssize_t	 mem_read(struct proc *, uint64_t addr, void *, size_t);
ssize_t	 mem_write(struct proc *, uint64_t addr, const void *, size_t);

/*
 * Map len bytes (PROT_* in prot) in t's process by running mmap in the
 * stopped thread t, or unmap what mem_alloc mapped there; t's registers
 * and memory are as they were afterwards.  -1 with errno on failure
 * (ENOSPC past TGT_MAX_ALLOCS, ENOENT for an address not ours).
 */
int	 mem_alloc(struct thr *, uint64_t len, int prot, uint64_t *addr);
int	 mem_free(struct thr *, uint64_t addr);
/* After an exec: what mem_alloc mapped is gone with the old image. */
void	 mem_forget_allocs(struct proc *);

/* Software breakpoints. */
int	 bp_insert(struct proc *, uint64_t addr);
int	 bp_copy(struct proc *, const struct bp *);
int	 bp_remove(struct proc *, uint64_t addr);
struct bp *bp_find(struct proc *, uint64_t addr);
void	 bp_remove_all(struct proc *);
/* Write original bytes of every breakpoint into another process. */
void	 bp_clear_in(struct proc *, pid_t other);
void	 bp_lift(struct proc *);
void	 bp_restore(struct proc *);

/*
 * The address of a thread-local variable: offset within the TLS block
 * of the module whose link_map is lm, in thread t (tls.c).
 */
int	 tls_address(struct thr *, uint64_t lm, uint64_t offset, uint64_t *);

/*
 * A process the client may see in a thread list: not ended, and not a
 * fork child whose fork it has not heard of yet (gdb would take its
 * threads for new threads of the parent).
 */
static inline bool
tgt_proc_listed(const struct proc *p)
{
	return !p->p_exited && !p->p_untold;
}

/*
 * Target-side conditions (cond.c).  cond_set replaces the conditions of
 * the breakpoint at addr with copies of n expressions (n == 0: none);
 * -1 with errno (EINVAL: past TGT_MAX_CONDS or AX_MAX_LEN).  cond_copy
 * gives a fork child its parent's software breakpoints' conditions.
 */
int	 cond_set(struct proc *, bool hw, uint64_t addr, unsigned n,
	    uint8_t *const *code, const size_t *len);
int	 cond_copy(struct proc *to, const struct proc *from);
void	 cond_clear_all(struct proc *);
/*
 * t's event is a breakpoint hit whose conditions are all false: it is
 * not to be reported.
 */
bool	 cond_false(struct thr *);
/*
 * Take t over the breakpoint at its PC (the int3 or the debug register
 * out for one step, every other thread of the process stopped meanwhile
 * and let go after) and let it run on as it was resumed.  0 done; 1 when
 * the step brought an event of its own, pending; -1 with errno (EAGAIN:
 * another thread could not be stopped for sure; the hit is to be told).
 */
int	 tgt_go_on(struct thr *);

/* Hardware breakpoints and watchpoints through DR0-DR7. */
int	 hw_insert(struct proc *, enum hw_type, uint64_t addr, unsigned len);
int	 hw_remove(struct proc *, enum hw_type, uint64_t addr, unsigned len);
int	 hw_apply(struct thr *);
void	 hw_clear_all(struct proc *);
bool	 hw_in_use(const struct proc *);
/* Classify a SIGTRAP: fills why/addr from DR6 and clears it. */
int	 hw_classify(struct thr *, struct stop *);
/*
 * Told, at each change, whether an attached process has debug registers
 * set: they outlive a tracer that dies (the kernel's detach leaves them),
 * so a platform worker's ledger keeps that too.  NULL: nobody keeps it.
 */
typedef void tgt_hw_ledger_fn(pid_t pid, bool in_use);
void	 tgt_set_hw_ledger(tgt_hw_ledger_fn *);
/*
 * Disable the debug registers of every thread of pid, a process nobody
 * traces (its tracer died with them set): each thread is seized,
 * interrupted, cleared and let go as it was, by a helper process given
 * HW_CLEAR_TIMEOUT_MS.  The number of threads cleared, or -1 with errno
 * (ETIMEDOUT; ESRCH when none could be).
 */
int	 hw_clear_untraced(pid_t pid);

#endif /* PLATFORM_TARGET_H */
