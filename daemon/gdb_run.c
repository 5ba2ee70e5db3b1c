/*
 * gdb_run.c -- starting, resuming, stopping and ending processes, and
 * the stop replies that report it.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/procfs.h"
#include "platform/signals.h"

#define GDB_MAX_VCONT_ACTIONS	256	/* actions in one vCont */
#define GDB_MAX_ANCESTRY	4096	/* parents walked looking for a pid */
#define LLDB_E_RUNNING		0x37	/* lldb-server: resume while running */

/* Registers sent with every stop: rbp, rsp, rip (gdb's numbers). */
static const unsigned expedited[] = { 6, 7, 16 };

static void	gdb_poll_cb(void *);

/* ------------------------------------------------------------ replies */

static void
put_expedited(struct gsess *s, struct thr *t)
{
	struct regs *r;
	unsigned i;

	if ((r = thr_regs(t, false)) == NULL)
		return;
	for (i = 0; i < sizeof(expedited) / sizeof(expedited[0]); i++)
		gdb_put_reg(&s->s_reply, r, expedited[i]);
}

static void
put_reason(struct gsess *s, struct thr *t)
{
	struct rsp_buf *b = &s->s_reply;
	const struct stop *st = &t->t_stop;
	char path[GDB_MAX_PATH];

	switch (st->s_why) {
	case WHY_SWBREAK:
		if (s->s_swbreak)
			rsp_buf_addf(b, "swbreak:;");
		break;
	case WHY_HWBREAK:
		if (s->s_hwbreak)
			rsp_buf_addf(b, "hwbreak:;");
		break;
	case WHY_WATCH:
		rsp_buf_addf(b, "watch:%llx;", (unsigned long long)st->s_addr);
		break;
	case WHY_RWATCH:
		rsp_buf_addf(b, "rwatch:%llx;", (unsigned long long)st->s_addr);
		break;
	case WHY_AWATCH:
		rsp_buf_addf(b, "awatch:%llx;", (unsigned long long)st->s_addr);
		break;
	default:
		break;
	}
	if (st->s_kind == STOP_FORK || st->s_kind == STOP_VFORK) {
		rsp_buf_addf(b, "%s:", st->s_kind == STOP_FORK ? "fork" :
		    "vfork");
		gdb_put_ptid(s, b, st->s_child, st->s_child);
		rsp_buf_addc(b, ';');
	} else if (st->s_kind == STOP_VFORK_DONE)
		rsp_buf_addf(b, "vforkdone:;");
	else if (st->s_kind == STOP_THREAD_CREATED)
		rsp_buf_addf(b, "create:;");
	else if (st->s_kind == STOP_SYSCALL_ENTRY ||
	    st->s_kind == STOP_SYSCALL_RETURN)
		rsp_buf_addf(b, "%s:%x;", st->s_kind == STOP_SYSCALL_ENTRY ?
		    "syscall_entry" : "syscall_return", (unsigned)st->s_sysno);
	if (st->s_kind == STOP_EXEC &&
	    procfs_exe(t->t_proc->p_pid, path, sizeof(path)) == 0) {
		rsp_buf_addf(b, "exec:");
		rsp_buf_addhex(b, path, strlen(path));
		rsp_buf_addc(b, ';');
	}
}

/*
 * A host signal as the client numbers it: lldb uses Linux's numbers
 * (as lldb-server sends them), gdb its own.
 */
static int
sig_out(struct gsess *s, int host)
{
	return s->s_lldb ? host : sig_to_gdb(host);
}

/* The signal of a T reply for t. */
static int
t_signal(struct gsess *s, const struct thr *t)
{
	const struct stop *st = &t->t_stop;

	if (st->s_kind == STOP_EXEC)	/* lldb-server: T13...reason:exec */
		return s->s_lldb ? SIGSTOP : GDB_SIGNAL_TRAP;
	if (st->s_kind == STOP_FORK || st->s_kind == STOP_VFORK ||
	    st->s_kind == STOP_VFORK_DONE || st->s_kind == STOP_SYSCALL_ENTRY ||
	    st->s_kind == STOP_SYSCALL_RETURN ||
	    st->s_kind == STOP_THREAD_CREATED)
		return s->s_lldb ? SIGTRAP : GDB_SIGNAL_TRAP;
	/* lldb: an event still pending is reported later, not twice. */
	if (s->s_lldb && t->t_pending)
		return 0;
	return sig_out(s, st->s_signo);
}

/* "Tss...": a stopped thread's signal, registers, id and reason. */
static void
put_t_reply(struct gsess *s, struct thr *t)
{
	struct rsp_buf *b = &s->s_reply;
	struct proc *p = t->t_proc;

	rsp_buf_addf(b, "%c%02x", (s->s_disabled & GDB_DISABLE_T) ? 'S' : 'T',
	    t_signal(s, t) & 0xff);
	if (s->s_disabled & GDB_DISABLE_T)
		return;
	if (!s->s_lldb)		/* lldb-server: thread: first, then registers */
		put_expedited(s, t);
	if (!(s->s_disabled & GDB_DISABLE_TTHREAD)) {
		rsp_buf_addf(b, "thread:");
		gdb_put_ptid(s, b, p->p_pid, t->t_tid);
		rsp_buf_addc(b, ';');
	}
	if (s->s_lldb)
		gdb_lldb_stop_keys(s, b, t);
	else
		put_reason(s, t);
}

