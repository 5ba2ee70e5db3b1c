/*
 * ax.c -- an interpreter for gdb's agent expression bytecodes (the GDB
 * manual, "Agent Expressions"), enough for breakpoint conditions.
 *
 * The bytes come from the peer and are trusted in nothing: every
 * operand is fetched against the length, every push and pop against the
 * stack, every jump against the expression, and the number of bytecodes
 * run is bounded because gdb's language has backward jumps.  Values are
 * uint64_t and all arithmetic is done unsigned or with its edge cases
 * (division of INT64_MIN by -1, shifts by 64 or more) settled first, so
 * that no input reaches C's undefined behaviour.
 *
 * The expression is checked as it runs, not before: a bad opcode or a
 * bad jump on a path not taken costs nothing, as in gdbserver.
 */
#include <stdbool.h>

#include "platform/ax.h"

/* The opcodes, numbered as gdb's ax.def. */
enum {
	AXO_FLOAT = 0x01,
	AXO_ADD = 0x02,
	AXO_SUB = 0x03,
	AXO_MUL = 0x04,
	AXO_DIV_SIGNED = 0x05,
	AXO_DIV_UNSIGNED = 0x06,
	AXO_REM_SIGNED = 0x07,
	AXO_REM_UNSIGNED = 0x08,
	AXO_LSH = 0x09,
	AXO_RSH_SIGNED = 0x0a,
	AXO_RSH_UNSIGNED = 0x0b,
	AXO_TRACE = 0x0c,
	AXO_TRACE_QUICK = 0x0d,
	AXO_LOG_NOT = 0x0e,
	AXO_BIT_AND = 0x0f,
	AXO_BIT_OR = 0x10,
	AXO_BIT_XOR = 0x11,
	AXO_BIT_NOT = 0x12,
	AXO_EQUAL = 0x13,
	AXO_LESS_SIGNED = 0x14,
	AXO_LESS_UNSIGNED = 0x15,
	AXO_EXT = 0x16,
	AXO_REF8 = 0x17,
	AXO_REF16 = 0x18,
	AXO_REF32 = 0x19,
	AXO_REF64 = 0x1a,
	AXO_REF_FLOAT = 0x1b,
	AXO_REF_DOUBLE = 0x1c,
	AXO_REF_LONG_DOUBLE = 0x1d,
	AXO_L_TO_D = 0x1e,
	AXO_D_TO_L = 0x1f,
	AXO_IF_GOTO = 0x20,
	AXO_GOTO = 0x21,
	AXO_CONST8 = 0x22,
	AXO_CONST16 = 0x23,
	AXO_CONST32 = 0x24,
	AXO_CONST64 = 0x25,
	AXO_REG = 0x26,
	AXO_END = 0x27,
	AXO_DUP = 0x28,
	AXO_POP = 0x29,
	AXO_ZERO_EXT = 0x2a,
	AXO_SWAP = 0x2b,
	AXO_GETV = 0x2c,
	AXO_SETV = 0x2d,
	AXO_TRACEV = 0x2e,
	AXO_TRACENZ = 0x2f,
	AXO_TRACE16 = 0x30,
	AXO_PICK = 0x32,
	AXO_ROT = 0x33,
	AXO_PRINTF = 0x34,
};

#define AX_SIGN		(UINT64_C(1) << 63)

/*
 * v as a signed value, without the implementation-defined conversion of
 * an out-of-range unsigned: ~v is then in range, and -(~v) - 1 == v.
 */
static int64_t
ax_signed(uint64_t v)
{
	if (v <= INT64_MAX)
		return (int64_t)v;
	return -(int64_t)~v - 1;
}

/* The low n bits of v, sign-extended; no bits at all are 0. */
static uint64_t
ax_sext(uint64_t v, unsigned n)
{
	uint64_t mask;

	if (n >= 64)
		return v;
	if (n == 0)
		return 0;
	mask = (UINT64_C(1) << n) - 1;
	v &= mask;
	if (v & (UINT64_C(1) << (n - 1)))
		v |= ~mask;
	return v;
}

static uint64_t
ax_zext(uint64_t v, unsigned n)
{
	if (n >= 64)
		return v;
	return v & ((UINT64_C(1) << n) - 1);
}

