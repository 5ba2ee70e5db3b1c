/*
 * mem.c -- the memory read benchmark's inferior.
 *
 * Allocates argv[1] MiB (default 64), writes a pattern into every byte
 * so each page is present, publishes the address in bench_mem and calls
 * bench_ready(), where the benchmark stops it.  Built -no-pie so nm
 * gives the run-time addresses of both symbols.
 */
#include <stdint.h>
#include <stdlib.h>

#define MEM_MIB		(1024 * 1024)	/* bytes */

unsigned char *volatile bench_mem;

void	bench_ready(void);

void __attribute__((noinline))
bench_ready(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Every byte value, in no run the protocol could compress. */
static unsigned char
pattern(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 9));
}

int
main(int argc, char *argv[])
{
	unsigned long i, len;
	unsigned char *p;

	len = (argc > 1 ? strtoul(argv[1], NULL, 10) : 64) * MEM_MIB;
	if ((p = malloc(len)) == NULL)
		return 1;
	for (i = 0; i < len; i++)
		p[i] = pattern(i);
	bench_mem = p;
	bench_ready();
	free(p);
	return 0;
}
