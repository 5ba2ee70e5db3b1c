/*
 * regs.h -- x86-64 registers of a traced thread, their numbering as gdb
 * and lldb see it, and the target description that names them.
 *
 * The register list is built once (regs_init) from what this CPU and
 * kernel offer: general, segment, fs/gs base, x87, SSE, orig_rax, and
 * AVX / AVX-512 / PKU where XCR0 enables them.  Register numbers are the
 * order of the list, which is also the order of the 'g' packet and of
 * the target description.
 */
#ifndef PLATFORM_REGS_H
#define PLATFORM_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define REGS_MAX_REG_BYTES	64	/* widest register (zmm) in bytes */
#define REGS_MAX_XSAVE		16384	/* bytes of XSAVE area we hold */

struct reg_desc {
	const char	*rd_name;	/* "rax", "st0", "xmm0", "ymm0h" */
	unsigned	 rd_bits;	/* size in bits */
	size_t		 rd_offset;	/* offset in the 'g' packet, bytes */
	const char	*rd_type;	/* tdesc type: int64, code_ptr, ... */
	const char	*rd_group;	/* tdesc group or NULL */
	const char	*rd_feature;	/* "org.gnu.gdb.i386.core" ... */
	int		 rd_dwarf;	/* DWARF number, -1 if none */
	const char	*rd_generic;	/* lldb generic: pc sp fp flags arg1..6 */
	const char	*rd_set;	/* lldb register set name */
	const char	*rd_encoding;	/* lldb: uint, ieee754, vector */
	const char	*rd_format;	/* lldb: hex, float, vector-uint8 */
	bool		 rd_in_g;	/* part of the 'g' packet */
};

/* Build the register list for this machine.  Call once at start. */
int	 regs_init(void);
/* Number of registers; numbers run 0 .. regs_count() - 1. */
unsigned regs_count(void);
const struct reg_desc *regs_desc(unsigned regno);
/* Bytes of the 'g' packet (registers with rd_in_g). */
size_t	 regs_g_size(void);
/* Register number of a name, or -1. */
int	 regs_lookup(const char *name);

/*
 * The target description document named annex ("target.xml" and any
 * file it includes), or NULL if there is none by that name.
 */
const char *regs_tdesc(const char *annex, size_t *len);
/*
 * target.xml as lldb-server writes it for lldb: one feature, and each
 * register with its qRegisterInfo keys (offset, encoding, format, group
 * for set, ehframe_regnum, dwarf_regnum, generic).
 */
const char *regs_tdesc_lldb(size_t *len);

/* One thread's registers, as fetched from the kernel. */
struct regs {
	uint64_t	 r_gp[27];	/* struct user_regs_struct */
	uint8_t		 r_xsave[REGS_MAX_XSAVE] __attribute__((aligned(64)));
	size_t		 r_xsave_len;	/* bytes the kernel returned */
	bool		 r_have_fp;	/* r_xsave valid */
};

/* Fetch all registers of a stopped thread; -1 with errno on failure. */
int	 regs_fetch(pid_t tid, struct regs *);
/* Fetch only the general registers (cheap: one PTRACE_GETREGS). */
int	 regs_fetch_gp(pid_t tid, struct regs *);
/* Write back the general registers, and the XSAVE area if r_have_fp. */
int	 regs_store(pid_t tid, const struct regs *);
int	 regs_store_gp(pid_t tid, const struct regs *);

/*
 * Read or write register regno in a snapshot, in target byte order
 * (little-endian), regs_desc(regno)->rd_bits / 8 bytes.  Return the
 * number of bytes, or -1 if regno is out of range or needs the XSAVE
 * area that was not fetched.  regs_put marks nothing; the caller stores.
 */
int	 regs_get(const struct regs *, unsigned regno, uint8_t *out);
int	 regs_put(struct regs *, unsigned regno, const uint8_t *in);

uint64_t regs_pc(const struct regs *);
void	 regs_set_pc(struct regs *, uint64_t);
uint64_t regs_sp(const struct regs *);

/* Read or write just the PC of a stopped thread (PEEKUSER/POKEUSER). */
int	 regs_peek_pc(pid_t tid, uint64_t *pc);
int	 regs_poke_pc(pid_t tid, uint64_t pc);

/*
 * Debug registers DR0-DR7 of a thread, through PTRACE_PEEKUSER and
 * POKEUSER at offsetof(struct user, u_debugreg).
 */
int	 regs_peek_dr(pid_t tid, int n, uint64_t *v);
int	 regs_poke_dr(pid_t tid, int n, uint64_t v);

#endif /* PLATFORM_REGS_H */
