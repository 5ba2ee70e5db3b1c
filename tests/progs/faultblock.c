/*
 * faultblock.c -- a debuggee that wants no signal at all, for the fault
 * tests (tests/integration/faults.sh): every signal that can be blocked
 * is blocked in every thread, every one that can be ignored is ignored.
 * A debugger must still attach to it, interrupt it (0x03) and let it go
 * with its mask and dispositions as they were.
 *
 * Prints "faultblock PID ready" once set up; then a second thread sits in
 * read() on a pipe nobody writes, and main calls tick() every millisecond
 * (a breakpoint site; ticks counts the calls), forever.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

volatile unsigned long ticks;

__attribute__((noinline)) void
tick(void)
{
	ticks++;
}

static int pipefd[2];

static void *
reader(void *arg)
{
	char c;

	(void)arg;
	for (;;)
		(void)read(pipefd[0], &c, 1);
	return NULL;
}

int
main(void)
{
	struct timespec ms = { 0, 1000000 };
	pthread_t t;
	sigset_t all;
	int sig;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_IGN);	/* SIGKILL, SIGSTOP: refused */
	if (pipe(pipefd) == -1 || pthread_create(&t, NULL, reader, NULL) != 0)
		return 1;
	printf("faultblock %d ready\n", (int)getpid());
	fflush(stdout);
	for (;;) {
		tick();
		nanosleep(&ms, NULL);
	}
}
