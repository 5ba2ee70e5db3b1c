/*
 * compare.c -- one fork tree (bench/comptree) under every model of
 * following a fork: gdbserver and lldb-server multiplexing, handoffd
 * multiplexing (--fork-mode multiplex), each in all-stop and non-stop,
 * and handoffd handing each child to a watcher on a connection of its
 * own (a unix socket, the descriptor in %Handoff).
 *
 *	compare -T COMPTREE -d HANDOFFD [-g GDBSERVER] [-l LLDB_SERVER]
 *	    [-n CHILDREN] [-r ROUNDS] [-m MIB] [-c CYCLES] [-o DATA] [-v]
 *
 * Tree: comptree forks -n children, each of which runs to a breakpoint
 * at child_work() and exits.  Sequential (-s): each child runs to its
 * breakpoint and exits before the next fork.  All at once (-a): every
 * child is kept stopped at its fork until the last fork, then all are
 * continued.  Measured: vCont;c to the parent's exit (total), and per
 * child from the moment before its fork (the inferior's clock, in a
 * shared file) to its breakpoint stop seen by the client (median).  A
 * multiplexed client does what gdb does with detach-on-fork off: at
 * each fork stop Hg to the child and Z0 in it, at its breakpoint z0 in
 * it, and resumes (all-stop: vCont;c, or vCont;c:pPARENT.-1 while
 * children are kept; non-stop: vCont;c:pPID.-1 per process, the stops
 * taken from %Stop and vStopped).  The handoff client does the same on
 * each child's own connection: qSupported, Z0, vCont;c, the stop, z0,
 * vCont;c, the exit.
 *
 * Isolation: comptree -m: process A (the parent) calls hit_a() and
 * hit_b() in a loop; process B (its child, kept stopped) has -m MiB.
 * A's breakpoint cycle: Z0 at the next function, z0 at this one,
 * resume A, its stop.  Timed alone, then while B's memory is read with
 * m packets of CMP_CHUNK bytes: multiplexed all-stop, one read before
 * each cycle on the same connection (nothing else can run there while
 * A runs); non-stop, reads go on while A runs, until A's %Stop; handoff,
 * a second thread reads B on B's own connection all the time.
 *
 * Everything is a median over the rounds of each round's median.
 * Nothing is pinned: the handoff's isolation needs the second CPU.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/forkcommon.h"

#define CMP_MAX_CHILDREN	1000	/* -n */
#define CMP_MAX_CYCLES		100000	/* -c */
#define CMP_MAX_MIB		1024	/* -m */
#define CMP_MAX_QUEUE		8192	/* non-stop stops not yet handled */
#define CMP_EVENT_MS		10000	/* wait for one stop */
#define CMP_WARMUP		50	/* isolation cycles not timed */
#define CMP_CHUNK		4000	/* bytes per m packet */
#define CMP_TIMES		"/tmp/bench-cmp-XXXXXX"	/* comptree -t */
#define CMP_FEATURES \
	"multiprocess+;fork-events+;vfork-events+;swbreak+;hwbreak+;" \
	"vContSupported+"
#define CMP_WATCHER		"multiprocess+;fork-handoff+;swbreak+"
#define CMP_CHILD_FEATURES	"multiprocess+;swbreak+;vContSupported+"
#define CMP_PASS_GDB		"QPassSignals:14"
#define CMP_PASS_LLDB		"QPassSignals:11"

enum srv { S_GDB, S_LLDB, S_HMUX, S_HFD, S_N };

enum model {
	MD_GDB_AS, MD_GDB_NS, MD_LLDB_AS, MD_LLDB_NS, MD_HMUX_AS,
	MD_HMUX_NS, MD_HANDOFF, MD_N
};

static const struct mdef {
	const char	*md_name;
	enum srv	 md_srv;
	bool		 md_ns;
	bool		 md_iso;	/* isolation measured */
	const char	*md_short;	/* for the plot */
} mdefs[MD_N] = {
	{ "gdbserver, multiplexed, all-stop", S_GDB, false, true,
	    "gdbserver all-stop" },
	{ "gdbserver, multiplexed, non-stop", S_GDB, true, true,
	    "gdbserver non-stop" },
	{ "lldb-server, multiplexed, all-stop", S_LLDB, false, false,
	    "lldb-server all-stop" },
	{ "lldb-server, multiplexed, non-stop", S_LLDB, true, false,
	    "lldb-server non-stop" },
	{ "handoffd, multiplexed, all-stop", S_HMUX, false, true,
	    "handoffd mux all-stop" },
	{ "handoffd, multiplexed, non-stop", S_HMUX, true, true,
	    "handoffd mux non-stop" },
	{ "handoffd, handoff (a connection per process)", S_HFD, false, true,
	    "handoffd handoff" },
};

/* The measures of one model in one round; NAN where not measured. */
enum meas {
	X_SEQ_TOTAL,	/* ms */
	X_SEQ_LAT,	/* us, median over the children */
	X_ALL_TOTAL,	/* ms */
	X_ALL_LAT,	/* us */
	X_ISO_ALONE,	/* us per cycle, median */
	X_ISO_LOADED,	/* us per cycle, median */
	X_ISO_MIB,	/* MiB of B read during the loaded cycles */
	X_N
};

static struct {
	const char	*o_tree;
	long		 o_children;
	unsigned	 o_rounds;
	long		 o_mib;
	long		 o_cycles;
	const char	*o_data;
	int		 o_verbose;
	bool		 o_have[S_N];
	struct server	 o_srv[S_N];
	uint64_t	 o_work;	/* &child_work */
	uint64_t	 o_hit[2];	/* &hit_a, &hit_b */
	uint64_t	 o_memp;	/* &bench_mem */
} opt = { .o_children = 100, .o_rounds = 3, .o_mib = 64, .o_cycles = 2000 };

