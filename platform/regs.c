/*
 * regs.c -- the x86-64 register list and the registers of a traced
 * thread (see regs.h).
 *
 * Where each register lives:
 *
 *   general, segment, fs/gs base,  PTRACE_GETREGS: struct user_regs_struct,
 *   orig_rax                       kept whole in r_gp[]
 *   x87, SSE, mxcsr                the legacy (FXSAVE) area, bytes 0-511
 *   XSTATE_BV                      XSAVE header, byte 512
 *   AVX, AVX-512, PKRU             XSAVE components at the offsets CPUID
 *                                  leaf 0xd gives for the standard format
 *
 * The XSAVE area comes from PTRACE_GETREGSET NT_X86_XSTATE, or, when the
 * kernel or CPU has no XSAVE, from PTRACE_GETFPREGS (512 bytes, no
 * header).  A component whose XSTATE_BV bit is clear is in its initial
 * state and its bytes in the area mean nothing; we read it as gdb's
 * i387_supply_xsave does (zeros, fctrl 0x37f, ftag 0xffff, mxcsr 0x1f80)
 * and before writing into it we initialise it and set its bit, as
 * i387_collect_xsave does.
 *
 * The list is built from XCR0, the area from what the kernel returns.
 * Should they disagree (an FXSAVE-only area on a CPU with AVX), the
 * registers the area lacks read as zeros and writing them fails with
 * ENXIO.  x87 and later registers of a snapshot made by regs_fetch_gp
 * fail with ENODATA.
 *
 * regs_init refuses (EOVERFLOW) a machine whose XSAVE area, as CPUID
 * leaf 0xd sub-leaf 0 EBX gives it for the features XCR0 enables, is
 * larger than REGS_MAX_XSAVE: the kernel takes back only a whole area.
 */
#include <sys/types.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform/regs.h"

#define REGS_MAX	160	/* registers in the longest list (149) */
#define REGS_NAME_LEN	12	/* bytes of a generated name, with NUL */
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

#define FX_SIZE		512	/* bytes of the FXSAVE legacy area */
#define FX_FCW		0	/* offsets in it */
#define FX_FSW		2
#define FX_FTW		4	/* abridged tag, one bit per register */
#define FX_FOP		6
#define FX_FIP		8
#define FX_FCS		12
#define FX_FDP		16
#define FX_FDS		20
#define FX_MXCSR	24
#define FX_ST0		32
#define FX_XMM0		160

#define FCW_INIT	0x037f
#define FTAG_EMPTY	0xffff
#define MXCSR_INIT	0x1f80

#define XS_BV		512	/* XSTATE_BV in the XSAVE header */
#define XS_HDR_END	576	/* first byte after the header */
#define XS_NFEAT	10	/* components up to PKRU */

#define XF_X87		0	/* XSAVE components (bits of XCR0) */
#define XF_SSE		1
#define XF_AVX		2
#define XF_K		5	/* AVX-512 opmask */
#define XF_ZMM_H	6	/* upper halves of zmm0-15 */
#define XF_HI16		7	/* zmm16-31 whole */
#define XF_PKRU		9
#define XF_BIT(f)	(1ULL << (f))
#define XF_AVX512	(XF_BIT(XF_K) | XF_BIT(XF_ZMM_H) | XF_BIT(XF_HI16))

#define XSTATE_NOTE	((void *)(uintptr_t)NT_X86_XSTATE)

/* Index in r_gp of a struct user_regs_struct member. */
#define GP(f)		(offsetof(struct user_regs_struct, f) / 8)

#define F_CORE		"org.gnu.gdb.i386.core"
#define F_SSE		"org.gnu.gdb.i386.sse"
#define F_LINUX		"org.gnu.gdb.i386.linux"
#define F_SEGMENTS	"org.gnu.gdb.i386.segments"
#define F_AVX		"org.gnu.gdb.i386.avx"
#define F_AVX512	"org.gnu.gdb.i386.avx512"
#define F_PKEYS		"org.gnu.gdb.i386.pkeys"

