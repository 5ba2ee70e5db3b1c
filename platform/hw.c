/*
 * hw.c -- hardware breakpoints and watchpoints in DR0-DR3.
 *
 * The slots belong to the process and are written into every thread.
 * A watched region that is not one aligned 1, 2, 4 or 8 byte piece is
 * split into pieces, one slot each, and fails if they do not all fit.
 */
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform/ptrace_int.h"
#include "platform/target.h"

#define DR_STATUS	6
#define DR_CONTROL	7
#define DR6_BS		(1u << 14)	/* single step */
#define HW_MAX_PIECES	TGT_HW_SLOTS
#define HW_CLEAR_TIMEOUT_MS	500	/* hw_clear_untraced's helper */
#define HW_CLEAR_NONE	255	/* its exit status: no thread cleared */

static tgt_hw_ledger_fn *hw_ledger;	/* tgt_set_hw_ledger's */

void
tgt_set_hw_ledger(tgt_hw_ledger_fn *fn)
{
	hw_ledger = fn;
}

/* The slots of p changed: tell the ledger whether any is in use. */
static void
hw_note(const struct proc *p)
{
	if (hw_ledger != NULL && p->p_attached)
		hw_ledger(p->p_pid, hw_in_use(p));
}

void
hw_ledger_forget(struct proc *p)
{
	if (hw_ledger != NULL && p->p_attached)
		hw_ledger(p->p_pid, false);
}

static unsigned
dr7_rw(enum hw_type type)
{
	switch (type) {
	case HW_EXEC:
		return 0;
	case HW_WRITE:
		return 1;
	default:
		return 3;	/* x86 has no read-only watch: read or write */
	}
}

static unsigned
dr7_len(unsigned len)
{
	switch (len) {
	case 2:
		return 1;
	case 4:
		return 3;
	case 8:
		return 2;
	default:
		return 0;
	}
}

static uint64_t
dr7_value(const struct proc *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < TGT_HW_SLOTS; i++) {
		const struct hw_slot *h = &p->p_hw[i];

		if (h->h_type == HW_NONE)
			continue;
		v |= 1ull << (i * 2);
		v |= (uint64_t)dr7_rw(h->h_type) << (16 + i * 4);
		v |= (uint64_t)(h->h_type == HW_EXEC ? 0 : dr7_len(h->h_len))
		    << (18 + i * 4);
	}
	return v;
}

int
hw_apply(struct thr *t)
{
	struct proc *p = t->t_proc;
	int i;

	if (regs_poke_dr(t->t_tid, DR_CONTROL, 0) == -1)
		return -1;
	for (i = 0; i < TGT_HW_SLOTS; i++) {
		if (p->p_hw[i].h_type != HW_NONE &&
		    regs_poke_dr(t->t_tid, i, p->p_hw[i].h_addr) == -1)
			return -1;
	}
	return regs_poke_dr(t->t_tid, DR_CONTROL, dr7_value(p));
}

static int
hw_apply_all(struct proc *p)
{
	struct thr *t;
	int rc = 0;

	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		if (t->t_stopped && hw_apply(t) == -1)
			rc = -1;
	}
	return rc;
}

/* Split [addr, addr+len) into aligned pieces of 1, 2, 4 or 8 bytes. */
static int
hw_pieces(uint64_t addr, uint64_t len, uint64_t *pa, unsigned *pl)
{
	int n = 0;

	while (len > 0) {
		unsigned size = 8;

		while (size > 1 && (addr % size != 0 || size > len))
			size /= 2;
		if (n == HW_MAX_PIECES)
			return -1;
		pa[n] = addr;
		pl[n] = size;
		n++;
		addr += size;
		len -= size;
	}
	return n;
}

int
hw_insert(struct proc *p, enum hw_type type, uint64_t addr, unsigned len)
{
	struct hw_slot saved[TGT_HW_SLOTS];
	uint64_t pa[HW_MAX_PIECES];
	unsigned pl[HW_MAX_PIECES];
	int n, i, j;

	if (type == HW_EXEC)
		len = 1;
	if (len == 0 || (n = hw_pieces(addr, len, pa, pl)) == -1) {
		errno = ENOSPC;
		return -1;
	}
	memcpy(saved, p->p_hw, sizeof(saved));
	for (i = 0; i < n; i++) {
		for (j = 0; j < TGT_HW_SLOTS; j++) {
			if (p->p_hw[j].h_type == HW_NONE)
				break;
		}
		if (j == TGT_HW_SLOTS) {
			memcpy(p->p_hw, saved, sizeof(saved));
			errno = ENOSPC;
			return -1;
		}
		p->p_hw[j].h_type = type;
		p->p_hw[j].h_addr = pa[i];
		p->p_hw[j].h_len = pl[i];
	}
	if (hw_apply_all(p) == -1) {
		memcpy(p->p_hw, saved, sizeof(saved));
		hw_apply_all(p);
		return -1;
	}
	hw_note(p);
	return 0;
}

