/*
 * forkinf.h -- what the forking inferiors bench/forkloop (of bench/fork)
 * and bench/comptree (of bench/compare) share: the clock and the shared
 * file they write the moment of each fork to, and reaping.  forkinf.c is
 * built into both by bench/run.
 */
#ifndef BENCH_FORKINF_H
#define BENCH_FORKINF_H

#include <sys/types.h>

#include <stdint.h>

uint64_t	 now_ns(void);
volatile uint64_t *map_times(const char *file, long forks);
int		 reap(pid_t);
int		 reap_all(void);

#endif /* BENCH_FORKINF_H */
