/*
 * forkonce.c -- one fork, for the fork handoff tests (docs/protocol.md)
 * that claim a single held child with gdb or lldb: a breakpoint in the
 * child's loop, a read of child_counter, the parent's own breakpoint, and
 * the proof that the hold is invisible to the parent.
 *
 *   forkonce [sleep]
 *
 * The parent prints "forkonce PID", forks, calls after_fork(child) and
 * waits for the child (no WUNTRACED, EINTR retried), then prints "child
 * exited 7" (or "child exited C" / "child killed by signal S") and exits
 * 0.  The child calls child_work(), which counts child_counter to 3 in a
 * loop, writes "child ran\n" to stdout and exits 7.  Lines marked
 * LINE:name below can be found with grep -n.
 *
 * With "sleep" the parent instead polls waitpid(WNOHANG | WUNTRACED) once
 * a second for up to FORKONCE_POLL_MAX seconds and prints "parent saw a
 * stop" the first time a stop shows; it then exits 3 if it saw one, 4 if
 * the child never ended ("child not reaped"), else 0.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define FORKONCE_LOOPS		3	/* iterations of the child's loop */
#define FORKONCE_POLL_MAX	60	/* seconds the sleep mode polls */
#define FORKONCE_CHILD_EXIT	7

static int child_counter;

/* The child's work: a breakpoint in the loop body sees 0, 1, 2. */
__attribute__((noinline)) void
child_work(void)
{
	int i;

	for (i = 0; i < FORKONCE_LOOPS; i++)
		child_counter++;	/* LINE:child_loop */
}

/* The parent's breakpoint site, the child already born. */
__attribute__((noinline)) void
after_fork(pid_t child)
{
	printf("forked %d\n", (int)child);	/* LINE:after_fork */
}

static void
report(int st)
{
	if (WIFEXITED(st))
		printf("child exited %d\n", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("child killed by signal %d\n", WTERMSIG(st));
	else
		printf("child status 0x%x\n", st);
}

/* Plain wait: 0 once the child is reaped, -1 on a waitpid error. */
static int
wait_plain(pid_t child)
{
	int st;

	while (waitpid(child, &st, 0) == -1) {
		if (errno != EINTR) {
			printf("waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	report(st);
	return 0;
}

/* Polling wait: 0 reaped, no stop seen; 3 a stop seen; 4 not reaped. */
static int
wait_polling(pid_t child)
{
	pid_t w;
	int st, secs, stopped = 0;

	for (secs = 0; secs <= FORKONCE_POLL_MAX; secs++) {
		w = waitpid(child, &st, WNOHANG | WUNTRACED);
		if (w == -1 && errno != EINTR) {
			printf("waitpid: %s\n", strerror(errno));
			return 4;
		}
		if (w == child && WIFSTOPPED(st)) {
			if (!stopped)
				printf("parent saw a stop\n");
			stopped = 1;
		} else if (w == child) {
			report(st);
			return stopped ? 3 : 0;
		}
		if (secs < FORKONCE_POLL_MAX)
			sleep(1);
	}
	printf("child not reaped\n");
	return stopped ? 3 : 4;
}

int
main(int argc, char **argv)
{
	pid_t child;
	int polling;

	setvbuf(stdout, NULL, _IOLBF, 0);
	polling = argc > 1 && strcmp(argv[1], "sleep") == 0;
	printf("forkonce %d\n", (int)getpid());
	if ((child = fork()) == -1) {
		printf("fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		child_work();	/* LINE:child_call */
		if (write(STDOUT_FILENO, "child ran\n", 10) != 10)
			_exit(2);
		_exit(FORKONCE_CHILD_EXIT);
	}
	after_fork(child);
	if (polling)
		return wait_polling(child);
	return wait_plain(child) == 0 ? 0 : 1;
}
