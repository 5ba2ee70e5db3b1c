/*
 * work.c -- the workloads, over the protocol.
 *
 * work_loop runs on bench/loop: the breakpoint cycle as gdb drives it,
 * continue-to-breakpoint with the breakpoint left in, g round trips,
 * and the server's RSS.  work_mem runs on bench/mem: read the buffer
 * with m through rspc, then with m and x through the lean reader.  Both
 * check what they measured: the inferior's hit counter must have moved
 * once per breakpoint cycle and not at all per continue, and the bytes
 * read must be the pattern mem.c wrote.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

#define WORK_FRAMING	32	/* bytes of a reply that are not data */

/* A request whose reply must be exactly want. */
static int __attribute__((format(printf, 3, 4)))
expect(struct sess *ss, const char *want, const char *fmt, ...)
{
	char buf[128];
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (rspc_requeststr(ss->ss_rc, buf, &r) == -1) {
		warn("%s: %s", ss->ss_srv->sv_name, buf);
		return -1;
	}
	if (strcmp(r, want) != 0) {
		warnx("%s: %s: got \"%.40s\"", ss->ss_srv->sv_name, buf, r);
		return -1;
	}
	return 0;
}

/* Resume and wait for a SIGTRAP stop. */
static int
resume(struct sess *ss, const char *how)
{
	const char *r;

	if (rspc_send(ss->ss_rc, how, strlen(how)) == -1 ||
	    rspc_wait(ss->ss_rc, &r) == -1) {
		warn("%s: %s", ss->ss_srv->sv_name, how);
		return -1;
	}
	if (strncmp(r, "T05", 3) != 0 || sess_stopreply(ss, r) == -1) {
		warnx("%s: %s: stopped with \"%.40s\"", ss->ss_srv->sv_name,
		    how, r);
		return -1;
	}
	return 0;
}

/* Eight bytes of the inferior, little-endian. */
static int
read_u64(struct sess *ss, uint64_t addr, uint64_t *v)
{
	unsigned char b[8];
	const char *r;
	ssize_t n;
	int i;

	n = rspc_requestf(ss->ss_rc, &r, "m%" PRIx64 ",8", addr);
	if (n != 16 || rsp_fromhex(b, r, 8) == -1) {
		warnx("%s: cannot read %#" PRIx64, ss->ss_srv->sv_name, addr);
		return -1;
	}
	for (*v = 0, i = 7; i >= 0; i--)
		*v = *v << 8 | b[i];
	return 0;
}

/* One hit as gdb handles it: out, step, in, continue. */
static int
bp_cycle_one(struct sess *ss, uint64_t addr)
{
	char step[96];

	snprintf(step, sizeof(step), "vCont;s:%s", ss->ss_thread);
	if (expect(ss, "OK", "z0,%" PRIx64 ",1", addr) == -1 ||
	    resume(ss, step) == -1 ||
	    expect(ss, "OK", "Z0,%" PRIx64 ",1", addr) == -1 ||
	    resume(ss, "vCont;c") == -1)
		return -1;
	return 0;
}

/*
 * Check how often bench_hit ran over n stops: once per breakpoint
 * cycle (its step runs the breakpoint's instruction), and never when
 * each continue traps on the breakpoint still in place (what all three
 * servers do: gdb expects the trap and steps over by itself).
 */
static int
check_hits(struct sess *ss, const struct config *cfg, uint64_t before,
    unsigned long n, int retrap, const char *what)
{
	uint64_t after, want = retrap ? 0 : n;

	if (read_u64(ss, cfg->c_hits, &after) == -1)
		return -1;
	if (after - before != want) {
		warnx("%s: %s: %lu stops but bench_hit ran %" PRIu64 " times",
		    ss->ss_srv->sv_name, what, n, after - before);
		return -1;
	}
	return 0;
}

/*
 * Time n calls of one step; the median in us, NAN on failure.  With -v,
 * say how much of the mean was the client's own CPU time; with -o,
 * write down every call's time.
 */
static double
timed(struct sess *ss, const struct config *cfg, unsigned long n,
    int (*fn)(struct sess *, uint64_t), uint64_t arg, const char *what)
{
	double *t, t0, w0, c0, m = NAN;
	unsigned long i;

	if ((t = calloc(n, sizeof(*t))) == NULL)
		return NAN;
	w0 = now_us();
	c0 = cpu_us();
	for (i = 0; i < n; i++) {
		t0 = now_us();
		if (fn(ss, arg) == -1)
			goto out;
		t[i] = now_us() - t0;
	}
	m = median(t, n);
	if (cfg->c_verbose)
		fprintf(stderr, "%s: %s: mean %.1f us, client CPU %.1f us\n",
		    ss->ss_srv->sv_name, what, (now_us() - w0) / n,
		    (cpu_us() - c0) / n);
	for (i = 0; cfg->c_dump != NULL && i < n; i++)
		fprintf(cfg->c_dump, "%s,%u,%s,%lu,%.3f\n",
		    ss->ss_srv->sv_name, cfg->c_round, what, i, t[i]);
out:
	free(t);
	return m;
}

