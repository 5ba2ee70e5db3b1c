/*
 * forkrace.c -- a fork racing another thread's signal, for the rule that
 * a fork child the client has not heard of stays stopped and unlisted
 * (tests/integration/untold.sh): main and a second thread meet at a
 * barrier, then the thread forks (the child exits 3 at once) while main
 * raises SIGUSR1 (handled).  Prints "forkrace child 3" once it has
 * reaped the child, and exits 0.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static pthread_barrier_t gate;
static int child_status = -1;

static void
on_usr1(int sig)
{
	(void)sig;
}

static void *
forker(void *arg)
{
	pid_t pid;

	(void)arg;
	pthread_barrier_wait(&gate);
	if ((pid = fork()) == 0)
		_exit(3);
	if (pid > 0 && waitpid(pid, &child_status, 0) == pid &&
	    WIFEXITED(child_status))
		child_status = WEXITSTATUS(child_status);
	return NULL;
}

int
main(void)
{
	pthread_t t;

	signal(SIGUSR1, on_usr1);
	pthread_barrier_init(&gate, NULL, 2);
	if (pthread_create(&t, NULL, forker, NULL) != 0)
		return 1;
	pthread_barrier_wait(&gate);
	raise(SIGUSR1);
	pthread_join(t, NULL);
	printf("forkrace child %d\n", child_status);
	return 0;
}
