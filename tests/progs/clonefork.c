/*
 * clonefork.c -- a clone() without CLONE_THREAD (a new process, no exit
 * signal) next to an ordinary pthread.  The child blocks on a pipe until
 * the parent has passed after_clone, then writes the marker file named
 * by argv[1] and exits 7; the parent reaps it with __WALL and exits 0 if
 * all went as planned.  The handshake is lldb's
 * Shell/Subprocess/Inputs/fork.cpp.
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHILD_STACK	(64 * 1024)	/* bytes */

static int go[2];
static int ready[2];
static const char *marker;
static volatile int g_val;

static void *
worker(void *arg)
{
	char c;

	(void)arg;
	/* Alive until main says so: in info threads at the breakpoint. */
	if (read(ready[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

static int
child_top(void *arg)
{
	char buf[2];
	int fd;

	(void)arg;
	close(go[1]);
	if (read(go[0], buf, sizeof(buf)) != 2)
		_exit(2);
	g_val = 2;	/* our own copy: the parent's stays 1 */
	if ((fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		_exit(3);
	if (write(fd, "child ran\n", 10) != 10)
		_exit(4);
	close(fd);
	_exit(7);
}

/* The breakpoint: after the clone, before the child may go. */
void
after_clone(pid_t child)
{
	g_val = 1;
	printf("cloned %d\n", (int)child);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	pthread_t th;
	char *stack;
	pid_t child, w;
	int status;

	if (argc < 2) {
		fprintf(stderr, "usage: clonefork MARKER\n");
		return 1;
	}
	marker = argv[1];
	if (pipe(go) == -1 || pipe(ready) == -1)
		return 1;
	if (pthread_create(&th, NULL, worker, NULL) != 0)
		return 1;
	if ((stack = malloc(CHILD_STACK)) == NULL)
		return 1;
	/* No CLONE_THREAD, no CLONE_VM, no exit signal: a process. */
	child = clone(child_top, stack + CHILD_STACK, 0, NULL);
	if (child == -1)
		return 1;
	close(go[0]);
	after_clone(child);
	if (write(go[1], "go", 2) != 2)
		return 1;
	close(go[1]);
	if (write(ready[1], "x", 1) != 1)
		return 1;
	pthread_join(th, NULL);
	if ((w = waitpid(child, &status, __WALL)) != child)
		return 1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 7)
		return 1;
	printf("child exited 7, g_val %d\n", g_val);
	return g_val == 1 ? 0 : 1;
}
