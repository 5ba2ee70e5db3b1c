/*
 * gdb_nonstop.c -- GDB's non-stop mode: every thread stops and goes on
 * its own, and each stop is told as it happens.
 *
 * The first stop the client has not taken goes out as a %Stop
 * notification; the client then asks for the rest with vStopped, one
 * reply each, until OK.  A stop stays at the head of the queue until
 * the vStopped after it: so a stop told by %Stop, or by the reply to '?',
 * is never told twice nor lost.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/log.h"

static void
ns_push(struct gsess *s)
{
	char *r = xmalloc(rsp_buf_used(&s->s_reply) + 1);

	memcpy(r, rsp_buf_head(&s->s_reply), rsp_buf_used(&s->s_reply));
	r[rsp_buf_used(&s->s_reply)] = '\0';
	if (s->s_nsq == NULL)
		s->s_nsq = xcalloc(GDB_MAX_NS_QUEUE, sizeof(*s->s_nsq));
	s->s_nsq[s->s_nsq_n++] = r;
}

static void
ns_pop(struct gsess *s)
{
	if (s->s_nsq_n == 0)
		return;
	free(s->s_nsq[0]);
	memmove(s->s_nsq, s->s_nsq + 1, --s->s_nsq_n * sizeof(*s->s_nsq));
}

void
gdb_ns_reset(struct gsess *s)
{
	while (s->s_nsq_n > 0)
		ns_pop(s);
	free(s->s_nsq);
	s->s_nsq = NULL;
	s->s_ns_told = false;
}

void
gdb_nonstop(struct gsess *s, bool on)
{
	s->s_nonstop = on;
	s->s_tgt->g_nonstop = on;
	gdb_ns_reset(s);
	log_debug("%s mode", on ? "non-stop" : "all-stop");
	gdb_ok(s);
}

/*
 * Take every event the target has (up to the queue's bound: the rest
 * wait in the target), and tell the client of the first.
 */
void
gdb_ns_events(struct gsess *s)
{
	struct thr *t;
	char *msg;
	size_t len;

	while (s->s_nsq_n < GDB_MAX_NS_QUEUE &&
	    (t = tgt_check(s->s_tgt)) != NULL) {
		t->t_rkind = RESUME_STOP;	/* stays stopped till named */
		gdb_stop_format(s, t);
		ns_push(s);
	}
	if (s->s_ns_told || s->s_nsq_n == 0 || s->s_conn == NULL)
		return;
	len = strlen(s->s_nsq[0]) + 5;
	msg = xmalloc(len + 1);
	memcpy(msg, "Stop:", 5);
	memcpy(msg + 5, s->s_nsq[0], len - 5 + 1);
	if (conn_notify(s->s_conn, msg, len, -1) == 0)
		s->s_ns_told = true;
	free(msg);
}

/* vStopped: the head was taken; the next, or OK. */
void
gdb_ns_stopped(struct gsess *s)
{
	ns_pop(s);
	gdb_ns_events(s);
	if (s->s_nsq_n == 0) {
		s->s_ns_told = false;
		gdb_ok(s);
		return;
	}
	s->s_ns_told = true;
	gdb_reply(s, s->s_nsq[0]);
}

/* '?': every stopped thread's stop, the first as the reply. */
void
gdb_ns_status(struct gsess *s)
{
	struct proc *p, *tp;
	struct thr *t, *tt;

	gdb_ns_reset(s);
	/* Nothing stopped, or nothing at all: OK (a bare W is ambiguous). */
	TAILQ_FOREACH_SAFE(p, &s->s_tgt->g_procs, p_entry, tp) {
		TAILQ_FOREACH_SAFE(t, &p->p_threads, t_entry, tt) {
			if (!t->t_stopped || s->s_nsq_n == GDB_MAX_NS_QUEUE)
				continue;
			t->t_rkind = RESUME_STOP;
			gdb_stop_format(s, t);
			ns_push(s);
		}
	}
	if (s->s_nsq_n == 0) {
		gdb_ok(s);
		return;
	}
	s->s_ns_told = true;
	gdb_reply(s, s->s_nsq[0]);
}

/* vCtrlC (and 0x03 in non-stop): SIGINT, told as a stop like any. */
void
gdb_ns_ctrlc(struct gsess *s, bool reply)
{
	struct proc *p = gdb_gproc(s);

	if (p == NULL)
		p = tgt_first_proc(s->s_tgt);
	if (p == NULL || kill(p->p_pid, SIGINT) == -1) {
		if (reply)
			gdb_error(s, p == NULL ? ESRCH : errno,
			    "nothing to interrupt");
		return;
	}
	if (reply)
		gdb_ok(s);
}
