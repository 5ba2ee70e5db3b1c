/*
 * check_platformd.c -- handoffd platform, the one-port daemon, against
 * many clients and bad ones.
 *
 * Each test starts "handoffd platform --server" on a free loopback port
 * and speaks RSP to it with the client library: many sessions at once,
 * each launched in a worker of its own; clients that say nothing, send
 * garbage or vanish mid-packet; the limits on waiting connections and on
 * sessions, at and past each; lldb's platform queries; the pidfile.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/rspc.h"
#include "daemon/platform.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define D_START_MS	10000	/* for "Listening on port N" */
#define D_GONE_MS	10000	/* for a process to go */
#define D_MAX_ERR	65536	/* bytes of the daemon's stderr kept */
#define D_MAX_ARGS	16
#define D_SESSIONS	50	/* sessions at once in the big test */
#define HELLO_SHORT_MS	300	/* --hello-timeout in the timeout tests */
#define LISTENING	"Listening on port "

struct daemon {
	pid_t		 d_pid;
	int		 d_port;
	int		 d_errfd;
	char		 d_err[D_MAX_ERR];
	size_t		 d_errlen;
};

/* Start handoffd platform --server with extra options (NULL-ended). */
static void
d_start(struct daemon *d, ...)
{
	char *argv[D_MAX_ARGS], exe[1024];
	const char *hit, *a;
	va_list ap;
	int n = 0;

	memset(d, 0, sizeof(*d));
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = "platform";
	argv[n++] = "--server";
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	va_start(ap, d);
	while ((a = va_arg(ap, const char *)) != NULL && n < D_MAX_ARGS - 1)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	d->d_pid = spawn(argv, &d->d_errfd);
	hit = read_until(d->d_errfd, d->d_err, sizeof(d->d_err), &d->d_errlen,
	    LISTENING, now_ms() + D_START_MS);
	ck_assert_msg(hit != NULL, "daemon did not start: %s", d->d_err);
	d->d_port = atoi(hit + strlen(LISTENING));
	ck_assert_int_gt(d->d_port, 0);
}

/* Wait until the daemon's stderr says s. */
static bool
d_says(struct daemon *d, const char *s, int ms)
{
	return (read_until(d->d_errfd, d->d_err, sizeof(d->d_err),
	    &d->d_errlen, s, now_ms() + ms) != NULL);
}

static void
d_stop(struct daemon *d)
{
	int status;

	kill(d->d_pid, SIGTERM);
	status = wait_exit(d->d_pid, D_GONE_MS);
	if (status == -1)
		kill(d->d_pid, SIGKILL);
	ck_assert_msg(status != -1, "daemon did not end on SIGTERM");
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "daemon status %#x: %s", status, d->d_err);
	close(d->d_errfd);
}

static struct rspc *
d_connect(struct daemon *d)
{
	char addr[64];
	struct rspc *rc;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", d->d_port);
	rc = rspc_connect(addr);
	ck_assert_msg(rc != NULL, "connect %s: %s", addr, strerror(errno));
	return (rc);
}

/* A raw TCP connection, for clients that do not speak RSP. */
static int
d_raw(struct daemon *d)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	sin.sin_port = htons(d->d_port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return (fd);
}

/* The peer closed fd within ms (reads drain whatever came first). */
static bool
closed_within(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long end = now_ms() + ms;
	char buf[4096];
	ssize_t n;

	while (now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms())) != 1)
			continue;
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return (true);
	}
	return (false);
}

/* The daemon still serves: a new connection answers qHostInfo. */
static void
d_serves(struct daemon *d)
{
	struct rspc *rc = d_connect(d);
	const char *r;

	ck_assert_int_gt(rspc_requeststr(rc, "qHostInfo", &r), 0);
	ck_assert_msg(strstr(r, "triple:") != NULL, "qHostInfo: %s", r);
	rspc_close(rc);
}

