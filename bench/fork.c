/*
 * fork.c -- the fork handoff benchmark: handoffd against gdbserver and
 * lldb-server following the same fork tree (bench/forkloop).
 *
 *	fork -f FORKLOOP -d HANDOFFD [-g GDBSERVER] [-l LLDB_SERVER]
 *	    [-r ROUNDS] [-a FORKS] [-k FORKS] [-H HELD] [-p CPU] [-v]
 *
 * (a) From the parent's fork to the child's stop reply: on the child's
 *     own connection for handoffd (the descriptor of a %Handoff over a
 *     unix socket, then '?'; or, over TCP, a new connection sending
 *     vAttach), on the multiplexed connection (the fork stop reply) for
 *     gdbserver and lldb-server, which then detach the child.  The
 *     inferior writes the moment before each fork to a shared file.
 *     -a forks a round, 2 ms apart.
 * (b) The parent's time per fork including the child's handling, as
 *     the client sees it: vCont;c to the exit's W, for -k forks less the
 *     same with none, each child reaped before the next fork (so the
 *     parent waits out the child's whole debugged life).  Native (no
 *     debugger), handoffd with a watcher taking every child by
 *     descriptor and continuing it, gdbserver keeping both (resume all
 *     after each fork stop and each child's exit), gdbserver and
 *     lldb-server detaching the child.
 * (b') The parent's own cost per fork: forkloop -w -n K (all K forks
 *     first, the reaping after), timed by the parent itself: the moment
 *     before fork K-1 less the moment before fork 0, over K-1.  The same
 *     ways as (b), the clients taking every event as it comes (the
 *     handoffd watcher continues each child on its own connection
 *     without waiting for its exit), plus handoffd with no watcher
 *     (--max-held K: every child held, never run).
 * (c) -H children held at once by handoffd (--max-held): the server's
 *     VmRSS before the forks and with all held, per child, and the
 *     round trip of a whole qHandoffList (every page).
 *
 * Everything is a median over the rounds of each round's median.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/forkcommon.h"

#define FORK_PAUSE_US		2000	/* between the forks of (a) */
#define FORK_MAX_FORKS		100000	/* -a, -k */
#define FORK_MAX_HELD		4096	/* -H, handoffd's own limit */
#define FORK_LIST_REPS		20	/* qHandoffList round trips timed */
#define FORK_HELD_MS		60000	/* wait for every child to be held */
#define FORK_POLL_US		10000	/* between looks at the list */

/* GDB's number for SIGCHLD, and Linux's (lldb-server wants that). */
#define FORK_PASS_GDB		"QPassSignals:14"
#define FORK_PASS_LLDB		"QPassSignals:11"
#define FORK_WATCHER		"multiprocess+;fork-handoff+"
#define FORK_EVENTS		"multiprocess+;fork-events+;vfork-events+"
#define FORK_TIMES	"/tmp/bench-fork-XXXXXX"	/* forkloop -t */

/* The ways a client is told of a fork, (a) and (b). */
enum way {
	W_NATIVE,	/* no debugger: (b) only */
	W_HFD,		/* handoffd, watcher on a unix socket */
	W_HTCP,		/* handoffd, watcher on TCP, claim with vAttach */
	W_GDBKEEP,	/* gdbserver, fork stop, keep both */
	W_GDB,		/* gdbserver, fork stop, detach the child */
	W_LLDB,		/* lldb-server, fork stop, detach the child */
	W_HHELD,	/* handoffd, no watcher, children held: (b') only */
	W_N
};

static const char *way_names[W_N] = {
	"native (no debugger)",
	"handoffd, via fd (unix socket watcher)",
	"handoffd, via TCP claim (vAttach)",
	"gdbserver, fork stop, keeps both",
	"gdbserver, fork stop, detaches child",
	"lldb-server, fork stop, detaches child",
	"handoffd, no watcher, children held",
};

struct opts {
	const char	*o_forkloop;
	unsigned	 o_rounds;
	long		 o_aforks;
	long		 o_kforks;
	long		 o_held;
	int		 o_verbose;
	bool		 o_have[W_N];
	struct server	 o_srv[W_N];	/* how to start each way's server */
};

static struct opts opt = { .o_rounds = 5, .o_aforks = 50, .o_kforks = 500,
    .o_held = 1000 };

