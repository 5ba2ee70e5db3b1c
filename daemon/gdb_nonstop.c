/*
 * gdb_nonstop.c -- GDB's non-stop mode: every thread stops and goes on
 * its own, and each stop is told as it happens.
 *
 * The first stop the client has not taken goes out as a %Stop
 * notification; the client then asks for the rest with vStopped, one
 * reply each, until OK.  A stop stays at the head of the queue until
 * the vStopped after it: so a stop told by %Stop, or by the reply to '?',
 * is never told twice nor lost.
 *
 * lldb-server's non-stop is coarser, and lldb's own tests check it
 * packet by packet, so lldb gets it: a process stops as a whole (the
 * event's thread is told first, then every other thread of that process
 * with its own reason or none, T00), a process with a thread running is
 * not resumed again (E37), '?' keeps the exits not yet taken, and the
 * program's output goes as %Stdio notifications acknowledged by vStdio.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/log.h"

/* lldb-server's error for an acknowledgement with nothing to take. */
#define LLDB_E_NO_NOTE		0xff

/* ------------------------------------------------------------ queues */

static void
nq_push(struct gdb_notes *q, const char *text, size_t len)
{
	char *r;

	if (q->gn_n >= q->gn_max) {	/* callers keep to the bound */
		log_warnx("%s queue full: dropped %.*s", q->gn_name,
		    (int)(len < 64 ? len : 64), text);
		return;
	}
	r = xmalloc(len + 1);
	memcpy(r, text, len);
	r[len] = '\0';
	if (q->gn_q == NULL)
		q->gn_q = xcalloc(q->gn_max, sizeof(*q->gn_q));
	q->gn_q[q->gn_n++] = r;
}

static void
nq_pop(struct gdb_notes *q)
{
	if (q->gn_n == 0)
		return;
	free(q->gn_q[0]);
	memmove(q->gn_q, q->gn_q + 1, --q->gn_n * sizeof(*q->gn_q));
}

/* Empty the queue; with keep_exits, W and X replies stay, in order. */
static void
nq_clear(struct gdb_notes *q, bool keep_exits)
{
	size_t i, kept = 0;

	for (i = 0; i < q->gn_n; i++) {
		if (keep_exits && (q->gn_q[i][0] == 'W' || q->gn_q[i][0] == 'X'))
			q->gn_q[kept++] = q->gn_q[i];
		else
			free(q->gn_q[i]);
	}
	q->gn_n = kept;
	q->gn_told = false;
	if (kept == 0) {
		free(q->gn_q);
		q->gn_q = NULL;
	}
}

/* The head as %NAME:TEXT, unless it went out already. */
static void
nq_tell(struct gsess *s, struct gdb_notes *q)
{
	size_t nlen = strlen(q->gn_name), len;
	char *msg;

	if (q->gn_told || q->gn_n == 0 || s->s_conn == NULL)
		return;
	len = nlen + 1 + strlen(q->gn_q[0]);
	msg = xmalloc(len + 1);
	memcpy(msg, q->gn_name, nlen);
	msg[nlen] = ':';
	memcpy(msg + nlen + 1, q->gn_q[0], len - nlen);
	if (conn_notify(s->s_conn, msg, len, -1) == 0)
		q->gn_told = true;
	free(msg);
}

/*
 * The client took the head (vStopped, vStdio); 0, or -1 having replied:
 * lldb-server answers an acknowledgement of nothing with Eff.  What
 * comes next is a reply (nq_next), not a notification.
 */
static int
nq_take(struct gsess *s, struct gdb_notes *q)
{
	if (q->gn_n == 0 && s->s_lldb) {
		gdb_error(s, LLDB_E_NO_NOTE, "no pending notification");
		return -1;
	}
	nq_pop(q);
	q->gn_told = true;
	return 0;
}

/* The reply after nq_take: the new head, or OK. */
static void
nq_next(struct gsess *s, struct gdb_notes *q)
{
	if (q->gn_n == 0) {
		q->gn_told = false;
		gdb_ok(s);
		return;
	}
	q->gn_told = true;
	gdb_reply(s, q->gn_q[0]);
}