static int
children(pid_t pid, pid_t *out, int cap)
{
	char path[64], buf[8192], *p, *end;
	FILE *fp;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
	    (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (0);
	if (fgets(buf, sizeof(buf), fp) != NULL) {
		for (p = buf; n < cap; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			out[n++] = v;
		}
	}
	fclose(fp);
	return (n);
}

/* vRun the hello program; the reply is its first stop. */
static void
launch_hello(struct rspc *rc, const char *want)
{
	char prog[1024], pkt[4096];
	const char *r;
	size_t i, n;

	path_of(prog, sizeof(prog), "tests/progs/hello");
	n = snprintf(pkt, sizeof(pkt), "vRun;");
	for (i = 0; prog[i] != '\0'; i++)
		n += snprintf(pkt + n, sizeof(pkt) - n, "%02x",
		    (unsigned char)prog[i]);
	ck_assert_int_gt(rspc_requeststr(rc, pkt, &r), 0);
	ck_assert_msg(strncmp(r, want, strlen(want)) == 0,
	    "vRun: got \"%s\", want \"%s...\"", r, want);
}

/* ------------------------------------------------------------ tests */

START_TEST(fifty_sessions_at_once_on_one_port)
{
	struct rspc *rc[D_SESSIONS];
	pid_t workers[D_SESSIONS * 2], debuggee[D_SESSIONS];
	struct daemon d;
	const char *r;
	int i, nw, nd = 0;

	d_start(&d, NULL);
	for (i = 0; i < D_SESSIONS; i++) {
		rc[i] = d_connect(&d);
		ck_assert_int_eq(rspc_handshake(rc[i], "multiprocess+"), 0);
		launch_hello(rc[i], "T05");
	}
	nw = children(d.d_pid, workers, D_SESSIONS * 2);
	ck_assert_msg(nw == D_SESSIONS, "%d workers for %d sessions", nw,
	    D_SESSIONS);
	for (i = 0; i < nw; i++)
		nd += children(workers[i], debuggee + nd, D_SESSIONS - nd);
	ck_assert_int_eq(nd, D_SESSIONS);
	/* Every session answers on its own, in any order. */
	for (i = D_SESSIONS - 1; i >= 0; i--) {
		ck_assert_int_gt(rspc_requeststr(rc[i], "?", &r), 0);
		ck_assert_msg(strncmp(r, "T05", 3) == 0, "? gave %s", r);
		ck_assert_int_gt(rspc_requeststr(rc[i], "g", &r), 0);
	}
	for (i = 0; i < D_SESSIONS; i++)
		rspc_close(rc[i]);
	for (i = 0; i < nd; i++)
		ck_assert_msg(proc_gone(debuggee[i], D_GONE_MS),
		    "debuggee %d left behind", (int)debuggee[i]);
	for (i = 0; i < nw; i++)
		ck_assert_msg(proc_gone(workers[i], D_GONE_MS),
		    "worker %d left behind", (int)workers[i]);
	d_serves(&d);
	d_stop(&d);
}
END_TEST

START_TEST(silent_client_is_closed_after_the_hello_timeout)
{
	char ms[16];
	struct daemon d;
	int fd;

	snprintf(ms, sizeof(ms), "%d", HELLO_SHORT_MS);
	d_start(&d, "--hello-timeout", ms, NULL);
	fd = d_raw(&d);
	d_serves(&d);		/* meanwhile, others are served */
	ck_assert_msg(closed_within(fd, 20 * HELLO_SHORT_MS),
	    "a silent client was kept");
	ck_assert(d_says(&d, "no packet in", D_START_MS));
	close(fd);
	d_serves(&d);
	d_stop(&d);
}
END_TEST

START_TEST(garbage_costs_a_bounded_buffer_and_a_timeout)
{
	static char junk[1 << 20];
	char ms[16];
	struct daemon d;
	size_t i, off = 0;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = "xyz#+-}*\x03\x7f"[i % 10];
	snprintf(ms, sizeof(ms), "%d", HELLO_SHORT_MS);
	d_start(&d, "--hello-timeout", ms, NULL);
	fd = d_raw(&d);
	while (off < sizeof(junk) &&
	    (n = send(fd, junk + off, sizeof(junk) - off, MSG_NOSIGNAL)) > 0)
		off += n;
	ck_assert_msg(closed_within(fd, 20 * HELLO_SHORT_MS),
	    "a client sending garbage was kept");
	close(fd);
	/* Half a packet, then silence: no packet either. */
	fd = d_raw(&d);
	ck_assert_int_eq(send(fd, "$qSupported:multipr", 19, 0), 19);
	ck_assert(closed_within(fd, 20 * HELLO_SHORT_MS));
	close(fd);
	d_serves(&d);
	d_stop(&d);
}
END_TEST

START_TEST(client_vanishing_mid_packet_loses_nothing)
{
	struct daemon d;
	pid_t kids[4];
	int fd;

	d_start(&d, NULL);
	fd = d_raw(&d);
	ck_assert_int_eq(send(fd, "$vRun;2f62696e2f", 16, 0), 16);
	close(fd);
	fd = d_raw(&d);
	ck_assert_int_eq(send(fd, "$qLaunchGDBServer;host:x;#", 26, 0), 26);
	close(fd);
	d_serves(&d);
	ck_assert_int_eq(children(d.d_pid, kids, 4), 0);
	d_stop(&d);
}
END_TEST

START_TEST(waiting_connections_are_limited)
{
	int fds[PLATFORM_MAX_CONNS + 1], i, extra;
	struct rspc *rc;
	struct daemon d;
	const char *r;

	d_start(&d, NULL);
	for (i = 0; i < PLATFORM_MAX_CONNS; i++)
		fds[i] = d_raw(&d);
	/* At the limit, every one of them is served. */
	rc = rspc_from_fd(fds[PLATFORM_MAX_CONNS - 1]);
	ck_assert_int_gt(rspc_requeststr(rc, "qHostInfo", &r), 0);
	/* Past it, the next is closed at once, and logged. */
	extra = d_raw(&d);
	ck_assert(closed_within(extra, D_GONE_MS));
	ck_assert(d_says(&d, "connections wait already; refused",
	    D_START_MS));
	close(extra);
	/* One leaves: there is room again. */
	close(fds[0]);
	usleep(100000);
	fds[0] = d_raw(&d);
	ck_assert(!closed_within(fds[0], 200));
	rspc_close(rc);
	for (i = 0; i < PLATFORM_MAX_CONNS - 1; i++)
		close(fds[i]);
	d_serves(&d);
	d_stop(&d);
}
END_TEST

START_TEST(sessions_are_limited)
{
	struct rspc *a, *b, *c;
	struct daemon d;
	const char *r;

	d_start(&d, "--max-sessions", "2", NULL);
	a = d_connect(&d);
	launch_hello(a, "T05");
	b = d_connect(&d);
	launch_hello(b, "T05");
	c = d_connect(&d);
	launch_hello(c, "E0b");		/* EAGAIN */
	ck_assert(closed_within(c->r_fd, D_GONE_MS));
	rspc_close(c);
	ck_assert(d_says(&d, "2 sessions already; refused", D_START_MS));
	rspc_close(a);
	/* The daemon reaped the worker (not the worker saying it ends). */
	ck_assert(d_says(&d, "): session ended", D_GONE_MS));
	c = d_connect(&d);
	launch_hello(c, "T05");
	ck_assert_int_gt(rspc_requeststr(b, "?", &r), 0);
	rspc_close(b);
	rspc_close(c);
	d_stop(&d);
	/* Out of range. */
	{
		char *argv[] = { NULL, "platform", "--listen", ":0",
		    "--max-sessions", "0", NULL };
		char exe[1024], err[1024] = "";
		size_t len = 0;
		int fd, st;
		pid_t pid;

		path_of(exe, sizeof(exe), "handoffd");
		argv[0] = exe;
		pid = spawn(argv, &fd);
		read_until(fd, err, sizeof(err), &len, "max-sessions",
		    now_ms() + D_START_MS);
		st = wait_exit(pid, D_GONE_MS);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1 &&
		    strstr(err, "--max-sessions 0: too small") != NULL,
		    "--max-sessions 0: %s", err);
		close(fd);
	}
}
END_TEST