/* One run of forkloop under a server, or native. */
struct run {
	enum way	 ru_way;
	struct sess	 ru_ss;
	struct times	 ru_times;	/* forkloop -t */
	char		 ru_sock[FC_PATH];	/* W_HFD: the server's socket */
	int		 ru_port;	/* TCP: the server's port */
};

/* ------------------------------------------------------------ helpers */

static void
pin(const char *arg)
{
	cpu_set_t set;
	long cpu = number(arg, 0, CPU_SETSIZE - 1);

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		err(1, "cpu %ld", cpu);
}

/* forkloop's argv: -n forks, then what else the part wants. */
static void
loop_argv(char *argv[], char *nbuf, size_t ncap, long forks,
    const struct run *ru, bool pause, bool all)
{
	static char pbuf[16];
	int n = 0;

	snprintf(nbuf, ncap, "%ld", forks);
	snprintf(pbuf, sizeof(pbuf), "%d", FORK_PAUSE_US);
	argv[n++] = (char *)opt.o_forkloop;
	argv[n++] = "-n";
	argv[n++] = nbuf;
	if (pause) {
		argv[n++] = "-p";
		argv[n++] = pbuf;
	}
	if (all)
		argv[n++] = "-w";
	if (ru != NULL && ru->ru_times.t_v != NULL) {
		argv[n++] = "-t";
		argv[n++] = (char *)ru->ru_times.t_file;
	}
	argv[n] = NULL;
}

/* The port of a connected TCP client socket's peer, or -1. */
static int
peer_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getpeername(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    sin.sin_family != AF_INET)
		return -1;
	return ntohs(sin.sin_port);
}

/* ------------------------------------------------ starting the servers */

/* handoffd on a unix socket, in no-ack mode, its first stop seen. */
static int
start_unix(struct sess *ss, const struct server *sv, char *const prog[],
    char *path, size_t pathcap)
{
	const char *r;

	if (unix_start(ss, sv, prog, path, pathcap) == -1)
		return -1;
	if (ss->ss_rc == NULL ||
	    rspc_requeststr(ss->ss_rc, "qSupported:" FORK_WATCHER, &r) == -1 ||
	    rspc_requeststr(ss->ss_rc, "QStartNoAckMode", &r) == -1 ||
	    strcmp(r, "OK") != 0)
		goto fail;
	ss->ss_rc->r_noack = true;
	rsp_decoder_noack(&ss->ss_rc->r_dec, true);
	if (rspc_requeststr(ss->ss_rc, "?", &r) == -1 ||
	    sess_stopreply(ss, r) == -1)
		goto fail;
	return 0;
fail:
	warnx("handoffd on %s did not start or connect; its log: %s", path,
	    ss->ss_log);
	ss->ss_keeplog = 1;
	return -1;
}

/* Start the way's server on forkloop, SIGCHLD passed; -1 on failure. */
static int
run_start(struct run *ru, char *const prog[])
{
	const struct server *sv = &opt.o_srv[ru->ru_way];
	const char *r, *pass = FORK_PASS_GDB;
	struct sess *ss = &ru->ru_ss;
	int rv;

	switch (ru->ru_way) {
	case W_HFD:
		rv = start_unix(ss, sv, prog, ru->ru_sock,
		    sizeof(ru->ru_sock));
		break;
	case W_HTCP:
		rv = sess_start(ss, sv, prog, FORK_WATCHER);
		break;
	case W_LLDB:
		pass = FORK_PASS_LLDB;
		rv = sess_start(ss, sv, prog, BENCH_LLDB_FEATURES);
		break;
	default:
		rv = sess_start(ss, sv, prog, FORK_EVENTS);
		break;
	}
	if (rv == -1)
		return -1;
	if (ru->ru_way != W_HFD &&
	    (ru->ru_port = peer_port(ss->ss_rc->r_fd)) == -1)
		return -1;
	if (rspc_requeststr(ss->ss_rc, pass, &r) == -1 || strcmp(r, "OK")) {
		warnx("%s: %s: %s", sv->sv_name, pass, r != NULL ? r : "-");
		return -1;
	}
	return 0;
}

static void
run_stop(struct run *ru)
{
	if (ru->ru_ss.ss_srv != NULL)
		sess_stop(&ru->ru_ss);
	if (ru->ru_sock[0] != '\0')
		unlink(ru->ru_sock);
	times_close(&ru->ru_times);
	reap_orphans(0);
}

