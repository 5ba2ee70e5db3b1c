/*
 * events.c -- what a wait status means, and what we do about it.
 *
 * Every status the kernel reports for a thread we trace comes through
 * tgt_status.  It either handles the event inside (a new thread, a new
 * process to let go, our own SIGSTOP) and lets the thread go on, or marks
 * a stop event pending on the thread for the packet layer to report.
 */
#include <linux/kcmp.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/procfs.h"
#include "platform/ptrace_int.h"
#include "platform/target.h"

#ifndef SI_KERNEL
#define SI_KERNEL	0x80
#endif

#define TGT_MAX_STASH	64	/* statuses of not-yet-known threads kept */

/*
 * A new thread or fork child may report its first stop before its parent
 * reports the clone or fork event.  Such statuses wait here until the
 * parent's event names the new pid.
 */
static struct {
	pid_t	pid;
	int	status;
} stash[TGT_MAX_STASH];
static unsigned nstash;

void
tgt_stash(pid_t pid, int status)
{
	if (nstash == TGT_MAX_STASH) {
		/* Oldest first out: it belongs to nobody we know. */
		memmove(stash, stash + 1, sizeof(stash[0]) * (nstash - 1));
		nstash--;
	}
	stash[nstash].pid = pid;
	stash[nstash].status = status;
	nstash++;
}