#define S_GPR		"General Purpose Registers"
#define S_FPR		"Floating Point Registers"
#define S_AVX		"Advanced Vector Extensions"
#define S_AVX512	"Advanced Vector Extensions 512"
#define S_PKEYS		"Protection Keys"

_Static_assert(sizeof(struct user_regs_struct) ==
    sizeof(((struct regs *)0)->r_gp), "r_gp is not user_regs_struct");

/* How a register is read from and written to a snapshot. */
enum reg_kind {
	RK_GP,		/* an r_gp slot */
	RK_GP32,	/* low 32 bits of an r_gp slot */
	RK_XS,		/* bytes of the XSAVE area, as they are */
	RK_FX16,	/* 16-bit x87 control field, widened to 32 */
	RK_FOP,		/* 11-bit x87 opcode */
	RK_FTAG,	/* abridged tag, shown as the full tag word */
};

struct reg_src {
	enum reg_kind	 rs_kind;
	uint64_t	 rs_feat;	/* XSTATE_BV bits that hold it */
	size_t		 rs_off;	/* r_gp index or r_xsave offset */
};

/* A register or a numbered family of registers to add to the list. */
struct reg_tmpl {
	const char	*t_name;	/* a printf format for a family */
	unsigned	 t_bits;
	const char	*t_type;
	const char	*t_group;
	int		 t_dwarf;	/* of the first, -1 if none */
	const char	*t_generic;
	enum reg_kind	 t_kind;
	uint64_t	 t_feat;
	size_t		 t_off;		/* of the first */
	unsigned	 t_first;	/* number of the first of a family */
	unsigned	 t_count;	/* 0 for a single register */
	size_t		 t_stride;	/* bytes between members */
};

/* A single register. */
#define REG(name, bits, type, group, dwarf, generic, kind, feat, off)	\
	{ name, bits, type, group, dwarf, generic, kind, feat, off, 0, 0, 0 }

static const struct reg_tmpl regs_gp[] = {
	REG("rax", 64, "int64", NULL, 0, NULL, RK_GP, 0, GP(rax)),
	REG("rbx", 64, "int64", NULL, 3, NULL, RK_GP, 0, GP(rbx)),
	REG("rcx", 64, "int64", NULL, 2, "arg4", RK_GP, 0, GP(rcx)),
	REG("rdx", 64, "int64", NULL, 1, "arg3", RK_GP, 0, GP(rdx)),
	REG("rsi", 64, "int64", NULL, 4, "arg2", RK_GP, 0, GP(rsi)),
	REG("rdi", 64, "int64", NULL, 5, "arg1", RK_GP, 0, GP(rdi)),
	REG("rbp", 64, "data_ptr", NULL, 6, "fp", RK_GP, 0, GP(rbp)),
	REG("rsp", 64, "data_ptr", NULL, 7, "sp", RK_GP, 0, GP(rsp)),
	REG("r8", 64, "int64", NULL, 8, "arg5", RK_GP, 0, GP(r8)),
	REG("r9", 64, "int64", NULL, 9, "arg6", RK_GP, 0, GP(r9)),
	REG("r10", 64, "int64", NULL, 10, NULL, RK_GP, 0, GP(r10)),
	REG("r11", 64, "int64", NULL, 11, NULL, RK_GP, 0, GP(r11)),
	REG("r12", 64, "int64", NULL, 12, NULL, RK_GP, 0, GP(r12)),
	REG("r13", 64, "int64", NULL, 13, NULL, RK_GP, 0, GP(r13)),
	REG("r14", 64, "int64", NULL, 14, NULL, RK_GP, 0, GP(r14)),
	REG("r15", 64, "int64", NULL, 15, NULL, RK_GP, 0, GP(r15)),
	REG("rip", 64, "code_ptr", NULL, 16, "pc", RK_GP, 0, GP(rip)),
	REG("eflags", 32, "i386_eflags", NULL, 49, "flags", RK_GP32, 0,
	    GP(eflags)),
	REG("cs", 32, "int32", NULL, 51, NULL, RK_GP32, 0, GP(cs)),
	REG("ss", 32, "int32", NULL, 52, NULL, RK_GP32, 0, GP(ss)),
	REG("ds", 32, "int32", NULL, 53, NULL, RK_GP32, 0, GP(ds)),
	REG("es", 32, "int32", NULL, 50, NULL, RK_GP32, 0, GP(es)),
	REG("fs", 32, "int32", NULL, 54, NULL, RK_GP32, 0, GP(fs)),
	REG("gs", 32, "int32", NULL, 55, NULL, RK_GP32, 0, GP(gs)),
};

