/*
 * check_platform.c -- the platform packets lldb sends, against the real
 * server: "handoffd gdbserver --multi" with no program, in a private temp
 * dir that is its working directory.  Each test sends good and malformed
 * packets and checks the exact replies lldb-server 16 gives (or ours
 * where we differ on purpose), and the limits at and one past each
 * named constant.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <elf.h>
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>

#include "client/rspc.h"
#include "platform/digest.h"
#include "tests/ck.h"
#include "tests/integration/itest.h"

#define SRV_START_MS	10000	/* for "Listening on port N" */
#define SRV_MAX_ERR	8192	/* bytes of the server's stderr kept */
#define HEXBUF		(RSP_MAX_PACKET + 64)
#define LISTENING	"Listening on port "

/* The server's limits, as daemon/ and platform/ name them. */
#define GDB_MAX_PATH		4096
#define GDB_MAX_VFILE_FDS	64
#define VFILE_MAX_IO		(RSP_MAX_PACKET / 2 - 32)
#define PLAT_MAX_SHELL_CMD	16384
#define PLAT_MAX_SHELL_OUTPUT	(RSP_MAX_PACKET / 2 - 64)
#define PLAT_MAX_SHELL_SECS	10
#define PLAT_MAX_ARGS		32768
#define PLAT_MAX_NAME		1024
#define PLAT_MAX_COMPLETIONS	256
#define MOD_MAX_MODULES		256
#define MOD_MAX_DEPTH		8
#define ELF_MAX_PHDRS		256
#define ELF_MAX_NOTES		65536
#define ELF_MAX_BUILD_ID	64

struct srv {
	pid_t		 s_pid;
	int		 s_errfd;
	char		 s_err[SRV_MAX_ERR];
	size_t		 s_errlen;
	char		 s_dir[64];
	struct rspc	*s_rc;
};

static struct srv sv;

/* ------------------------------------------------------------ helpers */

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return remove(p);
}

static void
srv_open(void)
{
	char exe[PATH_MAX], log[PATH_MAX], addr[32];
	char *argv[] = { exe, "gdbserver", "--multi", "--remote-debug",
	    "--log-file", log, "127.0.0.1:0", NULL };
	const char *hit;

	memset(&sv, 0, sizeof(sv));
	path_of(log, sizeof(log), "handoffd");
	ck_assert_ptr_nonnull(realpath(log, exe));
	snprintf(sv.s_dir, sizeof(sv.s_dir), "/tmp/handoffd-plat.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sv.s_dir));
	snprintf(log, sizeof(log), "%s/server.log", sv.s_dir);
	umask(022);
	ck_assert_int_eq(chdir(sv.s_dir), 0);
	sv.s_pid = spawn(argv, &sv.s_errfd);
	hit = read_until(sv.s_errfd, sv.s_err, sizeof(sv.s_err), &sv.s_errlen,
	    LISTENING, now_ms() + SRV_START_MS);
	ck_assert_msg(hit != NULL, "server did not start: %s", sv.s_err);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d",
	    atoi(hit + strlen(LISTENING)));
	ck_assert_ptr_nonnull(sv.s_rc = rspc_connect(addr));
	ck_assert_int_eq(rspc_handshake(sv.s_rc, "multiprocess+"), 0);
}

static void
srv_close(void)
{
	rspc_close(sv.s_rc);
	kill(sv.s_pid, SIGKILL);
	waitpid(sv.s_pid, NULL, 0);
	close(sv.s_errfd);
	ck_assert_int_eq(chdir("/"), 0);
	nftw(sv.s_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* s in hex, in one of a ring of buffers. */
static const char *
hex(const char *s)
{
	static char ring[8][HEXBUF];
	static int next;
	char *b = ring[next++ % 8];
	size_t i;

	for (i = 0; s[i] != '\0' && 2 * i + 2 < HEXBUF; i++)
		snprintf(b + 2 * i, 3, "%02x", (unsigned char)s[i]);
	b[2 * i] = '\0';
	return b;
}

/* The reply to the packet fmt makes; '}' '#' '$' '*' get escaped. */
static const char *
req(const char *fmt, ...)
{
	static char pkt[HEXBUF], esc[2 * HEXBUF];
	const char *r;
	va_list ap;
	size_t i, n = 0;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(pkt, sizeof(pkt), fmt, ap);
	va_end(ap);
	ck_assert_int_lt(len, (int)sizeof(pkt));
	for (i = 0; i < (size_t)len; i++) {
		if (strchr("}#$*", pkt[i]) != NULL) {
			esc[n++] = '}';
			esc[n++] = pkt[i] ^ 0x20;
		} else
			esc[n++] = pkt[i];
	}
	ck_assert_msg(rspc_request(sv.s_rc, esc, n, &r) >= 0,
	    "%.60s: %s (log %s)", pkt, strerror(errno), sv.s_dir);
	return r;
}

#define REPLY_IS(want, ...) do {					\
	const char *r_ = req(__VA_ARGS__);				\
	ck_assert_msg(strcmp(r_, (want)) == 0,				\
	    "got \"%.300s\", want \"%.300s\" (log %s)", r_, (want),	\
	    sv.s_dir);							\
} while (0)

#define REPLY_HAS(want, ...) do {					\
	const char *r_ = req(__VA_ARGS__);				\
	ck_assert_msg(strstr(r_, (want)) != NULL,			\
	    "got \"%.300s\", want it to hold \"%.300s\" (log %s)", r_,	\
	    (want), sv.s_dir);						\
} while (0)

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/*
 * A path of exactly len bytes under dir, its directories made (each
 * component at most 200 bytes); the last component is left to the
 * caller to make.
 */
static void
long_path(char *out, size_t len, const char *dir)
{
	size_t n = strlcpy(out, dir, len + 1), k;

	while (len - n - 1 > 200) {
		k = len - n - 3 < 200 ? len - n - 3 : 200;
		out[n] = '/';
		memset(out + n + 1, 'd', k);
		n += 1 + k;
		out[n] = '\0';
		ck_assert(mkdir(out, 0755) == 0 || errno == EEXIST);
	}
	out[n] = '/';
	memset(out + n + 1, 'f', len - n - 1);
	out[len] = '\0';
	ck_assert_uint_eq(strlen(out), len);
}

/* ------------------------------------------------------------ cwd */

