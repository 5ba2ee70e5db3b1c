/*
 * server.c -- start one debug server on an inferior, connect, handshake.
 *
 * handoffd and gdbserver are started on port 0 and print "Listening on
 * port N" on stderr, which goes to a log file we poll.  lldb-server
 * prints nothing useful; --pipe 3 makes it write the port, NUL-ended,
 * to a pipe.  The benchmark is a child subreaper, so an inferior its
 * server leaves behind becomes ours to kill and reap.
 *
 * Daemons (bench -P) are started once and serve session after session:
 * handoffd platform and lldb-server platform write their port to a
 * --socket-file, handoffd gdbserver --multi says it on stderr.  A
 * session through a platform goes as lldb's does: connect, handshake,
 * qLaunchGDBServer, connect to the port it names, handshake, vRun.
 * After each session the benchmark waits until every process under it
 * but the daemons has gone, so a session's teardown never runs into
 * the next one's measurement.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

#define SRV_LISTENING	"Listening on port "
#define SRV_MAX_LOG	8192	/* bytes of a log searched for the port */
#define SRV_POLL_MS	2	/* between looks at the log */

static const struct {
	const char	*k_name;
	enum srv_kind	 k_kind;
	const char	*k_cmd;
} kinds[] = {
	{ "handoffd", SRV_HANDOFFD, "handoffd gdbserver --once" },
	{ "gdbserver", SRV_GDBSERVER, "gdbserver --once" },
	{ "lldb-server", SRV_LLDB, "lldb-server-16 gdbserver" },
	{ "handoffd-platform", SRV_HPLATFORM, "handoffd platform --server" },
	{ "lldb-platform", SRV_LPLATFORM, "lldb-server-16 platform --server" },
	{ "handoffd-multi", SRV_HMULTI, "handoffd gdbserver --multi" },
};

/* "KIND" or "KIND=COMMAND LINE" (the words before COMM). */
int
server_parse(struct server *sv, const char *spec)
{
	const char *eq = strchr(spec, '=');
	size_t i, klen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	char *words, *w;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strlen(kinds[i].k_name) == klen &&
		    strncmp(spec, kinds[i].k_name, klen) == 0)
			break;
	}
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	sv->sv_kind = kinds[i].k_kind;
	sv->sv_name = kinds[i].k_name;
	if ((words = strdup(eq != NULL ? eq + 1 : kinds[i].k_cmd)) == NULL)
		return -1;
	sv->sv_argc = 0;
	for (w = strtok(words, " \t"); w != NULL; w = strtok(NULL, " \t")) {
		if (sv->sv_argc == BENCH_MAX_ARGV / 2)
			return -1;
		sv->sv_argv[sv->sv_argc++] = w;
	}
	sv->sv_argv[sv->sv_argc] = NULL;
	return sv->sv_argc > 0 ? 0 : -1;
}

/* The server's argv: its prefix, then COMM and the program. */
static void
build_argv(const struct server *sv, char *const prog[], char **argv)
{
	int i, n = 0;

	for (i = 0; i < sv->sv_argc; i++)
		argv[n++] = sv->sv_argv[i];
	if (sv->sv_kind == SRV_LLDB) {
		argv[n++] = "--pipe";
		argv[n++] = "3";
	}
	argv[n++] = "127.0.0.1:0";
	if (sv->sv_kind == SRV_LLDB)
		argv[n++] = "--";
	for (i = 0; prog[i] != NULL && n < BENCH_MAX_ARGV - 1; i++)
		argv[n++] = prog[i];
	argv[n] = NULL;
}

static pid_t
spawn(char **argv, int logfd, int pipefd)
{
	pid_t pid;
	int null;

	if ((pid = fork()) != 0)
		return pid;
	if ((null = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(null, 0) == -1 || dup2(logfd, 1) == -1 ||
	    dup2(logfd, 2) == -1 || (pipefd != -1 && dup2(pipefd, 3) == -1))
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "bench: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* The port in "Listening on port N" once the log has it; 0 if not yet. */
static int
port_from_log(int logfd)
{
	char buf[SRV_MAX_LOG];
	ssize_t n;
	char *p;

	if ((n = pread(logfd, buf, sizeof(buf) - 1, 0)) <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, SRV_LISTENING)) == NULL ||
	    strchr(p, '\n') == NULL)
		return 0;
	return atoi(p + strlen(SRV_LISTENING));
}