#define X87	XF_BIT(XF_X87)
static const struct reg_tmpl regs_x87[] = {
	{ "st%u", 80, "i387_ext", NULL, 33, NULL, RK_XS, X87, FX_ST0,
	    0, 8, 16 },
	REG("fctrl", 32, "int", "float", -1, NULL, RK_FX16, X87, FX_FCW),
	REG("fstat", 32, "int", "float", -1, NULL, RK_FX16, X87, FX_FSW),
	REG("ftag", 32, "int", "float", -1, NULL, RK_FTAG, X87, FX_FTW),
	REG("fiseg", 32, "int", "float", -1, NULL, RK_FX16, X87, FX_FCS),
	REG("fioff", 32, "int", "float", -1, NULL, RK_XS, X87, FX_FIP),
	REG("foseg", 32, "int", "float", -1, NULL, RK_FX16, X87, FX_FDS),
	REG("fooff", 32, "int", "float", -1, NULL, RK_XS, X87, FX_FDP),
	REG("fop", 32, "int", "float", -1, NULL, RK_FOP, X87, FX_FOP),
};
#undef X87

/* mxcsr is held by either of SSE and AVX. */
static const struct reg_tmpl regs_sse[] = {
	{ "xmm%u", 128, "vec128", NULL, 17, NULL, RK_XS, XF_BIT(XF_SSE),
	    FX_XMM0, 0, 16, 16 },
	REG("mxcsr", 32, "i386_mxcsr", "vector", -1, NULL, RK_XS,
	    XF_BIT(XF_SSE) | XF_BIT(XF_AVX), FX_MXCSR),
};

static const struct reg_tmpl regs_linux[] = {
	REG("orig_rax", 64, "int", NULL, -1, NULL, RK_GP, 0, GP(orig_rax)),
};

static const struct reg_tmpl regs_segments[] = {
	REG("fs_base", 64, "int", NULL, 58, NULL, RK_GP, 0, GP(fs_base)),
	REG("gs_base", 64, "int", NULL, 59, NULL, RK_GP, 0, GP(gs_base)),
};

static struct reg_desc	 regs_list[REGS_MAX];
static struct reg_src	 regs_src[REGS_MAX];
static char		 regs_names[REGS_MAX][REGS_NAME_LEN];
static unsigned		 regs_n;
static size_t		 regs_gsize;
static uint64_t		 regs_xcr0;	/* XSAVE components enabled */
static bool		 regs_xstate;	/* try NT_X86_XSTATE */
static size_t		 xs_off[XS_NFEAT];	/* from CPUID leaf 0xd */
static size_t		 xs_size[XS_NFEAT];

/* ------------------------------------------------------ the list */

static bool
regs_is_vector(const char *type)
{
	return (strcmp(type, "i387_ext") == 0 || strcmp(type, "vec128") == 0 ||
	    strcmp(type, "uint128") == 0 || strcmp(type, "v2ui128") == 0);
}

