/*
 * gdb_platform.c -- the packets lldb sends a platform server
 * (lldbplatformpackets.md), answered in lldb-server 16's formats on
 * platform connections and gdbserver sessions alike: the working
 * directory, mkdir and chmod, shell commands, the process list, user and
 * group names, and path completion.  The process list is in
 * gdb_procs.c, module facts (qModuleInfo, jModulesInfo) in gdb_module.c,
 * host I/O in gdb_vfile.c.
 */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/gdb_platform.h"
#include "daemon/handoff.h"
#include "daemon/log.h"
#include "platform/signals.h"
#include "daemon/loop.h"

#define PLAT_MAX_SHELL_CMD	16384	/* bytes of a qPlatform_shell command */
#define PLAT_MAX_SHELL_OUTPUT	(RSP_MAX_PACKET / 2 - 64) /* bytes sent */
#define PLAT_MAX_SHELL_SECS	10	/* seconds a command may run */
#define PLAT_SHELL_TICK_MS	10	/* exit polling without a pidfd */
#define PLAT_MAX_PWBUF		16384	/* bytes for getpwnam_r's buffer */
#define PLAT_MAX_COMPLETIONS	256	/* qPathComplete matches sent */

/* A hex string argument up to sep, NUL-terminated, with no NUL inside. */
int
plat_hexstr(struct rsp_cursor *c, char sep, char *buf, size_t cap)
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
int
plat_dec(const char *f, size_t len, uint64_t max, uint64_t *v)
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
	char path[GDB_MAX_PATH], base[GDB_MAX_PATH], fdpath[GDB_FD_PATH_MAX];
	struct stat st;
	uint64_t mode;
	int rc = -1, fd;

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
		if ((fd = gdb_host_parent(s, path, base, sizeof(base))) != -1) {
			rc = mkdirat(fd, base, (mode_t)mode);
			close_keep_errno(fd);
		}
		/* As lldb-server: an existing directory is no error. */
		if (rc == -1 && errno == EEXIST &&
		    gdb_host_stat(s, path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = 0;
	} else if ((fd = gdb_host_open(s, path, O_PATH, 0)) != -1) {
		/* An O_PATH descriptor's /proc name takes chmod, as glibc's. */
		gdb_fd_path(fd, fdpath);
		rc = chmod(fdpath, (mode_t)mode);
		close_keep_errno(fd);
	}
	gdb_replyf(s, "F%x", rc == -1 ? errno : 0);
}

/* ------------------------------------------------------------ shell */

/* The child: /bin/sh -c cmd in cwd, output and errors to out. */
static void __attribute__((noreturn))
shell_child(const char *cmd, const char *cwd, int out)
{
	int fd;

	sig_reset_all();
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

	if (plat_hexstr(c, ',', cmd, sizeof(cmd)) == -1) {
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
	    plat_hexstr(c, '\0', prefix, sizeof(prefix)) == -1) {
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
		handoff_host_io() ? plat_mode_path(s, c, true) : gdb_empty(s);
	else if (rsp_cursor_skip(c, "qPlatform_chmod:"))
		handoff_host_io() ? plat_mode_path(s, c, false) : gdb_empty(s);
	else if (rsp_cursor_skip(c, "qPlatform_shell:"))
		handoff_shell() ? plat_shell(s, c) : gdb_empty(s);
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