/* The port lldb-server writes to the pipe, NUL-ended; 0 if not yet. */
static int
port_from_pipe(int fd, char *buf, size_t *have, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, SRV_POLL_MS) <= 0)
		return 0;
	if ((n = read(fd, buf + *have, cap - 1 - *have)) <= 0)
		return -1;
	*have += n;
	buf[*have] = '\0';
	if (memchr(buf, '\0', *have) == NULL && *have < cap - 1)
		return 0;
	return atoi(buf);
}

/* Wait for the port; -1 if the server died or took too long. */
static int
wait_port(struct sess *ss, int logfd, int pipefd)
{
	char buf[32];
	size_t have = 0;
	double end = now_us() + BENCH_START_MS * 1e3;
	int port = 0, status;

	while (port == 0 && now_us() < end) {
		if (waitpid(ss->ss_pid, &status, WNOHANG) == ss->ss_pid) {
			ss->ss_pid = -1;
			return -1;
		}
		if (pipefd != -1)
			port = port_from_pipe(pipefd, buf, &have, sizeof(buf));
		else if ((port = port_from_log(logfd)) == 0)
			usleep(SRV_POLL_MS * 1000);
	}
	return port > 0 ? port : -1;
}

static int
noack(struct rspc *rc)
{
	const char *r;

	if (rspc_requeststr(rc, "QStartNoAckMode", &r) == -1 ||
	    strcmp(r, "OK") != 0)
		return -1;
	rc->r_noack = true;
	rsp_decoder_noack(&rc->r_dec, true);
	return 0;
}

static int
supported(struct sess *ss, struct rspc *rc, const char *features)
{
	bool lldb_server = ss->ss_srv->sv_kind == SRV_LLDB ||
	    ss->ss_srv->sv_kind == SRV_LPLATFORM;
	const char *r, *p;

	if (rspc_requestf(rc, &r, "qSupported:%s", features) == -1)
		return -1;
	/* Hex, says gdb's manual; lldb-server means decimal ("131072"). */
	if (rc == ss->ss_rc && (p = strstr(r, "PacketSize=")) != NULL)
		ss->ss_packetsize = strtoul(p + strlen("PacketSize="), NULL,
		    lldb_server ? 10 : 16);
	return 0;
}

/* qSupported (for PacketSize) then QStartNoAckMode, then '?'. */
static int
handshake(struct sess *ss, const char *features)
{
	const char *r;

	if (supported(ss, ss->ss_rc, features) == -1 ||
	    ss->ss_packetsize == 0 || noack(ss->ss_rc) == -1 ||
	    rspc_requeststr(ss->ss_rc, "?", &r) == -1)
		return -1;
	return sess_stopreply(ss, r);
}

/* Remember the thread of a T stop reply; -1 if it is no stop reply. */
int
sess_stopreply(struct sess *ss, const char *reply)
{
	const char *t;
	size_t n;

	if (reply[0] != 'T' && reply[0] != 'S')
		return -1;
	if ((t = strstr(reply, "thread:")) == NULL)
		return 0;
	t += strlen("thread:");
	n = strcspn(t, ";");
	if (n >= sizeof(ss->ss_thread))
		return -1;
	memcpy(ss->ss_thread, t, n);
	ss->ss_thread[n] = '\0';
	ss->ss_inferior = (pid_t)strtol(t + (t[0] == 'p'), NULL, 16);
	return 0;
}

static int
connect_port(struct sess *ss, int port, const char *features)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	if ((ss->ss_rc = rspc_connect(addr)) == NULL)
		return -1;
	return handshake(ss, features);
}

int
sess_start(struct sess *ss, const struct server *sv, char *const prog[],
    const char *features)
{
	char *argv[BENCH_MAX_ARGV];
	int logfd, pfd[2] = { -1, -1 }, port, rv = -1;

	memset(ss, 0, sizeof(*ss));
	ss->ss_srv = sv;
	ss->ss_pid = -1;
	strlcpy(ss->ss_log, "/tmp/bench-server-XXXXXX", sizeof(ss->ss_log));
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((logfd = mkostemp(ss->ss_log, O_CLOEXEC)) == -1)
		return -1;
	if (sv->sv_kind == SRV_LLDB && pipe2(pfd, O_CLOEXEC) == -1)
		goto out;
	build_argv(sv, prog, argv);
	if ((ss->ss_pid = spawn(argv, logfd, pfd[1])) == -1)
		goto out;
	if (pfd[1] != -1)
		close(pfd[1]);
	pfd[1] = -1;
	if ((port = wait_port(ss, logfd, pfd[0])) == -1)
		goto out;
	rv = connect_port(ss, port, features);
out:
	if (rv == -1) {
		warnx("%s did not start or connect; its log: %s", sv->sv_name,
		    ss->ss_log);
		ss->ss_keeplog = 1;
	}
	close(logfd);
	if (pfd[0] != -1)
		close(pfd[0]);
	if (pfd[1] != -1)
		close(pfd[1]);
	return rv;
}