/* lldb's qThreadStopInfo: t's last stop again, nothing consumed. */
void
gdb_thread_stop(struct gsess *s, struct thr *t)
{
	gdb_thread_format(s, t);
	gdb_reply_buf(s);
}

void
gdb_thread_format(struct gsess *s, struct thr *t)
{
	rsp_buf_reset(&s->s_reply);
	put_t_reply(s, t);
}

/*
 * The stop reply for t's event: W/X for a process that ended (and the
 * process is forgotten), T for everything else.
 */
void
gdb_stop_reply(struct gsess *s, struct thr *t)
{
	gdb_stop_format(s, t);
	gdb_reply_buf(s);
}

void
gdb_stop_format(struct gsess *s, struct thr *t)
{
	struct rsp_buf *b = &s->s_reply;
	struct proc *p = t->t_proc;
	const struct stop *st = &t->t_stop;

	rsp_buf_reset(b);
	tgt_reported(t);
	if (st->s_kind == STOP_EXITED || st->s_kind == STOP_KILLED) {
		if (st->s_kind == STOP_EXITED)
			rsp_buf_addf(b, "W%02x", st->s_code & 0xff);
		else
			rsp_buf_addf(b, "X%02x", sig_out(s, st->s_signo) & 0xff);
		if (s->s_multiprocess)
			rsp_buf_addf(b, ";process:%x", (unsigned)p->p_pid);
		log_info("process %d %s %d", (int)p->p_pid,
		    st->s_kind == STOP_EXITED ? "exited with status" :
		    "killed by signal", st->s_kind == STOP_EXITED ?
		    st->s_code : st->s_signo);
		if (s->s_last == t)
			s->s_last = NULL;
		tgt_forget(p);
		return;
	}
	if (st->s_kind == STOP_THREAD_EXIT) {
		/* QThreadEvents: "w", and the thread is forgotten. */
		rsp_buf_addf(b, "w%02x;", st->s_code & 0xff);
		gdb_put_ptid(s, b, p->p_pid, t->t_tid);
		if (s->s_last == t)
			s->s_last = NULL;
		thr_forget(t);
		return;
	}
	if (st->s_kind == STOP_EXEC)
		mem_forget_allocs(p);
	put_t_reply(s, t);
	s->s_last = t;
	/*
	 * All-stop: the stopped thread becomes the general one (gdbserver's
	 * rule, gdb counts on it).  Non-stop: a stop is formatted when it
	 * happens, not when gdb reads it, and gdb's own Hg must stand:
	 * else its next P or G lands on another thread.  lldb-server moves
	 * it in both modes, and lldb's tests count on that.
	 */
	if (!s->s_nonstop || s->s_lldb) {
		s->s_gpid = p->p_pid;
		s->s_gtid = t->t_tid;
	}
}

/* '?': why the target stopped, or W00 when there is nothing. */
void
gdb_status(struct gsess *s)
{
	struct thr *t = NULL;
	struct proc *p;

	if (s->s_last != NULL && tgt_thr(s->s_tgt, s->s_last->t_tid) ==
	    s->s_last)
		t = s->s_last;
	if (t == NULL && (t = tgt_pending(s->s_tgt)) == NULL &&
	    (p = tgt_first_proc(s->s_tgt)) != NULL)
		t = TAILQ_FIRST(&p->p_threads);
	if (t == NULL) {
		/* lldb reads W as "the process exited"; lldb-server: E02. */
		gdb_reply(s, s->s_lldb ? "E02" : "W00");
		return;
	}
	/*
	 * An event already told is not told again: asked after a reconnect,
	 * a thread that forked is a thread stopped by a trap (gdb 13 asserts
	 * on a fork it has already followed).
	 */
	if (!t->t_pending && t->t_stop.s_kind != STOP_SIGNAL &&
	    t->t_stop.s_kind != STOP_EXITED && t->t_stop.s_kind != STOP_KILLED) {
		memset(&t->t_stop, 0, sizeof(t->t_stop));
		t->t_stop.s_kind = STOP_SIGNAL;
		t->t_stop.s_signo = SIGTRAP;
	}
	gdb_stop_reply(s, t);
}

/* ------------------------------------------------------------ resuming */

struct vcont_action {
	enum resume_kind a_kind;
	int		 a_sig;		/* host signal */
	pid_t		 a_pid, a_tid;	/* -1: all */
	bool		 a_named;	/* a thread id came with it */
	bool		 a_pid_named;	/* in the pPID.TID form */
};

static bool
action_matches(const struct vcont_action *a, const struct thr *t)
{
	if (a->a_pid > 0 && a->a_pid != t->t_proc->p_pid)
		return false;
	return a->a_tid <= 0 || a->a_tid == t->t_tid;
}

