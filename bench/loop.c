/*
 * loop.c -- the breakpoint benchmarks' inferior: bench_hit() in a loop.
 *
 * Built -O0 -g -no-pie so the address nm gives for bench_hit is the
 * address at run time.  argv[1] bounds the loop, so a copy left running
 * by a server ends on its own.
 */
#include <stdlib.h>

volatile unsigned long bench_hits;	/* read back to check the count */

void	bench_hit(void);

void __attribute__((noinline))
bench_hit(void)
{
	bench_hits++;
}

int
main(int argc, char *argv[])
{
	unsigned long i, n;

	n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	for (i = 0; i < n; i++)
		bench_hit();
	return 0;
}
