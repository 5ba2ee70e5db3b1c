/*
 * vforks.c -- two threads vfork at once (tests/integration/vforks.sh):
 * each vfork child sleeps VFORKS_CHILD_MS then exits with its thread's
 * number, so that both vforks are in progress together.  Prints
 * "vforks 1 2" (the children's codes) and exits 0.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define VFORKS_CHILD_MS	200	/* each child's life */

static pthread_barrier_t gate;
static int codes[2];

static void *
vforker(void *arg)
{
	int n = (int)(long)arg, status;
	pid_t pid;

	pthread_barrier_wait(&gate);
	if ((pid = vfork()) == 0) {
		usleep(VFORKS_CHILD_MS * 1000);
		_exit(n);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		codes[n - 1] = WEXITSTATUS(status);
	return NULL;
}

int
main(void)
{
	pthread_t t[2];

	pthread_barrier_init(&gate, NULL, 2);
	pthread_create(&t[0], NULL, vforker, (void *)1L);
	pthread_create(&t[1], NULL, vforker, (void *)2L);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("vforks %d %d\n", codes[0], codes[1]);
	return 0;
}