/* Wait for a child until the deadline; 0 once it is reaped. */
static int
wait_exit(pid_t pid, int ms)
{
	double end = now_us() + ms * 1e3;
	int status;

	while (now_us() < end) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return 0;
		usleep(SRV_POLL_MS * 1000);
	}
	return -1;
}

/*
 * /proc/PID/stat into buf, and what follows the command's closing ')'
 * (" S PPID ..."), or NULL.
 */
static const char *
read_stat(pid_t pid, char *buf, size_t cap)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return NULL;
	return p + 1;
}

/* The state letter of pid from /proc (R, S, t, Z...), or 0. */
static char
proc_state(pid_t pid)
{
	char buf[512];
	const char *p = read_stat(pid, buf, sizeof(buf));

	return p != NULL ? p[1] : 0;	/* " S" */
}

/* The parent of pid from /proc, or -1. */
static pid_t
parent_of(pid_t pid)
{
	char buf[512];
	const char *p = read_stat(pid, buf, sizeof(buf));

	return p != NULL ? (pid_t)strtol(p + 3, NULL, 10) : -1; /* " S PPID" */
}

/* Kill the inferior if it is still the server's child or ours. */
static void
kill_inferior(struct sess *ss, pid_t server)
{
	pid_t pp;

	if (ss->ss_inferior <= 0)
		return;
	pp = parent_of(ss->ss_inferior);
	if (pp != -1 && (pp == server || pp == getpid()))
		kill(ss->ss_inferior, SIGKILL);
}

/* Kill the inferior, close, and see the server gone. */
void
sess_stop(struct sess *ss)
{
	if (ss->ss_rc != NULL) {
		rspc_send(ss->ss_rc, "k", 1);
		rspc_close(ss->ss_rc);
		ss->ss_rc = NULL;
	}
	if (ss->ss_pid > 0 && wait_exit(ss->ss_pid, BENCH_STOP_MS) == -1) {
		warnx("%s did not exit; killing it", ss->ss_srv->sv_name);
		kill_inferior(ss, ss->ss_pid);
		kill(ss->ss_pid, SIGKILL);
		waitpid(ss->ss_pid, NULL, 0);
	}
	kill_inferior(ss, ss->ss_pid);
	ss->ss_pid = -1;
	sess_reap();
	if (!ss->ss_keeplog)
		unlink(ss->ss_log);
}