/* A multiplexed session: one connection, every process of the tree. */
struct mux {
	struct sess	 mx_ss;
	struct rspc	*mx_rc;
	bool		 mx_ns;
	long		 mx_parent;
	long		 mx_hg;		/* the process Hg names now */
	char		*mx_q[CMP_MAX_QUEUE];	/* non-stop: stops to handle */
	size_t		 mx_qhead, mx_qlen;
	char		*mx_ev;		/* the event handed out last */
};

/* ------------------------------------------------------------ helpers */

/* A request whose reply must be OK; -1 (and the exchange said) if not. */
static int __attribute__((format(printf, 2, 3)))
okf(struct rspc *rc, const char *fmt, ...)
{
	char buf[256];
	const char *r = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rspc_requeststr(rc, buf, &r) == -1 || strcmp(r, "OK") != 0) {
		warnx("%s -> %s", buf, r != NULL ? r : strerror(errno));
		return -1;
	}
	return 0;
}

/* The pid of a stop reply: thread:pPID.TID, or process:PID, or dflt. */
static long
ev_pid(const char *ev, long dflt)
{
	const char *p;

	if ((p = strstr(ev, "thread:")) != NULL) {
		p += strlen("thread:");
		return strtol(p + (p[0] == 'p'), NULL, 16);
	}
	if ((p = strstr(ev, "process:")) != NULL)
		return strtol(p + strlen("process:"), NULL, 16);
	return dflt;
}

/* The child's pid in "...fork:pPID.TID;", or -1. */
static long
ev_fork(const char *ev)
{
	const char *f = strstr(ev, "fork:");

	if (ev[0] != 'T' || f == NULL || (f > ev && f[-1] == 'v'))
		return -1;
	f += strlen("fork:");
	return strtol(f + (f[0] == 'p'), NULL, 16);
}

/* ------------------------------------------------- multiplexed client */

static int
mux_start(struct mux *mx, enum model m, char *const prog[])
{
	const struct mdef *md = &mdefs[m];
	bool lldb = md->md_srv == S_LLDB;

	memset(mx, 0, sizeof(*mx));
	mx->mx_ns = md->md_ns;
	if (sess_start(&mx->mx_ss, &opt.o_srv[md->md_srv], prog, lldb ?
	    BENCH_LLDB_FEATURES ";swbreak+" : CMP_FEATURES) == -1)
		return -1;
	mx->mx_rc = mx->mx_ss.ss_rc;
	mx->mx_parent = mx->mx_ss.ss_inferior;
	mx->mx_hg = mx->mx_parent;
	if (okf(mx->mx_rc, "%s", lldb ? CMP_PASS_LLDB : CMP_PASS_GDB) == -1 ||
	    (mx->mx_ns && okf(mx->mx_rc, "QNonStop:1") == -1))
		goto fail;
	return 0;
fail:
	mx->mx_ss.ss_keeplog = 1;
	warnx("%s: its log: %s", md->md_name, mx->mx_ss.ss_log);
	return -1;
}

static void
mux_stop(struct mux *mx)
{
	size_t i;

	for (i = 0; i < mx->mx_qlen; i++)
		free(mx->mx_q[(mx->mx_qhead + i) % CMP_MAX_QUEUE]);
	free(mx->mx_ev);
	if (mx->mx_ss.ss_srv != NULL)
		sess_stop(&mx->mx_ss);
	reap_orphans(20000);
}

static int
mux_hg(struct mux *mx, long pid)
{
	if (mx->mx_hg == pid)
		return 0;
	if (okf(mx->mx_rc, "Hgp%lx.%lx", pid, pid) == -1)
		return -1;
	mx->mx_hg = pid;
	return 0;
}

/* Resume pid's process (0: everything); all-stop: no reply expected. */
static int
mux_resume(struct mux *mx, long pid)
{
	char buf[64];

	if (pid == 0)
		strlcpy(buf, "vCont;c", sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "vCont;c:p%lx.-1", pid);
	if (mx->mx_ns)
		return okf(mx->mx_rc, "%s", buf);
	return rspc_send(mx->mx_rc, buf, strlen(buf));
}

static int
mux_push(struct mux *mx, const char *ev)
{
	if (mx->mx_qlen == CMP_MAX_QUEUE) {
		warnx("more than %d stops queued", CMP_MAX_QUEUE);
		return -1;
	}
	if ((mx->mx_q[(mx->mx_qhead + mx->mx_qlen++) % CMP_MAX_QUEUE] =
	    strdup(ev)) == NULL)
		err(1, NULL);
	return 0;
}

/*
 * The next stop or exit.  All-stop: the reply to the resume.  Non-stop:
 * the %Stop notification, then every vStopped reply up to OK, queued.
 * timeout_ms 0 (non-stop only): -1 with ETIMEDOUT if none has come.
 */
static int
mux_next(struct mux *mx, int timeout_ms, const char **ev)
{
	const char *r;
	int fd;

	free(mx->mx_ev);
	mx->mx_ev = NULL;
	if (!mx->mx_ns) {
		if (rspc_wait(mx->mx_rc, &r) == -1) {
			warnx("no stop reply: %s", strerror(errno));
			return -1;
		}
		if ((mx->mx_ev = strdup(r)) == NULL)
			err(1, NULL);
		*ev = mx->mx_ev;
		return 0;
	}
	if (mx->mx_qlen == 0) {
		if (rspc_notify_next(mx->mx_rc, timeout_ms, &r, &fd) == -1) {
			if (timeout_ms != 0 || errno != ETIMEDOUT)
				warnx("no %%Stop: %s", strerror(errno));
			return -1;
		}
		if (fd >= 0)
			close(fd);
		if (strncmp(r, "Stop:", 5) != 0) {
			warnx("not a %%Stop: %s", r);
			return -1;
		}
		if (mux_push(mx, r + 5) == -1)
			return -1;
		for (;;) {
			if (rspc_requeststr(mx->mx_rc, "vStopped", &r) == -1) {
				warnx("vStopped: %s", strerror(errno));
				return -1;
			}
			if (strcmp(r, "OK") == 0)
				break;
			if (mux_push(mx, r) == -1)
				return -1;
		}
	}
	mx->mx_ev = mx->mx_q[mx->mx_qhead];
	mx->mx_qhead = (mx->mx_qhead + 1) % CMP_MAX_QUEUE;
	mx->mx_qlen--;
	*ev = mx->mx_ev;
	return 0;
}

