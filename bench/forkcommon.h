/*
 * forkcommon.h -- what bench/fork and bench/compare share: option
 * numbers, the inferior's shared file of fork moments, handoffd on a
 * unix socket, the subreaper's clean-up, %Handoff notes and the cells of
 * a markdown table.  forkcommon.c is built into both by bench/run.
 */
#ifndef BENCH_FORKCOMMON_H
#define BENCH_FORKCOMMON_H

#include "bench/bench.h"

#define FC_PATH		108	/* bytes of a unix socket path */

/* The shared file the inferior writes the moment of each fork to. */
struct times {
	char		 t_file[64];
	volatile uint64_t *t_v;		/* slot 0: forks done; i + 1: fork i */
	size_t		 t_len;		/* bytes mapped */
};

long	 number(const char *, long min, long max);
int	 times_open(struct times *, const char *tmpl, long forks);
void	 times_close(struct times *);
double	 fork_at(const struct times *, long i);
int	 unix_start(struct sess *, const struct server *, char *const prog[],
	    char *path, size_t pathcap);
void	 reap_orphans(unsigned settle_us);
long	 handoff_pid(const char *note);
void	 server_add(struct server *, bool *have, const char *spec);
double	 ratio(double, double);
void	 cell(double, const char *fmt);
const char *verdict(double, double goal);

#endif /* BENCH_FORKCOMMON_H */