/* Continue at the breakpoint: the thread traps on it again at once. */
static int
cont_one(struct sess *ss, uint64_t unused)
{
	(void)unused;
	return resume(ss, "vCont;c");
}

static int
g_one(struct sess *ss, uint64_t unused)
{
	const char *r;
	ssize_t n;

	(void)unused;
	if ((n = rspc_requeststr(ss->ss_rc, "g", &r)) <= 0 || r[0] == 'E') {
		warnx("%s: g failed", ss->ss_srv->sv_name);
		return -1;
	}
	return 0;
}

/* A timed run of fn, checked against bench_hits. */
static double
counted(struct sess *ss, const struct config *cfg, unsigned long n,
    int (*fn)(struct sess *, uint64_t), uint64_t arg, int retrap)
{
	const char *what = retrap ? "continue" : "breakpoint cycle";
	uint64_t before;
	double m;

	if (read_u64(ss, cfg->c_hits, &before) == -1)
		return NAN;
	m = timed(ss, cfg, n, fn, arg, what);
	if (!isnan(m) && check_hits(ss, cfg, before, n, retrap, what) == -1)
		return NAN;
	return m;
}

int
work_loop(struct sess *ss, const struct config *cfg, struct sample *sa)
{
	if (expect(ss, "OK", "Z0,%" PRIx64 ",1", cfg->c_hit) == -1 ||
	    resume(ss, "vCont;c") == -1)
		return -1;
	sa->sa_v[M_RSS] = proc_status_kib(ss->ss_pid, "VmRSS");
	sa->sa_v[M_BPCYCLE] = counted(ss, cfg, cfg->c_bphits, bp_cycle_one,
	    cfg->c_hit, 0);
	if (isnan(sa->sa_v[M_BPCYCLE]))
		return -1;
	sa->sa_v[M_CONT] = counted(ss, cfg, cfg->c_conthits, cont_one, 0, 1);
	if (isnan(sa->sa_v[M_CONT]))
		return -1;
	sa->sa_v[M_G] = timed(ss, cfg, cfg->c_greqs, g_one, 0, "g");
	sa->sa_v[M_HWM] = proc_status_kib(ss->ss_pid, "VmHWM");
	return isnan(sa->sa_v[M_G]) ? -1 : 0;
}

/* ------------------------------------------------------------ memory */

/* The byte mem.c wrote at offset i. */
static unsigned char
pattern(uint64_t i)
{
	return (unsigned char)(i * 131 + (i >> 9));
}

static int
check_pattern(struct sess *ss, const unsigned char *buf, size_t len,
    char op)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != pattern(i)) {
			warnx("%s: %c read: byte %zu is %#x, not %#x",
			    ss->ss_srv->sv_name, op, i, buf[i], pattern(i));
			return -1;
		}
	}
	return 0;
}

/* How one pass over the buffer reads. */
struct reader {
	struct sess	*rd_ss;
	char		 rd_op;		/* 'm' or 'x' */
	int		 rd_prefix;	/* 1 if an x reply starts "b" */
	struct lean	*rd_lean;	/* NULL: replies through rspc */
};

/* One request, the reply through rspc; bytes got, or -1. */
static ssize_t
chunk_rspc(struct reader *rd, uint64_t addr, size_t want,
    unsigned char *dst)
{
	const char *r;
	ssize_t n;

	n = rspc_requestf(rd->rd_ss->ss_rc, &r, "m%" PRIx64 ",%zx", addr,
	    want);
	if (n <= 0 || n % 2 != 0 || (size_t)n / 2 > want ||
	    rsp_fromhex(dst, r, n / 2) == -1)
		return -1;
	return n / 2;
}

/* One request through rspc, the reply off the socket; bytes, or -1. */
static ssize_t
chunk_lean(struct reader *rd, uint64_t addr, size_t want,
    unsigned char *dst)
{
	struct rspc *rc = rd->rd_ss->ss_rc;
	const char *r;
	char req[64];
	ssize_t n;
	int len;

	len = snprintf(req, sizeof(req), "%c%" PRIx64 ",%zx", rd->rd_op,
	    addr, want);
	if (rspc_send(rc, req, len) == -1 ||
	    (n = lean_read(rd->rd_lean, rc->r_fd, rc->r_timeout_ms, &r)) <= 0)
		return -1;
	if (n <= rd->rd_prefix || (rd->rd_prefix && r[0] != 'b') ||
	    (n == 3 && r[0] == 'E'))
		return -1;
	return lean_decode(rd->rd_lean, r + rd->rd_prefix,
	    n - rd->rd_prefix, rd->rd_op == 'x', dst, want);
}

