/* tls.c -- thread-local variables in the program and in libc (errno). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

__thread int tls_counter = 42;
__thread char tls_name[16] = "main";

void
tls_stop(void)
{
}

static void *
worker(void *arg)
{
	tls_counter = 7;
	snprintf(tls_name, sizeof(tls_name), "worker");
	errno = 33;
	tls_stop();
	return NULL;
}

int
main(void)
{
	pthread_t t;

	errno = 0;
	tls_counter = 43;
	tls_stop();
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	return 0;
}