/* ------------------------------------------------------------- trees */

/* The tree's results of one run. */
struct tree {
	double		 tr_total;	/* us */
	double		*tr_lat;	/* us, per child */
	long		 tr_forks, tr_hits, tr_exits;
	bool		 tr_pexit;	/* the parent's exit seen */
	long		*tr_kids;	/* pid of fork i */
	bool		*tr_hit;
};

static long
kid_index(const struct tree *tr, long pid)
{
	long i;

	for (i = 0; i < tr->tr_forks; i++) {
		if (tr->tr_kids[i] == pid)
			return i;
	}
	return -1;
}

/* A fork stop: the child's breakpoint, then who runs. */
static int
mux_fork(struct mux *mx, struct tree *tr, long kid, bool all)
{
	long i, n = opt.o_children;

	if (tr->tr_forks == n) {
		warnx("fork %ld: more than %ld", tr->tr_forks + 1, n);
		return -1;
	}
	tr->tr_kids[tr->tr_forks++] = kid;
	if (mux_hg(mx, kid) == -1 ||
	    okf(mx->mx_rc, "Z0,%" PRIx64 ",1", opt.o_work) == -1)
		return -1;
	if (all && tr->tr_forks < n)		/* keep the children */
		return mux_resume(mx, mx->mx_parent);
	if (!mx->mx_ns)
		return mux_resume(mx, 0);
	for (i = all ? 0 : tr->tr_forks - 1; i < tr->tr_forks; i++) {
		if (mux_resume(mx, tr->tr_kids[i]) == -1)
			return -1;
	}
	return mux_resume(mx, mx->mx_parent);
}

/*
 * A signal stop (SIGCHLD reported although passed, when it came while
 * all-stop stopped everything): resume the process with the signal, as
 * gdb does, the others as they were.
 */
static int
mux_signal(struct mux *mx, struct tree *tr, long pid, const char *ev,
    bool all)
{
	char buf[64];
	int sig = (int)strtol(ev + 1, NULL, 16) & 0xff;

	snprintf(buf, sizeof(buf), "vCont;C%02x:p%lx.%lx%s", sig, pid, pid,
	    mx->mx_ns || (all && tr->tr_forks < opt.o_children) ? "" : ";c");
	if (opt.o_verbose > 1)
		fprintf(stderr, "signal: %s -> %s\n", ev, buf);
	if (mx->mx_ns)
		return okf(mx->mx_rc, "%s", buf);
	return rspc_send(mx->mx_rc, buf, strlen(buf));
}

/* One event of the tree; 1 at the parent's exit. */
static int
mux_event(struct mux *mx, struct tree *tr, const struct times *t, bool all,
    const char *ev)
{
	double at = now_us();
	long pid = ev_pid(ev, mx->mx_parent), kid, i;

	if (ev[0] == 'W' || ev[0] == 'X') {
		/*
		 * gdbserver picks one of the pending events at random: the
		 * parent's exit may come before its children's.
		 */
		if (pid == mx->mx_parent)
			tr->tr_pexit = true;
		else
			tr->tr_exits++;
		if (tr->tr_pexit && tr->tr_exits == tr->tr_forks)
			return 1;
		return mx->mx_ns ? 0 : mux_resume(mx, 0);
	}
	if (ev[0] != 'T') {
		warnx("not a stop: %s", ev);
		return -1;
	}
	if ((kid = ev_fork(ev)) > 0)
		return mux_fork(mx, tr, kid, all);
	if ((i = kid_index(tr, pid)) >= 0 && !tr->tr_hit[i] &&
	    strncmp(ev, "T05", 3) == 0) {
		tr->tr_hit[i] = true;
		tr->tr_hits++;
		tr->tr_lat[i] = at - fork_at(t, i);
		if (mux_hg(mx, pid) == -1 ||
		    okf(mx->mx_rc, "z0,%" PRIx64 ",1", opt.o_work) == -1)
			return -1;
		return mux_resume(mx, mx->mx_ns ? pid : 0);
	}
	if (strncmp(ev, "T05", 3) != 0 && strncmp(ev, "T00", 3) != 0 &&
	    (pid == mx->mx_parent || i >= 0))
		return mux_signal(mx, tr, pid, ev, all);
	if (mx->mx_ns && i >= 0) {
		if (opt.o_verbose > 1)
			fprintf(stderr, "ignored: %s\n", ev);
		return 0;
	}
	warnx("unexpected stop of %lx: %s", pid, ev);
	return -1;
}

static void
tree_init(struct tree *tr)
{
	long n = opt.o_children;

	memset(tr, 0, sizeof(*tr));
	tr->tr_total = NAN;
	if ((tr->tr_lat = calloc(n, sizeof(double))) == NULL ||
	    (tr->tr_kids = calloc(n, sizeof(long))) == NULL ||
	    (tr->tr_hit = calloc(n, sizeof(bool))) == NULL)
		err(1, NULL);
}