/* The signal gdb asked for, unless QProgramSignals forbids it. */
static int
program_signal(struct gsess *s, int gdbsig)
{
	/* lldb names Linux signals; it sends no QProgramSignals. */
	if (s->s_lldb)
		return gdbsig > 0 && gdbsig < NSIG ? gdbsig : 0;
	if (gdbsig <= 0 || gdbsig >= GDB_SIGNAL_LAST)
		return 0;
	if (s->s_progsig_set &&
	    !(s->s_progsig[gdbsig / 8] & (1 << (gdbsig % 8))))
		return 0;
	return sig_from_gdb(gdbsig);
}

static int
parse_action(struct gsess *s, struct rsp_cursor *c, struct vcont_action *a)
{
	uint64_t sig = 0;
	char k = rsp_cursor_left(c) > 0 ? *c->c_p++ : '\0';

	memset(a, 0, sizeof(*a));
	a->a_pid = a->a_tid = -1;
	switch (k) {
	case 'c':
	case 's':
		break;
	case 'C':
	case 'S':
		if (rsp_get_hex(c, &sig) == -1 || sig >= GDB_SIGNAL_LAST)
			return -1;
		break;
	case 't':
		break;
	default:
		return -1;
	}
	a->a_kind = (k == 's' || k == 'S') ? RESUME_STEP :
	    k == 't' ? RESUME_STOP : RESUME_CONT;
	a->a_sig = program_signal(s, (int)sig);
	if (rsp_cursor_skip(c, ":")) {
		a->a_pid_named = rsp_cursor_left(c) > 0 && *c->c_p == 'p';
		if (gdb_parse_ptid(s, c, &a->a_pid, &a->a_tid) == -1)
			return -1;
		a->a_named = true;
	}
	if (!rsp_cursor_eof(c) && rsp_get_char(c, ';') == -1)
		return -1;
	return 0;
}

/*
 * lldb-server in all-stop resumes one process: actions that reach more
 * than one are refused (E03), among them one with no thread id (every
 * process) while two are debugged.
 */
static int
lldb_one_process(struct gsess *s, struct vcont_action *a, int n)
{
	struct proc *p, *q;
	pid_t one = 0, pid;
	int i;

	if ((p = tgt_proc(s->s_tgt, s->s_cpid)) == NULL &&
	    (p = gdb_gproc(s)) == NULL)
		p = tgt_first_proc(s->s_tgt);
	for (i = 0; i < n; i++) {
		/*
		 * No thread id is p-1.-1, every process; a thread id with
		 * no pid is the Hc process's.
		 */
		if (!a[i].a_named)
			a[i].a_pid = -1;
		else if (!a[i].a_pid_named && p != NULL)
			a[i].a_pid = p->p_pid;
		pid = a[i].a_pid;
		TAILQ_FOREACH(q, &s->s_tgt->g_procs, p_entry) {
			if (pid != -1 && q->p_pid != pid)
				continue;
			if (one != 0 && one != q->p_pid) {
				gdb_error(s, ESRCH, "resuming more than one "
				    "process needs non-stop mode");
				return -1;
			}
			one = q->p_pid;
		}
	}
	return 0;
}

/*
 * lldb-server's non-stop resumes a process only when it is stopped as a
 * whole: an action that would resume a thread of a process with a
 * thread running is E37.
 */
static int
lldb_ns_busy(struct gsess *s, const struct vcont_action *a, int n)
{
	struct proc *p;
	struct thr *t;
	bool named, running;
	int i;

	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry) {
		named = running = false;
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (!t->t_gone && !t->t_stopped)
				running = true;
			for (i = 0; i < n; i++) {
				if (a[i].a_kind != RESUME_STOP &&
				    action_matches(&a[i], t))
					named = true;
			}
		}
		if (named && running) {
			gdb_error(s, LLDB_E_RUNNING, "the process is running");
			return -1;
		}
	}
	return 0;
}

static bool
only_stops(const struct vcont_action *a, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (a[i].a_kind != RESUME_STOP)
			return false;
	}
	return true;
}

/* Each thread takes the first action that names it (leftmost wins). */
static int
apply_actions(struct gsess *s, const struct vcont_action *a, int n)
{
	struct proc *p;
	struct thr *t;
	int i, resumed = 0;

	if (!s->s_nonstop)
		tgt_resume_clear(s->s_tgt);
	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry) {
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			for (i = 0; i < n; i++) {
				if (!action_matches(&a[i], t))
					continue;
				/*
				 * Non-stop: 't' asks a thread to stop, and
				 * its stop is told even if it was stopped
				 * already; a running thread goes on as it is.
				 */
				if (s->s_nonstop && a[i].a_kind == RESUME_STOP) {
					tgt_stop_thread(t);
					break;
				}
				if (s->s_nonstop && !t->t_stopped) {
					resumed++;
					break;
				}
				/*
				 * Non-stop: a wildcard leaves a thread whose stop
				 * gdb has not pulled yet (gdb may have sent it
				 * before the %Stop reached it): gdb resumes that
				 * one by name once it has seen the stop.
				 */
				if (s->s_nonstop && !s->s_lldb &&
				    (a[i].a_pid == -1 || a[i].a_tid == -1) &&
				    gdb_ns_queued(s, t))
					break;
				tgt_resume_set(t, a[i].a_kind, a[i].a_sig);
				if (a[i].a_kind != RESUME_STOP) {
					resumed++;
					p->p_held = false;
					/* Named by pid: the client knows it. */
					if (a[i].a_pid == p->p_pid)
						tgt_fork_release(p);
				}
				break;
			}
		}
	}
	return resumed;
}

