/*
 * itest.h -- what the integration tests share: time, paths in the build
 * tree, starting handoffd with its stderr on a pipe, and waiting for
 * processes to go.  Static inline: each test program is one file.
 */
#ifndef TESTS_INTEGRATION_ITEST_H
#define TESTS_INTEGRATION_ITEST_H

#include <sys/prctl.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/rspc.h"

static inline long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static inline const char *
builddir(void)
{
	const char *d = getenv("top_builddir");

	return (d != NULL && d[0] != '\0' ? d : ".");
}

static inline void
path_of(char *dst, size_t cap, const char *rel)
{
	snprintf(dst, cap, "%s/%s", builddir(), rel);
}

/* /proc/PID is gone (not even a zombie) within ms. */
static inline bool
proc_gone(pid_t pid, int ms)
{
	char path[64];
	long long end = now_ms() + ms;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	while (access(path, F_OK) == 0) {
		if (now_ms() >= end)
			return (false);
		usleep(10000);
	}
	return (true);
}

/* Exit status of our child pid within ms, or -1 if it is still running. */
static inline int
wait_exit(pid_t pid, int ms)
{
	long long end = now_ms() + ms;
	int status;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() >= end)
			return (-1);
		usleep(10000);
	}
	ck_assert_int_eq(r, pid);
	return (status);
}

/*
 * fork/exec argv; stdout to /dev/null, stderr to a pipe whose read end
 * is returned in *errfd.  The child dies with us.
 */
static inline pid_t
spawn(char *const argv[], int *errfd)
{
	int p[2], nul;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if ((nul = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(nul, 0) == -1 || dup2(nul, 1) == -1 ||
		    dup2(p[1], 2) == -1)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*errfd = p[0];
	return (pid);
}

/*
 * Read fd into buf (cap bytes, *len used, kept NUL-terminated) until it
 * holds a whole line containing s, EOF or the deadline; the hit or NULL.
 */
static inline const char *
read_until(int fd, char *buf, size_t cap, size_t *len, const char *s,
    long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	const char *hit;
	long long left;
	ssize_t n;

	for (;;) {
		buf[*len] = '\0';
		if ((hit = strstr(buf, s)) != NULL && strchr(hit, '\n') != NULL)
			return (hit);
		left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return (NULL);
		n = read(fd, buf + *len, cap - 1 - *len);
		if (n <= 0)
			return (NULL);
		*len += n;
	}
}

/*
 * Send pkt on rc and return the reply (valid until the next request);
 * dir, the server's log directory, is named when it fails.
 */
static inline const char *
itest_req(struct rspc *rc, const char *pkt, const char *dir)
{
	const char *r;

	ck_assert_msg(rspc_requeststr(rc, pkt, &r) >= 0,
	    "%s: %s (log %s)", pkt, strerror(errno), dir);
	return (rc->r_reply);	/* r, kept by rc until the next request */
}

/* The reply to pkt is exactly want. */
#define ITEST_REPLY_IS(rc, dir, pkt, want) do {				\
	const char *r_ = itest_req((rc), (pkt), (dir));			\
	ck_assert_msg(strcmp(r_, (want)) == 0,				\
	    "%s: got \"%.300s\", want \"%s\" (log %s)", (pkt), r_,	\
	    (want), (dir));						\
} while (0)

#endif /* TESTS_INTEGRATION_ITEST_H */
