/*
 * mem.c -- memory of a traced process, and software breakpoints.
 *
 * Reads go through process_vm_readv, with /proc/PID/mem for what it
 * cannot reach; writes go through /proc/PID/mem, which may write to
 * read-only text.  Our int3 bytes are never seen by a reader: a read
 * shows the original bytes, and a write under a breakpoint updates the
 * saved byte and keeps the breakpoint.
 */
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/ptrace_int.h"
#include "platform/target.h"

#define BP_INSN		0xcc	/* int3 */

int
mem_open(struct proc *p)
{
	char path[64];

	if (p->p_memfd != -1)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)p->p_pid);
	if ((p->p_memfd = open(path, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	return 0;
}

/* Raw bytes from memory, int3s and all. */
static ssize_t
mem_read_raw(struct proc *p, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	ssize_t n, m;

	n = process_vm_readv(p->p_pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return n;
	if (n < 0)
		n = 0;
	if (mem_open(p) == -1)
		return n > 0 ? n : -1;
	m = pread(p->p_memfd, (char *)buf + n, len - n, (off_t)(addr + n));
	if (m <= 0)
		return n > 0 ? n : -1;
	return n + m;
}

static ssize_t
mem_write_raw(struct proc *p, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n;

	if (mem_open(p) == -1)
		return -1;
	n = pwrite(p->p_memfd, buf, len, (off_t)addr);
	if (n == 0) {
		errno = EIO;
		return -1;
	}
	return n;
}

ssize_t
mem_read(struct proc *p, uint64_t addr, void *buf, size_t len)
{
	struct bp *b;
	ssize_t n;

	if (len == 0)
		return 0;
	if (addr + len < addr) {
		errno = EFAULT;
		return -1;
	}
	if ((n = mem_read_raw(p, addr, buf, len)) <= 0)
		return n;
	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (b->b_inserted && b->b_addr >= addr &&
		    b->b_addr < addr + (uint64_t)n)
			((uint8_t *)buf)[b->b_addr - addr] = b->b_saved;
	}
	return n;
}

ssize_t
mem_write(struct proc *p, uint64_t addr, const void *buf, size_t len)
{
	uint8_t *copy = NULL;
	struct bp *b;
	ssize_t n;

	if (len == 0)
		return 0;
	if (addr + len < addr) {
		errno = EFAULT;
		return -1;
	}
	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (!b->b_inserted || b->b_addr < addr || b->b_addr >= addr + len)
			continue;
		if (copy == NULL) {
			if ((copy = malloc(len)) == NULL)
				return -1;
			memcpy(copy, buf, len);
		}
		b->b_saved = copy[b->b_addr - addr];
		copy[b->b_addr - addr] = BP_INSN;
	}
	n = mem_write_raw(p, addr, copy != NULL ? copy : buf, len);
	free(copy);
	return n;
}

struct bp *
bp_find(struct proc *p, uint64_t addr)
{
	struct bp *b;

	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (b->b_addr == addr)
			return b;
	}
	return NULL;
}

static int
bp_plant(struct proc *p, struct bp *b)
{
	uint8_t insn = BP_INSN;

	if (mem_read_raw(p, b->b_addr, &b->b_saved, 1) != 1 ||
	    mem_write_raw(p, b->b_addr, &insn, 1) != 1)
		return -1;
	b->b_inserted = true;
	return 0;
}

static int
bp_unplant(struct proc *p, struct bp *b)
{
	if (!b->b_inserted)
		return 0;
	if (mem_write_raw(p, b->b_addr, &b->b_saved, 1) != 1)
		return -1;
	b->b_inserted = false;
	return 0;
}

int
bp_insert(struct proc *p, uint64_t addr)
{
	struct bp *b;

	if (bp_find(p, addr) != NULL)
		return 0;
	if (p->p_nbps >= TGT_MAX_BREAKPOINTS) {
		errno = ENOSPC;
		return -1;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	b->b_addr = addr;
	if (!p->p_bps_lifted && bp_plant(p, b) == -1) {
		free(b);
		return -1;
	}
	TAILQ_INSERT_TAIL(&p->p_bps, b, b_entry);
	p->p_nbps++;
	return 0;
}

int
bp_remove(struct proc *p, uint64_t addr)
{
	struct bp *b;

	if ((b = bp_find(p, addr)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (bp_unplant(p, b) == -1)
		return -1;
	TAILQ_REMOVE(&p->p_bps, b, b_entry);
	p->p_nbps--;
	free(b);
	return 0;
}

void
bp_remove_all(struct proc *p)
{
	struct bp *b;

	while ((b = TAILQ_FIRST(&p->p_bps)) != NULL) {
		bp_unplant(p, b);
		TAILQ_REMOVE(&p->p_bps, b, b_entry);
		free(b);
	}
	p->p_nbps = 0;
}

/* Put the original bytes back in a fork child's copy of our memory. */
void
bp_clear_in(struct proc *p, pid_t other)
{
	struct proc child = { .p_pid = other, .p_memfd = -1 };
	struct bp *b;

	TAILQ_INIT(&child.p_bps);
	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (b->b_inserted)
			mem_write_raw(&child, b->b_addr, &b->b_saved, 1);
	}
	if (child.p_memfd != -1)
		close(child.p_memfd);
}

void
bp_lift(struct proc *p)
{
	struct bp *b;

	TAILQ_FOREACH(b, &p->p_bps, b_entry)
		bp_unplant(p, b);
	p->p_bps_lifted = true;
}

void
bp_restore(struct proc *p)
{
	struct bp *b;

	if (!p->p_bps_lifted)
		return;
	p->p_bps_lifted = false;
	TAILQ_FOREACH(b, &p->p_bps, b_entry) {
		if (!b->b_inserted)
			bp_plant(p, b);
	}
}
