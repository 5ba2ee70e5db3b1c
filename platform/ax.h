/*
 * ax.h -- gdb's agent expressions, as they arrive for target-side
 * breakpoint conditions, run against a stopped x86-64 thread.
 *
 * Only what a condition needs: integer arithmetic, memory and register
 * reads, jumps.  Trace collection, state variables, printf and floating
 * point are refused, since we keep no trace state and gdb never puts
 * them in a condition.  Every limit is checked, so a hostile or broken
 * expression costs an error code, never a crash or a hung daemon.
 */
#ifndef PLATFORM_AX_H
#define PLATFORM_AX_H

#include <stddef.h>
#include <stdint.h>

#define AX_MAX_LEN	4096	/* bytes of one expression */
#define AX_MAX_STACK	1024	/* values on the stack at once */
#define AX_MAX_STEPS	100000	/* bytecodes executed in one run (loops) */

enum ax_err {
	AX_OK = 0,
	AX_BAD_OP,		/* an opcode we do not know */
	AX_UNSUPPORTED,		/* floating point, trace, variables, printf */
	AX_TRUNCATED,		/* an operand runs past the end */
	AX_UNDERFLOW,		/* popped an empty stack */
	AX_OVERFLOW,		/* past AX_MAX_STACK */
	AX_DIV_ZERO,
	AX_BAD_JUMP,		/* goto/if_goto outside the expression */
	AX_TOO_LONG,		/* len > AX_MAX_LEN */
	AX_STEPS,		/* more than AX_MAX_STEPS bytecodes executed */
	AX_REG,			/* the register could not be read */
	AX_MEM,			/* the memory could not be read */
	AX_NO_END,		/* ran off the end without "end" */
};

struct ax_env {
	void	*ae_arg;
	/* Register regno's value (low 8 bytes, zero-extended); -1 if none. */
	int	(*ae_reg)(void *arg, unsigned regno, uint64_t *val);
	/* Read n bytes (1, 2, 4 or 8) at addr into buf; -1 on failure. */
	int	(*ae_mem)(void *arg, uint64_t addr, void *buf, size_t n);
};

/*
 * Run code; *result gets the top of the stack at "end".  An enum ax_err.
 * On an error *result is left alone.  The env, or either of its
 * functions, may be NULL: an expression that needs it then fails with
 * AX_REG or AX_MEM.
 */
int		 ax_eval(const uint8_t *code, size_t len, const struct ax_env *,
		    uint64_t *result);
/* A few words for the log: "division by zero", ... */
const char	*ax_strerror(int);

#endif /* PLATFORM_AX_H */
