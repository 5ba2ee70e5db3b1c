/*
 * mem.c -- memory of a traced process, and software breakpoints.
 *
 * Reads go through process_vm_readv, with /proc/PID/mem for what it
 * cannot reach; writes go through /proc/PID/mem, which may write to
 * read-only text.  Our int3 bytes are never seen by a reader: a read
 * shows the original bytes, and a write under a breakpoint updates the
 * saved byte and keeps the breakpoint.
 */
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/ptrace_int.h"
#include "platform/target.h"

static tgt_bp_ledger_fn *bp_ledger;	/* tgt_set_bp_ledger's */

#define BP_INSN		0xcc	/* int3 */
#define INJ_MAX_STOPS	8	/* stops taken to step one injected syscall */
#define INJ_MAX_MAPS_LINE 4096	/* bytes of a /proc/PID/maps line read */

static const uint8_t syscall_insn[2] = { 0x0f, 0x05 };	/* syscall */

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
		if (bp_ledger != NULL && p->p_attached) {
			/* The byte under the int3 changed: so does the entry. */
			bp_ledger(p->p_pid, b->b_addr, 0, false);
			bp_ledger(p->p_pid, b->b_addr, b->b_saved, true);
		}
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

void
tgt_set_bp_ledger(tgt_bp_ledger_fn *fn)
{
	bp_ledger = fn;
}

void
bp_ledger_forget(struct proc *p)
{
	if (bp_ledger != NULL && p->p_attached)
		bp_ledger(p->p_pid, 0, 0, false);
	hw_ledger_forget(p);
}

int
bp_plant(struct proc *p, struct bp *b)
{
	uint8_t insn = BP_INSN;

	if (mem_read_raw(p, b->b_addr, &b->b_saved, 1) != 1 ||
	    mem_write_raw(p, b->b_addr, &insn, 1) != 1)
		return -1;
	b->b_inserted = true;
	if (bp_ledger != NULL && p->p_attached)
		bp_ledger(p->p_pid, b->b_addr, b->b_saved, true);
	return 0;
}

int
bp_unplant(struct proc *p, struct bp *b)
{
	if (!b->b_inserted)
		return 0;
	if (mem_write_raw(p, b->b_addr, &b->b_saved, 1) != 1)
		return -1;
	b->b_inserted = false;
	if (bp_ledger != NULL && p->p_attached)
		bp_ledger(p->p_pid, b->b_addr, 0, false);
	return 0;
}

/* A fork child's copy of its parent's breakpoint b: in its memory too. */
int
bp_copy(struct proc *p, const struct bp *from)
{
	struct bp *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return -1;
	*b = *from;
	TAILQ_INSERT_TAIL(&p->p_bps, b, b_entry);
	p->p_nbps++;
	if (b->b_inserted && bp_ledger != NULL && p->p_attached)
		bp_ledger(p->p_pid, b->b_addr, b->b_saved, true);
	return 0;
}

int
bp_insert(struct proc *p, uint64_t addr)
{
	struct bp *b;
	uint8_t byte, insn = BP_INSN;

	if ((b = bp_find(p, addr)) != NULL) {
		/*
		 * Memory shared with a vfork child whose copy of this
		 * breakpoint was removed has lost the int3: put it back.
		 */
		if (b->b_inserted && !p->p_bps_lifted &&
		    mem_read_raw(p, addr, &byte, 1) == 1 && byte != BP_INSN &&
		    mem_write_raw(p, addr, &insn, 1) != 1)
			return -1;
		return 0;
	}
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

/* ------------------------------------------------------------ syscalls */

/* The start of the first private executable mapping: room for a syscall. */
static int
exec_address(pid_t pid, uint64_t *addr)
{
	char path[64], line[INJ_MAX_MAPS_LINE], perms[8];
	uint64_t lo, hi;
	FILE *fp;
	int rc = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	errno = ENOEXEC;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi,
		    perms) != 3 || strlen(perms) != 4)
			continue;
		if (perms[2] == 'x' && perms[3] == 'p' &&
		    hi - lo >= sizeof(syscall_insn)) {
			*addr = lo;
			rc = 0;
			break;
		}
	}
	fclose(fp);
	return rc;
}

/*
 * Step t over the syscall instruction its registers point at, until it
 * stops after it.  Returns 0, or -1 with errno; *sig is a signal that
 * arrived meanwhile, for the caller to queue again.
 *
 * 1. A SIGTRAP with no event bits is the step done (the kernel traps
 *    after the syscall returns, TF being set by PTRACE_SINGLESTEP).
 * 2. Our own SIGSTOP, still queued from an all-stop (t_want_sigstop),
 *    may be delivered first: it is swallowed and the step retried.
 * 3. Any other signal-delivery stop is taken out of the way (resumed
 *    without it) and remembered; an event stop (status >> 16) is
 *    stepped past.
 * 4. An exit or death is handed to tgt_status, as for any wait status.
 */
