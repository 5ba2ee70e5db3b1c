/* threads.c -- NTHREADS threads, each calls worker_step and exits. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NTHREADS 4

volatile int done_count;

void
worker_step(int id)
{
	__atomic_add_fetch(&done_count, 1, __ATOMIC_SEQ_CST);
}

static void *
worker(void *arg)
{
	int id = (int)(long)arg;
	char name[16];

	snprintf(name, sizeof(name), "worker-%d", id);
	pthread_setname_np(pthread_self(), name);
	usleep(10000 * id);
	worker_step(id);
	return NULL;
}

void
all_joined(void)
{
}

int
main(void)
{
	pthread_t t[NTHREADS];
	long i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	all_joined();
	printf("threads done %d\n", done_count);
	return 0;
}
