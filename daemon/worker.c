/*
 * worker.c -- a session worker: one process tree, its connection, and
 * what it tells the daemon (see worker.h).
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/handoffd.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/worker.h"
#include "handoff/fdpass.h"
#include "platform/caps.h"
#include "platform/procfs.h"

#define WORKER_KEEP_FDS		(4 + GDB_MAX_VFILE_FDS)

struct worker {
	struct gsess	*w_sess;
	struct loop	*w_loop;
	int		 w_ctl;		/* -1 once the daemon has gone */
	pid_t		 w_told[WORKER_MAX_PROCS];	/* reported holds */
	size_t		 w_ntold;
	uint64_t	 w_told_gen;	/* tgt_generation() when told */
	bool		 w_titled;
};

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/*
 * Close every descriptor inherited from the daemon but those in keep:
 * its listeners, its loop, its other clients.  The worker must hold
 * nothing that is not its own.
 */
static void
close_inherited(int *keep, size_t n)
{
	unsigned from = 3;
	size_t i;

	qsort(keep, n, sizeof(*keep), cmp_int);
	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* The one worker of this process, for the handoff callbacks. */
static struct worker *self;

static void
worker_sendmsg(struct worker *w, struct worker_msg *m)
{
	if (w->w_ctl == -1)
		return;
	/* Ours, stopped or traced: its pid is its own while we read. */
	if (m->wm_kind == WM_HOLD || m->wm_kind == WM_CHILD)
		m->wm_start = procfs_start_time(m->wm_pid);
	if (send(w->w_ctl, m, sizeof(*m), MSG_NOSIGNAL) == -1)
		log_warn("telling the daemon about %d", (int)m->wm_pid);
}

static void
worker_send(struct worker *w, char kind, pid_t pid, bool attached)
{
	struct worker_msg m = { .wm_kind = kind, .wm_attached = attached,
	    .wm_pid = pid };

	worker_sendmsg(w, &m);
}

/* handoff.c: a child held, or no longer (claimed, let go, gone). */
static void
worker_child(pid_t pid, pid_t ppid, const char *kind, bool attached,
    bool gone)
{
	struct worker_msg m = { .wm_kind = gone ? WM_CHILD_GONE : WM_CHILD,
	    .wm_attached = attached, .wm_child = kind[0], .wm_pid = pid,
	    .wm_ppid = ppid };

	worker_sendmsg(self, &m);
}

static const struct handoff_host worker_host = {
	.hh_held = worker_child,
};

/* Name the process after what it debugs, for ps and top. */
static void
worker_title(struct worker *w, pid_t pid)
{
	char comm[64] = "?";

	if (w->w_titled)
		return;
	w->w_titled = true;
	procfs_thread_name(pid, pid, comm, sizeof(comm));
	proc_title("session %d %s", (int)pid, comm);
	log_procinit("session %d", (int)pid);
}

/*
 * Before each sleep: tell the daemon which processes came and went since
 * the last turn (every session's: one per handed-off child).
 */
static void
report_proc(struct proc *p, void *arg)
{
	struct worker *w = arg;
	size_t i;

	if (p->p_exited)
		return;
	for (i = 0; i < w->w_ntold && w->w_told[i] != p->p_pid; i++)
		;
	if (i < w->w_ntold)
		return;
	worker_title(w, p->p_pid);
	if (w->w_ntold == WORKER_MAX_PROCS) {
		log_warnx("more than %d processes: %d not reported",
		    WORKER_MAX_PROCS, (int)p->p_pid);
		return;
	}
	w->w_told[w->w_ntold++] = p->p_pid;
	worker_send(w, WM_HOLD, p->p_pid, p->p_attached);
}

static void
worker_report(void *arg)
{
	struct worker *w = arg;
	size_t i;

	/* Before every sleep: so only when a process came or went. */
	if (w->w_told_gen == tgt_generation())
		return;
	w->w_told_gen = tgt_generation();
	for (i = 0; i < w->w_ntold; ) {
		if (handoff_traces(w->w_told[i])) {
			i++;
			continue;
		}
		worker_send(w, WM_GONE, w->w_told[i], false);
		w->w_told[i] = w->w_told[--w->w_ntold];
	}
	handoff_foreach_proc(report_proc, w);
}

/*
 * A connection the daemon passed: it claims a child we hold, or watches
 * our tree.  It goes on as a session of its own, in the state the
 * daemon negotiated, with the packet replayed.
 */
static void
worker_claim(struct worker *w, const struct worker_claim *m, int fd)
{
	struct gsess *s;
	char name[sizeof(m->wc_name) + 1], *pkt;

	memcpy(name, m->wc_name, sizeof(m->wc_name));
	name[sizeof(m->wc_name)] = '\0';
	if ((s = handoff_session(fd, name)) == NULL)
		return;
	s->s_lldb = m->wc_lldb;
	s->s_multiprocess = m->wc_multiprocess;
	s->s_extended = m->wc_extended;
	s->s_err_strings = m->wc_err_strings;
	s->s_swbreak = m->wc_swbreak;
	s->s_hwbreak = m->wc_hwbreak;
	s->s_thread_suffix = m->wc_thread_suffix;
	s->s_list_threads = m->wc_list_threads;
	if (m->wc_fork_handoff)
		handoff_supported(s);
	conn_set_noack(s->s_conn, m->wc_noack);
	conn_set_rle(s->s_conn, !m->wc_norle);
	log_info("%s: passed by the daemon", name);
	pkt = xmalloc(m->wc_len + 1);
	memcpy(pkt, m->wc_pkt, m->wc_len);
	pkt[m->wc_len] = '\0';
	gdb_packet(s, pkt, m->wc_len);
	free(pkt);
}

int
worker_recv_claim(int ctl, struct worker_claim *m, int *fd)
{
	char buf[sizeof(*m) + 1];	/* a longer message is cut, not taken */
	ssize_t n;
	int cfd;

	*fd = -1;
	n = fdpass_recv(ctl, &cfd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == (ssize_t)sizeof(*m) && cfd >= 0) {
		memcpy(m, buf, sizeof(*m));
		if (m->wc_kind == WC_CLAIM && m->wc_len <= sizeof(m->wc_pkt)) {
			*fd = cfd;
			return 1;
		}
	}
	if (cfd >= 0)
		close(cfd);	/* an empty message may still carry one */
	if (n <= 0)
		return -1;
	log_warnx("daemon: bad %zd-byte message", n);
	return 0;
}

/* The daemon's end: connections it passes us, or its end. */
static void
worker_ctl(int fd, int events, void *arg)
{
	struct worker *w = arg;
	struct worker_claim m;
	int cfd;

	switch (worker_recv_claim(fd, &m, &cfd)) {
	case 1:
		worker_claim(w, &m, cfd);
		return;
	case 0:
		return;
	}
	log_info("the daemon has gone; this session goes on");
	loop_del_fd(w->w_loop, fd);
	close(fd);
	w->w_ctl = -1;
}

static void
worker_sigchld(int sig, void *arg)
{
	handoff_poll_all();
}

static void
worker_terminate(int sig, void *arg)
{
	struct worker *w = arg;
	struct gsess *s = w->w_sess;

	log_info("signal %d: ending the session", sig);
	if (s->s_conn != NULL) {
		conn_close(s->s_conn);
		s->s_conn = NULL;
	}
	gdb_end_all(s);
	s->s_quit = true;
	loop_stop(w->w_loop);
}

/* ------------------------------------------------------------ ledger */

static struct worker_ledger *ledger;	/* this worker's, in the daemon's */
static size_t ledger_top;	/* entries past it are free: scans stop there */

struct worker_ledger *
worker_ledger_new(void)
{
	void *m = mmap(NULL, sizeof(struct worker_ledger), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return m == MAP_FAILED ? NULL : m;
}

void
worker_ledger_free(struct worker_ledger *l)
{
	if (l != NULL)
		munmap(l, sizeof(*l));
}

/*
 * tgt's ledger hook: a breakpoint byte in (in) or out of an attached
 * process; addr 0 and !in: every one of pid is gone with its memory.
 */
static void
ledger_note(pid_t pid, uint64_t addr, uint8_t saved, bool in)
{
	struct worker_bp *b, *end = ledger->wl_bps + ledger_top;

	for (b = ledger->wl_bps; b < end; b++) {
		if (in && b->wb_pid == 0)
			break;
		if (!in && b->wb_pid == pid && (addr == 0 ||
		    b->wb_addr == addr)) {
			b->wb_pid = 0;
			if (addr != 0)
				break;
		}
	}
	if (!in) {
		while (ledger_top > 0 &&
		    ledger->wl_bps[ledger_top - 1].wb_pid == 0)
			ledger_top--;
		return;
	}
	if (b == end && ledger_top < WORKER_MAX_BPS)
		ledger_top++;
	if (b < ledger->wl_bps + ledger_top) {
		b->wb_addr = addr;
		b->wb_saved = saved;
		b->wb_pid = pid;	/* last: the entry is whole */
		return;
	}
	if (ledger->wl_lost++ == 0)
		log_warnx("breakpoint ledger full (%d): a breakpoint of "
		    "process %d stays in its memory if this worker dies",
		    WORKER_MAX_BPS, (int)pid);
}

/* tgt's hardware ledger hook: whether pid has debug registers set. */
static void
ledger_hw(pid_t pid, bool in_use)
{
	int32_t *e, *end = ledger->wl_hw + WORKER_MAX_PROCS, *slot = NULL;

	for (e = ledger->wl_hw; e < end && *e != pid; e++) {
		if (*e == 0 && slot == NULL)
			slot = e;
	}
	if (!in_use) {
		if (e < end)
			*e = 0;
	} else if (e == end && slot != NULL)
		*slot = pid;
	/* Full only past WORKER_MAX_PROCS processes, none reported then. */
}

static void __attribute__((noreturn))
worker_main(struct gsess *s, struct conn *c, const char *pkt, size_t len,
    int ctl, const struct handoff_opts *ho, const char *addr)
{
	static struct worker w;
	int keep[WORKER_KEEP_FDS], fd;
	size_t n = 0, i;
	char byte, *copy;

	w.w_sess = s;
	w.w_ctl = ctl;
	w.w_told_gen = UINT64_MAX;	/* nothing told yet */
	self = &w;
	keep[n++] = ctl;
	if (log_fd() != -1)
		keep[n++] = log_fd();
	for (i = 0; i < GDB_MAX_VFILE_FDS; i++) {
		if (s->s_vfds[i] != -1)
			keep[n++] = s->s_vfds[i];
	}
	close_inherited(keep, n);
	log_procinit("session");
	proc_title("session");

	if (fdpass_recv(ctl, &fd, &byte, 1) != 1 || fd < 0)
		fatalx("no connection came from the daemon");
	/* Whatever our uid, the programs we start get no capabilities. */
	if (caps_clear_bounding() == -1)
		log_debug("bounding set kept: %s", strerror(errno));

	w.w_loop = loop_new();
	s->s_ops = NULL;
	s->s_once = true;
	gsess_adopt_conn(s, c, w.w_loop, fd);
	if (loop_add_signal(w.w_loop, SIGCHLD, worker_sigchld, &w) == -1 ||
	    loop_add_signal(w.w_loop, SIGTERM, worker_terminate, &w) == -1 ||
	    loop_add_signal(w.w_loop, SIGINT, worker_terminate, &w) == -1 ||
	    loop_add_signal(w.w_loop, SIGHUP, worker_terminate, &w) == -1)
		fatal("signals");
	if (loop_add_fd(w.w_loop, ctl, LOOP_READ, worker_ctl, &w) == -1)
		fatal("loop_add_fd");
	loop_set_before_sleep(w.w_loop, worker_report, &w);
	handoff_init(w.w_loop, ho, s, NULL, addr, &worker_host);

	/* The packet the daemon paused on, now ours to answer. */
	copy = xmalloc(len + 1);
	memcpy(copy, pkt, len);
	copy[len] = '\0';
	gdb_packet(s, copy, len);
	free(copy);

	/* Until the session is over, and every child it held is settled. */
	while (!(gsess_done(s) && handoff_idle(true)) &&
	    !loop_stopped(w.w_loop)) {
		if (loop_once(w.w_loop, -1) == -1)
			fatal("event loop");
		handoff_reap();
	}
	handoff_end(loop_stopped(w.w_loop) ? "the worker was told to end" :
	    "the session ended");
	if (s->s_conn != NULL)
		conn_flush(s->s_conn);
	log_info("session ended");
	gsess_free(s);
	loop_free(w.w_loop);
	exit(0);
}

pid_t
worker_spawn(struct worker_ledger *l, struct gsess *s, struct conn *c,
    const char *pkt, size_t len, int *ctl, const struct handoff_opts *ho,
    const char *addr)
{
	int sv[2], saved;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		saved = errno;
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		if ((ledger = l) != NULL) {
			tgt_set_bp_ledger(ledger_note);
			tgt_set_hw_ledger(ledger_hw);
		}
		worker_main(s, c, pkt, len, sv[1], ho, addr);
	}
	close(sv[1]);
	if (fdpass_send(sv[0], c->c_rfd, "C", 1) != 1) {
		/* The worker will find nothing and exit; the client too. */
		log_warn("passing the connection to worker %d", (int)pid);
	}
	conn_abandon(c);
	s->s_conn = NULL;
	*ctl = sv[0];
	return pid;
}

int
worker_pass(int ctl, struct gsess *s, struct conn *c, const char *pkt,
    size_t len)
{
	struct worker_claim m;

	if (len > sizeof(m.wc_pkt)) {
		errno = E2BIG;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.wc_kind = WC_CLAIM;
	m.wc_noack = c->c_noack;
	m.wc_norle = c->c_norle;
	m.wc_lldb = s->s_lldb;
	m.wc_multiprocess = s->s_multiprocess;
	m.wc_extended = s->s_extended;
	m.wc_err_strings = s->s_err_strings;
	m.wc_fork_handoff = s->s_fork_handoff;
	m.wc_swbreak = s->s_swbreak;
	m.wc_hwbreak = s->s_hwbreak;
	m.wc_thread_suffix = s->s_thread_suffix;
	m.wc_list_threads = s->s_list_threads;
	strlcpy(m.wc_name, c->c_name, sizeof(m.wc_name));
	m.wc_len = (uint32_t)len;
	memcpy(m.wc_pkt, pkt, len);
	if (fdpass_send(ctl, c->c_rfd, &m, sizeof(m)) != (ssize_t)sizeof(m))
		return -1;
	conn_abandon(c);
	s->s_conn = NULL;
	return 0;
}