int
hw_remove(struct proc *p, enum hw_type type, uint64_t addr, unsigned len)
{
	uint64_t pa[HW_MAX_PIECES];
	unsigned pl[HW_MAX_PIECES];
	int n, i, j, rc, found = 0;

	if (type == HW_EXEC)
		len = 1;
	if (len == 0 || (n = hw_pieces(addr, len, pa, pl)) == -1) {
		errno = ENOENT;
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < TGT_HW_SLOTS; j++) {
			struct hw_slot *h = &p->p_hw[j];

			if (h->h_type == type && h->h_addr == pa[i] &&
			    h->h_len == pl[i]) {
				memset(h, 0, sizeof(*h));
				found++;
				break;
			}
		}
	}
	if (found == 0) {
		errno = ENOENT;
		return -1;
	}
	rc = hw_apply_all(p);
	hw_note(p);
	return rc;
}

void
hw_clear_all(struct proc *p)
{
	memset(p->p_hw, 0, sizeof(p->p_hw));
	hw_apply_all(p);
	hw_note(p);
}

/*
 * One thread of a process nobody traces: DR7 zeroed (which disables
 * DR0-DR3), and the thread let go as it was.  0, or -1 if it could not
 * be stopped or written.
 */
static int
hw_clear_thread(pid_t tid)
{
	uint64_t dr6;
	int status, rc = -1, sig = 0;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) == -1)
		return -1;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) == 0 &&
	    waitpid(tid, &status, __WALL) == tid && WIFSTOPPED(status)) {
		/* A signal's stop rather than ours: the signal goes on... */
		if ((unsigned)status >> 16 != PTRACE_EVENT_STOP)
			sig = WSTOPSIG(status);
		/* ...but for the trap of a stale slot, which would kill it. */
		if (sig == SIGTRAP && regs_peek_dr(tid, DR_STATUS, &dr6) == 0 &&
		    (dr6 & 0xf) != 0) {
			sig = 0;
			regs_poke_dr(tid, DR_STATUS, 0);
		}
		rc = regs_poke_dr(tid, DR_CONTROL, 0);
	}
	ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig);
	return rc;
}

/* In the helper: every thread of pid; exits with how many were cleared. */
static void __attribute__((noreturn))
hw_clear_threads(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	long tid;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL)
		_exit(HW_CLEAR_NONE);
	while ((de = readdir(d)) != NULL) {
		if ((tid = strtol(de->d_name, NULL, 10)) > 0 &&
		    hw_clear_thread((pid_t)tid) == 0 && n < HW_CLEAR_NONE - 1)
			n++;
	}
	_exit(n == 0 ? HW_CLEAR_NONE : n);
}

/*
 * A helper process does the ptrace work: a thread that cannot stop (a
 * vfork parent waiting on a stopped child, an uninterruptible sleep)
 * would block its waitpid for good, and the caller is a daemon serving
 * other sessions.  Past HW_CLEAR_TIMEOUT_MS the helper is killed, and
 * its death lets the threads it held go as they were.
 */
int
hw_clear_untraced(pid_t pid)
{
	const struct timespec ms = { 0, 1000000 };
	unsigned waited = 0;
	int status;
	pid_t h, r;

	if ((h = fork()) == -1)
		return -1;
	if (h == 0)
		hw_clear_threads(pid);
	while ((r = waitpid(h, &status, WNOHANG)) == 0 &&
	    waited < HW_CLEAR_TIMEOUT_MS) {
		nanosleep(&ms, NULL);
		waited++;
	}
	if (r == 0) {
		kill(h, SIGKILL);
		waitpid(h, &status, 0);
		errno = ETIMEDOUT;
		return -1;
	}
	if (r == -1)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == HW_CLEAR_NONE) {
		errno = ESRCH;
		return -1;
	}
	return WEXITSTATUS(status);
}

bool
hw_in_use(const struct proc *p)
{
	int i;

	for (i = 0; i < TGT_HW_SLOTS; i++) {
		if (p->p_hw[i].h_type != HW_NONE)
			return true;
	}
	return false;
}

int
hw_classify(struct thr *t, struct stop *s)
{
	struct proc *p = t->t_proc;
	uint64_t dr6;
	int i;

	if (regs_peek_dr(t->t_tid, DR_STATUS, &dr6) == -1)
		return -1;
	for (i = 0; i < TGT_HW_SLOTS; i++) {
		const struct hw_slot *h = &p->p_hw[i];

		if (!(dr6 & (1u << i)) || h->h_type == HW_NONE)
			continue;
		s->s_addr = h->h_addr;
		switch (h->h_type) {
		case HW_EXEC:
			s->s_why = WHY_HWBREAK;
			break;
		case HW_WRITE:
			s->s_why = WHY_WATCH;
			break;
		case HW_READ:
			s->s_why = WHY_RWATCH;
			break;
		default:
			s->s_why = WHY_AWATCH;
			break;
		}
		break;
	}
	if (s->s_why == WHY_NONE && (dr6 & DR6_BS))
		s->s_why = WHY_STEP;
	return regs_poke_dr(t->t_tid, DR_STATUS, 0);
}
