/*
 * check_regs.c -- unit tests for the register list, register access and
 * the target description (platform/regs.c, platform/tdesc.c).
 *
 * Tests that need a thread fork a child that asks to be traced and stops
 * itself; the test process is its tracer.  Tests of register formats
 * work on snapshots made by hand.
 */
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/regs.h"
#include "tests/ck.h"

#define XS_BV		512	/* XSTATE_BV in an XSAVE area */
#define FX_SIZE		512	/* bytes of the FXSAVE area */
#define NFIXED		60	/* registers every x86-64 has: 0-59 */

/* gdb's amd64-linux numbering of the registers every machine has. */
static const char *fixed_names[NFIXED] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"rip", "eflags", "cs", "ss", "ds", "es", "fs", "gs",
	"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7",
	"fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop",
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
	"mxcsr", "orig_rax", "fs_base", "gs_base",
};

/* A watched variable; the same address in the forked child. */
static volatile int watched;

/* ---------------------------------------------------------- helpers */

static void
setup(void)
{
	ck_assert_int_eq(regs_init(), 0);
}

/* Fork a child that is traced by us and stopped in SIGSTOP. */
static pid_t
child_start(void)
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1)
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			pause();
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSTOPPED(status));
	ck_assert_int_eq(WSTOPSIG(status), SIGSTOP);
	return (pid);
}

static void
child_end(pid_t pid)
{
	int	 status;

	kill(pid, SIGKILL);
	(void)waitpid(pid, &status, 0);
}

static struct regs *
regs_new(void)
{
	struct regs	*r;

	r = aligned_alloc(64, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	memset(r, 0, sizeof(*r));
	return (r);
}

static unsigned
num(const char *name)
{
	int	 n = regs_lookup(name);

	ck_assert_msg(n >= 0, "no register %s", name);
	return ((unsigned)n);
}

static bool
have(const char *name)
{
	return (regs_lookup(name) >= 0);
}

static uint64_t
get_u64(const struct regs *r, const char *name)
{
	uint8_t		 buf[REGS_MAX_REG_BYTES];
	uint64_t	 v = 0;
	int		 n;

	memset(buf, 0, sizeof(buf));
	n = regs_get(r, num(name), buf);
	ck_assert_int_ge(n, 1);
	ck_assert_int_le(n, 8);
	memcpy(&v, buf, (size_t)n);
	return (v);
}

static void
put_u64(struct regs *r, const char *name, uint64_t v)
{
	uint8_t	 buf[REGS_MAX_REG_BYTES];

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &v, sizeof(v));
	ck_assert_int_ge(regs_put(r, num(name), buf), 1);
}

static void
pattern(uint8_t *buf, size_t len, uint8_t seed)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed + 7 * i);
}

/* Write a pattern into a register, store, fetch again, compare. */
static void
round_trip(pid_t pid, struct regs *r, const char *name, uint8_t seed)
{
	uint8_t		 in[REGS_MAX_REG_BYTES], out[REGS_MAX_REG_BYTES];
	unsigned	 n = num(name);
	int		 len = (int)regs_desc(n)->rd_bits / 8;

	pattern(in, sizeof(in), seed);
	ck_assert_int_eq(regs_put(r, n, in), len);
	ck_assert_int_eq(regs_store(pid, r), 0);
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	memset(out, 0, sizeof(out));
	ck_assert_int_eq(regs_get(r, n, out), len);
	ck_assert_msg(memcmp(in, out, (size_t)len) == 0,
	    "%s did not round trip", name);
}

static size_t
count_of(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return (n);
}

/* ------------------------------------------------------- the list */

START_TEST(list_order_is_gdb_amd64_linux)
{
	const struct reg_desc	*d;
	unsigned		 i;

	ck_assert_uint_ge(regs_count(), NFIXED);
	for (i = 0; i < NFIXED; i++) {
		d = regs_desc(i);
		ck_assert_ptr_nonnull(d);
		ck_assert_str_eq(d->rd_name, fixed_names[i]);
	}
	if (have("ymm0h")) {
		ck_assert_uint_eq(num("ymm0h"), 60);
		ck_assert_uint_eq(num("ymm15h"), 75);
	}
	if (have("zmm0h")) {
		ck_assert_uint_eq(num("xmm16"), 76);
		ck_assert_uint_eq(num("ymm16h"), 92);
		ck_assert_uint_eq(num("k0"), 108);
		ck_assert_uint_eq(num("zmm0h"), 116);
		ck_assert_uint_eq(num("zmm31h"), 147);
	}
	ck_assert_ptr_null(regs_desc(regs_count()));
}
END_TEST

