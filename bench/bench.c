/*
 * bench.c -- measure handoffd against gdbserver and lldb-server.
 *
 * Each round starts every server in turn (so a slow minute of the
 * machine hurts all of them alike), twice: on bench/loop for the
 * breakpoint, continue, g and RSS workloads, and on bench/mem for the
 * memory reads; then the floors (bare ptrace, bare TCP).  A round's
 * value is the median of its iterations; the table gives the median
 * over rounds.
 *
 *	bench [-v] [-r ROUNDS] [-b HITS] [-c HITS] [-g REQS] [-m MIB]
 *	      [-l LOOP] [-M MEM] [-o CSV] [-p CPU] [-q FEATURES]
 *	      [-s KIND[=COMMAND]] ...
 *
 * -o writes every iteration's time, one CSV line each.
 */
#include <err.h>
#include <getopt.h>
#include <sched.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"

enum goal {
	GOAL_NONE,
	GOAL_GDB,	/* a ratio to gdbserver */
	GOAL_FLOOR,	/* a ratio to the ptrace floor */
};

static const struct row {
	enum metric	 r_m;
	const char	*r_name;
	const char	*r_unit;
	int		 r_higher;	/* higher is better */
	enum goal	 r_goal;
	double		 r_limit;	/* the ratio the goal allows */
	const char	*r_goaltext;
} rows[] = {
	{ M_BPCYCLE, "breakpoint cycle (z0, s, Z0, c)", "us/hit", 0,
	    GOAL_GDB, 0.5, "<= 0.5x gdbserver" },
	{ M_CONT, "vCont;c to stop, bp left in (traps again)", "us/stop", 0,
	    GOAL_FLOOR, 2.0, "<= 2x ptrace floor" },
	{ M_G, "g round trip", "us", 0, GOAL_GDB, 1.0, "<= 1x gdbserver" },
	{ M_MREAD, "m read", "MiB/s", 1, GOAL_GDB, 3.0, ">= 3x gdbserver" },
	{ M_XREAD, "x read", "MiB/s", 1, GOAL_GDB, 3.0,
	    ">= 3x gdbserver's best read" },
	{ M_RREAD, "m read, replies through rspc", "MiB/s", 1, GOAL_NONE, 0,
	    "-" },
	{ M_RSS, "idle RSS after connect + stop", "KiB", 0, GOAL_GDB, 1.0,
	    "<= 1x gdbserver" },
	{ M_HWM, "peak RSS (VmHWM)", "KiB", 0, GOAL_NONE, 0, "-" },
};

static struct config cfg = {
	.c_loop = "bench/loop",
	.c_mem = "bench/mem",
	.c_rounds = 3,
	.c_bphits = 20000,
	.c_conthits = 20000,
	.c_greqs = 10000,
	.c_mib = 64,
	.c_features = BENCH_FEATURES,
};
static struct server servers[BENCH_MAX_SERVERS];
static size_t nservers;
static struct sample results[BENCH_MAX_SERVERS][BENCH_MAX_ROUNDS];
static struct floors floors[BENCH_MAX_ROUNDS];

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: bench [-v] [-r rounds] [-b bp-hits] "
	    "[-c cont-hits] [-g g-requests]\n"
	    "\t[-m MiB] [-l loop] [-M mem] [-o csv] [-p cpu] [-q features]\n"
	    "\t[-s kind[=command]] ...\n"
	    "kinds: handoffd, gdbserver, lldb-server\n");
	exit(2);
}

static unsigned long
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v == 0 || v > max)
		errx(2, "bad number: %s (1 to %lu)", s, max);
	return v;
}

/*
 * Run on one CPU, with every server and inferior started from here.  On
 * a small VM a wake-up on another CPU costs tens of microseconds and
 * where the scheduler puts each process changes from run to run; on
 * one CPU the work is what is measured.
 */
static void
pin(const char *arg)
{
	const char *errstr;
	cpu_set_t set;
	int cpu;

	cpu = (int)strtonum(arg, 0, CPU_SETSIZE - 1, &errstr);
	if (errstr != NULL)
		errx(2, "bad cpu: %s (%s)", arg, errstr);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == -1)
		err(1, "cpu %d", cpu);
}