/* Push the stop reply s_reply holds. */
static void
push_reply(struct gsess *s)
{
	nq_push(&s->s_stops, rsp_buf_head(&s->s_reply),
	    rsp_buf_used(&s->s_reply));
}

void
gdb_ns_reset(struct gsess *s)
{
	nq_clear(&s->s_stops, false);
	nq_clear(&s->s_outq, false);
}

void
gdb_nonstop(struct gsess *s, bool on)
{
	struct proc *p;

	s->s_nonstop = on;
	s->s_tgt->g_nonstop = on;
	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry)
		p->p_held = false;
	gdb_ns_reset(s);
	log_debug("%s mode", on ? "non-stop" : "all-stop");
	gdb_ok(s);
}

/* ------------------------------------------------------------ stops */

/*
 * lldb: stop the rest of t's process, and queue each of its threads
 * after t.  A thread with an event of its own keeps it, told later
 * (T00 now); one we stopped has no reason (T00).  The process's other
 * events wait until it is resumed (p_held).
 */
static void
lldb_stop_whole(struct gsess *s, struct thr *t)
{
	struct proc *p = t->t_proc;
	struct thr *o;

	tgt_stop_proc(s->s_tgt, p);
	p->p_held = true;
	TAILQ_FOREACH(o, &p->p_threads, t_entry) {
		if (o == t || o->t_gone || !o->t_stopped)
			continue;
		o->t_rkind = RESUME_STOP;
		if (!o->t_pending) {
			memset(&o->t_stop, 0, sizeof(o->t_stop));
			o->t_stop.s_kind = STOP_SIGNAL;
		}
		gdb_thread_format(s, o);
		push_reply(s);
	}
}

/*
 * Take every event the target has (up to the queue's bound: the rest
 * wait in the target), and tell the client of the first.
 */
void
gdb_ns_events(struct gsess *s)
{
	struct thr *t;
	bool whole;

	while (s->s_stops.gn_n < GDB_MAX_NS_QUEUE &&
	    (t = tgt_check(s->s_tgt)) != NULL) {
		if (gdb_cond_go_on(t))
			continue;
		t->t_rkind = RESUME_STOP;	/* stays stopped till named */
		/* The program's output before its stop, as lldb-server. */
		gdb_stdio_stop(s, t);
		whole = s->s_lldb && !t->t_proc->p_exited &&
		    t->t_stop.s_kind != STOP_THREAD_EXIT;
		gdb_stop_format(s, t);
		push_reply(s);
		if (whole)
			lldb_stop_whole(s, t);
	}
	nq_tell(s, &s->s_stops);
}

/*
 * lldb-server's '?': the exits not yet taken stay first; then the
 * current process's threads, the current thread first, as the stop
 * round told them (nothing consumed: an event still pending is T00).
 */
static void
lldb_status(struct gsess *s)
{
	struct thr *cur = gdb_gthread(s), *t;

	nq_clear(&s->s_stops, true);
	if (cur != NULL && cur->t_stopped && !cur->t_gone) {
		gdb_thread_format(s, cur);
		push_reply(s);
	}
	if (cur != NULL) {
		TAILQ_FOREACH(t, &cur->t_proc->p_threads, t_entry) {
			if (t == cur || !t->t_stopped || t->t_gone ||
			    s->s_stops.gn_n == GDB_MAX_NS_QUEUE)
				continue;
			gdb_thread_format(s, t);
			push_reply(s);
		}
	}
	nq_next(s, &s->s_stops);
}

/*
 * The stop of every thread of t's process, t's first (vAttach in
 * non-stop: each thread stopped for the attach, as gdbserver tells it).
 */
void
gdb_ns_tell_proc(struct gsess *s, struct thr *t)
{
	struct thr *o;

	gdb_stop_format(s, t);
	push_reply(s);
	t->t_rkind = RESUME_STOP;
	TAILQ_FOREACH(o, &t->t_proc->p_threads, t_entry) {
		if (o == t || o->t_gone || s->s_stops.gn_n == GDB_MAX_NS_QUEUE)
			continue;
		o->t_rkind = RESUME_STOP;
		gdb_stop_format(s, o);
		push_reply(s);
	}
	nq_tell(s, &s->s_stops);
}

