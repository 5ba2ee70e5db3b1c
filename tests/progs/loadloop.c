/*
 * loadloop.c -- the load tests' breakpoint loop
 * (tests/integration/load.sh, bench/soak): calls load_hit(i) for i = 0
 * .. N-1, then exits N % 256.
 *
 *   loadloop N
 *
 * load_hits is i when load_hit(i) is entered, so a client stopped at a
 * breakpoint on load_hit reads there how many hits came before this one:
 * a hit lost or told twice shows as a wrong count.  The program takes no
 * time of its own between hits, so it runs only as fast as the debugger
 * lets it.
 */
#include <stdlib.h>

volatile unsigned long load_hits;

__attribute__((noinline)) void
load_hit(unsigned long i)
{
	load_hits = i + 1;
}

int
main(int argc, char **argv)
{
	unsigned long i, n;

	n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10;
	for (i = 0; i < n; i++)
		load_hit(i);
	return (int)(n % 256);
}