/* The first status of a new pid: from the stash, or by waiting for it. */
static int
first_status(pid_t pid, int *status)
{
	unsigned i;

	for (i = 0; i < nstash; i++) {
		if (stash[i].pid == pid) {
			*status = stash[i].status;
			memmove(stash + i, stash + i + 1,
			    sizeof(stash[0]) * (nstash - i - 1));
			nstash--;
			return 0;
		}
	}
	while (waitpid(pid, status, __WALL) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

void
tgt_note(struct target *g, const struct tgt_note *n)
{
	if (g->g_note != NULL)
		g->g_note(g->g_note_arg, n);
}

void
thr_gone(struct thr *t)
{
	struct proc *p = t->t_proc;

	if (t->t_tid != p->p_pid) {
		thr_free(t);
		return;
	}
	/* The leader is kept until its exit is reported. */
	t->t_stopped = true;
}

/* Let a thread go on after an event we handled ourselves. */
static void
thr_go_on(struct thr *t)
{
	struct target *g = t->t_proc->p_tgt;

	if (g->g_running && !t->t_pending && (!g->g_stopping ||
	    (g->g_stop_only != NULL && g->g_stop_only != t->t_proc)))
		thr_resume(t);
}

/* 1. The process (leader exit) or one of its threads is gone. */
static void
ev_exit(struct thr *t, int status)
{
	struct proc *p = t->t_proc;
	struct thr *o, *to;

	if (t->t_tid != p->p_pid) {
		if (!p->p_tgt->g_thread_events) {
			thr_free(t);
			return;
		}
		/* QThreadEvents: kept until its exit is reported. */
		memset(&t->t_stop, 0, sizeof(t->t_stop));
		t->t_stop.s_kind = STOP_THREAD_EXIT;
		t->t_stop.s_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		t->t_stopped = t->t_pending = t->t_gone = true;
		t->t_want_sigstop = false;
		return;
	}
	TAILQ_FOREACH_SAFE(o, &p->p_threads, t_entry, to) {
		/* A thread exit not yet told (QThreadEvents) is told first. */
		if (o != t && !(o->t_gone && o->t_pending))
			thr_free(o);
	}
	memset(&t->t_stop, 0, sizeof(t->t_stop));
	if (WIFEXITED(status)) {
		t->t_stop.s_kind = STOP_EXITED;
		t->t_stop.s_code = WEXITSTATUS(status);
	} else {
		t->t_stop.s_kind = STOP_KILLED;
		t->t_stop.s_signo = WTERMSIG(status);
	}
	t->t_stopped = true;
	t->t_pending = true;
	t->t_want_sigstop = false;
	p->p_exited = true;
	tgt_procs_changed();
}

/*
 * The thread group of task tid (Tgid of /proc/TID/status), or -1.  The
 * kernel does not tell the tracer the clone flags; the Tgid says whether
 * CLONE_THREAD was among them, as lldb-server's MonitorClone decides.
 */
pid_t
thr_tgid(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "Tgid:", 5) == 0) {
			tgid = (pid_t)strtol(line + 5, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return tgid > 0 ? tgid : -1;
}

/* Does process pid share its memory with other (CLONE_VM)?  -1: unknown. */
static int
shares_vm(pid_t pid, pid_t other)
{
	long r = syscall(SYS_kcmp, pid, other, KCMP_VM, 0, 0);

	return r == -1 ? -1 : r == 0;
}

/*
 * GDB's fork events: the child becomes a process of the parent's target,
 * stopped, with the parent's breakpoints (its memory has them: a copy,
 * or the same pages), and the parent reports the fork.
 */
static int
child_keep(struct thr *t, pid_t child, enum tgt_child_how how)
{
	struct proc *p = t->t_proc, *c;
	struct thr *ct;
	struct bp *b;

	if ((c = proc_new(p->p_tgt, child, p->p_attached)) == NULL)
		return -1;
	if ((ct = thr_new(c, child)) == NULL) {
		proc_free(c);
		return -1;
	}
	ct->t_stopped = true;
	ct->t_stop.s_kind = STOP_SIGNAL;
	/*
	 * The client may not list what it has not heard of, nor resume it
	 * before it has dealt with the fork: until it resumes the forking
	 * thread, or names the child (gdbserver's rules).
	 */
	c->p_untold = true;
	c->p_fork_waits = t->t_tid;
	t->t_fork_child = child;
	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (bp_copy(c, b) == -1)
			break;
	}
	/* Out of memory only: the child then stops at each, as if true. */
	(void)cond_copy(c, p);
	memset(&t->t_stop, 0, sizeof(t->t_stop));
	t->t_stop.s_kind = how == CHILD_VFORK ? STOP_VFORK : STOP_FORK;
	t->t_stop.s_child = child;
	t->t_pending = true;
	if (how == CHILD_VFORK)
		t->t_vfork_kept = true;	/* threads vfork on their own */
	return 0;
}

/*
 * A new process (fork, vfork, or a clone without CLONE_THREAD), traced
 * and stopped at birth.  We let it go without our breakpoints:
 *    a. its own copy of memory: the original bytes go back in the copy;
 *    b. the parent's memory, parent suspended (vfork, CLONE_VFORK): the
 *       breakpoints come out of it until PTRACE_EVENT_VFORK_DONE;
 *    c. the parent's memory, both running (CLONE_VM alone): taking them
 *       out would take them out of the parent too, for good; they stay,
 *       and the child dies of SIGTRAP if it runs into one.
 * With kcmp unavailable the event says which: only vfork shares.
 */
static void
child_let_go(struct thr *t, pid_t child, enum tgt_child_how how)
{
	struct proc *p = t->t_proc;
	struct target *g = p->p_tgt;
	struct tgt_child c;
	struct tgt_note n;
	enum tgt_fate fate;
	int status, shared;

	memset(&n, 0, sizeof(n));
	n.n_kind = NOTE_CHILD_DETACHED;
	n.n_pid = child;
	n.n_ppid = p->p_pid;
	n.n_how = how;
	if (first_status(child, &status) == -1 || !WIFSTOPPED(status)) {
		n.n_kind = NOTE_CHILD_LOST;
		goto out;
	}
	if ((shared = shares_vm(p->p_pid, child)) == -1)
		shared = (how == CHILD_VFORK);
	n.n_shared_vm = shared;
	/*
	 * Held (fork handoff): a copy of memory gets the original bytes
	 * back; a vfork child runs in the parent's memory, which loses the
	 * breakpoints until vforkdone.  A clone (another exit signal than
	 * SIGCHLD: a process nobody waits for as a child) is never held; it
	 * may be kept as a fork (lldb-server tells lldb of one so).
	 */
	c.c_pid = child;
	c.c_ppid = p->p_pid;
	c.c_how = how;
	c.c_attached = p->p_attached;
	fate = CHILD_LET_GO;
	if (g->g_hold != NULL && (how == CHILD_CLONE || !shared ||
	    how == CHILD_VFORK))
		fate = g->g_hold(g->g_hold_arg, &c);
	/* A clone is kept (a fork event) or let go, never held. */
	if (how == CHILD_CLONE && fate == CHILD_HOLD)
		fate = CHILD_LET_GO;
	if (fate == CHILD_KEEP && child_keep(t, child, how) == 0)
		return;
	if (fate == CHILD_HOLD) {
		if (!shared)
			bp_clear_in(p, child);
		else
			bp_lift(p);
		return;
	}
	if (!shared)
		bp_clear_in(p, child);
	else if (how == CHILD_VFORK)
		bp_lift(p);
	else
		n.n_bps_left = p->p_nbps;
	if (ptrace(PTRACE_DETACH, child, NULL, NULL) == -1)
		n.n_kind = NOTE_CHILD_LOST;
out:
	tgt_note(p->p_tgt, &n);
}

/*
 * 2. PTRACE_EVENT_CLONE: a new thread, stopped by SIGSTOP at birth, or,
 *    without CLONE_THREAD, a new process (another thread group), handled
 *    as a fork child.
 */
static void
ev_clone(struct thr *t)
{
	unsigned long msg;
	struct thr *n;
	pid_t tgid;
	int status;

	if (ptrace(PTRACE_GETEVENTMSG, t->t_tid, NULL, &msg) == -1) {
		thr_go_on(t);
		return;
	}
	tgid = thr_tgid((pid_t)msg);
	if (tgid != -1 && tgid != t->t_proc->p_pid) {
		child_let_go(t, (pid_t)msg, CHILD_CLONE);
		thr_go_on(t);
		return;
	}
	if ((n = thr_new(t->t_proc, (pid_t)msg)) == NULL) {
		thr_go_on(t);
		return;
	}
	if (first_status(n->t_tid, &status) == -1 || !WIFSTOPPED(status)) {
		thr_free(n);
		thr_go_on(t);
		return;
	}
	n->t_stopped = true;
	hw_apply(n);
	n->t_rkind = RESUME_CONT;
	if (t->t_proc->p_tgt->g_thread_events) {
		/* QThreadEvents: the new thread stops to be told of. */
		n->t_stop.s_kind = STOP_THREAD_CREATED;
		n->t_pending = true;
	} else
		thr_go_on(n);
	thr_go_on(t);
}

/* 3. PTRACE_EVENT_FORK / VFORK: see child_let_go. */
static void
ev_fork(struct thr *t, bool vfork)
{
	unsigned long msg;

	if (ptrace(PTRACE_GETEVENTMSG, t->t_tid, NULL, &msg) == 0)
		child_let_go(t, (pid_t)msg, vfork ? CHILD_VFORK : CHILD_FORK);
	thr_go_on(t);
}

/*
 * The note of an exec: the program, and whether it is set-uid or set-gid
 * to an id the process did not get (the kernel does not raise a traced
 * program's privileges, LSM_UNSAFE_PTRACE, and says nothing).  On a
 * nosuid mount the bits mean nothing, traced or not: no note then.
 */
static void
exec_note(struct proc *p)
{
	struct tgt_note n = { .n_kind = NOTE_EXEC, .n_pid = p->p_pid };
	struct procinfo pi;
	struct statvfs sv;
	struct stat st;
	char path[64];
	ssize_t len;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)p->p_pid);
	if ((len = readlink(path, n.n_exe, sizeof(n.n_exe) - 1)) > 0)
		n.n_exe[len] = '\0';
	if (stat(path, &st) == 0 && procfs_process(p->p_pid, &pi) == 0) {
		n.n_file_uid = st.st_uid;
		n.n_file_gid = st.st_gid;
		n.n_euid = pi.pi_euid;
		n.n_egid = pi.pi_egid;
		n.n_setid_lost = (((st.st_mode & S_ISUID) &&
		    st.st_uid != pi.pi_euid) || ((st.st_mode & S_ISGID) &&
		    st.st_gid != pi.pi_egid)) &&
		    !(statvfs(path, &sv) == 0 && (sv.f_flag & ST_NOSUID));
	}
	tgt_note(p->p_tgt, &n);
}