/* a OP b for the two-operand opcodes; b was the top of the stack. */
static int
ax_binop(uint8_t op, uint64_t a, uint64_t b, uint64_t *r)
{
	switch (op) {
	case AXO_ADD:
		*r = a + b;
		break;
	case AXO_SUB:
		*r = a - b;
		break;
	case AXO_MUL:
		*r = a * b;
		break;
	case AXO_DIV_SIGNED:
	case AXO_REM_SIGNED:
		if (b == 0)
			return AX_DIV_ZERO;
		/*
		 * By -1 the quotient is the negation, which wraps for
		 * INT64_MIN where C's division would trap, and the
		 * remainder is always 0.
		 */
		if (b == UINT64_MAX)
			*r = op == AXO_DIV_SIGNED ? 0 - a : 0;
		else if (op == AXO_DIV_SIGNED)
			*r = (uint64_t)(ax_signed(a) / ax_signed(b));
		else
			*r = (uint64_t)(ax_signed(a) % ax_signed(b));
		break;
	case AXO_DIV_UNSIGNED:
		if (b == 0)
			return AX_DIV_ZERO;
		*r = a / b;
		break;
	case AXO_REM_UNSIGNED:
		if (b == 0)
			return AX_DIV_ZERO;
		*r = a % b;
		break;
	case AXO_LSH:
		*r = b >= 64 ? 0 : a << b;
		break;
	case AXO_RSH_UNSIGNED:
		*r = b >= 64 ? 0 : a >> b;
		break;
	case AXO_RSH_SIGNED:
		/* Shifting the complement keeps the sign bits in. */
		if (b >= 64)
			*r = (a & AX_SIGN) ? UINT64_MAX : 0;
		else
			*r = (a & AX_SIGN) ? ~(~a >> b) : a >> b;
		break;
	case AXO_BIT_AND:
		*r = a & b;
		break;
	case AXO_BIT_OR:
		*r = a | b;
		break;
	case AXO_BIT_XOR:
		*r = a ^ b;
		break;
	case AXO_EQUAL:
		*r = a == b;
		break;
	case AXO_LESS_SIGNED:
		/* Flipping the sign bits orders signed as unsigned. */
		*r = (a ^ AX_SIGN) < (b ^ AX_SIGN);
		break;
	case AXO_LESS_UNSIGNED:
		*r = a < b;
		break;
	default:
		return AX_BAD_OP;
	}
	return AX_OK;
}

/* The n-byte big-endian operand at *pc, which then moves past it. */
static int
ax_operand(const uint8_t *code, size_t len, size_t *pc, size_t n,
    uint64_t *v)
{
	size_t i;

	if (len - *pc < n)
		return AX_TRUNCATED;
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | code[*pc + i];
	*pc += n;
	return AX_OK;
}

static bool
ax_unsupported(uint8_t op)
{
	switch (op) {
	case AXO_FLOAT:
	case AXO_TRACE:
	case AXO_TRACE_QUICK:
	case AXO_REF_FLOAT:
	case AXO_REF_DOUBLE:
	case AXO_REF_LONG_DOUBLE:
	case AXO_L_TO_D:
	case AXO_D_TO_L:
	case AXO_GETV:
	case AXO_SETV:
	case AXO_TRACEV:
	case AXO_TRACENZ:
	case AXO_TRACE16:
	case AXO_PRINTF:
		return true;
	default:
		return false;
	}
}

/* The little-endian value of n bytes at addr, through the env. */
static int
ax_ref(const struct ax_env *env, uint64_t addr, size_t n, uint64_t *v)
{
	uint8_t buf[8];
	size_t i;

	if (env == NULL || env->ae_mem == NULL ||
	    env->ae_mem(env->ae_arg, addr, buf, n) < 0)
		return AX_MEM;
	*v = 0;
	for (i = n; i > 0; i--)
		*v = *v << 8 | buf[i - 1];
	return AX_OK;
}

