/*
 * gdb_launch.c -- how lldb starts and finds its program: the A packet
 * and qLaunchSuccess, the launch settings lldb sends before them
 * (QEnvironment, QSetSTDIN/OUT/ERR, QSetDisableASLR, QLaunchArch,
 * QSetDetachOnError), and vAttachWait / vAttachOrWait, which wait for a
 * process of a given name without blocking the loop.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/procfs.h"

#define LLDB_E_LAUNCH		8	/* lldb-server's reply to a failed A */
#define LLDB_MAX_ARG		GDB_MAX_PATH	/* bytes of one A argument */

/*
 * vAttachWait: /proc is looked at every GDB_ATTACH_POLL_MS until a new
 * process of the name appears, at most GDB_ATTACH_WAIT_MS (lldb-server
 * waits forever; a client that vanished would leave us polling).  The
 * environment variable may shorten the wait, for tests.
 */
#define GDB_ATTACH_WAIT_MS	60000	/* longest wait, ms */
#define GDB_ATTACH_POLL_MS	10	/* between two looks at /proc, ms */
#define GDB_ATTACH_WAIT_ENV	"HANDOFFD_ATTACH_WAIT_MS"
#define GDB_ATTACH_MAX_SEEN	1024	/* processes of the name at the start */
#define GDB_ATTACH_MAX_FOUND	16	/* matches named in an error */
#define GDB_ATTACH_MAX_NAME	256	/* bytes of a process name */

struct gdb_await {
	char		 aw_name[GDB_ATTACH_MAX_NAME];	/* a file name */
	uint64_t	 aw_deadline;	/* loop_now() ms */
	uint64_t	 aw_timer;	/* armed timer, or 0 */
	pid_t		 aw_seen[GDB_ATTACH_MAX_SEEN];	/* there before */
	size_t		 aw_nseen;
};

static void	await_poll(struct gsess *);

/* ------------------------------------------------------------ settings */

