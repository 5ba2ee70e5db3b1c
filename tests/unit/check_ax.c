/*
 * check_ax.c -- agent expressions: each bytecode on values that show
 * its signedness, what gdb sends for simple conditions, and every way a
 * broken or hostile expression must fail without a crash, undefined
 * behaviour or a hang.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "platform/ax.h"
#include "tests/ck.h"

/* The opcodes, named as gdb's ax.def names them. */
enum {
	OP_ADD = 0x02, OP_SUB = 0x03, OP_MUL = 0x04,
	OP_DIV_SIGNED = 0x05, OP_DIV_UNSIGNED = 0x06,
	OP_REM_SIGNED = 0x07, OP_REM_UNSIGNED = 0x08,
	OP_LSH = 0x09, OP_RSH_SIGNED = 0x0a, OP_RSH_UNSIGNED = 0x0b,
	OP_LOG_NOT = 0x0e, OP_BIT_AND = 0x0f, OP_BIT_OR = 0x10,
	OP_BIT_XOR = 0x11, OP_BIT_NOT = 0x12, OP_EQUAL = 0x13,
	OP_LESS_SIGNED = 0x14, OP_LESS_UNSIGNED = 0x15, OP_EXT = 0x16,
	OP_REF8 = 0x17, OP_REF16 = 0x18, OP_REF32 = 0x19, OP_REF64 = 0x1a,
	OP_IF_GOTO = 0x20, OP_GOTO = 0x21, OP_CONST8 = 0x22,
	OP_CONST16 = 0x23, OP_CONST32 = 0x24, OP_CONST64 = 0x25,
	OP_REG = 0x26, OP_END = 0x27, OP_DUP = 0x28, OP_POP = 0x29,
	OP_ZERO_EXT = 0x2a, OP_SWAP = 0x2b, OP_PICK = 0x32, OP_ROT = 0x33,
};

/* Big-endian operands, as gdb writes them. */
#define B1(x)		(uint8_t)(uint64_t)(x)
#define B2(x)		B1((uint64_t)(x) >> 8), B1(x)
#define B4(x)		B2((uint64_t)(x) >> 16), B2(x)
#define B8(x)		B4((uint64_t)(x) >> 32), B4(x)
#define CONST8(x)	OP_CONST8, B1(x)
#define CONST16(x)	OP_CONST16, B2(x)
#define CONST32(x)	OP_CONST32, B4(x)
#define CONST64(x)	OP_CONST64, B8(x)
#define GOTO(off)	OP_GOTO, B2(off)
#define IF_GOTO(off)	OP_IF_GOTO, B2(off)
#define REG(n)		OP_REG, B2(n)

/* ------------------------------------------------------------ fake env */

#define NREGS		32
#define MEM_BASE	UINT64_C(0x601000)	/* where fake.mem sits */
#define MEM_SIZE	64
#define X_OFF		16			/* a 4-byte global "x" */

static struct {
	uint64_t	 regs[NREGS];
	uint8_t		 mem[MEM_SIZE];
	unsigned	 last_reg;	/* last register asked for */
	size_t		 last_n;	/* bytes of the last read */
} fake;

static int
fake_reg(void *arg, unsigned regno, uint64_t *val)
{
	ck_assert_ptr_eq(arg, &fake);
	fake.last_reg = regno;
	if (regno >= NREGS)
		return -1;
	*val = fake.regs[regno];
	return 0;
}

static int
fake_mem(void *arg, uint64_t addr, void *buf, size_t n)
{
	ck_assert_ptr_eq(arg, &fake);
	ck_assert(n == 1 || n == 2 || n == 4 || n == 8);
	fake.last_n = n;
	if (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE - n)
		return -1;
	memcpy(buf, fake.mem + (addr - MEM_BASE), n);
	return 0;
}

static const struct ax_env env = { &fake, fake_reg, fake_mem };

static void
setup(void)
{
	unsigned i;

	memset(&fake, 0, sizeof(fake));
	for (i = 0; i < NREGS; i++)
		fake.regs[i] = 0x1000 + i;
	/* High bits set, so a sign-extending read would show. */
	for (i = 0; i < MEM_SIZE; i++)
		fake.mem[i] = (uint8_t)(0xf1 + i);
}

/* Put v little-endian at fake.mem[off], n bytes. */
static void
poke(size_t off, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fake.mem[off + i] = (uint8_t)(v >> (8 * i));
}

/* ------------------------------------------------------------ runners */

#define SENTINEL	UINT64_C(0x5a5a5a5a5a5a5a5a)

/* The bytes given, as a pointer and a length for ax_eval. */
#define CODE(...)	(const uint8_t[]){ __VA_ARGS__ }, \
			    sizeof((const uint8_t[]){ __VA_ARGS__ })
/* The value of an expression that must succeed. */
#define VAL(...)	val_of(__LINE__, CODE(__VA_ARGS__))
/* The error of an expression. */
#define ERR(...)	err_of(CODE(__VA_ARGS__))

static uint64_t
val_of(int line, const uint8_t *code, size_t len)
{
	uint64_t r = SENTINEL;
	int rc;

	rc = ax_eval(code, len, &env, &r);
	ck_assert_msg(rc == AX_OK, "line %d: %s", line, ax_strerror(rc));
	return r;
}

/* An error leaves the result alone: the caller may not look at rc. */
static int
err_of(const uint8_t *code, size_t len)
{
	uint64_t r = SENTINEL;
	int rc;

	rc = ax_eval(code, len, &env, &r);
	if (rc != AX_OK)
		ck_assert_uint_eq(r, SENTINEL);
	return rc;
}

