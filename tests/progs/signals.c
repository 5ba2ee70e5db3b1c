/* signals.c -- raises SIGUSR1 (handled) then SIGALRM; reports both. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

volatile sig_atomic_t got_usr1, got_alrm;

static void
on_usr1(int sig)
{
	got_usr1++;
}

static void
on_alrm(int sig)
{
	got_alrm++;
}

void
report(void)
{
	printf("usr1 %d alrm %d\n", (int)got_usr1, (int)got_alrm);
	fflush(stdout);
}

int
main(void)
{
	signal(SIGUSR1, on_usr1);
	signal(SIGALRM, on_alrm);
	raise(SIGUSR1);
	raise(SIGALRM);
	report();
	return 0;
}
