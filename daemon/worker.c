/*
 * worker.c -- a session worker: one process tree, its connection, and
 * what it tells the daemon (see worker.h).
 */
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

static void
worker_send(struct worker *w, char kind, pid_t pid, bool attached)
{
	struct worker_msg m = { kind, attached, pid };

	if (w->w_ctl == -1)
		return;
	if (send(w->w_ctl, &m, sizeof(m), MSG_NOSIGNAL) == -1)
		log_warn("telling the daemon about %d", (int)pid);
}

static bool
holds(struct worker *w, pid_t pid)
{
	struct proc *p;

	TAILQ_FOREACH(p, &w->w_sess->s_tgt->g_procs, p_entry) {
		if (p->p_pid == pid && !p->p_exited)
			return true;
	}
	return false;
}

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
 * the last turn.  A handful at most, so a scan costs nothing.
 */
static void
worker_report(void *arg)
{
	struct worker *w = arg;
	struct proc *p;
	size_t i;

	for (i = 0; i < w->w_ntold; ) {
		if (holds(w, w->w_told[i])) {
			i++;
			continue;
		}
		worker_send(w, WM_GONE, w->w_told[i], false);
		w->w_told[i] = w->w_told[--w->w_ntold];
	}
	TAILQ_FOREACH(p, &w->w_sess->s_tgt->g_procs, p_entry) {
		if (p->p_exited)
			continue;
		for (i = 0; i < w->w_ntold && w->w_told[i] != p->p_pid; i++)
			;
		if (i < w->w_ntold)
			continue;
		worker_title(w, p->p_pid);
		if (w->w_ntold == WORKER_MAX_PROCS) {
			log_warnx("more than %d processes: %d not reported",
			    WORKER_MAX_PROCS, (int)p->p_pid);
			continue;
		}
		w->w_told[w->w_ntold++] = p->p_pid;
		worker_send(w, WM_HOLD, p->p_pid, p->p_attached);
	}
}

/* The daemon's end: nothing is asked of us yet but to notice it gone. */
static void
worker_ctl(int fd, int events, void *arg)
{
	struct worker *w = arg;
	char buf[64];
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		log_debug("daemon: unexpected %zd-byte message", n);
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
	struct worker *w = arg;

	gdb_poll(w->w_sess);
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

static void __attribute__((noreturn))
worker_main(struct gsess *s, struct conn *c, const char *pkt, size_t len,
    int ctl)
{
	struct worker w = { .w_sess = s, .w_ctl = ctl };
	int keep[WORKER_KEEP_FDS], fd;
	size_t n = 0, i;
	char byte, *copy;

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

	/* The packet the daemon paused on, now ours to answer. */
	copy = xmalloc(len + 1);
	memcpy(copy, pkt, len);
	copy[len] = '\0';
	gdb_packet(s, copy, len);
	free(copy);

	while (!gsess_done(s) && !loop_stopped(w.w_loop)) {
		if (loop_once(w.w_loop, -1) == -1)
			fatal("event loop");
	}
	if (s->s_conn != NULL)
		conn_flush(s->s_conn);
	log_info("session ended");
	gsess_free(s);
	loop_free(w.w_loop);
	exit(0);
}

pid_t
worker_spawn(struct gsess *s, struct conn *c, const char *pkt, size_t len,
    int *ctl)
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
		worker_main(s, c, pkt, len, sv[1]);
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
