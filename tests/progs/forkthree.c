/*
 * forkthree.c -- three forked children, for the debugger scripts' tests
 * (debugger/): each child stops at its own breakpoint in its own target
 * while the parent stops at another.
 *
 * The parent forks FORKTHREE_CHILDREN children, then calls
 * parent_done(n), reaps them in birth order printing "child I exited S"
 * and exits 0.  Child I (0, 1, 2) calls child_work(I), which adds I+1 to
 * child_total, and exits FORKTHREE_EXIT_BASE + I.
 *
 *   forkthree [PROG]
 *
 * With PROG, child 1 execs PROG (no arguments) after child_work(1), for
 * the scripts' --exec filter.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FORKTHREE_CHILDREN	3
#define FORKTHREE_EXIT_BASE	20

static int child_total;

/* Each child's breakpoint site: id is 0, 1 or 2. */
__attribute__((noinline)) int
child_work(int id)
{
	child_total += id + 1;
	return child_total;
}

/* The parent's breakpoint site, every child born. */
__attribute__((noinline)) void
parent_done(int n)
{
	printf("parent forked %d\n", n);
}

int
main(int argc, char **argv)
{
	pid_t kids[FORKTHREE_CHILDREN];
	int i, st;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < FORKTHREE_CHILDREN; i++) {
		if ((kids[i] = fork()) == -1)
			err(1, "fork");
		if (kids[i] == 0) {
			child_work(i);
			if (argc > 1 && i == 1) {
				execl(argv[1], argv[1], (char *)NULL);
				_exit(127);
			}
			_exit(FORKTHREE_EXIT_BASE + i);
		}
	}
	parent_done(FORKTHREE_CHILDREN);
	for (i = 0; i < FORKTHREE_CHILDREN; i++) {
		while (waitpid(kids[i], &st, 0) == -1)
			if (errno != EINTR)
				err(1, "waitpid");
		if (WIFEXITED(st))
			printf("child %d exited %d\n", i, WEXITSTATUS(st));
		else
			printf("child %d status 0x%x\n", i, st);
	}
	return 0;
}
