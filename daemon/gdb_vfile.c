/*
 * gdb_vfile.c -- host I/O (vFile:), so the client can read the program
 * and its libraries over the connection.
 *
 * Descriptors the client sees are indexes into a small table of ours,
 * never our own descriptors: a client cannot close our socket.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/openat2.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/digest.h"

#define VFILE_MAX_IO		(RSP_MAX_PACKET / 2 - 32) /* bytes a pread */

/* GDB's File-I/O flag and errno values (the protocol's, not Linux's). */
#define FILEIO_O_WRONLY		0x1
#define FILEIO_O_RDWR		0x2
#define FILEIO_O_APPEND		0x8
#define FILEIO_O_CREAT		0x200
#define FILEIO_O_TRUNC		0x400
#define FILEIO_O_EXCL		0x800
/* lldb's File::OpenOptions past GDB's. */
#define LLDB_O_NONBLOCK		(1u << 28)
#define LLDB_O_NOFOLLOW		(1u << 29)
#define FILEIO_ENAMETOOLONG	91
#define FILEIO_EUNKNOWN		9999

static int
fileio_errno(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EBADF: case EACCES:
	case EFAULT: case EBUSY: case EEXIST: case ENODEV: case ENOTDIR:
	case EISDIR: case EINVAL: case ENFILE: case EMFILE: case EFBIG:
	case ENOSPC: case ESPIPE: case EROFS:
		return e;	/* the same numbers on Linux */
	case ENAMETOOLONG:
		return FILEIO_ENAMETOOLONG;
	default:
		return FILEIO_EUNKNOWN;
	}
}

void
close_keep_errno(int fd)
{
	int e = errno;

	close(fd);
	errno = e;
}

static void
vfile_fail(struct gsess *s, int e)
{
	gdb_replyf(s, "F-1,%x", fileio_errno(e));
}

/*
 * A path as the client means it: relative paths from the working
 * directory QSetWorkingDir named (a platform's cwd, as lldb-server
 * chdirs).  Where it leads is for gdb_host_open to find.
 */
