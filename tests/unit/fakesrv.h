/*
 * fakesrv.h -- a fake RSP server for the client-side unit tests
 * (check_rspc.c, check_handoff.c), and descriptor counting shared with
 * check_fdpass.c.
 *
 * The fake lets a test drive the client library (client/) against a
 * peer whose every byte it controls, with no handoffd running.  A test
 * forks the fake on the far end of a socketpair (fake_start) or of any
 * descriptor (fake_fork); the fake runs a script: it reads exactly the
 * bytes it expects from the client (fk_expect, fk_expect_packet), writes
 * raw bytes back (fk_send, fk_packet, fk_notify_fd with a descriptor
 * riding along), and exits non-zero, saying why on stderr, at the first
 * byte it did not expect.  Scripts end with fk_expect_eof, so a client
 * that sent one byte too many fails; fake_finish closes the client and
 * checks the script ran to its end.
 *
 * count_fds and assert_marker check that descriptors are neither leaked
 * nor mixed up.  Everything here is static inline, so a test program
 * pays only for what it uses.
 */
#ifndef TESTS_UNIT_FAKESRV_H
#define TESTS_UNIT_FAKESRV_H

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <check.h>
#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/rspc.h"
#include "handoff/fdpass.h"

#define FAKE_WAIT_MS	5000	/* a fake waits this long for each byte */

typedef void (*fake_script)(int);

struct fake {
	pid_t		 f_pid;
	struct rspc	*f_rc;
};

static inline void
fk_fail(const char *what, const char *want, const char *got, size_t n)
{
	fprintf(stderr, "fake: %s: wanted \"%s\", got \"%.*s\"\n", what, want,
	    (int)n, got);
	_exit(2);
}

/* Read exactly n bytes, or fewer at end of input; -1 on timeout. */
static inline ssize_t
fk_read(int fd, char *buf, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (poll(&pfd, 1, FAKE_WAIT_MS) != 1)
			return (-1);
		if ((r = read(fd, buf + got, n - got)) <= 0)
			break;
		got += r;
	}
	return ((ssize_t)got);
}

static inline void
fk_expect(int fd, const char *want)
{
	char buf[256];
	size_t n = strlen(want);
	ssize_t got;

	if (n > sizeof(buf))
		_exit(3);
	got = fk_read(fd, buf, n);
	if (got < 0)
		fk_fail("timeout", want, "", 0);
	if ((size_t)got != n || memcmp(buf, want, n) != 0)
		fk_fail("mismatch", want, buf, (size_t)got);
}

/* "$payload#cs" for a raw (already escaped) payload. */
static inline void
frame(char *dst, size_t cap, int kind, const char *raw)
{
	snprintf(dst, cap, "%c%s#%02x", kind, raw,
	    rsp_checksum(raw, strlen(raw)));
}

static inline void
fk_expect_packet(int fd, const char *payload)
{
	char want[256];

	frame(want, sizeof(want), '$', payload);
	fk_expect(fd, want);
}

static inline void
fk_send(int fd, const char *raw)
{
	if (write(fd, raw, strlen(raw)) != (ssize_t)strlen(raw))
		_exit(4);
}

static inline void
fk_packet(int fd, int kind, const char *raw)
{
	char buf[1024];

	frame(buf, sizeof(buf), kind, raw);
	fk_send(fd, buf);
}

/*
 * A notification with a descriptor riding with its '%': the read end of
 * a pipe holding marker, so the client can tell which one it got.
 */
static inline void
fk_notify_fd(int fd, const char *raw, const char *marker)
{
	char buf[1024];
	int p[2];

	frame(buf, sizeof(buf), '%', raw);
	if (pipe(p) == -1 || write(p[1], marker, strlen(marker)) !=
	    (ssize_t)strlen(marker))
		_exit(7);
	close(p[1]);
	if (fdpass_send(fd, p[0], buf, strlen(buf)) != (ssize_t)strlen(buf))
		_exit(7);
	close(p[0]);
}

/* The client sends nothing more and closes. */
static inline void
fk_expect_eof(int fd)
{
	char c;
	ssize_t n = fk_read(fd, &c, 1);

	if (n != 0)
		fk_fail(n < 0 ? "timeout" : "extra byte", "<eof>", &c,
		    n < 0 ? 0 : 1);
	_exit(0);
}

/* Serve fd with script in a child; the parent keeps nothing of fd. */
static inline pid_t
fake_fork(int fd, int other, fake_script script)
{
	pid_t pid = fork();

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (other != -1)
			close(other);
		script(fd);
		_exit(0);
	}
	close(fd);
	return (pid);
}

static inline void
fake_start(struct fake *f, fake_script script)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv), 0);
	f->f_pid = fake_fork(sv[1], sv[0], script);
	f->f_rc = rspc_from_fd(sv[0]);
	ck_assert_ptr_nonnull(f->f_rc);
}

static inline void
fake_wait(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the fake server saw bytes it did not expect (status %#x)",
	    status);
}

/* Close the client and check the fake's script ran to its end. */
static inline void
fake_finish(struct fake *f)
{
	rspc_close(f->f_rc);
	fake_wait(f->f_pid);
}

static inline long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Open descriptors of this process. */
static inline int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return (n - 1);		/* the DIR's own */
}

/* fd is a pipe holding marker; it is closed after. */
static inline void
assert_marker(int fd, const char *marker)
{
	char buf[64];
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, (ssize_t)strlen(marker));
	buf[n] = '\0';
	ck_assert_str_eq(buf, marker);
	close(fd);
}

#endif /* TESTS_UNIT_FAKESRV_H */
