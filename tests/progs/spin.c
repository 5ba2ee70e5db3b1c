/* spin.c -- runs until killed, with a thread: attach and detach. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

volatile unsigned long ticks;

void
tick(void)
{
	ticks++;
}

static void *
helper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;

	pthread_create(&t, NULL, helper, NULL);
	printf("spin ready %d\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		tick();
		usleep(1000);
	}
	return 0;
}