int
gdb_host_resolve(struct gsess *s, const char *raw, char *path, size_t cap)
{
	if (raw[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	if (raw[0] != '/' && s->s_cwd != NULL) {
		if ((size_t)snprintf(path, cap, "%s/%s", s->s_cwd, raw) >= cap)
			goto toolong;
	} else if (strlcpy(path, raw, cap) >= cap)
		goto toolong;
	if (strlen(path) >= GDB_MAX_PATH)
		goto toolong;
	return 0;
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

/*
 * After vFile:setfs PID every path is walked inside that process's root,
 * as the process itself would walk it: ".." and absolute symlinks stop at
 * its root (openat2's RESOLVE_IN_ROOT), where /proc/PID/root/PATH would
 * let them climb out to ours, and no /proc magic link leads out either.
 */
int
gdb_host_open(struct gsess *s, const char *path, int flags, mode_t mode)
{
	struct open_how how;
	char root[64];
	int dirfd = AT_FDCWD, fd;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)flags | O_CLOEXEC;
	if (flags & O_CREAT)
		how.mode = mode;
	if (s->s_vfs_pid != 0) {
		snprintf(root, sizeof(root), "/proc/%d/root", (int)s->s_vfs_pid);
		if ((dirfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
		    -1)
			return -1;
		how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	}
	fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (dirfd != AT_FDCWD)
		close_keep_errno(dirfd);
	return fd;
}

int
gdb_host_parent(struct gsess *s, const char *path, char *base, size_t cap)
{
	char dir[GDB_MAX_PATH];
	size_t n = strlen(path);
	const char *slash;

	while (n > 1 && path[n - 1] == '/')	/* "a/b/" is "a/b" */
		n--;
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL) {
		if (strlcpy(base, dir, cap) >= cap)
			goto toolong;
		return gdb_host_open(s, ".", O_PATH | O_DIRECTORY, 0);
	}
	if (slash[1] == '\0') {	/* "/" has no last component */
		errno = EINVAL;
		return -1;
	}
	if (strlcpy(base, slash + 1, cap) >= cap)
		goto toolong;
	dir[slash == dir ? 1 : slash - dir] = '\0';
	return gdb_host_open(s, dir, O_PATH | O_DIRECTORY, 0);
toolong:
	errno = ENAMETOOLONG;
	return -1;
}

int
gdb_host_stat(struct gsess *s, const char *path, struct stat *st)
{
	int fd, rc;

	if ((fd = gdb_host_open(s, path, O_PATH, 0)) == -1)
		return -1;
	rc = fstat(fd, st);
	close_keep_errno(fd);
	return rc;
}

void
gdb_fd_path(int fd, char buf[GDB_FD_PATH_MAX])
{
	snprintf(buf, GDB_FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int
gdb_host_path(struct gsess *s, struct rsp_cursor *c, char sep, char *path,
    size_t cap)
{
	char raw[GDB_MAX_PATH];
	const char *end = memchr(c->c_p, sep, rsp_cursor_left(c));
	size_t n;

	if ((size_t)((end != NULL ? end : c->c_end) - c->c_p) / 2 >=
	    sizeof(raw)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (rsp_get_hexbytes(c, sep, raw, sizeof(raw) - 1, &n) == -1 ||
	    memchr(raw, '\0', n) != NULL) {
		errno = EINVAL;
		return -1;
	}
	raw[n] = '\0';
	return gdb_host_resolve(s, raw, path, cap);
}

static int
vfile_fd(struct gsess *s, struct rsp_cursor *c, char sep)
{
	uint64_t fd;

	if (rsp_get_hex(c, &fd) == -1 || fd >= GDB_MAX_VFILE_FDS ||
	    s->s_vfds[fd] == -1 ||
	    (sep != '\0' && rsp_get_char(c, sep) == -1))
		return -1;
	return (int)fd;
}

static void
vfile_open(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH];
	uint64_t fl, mode;
	int flags = O_CLOEXEC | O_NOCTTY, i, fd;

	if (gdb_host_path(s, c, ',', path, sizeof(path)) == -1) {
		vfile_fail(s, errno);
		return;
	}
	if (rsp_get_hex(c, &fl) == -1 || rsp_get_char(c, ',') == -1 ||
	    rsp_get_hex(c, &mode) == -1) {
		vfile_fail(s, EINVAL);
		return;
	}
	if (fl & FILEIO_O_RDWR)
		flags |= O_RDWR;
	else if (fl & FILEIO_O_WRONLY)
		flags |= O_WRONLY;
	if (fl & FILEIO_O_APPEND)
		flags |= O_APPEND;
	if (fl & FILEIO_O_CREAT)
		flags |= O_CREAT;
	if (fl & FILEIO_O_TRUNC)
		flags |= O_TRUNC;
	if (fl & FILEIO_O_EXCL)
		flags |= O_EXCL;
	if (fl & LLDB_O_NONBLOCK)
		flags |= O_NONBLOCK;
	if (fl & LLDB_O_NOFOLLOW)
		flags |= O_NOFOLLOW;
	for (i = 0; i < GDB_MAX_VFILE_FDS && s->s_vfds[i] != -1; i++)
		;
	if (i == GDB_MAX_VFILE_FDS) {
		vfile_fail(s, EMFILE);
		return;
	}
	if ((fd = gdb_host_open(s, path, flags, (mode_t)(mode & 0777))) ==
	    -1) {
		vfile_fail(s, errno);
		return;
	}
	s->s_vfds[i] = fd;
	gdb_replyf(s, "F%x", i);
}

static void
vfile_close(struct gsess *s, struct rsp_cursor *c)
{
	int i = vfile_fd(s, c, '\0');

	if (i == -1) {
		vfile_fail(s, EBADF);
		return;
	}
	close(s->s_vfds[i]);
	s->s_vfds[i] = -1;
	gdb_reply(s, "F0");
}

static void
vfile_pread(struct gsess *s, struct rsp_cursor *c)
{
	static char buf[VFILE_MAX_IO];
	uint64_t count, off;
	ssize_t n;
	int i;

	if ((i = vfile_fd(s, c, ',')) == -1) {
		vfile_fail(s, EBADF);
		return;
	}
	if (rsp_get_hex(c, &count) == -1 || rsp_get_char(c, ',') == -1 ||
	    rsp_get_hex(c, &off) == -1 || off > INT64_MAX) {
		vfile_fail(s, EINVAL);
		return;
	}
	if (count > sizeof(buf))
		count = sizeof(buf);
	if ((n = pread(s->s_vfds[i], buf, count, (off_t)off)) == -1) {
		vfile_fail(s, errno);
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addf(&s->s_reply, "F%zx;", (size_t)n);
	rsp_buf_addbin(&s->s_reply, buf, n);
	gdb_reply_buf(s);
}

static void
vfile_pwrite(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t off;
	ssize_t n;
	int i;

	if ((i = vfile_fd(s, c, ',')) == -1) {
		vfile_fail(s, EBADF);
		return;
	}
	if (rsp_get_hex(c, &off) == -1 || rsp_get_char(c, ',') == -1 ||
	    off > INT64_MAX) {
		vfile_fail(s, EINVAL);
		return;
	}
	n = pwrite(s->s_vfds[i], c->c_p, rsp_cursor_left(c), (off_t)off);
	if (n == -1)
		vfile_fail(s, errno);
	else
		gdb_replyf(s, "F%zx", (size_t)n);
}

/* struct stat as GDB's File-I/O has it: big-endian, fixed sizes. */
struct fio_stat {
	uint32_t	st_dev, st_ino, st_mode, st_nlink, st_uid, st_gid;
	uint32_t	st_rdev;
	uint64_t	st_size, st_blksize, st_blocks;
	uint32_t	st_atime_, st_mtime_, st_ctime_;
} __attribute__((packed));

static void
vfile_fstat(struct gsess *s, struct rsp_cursor *c)
{
	struct fio_stat fs;
	struct stat st;
	int i;

	if ((i = vfile_fd(s, c, '\0')) == -1) {
		vfile_fail(s, EBADF);
		return;
	}
	if (fstat(s->s_vfds[i], &st) == -1) {
		vfile_fail(s, errno);
		return;
	}
	fs.st_dev = htobe32((uint32_t)st.st_dev);
	fs.st_ino = htobe32((uint32_t)st.st_ino);
	fs.st_mode = htobe32(st.st_mode);
	fs.st_nlink = htobe32((uint32_t)st.st_nlink);
	fs.st_uid = htobe32(st.st_uid);
	fs.st_gid = htobe32(st.st_gid);
	fs.st_rdev = htobe32((uint32_t)st.st_rdev);
	fs.st_size = htobe64((uint64_t)st.st_size);
	fs.st_blksize = htobe64((uint64_t)st.st_blksize);
	fs.st_blocks = htobe64((uint64_t)st.st_blocks);
	fs.st_atime_ = htobe32((uint32_t)st.st_atime);
	fs.st_mtime_ = htobe32((uint32_t)st.st_mtime);
	fs.st_ctime_ = htobe32((uint32_t)st.st_ctime);
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addf(&s->s_reply, "F%zx;", sizeof(fs));
	rsp_buf_addbin(&s->s_reply, &fs, sizeof(fs));
	gdb_reply_buf(s);
}

/*
 * lldb reads "F<errno>,<errno>" (0 on success) where GDB reads
 * "F-1,<errno>": lldb takes the "-1" for 0, success.
 */
static void
vfile_lldb_result(struct gsess *s, int rc)
{
	int e = rc == -1 ? fileio_errno(errno) : 0;

	gdb_replyf(s, "F%x,%x", e, e);
}

static void
vfile_unlink(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH], base[GDB_MAX_PATH];
	int rc, dirfd;

	if ((rc = gdb_host_path(s, c, '\0', path, sizeof(path))) == 0 &&
	    (rc = dirfd = gdb_host_parent(s, path, base, sizeof(base))) != -1) {
		rc = unlinkat(dirfd, base, 0);
		close_keep_errno(dirfd);
	}
	if (s->s_lldb)
		vfile_lldb_result(s, rc);
	else if (rc == -1)
		vfile_fail(s, errno);
	else
		gdb_reply(s, "F0");
}

/* vFile:symlink:HEXTARGET,HEXLINK (lldb; the order of symlink(2)). */
static void
vfile_symlink(struct gsess *s, struct rsp_cursor *c)
{
	char target[GDB_MAX_PATH], link[GDB_MAX_PATH], base[GDB_MAX_PATH];
	const char *comma = memchr(c->c_p, ',', rsp_cursor_left(c));
	size_t n;
	int rc = -1, dirfd;

	if (comma == NULL)
		errno = EINVAL;
	else if ((size_t)(comma - c->c_p) / 2 >= sizeof(target))
		errno = ENAMETOOLONG;
	else if (rsp_get_hexbytes(c, ',', target, sizeof(target) - 1,
	    &n) == -1 || n == 0 || memchr(target, '\0', n) != NULL)
		errno = EINVAL;
	else {
		target[n] = '\0';
		if (gdb_host_path(s, c, '\0', link, sizeof(link)) == 0 &&
		    (dirfd = gdb_host_parent(s, link, base, sizeof(base))) !=
		    -1) {
			rc = symlinkat(target, dirfd, base);
			close_keep_errno(dirfd);
		}
	}
	vfile_lldb_result(s, rc);
}

/* vFile:size:HEXPATH (lldb): "F" and the size in hex, or an error. */
static void
vfile_size(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH];
	struct stat st;

	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == -1 ||
	    gdb_host_stat(s, path, &st) == -1) {
		gdb_error(s, errno, "cannot get the file's size");
		return;
	}
	gdb_replyf(s, "F%llx", (unsigned long long)st.st_size);
}

/* vFile:mode:HEXPATH (lldb): the permission bits. */
static void
vfile_mode(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH];
	struct stat st;

	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == -1 ||
	    gdb_host_stat(s, path, &st) == -1) {
		vfile_fail(s, errno);
		return;
	}
	gdb_replyf(s, "F%x", (unsigned)(st.st_mode & 07777));
}

