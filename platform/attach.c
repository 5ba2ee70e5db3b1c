/*
 * attach.c -- attaching to a running process, detaching, killing.
 */
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/ptrace_int.h"
#include "platform/target.h"

#define ATTACH_MAX_ROUNDS	100	/* passes over /proc/PID/task */

/* Wait for the SIGSTOP that PTRACE_ATTACH sent; other stops are kept. */
static int
attach_wait(struct thr *t)
{
	int status;

	for (;;) {
		if (waitpid(t->t_tid, &status, __WALL) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (!WIFSTOPPED(status)) {
			errno = ESRCH;
			return -1;
		}
		t->t_stopped = true;
		if (WSTOPSIG(status) == SIGSTOP) {
			t->t_want_sigstop = false;
			return 0;
		}
		/* Another signal came first: report it later. */
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_stop.s_signo = WSTOPSIG(status);
		t->t_pending = true;
		return 0;
	}
}

static int
attach_thread(struct proc *p, pid_t tid)
{
	struct thr *t;

	if (ptrace(PTRACE_ATTACH, tid, NULL, NULL) == -1)
		return -1;
	if ((t = thr_new(p, tid)) == NULL)
		return -1;
	t->t_want_sigstop = true;
	if (attach_wait(t) == -1) {
		thr_free(t);
		return -1;
	}
	ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)(long)PTR_OPTIONS);
	return 0;
}

/* One pass over /proc/PID/task; returns threads newly attached, or -1. */
static int
attach_round(struct proc *p)
{
	char path[64];
	struct dirent *de;
	struct target *g = p->p_tgt;
	DIR *d;
	int added = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->p_pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		const char *errstr;
		pid_t tid = strtonum(de->d_name, 1, INT32_MAX, &errstr);

		if (errstr != NULL || tgt_thr(g, tid) != NULL)
			continue;
		if (attach_thread(p, tid) == 0)
			added++;
		else if (tid == p->p_pid) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return added;
}

int
tgt_attach(struct target *g, pid_t pid, struct proc **pp)
{
	struct proc *p;
	int n, rounds, e;

	if (pid <= 0 || pid == getpid()) {
		errno = EPERM;
		return -1;
	}
	if (tgt_proc(g, pid) != NULL || tgt_thr(g, pid) != NULL) {
		errno = EALREADY;
		return -1;
	}
	if (kill(pid, 0) == -1 && errno == ESRCH)
		return -1;
	if ((p = proc_new(g, pid, true)) == NULL)
		return -1;
	if (attach_thread(p, pid) == -1)
		goto fail;
	for (rounds = 0; rounds < ATTACH_MAX_ROUNDS; rounds++) {
		if ((n = attach_round(p)) == -1)
			goto fail;
		if (n == 0)
			break;
	}
	/*
	 * The attach stop is reported with no signal (T00, as gdbserver):
	 * reported as SIGSTOP, a client would pass it on at the next resume
	 * and the process would stop again, for good after a detach.
	 */
	TAILQ_FIRST(&p->p_threads)->t_stop.s_kind = STOP_SIGNAL;
	*pp = p;
	return 0;
fail:
	e = errno;
	tgt_detach(p);
	errno = e;
	return -1;
}

/*
 * A thread whose SIGSTOP from us is still queued would stop again right
 * after we let it go; run it into that SIGSTOP first.  Returns a signal
 * that arrived meanwhile, to be passed on at detach.
 */
static int
thr_drain_sigstop(struct thr *t)
{
	int status, sig = 0;

	while (t->t_want_sigstop) {
		if (ptrace(PTRACE_CONT, t->t_tid, NULL, NULL) == -1)
			return 0;
		if (waitpid(t->t_tid, &status, __WALL) == -1 ||
		    !WIFSTOPPED(status))
			return 0;
		if (WSTOPSIG(status) == SIGSTOP)
			t->t_want_sigstop = false;
		else if (WSTOPSIG(status) != SIGTRAP)
			sig = WSTOPSIG(status);
	}
	return sig;
}

/* The kept child of a fork t reported, or that t has pending. */
static struct proc *
fork_child(const struct thr *t)
{
	if (t->t_stop.s_kind != STOP_FORK && t->t_stop.s_kind != STOP_VFORK)
		return NULL;
	return tgt_proc(t->t_proc->p_tgt, t->t_stop.s_child);
}

/*
 * p goes (detached or killed) with a fork not yet reported: its child,
 * which the client never heard of, goes the same way (gdbserver's rule).
 */
static void
untold_children(struct proc *p, int (*fn)(struct proc *))
{
	struct thr *t;
	struct proc *c;

	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		if (t->t_pending && (c = fork_child(t)) != NULL && c->p_untold)
			fn(c);
	}
}

int
tgt_detach(struct proc *p)
{
	struct thr *t;
	int sig;

	/* Non-stop: the other processes go on as they were. */
	tgt_stop_proc(p->p_tgt, p->p_tgt->g_nonstop ? p : NULL);
	untold_children(p, tgt_detach);
	if (p->p_exited) {
		proc_free(p);
		return 0;
	}
	bp_remove_all(p);
	hw_clear_all(p);
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		sig = thr_drain_sigstop(t);
		/* A signal the client never saw is passed on, not lost. */
		if (sig == 0 && t->t_pending && t->t_stop.s_kind == STOP_SIGNAL &&
		    t->t_stop.s_signo != SIGTRAP && t->t_stop.s_signo != SIGSTOP)
			sig = t->t_stop.s_signo;
		if (t->t_regs_dirty)
			thr_regs_store(t);
		ptrace(PTRACE_DETACH, t->t_tid, NULL, (void *)(long)sig);
	}
	proc_free(p);
	return 0;
}

int
tgt_kill(struct proc *p)
{
	struct target *g = p->p_tgt;
	int status;
	pid_t r;

	untold_children(p, tgt_kill);
	if (!p->p_exited)
		kill(p->p_pid, SIGKILL);
	/*
	 * Every thread reports its death and the leader's comes last, only
	 * once the others are reaped: so wait for anyone, not the leader.
	 */
	while (!p->p_exited) {
		if ((r = waitpid(-1, &status, __WALL)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		tgt_route(g, r, status);
	}
	proc_free(p);
	return 0;
}

void
tgt_forget(struct proc *p)
{
	proc_free(p);
}

void
tgt_reported(struct thr *t)
{
	struct proc *c;

	/* The client knows of the child now, and may let it run. */
	if (t->t_pending && (c = fork_child(t)) != NULL)
		c->p_untold = false;
	/*
	 * Any stop told answers the client's request to stop the thread:
	 * our SIGSTOP, if still due, is swallowed when it comes (told, it
	 * would be a stop the client never asked for).
	 */
	t->t_stop_req = false;
	t->t_stop_signo = 0;
	t->t_pending = false;
	t->t_seq = 0;
}