/* ------------------------------------------------------------ arithmetic */

START_TEST(add_sub_mul_wrap_modulo_2_64)
{
	ck_assert_uint_eq(VAL(CONST8(2), CONST8(3), OP_ADD, OP_END), 5);
	ck_assert_uint_eq(VAL(CONST64(-1), CONST8(2), OP_ADD, OP_END), 1);
	/* a b => a - b: b is the top. */
	ck_assert_uint_eq(VAL(CONST8(10), CONST8(3), OP_SUB, OP_END), 7);
	ck_assert_uint_eq(VAL(CONST8(0), CONST8(1), OP_SUB, OP_END),
	    UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(-3), CONST8(2), OP_MUL, OP_END),
	    (uint64_t)-6);
	ck_assert_uint_eq(VAL(CONST64(UINT64_C(1) << 32),
	    CONST64(UINT64_C(1) << 32), OP_MUL, OP_END), 0);
}
END_TEST

START_TEST(division_signed_and_unsigned)
{
	/* Signed truncates toward zero; unsigned sees 2^64 - 7. */
	ck_assert_uint_eq(VAL(CONST64(-7), CONST8(2), OP_DIV_SIGNED,
	    OP_END), (uint64_t)-3);
	ck_assert_uint_eq(VAL(CONST64(-7), CONST8(2), OP_DIV_UNSIGNED,
	    OP_END), UINT64_C(0x7ffffffffffffffc));
	ck_assert_uint_eq(VAL(CONST64(-7), CONST8(2), OP_REM_SIGNED,
	    OP_END), (uint64_t)-1);
	ck_assert_uint_eq(VAL(CONST64(-7), CONST8(2), OP_REM_UNSIGNED,
	    OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(7), CONST64(-2), OP_DIV_SIGNED,
	    OP_END), (uint64_t)-3);
	ck_assert_uint_eq(VAL(CONST8(7), CONST64(-2), OP_REM_SIGNED,
	    OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(7), CONST64(-2), OP_DIV_UNSIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(7), CONST64(-2), OP_REM_UNSIGNED,
	    OP_END), 7);
	ck_assert_uint_eq(VAL(CONST8(100), CONST8(7), OP_DIV_SIGNED,
	    OP_END), 14);
	ck_assert_uint_eq(VAL(CONST8(100), CONST8(7), OP_REM_UNSIGNED,
	    OP_END), 2);
}
END_TEST

START_TEST(int64_min_by_minus_one_does_not_trap)
{
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(-1),
	    OP_DIV_SIGNED, OP_END), (uint64_t)INT64_MIN);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(-1),
	    OP_REM_SIGNED, OP_END), 0);
	/* Other values by -1 are plain negation, remainder 0. */
	ck_assert_uint_eq(VAL(CONST8(5), CONST64(-1), OP_DIV_SIGNED,
	    OP_END), (uint64_t)-5);
	ck_assert_uint_eq(VAL(CONST8(5), CONST64(-1), OP_REM_SIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(-1),
	    OP_DIV_UNSIGNED, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(-1),
	    OP_REM_UNSIGNED, OP_END), (uint64_t)INT64_MIN);
}
END_TEST

START_TEST(shifts_and_shifts_by_64_or_more)
{
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(3), OP_LSH, OP_END), 8);
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(63), OP_LSH, OP_END),
	    UINT64_C(1) << 63);
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(64), OP_LSH, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(1), CONST64(-1), OP_LSH, OP_END), 0);

	ck_assert_uint_eq(VAL(CONST64(-16), CONST8(2), OP_RSH_SIGNED,
	    OP_END), (uint64_t)-4);
	ck_assert_uint_eq(VAL(CONST64(-16), CONST8(2), OP_RSH_UNSIGNED,
	    OP_END), UINT64_C(0x3ffffffffffffffc));
	ck_assert_uint_eq(VAL(CONST8(16), CONST8(2), OP_RSH_SIGNED,
	    OP_END), 4);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST8(63),
	    OP_RSH_SIGNED, OP_END), UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST8(63),
	    OP_RSH_UNSIGNED, OP_END), 1);

	/* By 64 or more: all sign bits, or nothing. */
	ck_assert_uint_eq(VAL(CONST64(-16), CONST8(64), OP_RSH_SIGNED,
	    OP_END), UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(INT64_MAX), CONST8(64),
	    OP_RSH_SIGNED, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(-16), CONST8(200), OP_RSH_SIGNED,
	    OP_END), UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(-16), CONST8(64), OP_RSH_UNSIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(-1), CONST64(-1), OP_RSH_UNSIGNED,
	    OP_END), 0);
}
END_TEST

START_TEST(logic_and_bitwise)
{
	ck_assert_uint_eq(VAL(CONST8(0), OP_LOG_NOT, OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(5), OP_LOG_NOT, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), OP_LOG_NOT, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(0xc), CONST8(0xa), OP_BIT_AND, OP_END),
	    0x8);
	ck_assert_uint_eq(VAL(CONST8(0xc), CONST8(0xa), OP_BIT_OR, OP_END),
	    0xe);
	ck_assert_uint_eq(VAL(CONST8(0xc), CONST8(0xa), OP_BIT_XOR, OP_END),
	    0x6);
	ck_assert_uint_eq(VAL(CONST8(0), OP_BIT_NOT, OP_END), UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST8(0xff), OP_BIT_NOT, OP_END),
	    UINT64_C(0xffffffffffffff00));
}
END_TEST