/*
 * t's stop is in the queue, not yet pulled by vStopped: gdb has not seen
 * it, and a wildcard resume (gdb may send one before it has) leaves t
 * alone, as gdbserver does ("has queued stop reply").
 */
bool
gdb_ns_queued(struct gsess *s, const struct thr *t)
{
	char id[48];
	size_t i;

	if (s->s_stops.gn_n == 0)
		return false;
	snprintf(id, sizeof(id), "thread:p%x.%x;", (unsigned)t->t_proc->p_pid,
	    (unsigned)t->t_tid);
	for (i = 0; i < s->s_stops.gn_n; i++) {
		if (strstr(s->s_stops.gn_q[i], id) != NULL)
			return true;
	}
	return false;
}

/* vStopped: the head was taken; the next, or OK. */
void
gdb_ns_stopped(struct gsess *s)
{
	if (nq_take(s, &s->s_stops) == -1)
		return;
	gdb_ns_events(s);
	nq_next(s, &s->s_stops);
}

/*
 * '?': every stopped thread's stop, the first as the reply; OK when
 * nothing is stopped (a bare W would be ambiguous).
 */
void
gdb_ns_status(struct gsess *s)
{
	struct proc *p, *tp;
	struct thr *t, *tt;

	if (s->s_lldb) {
		lldb_status(s);
		return;
	}
	nq_clear(&s->s_stops, false);
	TAILQ_FOREACH_SAFE(p, &s->s_tgt->g_procs, p_entry, tp) {
		TAILQ_FOREACH_SAFE(t, &p->p_threads, t_entry, tt) {
			if (!t->t_stopped ||
			    s->s_stops.gn_n == GDB_MAX_NS_QUEUE)
				continue;
			t->t_rkind = RESUME_STOP;
			gdb_stop_format(s, t);
			push_reply(s);
		}
	}
	nq_next(s, &s->s_stops);
}

/* lldb's k in non-stop: OK, and each process's end as a stop. */
void
gdb_ns_killed(struct gsess *s, const pid_t *pids, size_t n)
{
	char r[32];
	size_t i;
	int len;

	gdb_ok(s);
	for (i = 0; i < n && s->s_stops.gn_n < GDB_MAX_NS_QUEUE; i++) {
		len = snprintf(r, sizeof(r), "X09;process:%x",
		    (unsigned)pids[i]);
		nq_push(&s->s_stops, r, (size_t)len);
	}
	nq_tell(s, &s->s_stops);
}

/* vCtrlC (and 0x03 in non-stop): SIGINT, told as a stop like any. */
void
gdb_ns_ctrlc(struct gsess *s, bool reply)
{
	struct proc *p = gdb_gproc(s);

	if (p == NULL)
		p = tgt_first_proc(s->s_tgt);
	if (p == NULL || gdb_interrupt_proc(s, p) == -1) {
		if (reply)
			gdb_error(s, p == NULL ? ESRCH : errno,
			    "nothing to interrupt");
		return;
	}
	if (reply)
		gdb_ok(s);
}

/* ------------------------------------------------------------ output */

/* One O packet; the reader asks gdb_ns_output_full before each. */
void
gdb_ns_output(struct gsess *s, const char *pkt, size_t len)
{
	nq_push(&s->s_outq, pkt, len);
	nq_tell(s, &s->s_outq);
}

bool
gdb_ns_output_full(struct gsess *s)
{
	return s->s_nonstop && s->s_outq.gn_n >= s->s_outq.gn_max;
}

/* vStdio: the head of the output was taken; the next, or OK. */
void
gdb_ns_stdio(struct gsess *s)
{
	if (nq_take(s, &s->s_outq) == -1)
		return;
	nq_next(s, &s->s_outq);
	/* Room again: the terminal may be read. */
	gdb_stdio_resume(s);
}