START_TEST(get_working_dir_is_ours_then_the_one_set)
{
	char dir[256];

	srv_open();
	REPLY_IS(hex(sv.s_dir), "qGetWorkingDir");
	snprintf(dir, sizeof(dir), "%s/sub", sv.s_dir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	write_file("sub/f", "x", 1, 0644);
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(dir));
	REPLY_IS(hex(dir), "qGetWorkingDir");
	/* Relative paths now start there, as after lldb-server's chdir. */
	REPLY_IS("F,1", "vFile:exists:%s", hex("f"));
	REPLY_IS("F1", "vFile:size:%s", hex("f"));
	REPLY_IS("F,00000000,00000000,f\n", "qPlatform_shell:%s,5",
	    hex("ls"));
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ mkdir, chmod */

START_TEST(mkdir_and_chmod_answer_errno)
{
	struct stat st;
	char path[GDB_MAX_PATH * 2];

	srv_open();
	REPLY_IS("F0", "qPlatform_mkdir:1ed,%s", hex("d1"));
	ck_assert_int_eq(stat("d1", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);
	/* An existing directory is no error, as on lldb-server. */
	REPLY_IS("F0", "qPlatform_mkdir:1ed,%s", hex("d1"));
	write_file("file", "", 0, 0644);
	REPLY_IS("F11", "qPlatform_mkdir:1ed,%s", hex("file"));
	REPLY_IS("F2", "qPlatform_mkdir:1ed,%s", hex("no/such"));
	REPLY_IS("F0", "qPlatform_chmod:1c0,%s", hex("d1"));
	ck_assert_int_eq(stat("d1", &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	REPLY_IS("F2", "qPlatform_chmod:1c0,%s", hex("nonexistent"));
	REPLY_IS("E16", "qPlatform_mkdir:zz,%s", hex("d2"));
	REPLY_IS("E16", "qPlatform_mkdir:1ed");
	REPLY_IS("E16", "qPlatform_mkdir:10000,%s", hex("d2"));
	REPLY_IS("E16", "qPlatform_chmod:1ed,");
	REPLY_IS("E16", "qPlatform_chmod:1ed,%sz", hex("d1"));
	/* A path of GDB_MAX_PATH - 1 bytes is taken, one more is not. */
	long_path(path, GDB_MAX_PATH - 1, sv.s_dir);
	REPLY_IS("F0", "qPlatform_mkdir:1ed,%s", hex(path));
	ck_assert_int_eq(stat(path, &st), 0);
	long_path(path, GDB_MAX_PATH, sv.s_dir);
	REPLY_IS("E24", "qPlatform_mkdir:1ed,%s", hex(path));
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ shell */

START_TEST(shell_reports_status_signal_and_output)
{
	srv_open();
	REPLY_IS("F,00000000,00000000,hi\n", "qPlatform_shell:%s,ffffffff",
	    hex("echo hi"));
	REPLY_IS("F,00000003,00000000,out\nerr\n",
	    "qPlatform_shell:%s,ffffffff",
	    hex("echo out; echo err >&2; exit 3"));
	REPLY_IS("F,ffffffff,00000009,", "qPlatform_shell:%s,ffffffff",
	    hex("kill -9 $$"));
	/* Binary output comes escaped; the client reads it back whole. */
	REPLY_IS("F,00000000,00000000,}#$*", "qPlatform_shell:%s,5",
	    hex("printf '}#$*'"));
	REPLY_IS("F,00000000,00000000,/tmp\n", "qPlatform_shell:%s,5,%s",
	    hex("pwd"), hex("/tmp"));
	REPLY_IS("F,00000000,00000000,/\n", "qPlatform_shell:%s,5",
	    hex("cd / && pwd"));
	/* A child left running does not hold the reply. */
	REPLY_IS("F,00000000,00000000,x\n", "qPlatform_shell:%s,5",
	    hex("sleep 3 & echo x"));
	REPLY_IS("E02", "qPlatform_shell:%s,5,%s", hex("pwd"), hex("/no/such"));
	REPLY_IS("E14", "qPlatform_shell:%s,5,%s", hex("pwd"),
	    hex("/etc/passwd"));
	REPLY_IS("E16", "qPlatform_shell:,5");
	REPLY_IS("E16", "qPlatform_shell:%s", hex("true"));
	REPLY_IS("E16", "qPlatform_shell:%s,", hex("true"));
	REPLY_IS("E16", "qPlatform_shell:%s,5;", hex("true"));
	REPLY_IS("E16", "qPlatform_shell:6,5");
	REPLY_IS("E16", "qPlatform_shell:%s,100000000", hex("true"));
	srv_close();
}
END_TEST

START_TEST(shell_command_and_output_limits)
{
	static char cmd[PLAT_MAX_SHELL_CMD + 2], want[PLAT_MAX_SHELL_CMD + 64];
	const char *r;

	srv_open();
	/* A command of PLAT_MAX_SHELL_CMD bytes runs; one more is E2BIG. */
	memset(cmd, 0, sizeof(cmd));
	strlcpy(cmd, "echo ", sizeof(cmd));
	memset(cmd + 5, 'a', PLAT_MAX_SHELL_CMD - 5);
	snprintf(want, sizeof(want), "F,00000000,00000000,%s\n", cmd + 5);
	REPLY_IS(want, "qPlatform_shell:%s,5", hex(cmd));
	cmd[PLAT_MAX_SHELL_CMD] = 'a';
	REPLY_IS("E07", "qPlatform_shell:%s,5", hex(cmd));
	/* Output up to PLAT_MAX_SHELL_OUTPUT is sent whole, then cut. */
	snprintf(cmd, sizeof(cmd), "head -c %d /dev/zero | tr '\\0' a",
	    PLAT_MAX_SHELL_OUTPUT);
	r = req("qPlatform_shell:%s,5", hex(cmd));
	ck_assert_uint_eq(strlen(r), 20 + PLAT_MAX_SHELL_OUTPUT);
	ck_assert_uint_eq(strspn(r + 20, "a"), PLAT_MAX_SHELL_OUTPUT);
	snprintf(cmd, sizeof(cmd), "head -c %d /dev/zero | tr '\\0' a; exit 4",
	    PLAT_MAX_SHELL_OUTPUT + 1);
	r = req("qPlatform_shell:%s,5", hex(cmd));
	ck_assert_msg(strncmp(r, "F,00000004,00000000,", 20) == 0, "%.30s", r);
	ck_assert_uint_eq(strlen(r), 20 + PLAT_MAX_SHELL_OUTPUT);
	/* Much more output than that is read and dropped, not a hang. */
	REPLY_HAS("F,00000000,00000000,", "qPlatform_shell:%s,5",
	    hex("head -c 10000000 /dev/zero"));
	srv_close();
}
END_TEST

START_TEST(shell_timeout_kills_the_command)
{
	long long t0;

	srv_open();
	t0 = now_ms();
	REPLY_IS("F,ffffffff,00000009,before\n", "qPlatform_shell:%s,1",
	    hex("echo before; sleep 30; echo after"));
	ck_assert_int_lt(now_ms() - t0, 3000);
	/* Its whole process group goes. */
	REPLY_IS("F,ffffffff,00000009,", "qPlatform_shell:%s,1",
	    hex("(sleep 31; echo late > late) & sleep 30"));
	REPLY_IS("F,00000000,00000000,", "qPlatform_shell:%s,5",
	    hex("pgrep -f 'slee[p] 31' || true"));
	/* PLAT_MAX_SHELL_SECS is allowed ... */
	REPLY_IS("F,00000000,00000000,", "qPlatform_shell:%s,%x",
	    hex("sleep 1"), PLAT_MAX_SHELL_SECS);
	/* ... more, or none (lldb's default), is cut to it. */
	sv.s_rc->r_timeout_ms = (PLAT_MAX_SHELL_SECS + 10) * 1000;
	t0 = now_ms();
	REPLY_IS("F,ffffffff,00000009,", "qPlatform_shell:%s,%x",
	    hex("sleep 30"), PLAT_MAX_SHELL_SECS + 1);
	ck_assert_int_ge(now_ms() - t0, PLAT_MAX_SHELL_SECS * 1000 - 500);
	ck_assert_int_lt(now_ms() - t0, PLAT_MAX_SHELL_SECS * 1000 + 3000);
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ vFile */

START_TEST(vfile_size_mode_exists_md5)
{
	static char big[VFILE_MAX_IO + 100];
	const char *r;

	srv_open();
	write_file("abc", "abc", 3, 0640);
	write_file("empty", "", 0, 0755);
	REPLY_IS("F3", "vFile:size:%s", hex("abc"));
	REPLY_IS("F0", "vFile:size:%s", hex("empty"));
	REPLY_IS("E02", "vFile:size:%s", hex("nonexistent"));
	REPLY_IS("E16", "vFile:size:");
	REPLY_IS("F1a0", "vFile:mode:%s", hex("abc"));
	REPLY_IS("F1ed", "vFile:mode:%s", hex("empty"));
	REPLY_IS("F-1,2", "vFile:mode:%s", hex("nonexistent"));
	REPLY_IS("F,1", "vFile:exists:%s", hex("abc"));
	REPLY_IS("F,1", "vFile:exists:%s", hex("."));
	REPLY_IS("F,0", "vFile:exists:%s", hex("nonexistent"));
	REPLY_IS("E16", "vFile:exists:zz");
	/* lldb-server's byte order: each 8-byte half reversed. */
	REPLY_IS("F,04b2008fd98c1dd47e42f8ec980980e9", "vFile:MD5:%s",
	    hex("empty"));
	REPLY_IS("F,b04fd23c98500190727fe1287d3f96d6", "vFile:MD5:%s",
	    hex("abc"));
	REPLY_IS("F,04b2008fd98c1dd47e42f8ec980980e9", "vFile:MD5:%s",
	    hex("/dev/null"));
	REPLY_IS("F,x", "vFile:MD5:%s", hex("nonexistent"));
	REPLY_IS("F,x", "vFile:MD5:%s", hex("."));
	/* pread: at most VFILE_MAX_IO bytes whatever the count. */
	memset(big, 'b', sizeof(big));
	write_file("big", big, sizeof(big), 0644);
	REPLY_IS("F0", "vFile:open:%s,0,0", hex("big"));
	r = req("vFile:pread:0,%x,0", VFILE_MAX_IO);
	ck_assert_int_eq(strtol(r + 1, NULL, 16), VFILE_MAX_IO);
	r = req("vFile:pread:0,%x,0", VFILE_MAX_IO + 1);
	ck_assert_int_eq(strtol(r + 1, NULL, 16), VFILE_MAX_IO);
	REPLY_IS("F0", "vFile:close:0");
	srv_close();
}
END_TEST

/* A big-endian number of n bytes at p. */
static uint64_t
be(const char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | (unsigned char)p[i];
	return v;
}

START_TEST(vfile_fstat_pwrite_readlink_setfs)
{
	struct stat st;
	char buf[16], self[32];
	const char *r;
	ssize_t n;

	srv_open();
	/* O_CREAT | O_WRONLY, then a pwrite of bytes RSP escapes. */
	REPLY_IS("F0", "vFile:open:%s,201,1a4", hex("w"));
	REPLY_IS("F5", "vFile:pwrite:0,0,a}#$*");
	REPLY_IS("F1", "vFile:pwrite:0,2,B");
	REPLY_IS("F-1,9", "vFile:pwrite:1,0,x");
	REPLY_IS("F-1,16", "vFile:pwrite:0,zz,x");
	REPLY_IS("F0", "vFile:close:0");
	ck_assert_int_ne(n = open("w", O_RDONLY), -1);
	ck_assert_int_eq(read((int)n, buf, sizeof(buf)), 5);
	close((int)n);
	ck_assert_int_eq(memcmp(buf, "a}B$*", 5), 0);
	/* fstat: GDB's struct stat, 64 bytes big-endian, as lldb reads it. */
	ck_assert_int_eq(stat("w", &st), 0);
	REPLY_IS("F0", "vFile:open:%s,0,0", hex("w"));
	r = req("vFile:fstat:0");
	ck_assert_msg(strncmp(r, "F40;", 4) == 0, "%.10s", r);
	ck_assert_uint_eq(be(r + 4 + 8, 4), st.st_mode);
	ck_assert_uint_eq(be(r + 4 + 28, 8), 5);
	ck_assert_uint_eq(be(r + 4 + 4, 4), (uint32_t)st.st_ino);
	REPLY_IS("F-1,9", "vFile:fstat:1");
	REPLY_IS("F-1,9", "vFile:fstat:zz");
	REPLY_IS("F-1,9", "vFile:fstat:%x", GDB_MAX_VFILE_FDS);
	/* readlink */
	ck_assert_int_eq(symlink("w", "lw"), 0);
	REPLY_IS("F1;w", "vFile:readlink:%s", hex("lw"));
	REPLY_IS("F-1,16", "vFile:readlink:%s", hex("w"));
	/* setfs: paths through that process's root, for this session. */
	snprintf(self, sizeof(self), "%x", (unsigned)getpid());
	REPLY_IS("F0", "vFile:setfs:%s", self);
	{
		char abs[128];

		snprintf(abs, sizeof(abs), "%s/w", sv.s_dir);
		REPLY_IS("F,1", "vFile:exists:%s", hex(abs));
	}
	REPLY_IS("F,1", "vFile:exists:%s", hex("/etc/passwd"));
	REPLY_IS("F-1,16", "vFile:setfs:80000000");
	REPLY_IS("F0", "vFile:setfs:0");
	srv_close();
}
END_TEST

/*
 * After vFile:setfs of a process in a chroot, every path is walked inside
 * its root as the process would walk it: "..", absolute symlinks and
 * symlinks full of ".." stop at the root, for reading, stat, readlink,
 * unlink, symlink and mkdir alike.  Nothing outside it is read or made.
 */
START_TEST(vfile_setfs_paths_stay_inside_the_root)
{
	char root[128], out[128], link[PATH_MAX], want[PATH_MAX + 8];
	struct stat st;
	ssize_t n;
	pid_t pid;
	int p[2];

	if (geteuid() != 0)
		return;		/* chroot(2) needs root */
	srv_open();
	snprintf(root, sizeof(root), "%s/root", sv.s_dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
	ck_assert_int_eq(mkdir("root/etc", 0755), 0);
	write_file("root/inside", "in", 2, 0644);
	write_file("victim", "out", 3, 0644);
	ck_assert_int_eq(symlink("/inside", "root/abs"), 0);
	ck_assert_int_eq(symlink("/../../../../etc/passwd", "root/esc"), 0);
	ck_assert_int_eq(symlink("../../../../victim", "root/rel"), 0);
	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		close(p[0]);
		if (chroot(root) == 0 && chdir("/") == 0)
			write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], link, 1), 1);
	close(p[0]);
	snprintf(want, sizeof(want), "/proc/%d/root", (int)pid);
	n = readlink(want, link, sizeof(link) - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_str_eq(link, root);

	REPLY_IS("F0", "vFile:setfs:%x", (unsigned)pid);
	REPLY_IS("F,1", "vFile:exists:%s", hex("/inside"));
	REPLY_IS("F,1", "vFile:exists:%s", hex("/../../../inside"));
	REPLY_IS("F,0", "vFile:exists:%s", hex("/../victim"));
	/* /etc/passwd is the host's; the root's /etc is empty. */
	REPLY_IS("F-1,2", "vFile:open:%s,0,0", hex("/../../../etc/passwd"));
	REPLY_IS("F-1,2", "vFile:open:%s,0,0", hex("/esc"));
	REPLY_IS("F-1,2", "vFile:open:%s,0,0", hex("/rel"));
	REPLY_IS("F-1,2", "vFile:mode:%s", hex("/esc"));
	REPLY_IS("F0", "vFile:open:%s,0,0", hex("/abs"));
	REPLY_IS("F2;in", "vFile:pread:0,10,0");
	REPLY_IS("F0", "vFile:close:0");
	REPLY_IS("F7;/inside", "vFile:readlink:%s", hex("/../abs"));
	/* Made and unmade inside: "/.." is the root. */
	REPLY_IS("F-1,2", "vFile:unlink:%s", hex("/../victim"));
	ck_assert_int_eq(stat("victim", &st), 0);
	REPLY_IS("F0", "vFile:open:%s,201,1a4", hex("/../made"));
	REPLY_IS("F0", "vFile:close:0");
	ck_assert_int_eq(stat("root/made", &st), 0);
	ck_assert_int_eq(stat("made", &st), -1);
	REPLY_IS("F0", "vFile:unlink:%s", hex("/../made"));
	ck_assert_int_eq(stat("root/made", &st), -1);
	/* An lldb packet: lldb's replies from here on. */
	REPLY_IS("F0", "qPlatform_mkdir:1ed,%s", hex("/../../dir"));
	ck_assert_int_eq(stat("root/dir", &st), 0);
	ck_assert_int_eq(stat("dir", &st), -1);
	REPLY_IS("F0,0", "vFile:symlink:%s,%s", hex("/inside"),
	    hex("/../../lnk"));
	ck_assert_int_eq(lstat("root/lnk", &st), 0);
	ck_assert_int_eq(lstat("lnk", &st), -1);
	/* vFile:setfs:0: the host's own tree again. */
	snprintf(out, sizeof(out), "%s/victim", sv.s_dir);
	REPLY_IS("F0", "vFile:setfs:0");
	REPLY_IS("F,1", "vFile:exists:%s", hex(out));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	srv_close();
}
END_TEST

START_TEST(vfile_md5_up_to_digest_max_file)
{
	char cmd[256], line[128], want[64];
	FILE *p;
	int fd, i;

	srv_open();
	ck_assert_int_ne(fd = open("sparse", O_WRONLY | O_CREAT, 0644), -1);
	ck_assert_int_eq(ftruncate(fd, DIGEST_MAX_FILE), 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "md5sum %s/sparse", sv.s_dir);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	pclose(p);
	strlcpy(want, "F,", sizeof(want));
	for (i = 0; i < 16; i++)
		memcpy(want + 2 + 2 * i, line + 2 * ((i / 8) * 8 + 7 - i % 8),
		    2);
	want[34] = '\0';
	REPLY_IS(want, "vFile:MD5:%s", hex("sparse"));
	ck_assert_int_eq(truncate("sparse", DIGEST_MAX_FILE + 1), 0);
	REPLY_IS("F,x", "vFile:MD5:%s", hex("sparse"));
	srv_close();
}
END_TEST

START_TEST(vfile_symlink_unlink_open_flags)
{
	char target[64];
	const char *r;
	int i;

	srv_open();
	write_file("t", "x", 1, 0644);
	/* lldb's form, "F<errno>,<errno>", once lldb spoke (qHostInfo). */
	req("qHostInfo");
	REPLY_IS("F0,0", "vFile:symlink:%s,%s", hex("t"), hex("link"));
	ck_assert_int_eq(readlink("link", target, sizeof(target)), 1);
	REPLY_IS("F11,11", "vFile:symlink:%s,%s", hex("t"), hex("link"));
	REPLY_IS("F16,16", "vFile:symlink:%s", hex("t"));
	REPLY_IS("F16,16", "vFile:symlink:,%s", hex("l2"));
	/* O_NOFOLLOW (lldb's bit 29) refuses the link: ELOOP, unknown. */
	REPLY_IS("F-1,270f", "vFile:open:%s,20000000,0", hex("link"));
	REPLY_IS("F0", "vFile:open:%s,0,0", hex("link"));
	REPLY_IS("F0", "vFile:close:0");
	REPLY_IS("F0,0", "vFile:unlink:%s", hex("link"));
	REPLY_IS("F2,2", "vFile:unlink:%s", hex("link"));
	/* GDB_MAX_VFILE_FDS descriptors open, one more is EMFILE. */
	for (i = 0; i < GDB_MAX_VFILE_FDS; i++) {
		r = req("vFile:open:%s,0,0", hex("t"));
		ck_assert_msg(r[0] == 'F' && strtol(r + 1, NULL, 16) == i,
		    "open %d: %s", i, r);
	}
	REPLY_IS("F-1,18", "vFile:open:%s,0,0", hex("t"));
	/* A new client that is not lldb gets GDB's "F-1,errno". */
	rspc_close(sv.s_rc);
	{
		char addr[32];
		const char *hit = strstr(sv.s_err, LISTENING);

		snprintf(addr, sizeof(addr), "127.0.0.1:%d",
		    atoi(hit + strlen(LISTENING)));
		ck_assert_ptr_nonnull(sv.s_rc = rspc_connect(addr));
		ck_assert_int_eq(rspc_handshake(sv.s_rc, "multiprocess+"), 0);
	}
	REPLY_IS("F-1,2", "vFile:unlink:%s", hex("link"));
	REPLY_IS("F0", "vFile:unlink:%s", hex("t"));
	srv_close();
}
END_TEST

START_TEST(paths_at_and_past_gdb_max_path)
{
	char path[GDB_MAX_PATH * 2];

	srv_open();
	long_path(path, GDB_MAX_PATH - 1, sv.s_dir);
	write_file(path, "", 0, 0644);
	REPLY_IS("F,1", "vFile:exists:%s", hex(path));
	REPLY_IS("F0", "vFile:size:%s", hex(path));
	long_path(path, GDB_MAX_PATH, sv.s_dir);
	REPLY_IS("E24", "vFile:exists:%s", hex(path));
	REPLY_IS("E24", "vFile:size:%s", hex(path));
	REPLY_IS("F-1,5b", "vFile:mode:%s", hex(path));
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ processes */

/* Start a copy of sleep named name in our dir, with args; its pid. */
static pid_t
start_sleeper(const char *name, const char *arg)
{
	static char buf[1 << 16];
	char path[256];
	int in, out;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", sv.s_dir, name);
	if (access(path, X_OK) != 0) {
		ck_assert_int_ne(in = open("/bin/sleep", O_RDONLY), -1);
		ck_assert_int_ne(out = open(path, O_WRONLY | O_CREAT, 0755),
		    -1);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			ck_assert_int_eq(write(out, buf, n), n);
		close(in);
		close(out);
	}
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(path, path, "100", arg, (char *)NULL);
		_exit(127);
	}
	/* Until it has exec'd. */
	for (n = 0; n < 500; n++) {
		char exe[256], link[64];
		ssize_t k;

		snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
		if ((k = readlink(link, exe, sizeof(exe) - 1)) > 0 &&
		    (exe[k] = '\0', strcmp(exe, path) == 0))
			break;
		usleep(10000);
	}
	return pid;
}

START_TEST(process_list_filters)
{
	char want[1024], path[256];
	pid_t pid;

	srv_open();
	pid = start_sleeper("hopsleepQZ", "0");
	snprintf(path, sizeof(path), "%s/hopsleepQZ", sv.s_dir);
	snprintf(want, sizeof(want), "pid:%d;ppid:%d;uid:%u;gid:%u;euid:%u;"
	    "egid:%u;name:%s;args:%s-%s-%s;triple:%s;", (int)pid,
	    (int)getpid(), getuid(), getgid(), geteuid(), getegid(), hex(path),
	    hex(path), hex("100"), hex("0"), hex("x86_64-pc-linux-gnu"));
	REPLY_IS(want, "qfProcessInfo:name:%s;name_match:equals;",
	    hex("hopsleepQZ"));
	REPLY_IS("E03", "qsProcessInfo");
	REPLY_IS("E03", "qsProcessInfo");
	REPLY_IS(want, "qfProcessInfo:name_match:starts_with;name:%s;",
	    hex("hopsl"));
	REPLY_IS(want, "qfProcessInfo:name_match:ends_with;name:%s;",
	    hex("epQZ"));
	REPLY_IS(want, "qfProcessInfo:name_match:contains;name:%s;",
	    hex("sleepQ"));
	REPLY_IS(want, "qfProcessInfo:name_match:regex;name:%s;",
	    hex("^hop[a-z]+Q[A-Z]$"));
	REPLY_IS(want, "qfProcessInfo:pid:%d;", (int)pid);
	REPLY_IS(want, "qfProcessInfo:pid:0x%x;all_users:true;", (int)pid);
	REPLY_IS(want, "qfProcessInfo:pid:%d;parent_pid:%d;uid:%u;gid:%u;"
	    "euid:%u;egid:%u;all_users:0;triple:x86_64-pc-linux-gnu;",
	    (int)pid, (int)getpid(), getuid(), getgid(), geteuid(), getegid());
	REPLY_IS("E03", "qfProcessInfo:pid:%d;triple:aarch64-unknown-linux;",
	    (int)pid);
	REPLY_IS("E03", "qfProcessInfo:pid:%d;uid:%u;all_users:1;", (int)pid,
	    getuid() + 1);
	REPLY_IS("E03", "qfProcessInfo:pid:%d;parent_pid:1;", (int)pid);
	REPLY_IS("E03", "qfProcessInfo:name_match:equals;name:%s;",
	    hex("hopsleep"));
	REPLY_IS("E03", "qfProcessInfo:name_match:regex;name:%s;",
	    hex("^QZ"));
	/* Several: one per qsProcessInfo, then E03. */
	start_sleeper("hopsleepQZ", "1");
	REPLY_HAS("name:", "qfProcessInfo:name:%s;name_match:equals;",
	    hex("hopsleepQZ"));
	REPLY_HAS("name:", "qsProcessInfo");
	REPLY_IS("E03", "qsProcessInfo");
	/* Malformed filters. */
	REPLY_IS("E16", "qfProcessInfo:name_match:bogus;");
	REPLY_IS("E16", "qfProcessInfo:all_users:maybe;");
	REPLY_IS("E16", "qfProcessInfo:pid:abc;");
	REPLY_IS("E16", "qfProcessInfo:pid:-1;");
	REPLY_IS("E16", "qfProcessInfo:pid:4294967296;");
	REPLY_IS("E16", "qfProcessInfo:color:red;");
	REPLY_IS("E16", "qfProcessInfo:pid;");
	REPLY_IS("E16", "qfProcessInfo:name:zz;");
	REPLY_IS("E16", "qfProcessInfo:name:%s;name_match:regex;", hex("(["));
	REPLY_IS("E16", "qfProcessInfoX");
	srv_close();
}
END_TEST

START_TEST(process_name_filter_limit)
{
	static char name[PLAT_MAX_NAME + 1];

	srv_open();
	memset(name, 'n', PLAT_MAX_NAME - 1);
	REPLY_IS("E03", "qfProcessInfo:name:%s;name_match:equals;", hex(name));
	name[PLAT_MAX_NAME - 1] = 'n';
	REPLY_IS("E16", "qfProcessInfo:name:%s;name_match:equals;", hex(name));
	srv_close();
}
END_TEST

START_TEST(process_list_skips_zombies_and_us)
{
	char stat[256], path[64];
	pid_t z;
	FILE *f;
	int i;

	srv_open();
	ck_assert_int_ne(z = fork(), -1);
	if (z == 0)
		_exit(0);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)z);
	for (i = 0; i < 500; i++) {
		if ((f = fopen(path, "r")) != NULL) {
			ck_assert_ptr_nonnull(fgets(stat, sizeof(stat), f));
			fclose(f);
			if (strstr(stat, ") Z ") != NULL)
				break;
		}
		usleep(10000);
	}
	REPLY_IS("E03", "qfProcessInfo:pid:%d;", (int)z);
	REPLY_HAS("pid:", "qProcessInfoPID:%d", (int)z);
	REPLY_IS("E03", "qfProcessInfo:pid:%d;", (int)sv.s_pid);
	waitpid(z, NULL, 0);
	srv_close();
}
END_TEST

START_TEST(process_info_pid_and_args_limit)
{
	static char arg[PLAT_MAX_ARGS];
	char path[256], want[256];
	size_t fixed;
	pid_t pid;

	srv_open();
	snprintf(path, sizeof(path), "%s/hopargs", sv.s_dir);
	/* cmdline: path NUL "100" NUL arg NUL, PLAT_MAX_ARGS bytes in all. */
	fixed = strlen(path) + 1 + 4;
	memset(arg, '0', PLAT_MAX_ARGS - fixed - 1);
	pid = start_sleeper("hopargs", arg);
	snprintf(want, sizeof(want), "args:%s-%s-3030", hex(path),
	    hex("100"));
	REPLY_HAS(want, "qProcessInfoPID:%d", (int)pid);
	arg[PLAT_MAX_ARGS - fixed - 1] = '0';
	pid = start_sleeper("hopargs", arg);
	snprintf(want, sizeof(want), "args:%s-%s;", hex(path), hex("100"));
	REPLY_HAS(want, "qProcessInfoPID:%d", (int)pid);
	REPLY_IS("E03", "qProcessInfoPID:2147483647");
	REPLY_IS("E16", "qProcessInfoPID:2147483648");
	REPLY_IS("E16", "qProcessInfoPID:0");
	REPLY_IS("E16", "qProcessInfoPID:");
	REPLY_IS("E16", "qProcessInfoPID:12x");
	REPLY_IS("E16", "qProcessInfoPID:-1");
	srv_close();
}
END_TEST

START_TEST(user_and_group_names)
{
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());
	char name[64];

	srv_open();
	ck_assert_ptr_nonnull(pw);
	ck_assert_ptr_nonnull(gr);
	strlcpy(name, pw->pw_name, sizeof(name));
	REPLY_IS(hex(name), "qUserName:%u", getuid());
	strlcpy(name, gr->gr_name, sizeof(name));
	REPLY_IS(hex(name), "qGroupName:%u", getgid());
	REPLY_IS("E02", "qUserName:3999999999");
	REPLY_IS("E02", "qGroupName:3999999999");
	REPLY_IS("E16", "qUserName:4294967295");
	REPLY_IS("E16", "qUserName:-1");
	REPLY_IS("E16", "qUserName:");
	REPLY_IS("E16", "qGroupName:0x0");
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ modules */

struct elfspec {
	uint16_t	 machine;
	size_t		 nph;		/* program headers, the last PT_NOTE */
	size_t		 pad;		/* bytes of a filler note before */
	size_t		 idlen;		/* bytes of build id, 0: no note */
	off_t		 size;		/* file size (sparse), 0: as written */
};

/* An ELF64 file as spec says; its build id is bytes 1, 2, 3, ... */
static void
write_elf(const char *path, const struct elfspec *es)
{
	static uint8_t buf[1 << 20];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	Elf64_Nhdr nh;
	size_t off = sizeof(*eh) + es->nph * sizeof(*ph), start = off, i;
	int fd;

	memset(buf, 0, sizeof(buf));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = es->machine;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = (uint16_t)es->nph;
	if (es->pad > 0) {
		nh.n_namesz = 4;
		nh.n_descsz = (uint32_t)(es->pad - 16);
		nh.n_type = 1;
		memcpy(buf + off, &nh, sizeof(nh));
		memcpy(buf + off + sizeof(nh), "Pad", 4);
		off += es->pad;
	}
	if (es->idlen > 0) {
		nh.n_namesz = 4;
		nh.n_descsz = (uint32_t)es->idlen;
		nh.n_type = NT_GNU_BUILD_ID;
		memcpy(buf + off, &nh, sizeof(nh));
		memcpy(buf + off + sizeof(nh), "GNU", 4);
		for (i = 0; i < es->idlen; i++)
			buf[off + 16 + i] = (uint8_t)(i + 1);
		off += 16 + ((es->idlen + 3) & ~(size_t)3);
	}
	if (es->nph > 0) {
		ph[es->nph - 1].p_type = PT_NOTE;
		ph[es->nph - 1].p_offset = start;
		ph[es->nph - 1].p_filesz = off - start;
		ph[es->nph - 1].p_align = 4;
	}
	ck_assert_uint_le(off, sizeof(buf));
	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644),
	    -1);
	ck_assert_int_eq(write(fd, buf, off), (ssize_t)off);
	if (es->size > 0)
		ck_assert_int_eq(ftruncate(fd, es->size), 0);
	close(fd);
}

static const char *
id_hex(size_t n)
{
	static char b[2 * 256 + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(b + 2 * i, 3, "%02X", (unsigned)(i + 1));
	b[2 * n] = '\0';
	return b;
}

/* The UUID lldb gives a file without a build id: its CRC-32, LE. */
static const char *
crc_uuid(const char *path)
{
	static char b[16];
	uint32_t crc;

	ck_assert_int_eq(digest_crc32_file(path, &crc), 0);
	snprintf(b, sizeof(b), "%02X%02X%02X%02X", crc & 0xff,
	    (crc >> 8) & 0xff, (crc >> 16) & 0xff, crc >> 24);
	return b;
}

static const char *
module_reply(const char *path, const char *uuid, off_t size)
{
	static char b[4096];
	char abs[512];

	snprintf(abs, sizeof(abs), "%s/%s", sv.s_dir, path);
	snprintf(b, sizeof(b), "uuid:%s;triple:%s;file_path:%s;"
	    "file_offset:0000000000000000;file_size:%016llx;", hex(uuid),
	    hex("x86_64--linux"), hex(abs), (unsigned long long)size);
	return b;
}

START_TEST(crc32_known_answer)
{
	ck_assert_uint_eq(crc32_update(0, "123456789", 9), 0xcbf43926);
}
END_TEST

START_TEST(module_info_from_the_build_id)
{
	struct elfspec es = { EM_X86_64, 3, 0, 20, 0 };
	struct stat st;

	srv_open();
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(sv.s_dir));
	write_elf("m.so", &es);
	ck_assert_int_eq(stat("m.so", &st), 0);
	REPLY_IS(module_reply("m.so", id_hex(20), st.st_size),
	    "qModuleInfo:%s;%s", hex("m.so"), hex("x86_64-pc-linux-gnu"));
	REPLY_IS(module_reply("m.so", id_hex(20), st.st_size),
	    "qModuleInfo:%s;", hex("m.so"));
	REPLY_IS("E08", "qModuleInfo:%s;%s", hex("m.so"),
	    hex("aarch64-unknown-linux-gnu"));
	REPLY_IS("E08", "qModuleInfo:%s;%s", hex("m.so"),
	    hex("i686-pc-linux-gnu"));
	es.machine = EM_386;
	write_elf("i.so", &es);
	REPLY_HAS(hex("i386--linux"), "qModuleInfo:%s;%s", hex("i.so"),
	    hex("i686-pc-linux-gnu"));
	/* No build id: lldb's own UUID, the CRC-32 of the file. */
	es.machine = EM_X86_64;
	es.idlen = 0;
	write_elf("noid.so", &es);
	ck_assert_int_eq(stat("noid.so", &st), 0);
	REPLY_IS(module_reply("noid.so", crc_uuid("noid.so"), st.st_size),
	    "qModuleInfo:%s;", hex("noid.so"));
	write_file("text", "not elf", 7, 0644);
	REPLY_IS("E08", "qModuleInfo:%s;", hex("text"));
	REPLY_IS("E02", "qModuleInfo:%s;", hex("nonexistent"));
	REPLY_IS("E15", "qModuleInfo:%s;", hex("."));
	REPLY_IS("E16", "qModuleInfo:%s", hex("m.so"));
	REPLY_IS("E16", "qModuleInfo:;");
	REPLY_IS("E16", "qModuleInfo:6;");
	REPLY_IS("E16", "qModuleInfo:%s;6", hex("m.so"));
	srv_close();
}
END_TEST

START_TEST(module_limits)
{
	struct elfspec es = { EM_X86_64, ELF_MAX_PHDRS, 0, 20, 0 };
	struct stat st;
	int fd;

	srv_open();
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(sv.s_dir));
	/* ELF_MAX_PHDRS program headers are read, one more is refused. */
	write_elf("ph.so", &es);
	REPLY_HAS(hex(id_hex(20)), "qModuleInfo:%s;", hex("ph.so"));
	es.nph = ELF_MAX_PHDRS + 1;
	write_elf("ph.so", &es);
	REPLY_IS("E08", "qModuleInfo:%s;", hex("ph.so"));
	/* A build id of ELF_MAX_BUILD_ID bytes; past it, the CRC. */
	es.nph = 2;
	es.idlen = ELF_MAX_BUILD_ID;
	write_elf("id.so", &es);
	REPLY_HAS(hex(id_hex(ELF_MAX_BUILD_ID)), "qModuleInfo:%s;",
	    hex("id.so"));
	es.idlen = ELF_MAX_BUILD_ID + 1;
	write_elf("id.so", &es);
	ck_assert_int_eq(stat("id.so", &st), 0);
	REPLY_IS(module_reply("id.so", crc_uuid("id.so"), st.st_size),
	    "qModuleInfo:%s;", hex("id.so"));
	/* A note ending at ELF_MAX_NOTES bytes is found, past it not. */
	es.idlen = 20;
	es.pad = ELF_MAX_NOTES - 36;
	write_elf("notes.so", &es);
	REPLY_HAS(hex(id_hex(20)), "qModuleInfo:%s;", hex("notes.so"));
	es.pad += 4;
	write_elf("notes.so", &es);
	ck_assert_int_eq(stat("notes.so", &st), 0);
	REPLY_IS(module_reply("notes.so", crc_uuid("notes.so"), st.st_size),
	    "qModuleInfo:%s;", hex("notes.so"));
	/* Without a build id, files up to DIGEST_MAX_FILE get a CRC. */
	es.pad = 0;
	es.idlen = 0;
	es.size = DIGEST_MAX_FILE;
	write_elf("huge.so", &es);
	REPLY_IS(module_reply("huge.so", crc_uuid("huge.so"), es.size),
	    "qModuleInfo:%s;", hex("huge.so"));
	ck_assert_int_ne(fd = open("huge.so", O_WRONLY), -1);
	ck_assert_int_eq(ftruncate(fd, DIGEST_MAX_FILE + 1), 0);
	close(fd);
	REPLY_IS("E1b", "qModuleInfo:%s;", hex("huge.so"));
	srv_close();
}
END_TEST

