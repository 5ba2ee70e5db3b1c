/*
 * gdb_platform.c -- the packets lldb sends a platform server
 * (lldbplatformpackets.md), answered in lldb-server 16's formats on
 * platform connections and gdbserver sessions alike: the working
 * directory, mkdir and chmod, shell commands, the process list, user and
 * group names, and path completion.  Module facts (qModuleInfo,
 * jModulesInfo) are in gdb_module.c; host I/O in gdb_vfile.c.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/procfs.h"

#define PLAT_MAX_SHELL_CMD	16384	/* bytes of a qPlatform_shell command */
#define PLAT_MAX_SHELL_OUTPUT	(RSP_MAX_PACKET / 2 - 64) /* bytes sent */
#define PLAT_MAX_SHELL_SECS	10	/* seconds a command may run */
#define PLAT_SHELL_TICK_MS	10	/* exit polling without a pidfd */
#define PLAT_MAX_ARGS		32768	/* bytes of a process's cmdline sent */
#define PLAT_MAX_PROCS		(1 << 22) /* listed: PID_MAX_LIMIT */
#define PLAT_MAX_NAME		1024	/* bytes of a qfProcessInfo name */
#define PLAT_MAX_PWBUF		16384	/* bytes for getpwuid_r and friends */
#define PLAT_MAX_COMPLETIONS	256	/* qPathComplete matches sent */

#define PLAT_TRIPLE64		"x86_64-pc-linux-gnu"
#define PLAT_TRIPLE32		"i386-pc-linux-gnu"

/* The list qfProcessInfo made; qsProcessInfo walks it. */
struct gplat {
	pid_t		*gp_pids;
	size_t		 gp_n;
	size_t		 gp_cap;
	size_t		 gp_next;
};

enum name_match {
	NM_IGNORE, NM_EQUALS, NM_STARTS, NM_ENDS, NM_CONTAINS, NM_REGEX,
};

/* qfProcessInfo's filter; -1 in a number matches any. */
struct pfilter {
	char		 pf_name[PLAT_MAX_NAME];
	bool		 pf_has_name;
	enum name_match	 pf_match;
	regex_t		 pf_re;
	bool		 pf_re_set;
	int64_t		 pf_pid, pf_ppid, pf_uid, pf_gid, pf_euid, pf_egid;
	bool		 pf_all_users;
	char		 pf_arch[32];		/* "" matches any */
	struct gplat	*pf_out;
};

static void
put_hex(struct rsp_buf *b, const char *key, const char *val)
{
	rsp_buf_addf(b, "%s:", key);
	rsp_buf_addhex(b, val, strlen(val));
	rsp_buf_addc(b, ';');
}