START_TEST(lldb_platform_queries)
{
	char want[64], pkt[64];
	struct rspc *rc, *s;
	struct daemon d;
	const char *r;
	pid_t w[2], dbg[2];

	d_start(&d, NULL);
	rc = d_connect(&d);
	ck_assert_int_gt(rspc_requeststr(rc, "qQueryGDBServer", &r), 0);
	ck_assert_str_eq(r, "E04");
	ck_assert_int_gt(rspc_requeststr(rc, "qLaunchGDBServer;host:vm;", &r),
	    0);
	snprintf(want, sizeof(want), "port:%d;", d.d_port);
	ck_assert_str_eq(r, want);
	ck_assert_int_gt(rspc_requeststr(rc, "qQueryGDBServer", &r), 0);
	snprintf(want, sizeof(want), "[{\"port\":%d}]", d.d_port);
	ck_assert_str_eq(r, want);
	ck_assert_int_gt(rspc_requeststr(rc, "qKillSpawnedProcess:1", &r), 0);
	ck_assert_str_eq(r, "E0a");
	ck_assert_int_gt(rspc_requeststr(rc, "qKillSpawnedProcess:x1", &r),
	    0);
	ck_assert_str_eq(r, "E16");
	ck_assert_int_gt(rspc_requeststr(rc, "qKillSpawnedProcess:", &r), 0);
	ck_assert_str_eq(r, "E16");
	ck_assert_int_gt(rspc_requeststr(rc,
	    "qKillSpawnedProcess:99999999999", &r), 0);
	ck_assert_str_eq(r, "E16");
	/* The session the client was told to open, on the same port. */
	s = d_connect(&d);
	launch_hello(s, "T05");
	ck_assert_int_eq(children(d.d_pid, w, 2), 1);
	ck_assert_int_eq(children(w[0], dbg, 2), 1);
	snprintf(pkt, sizeof(pkt), "qKillSpawnedProcess:%d", (int)dbg[0]);
	ck_assert(d_says(&d, "launched process", D_START_MS));
	ck_assert_int_gt(rspc_requeststr(rc, pkt, &r), 0);
	ck_assert_str_eq(r, "OK");
	ck_assert(proc_gone(dbg[0], D_GONE_MS));
	rspc_close(s);
	rspc_close(rc);
	d_stop(&d);
}
END_TEST

