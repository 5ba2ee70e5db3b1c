/*
 * stormfork.c -- forks as fast as it can, for the load tests
 * (tests/integration/load.sh, bench/soak): many held children at once,
 * a fork storm past --max-held, and the proof that none is lost.
 *
 *   stormfork [-n COUNT] [-t SECONDS] [-g GOFILE] [-p PIDFILE]
 *
 * Prints "stormfork PID" first.  With -g it waits (up to
 * STORM_GO_WAIT_SECS) until GOFILE exists before the first fork, so a
 * debugger can attach first.  Then it forks until COUNT children (-n) or
 * SECONDS of forking (-t), whichever comes first (default: 10 children).
 * Child number i (0, 1, ...) does nothing but _exit(i % 200 + 1).  With
 * -p each child's line "i pid" goes to PIDFILE, written out once the
 * forking is over.  Between forks the parent reaps, without waiting,
 * whatever child has ended; a fork that fails for want of processes
 * (EAGAIN) is counted and tried again after a millisecond.
 *
 * Then it prints "forks N" and waits (waitpid, WUNTRACED) for every
 * child still unreaped.  The last line is
 *
 *   reaped R exited-ok E killed K bad B stopped-seen S eagain A
 *
 * E children exited with their own code, K were killed by SIGKILL, B
 * ended any other way or were not ours, S stops were seen (a held child
 * must not show its parent a stop).  Exit status 0 when R = N, B = 0 and
 * S = 0; 3 otherwise; 1 on usage or setup errors.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STORM_EXIT_MOD		200	/* child i exits i % this + 1 */
#define STORM_EXIT_BAD		3	/* exit status when a check fails */
#define STORM_GO_WAIT_SECS	120	/* -g: longest wait for GOFILE */
#define STORM_PID_MAX_CAP	4194304	/* Linux's PID_MAX_LIMIT */

static int *seq_of;	/* pid -> child number + 1, while unreaped */
static long pid_max;
static unsigned long reaped, exited_ok, killed, bad, stopped_seen;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
read_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	long v = STORM_PID_MAX_CAP;

	if (f != NULL) {
		if (fscanf(f, "%ld", &v) != 1 || v <= 0 ||
		    v > STORM_PID_MAX_CAP)
			v = STORM_PID_MAX_CAP;
		fclose(f);
	}
	return v;
}

/* One wait status of pid. */
static void
account(pid_t pid, int st)
{
	int seq;

	if (WIFSTOPPED(st)) {
		stopped_seen++;
		printf("stopped pid %d sig %d\n", (int)pid, WSTOPSIG(st));
		return;
	}
	reaped++;
	seq = pid > 0 && pid <= pid_max ? seq_of[pid] - 1 : -1;
	if (seq >= 0)
		seq_of[pid] = 0;
	if (seq >= 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == seq % STORM_EXIT_MOD + 1)
		exited_ok++;
	else if (seq >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		killed++;
	else {
		if (bad == 0)
			printf("bad pid %d child %d status %#x\n", (int)pid,
			    seq, (unsigned)st);
		bad++;
	}
}

/* Reap what has ended, without waiting. */
static void
reap_ready(void)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED)) > 0)
		account(pid, st);
}

int
main(int argc, char **argv)
{
	unsigned long count = 0, forks = 0, eagain = 0, i;
	double secs = 0, start, go_deadline;
	const char *gofile = NULL, *pidfile = NULL;
	pid_t *pids;
	size_t cap = 1024;
	FILE *pf = NULL;
	pid_t pid;
	int opt, st;
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "n:t:g:p:")) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || count == 0)
				goto usage;
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end != '\0' || secs <= 0)
				goto usage;
			break;
		case 'g':
			gofile = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (count == 0)		/* no -n: 10, or no bound with -t */
		count = secs > 0 ? (unsigned long)-1 : 10;
	pid_max = read_pid_max();
	if ((seq_of = calloc((size_t)pid_max + 1, sizeof(*seq_of))) == NULL ||
	    (pids = malloc(cap * sizeof(*pids))) == NULL) {
		perror("stormfork: malloc");
		return 1;
	}
	if (pidfile != NULL && (pf = fopen(pidfile, "w")) == NULL) {
		perror(pidfile);
		return 1;
	}
	printf("stormfork %d\n", (int)getpid());

	go_deadline = now() + STORM_GO_WAIT_SECS;
	while (gofile != NULL && access(gofile, F_OK) != 0) {
		if (now() > go_deadline) {
			fprintf(stderr, "stormfork: no %s\n", gofile);
			return 1;
		}
		usleep(10000);
	}

	start = now();
	for (i = 0; i < count && (secs == 0 || now() - start < secs);) {
		if ((pid = fork()) == 0)
			_exit((int)(i % STORM_EXIT_MOD + 1));
		if (pid == -1) {
			if (errno != EAGAIN) {
				printf("fork: %s\n", strerror(errno));
				break;
			}
			eagain++;
			reap_ready();
			usleep(1000);
			continue;
		}
		if (pid <= pid_max)
			seq_of[pid] = (int)i + 1;
		if (forks == cap) {
			cap *= 2;
			if ((pids = realloc(pids, cap * sizeof(*pids))) ==
			    NULL) {
				perror("stormfork: realloc");
				return 1;
			}
		}
		pids[forks++] = pid;
		i++;
		reap_ready();
	}
	if (pf != NULL) {
		for (i = 0; i < forks; i++)
			fprintf(pf, "%lu %d\n", i, (int)pids[i]);
		if (fclose(pf) != 0) {
			perror(pidfile);
			return 1;
		}
	}
	printf("forks %lu\n", forks);

	while (reaped < forks) {
		if ((pid = waitpid(-1, &st, WUNTRACED)) == -1) {
			if (errno == EINTR)
				continue;
			printf("waitpid: %s\n", strerror(errno));
			break;
		}
		account(pid, st);
	}
	printf("reaped %lu exited-ok %lu killed %lu bad %lu stopped-seen %lu "
	    "eagain %lu\n", reaped, exited_ok, killed, bad, stopped_seen,
	    eagain);
	return reaped == forks && bad == 0 && stopped_seen == 0 ? 0 :
	    STORM_EXIT_BAD;

usage:
	fprintf(stderr, "usage: stormfork [-n COUNT] [-t SECONDS] "
	    "[-g GOFILE] [-p PIDFILE]\n");
	return 1;
}
