/*
 * target.c -- threads and processes of a session: bookkeeping, resuming,
 * and turning wait statuses into stop events (see target.h).
 */
#include <sys/ptrace.h>
#include <sys/queue.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/procfs.h"
#include "platform/ptrace_int.h"
#include "platform/target.h"

/* Kernel si_code for a trap raised by int3 on x86. */
#ifndef SI_KERNEL
#define SI_KERNEL	0x80
#endif

/* Every target of this process, and who takes what none of them knows. */
static TAILQ_HEAD(, target) targets = TAILQ_HEAD_INITIALIZER(targets);
static uint64_t generation;
static bool (*stray_fn)(void *, pid_t, int);
static void *stray_arg;

struct target *
tgt_new(void)
{
	struct target *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	TAILQ_INIT(&g->g_procs);
	TAILQ_INSERT_TAIL(&targets, g, g_entry);
	return g;
}

void
tgt_free(struct target *g)
{
	struct proc *p;

	if (g == NULL)
		return;
	while ((p = TAILQ_FIRST(&g->g_procs)) != NULL)
		proc_free(p);
	TAILQ_REMOVE(&targets, g, g_entry);
	free(g);
}

uint64_t
tgt_generation(void)
{
	return generation;
}

void
tgt_procs_changed(void)
{
	generation++;
}

void
tgt_set_stray(bool (*fn)(void *, pid_t, int), void *arg)
{
	stray_fn = fn;
	stray_arg = arg;
}

/*
 * tgt_status, then the event, if it left one, is stamped with when it
 * came: non-stop tells events in the order they happened.  A status
 * makes events only in its own thread's process (the thread, a new one,
 * or the parent of a fork), which outlives the call.
 */
static void
tgt_status_stamped(struct target *g, pid_t tid, int status)
{
	static uint64_t seq;
	struct thr *t = tgt_thr(g, tid);
	struct proc *p = t != NULL ? t->t_proc : NULL;

	tgt_status(g, tid, status);
	if (!g->g_nonstop || p == NULL)
		return;
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		if (t->t_pending && t->t_seq == 0)
			t->t_seq = ++seq;
	}
}

void
tgt_route(struct target *first, pid_t tid, int status)
{
	struct target *g;

	if (first != NULL && tgt_thr(first, tid) != NULL) {
		tgt_status_stamped(first, tid, status);
		return;
	}
	TAILQ_FOREACH(g, &targets, g_entry) {
		if (g == first || tgt_thr(g, tid) == NULL)
			continue;
		tgt_status_stamped(g, tid, status);
		if (g->g_wake != NULL)
			g->g_wake(g->g_wake_arg);
		return;
	}
	if (stray_fn != NULL && stray_fn(stray_arg, tid, status))
		return;
	if (WIFSTOPPED(status))
		tgt_stash(tid, status);
}

int
tgt_adopt(struct target *g, pid_t pid, bool attached, struct proc **pp)
{
	struct proc *p;
	struct thr *t;

	if ((p = proc_new(g, pid, attached)) == NULL)
		return -1;
	if ((t = thr_new(p, pid)) == NULL) {
		proc_free(p);
		return -1;
	}
	t->t_stopped = true;
	t->t_drop_sigstop = true;
	t->t_stop.s_kind = STOP_SIGNAL;
	t->t_stop.s_signo = SIGSTOP;
	*pp = p;
	return 0;
}

static void	tgt_fork_release_by(struct thr *);

struct proc *
proc_new(struct target *g, pid_t pid, bool attached)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->p_tgt = g;
	p->p_pid = pid;
	p->p_attached = attached;
	p->p_memfd = -1;
	TAILQ_INIT(&p->p_threads);
	TAILQ_INIT(&p->p_bps);
	TAILQ_INIT(&p->p_allocs);
	TAILQ_INIT(&p->p_conds);
	TAILQ_INSERT_TAIL(&g->g_procs, p, p_entry);
	tgt_procs_changed();
	return p;
}

