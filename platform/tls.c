/*
 * tls.c -- the address of a thread-local variable (qGetTLSAddr), on
 * x86-64 glibc, without libthread_db.
 *
 * 1. The module id: glibc numbers the modules that have a PT_TLS
 *    segment from 1, in link-map order, as it loads them (the main
 *    program first).  Walking r_debug's list and counting those with
 *    PT_TLS up to the module named gives its id.  (Modules dlclose'd
 *    and replaced can reuse ids; then this count is wrong and the
 *    reply is an error rather than a wrong address whenever the slot
 *    is empty.)
 * 2. The thread pointer is fs_base; tcbhead_t keeps the DTV pointer at
 *    offset 8; each DTV entry is 16 bytes, its first word the block's
 *    address, or -1 while the block is not allocated yet.
 */
#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "platform/procfs.h"
#include "platform/target.h"

#define TLS_DTV_OFFSET		8	/* tcbhead_t.dtv */
#define TLS_DTV_ENTRY		16	/* sizeof(dtv_t) */
#define TLS_MAX_MODULES		SVR4_MAX_LIBS
#define TLS_MAX_PHNUM		256

static int
read_u64(struct proc *p, uint64_t addr, uint64_t *v)
{
	return mem_read(p, addr, v, sizeof(*v)) == sizeof(*v) ? 0 : -1;
}

/* Does the ELF image whose program headers are at phdr have PT_TLS? */
static int
phdrs_have_tls(struct proc *p, uint64_t phdr, uint64_t phnum)
{
	Elf64_Phdr ph;
	uint64_t i;

	if (phnum == 0 || phnum > TLS_MAX_PHNUM)
		return -1;
	for (i = 0; i < phnum; i++) {
		if (mem_read(p, phdr + i * sizeof(ph), &ph, sizeof(ph)) !=
		    sizeof(ph))
			return -1;
		if (ph.p_type == PT_TLS)
			return 1;
	}
	return 0;
}

/* A shared object: its ELF header sits at its load address. */
static int
module_has_tls(struct proc *p, uint64_t l_addr)
{
	Elf64_Ehdr eh;

	if (mem_read(p, l_addr, &eh, sizeof(eh)) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
		return 0;	/* the vDSO's list entry and the like */
	return phdrs_have_tls(p, l_addr + eh.e_phoff, eh.e_phnum);
}

static int
main_has_tls(struct proc *p)
{
	uint64_t phdr = 0, phnum = 0, key, val;
	size_t len, k;
	char *auxv;

	if (procfs_read(p->p_pid, "auxv", &auxv, &len) == -1)
		return -1;
	for (k = 0; k + 16 <= len; k += 16) {
		memcpy(&key, auxv + k, 8);
		memcpy(&val, auxv + k + 8, 8);
		if (key == AT_PHDR)
			phdr = val;
		else if (key == AT_PHNUM)
			phnum = val;
	}
	free(auxv);
	return phdrs_have_tls(p, phdr, phnum);
}

/* The TLS module id of the link_map entry lm, or -1. */
static int
tls_modid(struct proc *p, uint64_t lm)
{
	struct svr4_list sl;
	size_t i;
	int id = 0, has;

	if (svr4_list(p, &sl) == -1)
		return -1;
	if (sl.sl_main_lm != 0 && (has = main_has_tls(p)) > 0) {
		id++;
		if (lm == sl.sl_main_lm) {
			svr4_free(&sl);
			return id;
		}
	}
	for (i = 0; i < sl.sl_n && i < TLS_MAX_MODULES; i++) {
		has = module_has_tls(p, sl.sl_libs[i].l_addr);
		if (has > 0)
			id++;
		if (sl.sl_libs[i].l_lm == lm) {
			svr4_free(&sl);
			return has > 0 ? id : -1;
		}
	}
	svr4_free(&sl);
	return -1;
}

int
tls_address(struct thr *t, uint64_t lm, uint64_t offset, uint64_t *addr)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	uint64_t tp, dtv, block;
	struct regs *r;
	int fsb, modid;

	if ((r = thr_regs(t, false)) == NULL ||
	    (fsb = regs_lookup("fs_base")) < 0 ||
	    regs_get(r, (unsigned)fsb, v) != 8)
		return -1;
	memcpy(&tp, v, sizeof(tp));
	if ((modid = tls_modid(t->t_proc, lm)) < 1 ||
	    read_u64(t->t_proc, tp + TLS_DTV_OFFSET, &dtv) == -1 ||
	    read_u64(t->t_proc, dtv + (uint64_t)modid * TLS_DTV_ENTRY,
	    &block) == -1) {
		errno = ENOENT;
		return -1;
	}
	if (block == 0 || block == (uint64_t)-1) {
		errno = EAGAIN;	/* not allocated in this thread yet */
		return -1;
	}
	*addr = block + offset;
	return 0;
}