static void
gdb_resume(struct gsess *s)
{
	int rc;

	if ((rc = tgt_resume(s->s_tgt)) == -1) {
		gdb_error(s, errno, "cannot resume");
		return;
	}
	if (s->s_nonstop) {
		/* The events come as %Stop notifications, at once if due. */
		gdb_ok(s);
		gdb_stdio_resume(s);
		loop_defer(s->s_loop, gdb_poll_cb, s);
		return;
	}
	s->s_waiting = true;
	gdb_stdio_resume(s);
	/* A pending event is reported at once; otherwise SIGCHLD tells. */
	if (rc == 1)
		loop_defer(s->s_loop, gdb_poll_cb, s);
}

void
gdb_vcont(struct gsess *s, struct rsp_cursor *c)
{
	struct vcont_action a[GDB_MAX_VCONT_ACTIONS];
	int n = 0;

	while (!rsp_cursor_eof(c)) {
		if (n == GDB_MAX_VCONT_ACTIONS) {
			gdb_error(s, E2BIG, "too many vCont actions");
			return;
		}
		if (parse_action(s, c, &a[n++]) == -1) {
			gdb_error(s, EINVAL, "bad vCont action");
			return;
		}
		/* lldb-server stops whole processes only. */
		if (s->s_lldb && a[n - 1].a_kind == RESUME_STOP &&
		    a[n - 1].a_named && a[n - 1].a_tid != -1) {
			gdb_error(s, ESRCH, "'t' for one thread is not "
			    "supported");
			return;
		}
	}
	if (n == 0) {
		gdb_error(s, EINVAL, "vCont names no action");
		return;
	}
	if (tgt_first_proc(s->s_tgt) == NULL) {
		/*
		 * Non-stop: gdb may ask to stop a thread whose process's exit
		 * it has not read yet; stopped it is (gdbserver says OK).
		 */
		if (s->s_nonstop && only_stops(a, n))
			gdb_ok(s);
		else
			gdb_error(s, ESRCH, "no process to resume");
		return;
	}
	if (s->s_lldb && !s->s_nonstop && lldb_one_process(s, a, n) == -1)
		return;
	if (s->s_lldb && s->s_nonstop && lldb_ns_busy(s, a, n) == -1)
		return;
	/* Non-stop: 't' alone resumes nothing and is still fine. */
	if (apply_actions(s, a, n) == 0 && !s->s_nonstop) {
		gdb_error(s, ESRCH, "vCont names no thread");
		return;
	}
	gdb_resume(s);
}

/* c, C, s, S: the Hc thread steps or gets the signal, the rest run. */
void
gdb_cont_legacy(struct gsess *s, char k, struct rsp_cursor *c)
{
	struct vcont_action a[2];
	struct thr *t;
	uint64_t sig = 0;

	if ((k == 'C' || k == 'S') &&
	    (rsp_get_hex(c, &sig) == -1 || sig >= GDB_SIGNAL_LAST)) {
		gdb_error(s, EINVAL, "bad signal");
		return;
	}
	/* An address to resume at ("c ADDR") is no longer part of RSP. */
	if ((t = gdb_select(s, s->s_cpid, s->s_ctid)) == NULL &&
	    (t = gdb_gthread(s)) == NULL) {
		gdb_error(s, ESRCH, "no process to resume");
		return;
	}
	/*
	 * lldb-server: C with no continue thread (Hc) sends the signal to
	 * the process, which then stops for it (lldb's "process signal").
	 */
	if (s->s_lldb && k == 'C' && sig != 0 && s->s_ctid <= 0) {
		if (kill(t->t_proc->p_pid, (int)sig) == -1) {
			gdb_error(s, errno, "cannot send the signal");
			return;
		}
		sig = 0;
	}
	memset(a, 0, sizeof(a));
	a[0].a_kind = (k == 's' || k == 'S') ? RESUME_STEP : RESUME_CONT;
	a[0].a_sig = program_signal(s, (int)sig);
	a[0].a_pid = t->t_proc->p_pid;
	a[0].a_tid = t->t_tid;
	a[1].a_kind = RESUME_CONT;
	a[1].a_pid = a[1].a_tid = -1;
	/* lldb-server: the rest of that process only, in all-stop. */
	if (s->s_lldb && !s->s_nonstop)
		a[1].a_pid = t->t_proc->p_pid;
	if (s->s_lldb && s->s_nonstop) {
		a[1].a_pid = t->t_proc->p_pid;
		if (lldb_ns_busy(s, a, 2) == -1)
			return;
	}
	apply_actions(s, a, 2);
	gdb_resume(s);
}

