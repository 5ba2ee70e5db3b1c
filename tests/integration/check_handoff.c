/*
 * check_handoff.c -- the fork handoff (docs/protocol.md) end to end:
 * a real handoffd, the forker and forkonce programs, and the client
 * library (client/rspc, client/handoff) in place of a debugger.
 *
 * Each test starts "handoffd gdbserver" or "handoffd platform --server"
 * with a log file in a private directory, and checks what a client sees
 * (notifications, descriptors, stop replies, memory) against what the
 * log and /proc say.  Deadlines here are hang guards, never measurements.
 * On a failure the directory is kept; its log is named in the message.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/handoff.h"
#include "client/rspc.h"
#include "daemon/handoff.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define S_START_MS	10000	/* for "Listening on" */
#define S_GONE_MS	10000	/* for a process to go */
#define S_LOG_MS	20000	/* for a log line that is due */
#define S_NOTE_MS	20000	/* for a %Handoff that is due */
#define S_MAX_ERR	8192	/* bytes of the server's stderr kept */
#define S_MAX_ARGS	24
#define S_MAX_LOG	(1 << 20)	/* bytes of the log read */
#define MANY		100	/* children of the big test */
#define EXIT_MOD	200	/* forker: child i exits i % this + 1 */
#define FEATURES	"multiprocess+;fork-handoff+;swbreak+"
#define PASS_SIGCHLD	"QPassSignals:14"	/* GDB's SIGCHLD: no stops */

struct srv {
	pid_t		 s_pid;
	int		 s_errfd;
	char		 s_err[S_MAX_ERR];
	size_t		 s_errlen;
	char		 s_dir[64];
	char		 s_log[128];
	char		 s_out[128];	/* its stdout, and its programs' */
	char		 s_addr[160];	/* for rspc_connect */
	char		*s_logbuf;	/* the log as last read */
};

/* What the tests need of a test program: where its symbols are. */
struct syms {
	char		 y_exe[PATH_MAX];	/* resolved path */
	bool		 y_pie;
	unsigned long	 y_child_work;		/* file addresses */
	unsigned long	 y_after_fork;
	unsigned long	 y_parent_marker;
};

/* ------------------------------------------------------------ helpers */

static void
prog_path(char *dst, size_t cap, const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "tests/progs/%s", name);
	path_of(dst, cap, rel);
}

/*
 * Start handoffd.  mode "gdbserver" or "platform"; tcp: 127.0.0.1:0,
 * else a unix socket in the test's directory.  Then the options, a NULL,
 * and (gdbserver) the program's name in tests/progs and its arguments,
 * NULL-ended.
 */
/* A private directory with the log's and stdout's names in s. */
static void
srv_dir(struct srv *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->s_dir, sizeof(s->s_dir), "/tmp/check_handoff.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->s_dir));
	snprintf(s->s_log, sizeof(s->s_log), "%s/log", s->s_dir);
	snprintf(s->s_out, sizeof(s->s_out), "%s/out", s->s_dir);
}

/*
 * spawn() of itest.h, but stdout (the programs' too, which inherit it)
 * goes to s_out, so a test can read what they printed.
 */
static void
srv_exec(struct srv *s, char *const argv[])
{
	int p[2], nul, out;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((nul = open("/dev/null", O_RDWR)) == -1 ||
		    (out = open(s->s_out, O_WRONLY | O_CREAT | O_APPEND,
		    0600)) == -1 || dup2(nul, 0) == -1 || dup2(out, 1) == -1 ||
		    dup2(p[1], 2) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	s->s_pid = pid;
	s->s_errfd = p[0];
}

static void
srv_start(struct srv *s, const char *mode, bool tcp, ...)
{
	char *argv[S_MAX_ARGS], exe[PATH_MAX], prog[PATH_MAX], listen[128];
	const char *hit, *a;
	bool platform = strcmp(mode, "platform") == 0;
	va_list ap;
	int n = 0;

	srv_dir(s);
	if (tcp)
		snprintf(listen, sizeof(listen), "127.0.0.1:0");
	else
		snprintf(listen, sizeof(listen), "unix:%s/sock", s->s_dir);
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = (char *)mode;
	if (platform) {
		argv[n++] = "--server";
		argv[n++] = "--listen";
		argv[n++] = listen;
	}
	argv[n++] = "--log-file";
	argv[n++] = s->s_log;
	va_start(ap, tcp);
	while ((a = va_arg(ap, const char *)) != NULL && n < S_MAX_ARGS - 4)
		argv[n++] = (char *)a;
	if (!platform) {
		argv[n++] = listen;
		a = va_arg(ap, const char *);
		ck_assert_ptr_nonnull(a);
		prog_path(prog, sizeof(prog), a);
		argv[n++] = prog;
		while ((a = va_arg(ap, const char *)) != NULL &&
		    n < S_MAX_ARGS - 1)
			argv[n++] = (char *)a;
	}
	va_end(ap);
	argv[n] = NULL;
	srv_exec(s, argv);
	hit = read_until(s->s_errfd, s->s_err, sizeof(s->s_err), &s->s_errlen,
	    "Listening on ", now_ms() + S_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", s->s_err);
	if (tcp) {
		hit = strstr(hit, "port ");
		ck_assert_msg(hit != NULL, "no port: %s", s->s_err);
		snprintf(s->s_addr, sizeof(s->s_addr), "127.0.0.1:%d",
		    atoi(hit + 5));
	} else
		snprintf(s->s_addr, sizeof(s->s_addr), "unix:%s/sock",
		    s->s_dir);
}

/* Read the log into s_logbuf; "" while there is none. */
static const char *
srv_log(struct srv *s)
{
	FILE *fp;
	size_t n = 0;

	free(s->s_logbuf);
	s->s_logbuf = calloc(1, S_MAX_LOG + 1);
	ck_assert_ptr_nonnull(s->s_logbuf);
	if ((fp = fopen(s->s_log, "r")) != NULL) {
		n = fread(s->s_logbuf, 1, S_MAX_LOG, fp);
		fclose(fp);
	}
	s->s_logbuf[n] = '\0';
	return (s->s_logbuf);
}

/* Lines of the log containing both a and b (b may be NULL). */
static int
log_count(struct srv *s, const char *a, const char *b)
{
	const char *p = srv_log(s), *nl;
	char line[1024];
	size_t len;
	int n = 0;

	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		len = (size_t)(nl - p) < sizeof(line) - 1 ?
		    (size_t)(nl - p) : sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (strstr(line, a) != NULL && (b == NULL ||
		    strstr(line, b) != NULL))
			n++;
	}
	return (n);
}

/* Wait (hang guard S_LOG_MS) until at least n lines have a and b. */
static bool
log_wait(struct srv *s, const char *a, const char *b, int n)
{
	long long end = now_ms() + S_LOG_MS;

	while (log_count(s, a, b) < n) {
		if (now_ms() >= end)
			return (false);
		usleep(20000);
	}
	return (true);
}

static void
rm_dir(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void
srv_stop(struct srv *s)
{
	int status;

	if (s->s_pid > 0) {	/* not reaped yet by srv_reap */
		kill(s->s_pid, SIGTERM);
		if ((status = wait_exit(s->s_pid, S_GONE_MS)) == -1) {
			kill(s->s_pid, SIGKILL);
			wait_exit(s->s_pid, S_GONE_MS);
		}
	}
	close(s->s_errfd);
	free(s->s_logbuf);
	s->s_logbuf = NULL;
	rm_dir(s->s_dir);
}

static struct rspc *
srv_connect(struct srv *s, const char *features)
{
	struct rspc *rc = rspc_connect(s->s_addr);

	ck_assert_msg(rc != NULL, "connect %s: %s", s->s_addr,
	    strerror(errno));
	ck_assert_msg(rspc_handshake(rc, features) == 0, "handshake: %s (log %s)",
	    strerror(errno), s->s_log);
	return (rc);
}

/* The reply to pkt starts with want. */
static const char *
req_prefix(struct rspc *rc, struct srv *s, const char *pkt, const char *want)
{
	const char *r = itest_req(rc, pkt, s->s_log);

	ck_assert_msg(strncmp(r, want, strlen(want)) == 0,
	    "%s: got \"%.300s\", want \"%s...\" (log %s)", pkt, r, want,
	    s->s_log);
	return (r);
}

/* The pid a stop reply or qC names ("thread:pP.T" / "QCpP.T"). */
static pid_t
pid_in(const char *r)
{
	const char *p = strstr(r, "thread:p");

	if (p != NULL)
		return ((pid_t)strtol(p + 8, NULL, 16));
	if (strncmp(r, "QCp", 3) == 0)
		return ((pid_t)strtol(r + 3, NULL, 16));
	return (-1);
}

/* The exit code of a "WNN[;process:P]" reply, -1 for anything else. */
static int
exit_code(const char *r)
{
	return (r[0] == 'W' ? (int)strtol(r + 1, NULL, 16) : -1);
}

/* A register reply (hex, little-endian) as a number. */
static uint64_t
reg_value(const char *r)
{
	uint64_t v = 0;
	size_t i, len = strlen(r);
	unsigned b;

	for (i = 0; i + 1 < len && i < 16; i += 2) {
		ck_assert_int_eq(sscanf(r + i, "%2x", &b), 1);
		v |= (uint64_t)b << (i * 4);
	}
	return (v);
}

/* nm for child_work and parent_marker; ELF type for PIE. */
static void
syms_load(struct syms *y, const char *name)
{
	char prog[PATH_MAX], cmd[PATH_MAX + 16], line[512], sym[256], t;
	unsigned char hdr[18];
	unsigned long addr;
	FILE *fp;

	memset(y, 0, sizeof(*y));
	prog_path(prog, sizeof(prog), name);
	ck_assert_ptr_nonnull(realpath(prog, y->y_exe));
	ck_assert_ptr_nonnull(fp = fopen(y->y_exe, "r"));
	ck_assert_int_eq(fread(hdr, 1, sizeof(hdr), fp), sizeof(hdr));
	fclose(fp);
	y->y_pie = hdr[16] == 3;	/* e_type ET_DYN */
	snprintf(cmd, sizeof(cmd), "nm '%s'", y->y_exe);
	ck_assert_ptr_nonnull(fp = popen(cmd, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%lx %c %255s", &addr, &t, sym) != 3)
			continue;
		if (strcmp(sym, "child_work") == 0)
			y->y_child_work = addr;
		else if (strcmp(sym, "parent_marker") == 0)
			y->y_parent_marker = addr;
		else if (strcmp(sym, "after_fork") == 0)
			y->y_after_fork = addr;
	}
	ck_assert_int_eq(pclose(fp), 0);
	ck_assert_msg(y->y_child_work != 0, "no child_work in %s", y->y_exe);
}

/* Where pid's copy of the program is loaded (0 when not PIE). */
static unsigned long
load_base(pid_t pid, const struct syms *y)
{
	char path[64], line[PATH_MAX + 128], file[PATH_MAX];
	unsigned long start, end, off, base = 0;
	FILE *fp;

	if (!y->y_pie)
		return (0);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ck_assert_msg((fp = fopen(path, "r")) != NULL, "%s: %s", path,
	    strerror(errno));
	while (base == 0 && fgets(line, sizeof(line), fp) != NULL) {
		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %s", &start, &end,
		    &off, file) >= 3 && off == 0 &&
		    strcmp(file, y->y_exe) == 0)
			base = start;
	}
	fclose(fp);
	ck_assert_msg(base != 0, "%s not mapped in %d", y->y_exe, (int)pid);
	return (base);
}

/* The file mapped at addr in pid ("" when none). */
static void
mapping_of(pid_t pid, uint64_t addr, char *file, size_t cap)
{
	char path[64], line[PATH_MAX + 128], f[PATH_MAX];
	unsigned long start, end;
	FILE *fp;

	file[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ck_assert_ptr_nonnull(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL) {
		f[0] = '\0';
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %s", &start, &end,
		    f) >= 2 && addr >= start && addr < end) {
			snprintf(file, cap, "%s", f);
			break;
		}
	}
	fclose(fp);
}