START_TEST(list_sizes_types_features)
{
	ck_assert_uint_eq(regs_desc(num("rax"))->rd_bits, 64);
	ck_assert_str_eq(regs_desc(num("rbp"))->rd_type, "data_ptr");
	ck_assert_str_eq(regs_desc(num("rsp"))->rd_type, "data_ptr");
	ck_assert_str_eq(regs_desc(num("rip"))->rd_type, "code_ptr");
	ck_assert_str_eq(regs_desc(num("eflags"))->rd_type, "i386_eflags");
	ck_assert_uint_eq(regs_desc(num("eflags"))->rd_bits, 32);
	ck_assert_uint_eq(regs_desc(num("gs"))->rd_bits, 32);
	ck_assert_uint_eq(regs_desc(num("st7"))->rd_bits, 80);
	ck_assert_str_eq(regs_desc(num("st7"))->rd_type, "i387_ext");
	ck_assert_str_eq(regs_desc(num("fop"))->rd_group, "float");
	ck_assert_str_eq(regs_desc(num("xmm9"))->rd_type, "vec128");
	ck_assert_str_eq(regs_desc(num("mxcsr"))->rd_group, "vector");
	ck_assert_str_eq(regs_desc(num("rip"))->rd_feature,
	    "org.gnu.gdb.i386.core");
	ck_assert_str_eq(regs_desc(num("mxcsr"))->rd_feature,
	    "org.gnu.gdb.i386.sse");
	ck_assert_str_eq(regs_desc(num("orig_rax"))->rd_feature,
	    "org.gnu.gdb.i386.linux");
	ck_assert_str_eq(regs_desc(num("gs_base"))->rd_feature,
	    "org.gnu.gdb.i386.segments");
	if (have("ymm0h"))
		ck_assert_str_eq(regs_desc(num("ymm0h"))->rd_type, "uint128");
	if (have("zmm0h")) {
		ck_assert_uint_eq(regs_desc(num("zmm31h"))->rd_bits, 256);
		ck_assert_str_eq(regs_desc(num("zmm31h"))->rd_type, "v2ui128");
		ck_assert_str_eq(regs_desc(num("k7"))->rd_type, "uint64");
	}
	if (have("pkru"))
		ck_assert_uint_eq(regs_desc(num("pkru"))->rd_bits, 32);
}
END_TEST

START_TEST(g_size_is_sum_and_offsets_contiguous)
{
	const struct reg_desc	*d;
	size_t			 sum = 0;
	unsigned		 i;

	for (i = 0; i < regs_count(); i++) {
		d = regs_desc(i);
		ck_assert(d->rd_in_g);
		ck_assert_uint_eq(d->rd_bits % 8, 0);
		ck_assert_uint_le(d->rd_bits / 8, REGS_MAX_REG_BYTES);
		ck_assert_uint_eq(d->rd_offset, sum);
		sum += d->rd_bits / 8;
	}
	ck_assert_uint_eq(regs_g_size(), sum);
	/* 16*8 + 8 + 4 + 6*4 + 8*10 + 8*4 + 16*16 + 4 + 8 + 2*8 */
	ck_assert_uint_eq(regs_desc(num("gs_base"))->rd_offset + 8, 560);
}
END_TEST

START_TEST(lookup_finds_names_and_rejects_others)
{
	ck_assert_int_eq(regs_lookup("rax"), 0);
	ck_assert_int_eq(regs_lookup("rsp"), 7);
	ck_assert_int_eq(regs_lookup("rip"), 16);
	ck_assert_int_eq(regs_lookup("eflags"), 17);
	ck_assert_int_eq(regs_lookup("xmm1"), 41);
	ck_assert_int_eq(regs_lookup("xmm15"), 55);
	ck_assert_int_eq(regs_lookup("mxcsr"), 56);
	ck_assert_int_eq(regs_lookup("orig_rax"), 57);
	ck_assert_int_eq(regs_lookup("gs_base"), 59);
	ck_assert_int_eq(regs_lookup("pc"), -1);
	ck_assert_int_eq(regs_lookup("RIP"), -1);
	ck_assert_int_eq(regs_lookup(""), -1);
	ck_assert_int_eq(regs_lookup(NULL), -1);
}
END_TEST