/* Report t, the event tgt_poll or tgt_check found, if one is awaited. */
static void
gdb_report(struct gsess *s, struct thr *t)
{
	if (s->s_nonstop) {
		gdb_ns_events(s);
		return;
	}
	if (t == NULL || !s->s_waiting)
		return;
	/* A breakpoint whose target-side conditions are false: on. */
	if (gdb_cond_go_on(t)) {
		if (tgt_resume(s->s_tgt) == 1)
			loop_defer(s->s_loop, gdb_poll_cb, s);
		return;
	}
	s->s_waiting = false;
	gdb_stdio_stop(s, t);	/* the program's output first */
	gdb_stop_reply(s, t);
}

/*
 * t hit a breakpoint whose target-side conditions are all false (a
 * continued thread: a step's end is told): take it over and on.  True
 * when it went on; false when t has an event to tell, the hit itself
 * if the step failed.
 */
bool
gdb_cond_go_on(struct thr *t)
{
	if (t->t_rkind != RESUME_CONT || !cond_false(t))
		return false;
	switch (tgt_go_on(t)) {
	case 0:
		return true;
	case -1:
		/* Told as a hit: gdb evaluates the condition itself too. */
		if (errno == EAGAIN)
			log_debug("thread %d: false condition told, another "
			    "thread may not stop", (int)t->t_tid);
		else
			log_warn("thread %d: cannot step over a false "
			    "condition", (int)t->t_tid);
		return false;
	default:
		return false;	/* the step brought news: told */
	}
}

void
gdb_poll(struct gsess *s)
{
	gdb_report(s, tgt_poll(s->s_tgt));
}

void
gdb_check(struct gsess *s)
{
	gdb_report(s, tgt_check(s->s_tgt));
}

static void
gdb_poll_cb(void *arg)
{
	gdb_poll(arg);
}

void
gdb_run_forget(struct gsess *s)
{
	loop_undefer(s->s_loop, gdb_poll_cb, s);
}

int
gdb_interrupt_proc(struct gsess *s, struct proc *p)
{
	/* lldb-server's interrupt is a SIGSTOP: lldb expects T13. */
	return tgt_interrupt(s->s_tgt, p, s->s_lldb ? SIGSTOP : SIGINT);
}

void
gdb_interrupt(struct gsess *s)
{
	struct proc *p = gdb_gproc(s);

	if (gdb_attach_wait_cancel(s, "vAttachWait interrupted"))
		return;
	if (s->s_nonstop) {
		gdb_ns_ctrlc(s, false);
		return;
	}
	if (!s->s_waiting)
		return;
	if (gdb_interrupt_proc(s, p) == -1)
		log_warn("interrupt");
}

/* QPassSignals:N;N... and QProgramSignals:N;N... (GDB numbers, hex). */
void
gdb_pass_signals(struct gsess *s, struct rsp_cursor *c, bool program)
{
	uint8_t pass[sizeof(s->s_tgt->g_pass)] = { 0 };
	uint8_t prog[sizeof(s->s_progsig)] = { 0 };
	uint64_t sig;
	int host;

	while (c->c_end > c->c_p && c->c_end[-1] == ' ')
		c->c_end--;	/* lldb's tests end the list with a space */
	while (!rsp_cursor_eof(c)) {
		if (rsp_get_hex(c, &sig) == -1 || sig >= GDB_SIGNAL_LAST ||
		    (!rsp_cursor_eof(c) && rsp_get_char(c, ';') == -1)) {
			gdb_error(s, EINVAL, "bad signal list");
			return;
		}
		prog[sig / 8] |= 1 << (sig % 8);
		host = s->s_lldb ? (int)sig : sig_from_gdb((int)sig);
		if (host > 0 && host < 64)
			pass[host / 8] |= 1 << (host % 8);
	}
	if (program) {
		memcpy(s->s_progsig, prog, sizeof(prog));
		s->s_progsig_set = true;
	} else {
		memcpy(s->s_tgt->g_pass, pass, sizeof(pass));
		s->s_tgt->g_pass_set = true;
	}
	gdb_ok(s);
}

/* ------------------------------------------------------------ lifecycle */

/*
 * gdbserver's rule for the program's name: a bare name that is a file in
 * our working directory means that file; otherwise PATH is searched.
 */
static char *
program_path(const char *name)
{
	char cwd[GDB_MAX_PATH], *abs;
	struct stat st;

	if (strchr(name, '/') != NULL || stat(name, &st) == -1 ||
	    !S_ISREG(st.st_mode) || getcwd(cwd, sizeof(cwd)) == NULL)
		return xstrdup(name);
	xasprintf(&abs, "%s/%s", cwd, name);
	return abs;
}

static pid_t	 tty_old_pgrp = -1;	/* our terminal's foreground */

static void
tty_give_back(void)
{
	tcsetpgrp(STDERR_FILENO, tty_old_pgrp);
}