/* 4. PTRACE_EVENT_EXEC: one thread left, a new program, no breakpoints. */
static void
ev_exec(struct thr *t)
{
	struct proc *p = t->t_proc;
	struct thr *o, *to;
	struct bp *b;

	TAILQ_FOREACH_SAFE(o, &p->p_threads, t_entry, to) {
		if (o != t)
			thr_free(o);
	}
	bp_ledger_forget(p);
	while ((b = TAILQ_FIRST(&p->p_bps)) != NULL) {
		TAILQ_REMOVE(&p->p_bps, b, b_entry);
		free(b);
	}
	p->p_nbps = 0;
	p->p_bps_lifted = false;
	memset(p->p_hw, 0, sizeof(p->p_hw));
	if (p->p_memfd != -1) {
		close(p->p_memfd);
		p->p_memfd = -1;
	}
	exec_note(p);
	memset(&t->t_stop, 0, sizeof(t->t_stop));
	if (p->p_tgt->g_exec_events) {
		t->t_stop.s_kind = STOP_EXEC;
	} else {
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_stop.s_signo = SIGTRAP;
	}
	t->t_pending = true;
}

/*
 * 5. SIGTRAP: our breakpoint, a debug register, a step, or a signal.
 *    int3 leaves the PC one past the breakpoint; it is moved back here,
 *    in the register cache the stop reply reads anyway.  The debug
 *    status register is only read when a debug register is in use.
 */