static void
tree_free(struct tree *tr)
{
	free(tr->tr_lat);
	free(tr->tr_kids);
	free(tr->tr_hit);
}

static void
tree_argv(char *argv[], char *nbuf, size_t ncap, bool all,
    const struct times *t)
{
	snprintf(nbuf, ncap, "%ld", opt.o_children);
	argv[0] = (char *)opt.o_tree;
	argv[1] = all ? "-a" : "-s";
	argv[2] = nbuf;
	argv[3] = "-t";
	argv[4] = (char *)t->t_file;
	argv[5] = NULL;
}

static int
mux_tree(enum model m, bool all, struct tree *tr)
{
	struct times t = { .t_v = NULL };
	struct mux mx;
	char *argv[8], nbuf[16];
	const char *ev;
	double t0;
	int rv = -1, e = 0;

	if (times_open(&t, CMP_TIMES, opt.o_children) == -1)
		err(1, "times");
	tree_argv(argv, nbuf, sizeof(nbuf), all, &t);
	if (mux_start(&mx, m, argv) == -1)
		goto out;
	if (okf(mx.mx_rc, "Z0,%" PRIx64 ",1", opt.o_work) == -1)
		goto out;
	t0 = now_us();
	if (mux_resume(&mx, mx.mx_ns ? mx.mx_parent : 0) == -1)
		goto out;
	while (e == 0) {
		if (mux_next(&mx, CMP_EVENT_MS, &ev) == -1 ||
		    (e = mux_event(&mx, tr, &t, all, ev)) == -1)
			goto out;
	}
	tr->tr_total = now_us() - t0;
	if (tr->tr_forks != opt.o_children || tr->tr_hits != opt.o_children) {
		warnx("%ld forks, %ld breakpoint hits, %ld exits, not %ld",
		    tr->tr_forks, tr->tr_hits, tr->tr_exits, opt.o_children);
		goto out;
	}
	rv = 0;
out:
	if (rv == -1) {
		warnx("%s, %s: failed after %ld forks, %ld hits; log: %s",
		    mdefs[m].md_name, all ? "all at once" : "sequential",
		    tr->tr_forks, tr->tr_hits, mx.mx_ss.ss_log);
		mx.mx_ss.ss_keeplog = 1;
	}
	mux_stop(&mx);
	times_close(&t);
	return rv;
}

/* ------------------------------------------------------- handoff client */

/* handoffd on a unix socket as the tree's watcher (sess_start: TCP). */
static int
hfd_start(struct sess *ss, char *const prog[], char *path, size_t cap)
{
	const char *r;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (unix_start(ss, &opt.o_srv[S_HFD], prog, path, cap) == -1)
		return -1;
	if (ss->ss_rc == NULL ||
	    rspc_handshake(ss->ss_rc, CMP_WATCHER) == -1 ||
	    rspc_requeststr(ss->ss_rc, "?", &r) == -1 ||
	    sess_stopreply(ss, r) == -1 || okf(ss->ss_rc, CMP_PASS_GDB) == -1) {
		warnx("handoffd on %s did not start; its log: %s", path,
		    ss->ss_log);
		ss->ss_keeplog = 1;
		return -1;
	}
	return 0;
}

static void
hfd_stop(struct sess *ss, const char *path)
{
	if (ss->ss_srv != NULL)
		sess_stop(ss);
	unlink(path);
	reap_orphans(20000);
}

/* The next %Handoff's child, on its own connection, handshaken. */
static struct rspc *
hfd_take(struct rspc *rc, long *pid)
{
	const char *note;
	struct rspc *c;
	long p;
	int fd;

	if (rspc_notify_next(rc, CMP_EVENT_MS, &note, &fd) == -1 ||
	    (p = handoff_pid(note)) == -1 || fd < 0) {
		warnx("no %%Handoff with a descriptor: %s", errno ?
		    strerror(errno) : note);
		return NULL;
	}
	*pid = p;
	if ((c = rspc_from_fd(fd)) == NULL)
		return NULL;
	if (rspc_handshake(c, CMP_CHILD_FEATURES) == -1) {
		warnx("child %ld: handshake: %s", *pid, strerror(errno));
		rspc_close(c);
		return NULL;
	}
	return c;
}

/* A child's stop reply, z0, vCont;c: what follows its breakpoint. */
static int
hfd_hit(struct rspc *c, struct tree *tr, const struct times *t, long i)
{
	const char *r;

	if (rspc_wait(c, &r) == -1 || strncmp(r, "T05", 3) != 0) {
		warnx("child %ld: no breakpoint stop: %s", i, c->r_reply !=
		    NULL ? c->r_reply : strerror(errno));
		return -1;
	}
	tr->tr_lat[i] = now_us() - fork_at(t, i);
	tr->tr_hits++;
	if (okf(c, "z0,%" PRIx64 ",1", opt.o_work) == -1)
		return -1;
	return rspc_send(c, "vCont;c", 7);
}

static int
hfd_exit(struct rspc *c, long i)
{
	const char *r;

	if (rspc_wait(c, &r) == -1 || (r[0] != 'W' && r[0] != 'X')) {
		warnx("child %ld: no exit: %s", i, c->r_reply != NULL ?
		    c->r_reply : strerror(errno));
		return -1;
	}
	return 0;
}