/*
 * gdbserver's rule: a program that shares our terminal (a process group
 * of its own) gets it as its foreground when launched, so that it can
 * read it and change its settings without SIGTTIN or SIGTTOU
 * (gdb.multi/multi-term-settings.exp); we ignore those from then on,
 * and give the terminal back when we end.
 */
static void
tty_give(pid_t pgrp)
{
	if (!isatty(STDERR_FILENO))
		return;
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	if (tty_old_pgrp == -1 &&
	    (tty_old_pgrp = tcgetpgrp(STDERR_FILENO)) != -1)
		atexit(tty_give_back);
	if (tcsetpgrp(STDERR_FILENO, pgrp) == -1)
		log_debug("terminal: %s", strerror(errno));
}

int
gdb_launch(struct gsess *s, char **argv, char *err, size_t errlen)
{
	struct launch l = {
		.l_argv = argv,
		.l_envp = s->s_env,
		.l_cwd = s->s_cwd,
		.l_wrapper = s->s_wrapper,
		/* lldb-server runs lldb's programs without a shell. */
		.l_shell = s->s_shell && !s->s_lldb,
		.l_no_aslr = s->s_no_aslr,
		.l_stdio_quiet = s->s_stdio,
		.l_stdio = { s->s_stdpath[0], s->s_stdpath[1], s->s_stdpath[2] },
	};
	char *given = argv[0], *path, tty[GDB_MAX_PATH];
	struct proc *p = NULL;
	int rc;

	if (gdb_stdio_open(s, &l, tty, sizeof(tty)) == -1) {
		snprintf(err, errlen, "cannot open a terminal: %s",
		    strerror(errno));
		return -1;
	}
	path = program_path(given);
	argv[0] = path;
	rc = tgt_launch(s->s_tgt, &l, &p, err, errlen);
	argv[0] = given;
	gdb_stdio_launched(s, rc == 0 ? p : NULL);
	if (rc == -1) {
		free(path);
		return -1;
	}
	p->p_detach_on_error = s->s_detach_on_error;
	/* Our terminal is its terminal: not lldb's pty, not stdio's pipe. */
	if (s->s_tty == NULL && !s->s_stdio && l.l_stdio[0] == NULL &&
	    l.l_stdio[1] == NULL && l.l_stdio[2] == NULL)
		tty_give(p->p_pid);
	fprintf(stderr, "Process %s created; pid = %d\n", path, (int)p->p_pid);
	log_info("process %d launched: %s", (int)p->p_pid, path);
	free(path);
	s->s_last = TAILQ_FIRST(&p->p_threads);
	s->s_gpid = p->p_pid;
	s->s_gtid = p->p_pid;
	return 0;
}

static void
kill_all(struct gsess *s)
{
	struct proc *p;

	while ((p = tgt_first_proc(s->s_tgt)) != NULL) {
		log_info("process %d killed", (int)p->p_pid);
		tgt_kill(p);
	}
	gdb_stdio_close(s);
	s->s_last = NULL;
	s->s_waiting = false;
}

/*
 * One process at a time unless the client speaks extended-remote with
 * the multiprocess extension (gdbserver's rule).
 */
bool
gdb_busy(struct gsess *s)
{
	if ((s->s_extended && s->s_multiprocess) ||
	    tgt_first_proc(s->s_tgt) == NULL)
		return false;
	fprintf(stderr, "Already debugging a process\n");
	gdb_error(s, EBUSY, "already debugging a process");
	return true;
}