static void
options(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt(argc, argv, "b:c:g:l:m:M:o:p:q:r:s:v")) != -1) {
		switch (ch) {
		case 'b': cfg.c_bphits = number(optarg, 100000000); break;
		case 'c': cfg.c_conthits = number(optarg, 100000000); break;
		case 'g': cfg.c_greqs = number(optarg, 100000000); break;
		case 'l': cfg.c_loop = optarg; break;
		case 'm': cfg.c_mib = number(optarg, 4096); break;
		case 'M': cfg.c_mem = optarg; break;
		case 'o':
			if ((cfg.c_dump = fopen(optarg, "w")) == NULL)
				err(1, "%s", optarg);
			fprintf(cfg.c_dump, "server,round,workload,i,us\n");
			break;
		case 'p': pin(optarg); break;
		case 'q': cfg.c_features = optarg; break;
		case 'r': cfg.c_rounds = number(optarg, BENCH_MAX_ROUNDS);
			break;
		case 's':
			if (nservers == BENCH_MAX_SERVERS ||
			    server_parse(&servers[nservers], optarg) == -1)
				errx(2, "bad server: %s", optarg);
			nservers++;
			break;
		case 'v': cfg.c_verbose++; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
}

static void
symbols(void)
{
	if (symbol_addr(cfg.c_loop, "bench_hit", &cfg.c_hit) == -1 ||
	    symbol_addr(cfg.c_loop, "bench_hits", &cfg.c_hits) == -1)
		errx(1, "%s: no bench_hit or bench_hits", cfg.c_loop);
	if (symbol_addr(cfg.c_mem, "bench_ready", &cfg.c_ready) == -1 ||
	    symbol_addr(cfg.c_mem, "bench_mem", &cfg.c_memp) == -1)
		errx(1, "%s: no bench_ready or bench_mem", cfg.c_mem);
}

/* One session of one server on one inferior. */
static void
session(const struct server *sv, char *const prog[],
    int (*work)(struct sess *, const struct config *, struct sample *),
    struct sample *sa)
{
	struct sess ss;

	if (sess_start(&ss, sv, prog, cfg.c_features) == 0 &&
	    work(&ss, &cfg, sa) == -1) {
		warnx("%s: workload failed; its log: %s", sv->sv_name,
		    ss.ss_log);
		ss.ss_keeplog = 1;
	}
	sess_stop(&ss);
}

static void
measure(const struct server *sv, struct sample *sa)
{
	char count[32], mib[32];
	char *loop[] = { (char *)cfg.c_loop, count, NULL };
	char *mem[] = { (char *)cfg.c_mem, mib, NULL };
	struct sample m;
	int i;

	for (i = 0; i < M_NMETRIC; i++)
		sa->sa_v[i] = m.sa_v[i] = NAN;
	snprintf(count, sizeof(count), "%lu",
	    cfg.c_bphits + cfg.c_conthits + 10);
	snprintf(mib, sizeof(mib), "%lu", cfg.c_mib);
	session(sv, loop, work_loop, sa);
	session(sv, mem, work_mem, &m);
	sa->sa_v[M_MREAD] = m.sa_v[M_MREAD];
	sa->sa_v[M_XREAD] = m.sa_v[M_XREAD];
	sa->sa_v[M_RREAD] = m.sa_v[M_RREAD];
	if (isnan(sa->sa_v[M_HWM]) || m.sa_v[M_HWM] > sa->sa_v[M_HWM])
		sa->sa_v[M_HWM] = m.sa_v[M_HWM];
}

static void
progress(unsigned r, const struct server *sv, const struct sample *sa)
{
	int i;

	fprintf(stderr, "round %u %-12s", r + 1, sv->sv_name);
	for (i = 0; i < M_NMETRIC; i++)
		fprintf(stderr, " %10.1f", sa->sa_v[i]);
	fprintf(stderr, "\n");
}

static void
rounds(void)
{
	unsigned r;
	size_t s;

	if (cfg.c_verbose)
		fprintf(stderr, "%-20s %10s %10s %10s %10s %10s %10s %10s "
		    "%10s\n", "", "bp us", "cont us", "g us", "m MiB/s",
		    "x MiB/s", "m rspc", "RSS KiB", "HWM KiB");
	for (r = 0; r < cfg.c_rounds; r++) {
		cfg.c_round = r + 1;
		for (s = 0; s < nservers; s++) {
			measure(&servers[s], &results[s][r]);
			if (cfg.c_verbose)
				progress(r, &servers[s], &results[s][r]);
		}
		floor_ptrace(&cfg, &floors[r]);
		floor_tcp(&cfg, &floors[r]);
		if (cfg.c_verbose)
			fprintf(stderr, "round %u %-12s %10.1f %10.1f %10.1f\n",
			    r + 1, "floors", floors[r].f_cycle,
			    floors[r].f_retrap, floors[r].f_rtt);
	}
}

/* The median over rounds of one metric of server s. */
static double
value(size_t s, enum metric m)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned r;

	for (r = 0; r < cfg.c_rounds; r++)
		v[r] = results[s][r].sa_v[m];
	return median(v, cfg.c_rounds);
}

