/*
 * comptree.c -- the fork tree of bench/compare.
 *
 *	comptree -s N [-t FILE]		sequential
 *	comptree -a N [-t FILE]		all at once
 *	comptree -m MIB			isolation
 *
 * -s: forks N children one after another; each child calls child_work()
 * (where the benchmark has a breakpoint) and _exit(0)s; the parent
 * reaps each child before the next fork.  -a: forks all N first, then
 * reaps them all, so a debugger may keep every child stopped until the
 * last fork.  With -t, FILE (at least (N + 1) * 8 bytes, made by the
 * benchmark) is mapped shared: the parent writes the CLOCK_MONOTONIC
 * time in nanoseconds just before fork i into 64-bit slot i + 1, then
 * the count of forks done into slot 0.
 *
 * -m: allocates MIB MiB, writes a pattern into every page, publishes
 * the address in bench_mem, forks one child (process B, which only
 * waits: the benchmark reads its copy of the memory) and then calls
 * hit_a() and hit_b() in a loop forever (process A, where the
 * benchmark does its breakpoint cycles).  Built -no-pie: nm gives the
 * run-time addresses.
 *
 * Exit status 0, 1 on usage or setup errors, 2 if a fork or a wait
 * failed or a child did not exit 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "forkinf.h"

#define TREE_MAX_FORKS	100000	/* -s, -a */
#define TREE_MAX_MIB	4096	/* -m */
#define TREE_MIB	(1024 * 1024)	/* bytes */

unsigned char *volatile bench_mem;
volatile unsigned long	tree_count;

void	child_work(long);
void	hit_a(void);
void	hit_b(void);

void __attribute__((noinline))
child_work(long i)
{
	tree_count += (unsigned long)i;
	__asm__ volatile("" ::: "memory");
}

void __attribute__((noinline))
hit_a(void)
{
	tree_count++;
	__asm__ volatile("" ::: "memory");
}

void __attribute__((noinline))
hit_b(void)
{
	tree_count--;
	__asm__ volatile("" ::: "memory");
}

static int
forks(long n, int all, volatile uint64_t *t)
{
	long i;
	int bad = 0;
	pid_t pid;

	for (i = 0; i < n; i++) {
		if (t != NULL)
			t[i + 1] = now_ns();
		if ((pid = fork()) == 0) {
			child_work(i);
			_exit(0);
		}
		if (pid == -1)
			return 2;
		if (t != NULL)
			t[0] = i + 1;
		if (!all && reap(pid) == -1)
			bad = 1;
	}
	if (all && reap_all() == -1)
		bad = 1;
	return bad ? 2 : 0;
}

static int
isolation(long mib)
{
	size_t i, len = (size_t)mib * TREE_MIB;
	unsigned char *p;
	pid_t pid;

	if ((p = malloc(len)) == NULL)
		return 1;
	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(i * 131 + (i >> 9));
	bench_mem = p;
	if ((pid = fork()) == 0) {
		for (;;)
			pause();
	}
	if (pid == -1)
		return 2;
	for (;;) {
		hit_a();
		hit_b();
	}
}

int
main(int argc, char *argv[])
{
	const char *file = NULL;
	long n = -1, mib = -1;
	int ch, all = 0;

	while ((ch = getopt(argc, argv, "a:m:s:t:")) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			/* FALLTHROUGH */
		case 's':
			n = strtol(optarg, NULL, 10);
			break;
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 't':
			file = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc || (n < 0) == (mib < 0) || n > TREE_MAX_FORKS ||
	    mib > TREE_MAX_MIB)
		goto usage;
	if (mib >= 0)
		return isolation(mib);
	return forks(n, all, map_times(file, n));
usage:
	fprintf(stderr, "usage: comptree -s|-a forks [-t file] | -m mib\n");
	return 1;
}