/* vFile:exists:HEXPATH (lldb): "F,1" or "F,0". */
static void
vfile_exists(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH];
	struct stat st;

	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == -1) {
		gdb_error(s, errno, "bad path");
		return;
	}
	gdb_reply(s, gdb_host_stat(s, path, &st) == 0 ? "F,1" : "F,0");
}

/*
 * vFile:MD5:HEXPATH (lldb): "F," and 32 hex digits, "F,x" on failure.
 * lldb-server prints the digest as two 64-bit numbers read
 * little-endian from its halves, so each half's bytes come reversed.
 */
static void
vfile_md5(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH], hex[33], fdpath[GDB_FD_PATH_MAX];
	uint8_t d[16];
	int i, fd, rc;

	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == -1) {
		gdb_error(s, errno, "bad path");
		return;
	}
	if ((fd = gdb_host_open(s, path, O_PATH, 0)) != -1) {
		gdb_fd_path(fd, fdpath);
		rc = digest_md5_file(fdpath, d);
		close_keep_errno(fd);
	} else
		rc = -1;
	if (rc == -1) {
		log_debug("vFile:MD5 %s: %s", path, strerror(errno));
		gdb_reply(s, "F,x");
		return;
	}
	for (i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[(i / 8) * 8 + 7 - i % 8]);
	gdb_replyf(s, "F,%s", hex);
}