START_TEST(lldb_fields_follow_lldb_server)
{
	const struct reg_desc	*d;

	d = regs_desc(num("rip"));
	ck_assert_int_eq(d->rd_dwarf, 16);
	ck_assert_str_eq(d->rd_generic, "pc");
	ck_assert_str_eq(d->rd_set, "General Purpose Registers");
	ck_assert_str_eq(d->rd_encoding, "uint");
	ck_assert_str_eq(d->rd_format, "hex");
	ck_assert_str_eq(regs_desc(num("rsp"))->rd_generic, "sp");
	ck_assert_str_eq(regs_desc(num("rbp"))->rd_generic, "fp");
	ck_assert_str_eq(regs_desc(num("eflags"))->rd_generic, "flags");
	ck_assert_str_eq(regs_desc(num("rdi"))->rd_generic, "arg1");
	ck_assert_str_eq(regs_desc(num("r9"))->rd_generic, "arg6");
	ck_assert_ptr_null(regs_desc(num("rax"))->rd_generic);
	ck_assert_int_eq(regs_desc(num("rdx"))->rd_dwarf, 1);
	ck_assert_int_eq(regs_desc(num("rcx"))->rd_dwarf, 2);
	ck_assert_int_eq(regs_desc(num("rbx"))->rd_dwarf, 3);
	ck_assert_int_eq(regs_desc(num("eflags"))->rd_dwarf, 49);
	ck_assert_int_eq(regs_desc(num("es"))->rd_dwarf, 50);
	ck_assert_int_eq(regs_desc(num("gs"))->rd_dwarf, 55);
	ck_assert_int_eq(regs_desc(num("fs_base"))->rd_dwarf, 58);
	ck_assert_int_eq(regs_desc(num("xmm15"))->rd_dwarf, 32);
	ck_assert_int_eq(regs_desc(num("st7"))->rd_dwarf, 40);
	ck_assert_int_eq(regs_desc(num("orig_rax"))->rd_dwarf, -1);
	ck_assert_int_eq(regs_desc(num("fctrl"))->rd_dwarf, -1);
	d = regs_desc(num("st0"));
	ck_assert_str_eq(d->rd_set, "Floating Point Registers");
	ck_assert_str_eq(d->rd_encoding, "vector");
	ck_assert_str_eq(d->rd_format, "vector-uint8");
	ck_assert_str_eq(regs_desc(num("xmm0"))->rd_format, "vector-uint8");
	if (have("ymm0h"))
		ck_assert_str_eq(regs_desc(num("ymm0h"))->rd_set,
		    "Advanced Vector Extensions");
	if (have("k0")) {
		ck_assert_int_eq(regs_desc(num("k0"))->rd_dwarf, 118);
		ck_assert_int_eq(regs_desc(num("xmm16"))->rd_dwarf, 67);
		ck_assert_int_eq(regs_desc(num("xmm31"))->rd_dwarf, 82);
	}
}
END_TEST

START_TEST(init_twice_gives_the_same_list)
{
	unsigned	 n = regs_count();
	size_t		 g = regs_g_size();
	char		 last[16];

	snprintf(last, sizeof(last), "%s", regs_desc(n - 1)->rd_name);
	ck_assert_int_eq(regs_init(), 0);
	ck_assert_uint_eq(regs_count(), n);
	ck_assert_uint_eq(regs_g_size(), g);
	ck_assert_str_eq(regs_desc(n - 1)->rd_name, last);
}
END_TEST

/* ------------------------------------------------ a stopped thread */