/* Reap inferiors left to us as subreaper. */
void
sess_reap(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ------------------------------------------------------------ daemons */

static pid_t daemons[BENCH_MAX_SERVERS];	/* running, 0: free slot */

bool
srv_is_daemon(const struct server *sv)
{
	return sv->sv_kind == SRV_HPLATFORM || sv->sv_kind == SRV_LPLATFORM ||
	    sv->sv_kind == SRV_HMULTI;
}

static bool
srv_is_platform(const struct server *sv)
{
	return sv->sv_kind == SRV_HPLATFORM || sv->sv_kind == SRV_LPLATFORM;
}

static bool
is_daemon_pid(pid_t pid)
{
	size_t i;

	for (i = 0; i < BENCH_MAX_SERVERS; i++) {
		if (daemons[i] == pid)
			return true;
	}
	return false;
}

/* The port a platform wrote to its --socket-file; 0 if not yet. */
static int
port_from_file(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return isdigit((unsigned char)buf[0]) ? atoi(buf) : 0;
}

int
daemon_start(struct daemon *d, const struct server *sv)
{
	char *argv[BENCH_MAX_ARGV];
	double end = now_us() + BENCH_START_MS * 1e3;
	int i, n = 0, logfd, status;
	size_t slot;

	memset(d, 0, sizeof(*d));
	d->d_srv = sv;
	d->d_pid = -1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	strlcpy(d->d_log, "/tmp/bench-daemon-XXXXXX", sizeof(d->d_log));
	if ((logfd = mkostemp(d->d_log, O_CLOEXEC)) == -1)
		return -1;
	snprintf(d->d_sockfile, sizeof(d->d_sockfile), "%s.port", d->d_log);
	for (i = 0; i < sv->sv_argc; i++)
		argv[n++] = sv->sv_argv[i];
	if (srv_is_platform(sv)) {
		argv[n++] = "--listen";
		argv[n++] = "127.0.0.1:0";
		argv[n++] = "--socket-file";
		argv[n++] = d->d_sockfile;
	} else
		argv[n++] = "127.0.0.1:0";
	argv[n] = NULL;
	if ((d->d_pid = spawn(argv, logfd, -1)) == -1)
		goto fail;
	while (d->d_port == 0 && now_us() < end) {
		if (waitpid(d->d_pid, &status, WNOHANG) == d->d_pid) {
			d->d_pid = -1;
			goto fail;
		}
		d->d_port = srv_is_platform(sv) ? port_from_file(d->d_sockfile) :
		    port_from_log(logfd);
		if (d->d_port == 0)
			usleep(SRV_POLL_MS * 1000);
	}
	if (d->d_port <= 0)
		goto fail;
	close(logfd);
	for (slot = 0; slot < BENCH_MAX_SERVERS && daemons[slot] != 0; slot++)
		;
	if (slot < BENCH_MAX_SERVERS)
		daemons[slot] = d->d_pid;
	return 0;
fail:
	warnx("%s did not start; its log: %s", sv->sv_name, d->d_log);
	close(logfd);
	if (d->d_pid > 0) {
		kill(d->d_pid, SIGKILL);
		waitpid(d->d_pid, NULL, 0);
	}
	d->d_pid = -1;
	return -1;
}

void
daemon_stop(struct daemon *d)
{
	size_t i;

	if (d->d_pid <= 0)
		return;
	for (i = 0; i < BENCH_MAX_SERVERS; i++) {
		if (daemons[i] == d->d_pid)
			daemons[i] = 0;
	}
	kill(d->d_pid, SIGTERM);
	if (wait_exit(d->d_pid, BENCH_STOP_MS) == -1) {
		warnx("%s did not exit; killing it", d->d_srv->sv_name);
		kill(d->d_pid, SIGKILL);
		waitpid(d->d_pid, NULL, 0);
	}
	d->d_pid = -1;
	sess_reap();
	unlink(d->d_sockfile);
	unlink(d->d_log);
}

/*
 * Count the live processes under pid (daemons not counted, but looked
 * into): every task's children, from /proc.  A zombie counts as gone:
 * lldb-server platform reaps its connection's child only at the next
 * accept.
 */
static int
live_under(pid_t pid, pid_t *one)
{
	char path[320], buf[4096], *p, *end;
	struct dirent *de;
	DIR *dir;
	ssize_t n;
	pid_t c;
	char st;
	int fd, live = 0;

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(dir)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task/%s/children",
		    (long)pid, de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (p = buf; *p != '\0'; p = end) {
			c = (pid_t)strtol(p, &end, 10);
			if (end == p)
				break;
			if (!is_daemon_pid(c) && (st = proc_state(c)) != 0 &&
			    st != 'Z' && st != 'X') {
				live++;
				*one = c;
			}
			live += live_under(c, one);
		}
	}
	closedir(dir);
	return live;
}

/* Wait until every process under us but the daemons has gone. */
static int
quiesce(void)
{
	double end = now_us() + BENCH_QUIET_MS * 1e3;
	pid_t one = -1;

	for (;;) {
		sess_reap();
		if (live_under(getpid(), &one) == 0)
			return 0;
		if (now_us() > end)
			break;
		usleep(200);
	}
	warnx("process %ld still running after a session", (long)one);
	return -1;
}

/*
 * With hostinfo, lldb's handshake: QStartNoAckMode, qSupported, then
 * qHostInfo.  Without, the one every direct session of the benchmark
 * does (qSupported, then QStartNoAckMode): handoffd answers a client
 * that starts with QStartNoAckMode in lldb's dialect (longer stop
 * replies, no run-length encoding), so the order decides what is
 * compared.
 */
static int
phandshake(struct sess *ss, struct rspc *rc, const char *features,
    bool hostinfo)
{
	const char *r;

	if (!hostinfo)
		return supported(ss, rc, features) == -1 || noack(rc) == -1 ?
		    -1 : 0;
	if (noack(rc) == -1 || supported(ss, rc, features) == -1 ||
	    rspc_requeststr(rc, "qHostInfo", &r) == -1 || r[0] == 'E')
		return -1;
	return 0;
}