/* All children stopped on their connections: run them, in any order. */
static int
hfd_runall(struct rspc **kids, struct tree *tr, const struct times *t)
{
	long i, n = opt.o_children, left = 2 * n;
	struct pollfd *pfd;
	int *step, rv = -1;

	if ((pfd = calloc(n, sizeof(*pfd))) == NULL ||
	    (step = calloc(n, sizeof(*step))) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++) {
		pfd[i].fd = kids[i]->r_fd;
		pfd[i].events = POLLIN;
		if (rspc_send(kids[i], "vCont;c", 7) == -1)
			goto out;
	}
	while (left > 0) {
		if (poll(pfd, n, CMP_EVENT_MS) <= 0) {
			warnx("children: %ld events missing", left);
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (pfd[i].revents == 0)
				continue;
			if ((step[i]++ == 0 ? hfd_hit(kids[i], tr, t, i) :
			    hfd_exit(kids[i], i)) == -1)
				goto out;
			if (step[i] == 2)
				pfd[i].fd = -1;
			left--;
		}
	}
	rv = 0;
out:
	free(pfd);
	free(step);
	return rv;
}

static int
hfd_tree(bool all, struct tree *tr)
{
	struct times t = { .t_v = NULL };
	struct rspc **kids;
	struct sess ss;
	char *argv[8], nbuf[16], path[FC_PATH] = "";
	const char *r;
	double t0;
	long i, n = opt.o_children, pid;
	int rv = -1;

	if ((kids = calloc(n, sizeof(*kids))) == NULL)
		err(1, NULL);
	if (times_open(&t, CMP_TIMES, n) == -1)
		err(1, "times");
	tree_argv(argv, nbuf, sizeof(nbuf), all, &t);
	memset(&ss, 0, sizeof(ss));
	if (hfd_start(&ss, argv, path, sizeof(path)) == -1)
		goto out;
	t0 = now_us();
	if (rspc_send(ss.ss_rc, "vCont;c", 7) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((kids[i] = hfd_take(ss.ss_rc, &pid)) == NULL ||
		    okf(kids[i], "Z0,%" PRIx64 ",1", opt.o_work) == -1)
			goto out;
		tr->tr_forks++;
		if (all)
			continue;
		if (rspc_send(kids[i], "vCont;c", 7) == -1 ||
		    hfd_hit(kids[i], tr, &t, i) == -1 ||
		    hfd_exit(kids[i], i) == -1)
			goto out;
		rspc_close(kids[i]);
		kids[i] = NULL;
	}
	if (all && hfd_runall(kids, tr, &t) == -1)
		goto out;
	if (rspc_wait(ss.ss_rc, &r) == -1 || (r[0] != 'W' && r[0] != 'X')) {
		warnx("the parent's exit: %s", ss.ss_rc->r_reply != NULL ?
		    ss.ss_rc->r_reply : strerror(errno));
		goto out;
	}
	tr->tr_total = now_us() - t0;
	rv = 0;
out:
	if (rv == -1) {
		warnx("handoff, %s: failed after %ld forks, %ld hits; log: %s",
		    all ? "all at once" : "sequential", tr->tr_forks,
		    tr->tr_hits, ss.ss_log);
		ss.ss_keeplog = 1;
	}
	for (i = 0; i < n; i++) {
		if (kids[i] != NULL)
			rspc_close(kids[i]);
	}
	free(kids);
	hfd_stop(&ss, path);
	times_close(&t);
	return rv;
}

/* One tree run: *total in ms, *lat the median over children in us. */
static void
tree_run(enum model m, bool all, double *total, double *lat)
{
	struct tree tr;
	int rv;

	tree_init(&tr);
	rv = mdefs[m].md_srv == S_HFD ? hfd_tree(all, &tr) :
	    mux_tree(m, all, &tr);
	*total = rv == 0 ? tr.tr_total / 1e3 : NAN;
	*lat = rv == 0 ? median(tr.tr_lat, opt.o_children) : NAN;
	tree_free(&tr);
}

/* ---------------------------------------------------------- isolation */

/* Reading B: where we are in its memory. */
struct reader {
	struct rspc	*rd_rc;
	uint64_t	 rd_base;	/* B's bench_mem */
	uint64_t	 rd_off;
	uint64_t	 rd_bytes;	/* read so far */
	atomic_bool	 rd_stop;
	int		 rd_err;
};

static int
read_chunk(struct reader *rd)
{
	const char *r;
	ssize_t n;

	n = rspc_requestf(rd->rd_rc, &r, "m%" PRIx64 ",%x", rd->rd_base +
	    rd->rd_off, CMP_CHUNK);
	if (n != 2 * CMP_CHUNK) {
		warnx("m%" PRIx64 ",%x -> %.40s", rd->rd_base + rd->rd_off,
		    CMP_CHUNK, n >= 0 ? r : strerror(errno));
		return -1;
	}
	rd->rd_bytes += CMP_CHUNK;
	rd->rd_off += CMP_CHUNK;
	if (rd->rd_off + CMP_CHUNK > (uint64_t)opt.o_mib * BENCH_MIB)
		rd->rd_off = 0;
	return 0;
}

/* The value of bench_mem in the process rc's Hg names. */
static int
read_base(struct rspc *rc, uint64_t *base)
{
	const char *r;
	unsigned b;
	int i;

	*base = 0;
	if (rspc_requestf(rc, &r, "m%" PRIx64 ",8", opt.o_memp) != 16)
		return -1;
	for (i = 7; i >= 0; i--) {
		if (sscanf(r + 2 * i, "%2x", &b) != 1)
			return -1;
		*base = *base << 8 | b;
	}
	return *base != 0 ? 0 : -1;
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;

	while (!atomic_load(&rd->rd_stop)) {
		if (read_chunk(rd) == -1) {
			rd->rd_err = 1;
			break;
		}
	}
	return NULL;
}

/*
 * A's breakpoint cycles: CMP_WARMUP not timed, then opt.o_cycles timed
 * into v, in us; one(arg, k, cur) does cycle k, A having last stopped
 * at opt.o_hit[cur].
 */