START_TEST(modules_info_json)
{
	struct elfspec es = { EM_X86_64, 2, 0, 20, 0 };
	char want[2048], abs[256];
	struct stat st;

	srv_open();
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(sv.s_dir));
	write_elf("a.so", &es);
	ck_assert_int_eq(stat("a.so", &st), 0);
	snprintf(abs, sizeof(abs), "%s/a.so", sv.s_dir);
	snprintf(want, sizeof(want), "[{\"file_offset\":0,\"file_path\":"
	    "\"%s\",\"file_size\":%lld,\"triple\":\"x86_64--linux\","
	    "\"uuid\":\"%s\"}]", abs, (long long)st.st_size, id_hex(20));
	REPLY_IS(want, "jModulesInfo:[{\"file\":\"%s\",\"triple\":"
	    "\"x86_64-pc-linux-gnu\"}]", abs);
	/* Entries we cannot describe, and non-objects, are left out. */
	REPLY_IS(want, "jModulesInfo: [ {\"file\":\"/no/such\",\"triple\":\"\"}"
	    ", 5, \"s\", {\"triple\":\"\"}, {\"file\":\"a.so\",\"x\":{\"y\":"
	    "[1,-2.5e3,true,false,null,{}]},\"triple\":\"\"} ,"
	    "{\"file\":\"a.so\",\"triple\":\"arm64-apple-ios\"} ]");
	/* JSON escapes in the request: \/ and \u0061. */
	{
		char esc[512];
		size_t i, n = 0;

		for (i = 0; abs[i] != '\0' && n + 8 < sizeof(esc); i++) {
			if (abs[i] == '/')
				n += (size_t)snprintf(esc + n, 8, "\\/");
			else if (abs[i] == 'a')
				n += (size_t)snprintf(esc + n, 8, "\\u0061");
			else
				esc[n++] = abs[i];
		}
		esc[n] = '\0';
		REPLY_IS(want, "jModulesInfo:[{\"file\":\"%s\",\"triple\":"
		    "\"\"}]", esc);
	}
	REPLY_IS("[]", "jModulesInfo:[]");
	REPLY_IS("E16", "jModulesInfo:{}");
	REPLY_IS("E16", "jModulesInfo:[");
	REPLY_IS("E16", "jModulesInfo:[{\"file\":\"a.so\"]");
	REPLY_IS("E16", "jModulesInfo:[] x");
	REPLY_IS("E16", "jModulesInfo:[{\"file\":\"a\\qb\",\"triple\":\"\"}]");
	REPLY_IS("E16", "jModulesInfo:[{\"file\":\"a\\u0000\","
	    "\"triple\":\"\"}]");
	REPLY_IS("E16", "jModulesInfo:[{\"file\":\"a.so\",\"triple\":\"\","
	    "\"x\":tru}]");
	srv_close();
}
END_TEST