static int
regs_add(const struct reg_tmpl *t, unsigned i, const char *feature,
    const char *set)
{
	struct reg_desc	*d;
	struct reg_src	*s;
	char		*name;

	if (regs_n == REGS_MAX) {
		errno = EOVERFLOW;
		return (-1);
	}
	d = &regs_list[regs_n];
	s = &regs_src[regs_n];
	name = regs_names[regs_n];
	if (t->t_count == 0)
		(void)snprintf(name, REGS_NAME_LEN, "%s", t->t_name);
	else
		(void)snprintf(name, REGS_NAME_LEN, t->t_name, t->t_first + i);
	memset(d, 0, sizeof(*d));
	d->rd_name = name;
	d->rd_bits = t->t_bits;
	d->rd_offset = regs_gsize;
	d->rd_type = t->t_type;
	d->rd_group = t->t_group;
	d->rd_feature = feature;
	d->rd_dwarf = t->t_dwarf == -1 ? -1 : t->t_dwarf + (int)i;
	d->rd_generic = t->t_generic;
	d->rd_set = set;
	d->rd_encoding = regs_is_vector(t->t_type) ? "vector" : "uint";
	d->rd_format = regs_is_vector(t->t_type) ? "vector-uint8" : "hex";
	d->rd_in_g = true;
	s->rs_kind = t->t_kind;
	s->rs_feat = t->t_feat;
	s->rs_off = t->t_off + i * t->t_stride;
	regs_gsize += t->t_bits / 8;
	regs_n++;
	return (0);
}

static int
regs_add_all(const struct reg_tmpl *t, size_t n, const char *feature,
    const char *set)
{
	size_t		 k;
	unsigned	 i;

	for (k = 0; k < n; k++) {
		i = 0;
		do {
			if (regs_add(&t[k], i, feature, set) == -1)
				return (-1);
		} while (++i < t[k].t_count);
	}
	return (0);
}

static int
regs_add_avx(void)
{
	struct reg_tmpl	 t = { "ymm%uh", 128, "uint128", NULL, -1, NULL,
	    RK_XS, XF_BIT(XF_AVX), 0, 0, 16, 16 };

	t.t_off = xs_off[XF_AVX];
	return (regs_add_all(&t, 1, F_AVX, S_AVX));
}

/* In the order of gdb's 64bit-avx512.xml. */
static int
regs_add_avx512(void)
{
	struct reg_tmpl	 t[] = {
		{ "xmm%u", 128, "vec128", NULL, 67, NULL, RK_XS,
		    XF_BIT(XF_HI16), 0, 16, 16, 64 },
		{ "ymm%uh", 128, "uint128", NULL, -1, NULL, RK_XS,
		    XF_BIT(XF_HI16), 16, 16, 16, 64 },
		{ "k%u", 64, "uint64", NULL, 118, NULL, RK_XS,
		    XF_BIT(XF_K), 0, 0, 8, 8 },
		{ "zmm%uh", 256, "v2ui128", NULL, -1, NULL, RK_XS,
		    XF_BIT(XF_ZMM_H), 0, 0, 16, 32 },
		{ "zmm%uh", 256, "v2ui128", NULL, -1, NULL, RK_XS,
		    XF_BIT(XF_HI16), 32, 16, 16, 64 },
	};

	t[0].t_off += xs_off[XF_HI16];
	t[1].t_off += xs_off[XF_HI16];
	t[2].t_off += xs_off[XF_K];
	t[3].t_off += xs_off[XF_ZMM_H];
	t[4].t_off += xs_off[XF_HI16];
	return (regs_add_all(t, NITEMS(t), F_AVX512, S_AVX512));
}

static int
regs_add_pkeys(void)
{
	struct reg_tmpl	 t = REG("pkru", 32, "uint32", NULL, -1, NULL,
	    RK_XS, XF_BIT(XF_PKRU), 0);

	t.t_off = xs_off[XF_PKRU];
	return (regs_add_all(&t, 1, F_PKEYS, S_PKEYS));
}