START_TEST(fetch_gives_sane_values)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint64_t	 pc;

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert(r->r_have_fp);
	ck_assert_uint_ge(r->r_xsave_len, FX_SIZE);
	ck_assert_uint_le(r->r_xsave_len, REGS_MAX_XSAVE);
	ck_assert_uint_ne(regs_pc(r), 0);
	ck_assert_uint_eq(get_u64(r, "rip"), regs_pc(r));
	ck_assert_uint_ne(regs_sp(r), 0);
	ck_assert_uint_eq(get_u64(r, "rsp"), regs_sp(r));
	ck_assert_uint_eq(regs_sp(r) % 8, 0);
	ck_assert_uint_eq(get_u64(r, "cs"), 0x33);
	ck_assert_uint_eq(get_u64(r, "ss"), 0x2b);
	ck_assert_uint_ne(get_u64(r, "fs_base"), 0);
	ck_assert_uint_ne(get_u64(r, "eflags") & 0x200, 0);	/* IF */
	ck_assert_uint_eq(get_u64(r, "fctrl"), 0x37f);
	ck_assert_uint_eq(get_u64(r, "mxcsr") & 0x1f80, 0x1f80);
	ck_assert_int_eq(regs_peek_pc(pid, &pc), 0);
	ck_assert_uint_eq(pc, regs_pc(r));
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(rax_round_trips)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	put_u64(r, "rax", 0x0123456789abcdefULL);
	ck_assert_int_eq(regs_store(pid, r), 0);
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "rax"), 0x0123456789abcdefULL);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(gp_only_fetch_and_store)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 buf[REGS_MAX_REG_BYTES];

	r->r_have_fp = true;	/* stale: fetch_gp must clear it */
	ck_assert_int_eq(regs_fetch_gp(pid, r), 0);
	ck_assert(!r->r_have_fp);
	put_u64(r, "r12", 0xfeedfacecafef00dULL);
	ck_assert_int_eq(regs_store_gp(pid, r), 0);
	ck_assert_int_eq(regs_fetch_gp(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "r12"), 0xfeedfacecafef00dULL);
	errno = 0;
	ck_assert_int_eq(regs_get(r, num("xmm0"), buf), -1);
	ck_assert_int_eq(errno, ENODATA);
	ck_assert_int_eq(regs_put(r, num("st0"), buf), -1);
	ck_assert_int_eq(regs_store(pid, r), 0);	/* gp part only */
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(eflags_and_segments_are_32_bits)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 buf[REGS_MAX_REG_BYTES];
	uint64_t	 fl;

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_int_eq(regs_get(r, num("eflags"), buf), 4);
	ck_assert_int_eq(regs_get(r, num("ds"), buf), 4);
	fl = get_u64(r, "eflags");
	put_u64(r, "eflags", fl ^ 0x1);		/* CF */
	ck_assert_int_eq(regs_store(pid, r), 0);
	ck_assert_int_eq(regs_fetch_gp(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "eflags"), fl ^ 0x1);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(xmm_round_trips)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	round_trip(pid, r, "xmm3", 0x11);
	round_trip(pid, r, "xmm15", 0x22);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(ymm_upper_round_trips_and_keeps_xmm)
{
	struct regs	*r;
	pid_t		 pid;
	uint8_t		 x0[16], x1[16];

	if (!have("ymm0h"))
		return;
	r = regs_new();
	pid = child_start();
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_int_eq(regs_get(r, num("xmm5"), x0), 16);
	round_trip(pid, r, "ymm5h", 0x33);
	round_trip(pid, r, "ymm15h", 0x44);
	ck_assert_int_eq(regs_get(r, num("xmm5"), x1), 16);
	ck_assert_mem_eq(x0, x1, 16);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(avx512_registers_round_trip)
{
	struct regs	*r;
	pid_t		 pid;

	if (!have("zmm0h"))
		return;
	r = regs_new();
	pid = child_start();
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	round_trip(pid, r, "k1", 0x55);
	round_trip(pid, r, "zmm2h", 0x66);
	round_trip(pid, r, "xmm20", 0x77);
	round_trip(pid, r, "ymm20h", 0x88);
	round_trip(pid, r, "zmm31h", 0x99);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(pkru_round_trips)
{
	struct regs	*r;
	pid_t		 pid;

	if (!have("pkru"))
		return;
	r = regs_new();
	pid = child_start();
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	put_u64(r, "pkru", 0x55555550);
	ck_assert_int_eq(regs_store(pid, r), 0);
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "pkru"), 0x55555550);
	child_end(pid);
	free(r);
}
END_TEST

/*
 * The value every register gets in the overlap tests: a pattern, cut to
 * what the narrow x87 fields hold; ftag all empty, since any other tag
 * depends on the values of the st registers.
 */
static void
fill_value(unsigned n, uint8_t *buf)
{
	const char	*name = regs_desc(n)->rd_name;

	memset(buf, 0, REGS_MAX_REG_BYTES);
	pattern(buf, regs_desc(n)->rd_bits / 8, (uint8_t)(n * 13 + 1));
	if (strcmp(name, "ftag") == 0)
		buf[0] = buf[1] = 0xff;
	if (strcmp(name, "fop") == 0)
		buf[1] &= 0x07;
	if (strcmp(name, "mxcsr") == 0)
		buf[2] = buf[3] = 0;
	if (strcmp(name, "fctrl") == 0 || strcmp(name, "fstat") == 0 ||
	    strcmp(name, "fiseg") == 0 || strcmp(name, "foseg") == 0 ||
	    strcmp(name, "ftag") == 0 || strcmp(name, "fop") == 0)
		buf[2] = buf[3] = 0;
}

START_TEST(every_register_keeps_its_own_bytes)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 in[REGS_MAX_REG_BYTES], out[REGS_MAX_REG_BYTES];
	unsigned	 n;
	int		 len;

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	child_end(pid);
	for (n = 0; n < regs_count(); n++) {
		fill_value(n, in);
		len = (int)regs_desc(n)->rd_bits / 8;
		ck_assert_int_eq(regs_put(r, n, in), len);
	}
	for (n = 0; n < regs_count(); n++) {
		fill_value(n, in);
		memset(out, 0, sizeof(out));
		len = (int)regs_desc(n)->rd_bits / 8;
		ck_assert_int_eq(regs_get(r, n, out), len);
		ck_assert_msg(memcmp(in, out, (size_t)len) == 0,
		    "%s was overwritten", regs_desc(n)->rd_name);
	}
	free(r);
}
END_TEST