START_TEST(comparisons_signed_and_unsigned)
{
	ck_assert_uint_eq(VAL(CONST8(3), CONST8(3), OP_EQUAL, OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(3), CONST8(4), OP_EQUAL, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(-1), CONST64(-1), OP_EQUAL, OP_END),
	    1);
	/* a b => a < b: -1 is less signed, greater unsigned. */
	ck_assert_uint_eq(VAL(CONST64(-1), CONST8(1), OP_LESS_SIGNED,
	    OP_END), 1);
	ck_assert_uint_eq(VAL(CONST64(-1), CONST8(1), OP_LESS_UNSIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(1), CONST64(-1), OP_LESS_SIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(1), CONST64(-1), OP_LESS_UNSIGNED,
	    OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(2), CONST8(2), OP_LESS_SIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST8(2), CONST8(2), OP_LESS_UNSIGNED,
	    OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(INT64_MAX),
	    OP_LESS_SIGNED, OP_END), 1);
	ck_assert_uint_eq(VAL(CONST64(INT64_MIN), CONST64(INT64_MAX),
	    OP_LESS_UNSIGNED, OP_END), 0);
	ck_assert_uint_eq(VAL(CONST64(-5), CONST64(-2), OP_LESS_SIGNED,
	    OP_END), 1);
}
END_TEST

START_TEST(ext_and_zero_ext)
{
	ck_assert_uint_eq(VAL(CONST8(0x80), OP_EXT, 8, OP_END),
	    UINT64_C(0xffffffffffffff80));
	ck_assert_uint_eq(VAL(CONST8(0x7f), OP_EXT, 8, OP_END), 0x7f);
	ck_assert_uint_eq(VAL(CONST32(0xffffffff), OP_EXT, 32, OP_END),
	    UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST32(0x7fffffff), OP_EXT, 32, OP_END),
	    0x7fffffff);
	ck_assert_uint_eq(VAL(CONST8(1), OP_EXT, 1, OP_END), UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST8(2), OP_EXT, 1, OP_END), 0);
	/* Bits above n are dropped before extending. */
	ck_assert_uint_eq(VAL(CONST64(UINT64_C(0x1234000000000080)),
	    OP_EXT, 8, OP_END), (uint64_t)-128);
	ck_assert_uint_eq(VAL(CONST64(UINT64_C(0x1234000000000005)),
	    OP_EXT, 32, OP_END), 5);
	/* 64 and more leave it; no bits at all are 0. */
	ck_assert_uint_eq(VAL(CONST64(UINT64_C(0x8000000000000001)),
	    OP_EXT, 64, OP_END), UINT64_C(0x8000000000000001));
	ck_assert_uint_eq(VAL(CONST64(0x42), OP_EXT, 200, OP_END), 0x42);
	ck_assert_uint_eq(VAL(CONST8(0xff), OP_EXT, 0, OP_END), 0);

	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 8, OP_END), 0xff);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 32, OP_END),
	    0xffffffff);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 1, OP_END), 1);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 63, OP_END),
	    (uint64_t)INT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 64, OP_END),
	    UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 255, OP_END),
	    UINT64_MAX);
	ck_assert_uint_eq(VAL(CONST64(-1), OP_ZERO_EXT, 0, OP_END), 0);
}
END_TEST

/* ------------------------------------------------------------ env */

START_TEST(ref_each_size_little_endian_zero_extended)
{
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE), OP_REF8, OP_END), 0xf1);
	ck_assert_uint_eq(fake.last_n, 1);
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE), OP_REF16, OP_END), 0xf2f1);
	ck_assert_uint_eq(fake.last_n, 2);
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE), OP_REF32, OP_END),
	    0xf4f3f2f1);
	ck_assert_uint_eq(fake.last_n, 4);
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE), OP_REF64, OP_END),
	    UINT64_C(0xf8f7f6f5f4f3f2f1));
	ck_assert_uint_eq(fake.last_n, 8);
	/* An address computed on the stack; the last 8 bytes. */
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE), CONST8(MEM_SIZE - 8),
	    OP_ADD, OP_REF64, OP_END), UINT64_C(0x302f2e2d2c2b2a29));
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE + 5), OP_REF8, OP_END), 0xf6);
}
END_TEST

START_TEST(ref_refused_is_ax_mem)
{
	struct ax_env	 nomem = { &fake, fake_reg, NULL };
	uint64_t	 r = SENTINEL;

	ck_assert_int_eq(ERR(CONST32(MEM_BASE - 1), OP_REF8, OP_END),
	    AX_MEM);
	ck_assert_int_eq(ERR(CONST32(MEM_BASE + MEM_SIZE), OP_REF8, OP_END),
	    AX_MEM);
	/* Straddling the end: the first bytes would be readable. */
	ck_assert_int_eq(ERR(CONST32(MEM_BASE + MEM_SIZE - 2), OP_REF32,
	    OP_END), AX_MEM);
	ck_assert_uint_eq(fake.last_n, 4);
	ck_assert_int_eq(ERR(CONST64(-8), OP_REF64, OP_END), AX_MEM);
	ck_assert_int_eq(ERR(OP_REF32, OP_END), AX_UNDERFLOW);
	/* No env, or no memory function in it. */
	ck_assert_int_eq(ax_eval(CODE(CONST32(MEM_BASE), OP_REF8, OP_END),
	    NULL, &r), AX_MEM);
	ck_assert_int_eq(ax_eval(CODE(CONST32(MEM_BASE), OP_REF8, OP_END),
	    &nomem, &r), AX_MEM);
	ck_assert_uint_eq(r, SENTINEL);
}
END_TEST