/* --------------------------------------------------- following a fork */

/* The child's pid in "...fork:pPID.TID;" or "fork:PID", or -1. */
static long
fork_child(const char *reply)
{
	const char *f = strstr(reply, "fork:");

	if (reply[0] != 'T' || f == NULL)
		return -1;
	f += strlen("fork:");
	return strtol(f + (f[0] == 'p'), NULL, 16);
}

/* Continue a child on its own connection and see it exit. */
static int
child_finish(struct rspc *c)
{
	const char *r;

	if (rspc_send(c, "vCont;c", 7) == -1 || rspc_wait(c, &r) == -1 ||
	    (r[0] != 'W' && r[0] != 'X')) {
		warnx("child's vCont;c: %s", c->r_reply != NULL ?
		    c->r_reply : strerror(errno));
		rspc_close(c);
		return -1;
	}
	rspc_close(c);
	return 0;
}

/*
 * handoffd: take the next child, see its stop on its own connection,
 * and let it run to its exit.  *at: when the stop reply came.
 */
static int
take_child(struct run *ru, bool ask, double *at)
{
	struct rspc *rc = ru->ru_ss.ss_rc, *c;
	const char *note, *r;
	char addr[32];
	long pid;
	int fd;

	if (rspc_notify_next(rc, RSPC_DEFAULT_TIMEOUT_MS, &note, &fd) == -1 ||
	    (pid = handoff_pid(note)) == -1) {
		warnx("no %%Handoff: %s", errno ? strerror(errno) : note);
		return -1;
	}
	if (ru->ru_way == W_HFD) {
		if (fd < 0 || (c = rspc_from_fd(fd)) == NULL) {
			warnx("%%Handoff without a descriptor: %s", note);
			return -1;
		}
		if (ask && rspc_requeststr(c, "?", &r) == -1)
			r = "";
	} else {
		if (fd >= 0)
			close(fd);
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", ru->ru_port);
		if ((c = rspc_connect(addr)) == NULL)
			return -1;
		if (rspc_requestf(c, &r, "vAttach;%lx", pid) == -1)
			r = "";
	}
	*at = now_us();
	if ((ask || ru->ru_way == W_HTCP) && r[0] != 'T') {
		warnx("child %ld's stop: \"%s\"", pid, r);
		rspc_close(c);
		return -1;
	}
	return child_finish(c);
}

/*
 * The next event on the multiplexed connection: a fork stop (*child set,
 * its time in *at), or the exit of a child kept (*child 0), or the
 * parent's exit (1).  The child is detached, or with keep everything is
 * resumed.
 */
static int
next_stop(struct run *ru, bool keep, long *child, double *at)
{
	struct rspc *rc = ru->ru_ss.ss_rc;
	const char *r, *p;
	long pid;

	if (rspc_wait(rc, &r) == -1)
		return -1;
	*at = now_us();
	*child = 0;
	if (r[0] == 'W' || r[0] == 'X') {
		p = strstr(r, "process:");
		pid = p != NULL ? strtol(p + strlen("process:"), NULL, 16) :
		    ru->ru_ss.ss_inferior;
		if (pid == ru->ru_ss.ss_inferior)
			return 1;
	} else if ((*child = fork_child(r)) == -1) {
		warnx("%s: not a fork stop: %.60s", ru->ru_ss.ss_srv->sv_name,
		    r);
		return -1;
	}
	if (!keep && *child > 0 && (rspc_requestf(rc, &r, "D;%lx", *child) ==
	    -1 || strcmp(r, "OK") != 0)) {
		warnx("D;%lx: %s", *child, r != NULL ? r : strerror(errno));
		return -1;
	}
	return rspc_send(rc, "vCont;c", 7);
}