START_TEST(modules_info_limits)
{
	static char pkt[RSP_MAX_PACKET];
	struct elfspec es = { EM_X86_64, 2, 0, 20, 0 };
	char nest[64];
	const char *r;
	size_t n, i;
	int d;

	srv_open();
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(sv.s_dir));
	write_elf("a.so", &es);
	/* MOD_MAX_MODULES entries are answered, one more is E2BIG. */
	n = (size_t)snprintf(pkt, sizeof(pkt), "jModulesInfo:[");
	for (i = 0; i < MOD_MAX_MODULES; i++)
		n += (size_t)snprintf(pkt + n, sizeof(pkt) - n,
		    "%s{\"file\":\"a.so\",\"triple\":\"\"}", i > 0 ? "," : "");
	snprintf(pkt + n, sizeof(pkt) - n, "]");
	r = req("%s", pkt);
	for (i = 0; (r = strstr(r, "\"uuid\"")) != NULL; i++)
		r++;
	ck_assert_uint_eq(i, MOD_MAX_MODULES);
	snprintf(pkt + n, sizeof(pkt) - n, ",{}]");
	REPLY_IS("E07", "%s", pkt);
	/*
	 * Containers MOD_MAX_DEPTH deep (the array 1, an entry 2, its
	 * values 3...) are skipped, deeper refused.
	 */
	for (d = MOD_MAX_DEPTH - 2; d <= MOD_MAX_DEPTH - 1; d++) {
		memset(nest, '[', (size_t)d);
		memset(nest + d, ']', (size_t)d);
		nest[2 * d] = '\0';
		r = req("jModulesInfo:[{\"x\":%s,\"file\":\"a.so\","
		    "\"triple\":\"\"}]", nest);
		if (d == MOD_MAX_DEPTH - 2)
			ck_assert_msg(strstr(r, "uuid") != NULL, "%s", r);
		else
			ck_assert_str_eq(r, "E16");
	}
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ completion */