/* All vector registers at once, through the kernel. */
START_TEST(all_vector_registers_round_trip_together)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 in[REGS_MAX_REG_BYTES], out[REGS_MAX_REG_BYTES];
	unsigned	 n, first = num("xmm0");
	int		 len;

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	for (n = first; n < regs_count(); n++) {
		if (strcmp(regs_desc(n)->rd_encoding, "vector") != 0)
			continue;
		fill_value(n, in);
		ck_assert_int_ge(regs_put(r, n, in), 1);
	}
	ck_assert_int_eq(regs_store(pid, r), 0);
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	for (n = first; n < regs_count(); n++) {
		if (strcmp(regs_desc(n)->rd_encoding, "vector") != 0)
			continue;
		fill_value(n, in);
		len = (int)regs_desc(n)->rd_bits / 8;
		ck_assert_int_eq(regs_get(r, n, out), len);
		ck_assert_msg(memcmp(in, out, (size_t)len) == 0,
		    "%s did not round trip", regs_desc(n)->rd_name);
	}
	child_end(pid);
	free(r);
}
END_TEST

/* 1.0 as an x87 extended value: exponent 0x3fff, integer bit set. */
static const uint8_t ext_one[10] = {
	0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f
};

START_TEST(st0_and_tag_word_round_trip)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 buf[REGS_MAX_REG_BYTES];

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "ftag"), 0xffff);
	put_u64(r, "fstat", 7 << 11);		/* top = 7 */
	put_u64(r, "ftag", 0x3fff);		/* physical 7 valid */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, ext_one, sizeof(ext_one));
	ck_assert_int_eq(regs_put(r, num("st0"), buf), 10);
	ck_assert_int_eq(regs_store(pid, r), 0);
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(regs_fetch(pid, r), 0);
	ck_assert_uint_eq(get_u64(r, "fstat"), 7 << 11);
	ck_assert_uint_eq(get_u64(r, "ftag"), 0x3fff);
	ck_assert_int_eq(regs_get(r, num("st0"), buf), 10);
	ck_assert_mem_eq(buf, ext_one, sizeof(ext_one));
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(fetch_of_untraced_thread_fails)
{
	struct regs	*r = regs_new();

	errno = 0;
	ck_assert_int_eq(regs_fetch(getpid(), r), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(regs_fetch_gp(getpid(), r), -1);
	free(r);
}
END_TEST

START_TEST(peek_and_poke_pc)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint64_t	 pc, pc2;

	ck_assert_int_eq(regs_peek_pc(pid, &pc), 0);
	ck_assert_int_eq(regs_poke_pc(pid, pc + 1), 0);
	ck_assert_int_eq(regs_peek_pc(pid, &pc2), 0);
	ck_assert_uint_eq(pc2, pc + 1);
	ck_assert_int_eq(regs_fetch_gp(pid, r), 0);
	ck_assert_uint_eq(regs_pc(r), pc + 1);
	regs_set_pc(r, pc);
	ck_assert_uint_eq(get_u64(r, "rip"), pc);
	ck_assert_int_eq(regs_store_gp(pid, r), 0);
	ck_assert_int_eq(regs_peek_pc(pid, &pc2), 0);
	ck_assert_uint_eq(pc2, pc);
	child_end(pid);
	free(r);
}
END_TEST