static uint64_t
xs_xgetbv(void)
{
	uint32_t	 lo, hi;

	__asm__ volatile ("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return ((uint64_t)hi << 32 | lo);
}

/*
 * Find XCR0 and the offset and size of each component we show.  Without
 * OSXSAVE there is no XCR0 and no NT_X86_XSTATE: x87 and SSE only.
 */
static int
xs_probe(void)
{
	unsigned	 a, b, c, d, f;

	regs_xcr0 = XF_BIT(XF_X87) | XF_BIT(XF_SSE);
	regs_xstate = false;
	memset(xs_off, 0, sizeof(xs_off));
	memset(xs_size, 0, sizeof(xs_size));
	if (__get_cpuid_max(0, NULL) < 0xd ||
	    !__get_cpuid(1, &a, &b, &c, &d) || (c & bit_OSXSAVE) == 0)
		return (0);
	regs_xcr0 = xs_xgetbv();
	regs_xstate = true;
	__cpuid_count(0xd, 0, a, b, c, d);
	if (b > REGS_MAX_XSAVE) {
		errno = EOVERFLOW;
		return (-1);
	}
	for (f = XF_AVX; f < XS_NFEAT; f++) {
		if ((regs_xcr0 & XF_BIT(f)) == 0)
			continue;
		__cpuid_count(0xd, f, a, b, c, d);
		if (b < XS_HDR_END || a > REGS_MAX_XSAVE - b) {
			errno = EOVERFLOW;
			return (-1);
		}
		xs_off[f] = b;
		xs_size[f] = a;
	}
	return (0);
}

/* The part of the list every x86-64 has, in gdb's amd64-linux order. */
static int
regs_add_base(void)
{
	static const struct {
		const struct reg_tmpl	*b_regs;
		size_t			 b_n;
		const char		*b_feature;
		const char		*b_set;
	} base[] = {
		{ regs_gp, NITEMS(regs_gp), F_CORE, S_GPR },
		{ regs_x87, NITEMS(regs_x87), F_CORE, S_FPR },
		{ regs_sse, NITEMS(regs_sse), F_SSE, S_FPR },
		{ regs_linux, NITEMS(regs_linux), F_LINUX, S_GPR },
		{ regs_segments, NITEMS(regs_segments), F_SEGMENTS, S_GPR },
	};
	size_t	 i;

	for (i = 0; i < NITEMS(base); i++)
		if (regs_add_all(base[i].b_regs, base[i].b_n,
		    base[i].b_feature, base[i].b_set) == -1)
			return (-1);
	return (0);
}

int
regs_init(void)
{
	regs_n = 0;
	regs_gsize = 0;
	if (xs_probe() == -1)
		return (-1);
	if (regs_add_base() == -1)
		goto fail;
	if ((regs_xcr0 & XF_BIT(XF_AVX)) && regs_add_avx() == -1)
		goto fail;
	if ((regs_xcr0 & XF_AVX512) == XF_AVX512 && regs_add_avx512() == -1)
		goto fail;
	if ((regs_xcr0 & XF_BIT(XF_PKRU)) && regs_add_pkeys() == -1)
		goto fail;
	return (0);
fail:
	regs_n = 0;
	regs_gsize = 0;
	return (-1);
}

unsigned
regs_count(void)
{
	return (regs_n);
}

const struct reg_desc *
regs_desc(unsigned regno)
{
	if (regno >= regs_n)
		return (NULL);
	return (&regs_list[regno]);
}

size_t
regs_g_size(void)
{
	return (regs_gsize);
}

int
regs_lookup(const char *name)
{
	unsigned	 i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < regs_n; i++)
		if (strcmp(regs_list[i].rd_name, name) == 0)
			return ((int)i);
	return (-1);
}

/* ------------------------------------------------ fetch and store */

int
regs_fetch_gp(pid_t tid, struct regs *r)
{
	struct user_regs_struct	 u;

	r->r_have_fp = false;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &u) == -1)
		return (-1);
	memcpy(r->r_gp, &u, sizeof(r->r_gp));
	return (0);
}