static void
vfile_readlink(struct gsess *s, struct rsp_cursor *c)
{
	char path[GDB_MAX_PATH], target[GDB_MAX_PATH], base[GDB_MAX_PATH];
	ssize_t n = -1;
	int dirfd;

	if (gdb_host_path(s, c, '\0', path, sizeof(path)) == 0 &&
	    (dirfd = gdb_host_parent(s, path, base, sizeof(base))) != -1) {
		n = readlinkat(dirfd, base, target, sizeof(target));
		close_keep_errno(dirfd);
	}
	if (n == -1) {
		vfile_fail(s, errno);
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addf(&s->s_reply, "F%zx;", (size_t)n);
	rsp_buf_addbin(&s->s_reply, target, n);
	gdb_reply_buf(s);
}

static void
vfile_setfs(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t pid;

	if (rsp_get_hex(c, &pid) == -1 || pid > INT32_MAX) {
		vfile_fail(s, EINVAL);
		return;
	}
	s->s_vfs_pid = (pid_t)pid;
	gdb_reply(s, "F0");
}

void
gdb_vfile(struct gsess *s, struct rsp_cursor *c)
{
	if (rsp_cursor_skip(c, "open:"))
		vfile_open(s, c);
	else if (rsp_cursor_skip(c, "close:"))
		vfile_close(s, c);
	else if (rsp_cursor_skip(c, "pread:"))
		vfile_pread(s, c);
	else if (rsp_cursor_skip(c, "pwrite:"))
		vfile_pwrite(s, c);
	else if (rsp_cursor_skip(c, "fstat:"))
		vfile_fstat(s, c);
	else if (rsp_cursor_skip(c, "unlink:"))
		vfile_unlink(s, c);
	else if (rsp_cursor_skip(c, "readlink:"))
		vfile_readlink(s, c);
	else if (rsp_cursor_skip(c, "setfs:"))
		vfile_setfs(s, c);
	else if (rsp_cursor_skip(c, "size:"))
		vfile_size(s, c);
	else if (rsp_cursor_skip(c, "mode:"))
		vfile_mode(s, c);
	else if (rsp_cursor_skip(c, "exists:"))
		vfile_exists(s, c);
	else if (rsp_cursor_skip(c, "symlink:"))
		vfile_symlink(s, c);
	else if (rsp_cursor_skip(c, "MD5:"))
		vfile_md5(s, c);
	else
		gdb_empty(s);
}

void
gdb_vfile_close_all(struct gsess *s)
{
	int i;

	for (i = 0; i < GDB_MAX_VFILE_FDS; i++) {
		if (s->s_vfds[i] != -1)
			close(s->s_vfds[i]);
		s->s_vfds[i] = -1;
	}
	s->s_vfs_pid = 0;
}