static void
ev_trap(struct thr *t)
{
	struct stop *s = &t->t_stop;
	struct regs *r;
	siginfo_t si;
	uint64_t pc;

	memset(s, 0, sizeof(*s));
	s->s_kind = STOP_SIGNAL;
	s->s_signo = SIGTRAP;
	t->t_pending = true;
	if (ptrace(PTRACE_GETSIGINFO, t->t_tid, NULL, &si) == -1)
		return;
	if (si.si_code <= 0)
		return;		/* sent by kill(2) and friends */
	if (si.si_code == SI_KERNEL || si.si_code == TRAP_BRKPT) {
		if ((r = thr_regs(t, false)) == NULL)
			return;
		pc = regs_pc(r) - 1;
		if (bp_find(t->t_proc, pc) != NULL &&
		    regs_poke_pc(t->t_tid, pc) == 0) {
			regs_set_pc(r, pc);
			s->s_why = WHY_SWBREAK;
		}
		return;
	}
	if (hw_in_use(t->t_proc))
		hw_classify(t, s);
	if (s->s_why == WHY_NONE && t->t_stepping)
		s->s_why = WHY_STEP;
}

static void
ev_ptrace_event(struct thr *t, int event)
{
	switch (event) {
	case PTRACE_EVENT_CLONE:
		ev_clone(t);
		break;
	case PTRACE_EVENT_FORK:
		ev_fork(t, false);
		break;
	case PTRACE_EVENT_VFORK:
		ev_fork(t, true);
		break;
	case PTRACE_EVENT_VFORK_DONE:
		if (t->t_vfork_kept) {
			/* The client kept the child: it says what happens. */
			t->t_vfork_kept = false;
			memset(&t->t_stop, 0, sizeof(t->t_stop));
			t->t_stop.s_kind = STOP_VFORK_DONE;
			t->t_pending = true;
			break;
		}
		bp_restore(t->t_proc);
		thr_go_on(t);
		break;
	case PTRACE_EVENT_EXEC:
		ev_exec(t);
		break;
	default:
		thr_go_on(t);
		break;
	}
}