/* vRun;PROGRAM;ARG...: all hex; an empty program means ours. */
void
gdb_vrun(struct gsess *s, struct rsp_cursor *c)
{
	char *argv[GDB_MAX_ARGS + 1], err[256];
	const char *f;
	size_t flen, n;
	int argc = 0, i;

	memset(argv, 0, sizeof(argv));
	while (rsp_get_field(c, ';', &f, &flen) == 0) {
		if (argc == GDB_MAX_ARGS || flen / 2 >= GDB_MAX_PATH ||
		    flen % 2 != 0) {
			gdb_error(s, E2BIG, "argument list too long");
			goto out;
		}
		argv[argc] = xmalloc(flen / 2 + 1);
		if (rsp_fromhex(argv[argc], f, flen / 2) == -1) {
			argc++;
			gdb_error(s, EINVAL, "bad hex in vRun");
			goto out;
		}
		argv[argc][flen / 2] = '\0';
		argc++;
	}
	if (argc == 0 || argv[0][0] == '\0') {
		if (s->s_argv == NULL) {
			gdb_error(s, ENOENT, "no program to run");
			goto out;
		}
		free(argv[0]);
		argv[0] = xstrdup(s->s_argv[0]);
		if (argc <= 1)
			for (n = 1; s->s_argv[n] != NULL && n < GDB_MAX_ARGS; n++)
				argv[argc = n] = xstrdup(s->s_argv[n]);
		argc = argc == 0 ? 1 : argc;
	}
	if (gdb_busy(s))
		goto out;
	if (gdb_launch(s, argv, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		gdb_error(s, errno != 0 ? errno : ENOEXEC, err);
		goto out;
	}
	gsess_set_program(s, argv);
	gdb_stop_reply(s, s->s_last);
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

/*
 * Processes this server must not stop, as stopping them would stop it or
 * the one who could let them go: its ancestors (pid 1, the shell that
 * started it, a debugger that runs it over a pipe, the platform daemon of
 * a session worker) and the client at the other end of a unix socket.
 * A thread's id names its whole process (tgt_attach takes them all), so
 * it is its process that is checked.  Why (logged), or NULL when pid may
 * be attached.
 */
static const char *
attach_forbidden(struct gsess *s, pid_t pid)
{
	const char *why = NULL;
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	pid_t p = getppid(), tgid, unused;
	int n;

	if (procfs_lineage(pid, &tgid, &unused) == -1)
		tgid = pid;
	for (n = 0; p > 0 && n < GDB_MAX_ANCESTRY && why == NULL; n++) {
		if (p == pid || p == tgid)
			why = "an ancestor of this server";
		else if (procfs_lineage(p, &unused, &p) == -1)
			break;
	}
	if (why == NULL && s->s_conn != NULL && getsockopt(s->s_conn->c_rfd,
	    SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0 && (cred.pid == pid ||
	    cred.pid == tgid))
		why = "this session's client";
	if (why != NULL)
		log_warnx("attach %d refused: %s", (int)pid, why);
	return why;
}

/* gdb_attach once attach_forbidden has let pid be. */
static int
attach_now(struct gsess *s, pid_t pid)
{
	struct proc *p;

	if (tgt_attach(s->s_tgt, pid, &p) == -1)
		return -1;
	log_info("process %d attached", (int)pid);
	fprintf(stderr, "Attached; pid = %d\n", (int)pid);
	s->s_last = TAILQ_FIRST(&p->p_threads);
	s->s_gpid = s->s_gtid = pid;
	return 0;
}

int
gdb_attach(struct gsess *s, pid_t pid)
{
	if (attach_forbidden(s, pid) != NULL) {
		errno = EPERM;
		return -1;
	}
	return attach_now(s, pid);
}

void
gdb_vattach(struct gsess *s, struct rsp_cursor *c)
{
	const char *why;
	struct thr *t;
	uint64_t pid;

	if (rsp_get_hex(c, &pid) == -1 || pid == 0 || pid > INT32_MAX) {
		gdb_error(s, EINVAL, "bad pid");
		return;
	}
	if (gdb_handoff_claim(s, (pid_t)pid) || gdb_busy(s))
		return;
	if ((why = attach_forbidden(s, (pid_t)pid)) != NULL) {
		gdb_error(s, EPERM, why);
		return;
	}
	if (attach_now(s, (pid_t)pid) == -1) {
		/*
		 * The kernel says EPERM for a zombie: a process that has died
		 * (a held child killed before its claim) is no such process.
		 */
		if (errno == EPERM && procfs_thread_state((pid_t)pid,
		    (pid_t)pid) == 'Z') {
			log_warnx("attach %d: a zombie", (int)pid);
			gdb_error(s, ESRCH, "the process has died (a zombie)");
			return;
		}
		log_warn("attach %d", (int)pid);
		gdb_error(s, errno, "cannot attach to process");
		return;
	}
	/*
	 * Non-stop: lldb-server sends the stop as a notification, alone;
	 * gdbserver says OK.
	 */
	if (s->s_nonstop && s->s_lldb) {
		gdb_ns_tell_proc(s, s->s_last);
		return;
	}
	if (s->s_nonstop) {
		/*
		 * gdb reads the target description only after the OK: a stop
		 * parsed before would be parsed with the wrong registers. Its
		 * threads count as running until gdb asks them to stop
		 * (vCont;t), which tells each stop then, as gdbserver does.
		 */
		TAILQ_FOREACH(t, &s->s_last->t_proc->p_threads, t_entry)
			t->t_rkind = RESUME_CONT;
		gdb_ok(s);
		return;
	}
	gdb_stop_reply(s, s->s_last);
}

void
gdb_vkill(struct gsess *s, struct rsp_cursor *c)
{
	struct proc *p;
	uint64_t pid;

	if (rsp_get_hex(c, &pid) == -1 || pid > INT32_MAX ||
	    (p = tgt_proc(s->s_tgt, (pid_t)pid)) == NULL) {
		gdb_error(s, ESRCH, "no such process");
		return;
	}
	log_info("process %d killed", (int)p->p_pid);
	if (s->s_last != NULL && s->s_last->t_proc == p)
		s->s_last = NULL;
	tgt_kill(p);
	gdb_stdio_gone(s);
	gdb_ok(s);
	if (!s->s_extended && tgt_first_proc(s->s_tgt) == NULL)
		s->s_quit = true;
}

/* 'k': no reply (X09 to lldb); outside extended mode the server ends. */
void
gdb_kill(struct gsess *s)
{
	pid_t *pids = NULL;
	struct proc *p;
	size_t n = 0, i;

	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry) {
		if (p->p_exited)
			continue;
		pids = xreallocarray(pids, n + 1, sizeof(*pids));
		pids[n++] = p->p_pid;
	}
	kill_all(s);
	/*
	 * gdb reads no reply to 'k' and would take one for the answer to
	 * its next packet; lldb waits for one, as lldb-server sends it:
	 * with multiprocess ids, one per process killed (in non-stop, OK
	 * and each as a stop).
	 */
	if (s->s_lldb && s->s_nonstop && s->s_multiprocess)
		gdb_ns_killed(s, pids, n);
	else if (s->s_lldb && s->s_multiprocess && n > 0) {
		for (i = 0; i < n; i++)
			gdb_replyf(s, "X09;process:%x", (unsigned)pids[i]);
	} else if (s->s_lldb)
		gdb_reply(s, "X09");
	free(pids);
	if (!s->s_extended) {
		s->s_quit = true;
		/* lldb in non-stop takes the exits with vStopped, then goes. */
		if (s->s_lldb && s->s_nonstop && s->s_multiprocess)
			return;
		if (s->s_conn != NULL)
			conn_close(s->s_conn);
		s->s_conn = NULL;
	}
}

void
gdb_detach(struct gsess *s, struct rsp_cursor *c)
{
	struct proc *p;

	/* lldb-server: a D with no pid detaches every process. */
	if (s->s_lldb && rsp_cursor_eof(c) &&
	    (p = tgt_first_proc(s->s_tgt)) != NULL &&
	    TAILQ_NEXT(p, p_entry) != NULL) {
		while ((p = tgt_first_proc(s->s_tgt)) != NULL) {
			log_info("process %d detached, running", (int)p->p_pid);
			tgt_detach(p);
		}
		s->s_last = NULL;
		gdb_stdio_gone(s);
		gdb_ok(s);
		if (!s->s_extended)
			s->s_quit = true;
		return;
	}
	if ((p = gdb_proc_arg(s, c, ";")) == NULL)
		return;
	fprintf(stderr, "Detaching from process %d\n", (int)p->p_pid);
	log_info("process %d detached, running", (int)p->p_pid);
	if (s->s_last != NULL && s->s_last->t_proc == p)
		s->s_last = NULL;
	tgt_detach(p);
	gdb_stdio_gone(s);
	gdb_ok(s);
	if (!s->s_extended && tgt_first_proc(s->s_tgt) == NULL)
		s->s_quit = true;
}

/* 'R': start the program again; no reply. */
void
gdb_restart(struct gsess *s)
{
	char err[256];

	kill_all(s);
	if (s->s_argv != NULL && gdb_launch(s, s->s_argv, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
}

/* End every process: launched ones killed, attached ones detached. */
void
gdb_end_all(struct gsess *s)
{
	struct proc *p;

	if (s->s_tgt->g_running)
		tgt_stop_all(s->s_tgt);
	s->s_waiting = false;
	while ((p = tgt_first_proc(s->s_tgt)) != NULL) {
		if (p->p_exited) {
			tgt_forget(p);
		} else if (p->p_attached || p->p_detach_on_error) {
			log_info("process %d detached, running", (int)p->p_pid);
			tgt_detach(p);
		} else {
			log_info("process %d killed", (int)p->p_pid);
			tgt_kill(p);
		}
	}
	gdb_stdio_close(s);
	s->s_last = NULL;
}

/*
 * The client went away.  As gdbserver: with --once, or outside extended
 * mode with nothing left to debug, the server ends (launched processes
 * killed, attached ones detached).  Otherwise the processes stay, stopped,
 * for the next client, which asks afresh: pending events are dropped.
 */
void
gdb_client_gone(struct gsess *s)
{
	struct proc *p, *tp;
	struct thr *t;
	bool alive = false;

	gdb_attach_wait_cancel(s, "client gone");
	if (s->s_tgt->g_running)
		tgt_stop_all(s->s_tgt);
	s->s_waiting = false;
	gdb_vfile_close_all(s);
	/*
	 * The thread of the last stop told stays the one '?' tells the
	 * next client, as gdbserver keeps its last event across clients.
	 */
	TAILQ_FOREACH_SAFE(p, &s->s_tgt->g_procs, p_entry, tp) {
		if ((p->p_exited || p->p_detach_on_error) && s->s_last != NULL &&
		    s->s_last->t_proc == p)
			s->s_last = NULL;
		if (p->p_exited) {
			tgt_forget(p);
			continue;
		}
		if (p->p_detach_on_error) {
			/* QSetDetachOnError: the program goes on alone. */
			log_info("process %d detached, running (client gone)",
			    (int)p->p_pid);
			tgt_detach(p);
			continue;
		}
		alive = true;
		TAILQ_FOREACH(t, &p->p_threads, t_entry)
			tgt_reported(t);
	}
	if (s->s_once || (!s->s_extended && !alive)) {
		fprintf(stderr, "Remote side has terminated connection.\n");
		s->s_quit = true;
		gdb_end_all(s);
		return;
	}
	fprintf(stderr, "Remote side has terminated connection.  "
	    "handoffd will reopen the connection.\n");
	log_info("client gone; %s kept for the next client",
	    alive ? "processes" : "nothing");
	s->s_extended = s->s_multi;
}