void
proc_free(struct proc *p)
{
	struct thr *t;
	struct bp *b;

	while ((t = TAILQ_FIRST(&p->p_threads)) != NULL)
		thr_free(t);
	mem_forget_allocs(p);
	cond_clear_all(p);
	bp_ledger_forget(p);
	while ((b = TAILQ_FIRST(&p->p_bps)) != NULL) {
		TAILQ_REMOVE(&p->p_bps, b, b_entry);
		free(b);
	}
	if (p->p_memfd != -1)
		close(p->p_memfd);
	TAILQ_REMOVE(&p->p_tgt->g_procs, p, p_entry);
	free(p);
	tgt_procs_changed();
}

struct thr *
thr_new(struct proc *p, pid_t tid)
{
	struct thr *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->t_proc = p;
	t->t_tid = tid;
	t->t_sysno = -1;
	TAILQ_INSERT_TAIL(&p->p_threads, t, t_entry);
	return t;
}

void
thr_free(struct thr *t)
{
	struct proc *p = t->t_proc;

	/* Gone (exited, detached, killed): its fork child need not wait. */
	tgt_fork_release_by(t);
	TAILQ_REMOVE(&p->p_threads, t, t_entry);
	free(t->t_regs);
	free(t);
}

void
thr_forget(struct thr *t)
{
	if (t->t_gone)
		thr_free(t);
}

struct proc *
tgt_proc(struct target *g, pid_t pid)
{
	struct proc *p;

	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		if (p->p_pid == pid)
			return p;
	}
	return NULL;
}

struct proc *
tgt_first_proc(struct target *g)
{
	return TAILQ_FIRST(&g->g_procs);
}

struct thr *
tgt_thr(struct target *g, pid_t tid)
{
	struct proc *p;
	struct thr *t;

	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (t->t_tid == tid)
				return t;
		}
	}
	return NULL;
}

void
thr_invalidate(struct thr *t)
{
	t->t_regs_gp = t->t_regs_all = false;
}

struct regs *
thr_regs(struct thr *t, bool all)
{
	if (!t->t_stopped) {
		errno = ESRCH;
		return NULL;
	}
	if (t->t_regs == NULL && (t->t_regs = malloc(sizeof(*t->t_regs))) == NULL)
		return NULL;
	if (all && !t->t_regs_all) {
		if (regs_fetch(t->t_tid, t->t_regs) == -1)
			return NULL;
		t->t_regs_gp = t->t_regs_all = true;
	} else if (!t->t_regs_gp) {
		if (regs_fetch_gp(t->t_tid, t->t_regs) == -1)
			return NULL;
		t->t_regs_gp = true;
	}
	return t->t_regs;
}

int
thr_regs_store(struct thr *t)
{
	if (t->t_regs == NULL || !t->t_regs_gp)
		return 0;
	if (t->t_regs_all)
		return regs_store(t->t_tid, t->t_regs);
	return regs_store_gp(t->t_tid, t->t_regs);
}

/* ------------------------------------------------------------ resuming */

void
tgt_resume_clear(struct target *g)
{
	struct proc *p;
	struct thr *t;

	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			t->t_rkind = RESUME_STOP;
			t->t_rsig = 0;
		}
	}
}

void
tgt_resume_set(struct thr *t, enum resume_kind kind, int signo)
{
	t->t_rkind = kind;
	t->t_rsig = signo;
}

/* t runs on after its fork, or is gone: the child need not wait. */
static void
tgt_fork_release_by(struct thr *t)
{
	struct proc *c;

	/* Every resume passes here: the forker names its child, no scan. */
	if (t->t_fork_child == 0)
		return;
	if ((c = tgt_proc(t->t_proc->p_tgt, t->t_fork_child)) != NULL &&
	    c->p_fork_waits == t->t_tid)
		c->p_fork_waits = 0;
	t->t_fork_child = 0;
}