/*
 * Read len bytes in requests of at most chunk bytes; MiB/s or NAN.
 * With -v, say how busy the client itself was.
 */
static double
read_all(struct reader *rd, uint64_t addr, size_t len, size_t chunk,
    unsigned char *dst, int verbose)
{
	size_t off, want;
	double t0, c0, t;
	ssize_t n;

	t0 = now_us();
	c0 = cpu_us();
	for (off = 0; off < len; off += n) {
		want = len - off < chunk ? len - off : chunk;
		n = rd->rd_lean != NULL ? chunk_lean(rd, addr + off, want,
		    dst + off) : chunk_rspc(rd, addr + off, want, dst + off);
		if (n <= 0) {
			warnx("%s: %c%" PRIx64 ",%zx failed",
			    rd->rd_ss->ss_srv->sv_name, rd->rd_op, addr + off,
			    want);
			return NAN;
		}
	}
	t = now_us() - t0;
	if (verbose)
		fprintf(stderr, "%s: %c %s: %zu-byte requests, client busy "
		    "%.0f%% of %.0f ms\n", rd->rd_ss->ss_srv->sv_name,
		    rd->rd_op, rd->rd_lean != NULL ? "lean" : "rspc", chunk,
		    100 * (cpu_us() - c0) / t, t / 1e3);
	return len / (double)BENCH_MIB / (t / 1e6);
}

/*
 * Does x work, and is its reply "b" + data (gdb 16) or bare data
 * (lldb)?  The first byte of the buffer is pattern(0) = 0, never 'b'.
 * 1 with a prefix, 0 without, -1 unsupported.
 */
static int
x_probe(struct sess *ss, uint64_t addr)
{
	const char *r;
	ssize_t n;

	n = rspc_requestf(ss->ss_rc, &r, "x%" PRIx64 ",1", addr);
	if (n == 2 && r[0] == 'b' && (unsigned char)r[1] == pattern(0))
		return 1;
	if (n == 1 && (unsigned char)r[0] == pattern(0))
		return 0;
	return -1;
}

/* One pass: NAN unless every byte read is the pattern. */
static double
pass(struct reader *rd, uint64_t addr, size_t len, size_t chunk,
    unsigned char *buf, int verbose)
{
	double v;

	memset(buf, 0xff, len);
	v = read_all(rd, addr, len, chunk, buf, verbose);
	if (isnan(v) || check_pattern(rd->rd_ss, buf, len, rd->rd_op) == -1)
		return NAN;
	return v;
}

static int
mem_reads(struct sess *ss, const struct config *cfg, uint64_t addr,
    unsigned char *buf, struct sample *sa)
{
	size_t len = cfg->c_mib * BENCH_MIB;
	size_t chunk = ss->ss_packetsize - WORK_FRAMING;
	struct reader rd = { .rd_ss = ss, .rd_op = 'm' };
	struct lean lean;
	int rv = -1;

	sa->sa_v[M_RREAD] = pass(&rd, addr, len, chunk / 2, buf,
	    cfg->c_verbose);
	if (rsp_buf_used(&ss->ss_rc->r_in) != 0 ||
	    lean_init(&lean, ss->ss_packetsize * 2) == -1)
		return -1;
	rd.rd_lean = &lean;
	sa->sa_v[M_MREAD] = pass(&rd, addr, len, chunk / 2, buf,
	    cfg->c_verbose);
	if (isnan(sa->sa_v[M_RREAD]) || isnan(sa->sa_v[M_MREAD]))
		goto out;
	rv = 0;
	if ((rd.rd_prefix = x_probe(ss, addr)) == -1)
		goto out;		/* n/a */
	rd.rd_op = 'x';
	sa->sa_v[M_XREAD] = pass(&rd, addr, len, chunk, buf, cfg->c_verbose);
	if (isnan(sa->sa_v[M_XREAD]))
		rv = -1;
out:
	lean_free(&lean);
	return rv;
}

int
work_mem(struct sess *ss, const struct config *cfg, struct sample *sa)
{
	uint64_t addr;
	unsigned char *buf;
	int rv;

	if (ss->ss_packetsize <= WORK_FRAMING * 2) {
		warnx("%s: PacketSize %zu", ss->ss_srv->sv_name,
		    ss->ss_packetsize);
		return -1;
	}
	if (expect(ss, "OK", "Z0,%" PRIx64 ",1", cfg->c_ready) == -1 ||
	    resume(ss, "vCont;c") == -1 ||
	    read_u64(ss, cfg->c_memp, &addr) == -1)
		return -1;
	if ((buf = malloc(cfg->c_mib * BENCH_MIB)) == NULL)
		return -1;
	rv = mem_reads(ss, cfg, addr, buf, sa);	/* mem.c has c_mib MiB */
	free(buf);
	return rv;
}