START_TEST(debug_registers_round_trip)
{
	pid_t		 pid = child_start();
	uint64_t	 v, addr = (uint64_t)(uintptr_t)&watched;
	uint64_t	 dr7 = 0x1 | 0x1ULL << 16 | 0x3ULL << 18; /* L0 W 4 */

	ck_assert_int_eq(regs_poke_dr(pid, 0, addr), 0);
	ck_assert_int_eq(regs_peek_dr(pid, 0, &v), 0);
	ck_assert_uint_eq(v, addr);
	ck_assert_int_eq(regs_poke_dr(pid, 7, dr7), 0);
	ck_assert_int_eq(regs_peek_dr(pid, 7, &v), 0);
	ck_assert_uint_eq(v, dr7);
	ck_assert_int_eq(regs_poke_dr(pid, 7, 0), 0);
	ck_assert_int_eq(regs_peek_dr(pid, 7, &v), 0);
	ck_assert_uint_eq(v, 0);
	errno = 0;
	ck_assert_int_eq(regs_peek_dr(pid, 8, &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(regs_poke_dr(pid, -1, 0), -1);
	child_end(pid);
}
END_TEST

/* ------------------------------------------- snapshots made by hand */

START_TEST(out_of_range_register_is_rejected)
{
	struct regs	*r = regs_new();
	uint8_t		 buf[REGS_MAX_REG_BYTES];

	r->r_have_fp = true;
	r->r_xsave_len = FX_SIZE;
	errno = 0;
	ck_assert_int_eq(regs_get(r, regs_count(), buf), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(regs_put(r, regs_count(), buf), -1);
	ck_assert_int_eq(regs_get(r, 100000, buf), -1);
	free(r);
}
END_TEST

/*
 * st0 = 1.0 (valid), st1 = 0 (zero), st2 = infinity (special); with
 * top = 2 they are physical registers 2, 3 and 4.
 */
START_TEST(tag_word_is_rebuilt_from_abridged)
{
	struct regs	*r = regs_new();
	uint8_t		*fx = r->r_xsave;
	uint8_t		 buf[REGS_MAX_REG_BYTES];

	r->r_have_fp = true;
	r->r_xsave_len = FX_SIZE;
	fx[3] = 2 << 3;			/* fsw top = 2 */
	fx[4] = 0x1c;			/* physical 2, 3, 4 in use */
	memcpy(fx + 32, ext_one, 10);
	fx[64 + 7] = 0x80;
	fx[64 + 8] = 0xff;
	fx[64 + 9] = 0x7f;
	ck_assert_uint_eq(get_u64(r, "ftag"), 0xfe4f);
	fx[3] = 0;			/* top = 0: st(i) is physical i */
	/* tags of physical 7..0: 3 3 3 1 1 2 3 3 */
	ck_assert_uint_eq(get_u64(r, "ftag"), 0xfd6f);
	put_u64(r, "ftag", 0xfff0);	/* physical 0 and 1 in use */
	ck_assert_uint_eq(fx[4], 0x03);
	put_u64(r, "ftag", 0xffff);
	ck_assert_uint_eq(fx[4], 0x00);
	ck_assert_int_eq(regs_get(r, num("ftag"), buf), 4);
	ck_assert_uint_eq(buf[2] | buf[3], 0);
	free(r);
}
END_TEST

START_TEST(fop_and_selectors_are_narrow)
{
	struct regs	*r = regs_new();
	uint8_t		*fx = r->r_xsave;

	r->r_have_fp = true;
	r->r_xsave_len = FX_SIZE;
	fx[6] = 0xcd;
	fx[7] = 0xfb;			/* fop is 11 bits */
	memset(fx + 12, 0xee, 4);	/* fiseg is 16 bits */
	memset(fx + 8, 0x12, 4);	/* fioff is 32 bits */
	ck_assert_uint_eq(get_u64(r, "fop"), 0x3cd);
	ck_assert_uint_eq(get_u64(r, "fiseg"), 0xeeee);
	ck_assert_uint_eq(get_u64(r, "fioff"), 0x12121212);
	put_u64(r, "fop", 0x0102);
	ck_assert_uint_eq(fx[6], 0x02);
	ck_assert_uint_eq(fx[7], 0xf9);	/* the top 5 bits kept */
	put_u64(r, "fiseg", 0x0033);
	ck_assert_uint_eq(fx[12], 0x33);
	ck_assert_uint_eq(fx[13], 0x00);
	ck_assert_uint_eq(fx[14], 0xee);
	free(r);
}
END_TEST

START_TEST(fxsave_snapshot_has_no_avx)
{
	struct regs	*r;
	uint8_t		 buf[REGS_MAX_REG_BYTES];

	if (!have("ymm0h"))
		return;
	r = regs_new();
	r->r_have_fp = true;
	r->r_xsave_len = FX_SIZE;
	memset(r->r_xsave, 0xaa, sizeof(r->r_xsave));
	ck_assert_int_eq(regs_get(r, num("ymm0h"), buf), 16);
	ck_assert_uint_eq(buf[0] | buf[15], 0);
	ck_assert_uint_eq(get_u64(r, "mxcsr"), 0xaaaaaaaa);
	errno = 0;
	ck_assert_int_eq(regs_put(r, num("ymm0h"), buf), -1);
	ck_assert_int_eq(errno, ENXIO);
	free(r);
}
END_TEST

/*
 * Components whose XSTATE_BV bit is clear read as their initial state,
 * whatever bytes the area holds; writing one initialises it first.
 */
START_TEST(init_state_components_read_as_gdb_does)
{
	struct regs	*r = regs_new();
	pid_t		 pid = child_start();
	uint8_t		 buf[REGS_MAX_REG_BYTES];
	uint8_t		 zero[REGS_MAX_REG_BYTES];
	uint64_t	 bv = 0;

	ck_assert_int_eq(regs_fetch(pid, r), 0);
	child_end(pid);
	if (r->r_xsave_len <= FX_SIZE) {
		free(r);
		return;
	}
	memset(zero, 0, sizeof(zero));
	memset(r->r_xsave, 0xaa, XS_BV);
	memset(r->r_xsave + XS_BV, 0, 8);
	memset(r->r_xsave + 576, 0xaa, r->r_xsave_len - 576);
	ck_assert_uint_eq(get_u64(r, "fctrl"), 0x37f);
	ck_assert_uint_eq(get_u64(r, "ftag"), 0xffff);
	ck_assert_uint_eq(get_u64(r, "fstat"), 0);
	ck_assert_uint_eq(get_u64(r, "mxcsr"), 0x1f80);
	ck_assert_int_eq(regs_get(r, num("st3"), buf), 10);
	ck_assert_mem_eq(buf, zero, 10);
	ck_assert_int_eq(regs_get(r, num("xmm7"), buf), 16);
	ck_assert_mem_eq(buf, zero, 16);
	if (have("ymm0h")) {
		ck_assert_int_eq(regs_get(r, num("ymm9h"), buf), 16);
		ck_assert_mem_eq(buf, zero, 16);
	}
	if (have("zmm0h")) {
		ck_assert_int_eq(regs_get(r, num("zmm30h"), buf), 32);
		ck_assert_mem_eq(buf, zero, 32);
	}

	/* Writing xmm1 brings SSE live: other xmm zero, mxcsr initial. */
	pattern(buf, 16, 0x5a);
	ck_assert_int_eq(regs_put(r, num("xmm1"), buf), 16);
	memcpy(&bv, r->r_xsave + XS_BV, 8);
	ck_assert_uint_eq(bv, 0x2);
	ck_assert_int_eq(regs_get(r, num("xmm2"), buf), 16);
	ck_assert_mem_eq(buf, zero, 16);
	ck_assert_uint_eq(get_u64(r, "mxcsr"), 0x1f80);
	ck_assert_uint_eq(get_u64(r, "fctrl"), 0x37f);

	/* Writing fstat brings x87 live with fctrl at its initial value. */
	put_u64(r, "fstat", 0x3800);
	memcpy(&bv, r->r_xsave + XS_BV, 8);
	ck_assert_uint_eq(bv, 0x3);
	ck_assert_uint_eq(get_u64(r, "fctrl"), 0x37f);
	ck_assert_uint_eq(get_u64(r, "ftag"), 0xffff);
	ck_assert_uint_eq(get_u64(r, "fstat"), 0x3800);
	free(r);
}
END_TEST

/* ------------------------------------------------ target description */

START_TEST(tdesc_names_every_register_once)
{
	const struct reg_desc	*d;
	const char		*x;
	char			 want[256];
	size_t			 len;
	unsigned		 i;

	x = regs_tdesc("target.xml", &len);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(strlen(x), len);
	ck_assert(strncmp(x, "<?xml", 5) == 0);
	ck_assert_uint_eq(count_of(x,
	    "<architecture>i386:x86-64</architecture>"), 1);
	ck_assert_uint_eq(count_of(x, "<osabi>GNU/Linux</osabi>"), 1);
	ck_assert_uint_eq(count_of(x, "<target>"), 1);
	ck_assert_uint_eq(count_of(x, "</target>"), 1);
	ck_assert_uint_eq(count_of(x, "<reg "), regs_count());
	for (i = 0; i < regs_count(); i++) {
		d = regs_desc(i);
		snprintf(want, sizeof(want), "<reg name=\"%s\"", d->rd_name);
		ck_assert_msg(count_of(x, want) == 1, "%s", want);
		snprintf(want, sizeof(want), "<reg name=\"%s\" bitsize=\"%u\" "
		    "type=\"%s\" regnum=\"%u\"", d->rd_name, d->rd_bits,
		    d->rd_type, i);
		ck_assert_msg(count_of(x, want) == 1, "%s", want);
	}
}
END_TEST

START_TEST(tdesc_features_in_order_with_their_types)
{
	const char	*x, *core, *sse, *linux_, *seg, *avx;

	x = regs_tdesc("target.xml", NULL);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(count_of(x, "<feature "), count_of(x, "</feature>"));
	core = strstr(x, "<feature name=\"org.gnu.gdb.i386.core\">");
	sse = strstr(x, "<feature name=\"org.gnu.gdb.i386.sse\">");
	linux_ = strstr(x, "<feature name=\"org.gnu.gdb.i386.linux\">");
	seg = strstr(x, "<feature name=\"org.gnu.gdb.i386.segments\">");
	ck_assert(core != NULL && sse > core && linux_ > sse && seg > linux_);
	ck_assert_ptr_nonnull(strstr(core, "<flags id=\"i386_eflags\""));
	ck_assert(strstr(core, "<flags id=\"i386_eflags\"") < sse);
	ck_assert(strstr(sse, "<union id=\"vec128\">") < linux_);
	ck_assert(strstr(sse, "<flags id=\"i386_mxcsr\"") < linux_);
	ck_assert(strstr(x, "group=\"float\"") != NULL);
	if (have("ymm0h")) {
		avx = strstr(x, "<feature name=\"org.gnu.gdb.i386.avx\">");
		ck_assert(avx > seg);
	}
	if (have("zmm0h")) {
		ck_assert_uint_eq(count_of(x, "<union id=\"vec128\">"), 2);
		ck_assert_uint_eq(count_of(x, "<vector id=\"v2ui128\""), 1);
	}
}
END_TEST

START_TEST(tdesc_other_annex_is_absent)
{
	size_t	 len = 12345;

	errno = 0;
	ck_assert_ptr_null(regs_tdesc("64bit-core.xml", &len));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_uint_eq(len, 12345);
	ck_assert_ptr_null(regs_tdesc(NULL, &len));
	ck_assert_ptr_null(regs_tdesc("target.xml.", &len));
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 60, setup);
}

static Suite *
regs_suite(void)
{
	Suite	*s = suite_create("regs");

	add(s, "registers 0-59 in gdb's amd64-linux order, then AVX...",
	    list_order_is_gdb_amd64_linux);
	add(s, "sizes, tdesc types and features as gdb's XML",
	    list_sizes_types_features);
	add(s, "g size is the sum of sizes, offsets contiguous",
	    g_size_is_sum_and_offsets_contiguous);
	add(s, "lookup finds names, rejects others",
	    lookup_finds_names_and_rejects_others);
	add(s, "DWARF, generic, set, encoding follow lldb-server",
	    lldb_fields_follow_lldb_server);
	add(s, "regs_init twice gives the same list",
	    init_twice_gives_the_same_list);
	add(s, "fetch of a stopped child gives sane rip, rsp, cs, fctrl",
	    fetch_gives_sane_values);
	add(s, "rax written, stored, fetched back", rax_round_trips);
	add(s, "gp-only fetch and store; fp registers then refused",
	    gp_only_fetch_and_store);
	add(s, "eflags and segments are 32 bits",
	    eflags_and_segments_are_32_bits);
	add(s, "xmm round trips", xmm_round_trips);
	add(s, "ymm upper half round trips, xmm kept",
	    ymm_upper_round_trips_and_keeps_xmm);
	add(s, "AVX-512 k, zmm, xmm16+ round trip",
	    avx512_registers_round_trip);
	add(s, "pkru round trips", pkru_round_trips);
	add(s, "every register keeps its own bytes in a snapshot",
	    every_register_keeps_its_own_bytes);
	add(s, "all vector registers round trip together",
	    all_vector_registers_round_trip_together);
	add(s, "st0, fstat and tag word round trip",
	    st0_and_tag_word_round_trip);
	add(s, "fetch of an untraced thread fails with ESRCH",
	    fetch_of_untraced_thread_fails);
	add(s, "peek and poke pc agree with the snapshot", peek_and_poke_pc);
	add(s, "DR0 and DR7 poke/peek round trip, DR8 rejected",
	    debug_registers_round_trip);
	add(s, "register number past the list is EINVAL",
	    out_of_range_register_is_rejected);
	add(s, "full tag word rebuilt from the abridged one",
	    tag_word_is_rebuilt_from_abridged);
	add(s, "fop is 11 bits, fiseg 16, fioff 32",
	    fop_and_selectors_are_narrow);
	add(s, "FXSAVE-only snapshot reads AVX as zero, refuses writes",
	    fxsave_snapshot_has_no_avx);
	add(s, "components in init state read as gdb does, writes init them",
	    init_state_components_read_as_gdb_does);
	add(s, "tdesc names every register once with bitsize and regnum",
	    tdesc_names_every_register_once);
	add(s, "tdesc features in gdb's order, with their types",
	    tdesc_features_in_order_with_their_types);
	add(s, "tdesc has no annex but target.xml",
	    tdesc_other_annex_is_absent);
	return (s);
}

int
main(void)
{
	return (ck_run(regs_suite()));
}