static int
cycles(int (*one)(void *, long, int), void *arg, double *v)
{
	long k;
	int cur = 0;
	double t0;

	for (k = 0; k < CMP_WARMUP + opt.o_cycles; k++) {
		t0 = now_us();
		if (one(arg, k, cur) == -1)
			return -1;
		if (k >= CMP_WARMUP)
			v[k - CMP_WARMUP] = now_us() - t0;
		cur = !cur;
	}
	return 0;
}

/* A cycle's breakpoints: in at the next function, out at this one. */
static int
cycle_bps(struct rspc *rc, int cur)
{
	if (okf(rc, "Z0,%" PRIx64 ",1", opt.o_hit[!cur]) == -1 ||
	    okf(rc, "z0,%" PRIx64 ",1", opt.o_hit[cur]) == -1)
		return -1;
	return 0;
}

/* Isolation on one connection: A's cycles, B read or not. */
struct mux_iso {
	struct mux	*mi_mx;
	long		 mi_b;		/* B's pid */
	struct reader	*mi_rd;
	bool		 mi_loaded;	/* B read */
};

/* With mi_loaded, one chunk of B read when ns says (all-stop or not). */
static int
mux_read_b(const struct mux_iso *mi, bool ns)
{
	if (mi->mi_loaded && mi->mi_mx->mx_ns == ns &&
	    (mux_hg(mi->mi_mx, mi->mi_b) == -1 || read_chunk(mi->mi_rd) == -1))
		return -1;
	return 0;
}

static int
mux_cycle(void *arg, long k, int cur)
{
	const struct mux_iso *mi = arg;
	struct mux *mx = mi->mi_mx;
	bool loaded = mi->mi_loaded;
	const char *ev;
	int rv;

	if (mux_read_b(mi, false) == -1)
		return -1;
	if (mux_hg(mx, mx->mx_parent) == -1 ||
	    cycle_bps(mx->mx_rc, cur) == -1 ||
	    mux_resume(mx, mx->mx_parent) == -1)
		return -1;
	for (;;) {
		if (mux_read_b(mi, true) == -1)
			return -1;
		if ((rv = mux_next(mx, loaded && mx->mx_ns ? 0 :
		    CMP_EVENT_MS, &ev)) == 0)
			break;
		if (!loaded || !mx->mx_ns || errno != ETIMEDOUT)
			return -1;
	}
	if (ev[0] != 'T' || ev_pid(ev, -1) != mx->mx_parent) {
		warnx("cycle %ld: not A's stop: %s", k, ev);
		return -1;
	}
	return 0;
}

/* comptree -m's argv in argv (mbuf its number); the cycles' times. */
static double *
iso_prep(char *argv[4], char *mbuf, size_t cap)
{
	double *v;

	if ((v = calloc(opt.o_cycles, sizeof(*v))) == NULL)
		err(1, NULL);
	snprintf(mbuf, cap, "%ld", opt.o_mib);
	argv[0] = (char *)opt.o_tree;
	argv[1] = "-m";
	argv[2] = mbuf;
	argv[3] = NULL;
	return v;
}

/* The median cycle, and the MiB of B read meanwhile. */
static void
iso_result(const double *v, const struct reader *rd, double *med,
    double *mib)
{
	*med = median(v, opt.o_cycles);
	*mib = (double)rd->rd_bytes / BENCH_MIB;
}

static int
mux_iso(enum model m, bool loaded, double *med, double *mib)
{
	struct reader rd = { .rd_rc = NULL };
	struct mux_iso mi;
	struct mux mx;
	char *argv[4], mbuf[16];
	const char *ev;
	double *v;
	long b = -1;
	int rv = -1;

	v = iso_prep(argv, mbuf, sizeof(mbuf));
	if (mux_start(&mx, m, argv) == -1 ||
	    okf(mx.mx_rc, "Z0,%" PRIx64 ",1", opt.o_hit[0]) == -1 ||
	    mux_resume(&mx, mx.mx_ns ? mx.mx_parent : 0) == -1)
		goto out;
	for (;;) {		/* B's fork, then A at hit_a */
		if (mux_next(&mx, CMP_EVENT_MS, &ev) == -1)
			goto out;
		if (ev_fork(ev) > 0) {
			b = ev_fork(ev);
			if (mux_resume(&mx, mx.mx_parent) == -1)
				goto out;
		} else if (ev[0] == 'T' && b > 0 &&
		    ev_pid(ev, -1) == mx.mx_parent)
			break;
		else if (!mx.mx_ns || ev_pid(ev, -1) != b) {
			warnx("isolation: unexpected %s", ev);
			goto out;
		}
	}
	rd.rd_rc = mx.mx_rc;
	if (mux_hg(&mx, b) == -1 || read_base(mx.mx_rc, &rd.rd_base) == -1) {
		warnx("isolation: no bench_mem in B");
		goto out;
	}
	mi = (struct mux_iso){ .mi_mx = &mx, .mi_b = b, .mi_rd = &rd,
	    .mi_loaded = loaded };
	if (cycles(mux_cycle, &mi, v) == -1)
		goto out;
	iso_result(v, &rd, med, mib);
	rv = 0;
out:
	if (rv == -1) {
		warnx("%s, isolation: failed; log %s", mdefs[m].md_name,
		    mx.mx_ss.ss_log);
		mx.mx_ss.ss_keeplog = 1;
	}
	mux_stop(&mx);
	if (b > 0)
		kill((pid_t)b, SIGKILL);
	free(v);
	return rv;
}

/* Isolation on B's own connection: one of A's cycles on A's. */
static int
hfd_cycle(void *arg, long k, int cur)
{
	struct rspc *a = arg;
	const char *r;

	if (cycle_bps(a, cur) == -1 || rspc_send(a, "vCont;c", 7) == -1)
		return -1;
	if (rspc_wait(a, &r) == -1 || r[0] != 'T') {
		warnx("cycle %ld: %s", k, a->r_reply != NULL ?
		    a->r_reply : strerror(errno));
		return -1;
	}
	return 0;
}

