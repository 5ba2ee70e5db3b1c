/*
 * forker.c -- forks N children one after another, for the fork handoff
 * tests (docs/protocol.md): many held children, claims of each, the
 * max-held limit, and the proof that a held child is invisible to its
 * parent.
 *
 *   forker N [--vfork-exec PROG]
 *
 * Each child runs child_work(i), which sets child_value = i * 3, then
 * exits i % 200 + 1.  After each fork the parent calls after_fork(child,
 * i).  Both are breakpoint sites; the lines marked LINE:name below can be
 * found with grep -n.  parent_marker is 42 in the parent before the first
 * fork, so a child's memory reads show 42 too.
 *
 * The parent then reaps every child with waitpid(-1, WUNTRACED) and ends
 * stdout with "stopped-seen N" (the tests want 0: a held child must not
 * show its parent a stop) and "exits OK" or "exits BAD pid P code C" (the
 * first offender; pid -1 and code errno when waitpid itself failed).
 * Exit status 0 when all is well, 3 otherwise, 1 on usage or setup errors.
 *
 * With --vfork-exec PROG each child is a vfork() that at once runs
 * execv(PROG, {PROG, "vforked", NULL}) (exit 127 if that fails); the exit
 * codes are then PROG's, and "exits OK" only means every child exited
 * normally with a code other than 127.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORKER_MAX_CHILDREN	1000	/* children per run */
#define FORKER_EXIT_MOD		200	/* exit codes are i % this + 1 */
#define FORKER_EXIT_BAD		3	/* exit status when a check fails */

volatile int parent_marker;
int child_value;

static pid_t pids[FORKER_MAX_CHILDREN];

/* The child's breakpoint site. */
__attribute__((noinline)) void
child_work(int i)
{
	child_value = i * 3;	/* LINE:child_work */
}

/* The parent's breakpoint site: one call per fork, child already born. */
__attribute__((noinline)) void
after_fork(pid_t child, int i)
{
	pids[i] = child;	/* LINE:after_fork */
}

static int
index_of(pid_t pid, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return i;
	return -1;
}

static pid_t
spawn(int i, const char *prog)
{
	char *argv[3];
	pid_t pid;

	if (prog == NULL) {
		if ((pid = fork()) == 0) {
			child_work(i);
			_exit(i % FORKER_EXIT_MOD + 1);	/* LINE:child_exit */
		}
		return pid;
	}
	argv[0] = (char *)prog;
	argv[1] = "vforked";
	argv[2] = NULL;
	if ((pid = vfork()) == 0) {
		execv(prog, argv);	/* LINE:vfork_exec */
		_exit(127);
	}
	return pid;
}

/*
 * Reaps n children, counting stops in *stopped.  0 if every one exited
 * as expected, else -1 with the first offender in *bad_pid and *bad_code
 * (pid -1 and errno when waitpid itself failed).  Unchecked (vfork) runs
 * only need a normal exit other than 127, the failed exec.
 */
static int
reap(int n, int checked, int *stopped, pid_t *bad_pid, int *bad_code)
{
	pid_t pid;
	int reaped, st, i, code, good;

	*bad_pid = 0;
	for (reaped = 0; reaped < n;) {
		if ((pid = waitpid(-1, &st, WUNTRACED)) == -1) {
			if (errno == EINTR)
				continue;
			*bad_pid = -1;
			*bad_code = errno;
			return -1;
		}
		if (WIFSTOPPED(st)) {
			(*stopped)++;
			printf("stopped pid %d sig %d\n", (int)pid,
			    WSTOPSIG(st));
			continue;
		}
		reaped++;
		i = index_of(pid, n);
		code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (checked)
			good = i != -1 && WIFEXITED(st) &&
			    code == i % FORKER_EXIT_MOD + 1;
		else
			good = WIFEXITED(st) && code != 127;
		if (!good && *bad_pid == 0) {
			*bad_pid = pid;
			*bad_code = code;
		}
	}
	return *bad_pid == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *prog = NULL;
	pid_t pid, bad_pid;
	int n, i, stopped = 0, ok, bad_code = 0;
	char *end;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && strcmp(argv[2], "--vfork-exec") == 0)
		prog = argv[3];
	else if (argc != 2)
		goto usage;
	errno = 0;
	n = (int)strtol(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[1] || n < 0 ||
	    n > FORKER_MAX_CHILDREN)
		goto usage;

	parent_marker = 42;
	printf("forker %d children %d\n", (int)getpid(), n);
	for (i = 0; i < n; i++) {
		if ((pid = spawn(i, prog)) == -1) {
			printf("fork: %s\n", strerror(errno));
			return 1;
		}
		after_fork(pid, i);
	}
	ok = reap(n, prog == NULL, &stopped, &bad_pid, &bad_code) == 0;
	printf("stopped-seen %d\n", stopped);
	if (ok)
		printf("exits OK\n");
	else
		printf("exits BAD pid %d code %d\n", (int)bad_pid, bad_code);
	return ok && stopped == 0 ? 0 : FORKER_EXIT_BAD;

usage:
	fprintf(stderr, "usage: forker N [--vfork-exec PROG] (N <= %d)\n",
	    FORKER_MAX_CHILDREN);
	return 1;
}