/* A hex-encoded string into buf (NUL-terminated); empty is an error. */
static int
get_hexstr(struct rsp_cursor *c, char *buf, size_t cap)
{
	size_t n;

	if (rsp_get_hexbytes(c, '\0', buf, cap - 1, &n) == -1 || n == 0 ||
	    memchr(buf, '\0', n) != NULL)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* QSetSTDIN: QSetSTDOUT: QSetSTDERR: hex path; the file for fd. */
static void
set_stdpath(struct gsess *s, struct rsp_cursor *c, int fd)
{
	/* lldb-server's numbers for these errors. */
	static const int errnum[3] = { 15, 16, 17 };
	char path[GDB_MAX_PATH];

	if (get_hexstr(c, path, sizeof(path)) == -1) {
		gdb_error(s, errnum[fd], "bad path for the program's stdio");
		return;
	}
	free(s->s_stdpath[fd]);
	s->s_stdpath[fd] = xstrdup(path);
	gdb_ok(s);
}

/* QEnvironment:NAME=VALUE, not encoded (lldb hex-encodes the others). */
static void
set_env_plain(struct gsess *s, struct rsp_cursor *c)
{
	size_t len = rsp_cursor_left(c);

	if (len == 0 || memchr(c->c_p, '\0', len) != NULL) {
		gdb_error(s, 12, "empty environment entry");
		return;
	}
	if (gdb_env_set(s, c->c_p, len) == -1) {
		gdb_error(s, errno, "environment full or malformed");
		return;
	}
	gdb_ok(s);
}

static void
set_flag(struct gsess *s, struct rsp_cursor *c, bool *flag)
{
	if (rsp_cursor_left(c) != 1 || (*c->c_p != '0' && *c->c_p != '1')) {
		gdb_error(s, EINVAL, "expected 0 or 1");
		return;
	}
	*flag = *c->c_p == '1';
	gdb_ok(s);
}

/* QLaunchArch:ARCH: we start x86-64 programs only. */
static void
set_arch(struct gsess *s, struct rsp_cursor *c)
{
	size_t len = rsp_cursor_left(c);

	if ((len == 6 && memcmp(c->c_p, "x86_64", 6) == 0) ||
	    (len > 7 && memcmp(c->c_p, "x86_64-", 7) == 0)) {
		gdb_ok(s);
		return;
	}
	gdb_error(s, 13, "unsupported architecture");
}

int
gdb_lldb_set(struct gsess *s, struct rsp_cursor *c)
{
	if (rsp_cursor_skip(c, "QEnvironment:"))
		set_env_plain(s, c);
	else if (rsp_cursor_skip(c, "QSetSTDIN:"))
		set_stdpath(s, c, 0);
	else if (rsp_cursor_skip(c, "QSetSTDOUT:"))
		set_stdpath(s, c, 1);
	else if (rsp_cursor_skip(c, "QSetSTDERR:"))
		set_stdpath(s, c, 2);
	else if (rsp_cursor_skip(c, "QSetDisableASLR:"))
		set_flag(s, c, &s->s_no_aslr);
	else if (rsp_cursor_skip(c, "QSetDetachOnError:"))
		set_flag(s, c, &s->s_detach_on_error);
	else if (rsp_cursor_skip(c, "QLaunchArch:"))
		set_arch(s, c);
	else if (rsp_cursor_skip(c, "QSaveRegisterState"))
		gdb_save_regs(s, c);
	else if (rsp_cursor_skip(c, "QRestoreRegisterState:"))
		gdb_restore_regs(s, c);
	else
		return -1;
	s->s_lldb = true;
	return 0;
}

/* ------------------------------------------------------------ A */

/* Decimal digits into *v, at most max. */
static int
get_dec(struct rsp_cursor *c, uint64_t max, uint64_t *v)
{
	int n = 0;

	*v = 0;
	while (!rsp_cursor_eof(c) && isdigit((unsigned char)*c->c_p)) {
		*v = *v * 10 + (uint64_t)(*c->c_p++ - '0');
		if (*v > max || ++n > 19)
			return -1;
	}
	return n > 0 ? 0 : -1;
}

/* One "LEN,INDEX,HEX" of A: argument number argc, into a new string. */
static int
get_arg(struct rsp_cursor *c, int argc, char **arg)
{
	uint64_t len, idx;

	if (get_dec(c, 2 * LLDB_MAX_ARG, &len) == -1 || len % 2 != 0 ||
	    rsp_get_char(c, ',') == -1 ||
	    get_dec(c, GDB_MAX_ARGS, &idx) == -1 || idx != (uint64_t)argc ||
	    rsp_get_char(c, ',') == -1 || rsp_cursor_left(c) < len)
		return -1;
	*arg = xmalloc(len / 2 + 1);
	if (rsp_fromhex(*arg, c->c_p, len / 2) == -1 ||
	    memchr(*arg, '\0', len / 2) != NULL) {
		free(*arg);
		*arg = NULL;
		return -1;
	}
	(*arg)[len / 2] = '\0';
	c->c_p += len;
	return 0;
}

static void
launch_failed(struct gsess *s, int errnum, const char *why)
{
	free(s->s_launch_err);
	s->s_launch_err = xstrdup(why);
	gdb_error(s, errnum, why);
}

/*
 * A LEN,INDEX,HEX[,LEN,INDEX,HEX...]: start the program with these
 * arguments (LEN counts hex digits; INDEX is the argument's number).
 * Like lldb-server: OK, or E08 (E.message with error strings) and
 * qLaunchSuccess tells why.  No stop reply: lldb asks with '?'.
 */
void
gdb_lldb_launch(struct gsess *s, struct rsp_cursor *c)
{
	char *argv[GDB_MAX_ARGS + 1], err[256];
	int argc = 0, i;

	s->s_lldb = true;
	memset(argv, 0, sizeof(argv));
	/* lldb-server's own tests send "A 202,0,...". */
	while (rsp_cursor_skip(c, " "))
		;
	while (!rsp_cursor_eof(c)) {
		if (argc == GDB_MAX_ARGS || get_arg(c, argc, &argv[argc]) == -1) {
			launch_failed(s, EINVAL, "malformed A packet");
			goto out;
		}
		if (!rsp_cursor_eof(c) && rsp_get_char(c, ',') == -1) {
			argc++;
			launch_failed(s, EINVAL, "malformed A packet");
			goto out;
		}
		argc++;
	}
	if (argc == 0 || argv[0][0] == '\0') {
		launch_failed(s, EINVAL, "A packet without a program");
		goto out;
	}
	if (gdb_busy(s)) {
		free(s->s_launch_err);
		s->s_launch_err = xstrdup("already debugging a process");
		goto out;
	}
	if (gdb_launch(s, argv, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		launch_failed(s, LLDB_E_LAUNCH, err);
		goto out;
	}
	free(s->s_launch_err);
	s->s_launch_err = NULL;
	gsess_set_program(s, argv);
	gdb_ok(s);
out:
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

/* qLaunchSuccess: OK, or "E" and the message, as lldb-server says it. */
void
gdb_lldb_launch_result(struct gsess *s)
{
	struct rsp_buf *b = &s->s_reply;
	const char *m;

	if (s->s_launch_err == NULL) {
		gdb_ok(s);
		return;
	}
	rsp_buf_reset(b);
	rsp_buf_addc(b, 'E');
	for (m = s->s_launch_err; *m != '\0'; m++) {
		if (strchr("$#}*", *m) != NULL || (unsigned char)*m < 0x20)
			rsp_buf_addc(b, '?');
		else
			rsp_buf_addc(b, *m);
	}
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ vAttachWait */

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static bool
await_seen(const struct gdb_await *aw, pid_t pid)
{
	size_t i;

	for (i = 0; i < aw->aw_nseen; i++) {
		if (aw->aw_seen[i] == pid)
			return true;
	}
	return false;
}

/*
 * The processes whose executable is named aw_name, other than ours and
 * the ones seen before; up to max pids into found.  Returns how many
 * there are (which may be more than max).
 */
static size_t
await_scan(struct gsess *s, const struct gdb_await *aw, pid_t *found,
    size_t max)
{
	char exe[GDB_MAX_PATH];
	struct dirent *de;
	const char *e;
	size_t n = 0;
	long pid;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid <= 0 || pid > INT32_MAX || pid == (long)getpid() ||
		    tgt_proc(s->s_tgt, (pid_t)pid) != NULL ||
		    await_seen(aw, (pid_t)pid) ||
		    procfs_exe((pid_t)pid, exe, sizeof(exe)) == -1)
			continue;
		e = base_name(exe);
		if (strcmp(e, aw->aw_name) != 0)
			continue;
		if (n < max)
			found[n] = (pid_t)pid;
		n++;
	}
	closedir(d);
	return n;
}

static void
await_end(struct gsess *s)
{
	struct gdb_await *aw = s->s_await;

	if (aw == NULL)
		return;
	if (aw->aw_timer != 0)
		loop_del_timer(s->s_loop, aw->aw_timer);
	free(aw);
	s->s_await = NULL;
	s->s_waiting = false;
}

bool
gdb_attach_wait_cancel(struct gsess *s, const char *why)
{
	if (s->s_await == NULL)
		return false;
	log_debug("vAttachWait for %s ends: %s", s->s_await->aw_name, why);
	await_end(s);
	gdb_error(s, EINTR, why);
	return true;
}

static void
await_timer(void *arg)
{
	struct gsess *s = arg;

	if (s->s_await == NULL)
		return;
	s->s_await->aw_timer = 0;
	await_poll(s);
}

/* "Multiple executables with name: 'x' found. Pids: 1, 2." */
static void
await_many(struct gsess *s, const pid_t *found, size_t n)
{
	char msg[512];
	size_t i, len;

	len = (size_t)snprintf(msg, sizeof(msg),
	    "Multiple executables with name: '%s' found. Pids: ",
	    s->s_await->aw_name);
	for (i = 0; i < n && i < GDB_ATTACH_MAX_FOUND && len < sizeof(msg);
	    i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%d%s",
		    (int)found[i], i + 1 < n && i + 1 < GDB_ATTACH_MAX_FOUND ?
		    ", " : ".");
	await_end(s);
	gdb_error(s, EEXIST, msg);
}

static void
await_attach(struct gsess *s, pid_t pid)
{
	char msg[128];
	int e;

	await_end(s);
	if (gdb_attach(s, pid) == -1) {
		e = errno;
		log_warnx("attach %d: %s", (int)pid, strerror(e));
		snprintf(msg, sizeof(msg), "cannot attach to process %d: %s",
		    (int)pid, strerror(e));
		gdb_error(s, e, msg);
		return;
	}
	gdb_stop_reply(s, s->s_last);
}

/* One look at /proc: attach, fail, or look again later. */
static void
await_poll(struct gsess *s)
{
	struct gdb_await *aw = s->s_await;
	pid_t found[GDB_ATTACH_MAX_FOUND];
	size_t n;

	n = await_scan(s, aw, found, GDB_ATTACH_MAX_FOUND);
	if (n == 1) {
		await_attach(s, found[0]);
		return;
	}
	if (n > 1) {
		await_many(s, found, n);
		return;
	}
	if (loop_now() >= aw->aw_deadline) {
		await_end(s);
		gdb_error(s, ETIMEDOUT, "timed out waiting for the process");
		return;
	}
	aw->aw_timer = loop_add_timer(s->s_loop, GDB_ATTACH_POLL_MS,
	    await_timer, s);
}

static uint64_t
await_limit(void)
{
	const char *v = getenv(GDB_ATTACH_WAIT_ENV), *errstr;
	long long ms;

	if (v == NULL)
		return GDB_ATTACH_WAIT_MS;
	ms = strtonum(v, 0, GDB_ATTACH_WAIT_MS, &errstr);
	return errstr == NULL ? (uint64_t)ms : GDB_ATTACH_WAIT_MS;
}

/*
 * vAttachWait;HEXNAME: attach to the next process of that name to start;
 * vAttachOrWait;HEXNAME: or to one already running.  The reply (a stop,
 * or an error) comes when it is found, when the wait is over, or at an
 * interrupt.  Meanwhile the session answers q packets only.
 */
void
gdb_attach_wait(struct gsess *s, struct rsp_cursor *c, bool existing)
{
	char name[GDB_ATTACH_MAX_NAME];
	struct gdb_await *aw;

	s->s_lldb = true;
	if (get_hexstr(c, name, sizeof(name)) == -1 ||
	    *base_name(name) == '\0') {
		gdb_error(s, EINVAL, "bad process name");
		return;
	}
	if (gdb_busy(s))
		return;
	aw = xcalloc(1, sizeof(*aw));
	strlcpy(aw->aw_name, base_name(name), sizeof(aw->aw_name));
	aw->aw_deadline = loop_now() + await_limit();
	if (!existing) {
		aw->aw_nseen = await_scan(s, aw, aw->aw_seen,
		    GDB_ATTACH_MAX_SEEN);
		if (aw->aw_nseen > GDB_ATTACH_MAX_SEEN) {
			free(aw);
			gdb_error(s, E2BIG, "too many processes of that name");
			return;
		}
	}
	log_debug("waiting for a process named %s", aw->aw_name);
	s->s_await = aw;
	s->s_waiting = true;
	await_poll(s);
}

void
gdb_lldb_free(struct gsess *s)
{
	int i;

	await_end(s);
	gdb_stdio_close(s);
	for (i = 0; i < 3; i++) {
		free(s->s_stdpath[i]);
		s->s_stdpath[i] = NULL;
	}
	free(s->s_launch_err);
	s->s_launch_err = NULL;
	for (i = 0; i < GDB_MAX_SAVED_REGS; i++) {
		free(s->s_saved[i]);
		s->s_saved[i] = NULL;
	}
}
