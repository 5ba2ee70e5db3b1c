/*
 * cond.c -- target-side breakpoint conditions (GDB's
 * ConditionalBreakpoints): the agent expressions gdb attaches to a Z0 or
 * Z1, evaluated here when the breakpoint is hit, and the step that takes
 * a thread over a breakpoint whose conditions are all false, so that gdb
 * never hears of it (the round trips are what the feature saves).
 */
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform/ax.h"
#include "platform/ptrace_int.h"
#include "platform/regs.h"
#include "platform/target.h"

static struct cond *
cond_find(const struct proc *p, bool hw, uint64_t addr)
{
	struct cond *c;

	TAILQ_FOREACH(c, &p->p_conds, c_entry) {
		if (c->c_hw == hw && c->c_addr == addr)
			return c;
	}
	return NULL;
}

static void
cond_free(struct proc *p, struct cond *c)
{
	unsigned i;

	TAILQ_REMOVE(&p->p_conds, c, c_entry);
	for (i = 0; i < c->c_n; i++)
		free(c->c_code[i]);
	free(c);
}

int
cond_set(struct proc *p, bool hw, uint64_t addr, unsigned n,
    uint8_t *const *code, const size_t *len)
{
	struct cond *c, *old = cond_find(p, hw, addr);
	unsigned i;

	if (n > TGT_MAX_CONDS) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (len[i] == 0 || len[i] > AX_MAX_LEN) {
			errno = EINVAL;
			return -1;
		}
	}
	if (n == 0) {
		if (old != NULL)
			cond_free(p, old);
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->c_hw = hw;
	c->c_addr = addr;
	for (i = 0; i < n; i++) {
		if ((c->c_code[i] = malloc(len[i])) == NULL) {
			while (i-- > 0)
				free(c->c_code[i]);
			free(c);
			return -1;
		}
		memcpy(c->c_code[i], code[i], len[i]);
		c->c_len[i] = len[i];
	}
	c->c_n = n;
	if (old != NULL)
		cond_free(p, old);
	TAILQ_INSERT_TAIL(&p->p_conds, c, c_entry);
	return 0;
}

/* Debug registers are not inherited: only software breakpoints' go. */
int
cond_copy(struct proc *to, const struct proc *from)
{
	const struct cond *c;

	TAILQ_FOREACH(c, &from->p_conds, c_entry) {
		if (!c->c_hw && cond_set(to, false, c->c_addr, c->c_n,
		    c->c_code, c->c_len) == -1)
			return -1;
	}
	return 0;
}

void
cond_clear_all(struct proc *p)
{
	struct cond *c;

	while ((c = TAILQ_FIRST(&p->p_conds)) != NULL)
		cond_free(p, c);
}

/* ------------------------------------------------------------ evaluation */

/* An agent expression's reg: the register's low 8 bytes. */
static int
cond_reg(void *arg, unsigned regno, uint64_t *val)
{
	struct thr *t = arg;
	uint8_t buf[REGS_MAX_REG_BYTES];
	struct regs *r;
	int n;

	if (regno >= regs_count() || (r = thr_regs(t, false)) == NULL)
		return -1;
	/* Past the general registers the XSAVE area is needed. */
	if ((n = regs_get(r, regno, buf)) == -1 &&
	    ((r = thr_regs(t, true)) == NULL ||
	    (n = regs_get(r, regno, buf)) == -1))
		return -1;
	*val = 0;
	memcpy(val, buf, (size_t)n < sizeof(*val) ? (size_t)n : sizeof(*val));
	return 0;
}

/* Memory as the program sees it: our int3s hidden. */
static int
cond_mem(void *arg, uint64_t addr, void *buf, size_t n)
{
	struct thr *t = arg;

	return mem_read(t->t_proc, addr, buf, n) == (ssize_t)n ? 0 : -1;
}

