/*
 * server.c -- start one debug server on an inferior, connect, handshake.
 *
 * handoffd and gdbserver are started on port 0 and print "Listening on
 * port N" on stderr, which goes to a log file we poll.  lldb-server
 * prints nothing useful; --pipe 3 makes it write the port, NUL-ended,
 * to a pipe.  The benchmark is a child subreaper, so an inferior its
 * server leaves behind becomes ours to kill and reap.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
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

/* qSupported (for PacketSize) then QStartNoAckMode. */
static int
handshake(struct sess *ss, const char *features)
{
	const char *r, *p;

	if (rspc_requestf(ss->ss_rc, &r, "qSupported:%s", features) == -1)
		return -1;
	if ((p = strstr(r, "PacketSize=")) == NULL)
		return -1;
	/* Hex, says gdb's manual; lldb-server means decimal ("131072"). */
	ss->ss_packetsize = strtoul(p + strlen("PacketSize="), NULL,
	    ss->ss_srv->sv_kind == SRV_LLDB ? 10 : 16);
	if (rspc_requeststr(ss->ss_rc, "QStartNoAckMode", &r) == -1 ||
	    strcmp(r, "OK") != 0)
		return -1;
	ss->ss_rc->r_noack = true;
	rsp_decoder_noack(&ss->ss_rc->r_dec, true);
	if (rspc_requeststr(ss->ss_rc, "?", &r) == -1)
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

/* The parent of pid from /proc, or -1. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	return (pid_t)strtol(p + 4, NULL, 10);	/* ") S PPID" */
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