int
ax_eval(const uint8_t *code, size_t len, const struct ax_env *env,
    uint64_t *result)
{
	/* 8 KiB on the C stack: no allocation, and re-entrant. */
	uint64_t st[AX_MAX_STACK], a, b, c, v;
	size_t pc = 0, sp = 0, steps = 0;
	uint8_t op;
	int rc;

	if (len > AX_MAX_LEN)
		return AX_TOO_LONG;
	while (pc < len) {
		if (++steps > AX_MAX_STEPS)
			return AX_STEPS;
		op = code[pc++];
		switch (op) {
		case AXO_ADD:
		case AXO_SUB:
		case AXO_MUL:
		case AXO_DIV_SIGNED:
		case AXO_DIV_UNSIGNED:
		case AXO_REM_SIGNED:
		case AXO_REM_UNSIGNED:
		case AXO_LSH:
		case AXO_RSH_SIGNED:
		case AXO_RSH_UNSIGNED:
		case AXO_BIT_AND:
		case AXO_BIT_OR:
		case AXO_BIT_XOR:
		case AXO_EQUAL:
		case AXO_LESS_SIGNED:
		case AXO_LESS_UNSIGNED:
			if (sp < 2)
				return AX_UNDERFLOW;
			if ((rc = ax_binop(op, st[sp - 2], st[sp - 1],
			    &v)) != AX_OK)
				return rc;
			st[--sp - 1] = v;
			break;
		case AXO_LOG_NOT:
			if (sp < 1)
				return AX_UNDERFLOW;
			st[sp - 1] = st[sp - 1] == 0;
			break;
		case AXO_BIT_NOT:
			if (sp < 1)
				return AX_UNDERFLOW;
			st[sp - 1] = ~st[sp - 1];
			break;
		case AXO_EXT:
		case AXO_ZERO_EXT:
			if ((rc = ax_operand(code, len, &pc, 1, &v)) != AX_OK)
				return rc;
			if (sp < 1)
				return AX_UNDERFLOW;
			st[sp - 1] = op == AXO_EXT ?
			    ax_sext(st[sp - 1], (unsigned)v) :
			    ax_zext(st[sp - 1], (unsigned)v);
			break;
		case AXO_REF8:
		case AXO_REF16:
		case AXO_REF32:
		case AXO_REF64:
			if (sp < 1)
				return AX_UNDERFLOW;
			/* ref8 .. ref64 are consecutive: 1, 2, 4, 8 bytes. */
			if ((rc = ax_ref(env, st[sp - 1],
			    (size_t)1 << (op - AXO_REF8), &v)) != AX_OK)
				return rc;
			st[sp - 1] = v;
			break;
		case AXO_IF_GOTO:
		case AXO_GOTO:
			if ((rc = ax_operand(code, len, &pc, 2, &v)) != AX_OK)
				return rc;
			/* Checked taken or not: a bad target always shows. */
			if (v >= len)
				return AX_BAD_JUMP;
			if (op == AXO_GOTO)
				pc = v;
			else {
				if (sp < 1)
					return AX_UNDERFLOW;
				if (st[--sp] != 0)
					pc = v;
			}
			break;
		case AXO_CONST8:
		case AXO_CONST16:
		case AXO_CONST32:
		case AXO_CONST64:
			if ((rc = ax_operand(code, len, &pc,
			    (size_t)1 << (op - AXO_CONST8), &v)) != AX_OK)
				return rc;
			if (sp >= AX_MAX_STACK)
				return AX_OVERFLOW;
			st[sp++] = v;
			break;
		case AXO_REG:
			if ((rc = ax_operand(code, len, &pc, 2, &v)) != AX_OK)
				return rc;
			if (sp >= AX_MAX_STACK)
				return AX_OVERFLOW;
			if (env == NULL || env->ae_reg == NULL ||
			    env->ae_reg(env->ae_arg, (unsigned)v, &st[sp]) < 0)
				return AX_REG;
			sp++;
			break;
		case AXO_END:
			if (sp < 1)
				return AX_UNDERFLOW;
			if (result != NULL)
				*result = st[sp - 1];
			return AX_OK;
		case AXO_DUP:
		case AXO_PICK:
			v = 0;
			if (op == AXO_PICK &&
			    (rc = ax_operand(code, len, &pc, 1, &v)) != AX_OK)
				return rc;
			if (v >= sp)
				return AX_UNDERFLOW;
			if (sp >= AX_MAX_STACK)
				return AX_OVERFLOW;
			st[sp] = st[sp - 1 - v];
			sp++;
			break;
		case AXO_POP:
			if (sp < 1)
				return AX_UNDERFLOW;
			sp--;
			break;
		case AXO_SWAP:
			if (sp < 2)
				return AX_UNDERFLOW;
			a = st[sp - 2];
			st[sp - 2] = st[sp - 1];
			st[sp - 1] = a;
			break;
		case AXO_ROT:
			/* a b c => c a b: the top goes under the other two. */
			if (sp < 3)
				return AX_UNDERFLOW;
			a = st[sp - 3];
			b = st[sp - 2];
			c = st[sp - 1];
			st[sp - 3] = c;
			st[sp - 2] = a;
			st[sp - 1] = b;
			break;
		default:
			return ax_unsupported(op) ? AX_UNSUPPORTED : AX_BAD_OP;
		}
	}
	return AX_NO_END;
}

const char *
ax_strerror(int err)
{
	switch (err) {
	case AX_OK:
		return "success";
	case AX_BAD_OP:
		return "unknown opcode";
	case AX_UNSUPPORTED:
		return "unsupported opcode";
	case AX_TRUNCATED:
		return "operand past the end";
	case AX_UNDERFLOW:
		return "stack underflow";
	case AX_OVERFLOW:
		return "stack overflow";
	case AX_DIV_ZERO:
		return "division by zero";
	case AX_BAD_JUMP:
		return "jump outside the expression";
	case AX_TOO_LONG:
		return "expression too long";
	case AX_STEPS:
		return "too many steps";
	case AX_REG:
		return "register unreadable";
	case AX_MEM:
		return "memory unreadable";
	case AX_NO_END:
		return "no end";
	default:
		return "unknown error";
	}
}