/* The median over rounds of the floor of a metric; NAN if none. */
static double
floor_value(enum metric m)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned r;

	for (r = 0; r < cfg.c_rounds; r++) {
		switch (m) {
		case M_BPCYCLE: v[r] = floors[r].f_cycle; break;
		case M_CONT: v[r] = floors[r].f_retrap; break;
		case M_G: v[r] = floors[r].f_rtt; break;
		default: v[r] = NAN; break;
		}
	}
	return median(v, cfg.c_rounds);
}

/* The first server of a kind, or -1. */
static ssize_t
find_kind(enum srv_kind k)
{
	size_t s;

	for (s = 0; s < nservers; s++) {
		if (servers[s].sv_kind == k)
			return (ssize_t)s;
	}
	return -1;
}

/* What handoffd is compared with on a row; NAN if there is none. */
static double
reference(const struct row *rw)
{
	ssize_t g = find_kind(SRV_GDBSERVER);
	double v;

	if (rw->r_goal == GOAL_FLOOR)
		return floor_value(rw->r_m);
	if (g == -1)
		return NAN;
	v = value(g, rw->r_m);
	if (rw->r_m == M_XREAD && (isnan(v) || value(g, M_MREAD) > v))
		v = value(g, M_MREAD);	/* gdbserver's best read */
	return v;
}

static void
print_num(double v)
{
	if (isnan(v))
		printf(" n/a |");
	else if (v >= 1000)
		printf(" %.0f |", v);
	else
		printf(" %.1f |", v);
}

/* The last two columns: handoffd against the goal. */
static void
print_goal(const struct row *rw, double h, double ref)
{
	double ratio = h / ref;
	int met;

	if (rw->r_goal == GOAL_NONE || isnan(ratio)) {
		printf(" %s | - |\n", rw->r_goaltext);
		return;
	}
	met = rw->r_higher ? ratio >= rw->r_limit : ratio <= rw->r_limit;
	printf(" %s | %.2fx %s: %s |\n", rw->r_goaltext, ratio,
	    rw->r_goal == GOAL_FLOOR ? "floor" : "gdbserver",
	    met ? "met" : "**missed**");
}

/* The ratio of each server to gdbserver, as columns. */
static void
print_ratios(enum metric m)
{
	ssize_t g = find_kind(SRV_GDBSERVER);
	double r;
	size_t s;

	for (s = 0; s < nservers; s++) {
		if (g == -1 || (ssize_t)s == g)
			continue;
		r = value(s, m) / value(g, m);
		if (isnan(r))
			printf(" - |");
		else
			printf(" %.2f |", r);
	}
}

static void
print_row(const struct row *rw)
{
	ssize_t h = find_kind(SRV_HANDOFFD);
	size_t s;

	printf("| %s | %s |", rw->r_name, rw->r_unit);
	for (s = 0; s < nservers; s++)
		print_num(value(s, rw->r_m));
	print_num(floor_value(rw->r_m));
	print_ratios(rw->r_m);
	print_goal(rw, h == -1 ? NAN : value(h, rw->r_m), reference(rw));
}

static void
table(void)
{
	ssize_t g = find_kind(SRV_GDBSERVER);
	size_t s, i;

	printf("rounds %u; per round: %lu breakpoint cycles, %lu continues, "
	    "%lu g, %lu MiB read with m and with x\n\n", cfg.c_rounds,
	    cfg.c_bphits, cfg.c_conthits, cfg.c_greqs, cfg.c_mib);
	printf("| workload | unit |");
	for (s = 0; s < nservers; s++)
		printf(" %s |", servers[s].sv_name);
	printf(" floor |");
	for (s = 0; s < nservers; s++) {
		if (g != -1 && (ssize_t)s != g)
			printf(" %s/gdbserver |", servers[s].sv_name);
	}
	printf(" goal for handoffd | handoffd |\n|---|---|");
	for (s = 0; s < nservers; s++)
		printf("---:|");
	printf("---:|");
	for (s = 0; s < nservers; s++) {
		if (g != -1 && (ssize_t)s != g)
			printf("---:|");
	}
	printf("---|---|\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		print_row(&rows[i]);
}

int
main(int argc, char *argv[])
{
	options(argc, argv);
	if (nservers == 0) {
		server_parse(&servers[nservers++], "handoffd");
		server_parse(&servers[nservers++], "gdbserver");
		server_parse(&servers[nservers++], "lldb-server");
	}
	symbols();
	rounds();
	table();
	if (cfg.c_dump != NULL && fclose(cfg.c_dump) == EOF)
		err(1, "-o");
	sess_reap();
	return 0;
}
