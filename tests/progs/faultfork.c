/*
 * faultfork.c -- forks on cue, for the fault tests
 * (tests/integration/faults.sh) that attach to a running process and need
 * its children born after the attach.
 *
 *   faultfork N GOFILE [KIDGOFILE]
 *
 * Prints "faultfork PID ready", waits until GOFILE exists (calling
 * tick(), a breakpoint site, every millisecond meanwhile), forks N
 * children (each calls child_work(), waits until KIDGOFILE exists if one
 * is named, and exits 5), reaps them printing
 * "child PID exited S" or "child PID killed by signal S", calls reaped(N)
 * (a breakpoint site, which prints "reaped N"), then calls tick() every
 * millisecond forever.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FAULTFORK_MAX		16
#define FAULTFORK_EXIT		5

volatile unsigned long ticks;

__attribute__((noinline)) void
tick(void)
{
	ticks++;
}

__attribute__((noinline)) void
child_work(void)
{
	ticks = 0;
}

/* Called once, every child reaped: a breakpoint site. */
__attribute__((noinline)) void
reaped(int n)
{
	printf("reaped %d\n", n);
	fflush(stdout);
}

/* Until path exists, a tick() each millisecond. */
static void
wait_file(const char *path)
{
	struct timespec ms = { 0, 1000000 };

	while (access(path, F_OK) != 0) {
		tick();
		nanosleep(&ms, NULL);
	}
}

int
main(int argc, char **argv)
{
	struct timespec ms = { 0, 1000000 };
	int i, n, st;
	pid_t pid;

	if (argc < 3 || argc > 4 || (n = atoi(argv[1])) < 1 ||
	    n > FAULTFORK_MAX) {
		fprintf(stderr, "usage: faultfork N GOFILE [KIDGOFILE]\n");
		return 1;
	}
	printf("faultfork %d ready\n", (int)getpid());
	fflush(stdout);
	wait_file(argv[2]);
	for (i = 0; i < n; i++) {
		if ((pid = fork()) == 0) {
			child_work();
			if (argc == 4)
				wait_file(argv[3]);
			_exit(FAULTFORK_EXIT);
		}
		if (pid == -1)
			perror("fork");
	}
	for (i = 0; i < n;) {
		if ((pid = waitpid(-1, &st, 0)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		i++;
		if (WIFEXITED(st))
			printf("child %d exited %d\n", (int)pid, WEXITSTATUS(st));
		else
			printf("child %d killed by signal %d\n", (int)pid,
			    WTERMSIG(st));
		fflush(stdout);
	}
	reaped(i);
	for (;;) {
		tick();
		nanosleep(&ms, NULL);
	}
}