bool
cond_false(struct thr *t)
{
	const struct ax_env env = { t, cond_reg, cond_mem };
	const struct stop *st = &t->t_stop;
	const struct cond *c;
	struct regs *r;
	uint64_t v;
	unsigned i;

	if (TAILQ_EMPTY(&t->t_proc->p_conds) || !t->t_pending ||
	    st->s_kind != STOP_SIGNAL || (st->s_why != WHY_SWBREAK &&
	    st->s_why != WHY_HWBREAK) || (r = thr_regs(t, false)) == NULL ||
	    (c = cond_find(t->t_proc, st->s_why == WHY_HWBREAK,
	    regs_pc(r))) == NULL)
		return false;
	for (i = 0; i < c->c_n; i++) {
		/* One true, or one we cannot tell: gdb hears of the hit. */
		if (ax_eval(c->c_code[i], c->c_len[i], &env, &v) != AX_OK ||
		    v != 0)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ stepping */

/* The breakpoint at pc out of the way (out), or back. */
static int
cond_aside(struct proc *p, bool hw, uint64_t pc, bool out)
{
	struct bp *b;

	if (hw)
		return out ? hw_remove(p, HW_EXEC, pc, 1) :
		    hw_insert(p, HW_EXEC, pc, 1);
	if ((b = bp_find(p, pc)) == NULL || p->p_bps_lifted)
		return 0;
	return out ? bp_unplant(p, b) : bp_plant(p, b);
}

int
tgt_go_on(struct thr *t)
{
	struct proc *p = t->t_proc;
	struct target *g = p->p_tgt;
	enum resume_kind kind = t->t_rkind;
	bool hw = t->t_stop.s_why == WHY_HWBREAK, done;
	bool asked = t->t_stop_req;	/* the client wants it stopped */
	struct regs *r;
	struct thr *o;
	uint64_t pc;
	int status, rc = 0;
	pid_t w;

	if ((r = thr_regs(t, false)) == NULL)
		return -1;
	pc = regs_pc(r);
	/*
	 * Nobody else may run past the breakpoint while it is out.  With
	 * other threads of the process running (non-stop), stopping them
	 * for the step proved unsafe while threads fork (a SIGSTOP owed
	 * outlived its signal and tgt_stop_proc waited for ever; the tree
	 * of forking-threads-plus-breakpoint.exp also crashed): the hit is
	 * told instead.  gdb evaluates the condition again, finds it false
	 * and resumes, at the cost of a round trip.
	 */
	TAILQ_FOREACH(o, &p->p_threads, t_entry) {
		if (o != t && !o->t_stopped && !o->t_gone) {
			errno = EAGAIN;
			return -1;
		}
	}
	tgt_reported(t);
	if (cond_aside(p, hw, pc, true) == -1) {
		rc = -1;
		goto out;
	}
	t->t_rkind = RESUME_STEP;
	t->t_rsig = 0;
	if (thr_resume(t) == -1) {
		rc = -1;
		cond_aside(p, hw, pc, false);
		goto out;
	}
	while ((w = waitpid(t->t_tid, &status, __WALL)) == -1 &&
	    errno == EINTR)
		;
	cond_aside(p, hw, pc, false);
	if (w == -1) {
		rc = -1;
		goto out;
	}
	tgt_status(g, t->t_tid, status);
	done = t->t_stopped && t->t_pending && !t->t_gone &&
	    t->t_stop.s_kind == STOP_SIGNAL && t->t_stop.s_signo == SIGTRAP &&
	    t->t_stop.s_why == WHY_STEP;
	t->t_rkind = kind;
	if (!done) {
		rc = 1;		/* a signal, an exit, an event: told */
		goto out;
	}
	tgt_reported(t);
	if (asked) {
		/* Stopped, as asked, past the breakpoint: that is told. */
		memset(&t->t_stop, 0, sizeof(t->t_stop));
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_pending = true;
		rc = 1;
	} else if (thr_resume(t) == -1)
		rc = -1;
out:
	return rc;
}