START_TEST(path_completion)
{
	char want[2048], dir[256], path[512];
	int i;

	srv_open();
	snprintf(dir, sizeof(dir), "%s/c", sv.s_dir);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	write_file("c/a2", "", 0, 0644);
	write_file("c/a1", "", 0, 0644);
	write_file("c/b", "", 0, 0644);
	ck_assert_int_eq(mkdir("c/adir", 0755), 0);
	ck_assert_int_eq(symlink("adir", "c/alink"), 0);
	ck_assert_int_eq(symlink("nowhere", "c/adangling"), 0);
	{
		char a1[300], a2[300], ad[300], al[300];

		snprintf(a1, sizeof(a1), "%s/a1", dir);
		snprintf(a2, sizeof(a2), "%s/a2", dir);
		snprintf(ad, sizeof(ad), "%s/adir/", dir);
		snprintf(al, sizeof(al), "%s/alink/", dir);
		snprintf(want, sizeof(want), "M%s,", hex(a1));
		strlcat(want, hex(a2), sizeof(want));
		strlcat(want, ",", sizeof(want));
		strlcat(want, hex(ad), sizeof(want));
		strlcat(want, ",", sizeof(want));
		strlcat(want, hex(al), sizeof(want));
		snprintf(path, sizeof(path), "%s/a", dir);
		REPLY_IS(want, "qPathComplete:0,%s", hex(path));
		snprintf(want, sizeof(want), "M%s,", hex(ad));
		strlcat(want, hex(al), sizeof(want));
		REPLY_IS(want, "qPathComplete:1,%s", hex(path));
	}
	/* Relative: from the working directory, in the form typed. */
	REPLY_IS("OK", "QSetWorkingDir:%s", hex(sv.s_dir));
	snprintf(want, sizeof(want), "M%s", hex("c/b"));
	REPLY_IS(want, "qPathComplete:0,%s", hex("c/b"));
	REPLY_IS("M", "qPathComplete:0,%s", hex("c/zz"));
	REPLY_IS("M", "qPathComplete:0,%s", hex("/no/such/dir/x"));
	REPLY_IS("M7e2f", "qPathComplete:1,%s", hex("~"));
	REPLY_IS("E16", "qPathComplete:0");
	REPLY_IS("E16", "qPathComplete:2,%s", hex("a"));
	REPLY_IS("E16", "qPathComplete:0,6");
	/* PLAT_MAX_COMPLETIONS names are sent, no more. */
	ck_assert_int_eq(mkdir("many", 0755), 0);
	for (i = 0; i < PLAT_MAX_COMPLETIONS + 1; i++) {
		snprintf(path, sizeof(path), "many/f%03d", i);
		write_file(path, "", 0, 0644);
		if (i == PLAT_MAX_COMPLETIONS - 1) {
			const char *r = req("qPathComplete:0,%s",
			    hex("many/f"));
			ck_assert_uint_eq(strlen(r), 1 + PLAT_MAX_COMPLETIONS *
			    (2 * 9 + 1) - 1);
		}
	}
	{
		const char *r = req("qPathComplete:0,%s", hex("many/f"));

		ck_assert_uint_eq(strlen(r), 1 + PLAT_MAX_COMPLETIONS *
		    (2 * 9 + 1) - 1);
	}
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ errors */

START_TEST(error_strings_after_qenableerrorstrings)
{
	const char *r;

	srv_open();
	REPLY_IS("OK", "QEnableErrorStrings");
	r = req("qPlatform_mkdir:zz");
	ck_assert_msg(strncmp(r, "E16;", 4) == 0 && strcmp(r + 4,
	    hex("expected MODE,HEXPATH")) == 0, "%s", r);
	r = req("qfProcessInfo:name_match:bogus;");
	ck_assert_msg(strcmp(r + 4, hex("bad process filter")) == 0, "%s", r);
	srv_close();
}
END_TEST

/* ------------------------------------------------------------ suite */

static Suite *
platform_suite(void)
{
	Suite *s = suite_create("platform");

	ck_add(s, "qGetWorkingDir: ours, then QSetWorkingDir's",
	    get_working_dir_is_ours_then_the_one_set, 30, NULL);
	ck_add(s, "qPlatform_mkdir and chmod answer errno",
	    mkdir_and_chmod_answer_errno, 30, NULL);
	ck_add(s, "qPlatform_shell: status, signal, output",
	    shell_reports_status_signal_and_output, 30, NULL);
	ck_add(s, "qPlatform_shell: command and output limits",
	    shell_command_and_output_limits, 30, NULL);
	ck_add(s, "qPlatform_shell: the timeout kills the command",
	    shell_timeout_kills_the_command, 60, NULL);
	ck_add(s, "vFile: size, mode, exists, MD5, pread limit",
	    vfile_size_mode_exists_md5, 30, NULL);
	ck_add(s, "vFile: pwrite, fstat, readlink, setfs",
	    vfile_fstat_pwrite_readlink_setfs, 30, NULL);
	ck_add(s, "vFile:setfs paths stay inside the process's root",
	    vfile_setfs_paths_stay_inside_the_root, 30, NULL);
	ck_add(s, "vFile:MD5 up to DIGEST_MAX_FILE",
	    vfile_md5_up_to_digest_max_file, 60, NULL);
	ck_add(s, "vFile: symlink, unlink, open flags, descriptors",
	    vfile_symlink_unlink_open_flags, 30, NULL);
	ck_add(s, "paths at and past GDB_MAX_PATH",
	    paths_at_and_past_gdb_max_path, 30, NULL);
	ck_add(s, "qfProcessInfo filters", process_list_filters, 30, NULL);
	ck_add(s, "qfProcessInfo name at and past PLAT_MAX_NAME",
	    process_name_filter_limit, 30, NULL);
	ck_add(s, "qfProcessInfo skips zombies and the server",
	    process_list_skips_zombies_and_us, 30, NULL);
	ck_add(s, "qProcessInfoPID and PLAT_MAX_ARGS",
	    process_info_pid_and_args_limit, 30, NULL);
	ck_add(s, "qUserName and qGroupName", user_and_group_names, 30, NULL);
	ck_add(s, "CRC-32 known answer", crc32_known_answer, 5, NULL);
	ck_add(s, "qModuleInfo from the build id",
	    module_info_from_the_build_id, 30, NULL);
	ck_add(s, "qModuleInfo limits", module_limits, 60, NULL);
	ck_add(s, "jModulesInfo JSON", modules_info_json, 30, NULL);
	ck_add(s, "jModulesInfo limits", modules_info_limits, 30, NULL);
	ck_add(s, "qPathComplete", path_completion, 30, NULL);
	ck_add(s, "error strings after QEnableErrorStrings",
	    error_strings_after_qenableerrorstrings, 30, NULL);
	return s;
}

int
main(void)
{
	return ck_run(platform_suite());
}
