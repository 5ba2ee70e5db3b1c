/*
 * session.c -- what lldb's session tests need: a function an expression
 * calls, a named thread, a global to watch, output on stdout, an
 * environment variable and an exit status from argv[1].
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

volatile long watched;
static pthread_barrier_t gate;

int
triple(int x)
{
	return 3 * x;
}

void
stop_here(void)
{
}

static void *
worker(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&gate);	/* named and running */
	pthread_barrier_wait(&gate);	/* main is done with us */
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *v = getenv("SESSION_VALUE");
	pthread_t t;

	pthread_barrier_init(&gate, NULL, 2);
	pthread_create(&t, NULL, worker, NULL);
	pthread_setname_np(t, "sess-worker");
	pthread_barrier_wait(&gate);
	stop_here();
	watched = 42;
	pthread_barrier_wait(&gate);
	pthread_join(t, NULL);
	printf("session %s %d\n", v != NULL ? v : "(unset)", triple(7));
	return argc > 1 ? atoi(argv[1]) : 0;
}