static int
hfd_iso(bool loaded, double *med, double *mib)
{
	struct reader rd = { .rd_rc = NULL };
	struct sess ss;
	pthread_t th;
	char *argv[4], mbuf[16], path[FC_PATH] = "";
	const char *r;
	double *v;
	long b = -1;
	int rv = -1, started = 0;

	v = iso_prep(argv, mbuf, sizeof(mbuf));
	memset(&ss, 0, sizeof(ss));
	if (hfd_start(&ss, argv, path, sizeof(path)) == -1 ||
	    okf(ss.ss_rc, "Z0,%" PRIx64 ",1", opt.o_hit[0]) == -1 ||
	    rspc_send(ss.ss_rc, "vCont;c", 7) == -1 ||
	    (rd.rd_rc = hfd_take(ss.ss_rc, &b)) == NULL)
		goto out;
	if (rspc_wait(ss.ss_rc, &r) == -1 || r[0] != 'T') {
		warnx("isolation: A's first stop: %s", ss.ss_rc->r_reply);
		goto out;
	}
	if (read_base(rd.rd_rc, &rd.rd_base) == -1) {
		warnx("isolation: no bench_mem in B");
		goto out;
	}
	if (loaded) {
		if (pthread_create(&th, NULL, reader_main, &rd) != 0)
			goto out;
		started = 1;
	}
	if (cycles(hfd_cycle, ss.ss_rc, v) == -1)
		goto out;
	rv = 0;
out:
	if (started) {
		atomic_store(&rd.rd_stop, true);
		pthread_join(th, NULL);
		if (rd.rd_err)
			rv = -1;
	}
	if (rv == 0)
		iso_result(v, &rd, med, mib);
	else {
		warnx("handoff, isolation: failed; log %s", ss.ss_log);
		ss.ss_keeplog = 1;
	}
	if (rd.rd_rc != NULL)
		rspc_close(rd.rd_rc);
	hfd_stop(&ss, path);
	if (b > 0)
		kill((pid_t)b, SIGKILL);
	free(v);
	return rv;
}

static void
iso_run(enum model m, double x[X_N])
{
	double mib;
	int i;

	for (i = 0; i < 2; i++) {
		double *med = &x[i == 0 ? X_ISO_ALONE : X_ISO_LOADED];

		if ((mdefs[m].md_srv == S_HFD ? hfd_iso(i, med, &mib) :
		    mux_iso(m, i, med, &mib)) == -1)
			*med = NAN;
		else if (i == 1)
			x[X_ISO_MIB] = mib;
	}
}

/* ------------------------------------------------------------- report */

static void
plot_data(double med[MD_N][X_N])
{
	FILE *fp;
	int m;

	if (opt.o_data == NULL)
		return;
	if ((fp = fopen(opt.o_data, "w")) == NULL)
		err(1, "%s", opt.o_data);
	fprintf(fp, "# model seq_ms all_ms iso_alone_us iso_loaded_us\n");
	for (m = 0; m < MD_N; m++) {
		if (!opt.o_have[mdefs[m].md_srv])
			continue;
		fprintf(fp, "\"%s\" %.3f %.3f %.3f %.3f\n", mdefs[m].md_short,
		    isnan(med[m][X_SEQ_TOTAL]) ? 0 : med[m][X_SEQ_TOTAL],
		    isnan(med[m][X_ALL_TOTAL]) ? 0 : med[m][X_ALL_TOTAL],
		    isnan(med[m][X_ISO_ALONE]) ? 0 : med[m][X_ISO_ALONE],
		    isnan(med[m][X_ISO_LOADED]) ? 0 : med[m][X_ISO_LOADED]);
	}
	fclose(fp);
}

static void
goals(double med[MD_N][X_N])
{
	double r;
	int m, ok = 0, fail = 0, lm;

	printf("\n### Goals\n\n| goal | measured | verdict |\n|---|---|---|\n");
	r = ratio(med[MD_HANDOFF][X_ISO_LOADED], med[MD_HANDOFF][X_ISO_ALONE]);
	printf("| handoff: A's cycle with B read within 1.2x of A alone | "
	    "%.2fx | %s |\n", r, verdict(r, 1.2));
	for (m = MD_HMUX_AS; m <= MD_HMUX_NS; m++) {
		r = ratio(med[m][X_ALL_TOTAL], med[MD_GDB_AS +
		    (m - MD_HMUX_AS)][X_ALL_TOTAL]);
		printf("| %s keep-all (all at once) total at most 0.5x "
		    "gdbserver's (same mode) | %.2fx | %s |\n",
		    mdefs[m].md_name, r, verdict(r, 0.5));
	}
	for (m = MD_LLDB_AS; m <= MD_LLDB_NS; m++) {
		lm = MD_HMUX_AS + (m - MD_LLDB_AS);
		if (!opt.o_have[S_LLDB])
			continue;
		fail += isnan(med[m][X_SEQ_TOTAL]) + isnan(med[m][X_ALL_TOTAL]);
		ok += (isnan(med[m][X_SEQ_TOTAL]) &&
		    !isnan(med[lm][X_SEQ_TOTAL])) +
		    (isnan(med[m][X_ALL_TOTAL]) &&
		    !isnan(med[lm][X_ALL_TOTAL]));
	}
	printf("| handoffd multiplexed works in every mode where lldb-server "
	    "fails | lldb-server fails in %d of 4, handoffd works in %d of "
	    "those | %s |\n", fail, ok, !opt.o_have[S_LLDB] ? "not measured" :
	    ok == fail ? "met" : "**missed**");
}