void
tgt_fork_release(struct proc *c)
{
	c->p_fork_waits = 0;
}

/* Let one stopped thread run as t_rkind says. */
int
thr_resume(struct thr *t)
{
	int req = t->t_rkind == RESUME_STEP ? PTRACE_SINGLESTEP :
	    t->t_proc->p_tgt->g_sys_catch ? PTRACE_SYSCALL : PTRACE_CONT;

	if (!t->t_stopped || t->t_rkind == RESUME_STOP || t->t_gone ||
	    t->t_proc->p_fork_waits != 0)
		return 0;
	if (t->t_regs_dirty && thr_regs_store(t) == -1)
		return -1;
	if (t->t_drop_sigstop && t->t_rsig == SIGSTOP)
		t->t_rsig = 0;
	t->t_drop_sigstop = false;
	t->t_regs_dirty = false;
	thr_invalidate(t);
	if (ptrace(req, t->t_tid, NULL, (void *)(long)t->t_rsig) == -1) {
		/* ESRCH: it died under us; its exit comes through wait. */
		if (errno != ESRCH)
			return -1;
		t->t_proc->p_tgt->g_need_poll = true;
	}
	t->t_stepping = (t->t_rkind == RESUME_STEP);
	t->t_stopped = false;
	tgt_fork_release_by(t);
	t->t_rsig = 0;
	/* Until it reports something, a stopped thread stopped for no reason. */
	memset(&t->t_stop, 0, sizeof(t->t_stop));
	t->t_stop.s_kind = STOP_SIGNAL;
	return 0;
}

/*
 * A pending software breakpoint event whose breakpoint gdb removed since
 * is stale: the PC already points at the instruction, so the thread
 * simply runs it when resumed.
 */
static bool
thr_pending_valid(struct thr *t)
{
	if (!t->t_pending)
		return false;
	if (t->t_stop.s_kind == STOP_SIGNAL && t->t_stop.s_why == WHY_SWBREAK) {
		struct regs *r = thr_regs(t, false);

		if (r != NULL && bp_find(t->t_proc, regs_pc(r)) == NULL) {
			t->t_pending = false;
			return false;
		}
	}
	return true;
}

int
tgt_resume(struct target *g)
{
	struct proc *p;
	struct thr *t;

	g->g_running = true;
	g->g_need_poll = false;
	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (t->t_rkind != RESUME_STOP && thr_pending_valid(t))
				return 1;	/* reported by tgt_poll */
		}
	}
	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (thr_resume(t) == -1)
				return -1;
		}
	}
	return g->g_need_poll ? 1 : 0;
}

/* ------------------------------------------------------------ stopping */

static struct thr *
tgt_unstopped(struct target *g, struct proc *only)
{
	struct proc *p;
	struct thr *t;

	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		if (only != NULL && p != only)
			continue;
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (!t->t_stopped)
				return t;
		}
	}
	return NULL;
}

/*
 * A thread our SIGSTOP cannot reach (tgkill failed, ESRCH as a rule):
 * no stop will ever come from it, so it is not waited for.  Whatever it
 * is -- gone (reaped), a zombie, or a task of another thread group that
 * was never ours -- it is forgotten, and the session told what it was.
 * A leader is kept, stopped, until its process's exit is reported.
 */
static void
thr_unreachable(struct thr *t, int err)
{
	struct proc *p = t->t_proc;
	struct tgt_note n;

	memset(&n, 0, sizeof(n));
	n.n_kind = NOTE_THREAD_DROPPED;
	n.n_pid = p->p_pid;
	n.n_tid = t->t_tid;
	n.n_errno = err;
	n.n_tgid = thr_tgid(t->t_tid);
	n.n_state = procfs_thread_state(n.n_tgid == -1 ? p->p_pid : n.n_tgid,
	    t->t_tid);
	t->t_want_sigstop = false;
	thr_gone(t);
	tgt_note(p->p_tgt, &n);
}

