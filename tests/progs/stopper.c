/*
 * stopper.c -- lldb's non-stop rules (tests/integration/lldbnonstop.sh):
 * a second thread that only waits, then main prints "message 1", stops
 * on SIGUSR1 (handled), prints "message 2" and waits too, until killed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void
on_usr1(int sig)
{
	(void)sig;
}

static void *
waiter(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int
main(void)
{
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	if (pthread_create(&t, NULL, waiter, NULL) != 0)
		return 1;
	printf("message 1\n");
	fflush(stdout);
	raise(SIGUSR1);
	printf("message 2\n");
	fflush(stdout);
	for (;;)
		pause();
}