static int
inject_step(struct thr *t, int *sig)
{
	pid_t tid = t->t_tid, w;
	int status, stops, stop;

	for (stops = 0; stops < INJ_MAX_STOPS; stops++) {
		if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) == -1)
			return -1;
		while ((w = waitpid(tid, &status, __WALL)) == -1 &&
		    errno == EINTR)
			;
		if (w == -1)
			return -1;
		if (!WIFSTOPPED(status)) {
			tgt_status(t->t_proc->p_tgt, w, status);
			errno = ESRCH;
			return -1;
		}
		stop = WSTOPSIG(status);
		if (stop == SIGTRAP && (status >> 16) == 0)
			return 0;
		if (stop == SIGSTOP && t->t_want_sigstop)
			t->t_want_sigstop = false;
		else if ((status >> 16) == 0 && stop != SIGTRAP)
			*sig = stop;
	}
	errno = EAGAIN;
	return -1;
}

/*
 * Run system call args[0] with arguments args[1..6] in the stopped
 * thread t, as lldb-server does to allocate memory: a syscall
 * instruction written at the start of the first executable mapping,
 * the registers set for the call, one step, then memory and registers
 * put back.  orig_rax is set to -1 so that the kernel's restart of a
 * system call the stop interrupted does not move our rip; the saved
 * registers bring that restart back for when the program runs again.
 */
static int
inject_syscall(struct thr *t, const uint64_t args[7], uint64_t *ret)
{
	struct user_regs_struct saved, r;
	struct proc *p = t->t_proc;
	uint8_t orig[sizeof(syscall_insn)];
	uint64_t at;
	int sig = 0, rc = -1, e;

	if (!t->t_stopped || p->p_exited) {
		errno = ESRCH;
		return -1;
	}
	if (t->t_regs_dirty && thr_regs_store(t) == -1)
		return -1;
	t->t_regs_dirty = false;
	if (exec_address(p->p_pid, &at) == -1 ||
	    ptrace(PTRACE_GETREGS, t->t_tid, NULL, &saved) == -1)
		return -1;
	if (mem_read_raw(p, at, orig, sizeof(orig)) != sizeof(orig))
		return -1;
	r = saved;
	r.rax = args[0];
	r.rdi = args[1];
	r.rsi = args[2];
	r.rdx = args[3];
	r.r10 = args[4];
	r.r8 = args[5];
	r.r9 = args[6];
	r.orig_rax = (unsigned long long)-1;
	r.rip = at;
	if (mem_write_raw(p, at, syscall_insn, sizeof(syscall_insn)) !=
	    sizeof(syscall_insn))
		return -1;
	if (ptrace(PTRACE_SETREGS, t->t_tid, NULL, &r) == -1 ||
	    inject_step(t, &sig) == -1 ||
	    ptrace(PTRACE_GETREGS, t->t_tid, NULL, &r) == -1)
		goto restore;
	if (r.rip != at + sizeof(syscall_insn)) {
		errno = EAGAIN;
		goto restore;
	}
	*ret = r.rax;
	rc = 0;
restore:
	e = errno;
	if (p->p_exited)
		return -1;
	mem_write_raw(p, at, orig, sizeof(orig));
	if (ptrace(PTRACE_SETREGS, t->t_tid, NULL, &saved) == -1)
		rc = -1;
	thr_invalidate(t);
	if (sig != 0)
		syscall_tgkill(p->p_pid, t->t_tid, sig);
	errno = e;
	if (rc == 0 && *ret > (uint64_t)-4096) {
		errno = (int)-*ret;
		rc = -1;
	}
	return rc;
}

int
mem_alloc(struct thr *t, uint64_t len, int prot, uint64_t *addr)
{
	struct proc *p = t->t_proc;
	uint64_t args[7] = { SYS_mmap, 0, len, (uint64_t)prot,
	    MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0 };
	struct alloc *a;

	if (len == 0 || len > TGT_MAX_ALLOC_BYTES) {
		errno = EINVAL;
		return -1;
	}
	if (p->p_nallocs >= TGT_MAX_ALLOCS) {
		errno = ENOSPC;
		return -1;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	if (inject_syscall(t, args, addr) == -1) {
		free(a);
		return -1;
	}
	a->a_addr = *addr;
	a->a_len = len;
	TAILQ_INSERT_TAIL(&p->p_allocs, a, a_entry);
	p->p_nallocs++;
	return 0;
}

void
mem_forget_allocs(struct proc *p)
{
	struct alloc *a;

	while ((a = TAILQ_FIRST(&p->p_allocs)) != NULL) {
		TAILQ_REMOVE(&p->p_allocs, a, a_entry);
		free(a);
	}
	p->p_nallocs = 0;
}

int
mem_free(struct thr *t, uint64_t addr)
{
	struct proc *p = t->t_proc;
	uint64_t args[7] = { SYS_munmap, addr, 0, 0, 0, 0, 0 }, ret;
	struct alloc *a;

	TAILQ_FOREACH(a, &p->p_allocs, a_entry) {
		if (a->a_addr == addr)
			break;
	}
	if (a == NULL) {
		errno = ENOENT;
		return -1;
	}
	args[2] = a->a_len;
	if (inject_syscall(t, args, &ret) == -1)
		return -1;
	TAILQ_REMOVE(&p->p_allocs, a, a_entry);
	p->p_nallocs--;
	free(a);
	return 0;
}