static void
report(double x[MD_N][X_N][BENCH_MAX_ROUNDS])
{
	static double med[MD_N][X_N];
	int m, k;

	for (m = 0; m < MD_N; m++) {
		for (k = 0; k < X_N; k++)
			med[m][k] = median(x[m][k], opt.o_rounds);
	}
	printf("%u rounds; %ld children; isolation: %ld cycles, B has %ld "
	    "MiB, read with m packets of %d bytes\n\n", opt.o_rounds,
	    opt.o_children, opt.o_cycles, opt.o_mib, CMP_CHUNK);
	printf("| model | sequential: total ms | sequential: fork to "
	    "breakpoint, us | all at once: total ms | all at once: fork to "
	    "breakpoint, us | A's cycle alone, us | A's cycle with B read, "
	    "us | ratio | MiB of B read |\n"
	    "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (m = 0; m < MD_N; m++) {
		if (!opt.o_have[mdefs[m].md_srv])
			continue;
		printf("| %s |", mdefs[m].md_name);
		cell(med[m][X_SEQ_TOTAL], "%.1f");
		cell(med[m][X_SEQ_LAT], "%.0f");
		cell(med[m][X_ALL_TOTAL], "%.1f");
		cell(med[m][X_ALL_LAT], "%.0f");
		cell(med[m][X_ISO_ALONE], "%.1f");
		cell(med[m][X_ISO_LOADED], "%.1f");
		cell(ratio(med[m][X_ISO_LOADED], med[m][X_ISO_ALONE]),
		    "%.2f");
		cell(med[m][X_ISO_MIB], "%.1f");
		putchar('\n');
	}
	goals(med);
	plot_data(med);
}

/* --------------------------------------------------------------- main */

static void
add_server(enum srv s, const char *spec)
{
	server_add(&opt.o_srv[s], &opt.o_have[s], spec);
}

static void
symbols(void)
{
	if (symbol_addr(opt.o_tree, "child_work", &opt.o_work) == -1 ||
	    symbol_addr(opt.o_tree, "hit_a", &opt.o_hit[0]) == -1 ||
	    symbol_addr(opt.o_tree, "hit_b", &opt.o_hit[1]) == -1 ||
	    symbol_addr(opt.o_tree, "bench_mem", &opt.o_memp) == -1)
		errx(1, "%s: symbols missing (built -no-pie?)", opt.o_tree);
}

static void
usage(void)
{
	fprintf(stderr, "usage: compare -T comptree -d handoffd "
	    "[-g gdbserver] [-l lldb-server]\n\t[-n children] [-r rounds] "
	    "[-m mib] [-c cycles] [-o data] [-v]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static double x[MD_N][X_N][BENCH_MAX_ROUNDS];
	const char *hd = NULL;
	char spec[512];
	unsigned r;
	int ch, m, k;

	while ((ch = getopt(argc, argv, "c:d:g:l:m:n:o:r:T:v")) != -1) {
		switch (ch) {
		case 'c': opt.o_cycles = number(optarg, 1, CMP_MAX_CYCLES);
			break;
		case 'd': hd = optarg; break;
		case 'g':
			snprintf(spec, sizeof(spec), "gdbserver=%s --once",
			    optarg);
			add_server(S_GDB, spec);
			break;
		case 'l':
			snprintf(spec, sizeof(spec), "lldb-server=%s gdbserver",
			    optarg);
			add_server(S_LLDB, spec);
			break;
		case 'm': opt.o_mib = number(optarg, 1, CMP_MAX_MIB); break;
		case 'n': opt.o_children = number(optarg, 1,
		    CMP_MAX_CHILDREN); break;
		case 'o': opt.o_data = optarg; break;
		case 'r': opt.o_rounds = number(optarg, 1, BENCH_MAX_ROUNDS);
			break;
		case 'T': opt.o_tree = optarg; break;
		case 'v': opt.o_verbose++; break;
		default: usage();
		}
	}
	if (hd == NULL || opt.o_tree == NULL || optind != argc)
		usage();
	snprintf(spec, sizeof(spec), "handoffd=%s gdbserver --once "
	    "--fork-mode multiplex", hd);
	add_server(S_HMUX, spec);
	snprintf(spec, sizeof(spec), "handoffd=%s gdbserver --once", hd);
	add_server(S_HFD, spec);
	symbols();
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	for (r = 0; r < opt.o_rounds; r++) {
		for (m = 0; m < MD_N; m++) {
			for (k = 0; k < X_N; k++)
				x[m][k][r] = NAN;
			if (!opt.o_have[mdefs[m].md_srv])
				continue;
			tree_run(m, false, &x[m][X_SEQ_TOTAL][r],
			    &x[m][X_SEQ_LAT][r]);
			tree_run(m, true, &x[m][X_ALL_TOTAL][r],
			    &x[m][X_ALL_LAT][r]);
			if (mdefs[m].md_iso) {
				double xi[X_N] = { [X_ISO_MIB] = NAN };

				iso_run(m, xi);
				x[m][X_ISO_ALONE][r] = xi[X_ISO_ALONE];
				x[m][X_ISO_LOADED][r] = xi[X_ISO_LOADED];
				x[m][X_ISO_MIB][r] = xi[X_ISO_MIB];
			}
			if (opt.o_verbose)
				fprintf(stderr, "round %u %s: seq %.1f ms "
				    "%.0f us, all %.1f ms %.0f us, cycle "
				    "%.1f / %.1f us\n", r + 1,
				    mdefs[m].md_name, x[m][X_SEQ_TOTAL][r],
				    x[m][X_SEQ_LAT][r], x[m][X_ALL_TOTAL][r],
				    x[m][X_ALL_LAT][r], x[m][X_ISO_ALONE][r],
				    x[m][X_ISO_LOADED][r]);
		}
	}
	report(x);
	return 0;
}
