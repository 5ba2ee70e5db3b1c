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
 *
 * With -P the benchmark measures sessions obtained through a daemon
 * instead: first -n session starts per daemon (interleaved, lldb's
 * sequence: platform connect and handshake, qLaunchGDBServer, connect
 * to the port named, handshake, vRun, first stop), then -r rounds of
 * the loop workloads on sessions started that way, beside the same
 * workloads on servers started directly (kinds handoffd, lldb-server).
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
	.c_starts = 100,
};
static int platform_mode;	/* -P */
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
	    "       bench -P [-n starts] [options as above]\n"
	    "kinds: handoffd, gdbserver, lldb-server; with -P also\n"
	    "\thandoffd-platform, lldb-platform, handoffd-multi\n");
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

	while ((ch = getopt(argc, argv, "b:c:g:l:m:M:n:o:p:Pq:r:s:v")) != -1) {
		switch (ch) {
		case 'b': cfg.c_bphits = number(optarg, 100000000); break;
		case 'c': cfg.c_conthits = number(optarg, 100000000); break;
		case 'g': cfg.c_greqs = number(optarg, 100000000); break;
		case 'l': cfg.c_loop = optarg; break;
		case 'm': cfg.c_mib = number(optarg, 4096); break;
		case 'M': cfg.c_mem = optarg; break;
		case 'n': cfg.c_starts = number(optarg, 100000); break;
		case 'P': platform_mode = 1; break;
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
	if (platform_mode)
		return;			/* no memory workloads */
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


/* ------------------------------------------------------------ -P */

static double *starts[BENCH_MAX_SERVERS][PH_N];	/* c_starts values each */
static double *launch_floor;			/* c_starts values */

static const char *const phase_names[PH_N] = {
	"platform connect + handshake", "qLaunchGDBServer",
	"connect + handshake", "vRun to first stop", "session start",
};

static double *
nans(size_t n)
{
	double *v;
	size_t i;

	if ((v = calloc(n, sizeof(*v))) == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++)
		v[i] = NAN;
	return v;
}

static void
sample_clear(struct sample *sa)
{
	int i;

	for (i = 0; i < M_NMETRIC; i++)
		sa->sa_v[i] = NAN;
}

/* Session starts, interleaved: each daemon in turn, then the floor. */
static void
run_starts(struct daemon *d, char *const prog[])
{
	struct sess ss;
	double ph[PH_N];
	unsigned long i;
	size_t k, s;
	int j;

	for (s = 0; s < nservers; s++) {
		for (j = 0; j < PH_N; j++)
			starts[s][j] = nans(cfg.c_starts);
	}
	launch_floor = nans(cfg.c_starts);
	/* One start each that is not counted: caches, first accept. */
	for (s = 0; s < nservers; s++) {
		if (srv_is_daemon(&servers[s])) {
			psess_start(&ss, &d[s], prog, BENCH_LLDB_FEATURES, true,
			    ph);
			psess_stop(&ss);
		}
	}
	for (i = 0; i < cfg.c_starts; i++) {
		for (k = 0; k < nservers; k++) {
			s = (i + k) % nservers;	/* no server always first */
			if (!srv_is_daemon(&servers[s]))
				continue;
			if (psess_start(&ss, &d[s], prog, BENCH_LLDB_FEATURES,
			    true, ph) == 0) {
				for (j = 0; j < PH_N; j++)
					starts[s][j][i] = ph[j];
			}
			psess_stop(&ss);
			if (cfg.c_dump != NULL)
				fprintf(cfg.c_dump, "%s,0,session start,%lu,"
				    "%.3f\n", servers[s].sv_name, i,
				    starts[s][PH_TOTAL][i]);
		}
		launch_floor[i] = floor_launch(&cfg);
	}
}

/* The loop workloads, on sessions through the daemons or direct. */
static void
run_cycles(struct daemon *d, char *const prog[])
{
	struct sess ss;
	struct sample *sa;
	double ph[PH_N];
	unsigned r;
	size_t k, s;

	if (cfg.c_verbose)
		fprintf(stderr, "%-25s %10s %10s %10s %10s %10s %10s %10s "
		    "%10s\n", "", "bp us", "cont us", "g us", "m MiB/s",
		    "x MiB/s", "m rspc", "RSS KiB", "HWM KiB");
	for (r = 0; r < cfg.c_rounds; r++) {
		cfg.c_round = r + 1;
		for (k = 0; k < nservers; k++) {
			s = (r + k) % nservers;
			sa = &results[s][r];
			sample_clear(sa);
			if (!srv_is_daemon(&servers[s]))
				session(&servers[s], prog, work_loop, sa);
			else {
				if (psess_start(&ss, &d[s], prog,
				    cfg.c_features, false, ph) == 0 &&
				    work_loop(&ss, &cfg, sa) == -1)
					warnx("%s: workload failed",
					    servers[s].sv_name);
				psess_stop(&ss);
			}
			if (cfg.c_verbose)
				progress(r, &servers[s], sa);
		}
	}
}

static void
platform_rounds(void)
{
	struct daemon d[BENCH_MAX_SERVERS];
	char count[32];
	char *prog[] = { (char *)cfg.c_loop, count, NULL };
	size_t s;

	snprintf(count, sizeof(count), "%lu",
	    cfg.c_bphits + cfg.c_conthits + 10);
	for (s = 0; s < nservers; s++) {
		d[s].d_pid = -1;
		if (srv_is_daemon(&servers[s]) &&
		    daemon_start(&d[s], &servers[s]) == -1)
			errx(1, "%s did not start", servers[s].sv_name);
	}
	run_starts(d, prog);
	run_cycles(d, prog);
	for (s = 0; s < nservers; s++)
		daemon_stop(&d[s]);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, mean, 10th and 90th percentile of the values not NAN. */
struct stats {
	double		 st_med, st_mean, st_p10, st_p90;
	size_t		 st_n, st_failed;
};

static struct stats
stats(const double *v, size_t n)
{
	struct stats st = { NAN, NAN, NAN, NAN, 0, 0 };
	double *s, sum = 0;
	size_t i, k;

	if ((s = calloc(n + 1, sizeof(*s))) == NULL)
		return st;
	for (i = k = 0; i < n; i++) {
		if (!isnan(v[i])) {
			s[k++] = v[i];
			sum += v[i];
		}
	}
	st.st_n = k;
	st.st_failed = n - k;
	if (k > 0) {
		qsort(s, k, sizeof(*s), cmp_d);
		st.st_med = median(s, k);
		st.st_mean = sum / k;
		st.st_p10 = s[(k - 1) / 10];
		st.st_p90 = s[(k - 1) * 9 / 10];
	}
	free(s);
	return st;
}

/* The server started directly that a daemon's sessions compare with. */
static ssize_t
direct_of(size_t s)
{
	switch (servers[s].sv_kind) {
	case SRV_HPLATFORM:
	case SRV_HMULTI:
		return find_kind(SRV_HANDOFFD);
	case SRV_LPLATFORM:
		return find_kind(SRV_LLDB);
	default:
		return -1;
	}
}

static void
num(double v)
{
	if (isnan(v))
		printf(" n/a |");
	else if (v >= 1000)
		printf(" %.0f |", v);
	else
		printf(" %.1f |", v);
}

static void
ratio(double v)
{
	if (isnan(v))
		printf(" - |");
	else
		printf(" %.3f |", v);
}

static void
starts_table(void)
{
	ssize_t l = find_kind(SRV_LPLATFORM), h = find_kind(SRV_HPLATFORM);
	struct stats st, ref, ph;
	size_t s;
	int j;

	printf("### Session start through a daemon\n\n");
	printf("%lu session starts per server, interleaved (plus one not "
	    "counted); us per start, from the first connect to the first "
	    "stop reply.  On each connection: QStartNoAckMode, "
	    "qSupported:%s, qHostInfo; on a platform then "
	    "qLaunchGDBServer;host:127.0.0.1; and a connection to the port "
	    "named; then vRun of the loop program\n\n", cfg.c_starts,
	    BENCH_LLDB_FEATURES);
	printf("| server | median | mean | p10 | p90 |");
	for (j = 0; j < PH_TOTAL; j++)
		printf(" %s (median) |", phase_names[j]);
	printf(" median / lldb-platform | mean / lldb-platform |\n");
	printf("|---|---:|---:|---:|---:|");
	for (j = 0; j < PH_TOTAL; j++)
		printf("---:|");
	printf("---:|---:|\n");
	ref = l == -1 ? stats(NULL, 0) : stats(starts[l][PH_TOTAL],
	    cfg.c_starts);
	for (s = 0; s < nservers; s++) {
		if (!srv_is_daemon(&servers[s]))
			continue;
		st = stats(starts[s][PH_TOTAL], cfg.c_starts);
		printf("| %s |", servers[s].sv_name);
		num(st.st_med);
		num(st.st_mean);
		num(st.st_p10);
		num(st.st_p90);
		for (j = 0; j < PH_TOTAL; j++) {
			ph = stats(starts[s][j], cfg.c_starts);
			num(ph.st_med);
		}
		ratio(st.st_med / ref.st_med);
		ratio(st.st_mean / ref.st_mean);
		printf("\n");
		if (st.st_failed > 0)
			warnx("%s: %zu of %lu session starts failed",
			    servers[s].sv_name, st.st_failed, cfg.c_starts);
	}
	st = stats(launch_floor, cfg.c_starts);
	printf("| floor: fork, PTRACE_TRACEME, exec, first stop |");
	num(st.st_med);
	num(st.st_mean);
	num(st.st_p10);
	num(st.st_p90);
	for (j = 0; j < PH_TOTAL; j++)
		printf(" - |");
	ratio(st.st_med / ref.st_med);
	ratio(st.st_mean / ref.st_mean);
	printf("\n\n");
	if (h != -1 && l != -1) {
		st = stats(starts[h][PH_TOTAL], cfg.c_starts);
		printf("goal: handoffd platform faster than lldb-server "
		    "platform: %.3fx by the median, %.3fx by the mean: %s\n\n",
		    st.st_med / ref.st_med, st.st_mean / ref.st_mean,
		    st.st_med < ref.st_med && st.st_mean < ref.st_mean ?
		    "met" : "**missed**");
	}
}

/* Median, min and max over rounds of server s's metric m. */
static void
over_rounds(size_t s, enum metric m, double *med, double *lo, double *hi)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned r;

	*lo = *hi = NAN;
	for (r = 0; r < cfg.c_rounds; r++) {
		v[r] = results[s][r].sa_v[m];
		if (isnan(v[r]))
			continue;
		if (isnan(*lo) || v[r] < *lo)
			*lo = v[r];
		if (isnan(*hi) || v[r] > *hi)
			*hi = v[r];
	}
	*med = median(v, cfg.c_rounds);
}

/* Per-round ratios of s to b: their median, min and max. */
static void
ratio_rounds(size_t s, size_t b, enum metric m, double *med, double *lo,
    double *hi)
{
	double v[BENCH_MAX_ROUNDS];
	unsigned r;

	*lo = *hi = NAN;
	for (r = 0; r < cfg.c_rounds; r++) {
		v[r] = results[s][r].sa_v[m] / results[b][r].sa_v[m];
		if (isnan(v[r]))
			continue;
		if (isnan(*lo) || v[r] < *lo)
			*lo = v[r];
		if (isnan(*hi) || v[r] > *hi)
			*hi = v[r];
	}
	*med = median(v, cfg.c_rounds);
}

static const struct prow {
	enum metric	 p_m;
	const char	*p_name;
	const char	*p_unit;
} prows[] = {
	{ M_BPCYCLE, "breakpoint cycle (z0, s, Z0, c)", "us/hit" },
	{ M_CONT, "vCont;c to stop, bp left in", "us/stop" },
	{ M_G, "g round trip", "us" },
	{ M_RSS, "server RSS after connect + stop", "KiB" },
};

static void
cycles_table(void)
{
	double med, lo, hi;
	ssize_t b, h = find_kind(SRV_HPLATFORM), hd = find_kind(SRV_HANDOFFD);
	size_t s, i;

	printf("### The loop workloads on sessions through a daemon\n\n");
	printf("rounds %u; per round: %lu breakpoint cycles, %lu continues, "
	    "%lu g; each cell: median over rounds (min..max over rounds) "
	    "of the per-round medians; ratios are per round, server against "
	    "the same server started directly in the same round\n\n",
	    cfg.c_rounds, cfg.c_bphits, cfg.c_conthits, cfg.c_greqs);
	printf("| workload | unit |");
	for (s = 0; s < nservers; s++)
		printf(" %s |", servers[s].sv_name);
	for (s = 0; s < nservers; s++) {
		if ((b = direct_of(s)) != -1)
			printf(" %s/%s |", servers[s].sv_name,
			    servers[b].sv_name);
	}
	printf("\n|---|---|");
	for (s = 0; s < nservers; s++)
		printf("---:|");
	for (s = 0; s < nservers; s++) {
		if (direct_of(s) != -1)
			printf("---:|");
	}
	printf("\n");
	for (i = 0; i < sizeof(prows) / sizeof(prows[0]); i++) {
		printf("| %s | %s |", prows[i].p_name, prows[i].p_unit);
		for (s = 0; s < nservers; s++) {
			over_rounds(s, prows[i].p_m, &med, &lo, &hi);
			if (prows[i].p_m == M_RSS)
				printf(" %.0f (%.0f..%.0f) |", med, lo, hi);
			else
				printf(" %.1f (%.1f..%.1f) |", med, lo, hi);
		}
		for (s = 0; s < nservers; s++) {
			if ((b = direct_of(s)) == -1)
				continue;
			ratio_rounds(s, b, prows[i].p_m, &med, &lo, &hi);
			printf(" %.3f (%.3f..%.3f) |", med, lo, hi);
		}
		printf("\n");
	}
	printf("\n");
	if (h != -1 && hd != -1) {
		double noise, v;

		/* Noise: how far handoffd's own rounds stray from its median. */
		over_rounds(hd, M_BPCYCLE, &v, &lo, &hi);
		noise = hi / v - 1 > 1 - lo / v ? hi / v - 1 : 1 - lo / v;
		ratio_rounds(h, hd, M_BPCYCLE, &med, &lo, &hi);
		printf("goal: the breakpoint cycle through handoffd platform "
		    "costs the same as on handoffd gdbserver: %.3fx "
		    "(per round %.3f..%.3f); handoffd's own rounds stray up to "
		    "%.1f%% from their median: %s\n\n", med, lo, hi,
		    100 * noise, (med > 1 ? med - 1 : 1 - med) <= noise ? "met (within noise)" :
		    med < 1 ? "met (faster)" : "**missed**");
	}
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
	if (platform_mode) {
		platform_rounds();
		starts_table();
		cycles_table();
	} else {
		rounds();
		table();
	}
	if (cfg.c_dump != NULL && fclose(cfg.c_dump) == EOF)
		err(1, "-o");
	sess_reap();
	return 0;
}