START_TEST(reg_reads_and_refused_reg_is_ax_reg)
{
	struct ax_env	 noreg = { &fake, NULL, fake_mem };
	uint64_t	 r = SENTINEL;

	fake.regs[0] = UINT64_C(0xfedcba9876543210);
	ck_assert_uint_eq(VAL(REG(0), OP_END), UINT64_C(0xfedcba9876543210));
	ck_assert_uint_eq(fake.last_reg, 0);
	/* The operand is big-endian: 00 11 is 17, 11 00 is 4352. */
	ck_assert_uint_eq(VAL(OP_REG, 0x00, 0x11, OP_END), 0x1011);
	ck_assert_uint_eq(fake.last_reg, 17);
	ck_assert_int_eq(ERR(OP_REG, 0x11, 0x00, OP_END), AX_REG);
	ck_assert_uint_eq(fake.last_reg, 0x1100);
	ck_assert_int_eq(ERR(REG(0xffff), OP_END), AX_REG);
	ck_assert_uint_eq(fake.last_reg, 0xffff);
	ck_assert_int_eq(ERR(REG(NREGS), OP_END), AX_REG);
	ck_assert_uint_eq(VAL(REG(NREGS - 1), OP_END), 0x1000 + NREGS - 1);
	ck_assert_int_eq(ax_eval(CODE(REG(0), OP_END), NULL, &r), AX_REG);
	ck_assert_int_eq(ax_eval(CODE(REG(0), OP_END), &noreg, &r), AX_REG);
	ck_assert_uint_eq(r, SENTINEL);
}
END_TEST

/* ------------------------------------------------------------ constants */

START_TEST(consts_big_endian_zero_extended)
{
	ck_assert_uint_eq(VAL(OP_CONST8, 0xff, OP_END), 0xff);
	ck_assert_uint_eq(VAL(OP_CONST16, 0x12, 0x34, OP_END), 0x1234);
	ck_assert_uint_eq(VAL(OP_CONST16, 0xff, 0xfe, OP_END), 0xfffe);
	ck_assert_uint_eq(VAL(OP_CONST32, 0x89, 0xab, 0xcd, 0xef, OP_END),
	    0x89abcdef);
	ck_assert_uint_eq(VAL(OP_CONST64, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
	    0xcd, 0xef, OP_END), UINT64_C(0x0123456789abcdef));
	ck_assert_uint_eq(VAL(OP_CONST64, 0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa,
	    0x99, 0x88, OP_END), UINT64_C(0xffeeddccbbaa9988));
}
END_TEST

/* ------------------------------------------------------------ control */

START_TEST(if_goto_taken_and_not)
{
	/* 0 c; 2 if_goto 10; 5 const8 11; 7 goto 12; 10 const8 22; 12 end */
#define BRANCH(c) VAL(CONST8(c), IF_GOTO(10), CONST8(11), GOTO(12), \
	    CONST8(22), OP_END)
	ck_assert_uint_eq(BRANCH(1), 22);
	ck_assert_uint_eq(BRANCH(0xff), 22);
	ck_assert_uint_eq(BRANCH(0), 11);
#undef BRANCH
	/* if_goto pops its condition. */
	ck_assert_uint_eq(VAL(CONST8(7), CONST8(0), IF_GOTO(0), OP_END), 7);
	ck_assert_uint_eq(VAL(CONST8(7), CONST8(1), IF_GOTO(8), OP_POP,
	    OP_END), 7);
}
END_TEST

START_TEST(goto_skips_forward)
{
	/* 0 const8 1; 2 goto 7; 5 const8 2; 7 end */
	ck_assert_uint_eq(VAL(CONST8(1), GOTO(7), CONST8(2), OP_END), 1);
	/* To the last byte is inside. */
	ck_assert_uint_eq(VAL(CONST8(3), GOTO(5), OP_END), 3);
}
END_TEST

START_TEST(loop_counts_down_to_zero)
{
	/* sum = 0, n = 10; while (n != 0) { sum += n; n--; } sum */
	ck_assert_uint_eq(VAL(
	    CONST8(0),			/*  0 sum */
	    CONST8(10),			/*  2 n */
	    OP_DUP,			/*  4 loop: sum n n */
	    OP_LOG_NOT,			/*  5 */
	    IF_GOTO(19),		/*  6 n == 0: out */
	    OP_DUP,			/*  9 sum n n */
	    OP_ROT,			/* 10 n sum n */
	    OP_ADD,			/* 11 n sum+n */
	    OP_SWAP,			/* 12 sum+n n */
	    CONST8(1),			/* 13 */
	    OP_SUB,			/* 15 sum n-1 */
	    GOTO(4),			/* 16 */
	    OP_POP,			/* 19 out: sum */
	    OP_END), 55);		/* 20 */
}
END_TEST

/* ------------------------------------------------------------ stack */

START_TEST(dup_pop_swap_pick_rot)
{
	ck_assert_uint_eq(VAL(CONST8(4), OP_DUP, OP_ADD, OP_END), 8);
	ck_assert_uint_eq(VAL(CONST8(4), CONST8(5), OP_POP, OP_END), 4);
	/* swap: a b => b a */
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), OP_SWAP, OP_END), 1);
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), OP_SWAP, OP_POP,
	    OP_END), 2);
	ck_assert_uint_eq(VAL(CONST8(10), CONST8(3), OP_SWAP, OP_SUB,
	    OP_END), (uint64_t)-7);
	/* pick n: the item n below the top; 0 is dup. */
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), CONST8(3), OP_PICK, 0,
	    OP_END), 3);
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), CONST8(3), OP_PICK, 1,
	    OP_END), 2);
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), CONST8(3), OP_PICK, 2,
	    OP_END), 1);
	/* pick copies: the stack below is kept. */
	ck_assert_uint_eq(VAL(CONST8(1), CONST8(2), CONST8(3), OP_PICK, 2,
	    OP_POP, OP_END), 3);
	ck_assert_int_eq(ERR(CONST8(1), CONST8(2), CONST8(3), OP_PICK, 3,
	    OP_END), AX_UNDERFLOW);
	/* rot: a b c => c a b, read back from the top down. */