/* The process is gone, or a zombie nobody traces any more. */
static bool
proc_ended(pid_t pid, int ms)
{
	char path[64], buf[512], *p;
	long long end = now_ms() + ms;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (;;) {
		if ((fp = fopen(path, "r")) == NULL)
			return (true);
		p = fgets(buf, sizeof(buf), fp);
		fclose(fp);
		if (p != NULL && (p = strrchr(buf, ')')) != NULL &&
		    (p[2] == 'Z' || p[2] == 'X'))
			return (true);
		if (now_ms() >= end)
			return (false);
		usleep(20000);
	}
}

/* A field of /proc/PID/status ("State", "TracerPid"), "" if none. */
static void
status_field(pid_t pid, const char *name, char *out, size_t cap)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	FILE *fp;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			snprintf(out, cap, "%s", line + nl + 1 +
			    strspn(line + nl + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(fp);
}

/* A pid no process has: one of ours, reaped. */
static pid_t
dead_pid(void)
{
	pid_t pid;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return (pid);
}

/* vRun of a program in tests/progs with args (NULL-ended); its pid. */
static pid_t
vrun(struct rspc *rc, struct srv *s, const char *name, ...)
{
	char prog[PATH_MAX], pkt[4096];
	const char *a, *r;
	va_list ap;
	size_t n, i;

	prog_path(prog, sizeof(prog), name);
	n = snprintf(pkt, sizeof(pkt), "vRun;");
	for (i = 0; prog[i] != '\0'; i++)
		n += snprintf(pkt + n, sizeof(pkt) - n, "%02x",
		    (unsigned char)prog[i]);
	va_start(ap, name);
	while ((a = va_arg(ap, const char *)) != NULL) {
		n += snprintf(pkt + n, sizeof(pkt) - n, ";");
		for (i = 0; a[i] != '\0'; i++)
			n += snprintf(pkt + n, sizeof(pkt) - n, "%02x",
			    (unsigned char)a[i]);
	}
	va_end(ap);
	r = req_prefix(rc, s, pkt, "T05");
	ck_assert_int_gt(pid_in(r), 0);
	return (pid_in(r));
}

/* The next %Handoff on the watcher, with the checks every one passes. */
static void
next_handoff(struct rspc *w, struct srv *s, struct handoff *h, pid_t ppid,
    const char *kind, const char *via)
{
	int rc = handoff_next(w, h, S_NOTE_MS);

	ck_assert_msg(rc == 0, "no %%Handoff: %s (log %s)", strerror(errno),
	    s->s_log);
	ck_assert_msg(h->h_ppid == ppid, "ppid %d, want %d", (int)h->h_ppid,
	    (int)ppid);
	ck_assert_msg(h->h_tid == h->h_pid, "tid %d of pid %d", (int)h->h_tid,
	    (int)h->h_pid);
	ck_assert_msg(strcmp(h->h_kind, kind) == 0, "kind %s, want %s",
	    h->h_kind, kind);
	ck_assert_msg(strcmp(h->h_via, via) == 0, "via %s, want %s", h->h_via,
	    via);
	if (strcmp(via, "fd") == 0)
		ck_assert_msg(h->h_fd >= 0, "via:fd without a descriptor");
	else
		ck_assert_int_eq(h->h_fd, -1);
}

/* The child's connection that came with h, shaken hands, at its T11. */
static struct rspc *
child_conn(struct srv *s, struct handoff *h)
{
	struct rspc *c = rspc_from_fd(h->h_fd);
	const char *r;

	ck_assert_ptr_nonnull(c);
	h->h_fd = -1;
	ck_assert_msg(rspc_handshake(c, "multiprocess+;swbreak+") == 0,
	    "child %d handshake: %s (log %s)", (int)h->h_pid, strerror(errno),
	    s->s_log);
	r = req_prefix(c, s, "?", "T11");
	ck_assert_msg(pid_in(r) == h->h_pid, "child %d's stop names %d: %s",
	    (int)h->h_pid, (int)pid_in(r), r);
	return (c);
}

/*
 * Drive one forker child on its own connection: breakpoint at
 * child_work, read i (rdi) and parent_marker there, then run it to its
 * exit.  Returns i; its exit code in *code.
 */
static int
drive_forker_child(struct srv *s, struct handoff *h, const struct syms *y,
    int *code)
{
	struct rspc *c = child_conn(s, h);
	unsigned long base = load_base(h->h_pid, y);
	char pkt[64];
	const char *r;
	int i;

	snprintf(pkt, sizeof(pkt), "Z0,%lx,1", base + y->y_child_work);
	ITEST_REPLY_IS(c, s->s_log, pkt, "OK");
	r = req_prefix(c, s, "vCont;c", "T05");
	ck_assert_msg(strstr(r, "swbreak") != NULL, "no swbreak: %s", r);
	r = itest_req(c, "p5", s->s_log);
	ck_assert_int_eq(strlen(r), 16);
	i = (int)reg_value(r);
	ck_assert_msg(i >= 0 && i < MANY, "child %d: rdi %s", (int)h->h_pid, r);
	snprintf(pkt, sizeof(pkt), "m%lx,4", base + y->y_parent_marker);
	ITEST_REPLY_IS(c, s->s_log, pkt, "2a000000");
	snprintf(pkt, sizeof(pkt), "z0,%lx,1", base + y->y_child_work);
	ITEST_REPLY_IS(c, s->s_log, pkt, "OK");
	r = req_prefix(c, s, "vCont;c", "W");
	*code = exit_code(r);
	rspc_close(c);
	return (i);
}

/* The parent's connection, shaken hands: SIGCHLD passed, its pid. */
static void
parent_bind(struct rspc *rc, struct srv *s, pid_t *pid)
{
	const char *r;

	ITEST_REPLY_IS(rc, s->s_log, PASS_SIGCHLD, "OK");
	r = req_prefix(rc, s, "qC", "QCp");
	*pid = pid_in(r);
	ck_assert_int_gt(*pid, 0);
}

/* The parent's connection: handshake, SIGCHLD passed, its pid. */
static struct rspc *
parent_conn(struct srv *s, const char *features, pid_t *pid)
{
	struct rspc *rc = srv_connect(s, features);
	const char *r;

	ITEST_REPLY_IS(rc, s->s_log, PASS_SIGCHLD, "OK");
	r = req_prefix(rc, s, "qC", "QCp");
	*pid = pid_in(r);
	ck_assert_int_gt(*pid, 0);
	return (rc);
}

/* The parent's last stop reply, after a vCont;c sent earlier. */
static void
parent_exits(struct rspc *rc, struct srv *s, const char *want)
{
	const char *r;

	rc->r_timeout_ms = 60000;
	ck_assert_msg(rspc_wait(rc, &r) > 0, "parent: %s (log %s)",
	    strerror(errno), s->s_log);
	ck_assert_msg(strncmp(r, want, strlen(want)) == 0,
	    "parent: got \"%s\", want \"%s\" (log %s)", r, want, s->s_log);
}

static void
send_cont(struct rspc *rc)
{
	ck_assert_int_eq(rspc_send(rc, "vCont;c", 7), 0);
}

/* ------------------------------------------------------------ tests */

/*
 * The key test: forker 100 with a via:fd watcher, every child driven on
 * its own connection while the parent runs on.
 */
START_TEST(hundred_children_each_driven_on_its_own)
{
	struct srv s;
	struct syms y;
	struct handoff h;
	struct rspc *rc;
	bool seen[MANY] = { false };
	pid_t parent;
	int k, i, code;

	syms_load(&y, "forker");
	ck_assert_ptr_nonnull((void *)y.y_parent_marker);
	srv_start(&s, "gdbserver", false, NULL, "forker", "100", NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	send_cont(rc);
	for (k = 0; k < MANY; k++) {
		next_handoff(rc, &s, &h, parent, "fork", "fd");
		i = drive_forker_child(&s, &h, &y, &code);
		ck_assert_msg(!seen[i], "child_work(%d) twice", i);
		seen[i] = true;
		ck_assert_msg(code == i % EXIT_MOD + 1,
		    "child %d (i %d) exit %d, want %d", (int)h.h_pid, i, code,
		    i % EXIT_MOD + 1);
	}
	parent_exits(rc, &s, "W00");
	ck_assert_int_eq(log_count(&s, "held at its fork", NULL), MANY);
	ck_assert_int_eq(log_count(&s, "claimed by", "via fd"), MANY);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* A breakpoint the parent set is not in the child's memory. */
START_TEST(parent_breakpoints_are_not_in_the_child)
{
	struct srv s;
	struct syms y;
	struct handoff h;
	struct rspc *rc, *c;
	char pkt[64], orig[8];
	unsigned long addr;
	const char *r;
	pid_t parent;

	syms_load(&y, "forkonce");
	srv_start(&s, "gdbserver", false, NULL, "forkonce", NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	addr = load_base(parent, &y) + y.y_child_work;
	snprintf(pkt, sizeof(pkt), "m%lx,1", addr);
	r = itest_req(rc, pkt, s.s_log);
	ck_assert_int_eq(strlen(r), 2);
	snprintf(orig, sizeof(orig), "%s", r);
	ck_assert_str_ne(orig, "cc");
	snprintf(pkt, sizeof(pkt), "Z0,%lx,1", addr);
	ITEST_REPLY_IS(rc, s.s_log, pkt, "OK");
	send_cont(rc);
	next_handoff(rc, &s, &h, parent, "fork", "fd");
	c = child_conn(&s, &h);
	snprintf(pkt, sizeof(pkt), "m%lx,1", addr);
	ITEST_REPLY_IS(c, s.s_log, pkt, orig);
	/* Run through child_work: no SIGTRAP on the way. */
	r = req_prefix(c, &s, "vCont;c", "W07");
	rspc_close(c);
	/* The parent never calls child_work: its next stop is its exit. */
	parent_exits(rc, &s, "W00");
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* Resuming a held child with SIGSTOP does not deliver it. */
START_TEST(sigstop_named_on_resume_is_not_delivered)
{
	struct srv s;
	struct handoff h;
	struct rspc *rc, *c;
	char pkt[64];
	pid_t parent;

	srv_start(&s, "gdbserver", false, NULL, "forker", "1", NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	send_cont(rc);
	next_handoff(rc, &s, &h, parent, "fork", "fd");
	c = child_conn(&s, &h);
	snprintf(pkt, sizeof(pkt), "vCont;C11:p%x.%x", (unsigned)h.h_pid,
	    (unsigned)h.h_pid);
	req_prefix(c, &s, pkt, "W01");
	rspc_close(c);
	parent_exits(rc, &s, "W00");
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* TCP: via:connect, a claim by vAttach, the claims that must fail. */
START_TEST(via_connect_claims_over_tcp)
{
	struct srv s;
	struct handoff h;
	struct rspc *rc, *b, *c;
	char pkt[64], want[64];
	const char *r;
	pid_t parent;

	srv_start(&s, "gdbserver", true, NULL, "forkonce", NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	send_cont(rc);
	next_handoff(rc, &s, &h, parent, "fork", "connect");

	b = srv_connect(&s, "multiprocess+");
	r = itest_req(b, "qHandoffList", s.s_log);
	snprintf(want, sizeof(want), "pid:%x,ppid:%x,", (unsigned)h.h_pid,
	    (unsigned)parent);
	ck_assert_msg(r[0] == 'l' && strstr(r, want) != NULL &&
	    strstr(r, "state:held") != NULL, "qHandoffList: %s (log %s)", r,
	    s.s_log);
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)h.h_pid);
	r = req_prefix(b, &s, pkt, "T11");
	ck_assert_int_eq(pid_in(r), h.h_pid);

	c = srv_connect(&s, "multiprocess+");
	r = req_prefix(c, &s, pkt, "E");
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)dead_pid());
	r = req_prefix(c, &s, pkt, "E");
	ITEST_REPLY_IS(c, s.s_log, "qHandoffList", "l");
	rspc_close(c);

	req_prefix(b, &s, "vCont;c", "W07");
	rspc_close(b);
	parent_exits(rc, &s, "W00");
	ck_assert_int_eq(log_count(&s, "claimed by", "via vAttach"), 1);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* A vfork child is held at its exec, at ld.so's first instruction. */
START_TEST(vfork_child_is_held_at_its_exec)
{
	struct srv s;
	struct handoff h;
	struct rspc *rc, *c;
	char hello[PATH_MAX], file[PATH_MAX];
	const char *r;
	uint64_t pc;
	pid_t parent;

	prog_path(hello, sizeof(hello), "hello");
	srv_start(&s, "gdbserver", false, NULL, "forker", "1", "--vfork-exec",
	    hello, NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	send_cont(rc);
	next_handoff(rc, &s, &h, parent, "exec", "fd");
	c = child_conn(&s, &h);
	r = itest_req(c, "p10", s.s_log);
	ck_assert_int_eq(strlen(r), 16);
	pc = reg_value(r);
	mapping_of(h.h_pid, pc, file, sizeof(file));
	ck_assert_msg(strstr(file, "ld-linux") != NULL,
	    "child %d's pc %#llx is in \"%s\", not ld.so", (int)h.h_pid,
	    (unsigned long long)pc, file);
	req_prefix(c, &s, "vCont;c", "W00");
	rspc_close(c);
	parent_exits(rc, &s, "W00");
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

static int	held_pids(struct srv *, pid_t, pid_t *, int);

/* Run the parent on (rc) until its one child is held; that child. */
static pid_t
held_one(struct srv *s, struct rspc *rc, pid_t parent)
{
	pid_t kid;

	send_cont(rc);
	ck_assert_msg(log_wait(s, "held at its fork", NULL, 1),
	    "child not held (log %s)", s->s_log);
	ck_assert_int_eq(held_pids(s, parent, &kid, 1), 1);
	return (kid);
}

/*
 * vfork: the parent's breakpoints leave the memory it shares with the
 * child, and come back at vforkdone: the parent stops at after_fork.
 */
START_TEST(vfork_parent_breakpoints_come_back)
{
	struct srv s;
	struct syms y;
	struct handoff h;
	struct rspc *rc, *c;
	char hello[PATH_MAX], pkt[64];
	unsigned long addr;
	const char *r;
	pid_t parent;

	syms_load(&y, "forker");
	ck_assert_int_ne(y.y_after_fork, 0);
	prog_path(hello, sizeof(hello), "hello");
	srv_start(&s, "gdbserver", false, NULL, "forker", "1", "--vfork-exec",
	    hello, NULL);
	rc = parent_conn(&s, FEATURES, &parent);
	addr = load_base(parent, &y) + y.y_after_fork;
	snprintf(pkt, sizeof(pkt), "Z0,%lx,1", addr);
	ITEST_REPLY_IS(rc, s.s_log, pkt, "OK");
	send_cont(rc);
	/*
	 * At the exec, vforkdone: the breakpoint is back, and hit, maybe
	 * before the child is announced (rspc_wait queues the %Handoff).
	 */
	rc->r_timeout_ms = 60000;
	ck_assert_msg(rspc_wait(rc, &r) > 0, "parent: %s", strerror(errno));
	ck_assert_msg(strncmp(r, "T05", 3) == 0 && strstr(r, "swbreak") !=
	    NULL, "parent: \"%s\", not its breakpoint (log %s)", r, s.s_log);
	next_handoff(rc, &s, &h, parent, "exec", "fd");
	c = child_conn(&s, &h);
	req_prefix(c, &s, "vCont;c", "W00");
	rspc_close(c);
	snprintf(pkt, sizeof(pkt), "z0,%lx,1", addr);
	ITEST_REPLY_IS(rc, s.s_log, pkt, "OK");
	send_cont(rc);
	parent_exits(rc, &s, "W00");
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * Who may claim: a TCP peer on loopback of another user is refused
 * (and the child stays held); root takes it; with --allow-any-uid the
 * other user may.  The peer runs as nobody in a process of its own:
 * 0 when it got want, 1 otherwise.
 */
static int
claim_as_nobody(const char *addr, pid_t kid, const char *want, bool run)
{
	struct rspc *rc;
	char pkt[64];
	const char *r;
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		if (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1)
			_exit(2);
		if ((rc = rspc_connect(addr)) == NULL ||
		    rspc_handshake(rc, "multiprocess+") == -1)
			_exit(3);
		snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)kid);
		if (rspc_requeststr(rc, pkt, &r) <= 0 ||
		    strncmp(r, want, strlen(want)) != 0) {
			fprintf(stderr, "nobody's claim: \"%s\"\n", r);
			_exit(1);
		}
		if (!run) {
			snprintf(pkt, sizeof(pkt), "QHandoffWatch:%x",
			    (unsigned)kid);
			if (rspc_requeststr(rc, pkt, &r) <= 0 ||
			    strncmp(r, "E0d", 3) != 0) {
				fprintf(stderr, "nobody's watch: \"%s\"\n", r);
				_exit(1);
			}
		} else if (rspc_requeststr(rc, "vCont;c", &r) <= 0 ||
		    strncmp(r, "W07", 3) != 0) {
			fprintf(stderr, "nobody's child: \"%s\"\n", r);
			_exit(1);
		}
		rspc_close(rc);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

START_TEST(claims_of_another_user_are_refused)
{
	struct srv s;
	struct rspc *rc, *b;
	char pkt[64];
	const char *r;
	pid_t parent, kid;
	int pass;

	if (geteuid() != 0) {
		fprintf(stderr, "# skipped: needs root to be another user\n");
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		if (pass == 0)
			srv_start(&s, "gdbserver", true, NULL, "forkonce",
			    NULL);
		else
			srv_start(&s, "gdbserver", true, "--allow-any-uid",
			    NULL, "forkonce", NULL);
		rc = parent_conn(&s, "multiprocess+", &parent);
		kid = held_one(&s, rc, parent);
		if (pass == 0) {
			/* Closed at accept: no handshake (claim_as_nobody 3). */
			ck_assert_msg(claim_as_nobody(s.s_addr, kid, "E0d",
			    false) == 3, "nobody was not refused (log %s)",
			    s.s_log);
			ck_assert_int_ge(log_count(&s, "refused: peer uid 65534 "
			    "is neither 0 nor ours", NULL), 1);
			b = srv_connect(&s, "multiprocess+");
			snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)kid);
			r = req_prefix(b, &s, pkt, "T11");
			ck_assert_int_eq(pid_in(r), kid);
			req_prefix(b, &s, "vCont;c", "W07");
			rspc_close(b);
		} else
			ck_assert_msg(claim_as_nobody(s.s_addr, kid, "T11",
			    true) == 0, "nobody could not claim with "
			    "--allow-any-uid (log %s)", s.s_log);
		parent_exits(rc, &s, "W00");
		rspc_close(rc);
		srv_stop(&s);
	}
}
END_TEST

/*
 * Platform: a session bound to one tree cannot take the held child of
 * another (its worker does not trace it); a new connection can.
 */
START_TEST(claim_from_another_tree_fails)
{
	struct srv s;
	struct rspc *a, *b, *c;
	pid_t parent, kid;
	char pkt[64];
	const char *r;

	srv_start(&s, "platform", true, "--hold-timeout", "30", NULL);
	a = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(a, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(a, &s, "forkonce", NULL);
	kid = held_one(&s, a, parent);

	b = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(b, s.s_log, "!", "OK");
	vrun(b, &s, "spin", NULL);
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)kid);
	r = req_prefix(b, &s, pkt, "E");
	ck_assert_int_ge(log_count(&s, "held at its fork", NULL), 1);

	c = srv_connect(&s, "multiprocess+");
	r = req_prefix(c, &s, pkt, "T11");
	ck_assert_int_eq(pid_in(r), kid);
	req_prefix(c, &s, "vCont;c", "W07");
	rspc_close(c);
	rspc_close(b);
	parent_exits(a, &s, "W00");
	rspc_close(a);
	srv_stop(&s);
}
END_TEST

/* Platform, nobody watching, --unclaimed resume: all run on. */
START_TEST(platform_unclaimed_children_are_resumed)
{
	struct srv s;
	struct rspc *rc;
	pid_t parent;

	srv_start(&s, "platform", false, "--hold-timeout", "1", "--unclaimed",
	    "resume", NULL);
	rc = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(rc, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(rc, &s, "forker", "3", NULL);
	send_cont(rc);
	parent_exits(rc, &s, "W00");
	ck_assert_msg(log_count(&s, "detached, resumed", NULL) == 3,
	    "not 3 resumed (log %s)", s.s_log);
	ck_assert_int_eq(log_count(&s, "unclaimed after", NULL), 3);
	(void)parent;
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* The pids in "child P of PP held at its fork" lines, up to n. */
static int
held_pids(struct srv *s, pid_t ppid, pid_t *out, int n)
{
	const char *p;
	char want[64];
	int k = 0;

	snprintf(want, sizeof(want), " of %d held at its", (int)ppid);
	for (p = srv_log(s); k < n && (p = strstr(p, "child ")) != NULL;
	    p += 6) {
		char *end;
		long v = strtol(p + 6, &end, 10);

		if (end != p + 6 && strncmp(end, want, strlen(want)) == 0)
			out[k++] = (pid_t)v;
	}
	return (k);
}

/* A worker killed with children held: the daemon ends each of them. */
START_TEST(worker_killed_with_children_held)
{
	struct srv s;
	struct rspc *rc;
	pid_t parent, worker, kids[3];
	char tracer[32], want[64];
	int k;

	srv_start(&s, "platform", false, "--hold-timeout", "60", NULL);
	rc = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(rc, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(rc, &s, "forker", "3", NULL);
	send_cont(rc);
	ck_assert_msg(log_wait(&s, "held at its fork", NULL, 3),
	    "3 children not held (log %s)", s.s_log);
	ck_assert_int_eq(held_pids(&s, parent, kids, 3), 3);
	status_field(parent, "TracerPid", tracer, sizeof(tracer));
	worker = atoi(tracer);
	ck_assert_msg(worker > 0 && worker != s.s_pid, "tracer of %d: %s",
	    (int)parent, tracer);
	ck_assert_int_eq(kill(worker, SIGKILL), 0);
	for (k = 0; k < 3; k++) {
		snprintf(want, sizeof(want), "held child %d (parent %d)",
		    (int)kids[k], (int)parent);
		ck_assert_msg(log_wait(&s, want, "killed with its worker", 1),
		    "no \"%s: killed with its worker\" (log %s)", want,
		    s.s_log);
	}
	for (k = 0; k < 3; k++)
		ck_assert_msg(proc_ended(kids[k], S_GONE_MS),
		    "child %d still there", (int)kids[k]);
	ck_assert_msg(proc_ended(parent, S_GONE_MS), "parent %d still there",
	    (int)parent);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * A TCP watcher that goes with handoffs pending: the children stay held
 * until the hold timeout and then get the --unclaimed action.
 */
START_TEST(watcher_gone_children_wait_for_the_timeout)
{
	struct srv s;
	struct handoff h;
	struct handoff_entry e[8];
	struct rspc *rc, *w, *b;
	pid_t parent, kids[3];
	char pkt[64];
	ssize_t n;
	int k, done;

	srv_start(&s, "platform", true, "--hold-timeout", "3", "--unclaimed",
	    "resume", NULL);
	rc = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(rc, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(rc, &s, "forker", "3", NULL);
	w = srv_connect(&s, "multiprocess+");
	snprintf(pkt, sizeof(pkt), "QHandoffWatch:%x", (unsigned)parent);
	ITEST_REPLY_IS(w, s.s_log, pkt, "OK");
	send_cont(rc);
	for (k = 0; k < 3; k++) {
		next_handoff(w, &s, &h, parent, "fork", "connect");
		kids[k] = h.h_pid;
	}
	rspc_close(w);
	/* Held still, each one, unless its timeout came already. */
	b = srv_connect(&s, "multiprocess+");
	n = handoff_list(b, e, 8);
	ck_assert_msg(n >= 0, "qHandoffList: %s", strerror(errno));
	done = log_count(&s, "unclaimed after", NULL);
	ck_assert_msg(n + done == 3, "%zd listed, %d timed out (log %s)", n,
	    done, s.s_log);
	for (k = 0; k < n; k++)
		ck_assert_str_eq(e[k].state, "held");
	rspc_close(b);
	parent_exits(rc, &s, "W00");
	for (k = 0; k < 3; k++) {
		snprintf(pkt, sizeof(pkt), "child %d (parent", (int)kids[k]);
		ck_assert_msg(log_count(&s, pkt, "unclaimed after") == 1 &&
		    log_count(&s, pkt, "detached, resumed") == 1,
		    "child %d: no \"unclaimed after ..: detached, resumed\" "
		    "(log %s)", (int)kids[k], s.s_log);
	}
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * --unclaimed detach-stopped: a group stop, no tracer; SIGCONT ends it.
 * (forkonce, whose parent waits without WUNTRACED: forker would see the
 * group stop, as it should once the child is no longer held.)
 */
START_TEST(unclaimed_detach_stopped_leaves_a_group_stop)
{
	struct srv s;
	struct rspc *rc;
	pid_t parent, kid;
	char st[64], tracer[32];

	srv_start(&s, "gdbserver", false, "--hold-timeout", "1",
	    "--unclaimed", "detach-stopped", NULL, "forkonce", NULL);
	rc = parent_conn(&s, "multiprocess+", &parent);
	send_cont(rc);
	ck_assert_msg(log_wait(&s, "detached, stopped", NULL, 1),
	    "no \"detached, stopped\" (log %s)", s.s_log);
	ck_assert_int_eq(held_pids(&s, parent, &kid, 1), 1);
	status_field(kid, "State", st, sizeof(st));
	status_field(kid, "TracerPid", tracer, sizeof(tracer));
	ck_assert_msg(st[0] == 'T' && strcmp(tracer, "0") == 0,
	    "child %d: State %s, TracerPid %s", (int)kid, st, tracer);
	ck_assert_int_eq(kill(kid, SIGCONT), 0);
	ck_assert_msg(proc_ended(kid, S_GONE_MS), "child %d still there",
	    (int)kid);
	parent_exits(rc, &s, "W00");
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* Platform: a claim on a new connection goes through to the worker. */
START_TEST(platform_claim_is_routed_to_the_worker)
{
	struct srv s;
	struct handoff_entry e[4];
	struct rspc *a, *b;
	pid_t parent, kid;
	char pkt[64];
	const char *r;
	ssize_t n;

	srv_start(&s, "platform", true, "--hold-timeout", "30", NULL);
	a = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(a, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(a, &s, "forkonce", NULL);
	kid = held_one(&s, a, parent);

	b = srv_connect(&s, "multiprocess+");
	n = handoff_list(b, e, 4);
	ck_assert_msg(n == 1, "qHandoffList: %zd entries, %s (log %s)", n,
	    n < 0 ? strerror(errno) : "", s.s_log);
	ck_assert_int_eq(e[0].pid, kid);
	ck_assert_int_eq(e[0].ppid, parent);
	ck_assert_str_eq(e[0].state, "held");
	snprintf(pkt, sizeof(pkt), "vAttach;%x", (unsigned)kid);
	r = req_prefix(b, &s, pkt, "T11");
	ck_assert_int_eq(pid_in(r), kid);
	req_prefix(b, &s, "vCont;c", "W07");
	rspc_close(b);
	parent_exits(a, &s, "W00");
	rspc_close(a);
	srv_stop(&s);
}
END_TEST

/* ------------------------------------------------- servers that end */

/*
 * Send sig to the server and reap it (hang guard S_GONE_MS); its wait
 * status.  srv_stop then only cleans up.
 */
static int
srv_reap(struct srv *s, int sig)
{
	int status;

	ck_assert_int_eq(kill(s->s_pid, sig), 0);
	status = wait_exit(s->s_pid, S_GONE_MS);
	ck_assert_msg(status != -1, "server %d still there after signal %d "
	    "(log %s)", (int)s->s_pid, sig, s->s_log);
	s->s_pid = -1;
	return (status);
}

/* The file holds s (whatever the server's programs printed). */
static bool
file_has(const char *path, const char *s)
{
	char buf[8192];
	size_t n = 0;
	FILE *fp;

	if ((fp = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return (strstr(buf, s) != NULL);
}

/* State (first letter of /proc/PID/status's) becomes c within ms. */
static bool
state_wait(pid_t pid, char c, int ms)
{
	long long end = now_ms() + ms;
	char st[64];

	for (;;) {
		status_field(pid, "State", st, sizeof(st));
		if (st[0] == c)
			return (true);
		if (now_ms() >= end)
			return (false);
		usleep(20000);
	}
}

/* ------------------------------------------------- reverse connect */

/* A listening socket on 127.0.0.1, port chosen by the kernel. */
static int
listen_local(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
	    0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return (fd);
}

/* The next connection the server opens to us (hang guard S_NOTE_MS). */
static struct rspc *
accept_rsp(int lfd, struct srv *s, const char *what)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct rspc *rc;
	int fd;

	ck_assert_msg(poll(&pfd, 1, S_NOTE_MS) == 1,
	    "the server did not connect for %s (log %s)", what, s->s_log);
	ck_assert_int_ge(fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), 0);
	ck_assert_ptr_nonnull(rc = rspc_from_fd(fd));
	return (rc);
}

/*
 * "handoffd gdbserver OPTIONS --reverse-connect ADDR PROG ARGS": the
 * options, a NULL, the program's name in tests/progs, its arguments and
 * a NULL.  Nothing listens: the test accepts the server's connection.
 */
static void
srv_start_reverse(struct srv *s, const char *addr, ...)
{
	char *argv[S_MAX_ARGS], exe[PATH_MAX], prog[PATH_MAX];
	const char *a;
	va_list ap;
	int n = 0;

	srv_dir(s);
	snprintf(s->s_addr, sizeof(s->s_addr), "%s", addr);
	path_of(exe, sizeof(exe), "handoffd");
	argv[n++] = exe;
	argv[n++] = "gdbserver";
	argv[n++] = "--log-file";
	argv[n++] = s->s_log;
	va_start(ap, addr);
	while ((a = va_arg(ap, const char *)) != NULL && n < S_MAX_ARGS - 6)
		argv[n++] = (char *)a;
	argv[n++] = "--reverse-connect";
	argv[n++] = s->s_addr;
	a = va_arg(ap, const char *);
	ck_assert_ptr_nonnull(a);
	prog_path(prog, sizeof(prog), a);
	argv[n++] = prog;
	while ((a = va_arg(ap, const char *)) != NULL && n < S_MAX_ARGS - 1)
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	srv_exec(s, argv);
}

/*
 * The parent's last stop reply, as parent_exits, past the O packets a
 * server started with lldb-server's command line (--reverse-connect)
 * sends of the program's terminal.
 */
static void
parent_exits_past_output(struct rspc *rc, struct srv *s, const char *want)
{
	const char *r;

	rc->r_timeout_ms = 60000;
	for (;;) {
		ck_assert_msg(rspc_wait(rc, &r) > 0, "parent: %s (log %s)",
		    strerror(errno), s->s_log);
		if (r[0] != 'O' || strcmp(r, "OK") == 0 ||
		    strspn(r + 1, "0123456789abcdef") != strlen(r + 1))
			break;
	}
	ck_assert_msg(strncmp(r, want, strlen(want)) == 0,
	    "parent: got \"%s\", want \"%s\" (log %s)", r, want, s->s_log);
}

/* The child's connection the server opened to us: T11 of kid, W07. */
static void
drive_reverse_child(struct rspc *c, struct srv *s, pid_t kid)
{
	const char *r;

	ck_assert_msg(rspc_handshake(c, "multiprocess+;swbreak+") == 0,
	    "child %d handshake: %s (log %s)", (int)kid, strerror(errno),
	    s->s_log);
	r = req_prefix(c, s, "?", "T11");
	ck_assert_msg(pid_in(r) == kid, "child %d's stop names %d: %s",
	    (int)kid, (int)pid_in(r), r);
	req_prefix(c, s, "vCont;c", "W07");
	rspc_close(c);
}

/*
 * --reverse-connect, no watcher: the listening client receives a second
 * connection from the server, bound to the child.
 */
START_TEST(reverse_connect_child_gets_a_connection)
{
	struct srv s;
	struct rspc *rc, *c;
	char addr[64], want[64];
	pid_t parent, kid;
	int lfd, port;

	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	srv_start_reverse(&s, addr, NULL, "forkonce", NULL);
	rc = accept_rsp(lfd, &s, "the parent");
	ck_assert_msg(rspc_handshake(rc, "multiprocess+") == 0,
	    "handshake: %s (log %s)", strerror(errno), s.s_log);
	parent_bind(rc, &s, &parent);
	send_cont(rc);
	c = accept_rsp(lfd, &s, "the child");
	ck_assert_msg(log_wait(&s, "held at its fork", NULL, 1),
	    "child not held (log %s)", s.s_log);
	ck_assert_int_eq(held_pids(&s, parent, &kid, 1), 1);
	drive_reverse_child(c, &s, kid);
	parent_exits_past_output(rc, &s, "W00");
	snprintf(want, sizeof(want), "child %d (parent %d", (int)kid,
	    (int)parent);
	ck_assert_msg(log_count(&s, want, "via reverse connect") == 1 &&
	    log_count(&s, "claimed by", "via reverse connect") == 1,
	    "no \"%s...claimed by ... via reverse connect\" (log %s)", want,
	    s.s_log);
	rspc_close(rc);
	close(lfd);
	srv_stop(&s);
}
END_TEST

/* --reverse-connect with a watcher: it is told %Handoff...;via:reverse. */
START_TEST(reverse_connect_watcher_is_told_via_reverse)
{
	struct srv s;
	struct handoff h;
	struct rspc *rc, *c;
	char addr[64];
	pid_t parent;
	int lfd, port;

	lfd = listen_local(&port);
	snprintf(addr, sizeof(addr), "connect://127.0.0.1:%d", port);
	srv_start_reverse(&s, addr, NULL, "forkonce", NULL);
	rc = accept_rsp(lfd, &s, "the parent");
	ck_assert_msg(rspc_handshake(rc, FEATURES) == 0,
	    "handshake: %s (log %s)", strerror(errno), s.s_log);
	parent_bind(rc, &s, &parent);
	send_cont(rc);
	next_handoff(rc, &s, &h, parent, "fork", "reverse");
	c = accept_rsp(lfd, &s, "the child");
	drive_reverse_child(c, &s, h.h_pid);
	parent_exits_past_output(rc, &s, "W00");
	ck_assert_int_eq(log_count(&s, "claimed by", "via reverse connect"),
	    1);
	ck_assert_int_eq(log_count(&s, "announced to", "via reverse"), 1);
	rspc_close(rc);
	close(lfd);
	srv_stop(&s);
}
END_TEST

/* ------------------------------------------------- the platform daemon */

/*
 * handoffd platform on a unix socket: the watcher's connection moves to
 * a worker with its vRun, and the worker passes each child's connection
 * to it (via:fd).
 */
START_TEST(platform_children_come_via_fd)
{
	struct srv s;
	struct syms y;
	struct handoff h;
	struct rspc *rc;
	bool seen[3] = { false };
	pid_t parent;
	int k, i, code;

	syms_load(&y, "forker");
	srv_start(&s, "platform", false, NULL);
	rc = srv_connect(&s, FEATURES);
	ITEST_REPLY_IS(rc, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(rc, &s, "forker", "3", NULL);
	send_cont(rc);
	for (k = 0; k < 3; k++) {
		next_handoff(rc, &s, &h, parent, "fork", "fd");
		i = drive_forker_child(&s, &h, &y, &code);
		ck_assert_msg(i < 3 && !seen[i], "child_work(%d) (log %s)", i,
		    s.s_log);
		seen[i] = true;
		ck_assert_msg(code == i + 1, "child %d (i %d) exit %d, want %d",
		    (int)h.h_pid, i, code, i + 1);
	}
	parent_exits(rc, &s, "W00");
	ck_assert_int_eq(log_count(&s, "claimed by", "via fd"), 3);
	ck_assert_msg(file_has(s.s_out, "exits OK"), "forker did not say "
	    "\"exits OK\" (%s)", s.s_out);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * The platform daemon SIGKILLed while its worker holds a child: the
 * worker serves on, the hold times out, the child is resumed and runs
 * to its end; nothing is left stopped.
 */
START_TEST(platform_daemon_killed_worker_goes_on)
{
	struct srv s;
	struct rspc *rc;
	char tracer[32], want[64];
	pid_t parent, kid, worker;
	int status;

	srv_start(&s, "platform", true, "--hold-timeout", "6", "--unclaimed",
	    "resume", NULL);
	rc = srv_connect(&s, "multiprocess+");
	ITEST_REPLY_IS(rc, s.s_log, PASS_SIGCHLD, "OK");
	parent = vrun(rc, &s, "forkonce", NULL);
	kid = held_one(&s, rc, parent);
	status_field(parent, "TracerPid", tracer, sizeof(tracer));
	worker = atoi(tracer);
	ck_assert_msg(worker > 0 && worker != s.s_pid, "tracer of %d: %s",
	    (int)parent, tracer);
	snprintf(want, sizeof(want), "child %d (parent %d", (int)kid,
	    (int)parent);
	/* The premise: still held when the daemon goes. */
	ck_assert_msg(log_count(&s, want, "unclaimed after") == 0,
	    "child %d let go before the daemon was killed (log %s)", (int)kid,
	    s.s_log);
	status = srv_reap(&s, SIGKILL);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	ck_assert_msg(kill(worker, 0) == 0, "worker %d went with the daemon "
	    "(log %s)", (int)worker, s.s_log);
	ck_assert_msg(log_wait(&s, want, "unclaimed after", 1) &&
	    log_count(&s, want, "detached, resumed") == 1,
	    "no \"%s...unclaimed after ...: detached, resumed\" (log %s)", want,
	    s.s_log);
	parent_exits(rc, &s, "W00");
	ck_assert_msg(file_has(s.s_out, "child ran") &&
	    file_has(s.s_out, "child exited 7"), "forkonce's output in %s: "
	    "not \"child ran\" and \"child exited 7\"", s.s_out);
	ck_assert_msg(proc_gone(kid, S_GONE_MS), "child %d still there",
	    (int)kid);
	rspc_close(rc);
	/* Its session over, the orphaned worker ends too. */
	if (!proc_ended(worker, S_GONE_MS)) {
		kill(worker, SIGKILL);
		ck_abort_msg("worker %d still there, its session over (log %s)",
		    (int)worker, s.s_log);
	}
	srv_stop(&s);
}
END_TEST

/* ------------------------------------------------- gdbserver's end */

/* gdbserver SIGKILLed with a held child: the child dies too (EXITKILL). */
START_TEST(gdbserver_killed_held_child_dies_with_it)
{
	struct srv s;
	struct rspc *rc;
	char tracer[32];
	pid_t parent, kid;

	srv_start(&s, "gdbserver", false, "--hold-timeout", "60", NULL,
	    "forkonce", NULL);
	rc = parent_conn(&s, "multiprocess+", &parent);
	kid = held_one(&s, rc, parent);
	status_field(kid, "TracerPid", tracer, sizeof(tracer));
	ck_assert_msg(atoi(tracer) == s.s_pid, "child %d: TracerPid %s, "
	    "want %d", (int)kid, tracer, (int)s.s_pid);
	srv_reap(&s, SIGKILL);
	if (!proc_gone(kid, S_GONE_MS)) {
		kill(kid, SIGKILL);	/* not left stopped by a failure */
		ck_abort_msg("held child %d outlived its killed server "
		    "(log %s)", (int)kid, s.s_log);
	}
	ck_assert_msg(proc_gone(parent, S_GONE_MS), "parent %d outlived "
	    "its killed server", (int)parent);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * gdbserver SIGTERMed with a held child: the default --unclaimed
 * (detach-stopped), a group stop with no tracer.
 */
START_TEST(gdbserver_terminated_held_child_detached_stopped)
{
	struct srv s;
	struct rspc *rc;
	char want[64], tracer[32];
	pid_t parent, kid;
	int status;
	bool st;

	srv_start(&s, "gdbserver", false, NULL, "forkonce", NULL);
	rc = parent_conn(&s, "multiprocess+", &parent);
	kid = held_one(&s, rc, parent);
	status = srv_reap(&s, SIGTERM);
	status_field(kid, "TracerPid", tracer, sizeof(tracer));
	st = state_wait(kid, 'T', S_GONE_MS);
	kill(kid, SIGKILL);	/* seen: no need of it, whatever follows */
	ck_assert_msg(WIFEXITED(status), "server status 0x%x (log %s)",
	    status, s.s_log);
	snprintf(want, sizeof(want), "child %d (parent %d", (int)kid,
	    (int)parent);
	ck_assert_msg(log_count(&s, want, "the server was told to end") == 1 &&
	    log_count(&s, want, "detached, stopped") == 1,
	    "no \"%s...the server was told to end...: detached, stopped\" "
	    "(log %s)", want, s.s_log);
	ck_assert_msg(st, "child %d not stopped (log %s)", (int)kid,
	    s.s_log);
	ck_assert_msg(strcmp(tracer, "0") == 0, "child %d: TracerPid %s",
	    (int)kid, tracer);
	ck_assert_msg(proc_ended(kid, S_GONE_MS), "child %d still there",
	    (int)kid);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/*
 * --once: the server's life is its one client; when that client goes,
 * held children get the --unclaimed action then and there, with no wait
 * for a claim.
 */
START_TEST(once_ends_without_waiting_for_claims)
{
	struct srv s;
	struct rspc *rc;
	char want[64];
	pid_t parent, kid;
	int status;

	srv_start(&s, "gdbserver", false, "--once", "--hold-timeout", "3600",
	    "--unclaimed", "kill", NULL, "forkonce", NULL);
	rc = parent_conn(&s, "multiprocess+", &parent);
	kid = held_one(&s, rc, parent);
	rspc_close(rc);
	status = wait_exit(s.s_pid, S_GONE_MS);
	if (status == -1)
		kill(kid, SIGKILL);
	ck_assert_msg(status != -1, "--once server still there (log %s)",
	    s.s_log);
	s.s_pid = -1;
	ck_assert_msg(proc_ended(kid, S_GONE_MS), "child %d still there",
	    (int)kid);
	snprintf(want, sizeof(want), "child %d (parent %d", (int)kid,
	    (int)parent);
	ck_assert_msg(log_count(&s, want, "the server ends (--once)") == 1,
	    "no \"%s... the server ends (--once)\" (log %s)", want, s.s_log);
	srv_stop(&s);
}
END_TEST

/* Count the entries of a qHandoffList reply: one "ppid:" each. */
static int
list_entries(const char *r)
{
	int n = 0;

	for (r++; *r != '\0'; r++)
		n += strncmp(r, "ppid:", 5) == 0;
	return (n);
}

/* qHandoffList pages: HANDOFF_LIST_PAGE entries, then the rest. */
START_TEST(list_pages_at_and_past_the_page)
{
	char start[32];
	struct srv s;
	struct rspc *rc, *b;
	const char *r;
	pid_t parent;
	int i, total = HANDOFF_LIST_PAGE + 2;
	char n[16];

	snprintf(n, sizeof(n), "%d", total);
	srv_start(&s, "gdbserver", true, "--max-held", "200", "--hold-timeout",
	    "600", "--unclaimed", "kill", NULL, "forker", n, NULL);
	rc = parent_conn(&s, "multiprocess+", &parent);
	send_cont(rc);
	for (i = 0; i < 200 && log_count(&s, "held at its fork", NULL) < total;
	    i++)
		usleep(50000);
	ck_assert_msg(log_count(&s, "held at its fork", NULL) == total,
	    "%d children not held (log %s)", total, s.s_log);
	b = srv_connect(&s, "multiprocess+");
	r = itest_req(b, "qHandoffList", s.s_log);
	ck_assert_msg(r[0] == 'm', "first page: %.40s", r);
	ck_assert_int_eq(list_entries(r), HANDOFF_LIST_PAGE);
	snprintf(start, sizeof(start), "qHandoffList:%x", HANDOFF_LIST_PAGE);
	r = itest_req(b, start, s.s_log);
	ck_assert_msg(r[0] == 'l', "last page: %.40s", r);
	ck_assert_int_eq(list_entries(r), 2);
	snprintf(start, sizeof(start), "qHandoffList:%x", total);
	ITEST_REPLY_IS(b, s.s_log, start, "l");
	ITEST_REPLY_IS(b, s.s_log, "qHandoffList:zz", "E16");
	rspc_close(b);
	srv_reap(&s, SIGTERM);
	ck_assert_int_eq(log_count(&s, "the server was told to end", "killed"),
	    total);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

/* --max-held 0: each child gets the --unclaimed action at its birth. */
START_TEST(max_held_zero_lets_every_child_go)
{
	struct srv s;
	struct rspc *rc;
	const char *payload;
	pid_t parent;
	int fd = -1;

	srv_start(&s, "gdbserver", false, "--max-held", "0", "--unclaimed",
	    "resume", NULL, "forker", "3", NULL);
	/* A watcher, which must be told of none of them. */
	rc = parent_conn(&s, FEATURES, &parent);
	send_cont(rc);
	parent_exits(rc, &s, "W00");
	ck_assert_msg(log_count(&s, "over --max-held", "detached, resumed") ==
	    3, "not 3 \"over --max-held ...: detached, resumed\" (log %s)",
	    s.s_log);
	ck_assert_int_eq(log_count(&s, "announced to", NULL), 0);
	ck_assert_msg(rspc_notify_next(rc, 0, &payload, &fd) == -1,
	    "a notification: %s", payload);
	ck_assert_msg(file_has(s.s_out, "exits OK"), "forker did not say "
	    "\"exits OK\" (%s)", s.s_out);
	rspc_close(rc);
	srv_stop(&s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handoff");

	ck_add(s, "hundred_children_each_driven_on_its_own",
	    hundred_children_each_driven_on_its_own, 240, NULL);
	ck_add(s, "parent_breakpoints_are_not_in_the_child",
	    parent_breakpoints_are_not_in_the_child, 60, NULL);
	ck_add(s, "sigstop_named_on_resume_is_not_delivered",
	    sigstop_named_on_resume_is_not_delivered, 60, NULL);
	ck_add(s, "via_connect_claims_over_tcp", via_connect_claims_over_tcp,
	    60, NULL);
	ck_add(s, "vfork_child_is_held_at_its_exec",
	    vfork_child_is_held_at_its_exec, 60, NULL);
	ck_add(s, "platform_unclaimed_children_are_resumed",
	    platform_unclaimed_children_are_resumed, 60, NULL);
	ck_add(s, "worker_killed_with_children_held",
	    worker_killed_with_children_held, 60, NULL);
	ck_add(s, "watcher_gone_children_wait_for_the_timeout",
	    watcher_gone_children_wait_for_the_timeout, 60, NULL);
	ck_add(s, "unclaimed_detach_stopped_leaves_a_group_stop",
	    unclaimed_detach_stopped_leaves_a_group_stop, 60, NULL);
	ck_add(s, "platform_claim_is_routed_to_the_worker",
	    platform_claim_is_routed_to_the_worker, 60, NULL);
	ck_add(s, "vfork_parent_breakpoints_come_back",
	    vfork_parent_breakpoints_come_back, 60, NULL);
	ck_add(s, "claims_of_another_user_are_refused",
	    claims_of_another_user_are_refused, 60, NULL);
	ck_add(s, "claim_from_another_tree_fails",
	    claim_from_another_tree_fails, 60, NULL);
	ck_add(s, "once_ends_without_waiting_for_claims",
	    once_ends_without_waiting_for_claims, 60, NULL);
	ck_add(s, "list_pages_at_and_past_the_page",
	    list_pages_at_and_past_the_page, 60, NULL);
	ck_add(s, "reverse_connect_child_gets_a_connection",
	    reverse_connect_child_gets_a_connection, 60, NULL);
	ck_add(s, "reverse_connect_watcher_is_told_via_reverse",
	    reverse_connect_watcher_is_told_via_reverse, 60, NULL);
	ck_add(s, "platform_children_come_via_fd",
	    platform_children_come_via_fd, 60, NULL);
	ck_add(s, "platform_daemon_killed_worker_goes_on",
	    platform_daemon_killed_worker_goes_on, 60, NULL);
	ck_add(s, "gdbserver_killed_held_child_dies_with_it",
	    gdbserver_killed_held_child_dies_with_it, 60, NULL);
	ck_add(s, "gdbserver_terminated_held_child_detached_stopped",
	    gdbserver_terminated_held_child_detached_stopped, 60, NULL);
	ck_add(s, "max_held_zero_lets_every_child_go",
	    max_held_zero_lets_every_child_go, 60, NULL);
	return ck_run(s);
}