/*
 * NT_X86_XSTATE gives the standard-format XSAVE area and sets iov_len to
 * its size.  EINVAL or ENODEV means no XSAVE in this kernel: fall back
 * to the 512-byte FXSAVE area, which has no header.
 */
static int
regs_fetch_fp(pid_t tid, struct regs *r)
{
	struct iovec	 iov;

	if (regs_xstate) {
		iov.iov_base = r->r_xsave;
		iov.iov_len = sizeof(r->r_xsave);
		if (ptrace(PTRACE_GETREGSET, tid, XSTATE_NOTE,
		    &iov) == 0) {
			r->r_xsave_len = iov.iov_len;
			return (0);
		}
		if (errno != EINVAL && errno != ENODEV)
			return (-1);
	}
	if (ptrace(PTRACE_GETFPREGS, tid, NULL, r->r_xsave) == -1)
		return (-1);
	r->r_xsave_len = FX_SIZE;
	return (0);
}

int
regs_fetch(pid_t tid, struct regs *r)
{
	if (regs_fetch_gp(tid, r) == -1 || regs_fetch_fp(tid, r) == -1)
		return (-1);
	r->r_have_fp = true;
	return (0);
}

int
regs_store_gp(pid_t tid, const struct regs *r)
{
	struct user_regs_struct	 u;

	memcpy(&u, r->r_gp, sizeof(u));
	return (ptrace(PTRACE_SETREGS, tid, NULL, &u) == -1 ? -1 : 0);
}

/* The kernel wants back exactly the size it gave (EFAULT otherwise). */
int
regs_store(pid_t tid, const struct regs *r)
{
	struct iovec	 iov;

	if (regs_store_gp(tid, r) == -1)
		return (-1);
	if (!r->r_have_fp)
		return (0);
	if (r->r_xsave_len > FX_SIZE) {
		iov.iov_base = (void *)r->r_xsave;
		iov.iov_len = r->r_xsave_len;
		if (ptrace(PTRACE_SETREGSET, tid, XSTATE_NOTE,
		    &iov) == -1)
			return (-1);
		return (0);
	}
	if (ptrace(PTRACE_SETFPREGS, tid, NULL, (void *)r->r_xsave) == -1)
		return (-1);
	return (0);
}

/* ------------------------------------------- the XSAVE area, by field */

static uint64_t
xs_bv(const struct regs *r)
{
	uint64_t	 bv;

	memcpy(&bv, r->r_xsave + XS_BV, sizeof(bv));
	return (bv);
}

static bool
xs_has_header(const struct regs *r)
{
	return (r->r_xsave_len >= XS_HDR_END);
}

/* Does the area hold the bytes at off .. off + len at all? */
static bool
xs_present(const struct regs *r, const struct reg_src *s, size_t len)
{
	if (s->rs_off + len > r->r_xsave_len)
		return (false);
	return (xs_has_header(r) || s->rs_off + len <= FX_SIZE);
}

/* Are they live (not the component's initial state)? */
static bool
xs_live(const struct regs *r, const struct reg_src *s)
{
	if (!xs_has_header(r))
		return (true);
	return ((xs_bv(r) & s->rs_feat) != 0);
}

