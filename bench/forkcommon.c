/*
 * forkcommon.c -- what bench/fork and bench/compare share (forkcommon.h).
 */
#include <sys/mman.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/forkcommon.h"

/* An option's number in [min, max]; exit 2 if it is not. */
long
number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		errx(2, "bad number: %s (%ld to %ld)", s, min, max);
	return v;
}

/* Make and map the file for forks forks; tmpl as for mkostemp. */
int
times_open(struct times *t, const char *tmpl, long forks)
{
	int fd;

	t->t_len = (size_t)(forks + 1) * sizeof(uint64_t);
	strlcpy(t->t_file, tmpl, sizeof(t->t_file));
	if ((fd = mkostemp(t->t_file, O_CLOEXEC)) == -1)
		return -1;
	if (ftruncate(fd, (off_t)t->t_len) == -1 ||
	    (t->t_v = mmap(NULL, t->t_len, PROT_READ, MAP_SHARED, fd, 0)) ==
	    MAP_FAILED) {
		close(fd);
		unlink(t->t_file);
		t->t_v = NULL;
		return -1;
	}
	close(fd);
	return 0;
}

void
times_close(struct times *t)
{
	if (t->t_v == NULL)
		return;
	munmap((void *)t->t_v, t->t_len);
	unlink(t->t_file);
	t->t_v = NULL;
}

/* The moment before fork i, in us on now_us's clock. */
double
fork_at(const struct times *t, long i)
{
	return t->t_v[i + 1] / 1e3;
}

/*
 * handoffd on a unix socket (sess_start knows TCP only): started on
 * prog, its socket's path in path, connected to.  The session is filled
 * in so that sess_stop ends it as any other.  -1 if it could not be
 * started; 0 otherwise, ss_rc NULL if it did not listen in time.
 */
int
unix_start(struct sess *ss, const struct server *sv, char *const prog[],
    char *path, size_t pathcap)
{
	char *argv[BENCH_MAX_ARGV], addr[FC_PATH + 8];
	double end = now_us() + BENCH_START_MS * 1e3;
	int i, n = 0, logfd, null;

	memset(ss, 0, sizeof(*ss));
	ss->ss_srv = sv;
	strlcpy(ss->ss_log, "/tmp/bench-server-XXXXXX", sizeof(ss->ss_log));
	if ((logfd = mkostemp(ss->ss_log, O_CLOEXEC)) == -1)
		return -1;
	snprintf(path, pathcap, "%s.sock", ss->ss_log);
	snprintf(addr, sizeof(addr), "unix:%s", path);
	for (i = 0; i < sv->sv_argc; i++)
		argv[n++] = sv->sv_argv[i];
	argv[n++] = addr;
	for (i = 0; prog[i] != NULL && n < BENCH_MAX_ARGV - 1; i++)
		argv[n++] = prog[i];
	argv[n] = NULL;
	if ((ss->ss_pid = fork()) == 0) {
		if ((null = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(null, 0) == -1 || dup2(logfd, 1) == -1 ||
		    dup2(logfd, 2) == -1)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(logfd);
	if (ss->ss_pid == -1)
		return -1;
	while ((ss->ss_rc = rspc_connect(addr)) == NULL && now_us() < end)
		usleep(1000);
	return 0;
}

/*
 * Kill and reap what the runs left us as subreaper (held children),
 * settle_us after the kills.
 */
void
reap_orphans(unsigned settle_us)
{
	char path[64], buf[4096], *p, *end;
	ssize_t n;
	long pid;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		for (p = buf; (pid = strtol(p, &end, 10)) > 0; p = end)
			kill((pid_t)pid, SIGKILL);
	}
	if (settle_us > 0)
		usleep(settle_us);
	sess_reap();
}

/* The pid of "%Handoff:pid:PID;...", or -1. */
long
handoff_pid(const char *note)
{
	if (strncmp(note, "Handoff:pid:", strlen("Handoff:pid:")) != 0)
		return -1;
	return strtol(note + strlen("Handoff:pid:"), NULL, 16);
}

/* Parse spec into *sv and mark it there; exit 2 if it is bad. */
void
server_add(struct server *sv, bool *have, const char *spec)
{
	if (server_parse(sv, spec) == -1)
		errx(2, "bad server: %s", spec);
	*have = true;
}

/* ------------------------------------------------------------- report */

double
ratio(double a, double b)
{
	return isnan(a) || isnan(b) || b == 0 ? NAN : a / b;
}

/* One cell of a markdown row, "n/a" for NAN. */
void
cell(double v, const char *fmt)
{
	if (isnan(v))
		printf(" n/a |");
	else {
		putchar(' ');
		printf(fmt, v);
		printf(" |");
	}
}

const char *
verdict(double v, double goal)
{
	if (isnan(v))
		return "not measured";
	return v <= goal ? "met" : "**missed**";
}