/*
 * 5. A syscall stop (PTRACE_O_TRACESYSGOOD): reported when the client
 *    catches that syscall (QCatchSyscalls), else let go.
 */
static void
ev_syscall(struct thr *t)
{
	struct target *g = t->t_proc->p_tgt;
	struct __ptrace_syscall_info si;
	int nr, entry;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->t_tid, (void *)sizeof(si),
	    &si) <= 0 ||
	    (si.op != PTRACE_SYSCALL_INFO_ENTRY &&
	    si.op != PTRACE_SYSCALL_INFO_EXIT)) {
		thr_go_on(t);
		return;
	}
	entry = si.op == PTRACE_SYSCALL_INFO_ENTRY;
	nr = entry ? (int)si.entry.nr : t->t_sysno;
	t->t_sysno = entry ? nr : -1;
	if (!g->g_sys_catch || nr < 0 || (!g->g_sys_all &&
	    (nr >= TGT_MAX_SYSCALL ||
	    !(g->g_sys_set[nr / 8] & (1 << (nr % 8)))))) {
		thr_go_on(t);
		return;
	}
	memset(&t->t_stop, 0, sizeof(t->t_stop));
	t->t_stop.s_kind = entry ? STOP_SYSCALL_ENTRY : STOP_SYSCALL_RETURN;
	t->t_stop.s_sysno = nr;
	t->t_pending = true;
}

static bool
tgt_passes(const struct target *g, int sig)
{
	if (!g->g_pass_set || sig <= 0 || sig >= 64)
		return false;
	return (g->g_pass[sig / 8] & (1 << (sig % 8))) != 0;
}

/*
 * The ptrace stops we meet, in the order tested:
 *  1. exit or death: of the process when it is the leader's;
 *  2-4. PTRACE_EVENT_* stops (SIGTRAP | event << 8);
 *  5. syscall stops (SIGTRAP | 0x80): see ev_syscall;
 *  6. SIGSTOP we sent (t_want_sigstop): swallowed;
 *  7. SIGTRAP: classified by ev_trap;
 *  8. any other signal: passed straight back when QPassSignals lists it,
 *     else reported.
 */
void
tgt_status(struct target *g, pid_t tid, int status)
{
	struct thr *t = tgt_thr(g, tid);
	int sig, event;

	if (t == NULL) {
		if (WIFSTOPPED(status))
			tgt_stash(tid, status);
		return;
	}
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		ev_exit(t, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	t->t_stopped = true;
	thr_invalidate(t);
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	if (sig == SIGTRAP && event != 0) {
		ev_ptrace_event(t, event);
	} else if (sig == (SIGTRAP | 0x80)) {
		ev_syscall(t);
	} else if (sig == SIGSTOP && t->t_want_sigstop && t->t_stop_req &&
	    !t->t_pending) {
		/* The stop the client asked for (vCont;t, 0x03), reported. */
		t->t_want_sigstop = t->t_stop_req = false;
		memset(&t->t_stop, 0, sizeof(t->t_stop));
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_stop.s_signo = t->t_stop_signo;
		t->t_stop_signo = 0;
		t->t_pending = true;
	} else if (sig == SIGSTOP && t->t_want_sigstop) {
		t->t_want_sigstop = t->t_stop_req = false;
		t->t_stop_signo = 0;
		thr_go_on(t);
	} else if (sig == SIGTRAP) {
		ev_trap(t);
	} else if (tgt_passes(g, sig) && !t->t_stepping && !g->g_stopping &&
	    !t->t_pending) {
		t->t_rsig = sig;
		thr_resume(t);
	} else {
		memset(&t->t_stop, 0, sizeof(t->t_stop));
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_stop.s_signo = sig;
		t->t_pending = true;
	}
}