/* Until the parent's exit; -1 on anything else. */
static int
parent_exit(struct run *ru)
{
	const char *r;

	if (rspc_wait(ru->ru_ss.ss_rc, &r) == -1 || (r[0] != 'W' &&
	    r[0] != 'X')) {
		warnx("%s: the parent's exit: %s", ru->ru_ss.ss_srv->sv_name,
		    ru->ru_ss.ss_rc->r_reply != NULL ?
		    ru->ru_ss.ss_rc->r_reply : strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Let forkloop run its forks under the way's server; in lat[i] the time
 * from fork i to the child's stop reply, if lat is not NULL.
 */
static int
follow(struct run *ru, long forks, double *lat)
{
	double at;
	long i = 0, child;
	int rv;

	if (rspc_send(ru->ru_ss.ss_rc, "vCont;c", 7) == -1)
		return -1;
	if (ru->ru_way == W_HFD || ru->ru_way == W_HTCP) {
		for (i = 0; i < forks; i++) {
			if (take_child(ru, lat != NULL, &at) == -1)
				return -1;
			if (lat != NULL)
				lat[i] = at - fork_at(&ru->ru_times, i);
		}
		return parent_exit(ru);
	}
	while ((rv = next_stop(ru, ru->ru_way == W_GDBKEEP, &child, &at)) ==
	    0) {
		if (child > 0 && lat != NULL && i < forks)
			lat[i] = at - fork_at(&ru->ru_times, i);
		i += child > 0;
	}
	if (rv == 1 && i != forks) {
		warnx("%s: %ld fork stops, %ld forks", ru->ru_ss.ss_srv->sv_name,
		    i, forks);
		return -1;
	}
	return rv == 1 ? 0 : -1;
}

/* --------------------------------------------------------------- (a) */

/* One round of (a) for one way: the median over its forks, or NAN. */
static double
part_a(enum way w)
{
	struct run ru = { .ru_way = w };
	char *argv[12], nbuf[16];
	double *lat, m = NAN;

	if ((lat = calloc(opt.o_aforks, sizeof(*lat))) == NULL)
		err(1, NULL);
	if (times_open(&ru.ru_times, FORK_TIMES, opt.o_aforks) == -1)
		err(1, "times");
	loop_argv(argv, nbuf, sizeof(nbuf), opt.o_aforks, &ru, true, false);
	if (run_start(&ru, argv) == 0 && follow(&ru, opt.o_aforks, lat) == 0)
		m = median(lat, opt.o_aforks);
	else
		warnx("(a) %s failed", way_names[w]);
	run_stop(&ru);
	free(lat);
	return m;
}

/* --------------------------------------------------------------- (b) */

/* forkloop with no debugger, from exec to the exit seen; us or NAN. */
static double
native(char *argv[])
{
	double t0 = now_us();
	int status;
	pid_t pid;

	if ((pid = fork()) == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &status, 0) == -1 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return NAN;
	return now_us() - t0;
}

/* vCont;c to the exit of forkloop -n forks under the way; us or NAN. */
static double
loop_time(enum way w, long forks)
{
	struct run ru = { .ru_way = w };
	char *argv[12], nbuf[16];
	double t0, t = NAN;

	loop_argv(argv, nbuf, sizeof(nbuf), forks, NULL, false, false);
	if (w == W_NATIVE)
		return native(argv);
	if (run_start(&ru, argv) == 0) {
		t0 = now_us();
		if (follow(&ru, forks, NULL) == 0)
			t = now_us() - t0;
	}
	if (isnan(t))
		warnx("(b) %s, %ld forks, failed", way_names[w], forks);
	run_stop(&ru);
	return t;
}

/* One round of (b) for one way: us per fork, or NAN. */
static double
part_b(enum way w)
{
	double t0 = loop_time(w, 0), tk = loop_time(w, opt.o_kforks);

	return (tk - t0) / opt.o_kforks;
}

/* -------------------------------------------------------------- (b') */

/*
 * The parent's fork loop from its own clock: (moment before fork K-1 -
 * moment before fork 0) / (K-1), in us; NAN unless all K forks are done.
 */
static double
loop_per_fork(const struct run *ru, long forks)
{
	if (forks < 2 || (long)ru->ru_times.t_v[0] != forks)
		return NAN;
	return (fork_at(&ru->ru_times, forks - 1) -
	    fork_at(&ru->ru_times, 0)) / (forks - 1);
}

/* Until forkloop has done all its forks (the parent then waits); 0/-1. */
static int
forks_done(const struct run *ru, long forks)
{
	double end = now_us() + FORK_HELD_MS * 1e3;

	while ((long)ru->ru_times.t_v[0] != forks && now_us() < end)
		usleep(FORK_POLL_US);
	return (long)ru->ru_times.t_v[0] == forks ? 0 : -1;
}

/*
 * The watcher of (b'): each %Handoff's child continued on its own
 * connection as soon as it comes, its exit read only after the parent's,
 * so that nothing the parent does waits on the watcher.
 */
static int
watch_all(struct run *ru, long forks)
{
	struct rspc *rc = ru->ru_ss.ss_rc, **kids;
	const char *note, *r;
	long i, n = 0;
	int fd, rv = -1;

	if ((kids = calloc(forks, sizeof(*kids))) == NULL)
		err(1, NULL);
	if (rspc_send(rc, "vCont;c", 7) == -1)
		goto out;
	for (; n < forks; n++) {
		if (rspc_notify_next(rc, RSPC_DEFAULT_TIMEOUT_MS, &note,
		    &fd) == -1 || handoff_pid(note) == -1 || fd < 0 ||
		    (kids[n] = rspc_from_fd(fd)) == NULL) {
			warnx("(b') %%Handoff %ld: %s", n, errno ?
			    strerror(errno) : note);
			goto out;
		}
		if (rspc_send(kids[n], "vCont;c", 7) == -1) {
			warnx("(b') child %ld's vCont;c: %s", n,
			    strerror(errno));
			goto out;
		}
	}
	if (parent_exit(ru) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		if (rspc_wait(kids[i], &r) == -1 || (r[0] != 'W' &&
		    r[0] != 'X')) {
			warnx("(b') child %ld's exit: %s", i,
			    r != NULL ? r : strerror(errno));
			goto out;
		}
	}
	rv = 0;
out:
	for (i = 0; i < forks; i++) {
		if (kids[i] != NULL)
			rspc_close(kids[i]);
	}
	free(kids);
	return rv;
}

/*
 * handoffd with no watcher, to hold up to forks children without a
 * limit in time; hbuf holds the number sv's argv points to.
 */
static void
held_server(struct server *sv, char *hbuf, size_t cap, long forks)
{
	*sv = opt.o_srv[W_HTCP];
	snprintf(hbuf, cap, "%ld", forks);
	sv->sv_argv[sv->sv_argc++] = "--max-held";
	sv->sv_argv[sv->sv_argc++] = hbuf;
	sv->sv_argv[sv->sv_argc++] = "--hold-timeout";
	sv->sv_argv[sv->sv_argc++] = "3600";
	sv->sv_argv[sv->sv_argc] = NULL;
}

/* handoffd with no watcher: every child held (--max-held forks). */
static int
start_held(struct run *ru, char *const prog[], long forks)
{
	static struct server sv;
	static char hbuf[16];
	const char *r;

	held_server(&sv, hbuf, sizeof(hbuf), forks);
	if (sess_start(&ru->ru_ss, &sv, prog, BENCH_FEATURES) == -1 ||
	    rspc_requeststr(ru->ru_ss.ss_rc, FORK_PASS_GDB, &r) == -1 ||
	    strcmp(r, "OK") != 0)
		return -1;
	return 0;
}

/* One round of (b') for one way: the parent's us per fork, or NAN. */
static double
part_bp(enum way w)
{
	struct run ru = { .ru_way = w };
	char *argv[12], nbuf[16];
	const char *r;
	double t = NAN;
	int rv = -1;

	if (times_open(&ru.ru_times, FORK_TIMES, opt.o_kforks) == -1)
		err(1, "times");
	loop_argv(argv, nbuf, sizeof(nbuf), opt.o_kforks, &ru, false, true);
	switch (w) {
	case W_NATIVE:
		rv = isnan(native(argv)) ? -1 : 0;
		break;
	case W_HHELD:
		if (start_held(&ru, argv, opt.o_kforks) == -1 ||
		    rspc_send(ru.ru_ss.ss_rc, "vCont;c", 7) == -1)
			break;
		rv = forks_done(&ru, opt.o_kforks);
		/* The parent waits for its held children: end it. */
		kill(ru.ru_ss.ss_inferior, SIGKILL);
		rspc_wait(ru.ru_ss.ss_rc, &r);
		break;
	case W_HFD:
		if (run_start(&ru, argv) == 0)
			rv = watch_all(&ru, opt.o_kforks);
		break;
	default:
		if (run_start(&ru, argv) == 0)
			rv = follow(&ru, opt.o_kforks, NULL);
		break;
	}
	if (rv == 0)
		t = loop_per_fork(&ru, opt.o_kforks);
	if (isnan(t))
		warnx("(b') %s failed", way_names[w]);
	if (w == W_NATIVE)
		times_close(&ru.ru_times);
	else
		run_stop(&ru);
	return t;
}

/* --------------------------------------------------------------- (c) */

struct held {
	double		 h_rss0;	/* KiB, before the forks */
	double		 h_rss1;	/* KiB, all held */
	double		 h_list;	/* us, a whole qHandoffList */
	double		 h_pages;
};

/* Entries in every page of qHandoffList; pages in *pages; -1 on error. */
static long
list_all(struct rspc *c, long *pages)
{
	const char *r, *p;
	long n = 0, k;

	for (*pages = 1;; (*pages)++) {
		if (rspc_requestf(c, &r, "qHandoffList:%lx", n) == -1 ||
		    (r[0] != 'm' && r[0] != 'l'))
			return -1;
		for (k = 0, p = r; (p = strstr(p, "pid:")) != NULL; p++)
			k += p == r + 1 || p[-1] == ';' || p[-1] == ' ';
		n += k;
		if (r[0] == 'l')
			return n;
		if (k == 0)
			return -1;
	}
}

static int
held_wait(struct rspc *c, long want, long *pages)
{
	double end = now_us() + FORK_HELD_MS * 1e3;
	long n;

	while ((n = list_all(c, pages)) != want && now_us() < end) {
		if (n == -1)
			return -1;
		usleep(FORK_POLL_US);
	}
	if (n != want)
		warnx("(c) %ld children held, not %ld", n, want);
	return n == want ? 0 : -1;
}

/* One round of (c); -1 on failure. */
static int
part_c(struct held *h)
{
	struct run ru = { .ru_way = W_HTCP };
	struct server sv;
	char *argv[12], nbuf[16], hbuf[16], addr[32];
	double t[FORK_LIST_REPS], t0;
	struct rspc *c = NULL;
	const char *r;
	long pages;
	int i, rv = -1;

	/* Not a watcher: every child is held. */
	held_server(&sv, hbuf, sizeof(hbuf), opt.o_held);
	loop_argv(argv, nbuf, sizeof(nbuf), opt.o_held, NULL, false, true);
	if (sess_start(&ru.ru_ss, &sv, argv, BENCH_FEATURES) == -1 ||
	    (ru.ru_port = peer_port(ru.ru_ss.ss_rc->r_fd)) == -1 ||
	    rspc_requeststr(ru.ru_ss.ss_rc, FORK_PASS_GDB, &r) == -1)
		goto out;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ru.ru_port);
	if ((c = rspc_connect(addr)) == NULL ||
	    rspc_handshake(c, BENCH_FEATURES) == -1 ||
	    list_all(c, &pages) != 0) {
		warnx("(c) second connection: %s", strerror(errno));
		goto out;
	}
	h->h_rss0 = proc_status_kib(ru.ru_ss.ss_pid, "VmRSS");
	if (rspc_send(ru.ru_ss.ss_rc, "vCont;c", 7) == -1 ||
	    held_wait(c, opt.o_held, &pages) == -1)
		goto out;
	h->h_rss1 = proc_status_kib(ru.ru_ss.ss_pid, "VmRSS");
	for (i = 0; i < FORK_LIST_REPS; i++) {
		t0 = now_us();
		if (list_all(c, &pages) != opt.o_held)
			goto out;
		t[i] = now_us() - t0;
	}
	h->h_list = median(t, FORK_LIST_REPS);
	h->h_pages = pages;
	rv = 0;
out:
	if (rv == -1)
		warnx("(c) failed; the server's log: %s", ru.ru_ss.ss_log);
	if (c != NULL)
		rspc_close(c);
	/* The parent waits for held children: stop it before the k. */
	if (ru.ru_ss.ss_rc != NULL) {
		kill(ru.ru_ss.ss_inferior, SIGKILL);
		rspc_wait(ru.ru_ss.ss_rc, &r);
	}
	run_stop(&ru);
	return rv;
}

/* ------------------------------------------------------------- report */

/*
 * The rows of (b) or (b'), m per way (with held, the held way too);
 * returns gdbserver keeping both over native, what the last column
 * divides by.
 */
static double
per_fork_rows(const double m[W_N], bool held)
{
	double over, base = m[W_GDBKEEP] - m[W_NATIVE];
	int w;

	printf("| server | us/fork | over native | over native "
	    "/gdbserver keeping both |\n|---|---:|---:|---:|\n");
	for (w = 0; w < W_N; w++) {
		if (w == W_HTCP || (w == W_HHELD && !held))
			continue;
		over = w == W_NATIVE ? NAN : m[w] - m[W_NATIVE];
		printf("| %s |", way_names[w]);
		cell(m[w], "%.1f");
		cell(over, "%.1f");
		cell(ratio(over, base), "%.2f");
		putchar('\n');
	}
	return base;
}

static void
report(double a[W_N][BENCH_MAX_ROUNDS], double b[W_N][BENCH_MAX_ROUNDS],
    double bp[W_N][BENCH_MAX_ROUNDS], struct held *c, unsigned nc)
{
	double ma[W_N], mb[W_N], mp[W_N], v[BENCH_MAX_ROUNDS], gover, pover,
	    held;
	unsigned i;
	int w;

	for (w = 0; w < W_N; w++) {
		ma[w] = median(a[w], opt.o_rounds);
		mb[w] = median(b[w], opt.o_rounds);
		mp[w] = median(bp[w], opt.o_rounds);
	}
	printf("### (a) fork to the child's stop reply\n\n");
	printf("rounds %u, %ld forks a round, %d us apart; per round the "
	    "median over its forks\n\n", opt.o_rounds, opt.o_aforks,
	    FORK_PAUSE_US);
	printf("| path | us (median) | /gdbserver |\n|---|---:|---:|\n");
	for (w = W_HFD; w < W_N; w++) {
		if (w == W_GDBKEEP || w == W_HHELD)
			continue;
		printf("| %s |", way_names[w]);
		cell(ma[w], "%.1f");
		cell(ratio(ma[w], ma[W_GDB]), "%.2f");
		putchar('\n');
	}
	printf("\n### (b') the parent's own time per fork\n\n");
	printf("rounds %u, forkloop -w -n %ld (all forks, then the reaping); "
	    "the parent's clock from fork 0 to fork %ld, over %ld\n\n",
	    opt.o_rounds, opt.o_kforks, opt.o_kforks - 1, opt.o_kforks - 1);
	pover = per_fork_rows(mp, true);
	printf("\n### (b) the parent's time per fork, including the child's "
	    "handling\n\n");
	printf("rounds %u, %ld forks (each reaped before the next) less "
	    "none, vCont;c to W\n\n", opt.o_rounds, opt.o_kforks);
	gover = per_fork_rows(mb, false);
	for (i = 0; i < nc; i++)
		v[i] = (c[i].h_rss1 - c[i].h_rss0) * 1024 / opt.o_held;
	held = nc > 0 ? median(v, nc) : NAN;
	printf("\n### (c) %ld children held (handoffd --max-held %ld)\n\n",
	    opt.o_held, opt.o_held);
	printf("| measure | value |\n|---|---:|\n");
	for (i = 0; i < nc; i++)
		v[i] = c[i].h_rss0;
	printf("| VmRSS before the forks, KiB |");
	cell(nc > 0 ? median(v, nc) : NAN, "%.0f");
	for (i = 0; i < nc; i++)
		v[i] = c[i].h_rss1;
	printf("\n| VmRSS with all held, KiB |");
	cell(nc > 0 ? median(v, nc) : NAN, "%.0f");
	printf("\n| per held child, bytes |");
	cell(held, "%.0f");
	for (i = 0; i < nc; i++)
		v[i] = c[i].h_list;
	printf("\n| qHandoffList, all %.0f pages, us |",
	    nc > 0 ? c[0].h_pages : NAN);
	cell(nc > 0 ? median(v, nc) : NAN, "%.0f");
	printf("\n\n### Goals\n\n| goal | measured | verdict |\n|---|---|---|\n");
	printf("| (a) via fd no slower than gdbserver's fork stop | %.2fx |"
	    " %s |\n", ratio(ma[W_HFD], ma[W_GDB]),
	    verdict(ratio(ma[W_HFD], ma[W_GDB]), 1));
	printf("| (b) parent's cost per fork at most 0.5x gdbserver keeping "
	    "both, judged by (b') | %.2fx (no watcher, held: %.2fx) | %s |\n",
	    ratio(mp[W_HFD] - mp[W_NATIVE], pover),
	    ratio(mp[W_HHELD] - mp[W_NATIVE], pover),
	    verdict(ratio(mp[W_HFD] - mp[W_NATIVE], pover), 0.5));
	printf("| (b) as measured with the child's handling (beside) | %.2fx |"
	    " %s |\n", ratio(mb[W_HFD] - mb[W_NATIVE], gover),
	    verdict(ratio(mb[W_HFD] - mb[W_NATIVE], gover), 0.5));
	printf("| (c) under 16 KiB per held child | %.1f KiB | %s |\n",
	    held / 1024, verdict(held, 16 * 1024));
}

/* --------------------------------------------------------------- main */

static void
add_server(enum way w, const char *spec)
{
	server_add(&opt.o_srv[w], &opt.o_have[w], spec);
}

static void
servers(const char *hd, const char *gs, const char *ls)
{
	char spec[512];

	snprintf(spec, sizeof(spec), "handoffd=%s gdbserver --once", hd);
	add_server(W_HFD, spec);
	add_server(W_HTCP, spec);
	add_server(W_HHELD, spec);
	if (gs != NULL && *gs != '\0') {
		snprintf(spec, sizeof(spec), "gdbserver=%s --once", gs);
		add_server(W_GDBKEEP, spec);
		add_server(W_GDB, spec);
	}
	if (ls != NULL && *ls != '\0') {
		snprintf(spec, sizeof(spec), "lldb-server=%s gdbserver", ls);
		add_server(W_LLDB, spec);
	}
	opt.o_have[W_NATIVE] = true;
}

static void
usage(void)
{
	fprintf(stderr, "usage: fork -f forkloop -d handoffd [-g gdbserver] "
	    "[-l lldb-server]\n\t[-r rounds] [-a forks] [-k forks] "
	    "[-H held] [-p cpu] [-v]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static double a[W_N][BENCH_MAX_ROUNDS], b[W_N][BENCH_MAX_ROUNDS],
	    bp[W_N][BENCH_MAX_ROUNDS];
	struct held c[BENCH_MAX_ROUNDS];
	const char *hd = NULL, *gs = NULL, *ls = NULL;
	unsigned r, nc = 0;
	int ch, w;

	while ((ch = getopt(argc, argv, "a:d:f:g:H:k:l:p:r:v")) != -1) {
		switch (ch) {
		case 'a': opt.o_aforks = number(optarg, 1, FORK_MAX_FORKS);
			break;
		case 'd': hd = optarg; break;
		case 'f': opt.o_forkloop = optarg; break;
		case 'g': gs = optarg; break;
		case 'H': opt.o_held = number(optarg, 1, FORK_MAX_HELD); break;
		case 'k': opt.o_kforks = number(optarg, 1, FORK_MAX_FORKS);
			break;
		case 'l': ls = optarg; break;
		case 'p': pin(optarg); break;
		case 'r': opt.o_rounds = number(optarg, 1, BENCH_MAX_ROUNDS);
			break;
		case 'v': opt.o_verbose++; break;
		default: usage();
		}
	}
	if (hd == NULL || opt.o_forkloop == NULL || optind != argc)
		usage();
	servers(hd, gs, ls);
	signal(SIGPIPE, SIG_IGN);
	for (r = 0; r < opt.o_rounds; r++) {
		for (w = 0; w < W_N; w++) {
			a[w][r] = b[w][r] = bp[w][r] = NAN;
			if (!opt.o_have[w])
				continue;
			if (w != W_NATIVE && w != W_GDBKEEP && w != W_HHELD)
				a[w][r] = part_a(w);
			if (w != W_HTCP && w != W_HHELD)
				b[w][r] = part_b(w);
			if (w != W_HTCP)
				bp[w][r] = part_bp(w);
			if (opt.o_verbose)
				fprintf(stderr, "round %u %s: (a) %.1f us, "
				    "(b) %.1f us/fork, (b') %.1f us/fork\n",
				    r + 1, way_names[w], a[w][r], b[w][r],
				    bp[w][r]);
		}
		if (part_c(&c[nc]) == 0) {
			if (opt.o_verbose)
				fprintf(stderr, "round %u (c): %.0f -> %.0f "
				    "KiB, list %.0f us\n", r + 1,
				    c[nc].h_rss0, c[nc].h_rss1, c[nc].h_list);
			nc++;
		}
	}
	report(a, b, bp, c, nc);
	return 0;
}