/* A hex string argument up to sep, NUL-terminated, with no NUL inside. */
static int
get_hexstr(struct rsp_cursor *c, char sep, char *buf, size_t cap)
{
	const char *end = memchr(c->c_p, sep, rsp_cursor_left(c));
	size_t n;

	if ((size_t)((end != NULL ? end : c->c_end) - c->c_p) / 2 >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (rsp_get_hexbytes(c, sep, buf, cap - 1, &n) == -1 ||
	    memchr(buf, '\0', n) != NULL) {
		errno = EINVAL;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* A decimal number the whole of the field, at most max. */
static int
get_dec(const char *f, size_t len, uint64_t max, uint64_t *v)
{
	size_t i;

	*v = 0;
	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		if (f[i] < '0' || f[i] > '9' || *v > (max - (f[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(f[i] - '0');
	}
	return 0;
}

/* ------------------------------------------------------------ cwd */

/* qGetWorkingDir: where relative paths go, the QSetWorkingDir one. */
static void
plat_get_cwd(struct gsess *s)
{
	char cwd[GDB_MAX_PATH];
	const char *d = s->s_cwd;

	if (d == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			gdb_error(s, errno, "cannot get the working directory");
			return;
		}
		d = cwd;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addhex(&s->s_reply, d, strlen(d));
	gdb_reply_buf(s);
}

/* qPlatform_mkdir:MODE,HEXPATH and qPlatform_chmod: "F" and errno. */
static void
plat_mode_path(struct gsess *s, struct rsp_cursor *c, bool mkdir_)
{
	char path[GDB_MAX_PATH];
	struct stat st;
	uint64_t mode;
	int rc;

	if (rsp_get_hex(c, &mode) == -1 || mode > 07777 ||
	    rsp_get_char(c, ',') == -1) {
		gdb_error(s, EINVAL, "expected MODE,HEXPATH");
		return;
	}
	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == -1) {
		gdb_error(s, errno, "bad path");
		return;
	}
	if (mkdir_) {
		rc = mkdir(path, (mode_t)mode);
		/* As lldb-server: an existing directory is no error. */
		if (rc == -1 && errno == EEXIST && stat(path, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			rc = 0;
	} else
		rc = chmod(path, (mode_t)mode);
	gdb_replyf(s, "F%x", rc == -1 ? errno : 0);
}

/* ------------------------------------------------------------ shell */

/* The child: /bin/sh -c cmd in cwd, output and errors to out. */
static void __attribute__((noreturn))
shell_child(const char *cmd, const char *cwd, int out)
{
	sigset_t none;
	int sig, fd;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDONLY)) == -1 || dup2(fd, 0) == -1 ||
	    dup2(out, 1) == -1 || dup2(out, 2) == -1)
		_exit(127);
	if (cwd != NULL && chdir(cwd) == -1)
		_exit(127);
	close_range(3, ~0U, 0);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

struct shell_out {
	char		 so_buf[PLAT_MAX_SHELL_OUTPUT];
	size_t		 so_len;
};

/* Read what is there; 0 at end of file, -1 when nothing more for now. */
static int
shell_read(int fd, struct shell_out *o)
{
	char scratch[4096];
	ssize_t n;

	if (o->so_len < sizeof(o->so_buf))
		n = read(fd, o->so_buf + o->so_len, sizeof(o->so_buf) -
		    o->so_len);
	else
		n = read(fd, scratch, sizeof(scratch));	/* past the limit */
	if (n > 0 && o->so_len < sizeof(o->so_buf))
		o->so_len += (size_t)n;
	if (n == 0)
		return 0;
	if (n == -1 && errno != EINTR && errno != EAGAIN)
		return 0;
	return n > 0 ? 1 : -1;
}

/*
 * Collect the output of pid from fd until it exits or secs pass, then
 * kill its process group.  The loop waits here, at most secs: a reply
 * after the return would race tgt_poll's waitpid(-1) for the status.
 */
static int
shell_wait(pid_t pid, int fd, unsigned secs, struct shell_out *o)
{
	uint64_t deadline = loop_now() + (uint64_t)secs * 1000;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0), status, left, i;
	struct pollfd pfd[2];
	bool exited = false;
	pid_t r;

	while (!exited) {
		if ((r = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (loop_now() >= deadline) {
			log_debug("qPlatform_shell: %d past %us, killed",
			    (int)pid, secs);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		left = (int)(deadline - loop_now());
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = pidfd;
		pfd[1].events = POLLIN;
		if (pidfd == -1 && left > PLAT_SHELL_TICK_MS)
			left = PLAT_SHELL_TICK_MS;
		if (poll(pfd, 2, left) == -1 && errno != EINTR)
			break;
		if ((pfd[0].revents & (POLLIN | POLLHUP)) &&
		    shell_read(fd, o) == 0)
			fd = -1;		/* poll ignores it from now */
		exited = pidfd != -1 && (pfd[1].revents & POLLIN);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	/* What it wrote before it ended; a writer left behind is cut off. */
	if (fd != -1 && fcntl(fd, F_SETFL, O_NONBLOCK) == 0)
		for (i = 0; i < 64 && shell_read(fd, o) == 1; i++)
			;
	if (pidfd != -1)
		close(pidfd);
	return status;
}

/* qPlatform_shell:HEXCMD,TIMEOUT[,HEXCWD] */
static void
plat_shell(struct gsess *s, struct rsp_cursor *c)
{
	static struct shell_out out;
	char cmd[PLAT_MAX_SHELL_CMD + 1], cwd[GDB_MAX_PATH];
	struct rsp_buf *b = &s->s_reply;
	const char *dir = s->s_cwd;
	struct stat st;
	uint64_t secs;
	int p[2], status;
	pid_t pid;

	if (get_hexstr(c, ',', cmd, sizeof(cmd)) == -1) {
		gdb_error(s, errno == ENAMETOOLONG ? E2BIG : EINVAL,
		    "bad or too long command");
		return;
	}
	if (cmd[0] == '\0') {
		gdb_error(s, EINVAL, "empty command");
		return;
	}
	if (rsp_get_hex(c, &secs) == -1 || secs > UINT32_MAX) {
		gdb_error(s, EINVAL, "expected HEXCMD,TIMEOUT[,HEXCWD]");
		return;
	}
	if (rsp_cursor_skip(c, ",")) {
		if (gdb_host_path(s, c, '\0', cwd, sizeof(cwd)) == -1) {
			gdb_error(s, errno, "bad working directory");
			return;
		}
		dir = cwd;
	} else if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "expected HEXCMD,TIMEOUT[,HEXCWD]");
		return;
	}
	if (dir != NULL && stat(dir, &st) == -1) {
		gdb_error(s, errno, "bad working directory");
		return;
	}
	if (dir != NULL && !S_ISDIR(st.st_mode)) {
		gdb_error(s, ENOTDIR, "bad working directory");
		return;
	}
	if (secs == 0 || secs > PLAT_MAX_SHELL_SECS)
		secs = PLAT_MAX_SHELL_SECS;
	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		log_warn("qPlatform_shell");
		gdb_reply(s, "F,ffffffff");	/* lldb-server's failure */
		return;
	}
	if (pid == 0)
		shell_child(cmd, dir, p[1]);
	close(p[1]);
	log_debug("qPlatform_shell: %d runs \"%s\"", (int)pid, cmd);
	out.so_len = 0;
	status = shell_wait(pid, p[0], (unsigned)secs, &out);
	close(p[0]);
	rsp_buf_reset(b);
	if (WIFEXITED(status))
		rsp_buf_addf(b, "F,%08x,%08x,", (unsigned)WEXITSTATUS(status),
		    0u);
	else
		rsp_buf_addf(b, "F,%08x,%08x,", UINT32_MAX,
		    (unsigned)(WIFSIGNALED(status) ? WTERMSIG(status) : 0));
	rsp_buf_addbin(b, out.so_buf, out.so_len);
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ processes */

/* The executable of pid without " (deleted)", or "". */
static void
proc_exe(pid_t pid, char *buf, size_t cap)
{
	size_t n;

	if (procfs_exe(pid, buf, cap) == -1) {
		buf[0] = '\0';
		return;
	}
	n = strlen(buf);
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
}

/* The triple of pid's executable from its ELF class, or NULL. */
static const char *
proc_triple(pid_t pid)
{
	char path[64];
	unsigned char id[5];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	n = pread(fd, id, sizeof(id), 0);
	close(fd);
	if (n != sizeof(id) || memcmp(id, "\177ELF", 4) != 0)
		return NULL;
	return id[4] == 2 ? PLAT_TRIPLE64 : id[4] == 1 ? PLAT_TRIPLE32 : NULL;
}

/*
 * One process in lldb-server's form: ids in decimal, the executable and
 * each argument in hex, arguments joined by '-'.  Arguments are sent
 * whole while they fit in PLAT_MAX_ARGS bytes of /proc/PID/cmdline.
 */
static int
put_process(struct rsp_buf *b, pid_t pid)
{
	char exe[GDB_MAX_PATH], *cmd;
	struct procinfo pi;
	const char *triple;
	size_t len, off, n, used = 0;

	if (procfs_process(pid, &pi) == -1)
		return -1;
	proc_exe(pid, exe, sizeof(exe));
	rsp_buf_addf(b, "pid:%d;ppid:%d;uid:%u;gid:%u;euid:%u;egid:%u;",
	    (int)pi.pi_pid, (int)pi.pi_ppid, (unsigned)pi.pi_uid,
	    (unsigned)pi.pi_gid, (unsigned)pi.pi_euid, (unsigned)pi.pi_egid);
	put_hex(b, "name", exe);
	rsp_buf_addf(b, "args:");
	if (procfs_read(pid, "cmdline", &cmd, &len) == 0) {
		for (off = 0; off < len; off += n + 1) {
			n = strnlen(cmd + off, len - off);
			if ((used += n + 1) > PLAT_MAX_ARGS)
				break;
			if (off > 0)
				rsp_buf_addc(b, '-');
			rsp_buf_addhex(b, cmd + off, n);
		}
		free(cmd);
	}
	rsp_buf_addc(b, ';');
	if ((triple = proc_triple(pid)) != NULL)
		put_hex(b, "triple", triple);
	return 0;
}

static bool
arch_equal(const char *a, const char *b)
{
	bool a86 = strlen(a) == 4 && a[0] == 'i' && strcmp(a + 2, "86") == 0;
	bool b86 = strlen(b) == 4 && b[0] == 'i' && strcmp(b + 2, "86") == 0;

	return strcmp(a, b) == 0 || (a86 && b86);
}

/* The architecture of a triple: up to the first '-'. */
static void
triple_arch(const char *triple, char *arch, size_t cap)
{
	size_t n = strcspn(triple, "-");

	if (n >= cap)
		n = cap - 1;
	memcpy(arch, triple, n);
	arch[n] = '\0';
}

static bool
name_matches(const struct pfilter *f, const char *name)
{
	size_t n = strlen(name), k = strlen(f->pf_name);

	if (!f->pf_has_name || f->pf_match == NM_IGNORE)
		return true;
	switch (f->pf_match) {
	case NM_EQUALS:
		return strcmp(name, f->pf_name) == 0;
	case NM_STARTS:
		return strncmp(name, f->pf_name, k) == 0;
	case NM_ENDS:
		return n >= k && strcmp(name + n - k, f->pf_name) == 0;
	case NM_CONTAINS:
		return strstr(name, f->pf_name) != NULL;
	case NM_REGEX:
		return regexec(&f->pf_re, name, 0, NULL, 0) == 0;
	default:
		return true;
	}
}

static bool
id_ok(int64_t want, unsigned have)
{
	return want == -1 || (uint64_t)want == have;
}

static int
collect(const struct procinfo *pi, void *arg)
{
	struct pfilter *f = arg;
	struct gplat *gp = f->pf_out;
	char exe[GDB_MAX_PATH], arch[32];
	const char *base, *triple;
	uid_t me = getuid();

	/* As lldb-server: not us, not traced processes, not zombies. */
	if (pi->pi_pid == getpid() || pi->pi_tracer != 0 ||
	    pi->pi_state == 'Z')
		return 0;
	if (!f->pf_all_users && me != 0 && pi->pi_uid != me)
		return 0;
	if (!id_ok(f->pf_pid, (unsigned)pi->pi_pid) ||
	    !id_ok(f->pf_ppid, (unsigned)pi->pi_ppid) ||
	    !id_ok(f->pf_uid, pi->pi_uid) || !id_ok(f->pf_gid, pi->pi_gid) ||
	    !id_ok(f->pf_euid, pi->pi_euid) || !id_ok(f->pf_egid, pi->pi_egid))
		return 0;
	if (f->pf_arch[0] != '\0') {
		if ((triple = proc_triple(pi->pi_pid)) == NULL)
			return 0;
		triple_arch(triple, arch, sizeof(arch));
		if (!arch_equal(arch, f->pf_arch))
			return 0;
	}
	if (f->pf_has_name && f->pf_match != NM_IGNORE) {
		proc_exe(pi->pi_pid, exe, sizeof(exe));
		base = strrchr(exe, '/') != NULL ? strrchr(exe, '/') + 1 : exe;
		if (!name_matches(f, base))
			return 0;
	}
	if (gp->gp_n == PLAT_MAX_PROCS)
		return 1;
	if (gp->gp_n == gp->gp_cap) {
		gp->gp_cap = gp->gp_cap == 0 ? 256 : gp->gp_cap * 2;
		gp->gp_pids = xreallocarray(gp->gp_pids, gp->gp_cap,
		    sizeof(*gp->gp_pids));
	}
	gp->gp_pids[gp->gp_n++] = pi->pi_pid;
	return 0;
}

/* OptionArgParser::ToBoolean's words. */
static int
get_bool_word(const char *v, size_t n, bool *b)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == n && strncasecmp(v, yes[i], n) == 0) {
			*b = true;
			return 0;
		}
		if (strlen(no[i]) == n && strncasecmp(v, no[i], n) == 0) {
			*b = false;
			return 0;
		}
	}
	return -1;
}

/* A number as llvm's getAsInteger(0): decimal, 0x hex, 0 octal. */
static int
get_num(const char *v, size_t n, int64_t *out)
{
	char buf[24], *end;
	unsigned long long x;

	if (n == 0 || n >= sizeof(buf) || v[0] == '-' || v[0] == '+' ||
	    v[0] == ' ')
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	x = strtoull(buf, &end, 0);
	if (errno != 0 || *end != '\0' || x > UINT32_MAX)
		return -1;
	*out = (int64_t)x;
	return 0;
}

static int
filter_key(struct pfilter *f, const char *k, size_t kn, const char *v,
    size_t vn)
{
	static const struct { const char *k; size_t off; } ids[] = {
		{ "pid", offsetof(struct pfilter, pf_pid) },
		{ "parent_pid", offsetof(struct pfilter, pf_ppid) },
		{ "uid", offsetof(struct pfilter, pf_uid) },
		{ "gid", offsetof(struct pfilter, pf_gid) },
		{ "euid", offsetof(struct pfilter, pf_euid) },
		{ "egid", offsetof(struct pfilter, pf_egid) },
	};
	static const char *const matches[] = {
		"equals", "starts_with", "ends_with", "contains", "regex",
	};
	struct rsp_cursor c;
	size_t i;

#define KEY(s)	(kn == strlen(s) && memcmp(k, s, kn) == 0)
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (KEY(ids[i].k))
			return get_num(v, vn, (int64_t *)((char *)f +
			    ids[i].off));
	if (KEY("name")) {
		rsp_cursor_init(&c, v, vn);
		f->pf_has_name = true;
		return get_hexstr(&c, '\0', f->pf_name, sizeof(f->pf_name));
	}
	if (KEY("name_match")) {
		for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
			if (vn == strlen(matches[i]) &&
			    memcmp(v, matches[i], vn) == 0) {
				f->pf_match = (enum name_match)(i + 1);
				return 0;
			}
		return -1;
	}
	if (KEY("all_users"))
		return get_bool_word(v, vn, &f->pf_all_users);
	if (KEY("triple")) {
		for (i = 0; i < vn && i < sizeof(f->pf_arch) - 1 && v[i] != '-';
		    i++)
			f->pf_arch[i] = v[i];
		f->pf_arch[i] = '\0';
		return i < vn && v[i] != '-' ? -1 : 0;
	}
#undef KEY
	return -1;
}

/* "key:value;..." after "qfProcessInfo:". */
static int
filter_parse(struct pfilter *f, struct rsp_cursor *c)
{
	const char *fld, *colon;
	size_t n;

	while (rsp_get_field(c, ';', &fld, &n) == 0) {
		if (n == 0 && rsp_cursor_eof(c))
			break;
		if ((colon = memchr(fld, ':', n)) == NULL || colon == fld ||
		    filter_key(f, fld, colon - fld, colon + 1,
		    n - (colon + 1 - fld)) == -1)
			return -1;
	}
	if (f->pf_has_name && f->pf_match == NM_REGEX) {
		if (regcomp(&f->pf_re, f->pf_name, REG_EXTENDED | REG_NOSUB) !=
		    0)
			return -1;
		f->pf_re_set = true;
	}
	return 0;
}

void
gdb_platform_free(struct gsess *s)
{
	if (s->s_plat == NULL)
		return;
	free(s->s_plat->gp_pids);
	free(s->s_plat);
	s->s_plat = NULL;
}

/* qsProcessInfo: the next process of the list still there. */
static void
plat_next_process(struct gsess *s)
{
	struct gplat *gp = s->s_plat;

	rsp_buf_reset(&s->s_reply);
	while (gp != NULL && gp->gp_next < gp->gp_n) {
		if (put_process(&s->s_reply, gp->gp_pids[gp->gp_next++]) == 0) {
			gdb_reply_buf(s);
			return;
		}
		rsp_buf_reset(&s->s_reply);	/* gone meanwhile */
	}
	gdb_platform_free(s);
	gdb_error(s, ESRCH, "no more processes");
}

/* qfProcessInfo[:FILTER]: list the matching processes, send the first. */
static void
plat_first_process(struct gsess *s, struct rsp_cursor *c)
{
	struct pfilter f;

	memset(&f, 0, sizeof(f));
	f.pf_pid = f.pf_ppid = f.pf_uid = f.pf_gid = -1;
	f.pf_euid = f.pf_egid = -1;
	gdb_platform_free(s);
	if (rsp_cursor_skip(c, ":") && filter_parse(&f, c) == -1) {
		gdb_error(s, EINVAL, "bad process filter");
		goto out;
	} else if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad process filter");
		goto out;
	}
	s->s_plat = f.pf_out = xcalloc(1, sizeof(*s->s_plat));
	procfs_each_process(collect, &f);
	if (s->s_plat->gp_n == 0) {
		gdb_platform_free(s);
		gdb_error(s, ESRCH, "no matching process");
		goto out;
	}
	plat_next_process(s);
out:
	if (f.pf_re_set)
		regfree(&f.pf_re);
}

/* qProcessInfoPID:PID (decimal) */
static void
plat_process_pid(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t pid;

	rsp_buf_reset(&s->s_reply);
	if (get_dec(c->c_p, rsp_cursor_left(c), INT32_MAX, &pid) == -1 ||
	    pid == 0) {
		gdb_error(s, EINVAL, "bad pid");
		return;
	}
	if (put_process(&s->s_reply, (pid_t)pid) == -1) {
		rsp_buf_reset(&s->s_reply);
		gdb_error(s, ESRCH, "no such process");
		return;
	}
	gdb_reply_buf(s);
}

/* qUserName:UID / qGroupName:GID (decimal): the name in hex. */
static void
plat_id_name(struct gsess *s, struct rsp_cursor *c, bool user)
{
	static char buf[PLAT_MAX_PWBUF];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	const char *name = NULL;
	uint64_t id;
	int rc;

	if (get_dec(c->c_p, rsp_cursor_left(c), UINT32_MAX - 1, &id) == -1) {
		gdb_error(s, EINVAL, "bad id");
		return;
	}
	if (user) {
		rc = getpwuid_r((uid_t)id, &pw, buf, sizeof(buf), &pwp);
		name = pwp != NULL ? pwp->pw_name : NULL;
	} else {
		rc = getgrgid_r((gid_t)id, &gr, buf, sizeof(buf), &grp);
		name = grp != NULL ? grp->gr_name : NULL;
	}
	if (name == NULL) {
		gdb_error(s, rc != 0 ? rc : ENOENT, user ? "no such user" :
		    "no such group");
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addhex(&s->s_reply, name, strlen(name));
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ completion */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The home directory of user ("" for ours) into buf, or -1. */
static int
home_of(const char *user, char *buf, size_t cap)
{
	static char pwbuf[PLAT_MAX_PWBUF];
	struct passwd pw, *pwp = NULL;
	const char *h;

	if (user[0] == '\0' && (h = getenv("HOME")) != NULL && h[0] != '\0')
		return strlcpy(buf, h, cap) < cap ? 0 : -1;
	if (user[0] == '\0')
		getpwuid_r(getuid(), &pw, pwbuf, sizeof(pwbuf), &pwp);
	else
		getpwnam_r(user, &pw, pwbuf, sizeof(pwbuf), &pwp);
	if (pwp == NULL)
		return -1;
	return strlcpy(buf, pwp->pw_dir, cap) < cap ? 0 : -1;
}

/*
 * The directory to search for prefix and the partial name to match, as
 * lldb's DiskFilesOrDirectories: "~user/dir/pa" searches user's dir.
 * 1 when the answer is the prefix itself plus a '/' ("~user").
 */
static int
complete_dir(struct gsess *s, const char *prefix, char *dir, size_t cap,
    const char **partial)
{
	char user[256], home[GDB_MAX_PATH];
	const char *slash = strchr(prefix, '/'), *last = strrchr(prefix, '/');
	size_t n;

	*partial = last != NULL ? last + 1 : prefix;
	if (prefix[0] == '~') {
		n = (slash != NULL ? (size_t)(slash - prefix) : strlen(prefix)) - 1;
		if (n >= sizeof(user))
			return -1;
		memcpy(user, prefix + 1, n);
		user[n] = '\0';
		if (home_of(user, home, sizeof(home)) == -1)
			return -1;
		if (slash == NULL)
			return 1;
		if ((size_t)snprintf(dir, cap, "%s%.*s", home,
		    (int)(last - slash), slash) >= cap)
			return -1;
		return 0;
	}
	if (last == NULL)
		n = 0;
	else
		n = last == prefix ? 1 : (size_t)(last - prefix);
	if (n == 0 || prefix[0] != '/') {
		if ((size_t)snprintf(dir, cap, "%s%s%.*s", s->s_cwd != NULL ?
		    s->s_cwd : ".", n > 0 ? "/" : "", (int)n, prefix) >= cap)
			return -1;
	} else if ((size_t)snprintf(dir, cap, "%.*s", (int)n, prefix) >= cap)
		return -1;
	return 0;
}

/*
 * qPathComplete:ONLY_DIR,HEXPREFIX: "M" and the completions in hex,
 * sorted, directories with a '/'; at most PLAT_MAX_COMPLETIONS of them
 * (the first a directory read gives) and what fits in a packet.
 */
static void
plat_complete(struct gsess *s, struct rsp_cursor *c)
{
	char prefix[GDB_MAX_PATH], dir[GDB_MAX_PATH], path[GDB_MAX_PATH * 2];
	char *m[PLAT_MAX_COMPLETIONS];
	struct rsp_buf *b = &s->s_reply;
	const char *partial;
	struct dirent *de;
	struct stat st;
	uint64_t only_dir;
	size_t i, n = 0, plen;
	DIR *d;
	int k;

	if (rsp_get_hex(c, &only_dir) == -1 || only_dir > 1 ||
	    rsp_get_char(c, ',') == -1 ||
	    get_hexstr(c, '\0', prefix, sizeof(prefix)) == -1) {
		gdb_error(s, EINVAL, "expected ONLY_DIR,HEXPREFIX");
		return;
	}
	rsp_buf_reset(b);
	rsp_buf_addc(b, 'M');
	if ((k = complete_dir(s, prefix, dir, sizeof(dir), &partial)) != 0) {
		if (k == 1) {
			rsp_buf_addhex(b, prefix, strlen(prefix));
			rsp_buf_addhex(b, "/", 1);
		}
		gdb_reply_buf(s);
		return;
	}
	plen = strlen(partial);
	if ((d = opendir(dir)) != NULL) {
		while (n < PLAT_MAX_COMPLETIONS && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0 ||
			    strncmp(de->d_name, partial, plen) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (stat(path, &st) == -1 ||
			    (only_dir && !S_ISDIR(st.st_mode)))
				continue;
			xasprintf(&m[n++], "%s%s%s", prefix, de->d_name + plen,
			    S_ISDIR(st.st_mode) ? "/" : "");
		}
		closedir(d);
	}
	qsort(m, n, sizeof(m[0]), cmp_str);
	for (i = 0; i < n; i++) {
		if (rsp_buf_used(b) + 2 * strlen(m[i]) + 1 < RSP_MAX_PACKET) {
			if (i > 0)
				rsp_buf_addc(b, ',');
			rsp_buf_addhex(b, m[i], strlen(m[i]));
		}
		free(m[i]);
	}
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ dispatch */

int
gdb_platform_query(struct gsess *s, struct rsp_cursor *c)
{
	struct rsp_cursor save = *c;

	if (rsp_cursor_skip(c, "qGetWorkingDir"))
		plat_get_cwd(s);
	else if (rsp_cursor_skip(c, "qPlatform_mkdir:"))
		plat_mode_path(s, c, true);
	else if (rsp_cursor_skip(c, "qPlatform_chmod:"))
		plat_mode_path(s, c, false);
	else if (rsp_cursor_skip(c, "qPlatform_shell:"))
		plat_shell(s, c);
	else if (rsp_cursor_skip(c, "qfProcessInfo"))
		plat_first_process(s, c);
	else if (rsp_cursor_skip(c, "qsProcessInfo"))
		plat_next_process(s);
	else if (rsp_cursor_skip(c, "qProcessInfoPID:"))
		plat_process_pid(s, c);
	else if (rsp_cursor_skip(c, "qUserName:"))
		plat_id_name(s, c, true);
	else if (rsp_cursor_skip(c, "qGroupName:"))
		plat_id_name(s, c, false);
	else if (rsp_cursor_skip(c, "qPathComplete:"))
		plat_complete(s, c);
	else if (rsp_cursor_skip(c, "qModuleInfo:"))
		gdb_module_info(s, c);
	else if (rsp_cursor_skip(c, "jModulesInfo:"))
		gdb_modules_info(s, c);
	else {
		*c = save;
		return -1;
	}
	s->s_lldb = true;
	return 0;
}