/*
 * Stop every running thread and wait until each is stopped.  Threads
 * that report another event first keep it pending; their SIGSTOP is
 * still queued and is swallowed when they next run (t_want_sigstop).
 */
void
tgt_stop_all(struct target *g)
{
	tgt_stop_proc(g, NULL);
}

/*
 * The same for one process only (NULL: all): in non-stop the others go
 * on as they were.
 */
void
tgt_stop_proc(struct target *g, struct proc *only)
{
	struct proc *p;
	struct thr *t, *tt;
	int status;
	pid_t r;

	g->g_stopping = true;
	g->g_stop_only = only;
	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		if (only != NULL && p != only)
			continue;
		TAILQ_FOREACH_SAFE(t, &p->p_threads, t_entry, tt) {
			if (t->t_stopped || t->t_want_sigstop)
				continue;
			if (syscall_tgkill(p->p_pid, t->t_tid, SIGSTOP) == -1) {
				thr_unreachable(t, errno);
				continue;
			}
			t->t_want_sigstop = true;
			/*
			 * A leader that called pthread_exit is a zombie until
			 * the last thread goes: it will never stop, and its
			 * exit is reported with the process's.
			 */
			if (t->t_tid == p->p_pid &&
			    procfs_thread_state(p->p_pid, t->t_tid) == 'Z') {
				t->t_stopped = true;
				t->t_want_sigstop = false;
			}
		}
	}
	/*
	 * Wait for anyone, not for a given thread: a leader's exit is only
	 * reported once its other threads are reaped, by us.
	 */
	while (tgt_unstopped(g, only) != NULL) {
		if ((r = waitpid(-1, &status, __WALL)) == -1) {
			if (errno == EINTR)
				continue;
			/* ECHILD: nobody left to wait for. */
			while ((t = tgt_unstopped(g, only)) != NULL)
				thr_gone(t);
			break;
		}
		tgt_route(g, r, status);
	}
	g->g_stopping = false;
	g->g_stop_only = NULL;
}

/* Has t an event to report (stopped, pending, not a stale breakpoint)? */
static bool
thr_reportable(struct thr *t)
{
	if (!t->t_pending || !t->t_stopped)
		return false;
	return t->t_stop.s_why != WHY_SWBREAK || thr_pending_valid(t);
}

/* The thread whose pending event came first, in a process not held. */
static struct thr *
tgt_oldest(struct target *g)
{
	struct proc *p;
	struct thr *t, *best = NULL;

	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		if (p->p_held)
			continue;
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (!thr_reportable(t))
				continue;
			if (best == NULL || (t->t_seq != 0 &&
			    (best->t_seq == 0 || t->t_seq < best->t_seq)))
				best = t;
		}
	}
	return best;
}

/*
 * A thread with a reportable event.  With resumed_only (all-stop, a
 * resume's events): not one the client left stopped, whose event waits
 * until it is resumed (gdbserver's rule; gdb, following a vfork, resumes
 * only the vfork's thread and must not hear of another thread's vfork
 * meanwhile).  An exit is always told.
 */
static struct thr *
pending(struct target *g, bool resumed_only)
{
	struct proc *p;
	struct thr *t, *first = NULL;

	/* A thread's exit (QThreadEvents) before its process's. */
	if (g->g_thread_events) {
		TAILQ_FOREACH(p, &g->g_procs, p_entry) {
			TAILQ_FOREACH(t, &p->p_threads, t_entry) {
				if (t->t_gone && t->t_pending)
					return t;
			}
		}
	}
	TAILQ_FOREACH(p, &g->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (!thr_reportable(t))
				continue;
			if (resumed_only && t->t_rkind == RESUME_STOP &&
			    !p->p_exited)
				continue;
			/* An exit or a signal before a breakpoint report. */
			if (first == NULL || t->t_stop.s_why != WHY_SWBREAK)
				first = t;
			if (t->t_stop.s_why != WHY_SWBREAK)
				return t;
		}
	}
	return first;
}

