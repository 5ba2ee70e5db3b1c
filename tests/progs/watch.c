/* watch.c -- writes and reads a global: hardware watchpoints. */
#include <stdio.h>

volatile long watched;
volatile long sink;

void
touch(long v)
{
	watched = v;
}

int
main(void)
{
	long i;

	for (i = 1; i <= 3; i++)
		touch(i * 10);
	sink = watched;
	printf("watched %ld\n", (long)watched);
	return 0;
}