/* "pid:N;port:P;" (lldb-server) or "port:P;" (handoffd). */
static int
launch_reply(struct sess *ss, const char *r, int *port)
{
	const char *p;

	*port = 0;
	if ((p = strstr(r, "port:")) != NULL)
		*port = atoi(p + strlen("port:"));
	if ((p = strstr(r, "pid:")) != NULL)
		ss->ss_pid = (pid_t)atoi(p + strlen("pid:"));
	return *port > 0 ? 0 : -1;
}

static void
addhex(char **p, const char *end, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	for (; *s != '\0' && *p + 2 < end; s++) {
		*(*p)++ = digits[(unsigned char)*s >> 4];
		*(*p)++ = digits[(unsigned char)*s & 15];
	}
}

/* vRun;HEXPROG;HEXARG...: its reply is the first stop. */
static int
vrun(struct sess *ss, char *const prog[])
{
	char buf[1024], *p = buf, *end = buf + sizeof(buf);
	const char *r;
	int i;

	p += snprintf(buf, sizeof(buf), "vRun");
	for (i = 0; prog[i] != NULL && p + 1 < end; i++) {
		*p++ = ';';
		addhex(&p, end, prog[i]);
	}
	if (rspc_request(ss->ss_rc, buf, p - buf, &r) == -1)
		return -1;
	if (sess_stopreply(ss, r) == -1) {
		warnx("%s: vRun: \"%.40s\"", ss->ss_srv->sv_name, r);
		return -1;
	}
	return 0;
}

static double
lap(double *t)
{
	double t0 = *t;

	*t = now_us();
	return *t - t0;
}

/*
 * A session through daemon d, timed in its parts: on a platform as lldb
 * starts one (connect, handshake, qLaunchGDBServer, connect to the port
 * named, handshake, vRun), on --multi from the second connect on.  The
 * platform handshake is always lldb's; on the session's connection,
 * features and hostinfo say what to send.
 */
int
psess_start(struct sess *ss, const struct daemon *d, char *const prog[],
    const char *features, bool hostinfo, double ph[PH_N])
{
	char addr[32];
	const char *r;
	double t0, t;
	int i, port = d->d_port;

	memset(ss, 0, sizeof(*ss));
	ss->ss_srv = d->d_srv;
	ss->ss_pid = -1;
	ss->ss_daemon = 1;
	for (i = 0; i < PH_N; i++)
		ph[i] = NAN;
	t0 = t = now_us();
	if (srv_is_platform(d->d_srv)) {
		snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
		if ((ss->ss_platform = rspc_connect(addr)) == NULL ||
		    phandshake(ss, ss->ss_platform, BENCH_LLDB_FEATURES,
		    true) == -1)
			goto fail;
		ph[PH_PLATFORM] = lap(&t);
		if (rspc_requeststr(ss->ss_platform,
		    "qLaunchGDBServer;host:127.0.0.1;", &r) == -1 ||
		    launch_reply(ss, r, &port) == -1)
			goto fail;
		ph[PH_LAUNCH] = lap(&t);
	}
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	if ((ss->ss_rc = rspc_connect(addr)) == NULL ||
	    phandshake(ss, ss->ss_rc, features, hostinfo) == -1)
		goto fail;
	ph[PH_CONNECT] = lap(&t);
	if (vrun(ss, prog) == -1)
		goto fail;
	ph[PH_RUN] = lap(&t);
	ph[PH_TOTAL] = t - t0;
	/* The server of this session: its RSS is measured. */
	if (d->d_srv->sv_kind == SRV_HPLATFORM)
		ss->ss_pid = parent_of(ss->ss_inferior);	/* the worker */
	else if (d->d_srv->sv_kind == SRV_HMULTI)
		ss->ss_pid = d->d_pid;
	return 0;
fail:
	warn("%s: session start failed (daemon log: %s)", d->d_srv->sv_name,
	    d->d_log);
	return -1;
}

/* Kill the inferior, close both connections, wait for all to go. */
void
psess_stop(struct sess *ss)
{
	if (ss->ss_rc != NULL) {
		rspc_send(ss->ss_rc, "k", 1);
		rspc_close(ss->ss_rc);
		ss->ss_rc = NULL;
	}
	if (ss->ss_platform != NULL) {
		rspc_close(ss->ss_platform);
		ss->ss_platform = NULL;
	}
	if (quiesce() == -1 && ss->ss_inferior > 0)
		kill(ss->ss_inferior, SIGKILL);
}