START_TEST(pidfile_keeps_a_second_daemon_out)
{
	char dir[] = "/tmp/handoffd-pidfile.XXXXXX", path[128], exe[1024];
	char err[1024] = "", buf[32] = "";
	struct daemon d;
	size_t len = 0;
	int fd, st;
	pid_t pid;
	FILE *fp;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/handoffd.pid", dir);
	d_start(&d, "--pidfile", path, NULL);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	ck_assert_int_eq(atoi(buf), d.d_pid);
	{
		char *argv[] = { exe, "platform", "--listen", "127.0.0.1:0",
		    "--pidfile", path, NULL };

		path_of(exe, sizeof(exe), "handoffd");
		pid = spawn(argv, &fd);
		read_until(fd, err, sizeof(err), &len, "already running",
		    now_ms() + D_START_MS);
		st = wait_exit(pid, D_GONE_MS);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 1 &&
		    strstr(err, "already running") != NULL, "second: %s", err);
		close(fd);
	}
	d_stop(&d);
	ck_assert_int_eq(access(path, F_OK), -1);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("platformd");

	ck_add(s, "fifty_sessions_at_once_on_one_port",
	    fifty_sessions_at_once_on_one_port, 120, NULL);
	ck_add(s, "silent_client_is_closed_after_the_hello_timeout",
	    silent_client_is_closed_after_the_hello_timeout, 30, NULL);
	ck_add(s, "garbage_costs_a_bounded_buffer_and_a_timeout",
	    garbage_costs_a_bounded_buffer_and_a_timeout, 30, NULL);
	ck_add(s, "client_vanishing_mid_packet_loses_nothing",
	    client_vanishing_mid_packet_loses_nothing, 30, NULL);
	ck_add(s, "waiting_connections_are_limited",
	    waiting_connections_are_limited, 60, NULL);
	ck_add(s, "sessions_are_limited", sessions_are_limited, 60, NULL);
	ck_add(s, "lldb_platform_queries", lldb_platform_queries, 30, NULL);
	ck_add(s, "pidfile_keeps_a_second_daemon_out",
	    pidfile_keeps_a_second_daemon_out, 30, NULL);
	return ck_run(s);
}