struct thr *
tgt_pending(struct target *g)
{
	return pending(g, false);
}

void
tgt_reap(void)
{
	int status;
	pid_t r;

	while ((r = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
		tgt_route(NULL, r, status);
}

struct thr *
tgt_poll(struct target *g)
{
	struct thr *t;
	int status;
	pid_t r;

	while ((r = waitpid(-1, &status, __WALL | WNOHANG)) > 0) {
		tgt_route(g, r, status);
		/*
		 * All-stop needs one event; stopping the others collects
		 * what else is queued, so no waitpid is spent on "none".
		 */
		if (g->g_running && (t = tgt_thr(g, r)) != NULL && t->t_pending)
			break;
	}
	return tgt_check(g);
}

struct thr *
tgt_check(struct target *g)
{
	struct thr *t;

	/* Non-stop: each event alone, oldest first; nothing else stops. */
	if (g->g_nonstop)
		return tgt_oldest(g);
	if (!g->g_running)
		return NULL;
	if ((t = pending(g, true)) == NULL)
		return NULL;
	tgt_stop_all(g);
	g->g_running = false;
	/* Stopping the others may have found an exit to report first. */
	return pending(g, true);
}

void
tgt_last_words(void (*say)(const struct proc *, unsigned removed))
{
	struct target *g;
	struct proc *p;
	struct bp *b;
	unsigned n;

	TAILQ_FOREACH(g, &targets, g_entry) {
		TAILQ_FOREACH(p, &g->g_procs, p_entry) {
			if (p->p_exited)
				continue;
			n = 0;
			if (p->p_attached) {
				TAILQ_FOREACH(b, &p->p_bps, b_entry)
					n += b->b_inserted &&
					    bp_unplant(p, b) == 0;
			}
			say(p, n);
		}
	}
}

int
tgt_stop_thread(struct thr *t)
{
	if (t->t_gone || t->t_pending)
		return 0;	/* its event will be told */
	if (t->t_stopped) {
		/*
		 * Stopped, but the client counts it as running (attached in
		 * non-stop): its stop is told now, with no signal.
		 */
		if (t->t_rkind != RESUME_STOP) {
			memset(&t->t_stop, 0, sizeof(t->t_stop));
			t->t_stop.s_kind = STOP_SIGNAL;
			t->t_stop.s_signo = t->t_stop_signo;
			t->t_pending = true;
		}
		t->t_stop_signo = 0;
		return 0;
	}
	/* Our SIGSTOP may be on its way already: it is the stop, then. */
	t->t_stop_req = true;
	if (t->t_want_sigstop)
		return 0;
	if (syscall_tgkill(t->t_proc->p_pid, t->t_tid, SIGSTOP) == -1) {
		t->t_stop_req = false;
		return -1;
	}
	t->t_want_sigstop = true;
	return 0;
}

int
tgt_interrupt(struct target *g, struct proc *p, int signo)
{
	struct thr *t;

	if (p == NULL && (p = TAILQ_FIRST(&g->g_procs)) == NULL) {
		errno = ESRCH;
		return -1;
	}
	/*
	 * A thread the client counts as running (scheduler-locking may
	 * have left the first ones stopped); none: every one has an event
	 * to tell or is stopped already, and that is the stop.
	 */
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		if (t->t_pending)
			return 0;
		if (!t->t_gone && (!t->t_stopped || t->t_rkind != RESUME_STOP))
			break;
	}
	if (t == NULL)
		return 0;
	t->t_stop_signo = signo;
	if (tgt_stop_thread(t) == -1) {
		t->t_stop_signo = 0;
		return -1;
	}
	return 0;
}