#define ROT3 CONST8(1), CONST8(2), CONST8(3), OP_ROT
	ck_assert_uint_eq(VAL(ROT3, OP_END), 2);
	ck_assert_uint_eq(VAL(ROT3, OP_POP, OP_END), 1);
	ck_assert_uint_eq(VAL(ROT3, OP_POP, OP_POP, OP_END), 3);
	ck_assert_int_eq(ERR(ROT3, OP_POP, OP_POP, OP_POP, OP_END),
	    AX_UNDERFLOW);
#undef ROT3
	/* Only the top three move. */
	ck_assert_uint_eq(VAL(CONST8(9), CONST8(1), CONST8(2), CONST8(3),
	    OP_ROT, OP_POP, OP_POP, OP_POP, OP_END), 9);
}
END_TEST

/* ------------------------------------------------------------ gdb's */

START_TEST(gdb_x_equals_1_for_a_4_byte_global)
{
#define X_EQ(k) CONST32(MEM_BASE + X_OFF), OP_REF32, OP_EXT, 32, \
	    CONST8(k), OP_EQUAL, OP_END

	poke(X_OFF, 1, 4);
	ck_assert_uint_eq(VAL(X_EQ(1)), 1);
	poke(X_OFF, 2, 4);
	ck_assert_uint_eq(VAL(X_EQ(1)), 0);
	/* The bytes around x do not leak into it. */
	poke(X_OFF - 1, 0xff, 1);
	poke(X_OFF + 4, 0xff, 1);
	poke(X_OFF, 0x00000001, 4);
	ck_assert_uint_eq(VAL(X_EQ(1)), 1);
	/* x == -1: gdb sign-extends both sides. */
	poke(X_OFF, 0xffffffff, 4);
	ck_assert_uint_eq(VAL(CONST32(MEM_BASE + X_OFF), OP_REF32, OP_EXT,
	    32, CONST8(0xff), OP_EXT, 8, OP_EQUAL, OP_END), 1);
	ck_assert_uint_eq(VAL(X_EQ(1)), 0);
#undef X_EQ
}
END_TEST

/*
 * i > 3 && j < 2, i in rbx (1) and j in rcx (2), both int: gdb swaps
 * for '>' and builds && from jumps.
 */
static uint64_t
i_gt_3_and_j_lt_2(uint64_t i, uint64_t j)
{
	fake.regs[1] = i;
	fake.regs[2] = j;
	return VAL(
	    REG(1),			/*  0 i */
	    OP_EXT, 32,			/*  3 */
	    CONST8(3),			/*  5 */
	    OP_SWAP,			/*  7 */
	    OP_LESS_SIGNED,		/*  8 3 < i */
	    IF_GOTO(15),		/*  9 */
	    GOTO(26),			/* 12 false */
	    REG(2),			/* 15 j */
	    OP_EXT, 32,			/* 18 */
	    CONST8(2),			/* 20 */
	    OP_LESS_SIGNED,		/* 22 j < 2 */
	    IF_GOTO(31),		/* 23 */
	    CONST8(0),			/* 26 false: */
	    GOTO(33),			/* 28 */
	    CONST8(1),			/* 31 true: */
	    OP_END);			/* 33 */
}

START_TEST(gdb_i_gt_3_and_j_lt_2)
{
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(4, 1), 1);
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(3, 1), 0);
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(4, 2), 0);
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(100, 0xfffffffb), 1);  /* j -5 */
	/* i == -5 is not > 3, though 0xfffffffb is. */
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(0xfffffffb, 1), 0);
	/* Garbage above an int's 32 bits does not count. */
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(UINT64_C(0xdeadbeef00000004),
	    UINT64_C(0x1234567800000001)), 1);
	ck_assert_uint_eq(i_gt_3_and_j_lt_2(UINT64_C(0x00000001ffffffff),
	    1), 0);
}
END_TEST

/* ------------------------------------------------------------ errors */

START_TEST(division_by_zero)
{
	ck_assert_int_eq(ERR(CONST8(1), CONST8(0), OP_DIV_SIGNED, OP_END),
	    AX_DIV_ZERO);
	ck_assert_int_eq(ERR(CONST8(1), CONST8(0), OP_DIV_UNSIGNED, OP_END),
	    AX_DIV_ZERO);
	ck_assert_int_eq(ERR(CONST8(1), CONST8(0), OP_REM_SIGNED, OP_END),
	    AX_DIV_ZERO);
	ck_assert_int_eq(ERR(CONST8(1), CONST8(0), OP_REM_UNSIGNED, OP_END),
	    AX_DIV_ZERO);
	ck_assert_int_eq(ERR(CONST64(INT64_MIN), CONST8(0), OP_DIV_SIGNED,
	    OP_END), AX_DIV_ZERO);
}
END_TEST