static void
put16(uint8_t *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

/* Put component f of the area in its initial state and mark it live. */
static void
xs_make_live(struct regs *r, unsigned f)
{
	uint64_t	 bv = xs_bv(r);
	uint64_t	 mx = XF_BIT(XF_SSE) | XF_BIT(XF_AVX);
	uint32_t	 mxcsr = MXCSR_INIT;

	switch (f) {
	case XF_X87:
		memset(r->r_xsave, 0, FX_MXCSR);
		memset(r->r_xsave + FX_ST0, 0, FX_XMM0 - FX_ST0);
		put16(r->r_xsave + FX_FCW, FCW_INIT);
		break;
	case XF_SSE:
		memset(r->r_xsave + FX_XMM0, 0, 16 * 16);
		break;
	default:
		memset(r->r_xsave + xs_off[f], 0, xs_size[f]);
		break;
	}
	if ((XF_BIT(f) & mx) && (bv & mx) == 0)
		memcpy(r->r_xsave + FX_MXCSR, &mxcsr, sizeof(mxcsr));
	bv |= XF_BIT(f);
	memcpy(r->r_xsave + XS_BV, &bv, sizeof(bv));
}

/* gdb's i387_tag: 0 valid, 1 zero, 2 special, of one 80-bit value. */
static unsigned
fx_tag(const uint8_t *raw)
{
	unsigned	 exponent = ((raw[9] & 0x7f) << 8) | raw[8];
	bool		 integer = (raw[7] & 0x80) != 0;
	bool		 fraction = false;
	int		 i;

	for (i = 0; i < 8; i++)
		if ((i == 7 ? raw[i] & 0x7f : raw[i]) != 0)
			fraction = true;
	if (exponent == 0x7fff)
		return (2);
	if (exponent == 0)
		return (!fraction && !integer ? 1 : 2);
	return (integer ? 0 : 2);
}

/*
 * The full tag word from FXSAVE's abridged one: a clear bit is empty (3),
 * a set bit is classified by looking at the value.  Tag bits are by
 * physical register, values by stack position: st(i) is physical
 * register (top + i) mod 8.
 */
static unsigned
fx_ftag(const uint8_t *fx)
{
	unsigned	 top = (fx[FX_FSW + 1] >> 3) & 7;
	unsigned	 ftag = 0, tag, phys;

	for (phys = 0; phys < 8; phys++) {
		if (fx[FX_FTW] & (1U << phys))
			tag = fx_tag(fx + FX_ST0 + 16 * ((phys + 8 - top) % 8));
		else
			tag = 3;
		ftag |= tag << (2 * phys);
	}
	return (ftag);
}

static unsigned
fx_ftag_abridged(unsigned ftag)
{
	unsigned	 abridged = 0, phys;

	for (phys = 0; phys < 8; phys++)
		if (((ftag >> (2 * phys)) & 3) != 3)
			abridged |= 1U << phys;
	return (abridged);
}

/* The initial value of a register whose component is not live. */
static void
fp_get_init(const struct reg_src *s, uint8_t *out, size_t len)
{
	memset(out, 0, len);
	if (s->rs_kind == RK_FX16 && s->rs_off == FX_FCW)
		put16(out, FCW_INIT);
	else if (s->rs_kind == RK_FTAG)
		put16(out, FTAG_EMPTY);
	else if (s->rs_off == FX_MXCSR)
		put16(out, MXCSR_INIT);
}

static void
fp_get(const struct regs *r, const struct reg_src *s, uint8_t *out,
    size_t len)
{
	const uint8_t	*p = r->r_xsave + s->rs_off;

	if (!xs_present(r, s, len) || !xs_live(r, s)) {
		fp_get_init(s, out, len);
		return;
	}
	memset(out, 0, len);
	switch (s->rs_kind) {
	case RK_FX16:
		memcpy(out, p, 2);
		break;
	case RK_FOP:
		out[0] = p[0];
		out[1] = p[1] & 0x07;
		break;
	case RK_FTAG:
		put16(out, fx_ftag(r->r_xsave));
		break;
	default:
		memcpy(out, p, len);
		break;
	}
}

/* Which component a write to s makes live: mxcsr goes with SSE. */
static unsigned
fp_component(const struct reg_src *s)
{
	unsigned	 f;

	for (f = 0; f < XS_NFEAT; f++)
		if (s->rs_feat & XF_BIT(f))
			return (f);
	return (XF_X87);
}

static int
fp_put(struct regs *r, const struct reg_src *s, const uint8_t *in,
    size_t len)
{
	uint8_t		*p = r->r_xsave + s->rs_off;

	if (!xs_present(r, s, len)) {
		errno = ENXIO;
		return (-1);
	}
	if (!xs_live(r, s))
		xs_make_live(r, fp_component(s));
	switch (s->rs_kind) {
	case RK_FX16:
		memcpy(p, in, 2);
		break;
	case RK_FOP:
		p[0] = in[0];
		p[1] = (p[1] & ~0x07) | (in[1] & 0x07);
		break;
	case RK_FTAG:
		p[0] = fx_ftag_abridged(in[0] | in[1] << 8);
		break;
	default:
		memcpy(p, in, len);
		break;
	}
	return (0);
}

/* ------------------------------------------------- one register */

int
regs_get(const struct regs *r, unsigned regno, uint8_t *out)
{
	const struct reg_src	*s;
	size_t			 len;

	if (regno >= regs_n) {
		errno = EINVAL;
		return (-1);
	}
	s = &regs_src[regno];
	len = regs_list[regno].rd_bits / 8;
	switch (s->rs_kind) {
	case RK_GP:
	case RK_GP32:
		memcpy(out, &r->r_gp[s->rs_off], len);
		break;
	default:
		if (!r->r_have_fp) {
			errno = ENODATA;
			return (-1);
		}
		fp_get(r, s, out, len);
		break;
	}
	return ((int)len);
}

int
regs_put(struct regs *r, unsigned regno, const uint8_t *in)
{
	const struct reg_src	*s;
	size_t			 len;
	uint32_t		 v32;

	if (regno >= regs_n) {
		errno = EINVAL;
		return (-1);
	}
	s = &regs_src[regno];
	len = regs_list[regno].rd_bits / 8;
	switch (s->rs_kind) {
	case RK_GP:
		memcpy(&r->r_gp[s->rs_off], in, len);
		break;
	case RK_GP32:
		memcpy(&v32, in, sizeof(v32));
		r->r_gp[s->rs_off] = v32;
		break;
	default:
		if (!r->r_have_fp) {
			errno = ENODATA;
			return (-1);
		}
		if (fp_put(r, s, in, len) == -1)
			return (-1);
		break;
	}
	return ((int)len);
}

uint64_t
regs_pc(const struct regs *r)
{
	return (r->r_gp[GP(rip)]);
}

void
regs_set_pc(struct regs *r, uint64_t pc)
{
	r->r_gp[GP(rip)] = pc;
}

uint64_t
regs_sp(const struct regs *r)
{
	return (r->r_gp[GP(rsp)]);
}

/* ------------------------------------------------- PEEKUSER/POKEUSER */

static int
regs_peek_user(pid_t tid, size_t off, uint64_t *v)
{
	long	 word;

	errno = 0;
	word = ptrace(PTRACE_PEEKUSER, tid, (void *)off, NULL);
	if (word == -1 && errno != 0)
		return (-1);
	*v = (uint64_t)word;
	return (0);
}

static int
regs_poke_user(pid_t tid, size_t off, uint64_t v)
{
	if (ptrace(PTRACE_POKEUSER, tid, (void *)off, (void *)v) == -1)
		return (-1);
	return (0);
}

#define USER_RIP	(offsetof(struct user, regs) + \
			 offsetof(struct user_regs_struct, rip))
#define USER_DR(n)	(offsetof(struct user, u_debugreg) + \
			 (size_t)(n) * sizeof(long))

int
regs_peek_pc(pid_t tid, uint64_t *pc)
{
	return (regs_peek_user(tid, USER_RIP, pc));
}

int
regs_poke_pc(pid_t tid, uint64_t pc)
{
	return (regs_poke_user(tid, USER_RIP, pc));
}

int
regs_peek_dr(pid_t tid, int n, uint64_t *v)
{
	if (n < 0 || n > 7) {
		errno = EINVAL;
		return (-1);
	}
	return (regs_peek_user(tid, USER_DR(n), v));
}

int
regs_poke_dr(pid_t tid, int n, uint64_t v)
{
	if (n < 0 || n > 7) {
		errno = EINVAL;
		return (-1);
	}
	return (regs_poke_user(tid, USER_DR(n), v));
}