START_TEST(underflow)
{
	ck_assert_int_eq(ERR(OP_POP, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(CONST8(1), OP_POP, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_DUP, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(CONST8(1), OP_ADD, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(CONST8(1), OP_SWAP, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(CONST8(1), CONST8(2), OP_ROT, OP_END),
	    AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_PICK, 0, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_LOG_NOT, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_BIT_NOT, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_EXT, 8, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_ZERO_EXT, 8, OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(IF_GOTO(0), OP_END), AX_UNDERFLOW);
	ck_assert_int_eq(ERR(OP_REF64, OP_END), AX_UNDERFLOW);
}
END_TEST

/* n pushes of const8 into b, each value its index; the length. */
static size_t
pushes(uint8_t *b, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		b[len++] = OP_CONST8;
		b[len++] = (uint8_t)i;
	}
	return len;
}

START_TEST(overflow_at_and_past_the_limit)
{
	/* pushes, pops and end */
	static uint8_t	 b[3 * AX_MAX_STACK + 16];
	uint64_t	 r;
	size_t		 len, full, i;

	/* AX_MAX_STACK values fit, the bottom one still there. */
	full = pushes(b, AX_MAX_STACK);
	len = full;
	for (i = 1; i < AX_MAX_STACK; i++)
		b[len++] = OP_POP;
	b[len++] = OP_END;
	ck_assert_int_eq(ax_eval(b, len, &env, &r), AX_OK);
	ck_assert_uint_eq(r, 0);
	b[full] = OP_END;
	ck_assert_int_eq(ax_eval(b, full + 1, &env, &r), AX_OK);
	ck_assert_uint_eq(r, (AX_MAX_STACK - 1) & 0xff);

	/* One more push of any kind is refused. */
	len = pushes(b, AX_MAX_STACK + 1);
	b[len++] = OP_END;
	ck_assert_int_eq(err_of(b, len), AX_OVERFLOW);
	b[full] = OP_DUP;
	b[full + 1] = OP_END;
	ck_assert_int_eq(err_of(b, full + 2), AX_OVERFLOW);
	b[full] = OP_PICK;
	b[full + 1] = 0;
	b[full + 2] = OP_END;
	ck_assert_int_eq(err_of(b, full + 3), AX_OVERFLOW);
	b[full] = OP_REG;
	b[full + 1] = 0;
	b[full + 2] = 0;
	b[full + 3] = OP_END;
	ck_assert_int_eq(err_of(b, full + 4), AX_OVERFLOW);
	b[full] = OP_CONST64;
	memset(b + full + 1, 0, 8);
	b[full + 9] = OP_END;
	ck_assert_int_eq(err_of(b, full + 10), AX_OVERFLOW);

	/* Through dup, from one value. */
	len = 0;
	b[len++] = OP_CONST8;
	b[len++] = 42;
	for (i = 1; i < AX_MAX_STACK; i++)
		b[len++] = OP_DUP;
	b[len] = OP_END;
	ck_assert_int_eq(ax_eval(b, len + 1, &env, &r), AX_OK);
	ck_assert_uint_eq(r, 42);
	b[len++] = OP_DUP;
	b[len++] = OP_END;
	ck_assert_int_eq(err_of(b, len), AX_OVERFLOW);
}
END_TEST

START_TEST(truncated_operands)
{
	/* const32 with 2 bytes left. */
	ck_assert_int_eq(ERR(OP_CONST32, 0x12, 0x34), AX_TRUNCATED);
	ck_assert_int_eq(ERR(OP_CONST8), AX_TRUNCATED);
	ck_assert_int_eq(ERR(OP_CONST16, 0x01), AX_TRUNCATED);
	ck_assert_int_eq(ERR(OP_CONST64, 1, 2, 3, 4, 5, 6, 7), AX_TRUNCATED);
	ck_assert_int_eq(ERR(OP_GOTO, 0x00), AX_TRUNCATED);
	ck_assert_int_eq(ERR(CONST8(1), OP_IF_GOTO), AX_TRUNCATED);
	ck_assert_int_eq(ERR(OP_REG, 0x00), AX_TRUNCATED);
	ck_assert_int_eq(ERR(CONST8(1), OP_EXT), AX_TRUNCATED);
	ck_assert_int_eq(ERR(CONST8(1), OP_ZERO_EXT), AX_TRUNCATED);
	ck_assert_int_eq(ERR(CONST8(1), OP_PICK), AX_TRUNCATED);
	/* Exactly enough is fine, whatever the bytes. */
	ck_assert_uint_eq(VAL(OP_CONST32, 0, 0, 0, OP_END, OP_END), OP_END);
	/* An operand takes an end byte as data: then no end is left. */
	ck_assert_int_eq(ERR(OP_CONST16, 0x01, OP_END), AX_NO_END);
}
END_TEST

START_TEST(bad_jumps)
{
	/* 0 const8 3; 2 goto N; 5 end: 5 is inside, 6 is not. */
	ck_assert_uint_eq(VAL(CONST8(3), GOTO(5), OP_END), 3);
	ck_assert_int_eq(ERR(CONST8(3), GOTO(6), OP_END), AX_BAD_JUMP);
	ck_assert_int_eq(ERR(CONST8(3), GOTO(0xffff), OP_END), AX_BAD_JUMP);
	ck_assert_int_eq(ERR(CONST8(1), IF_GOTO(6), OP_END), AX_BAD_JUMP);
	/* A bad target is refused even when the jump is not taken. */
	ck_assert_int_eq(ERR(CONST8(0), IF_GOTO(6), OP_END), AX_BAD_JUMP);
	ck_assert_int_eq(ERR(GOTO(0x100), OP_END), AX_BAD_JUMP);
}
END_TEST

/* Opcodes that gdb defines and that we run. */
static int
known(unsigned op)
{
	return (op >= 0x02 && op <= 0x0b) || (op >= 0x0e && op <= 0x1a) ||
	    (op >= 0x20 && op <= 0x2b) || op == 0x32 || op == 0x33;
}

static const uint8_t unsupported[] = {
	0x01,				/* float */
	0x0c, 0x0d,			/* trace, trace_quick */
	0x1b, 0x1c, 0x1d,		/* ref_float, _double, _long_double */
	0x1e, 0x1f,			/* l_to_d, d_to_l */
	0x2c, 0x2d, 0x2e, 0x2f,		/* getv, setv, tracev, tracenz */
	0x30,				/* trace16 */
	0x34,				/* printf */
};

START_TEST(unsupported_opcodes)
{
	size_t	i;

	for (i = 0; i < sizeof(unsupported); i++) {
		ck_assert_int_eq(ERR(unsupported[i]), AX_UNSUPPORTED);
		ck_assert_int_eq(ERR(CONST8(1), CONST8(1), unsupported[i],
		    0, 0, 0, 0, OP_END), AX_UNSUPPORTED);
	}
}
END_TEST

START_TEST(every_other_opcode_is_bad)
{
	unsigned	 op;
	size_t		 i;
	int		 n = 0, skip;

	for (op = 0; op < 256; op++) {
		skip = known(op);
		for (i = 0; i < sizeof(unsupported); i++)
			if (unsupported[i] == op)
				skip = 1;
		if (skip)
			continue;
		ck_assert_msg(ERR(CONST8(1), CONST8(1), (uint8_t)op, OP_END) ==
		    AX_BAD_OP, "opcode 0x%02x", op);
		n++;
	}
	/* 0x00, 0x31 (gdb's invalid2), and 0x35 .. 0xff. */
	ck_assert_int_eq(n, 2 + 0x100 - 0x35);
	ck_assert_int_eq(ERR(0x00), AX_BAD_OP);
	ck_assert_int_eq(ERR(0x31), AX_BAD_OP);
	ck_assert_int_eq(ERR(0xff), AX_BAD_OP);
}
END_TEST

START_TEST(no_end)
{
	uint64_t	 r = SENTINEL;

	ck_assert_int_eq(ax_eval(NULL, 0, &env, &r), AX_NO_END);
	ck_assert_int_eq(ax_eval((const uint8_t *)"", 0, &env, &r),
	    AX_NO_END);
	ck_assert_uint_eq(r, SENTINEL);
	ck_assert_int_eq(ERR(CONST8(1)), AX_NO_END);
	ck_assert_int_eq(ERR(CONST8(1), OP_DUP, OP_ADD), AX_NO_END);
	/* Not taken, then off the end. */
	ck_assert_int_eq(ERR(CONST8(0), IF_GOTO(0), CONST8(1)), AX_NO_END);
}
END_TEST

START_TEST(too_long_at_and_past_the_limit)
{
	static uint8_t	 b[AX_MAX_LEN + 1];
	uint64_t	 r = SENTINEL;
	size_t		 len = 0;

	/* const16 (3 bytes), dup/pop pairs, end: AX_MAX_LEN exactly. */
	b[len++] = OP_CONST16;
	b[len++] = 0x01;
	b[len++] = 0x02;
	while (len < AX_MAX_LEN - 1) {
		b[len++] = OP_DUP;
		b[len++] = OP_POP;
	}
	b[len++] = OP_END;
	ck_assert_uint_eq(len, AX_MAX_LEN);
	ck_assert_int_eq(ax_eval(b, len, &env, &r), AX_OK);
	ck_assert_uint_eq(r, 0x0102);
	/* One byte more is refused before anything runs. */
	b[len] = OP_END;
	r = SENTINEL;
	ck_assert_int_eq(ax_eval(b, len + 1, &env, &r), AX_TOO_LONG);
	ck_assert_uint_eq(r, SENTINEL);
	ck_assert_int_eq(ax_eval(b, SIZE_MAX, &env, &r), AX_TOO_LONG);
}
END_TEST

/*
 * After pre bytes already in b: n = cnt; while (n != 0) n--; end.
 * That runs 1 + 6 * cnt + 4 bytecodes.  The length.
 */
static size_t
countdown(uint8_t *b, size_t pre, uint32_t cnt)
{
	size_t	len = pre, top, out;

	b[len++] = OP_CONST32;
	b[len++] = (uint8_t)(cnt >> 24);
	b[len++] = (uint8_t)(cnt >> 16);
	b[len++] = (uint8_t)(cnt >> 8);
	b[len++] = (uint8_t)cnt;
	top = len;
	b[len++] = OP_DUP;
	b[len++] = OP_LOG_NOT;
	b[len++] = OP_IF_GOTO;
	out = len;
	len += 2;
	b[len++] = OP_CONST8;
	b[len++] = 1;
	b[len++] = OP_SUB;
	b[len++] = OP_GOTO;
	b[len++] = (uint8_t)(top >> 8);
	b[len++] = (uint8_t)top;
	b[out] = (uint8_t)(len >> 8);
	b[out + 1] = (uint8_t)len;
	b[len++] = OP_END;
	return len;
}

START_TEST(steps_at_and_past_the_limit)
{
	/* A prefix of 5 bytecodes: const8 7, dup, pop, dup, pop. */
	static const uint8_t pre[] = { CONST8(7), OP_DUP, OP_POP, OP_DUP,
	    OP_POP, OP_BIT_NOT };
	uint32_t	 cnt = (AX_MAX_STEPS - 5 - 5) / 6;
	uint8_t		 b[64];
	uint64_t	 r = SENTINEL;
	size_t		 len;

	/* 5 + 1 + 6 * cnt + 4 == AX_MAX_STEPS exactly. */
	ck_assert_uint_eq(5 + 1 + 6 * (uint64_t)cnt + 4, AX_MAX_STEPS);
	memcpy(b, pre, 6);
	len = countdown(b, 6, cnt);
	ck_assert_int_eq(ax_eval(b, len, &env, &r), AX_OK);
	ck_assert_uint_eq(r, 0);
	/* The same with one bytecode more (bit_not) runs out. */
	memcpy(b, pre, 7);
	len = countdown(b, 7, cnt);
	r = SENTINEL;
	ck_assert_int_eq(ax_eval(b, len, &env, &r), AX_STEPS);
	ck_assert_uint_eq(r, SENTINEL);
}
END_TEST

START_TEST(infinite_loop_is_stopped)
{
	ck_assert_int_eq(ERR(GOTO(0)), AX_STEPS);
	ck_assert_int_eq(ERR(CONST8(1), OP_DUP, IF_GOTO(2), OP_END),
	    AX_STEPS);
	/* A loop that pushes overflows first. */
	ck_assert_int_eq(ERR(CONST8(1), GOTO(0)), AX_OVERFLOW);
}
END_TEST

/* ------------------------------------------------------------ misc */

START_TEST(result_may_be_null)
{
	ck_assert_int_eq(ax_eval(CODE(CONST8(1), OP_END), &env, NULL),
	    AX_OK);
	ck_assert_int_eq(ax_eval(CODE(OP_END), &env, NULL), AX_UNDERFLOW);
}
END_TEST

START_TEST(strerror_names_every_error)
{
	int	 i, j;

	ck_assert_str_eq(ax_strerror(AX_DIV_ZERO), "division by zero");
	for (i = AX_OK; i <= AX_NO_END; i++) {
		ck_assert_ptr_nonnull(ax_strerror(i));
		ck_assert_int_gt(strlen(ax_strerror(i)), 0);
		ck_assert_str_ne(ax_strerror(i), ax_strerror(-1));
		for (j = AX_OK; j < i; j++)
			ck_assert_str_ne(ax_strerror(i), ax_strerror(j));
	}
	ck_assert_ptr_nonnull(ax_strerror(-1));
	ck_assert_ptr_nonnull(ax_strerror(AX_NO_END + 1));
}
END_TEST

/* ------------------------------------------------------------ suite */

static void
add(Suite *s, const char *name, const TTest *t)
{
	ck_add(s, name, t, 60, setup);
}

static Suite *
ax_suite(void)
{
	Suite	*s = suite_create("ax");

	add(s, "add, sub, mul wrap modulo 2^64",
	    add_sub_mul_wrap_modulo_2_64);
	add(s, "division and remainder, signed and unsigned",
	    division_signed_and_unsigned);
	add(s, "INT64_MIN / -1 is INT64_MIN, remainder 0",
	    int64_min_by_minus_one_does_not_trap);
	add(s, "shifts; by 64 or more: 0 or the sign bits",
	    shifts_and_shifts_by_64_or_more);
	add(s, "log_not and the bitwise ops", logic_and_bitwise);
	add(s, "equal, less_signed, less_unsigned",
	    comparisons_signed_and_unsigned);
	add(s, "ext and zero_ext", ext_and_zero_ext);
	add(s, "ref8..ref64 little-endian, zero-extended",
	    ref_each_size_little_endian_zero_extended);
	add(s, "ref of memory refused is AX_MEM", ref_refused_is_ax_mem);
	add(s, "reg reads; a refused register is AX_REG",
	    reg_reads_and_refused_reg_is_ax_reg);
	add(s, "const8..const64 big-endian, zero-extended",
	    consts_big_endian_zero_extended);
	add(s, "if_goto taken and not", if_goto_taken_and_not);
	add(s, "goto skips forward", goto_skips_forward);
	add(s, "a loop counts down to zero", loop_counts_down_to_zero);
	add(s, "dup, pop, swap, pick, rot", dup_pop_swap_pick_rot);
	add(s, "gdb's x == 1 for a 4-byte global",
	    gdb_x_equals_1_for_a_4_byte_global);
	add(s, "gdb's i > 3 && j < 2", gdb_i_gt_3_and_j_lt_2);
	add(s, "division by zero", division_by_zero);
	add(s, "stack underflow", underflow);
	add(s, "AX_MAX_STACK values fit, one more overflows",
	    overflow_at_and_past_the_limit);
	add(s, "operands past the end are truncated", truncated_operands);
	add(s, "jumps outside the expression", bad_jumps);
	add(s, "float, trace, state variables, printf unsupported",
	    unsupported_opcodes);
	add(s, "every other opcode is bad", every_other_opcode_is_bad);
	add(s, "running off the end without end", no_end);
	add(s, "AX_MAX_LEN bytes run, one more is too long",
	    too_long_at_and_past_the_limit);
	add(s, "AX_MAX_STEPS bytecodes run, one more is too many",
	    steps_at_and_past_the_limit);
	add(s, "an infinite loop is stopped", infinite_loop_is_stopped);
	add(s, "result may be NULL", result_may_be_null);
	add(s, "ax_strerror names every error", strerror_names_every_error);
	return s;
}

int
main(void)
{
	return (ck_run(ax_suite()));
}
