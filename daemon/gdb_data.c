/*
 * gdb_data.c -- registers, memory and breakpoints: g G p P m M x X Z z,
 * and lldb's _M _m QSaveRegisterState QRestoreRegisterState.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/ax.h"

/* Bytes of memory one m or x reply may carry: hex doubles them. */
#define GDB_MAX_READ		(RSP_MAX_PACKET / 2 - 16)

/*
 * The thread register packets (and debug registers) apply to: it must be
 * stopped.  Memory and software breakpoints need only its process: in
 * non-stop gdb reads, writes and plants int3s while threads run (as
 * with gdbserver), and /proc/PID/mem serves a running process.
 */
static struct thr *
selected_thread(struct gsess *s, bool running_ok)
{
	struct thr *t = gdb_gthread(s);

	if (t == NULL || t->t_proc->p_exited) {
		gdb_error(s, ESRCH, "no thread selected");
		return NULL;
	}
	if (!t->t_stopped && !(running_ok && s->s_nonstop)) {
		gdb_error(s, EBUSY, "thread is running");
		return NULL;
	}
	return t;
}

static struct thr *
stopped_thread(struct gsess *s)
{
	return selected_thread(s, false);
}

void
gdb_put_reg(struct rsp_buf *b, struct regs *r, unsigned i)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	int n;

	if ((n = regs_get(r, i, v)) <= 0)
		return;
	rsp_buf_addf(b, "%02x:", i);
	rsp_buf_addhex(b, v, (size_t)n);
	rsp_buf_addc(b, ';');
}

void
gdb_read_regs(struct gsess *s)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct rsp_buf *b = &s->s_reply;
	struct thr *t;
	struct regs *r;
	unsigned i, n = regs_count();
	int len, k;

	if ((t = stopped_thread(s)) == NULL)
		return;
	if ((r = thr_regs(t, true)) == NULL) {
		gdb_error(s, errno, "cannot read registers");
		return;
	}
	rsp_buf_reset(b);
	for (i = 0; i < n; i++) {
		if (!regs_desc(i)->rd_in_g)
			continue;
		if ((len = regs_get(r, i, v)) > 0) {
			rsp_buf_addhex(b, v, len);
			continue;
		}
		/* Unavailable: "xx" per byte. */
		for (k = 0; k < (int)regs_desc(i)->rd_bits / 8; k++)
			rsp_buf_add(b, "xx", 2);
	}
	gdb_reply_buf(s);
}

void
gdb_write_regs(struct gsess *s, struct rsp_cursor *c)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct thr *t;
	struct regs *r;
	unsigned i, n = regs_count();
	size_t len;

	if ((t = stopped_thread(s)) == NULL)
		return;
	if (rsp_cursor_left(c) != regs_g_size() * 2) {
		gdb_error(s, EINVAL, "G packet of the wrong size");
		return;
	}
	if ((r = thr_regs(t, true)) == NULL) {
		gdb_error(s, errno, "cannot read registers");
		return;
	}
	for (i = 0; i < n; i++) {
		len = regs_desc(i)->rd_bits / 8;
		if (!regs_desc(i)->rd_in_g)
			continue;
		if (rsp_fromhex(v, c->c_p, len) == 0)
			regs_put(r, i, v);
		c->c_p += len * 2;
	}
	if (thr_regs_store(t) == -1) {
		gdb_error(s, errno, "cannot write registers");
		return;
	}
	gdb_ok(s);
}

void
gdb_read_reg(struct gsess *s, struct rsp_cursor *c)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct thr *t;
	struct regs *r;
	uint64_t regno;
	int len;

	if (rsp_get_hex(c, &regno) == -1 || regno >= regs_count()) {
		gdb_error(s, EINVAL, "no such register");
		return;
	}
	if ((t = stopped_thread(s)) == NULL)
		return;
	if ((r = thr_regs(t, true)) == NULL ||
	    (len = regs_get(r, (unsigned)regno, v)) <= 0) {
		gdb_error(s, errno != 0 ? errno : EIO, "cannot read register");
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addhex(&s->s_reply, v, len);
	gdb_reply_buf(s);
}

void
gdb_write_reg(struct gsess *s, struct rsp_cursor *c)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct thr *t;
	struct regs *r;
	uint64_t regno;
	size_t len;

	if (rsp_get_hex(c, &regno) == -1 || regno >= regs_count() ||
	    rsp_get_char(c, '=') == -1) {
		gdb_error(s, EINVAL, "no such register");
		return;
	}
	len = regs_desc((unsigned)regno)->rd_bits / 8;
	if (rsp_cursor_left(c) != len * 2 || rsp_fromhex(v, c->c_p, len) == -1) {
		gdb_error(s, EINVAL, "bad register value");
		return;
	}
	if ((t = stopped_thread(s)) == NULL)
		return;
	if ((r = thr_regs(t, true)) == NULL ||
	    regs_put(r, (unsigned)regno, v) == -1 || thr_regs_store(t) == -1) {
		gdb_error(s, errno != 0 ? errno : EIO, "cannot write register");
		return;
	}
	gdb_ok(s);
}

/* ADDR,LENGTH */
static int
get_addr_len(struct rsp_cursor *c, uint64_t *addr, uint64_t *len)
{
	if (rsp_get_hex(c, addr) == -1 || rsp_get_char(c, ',') == -1 ||
	    rsp_get_hex(c, len) == -1)
		return -1;
	return 0;
}

/* m ADDR,LEN (hex reply) and x ADDR,LEN (binary reply, lldb's). */
void
gdb_read_mem(struct gsess *s, struct rsp_cursor *c, bool bin)
{
	static uint8_t buf[GDB_MAX_READ];
	struct thr *t;
	uint64_t addr, len;
	ssize_t n;

	if (get_addr_len(c, &addr, &len) == -1 || !rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad address or length");
		return;
	}
	if (len == 0) {
		/* lldb probes for x this way; m gets no bytes, as gdbserver. */
		gdb_reply(s, bin ? "OK" : "");
		return;
	}
	if ((t = selected_thread(s, true)) == NULL)
		return;
	if (len > GDB_MAX_READ)
		len = GDB_MAX_READ;	/* a short read is allowed */
	if ((n = mem_read(t->t_proc, addr, buf, len)) <= 0) {
		gdb_error(s, n == 0 ? EIO : errno, "cannot read memory");
		return;
	}
	rsp_buf_reset(&s->s_reply);
	if (bin)
		rsp_buf_addbin(&s->s_reply, buf, n);
	else
		rsp_buf_addhex(&s->s_reply, buf, n);
	gdb_reply_buf(s);
}

/* M ADDR,LEN:HEX and X ADDR,LEN:BINARY */
void
gdb_write_mem(struct gsess *s, struct rsp_cursor *c, bool bin)
{
	static uint8_t buf[RSP_MAX_PACKET];
	struct thr *t;
	uint64_t addr, len;
	size_t have;

	if (get_addr_len(c, &addr, &len) == -1 || rsp_get_char(c, ':') == -1) {
		gdb_error(s, EINVAL, "bad address or length");
		return;
	}
	have = rsp_cursor_left(c);
	if (len > sizeof(buf) || have != (bin ? len : len * 2)) {
		gdb_error(s, EINVAL, "length does not match the data");
		return;
	}
	if (bin)
		memcpy(buf, c->c_p, len);
	else if (rsp_fromhex(buf, c->c_p, len) == -1) {
		gdb_error(s, EINVAL, "bad hex data");
		return;
	}
	if (len == 0) {
		gdb_ok(s);	/* gdb probes for X support this way */
		return;
	}
	if ((t = selected_thread(s, true)) == NULL)
		return;
	if (mem_write(t->t_proc, addr, buf, len) != (ssize_t)len) {
		gdb_error(s, errno != 0 ? errno : EIO, "cannot write memory");
		return;
	}
	gdb_ok(s);
}

/*
 * The target-side conditions after Z0/Z1's kind: ";XLEN,BYTES" each (the
 * agent expression in hex), at most TGT_MAX_CONDS of AX_MAX_LEN bytes.
 * code[] points into buf.  0, or -1 with a message in *why.
 */
static int
get_conds(struct rsp_cursor *c, uint8_t *buf, size_t cap, uint8_t **code,
    size_t *len, unsigned *n, const char **why)
{
	uint64_t l;
	size_t used = 0;

	*n = 0;
	while (rsp_cursor_skip(c, ";X")) {
		if (rsp_get_hex(c, &l) == -1 || rsp_get_char(c, ',') == -1 ||
		    l == 0 || rsp_cursor_left(c) < 2 * l) {
			*why = "bad breakpoint condition";
			return -1;
		}
		if (*n == TGT_MAX_CONDS || l > AX_MAX_LEN || used + l > cap) {
			*why = "breakpoint condition too long, or too many";
			return -1;
		}
		if (rsp_fromhex(buf + used, c->c_p, l) == -1) {
			*why = "bad breakpoint condition";
			return -1;
		}
		c->c_p += 2 * l;
		code[*n] = buf + used;
		len[(*n)++] = l;
		used += l;
	}
	if (!rsp_cursor_eof(c)) {
		/* ";cmds:" needs BreakpointCommands+, which we do not offer. */
		*why = "bad breakpoint packet";
		return -1;
	}
	return 0;
}

/* Z/z TYPE,ADDR,KIND: 0 software, 1 hardware, 2 write, 3 read, 4 access. */
void
gdb_breakpoint(struct gsess *s, struct rsp_cursor *c, bool insert)
{
	static uint8_t condbuf[TGT_MAX_CONDS * AX_MAX_LEN];
	uint8_t *code[TGT_MAX_CONDS];
	size_t len[TGT_MAX_CONDS];
	unsigned ncond = 0;
	const char *why;
	static const enum hw_type hwtype[] = {
		HW_NONE, HW_EXEC, HW_WRITE, HW_READ, HW_ACCESS
	};
	uint64_t type, addr, kind;
	struct proc *p;
	struct thr *t;
	int rc;

	if (rsp_get_hex(c, &type) == -1 || rsp_get_char(c, ',') == -1 ||
	    get_addr_len(c, &addr, &kind) == -1) {
		gdb_error(s, EINVAL, "bad breakpoint packet");
		return;
	}
	if (insert && type <= 1 && get_conds(c, condbuf, sizeof(condbuf), code,
	    len, &ncond, &why) == -1) {
		gdb_error(s, EINVAL, why);
		return;
	}
	/*
	 * x86 has no read-only watchpoint: like gdbserver we say Z3 is not
	 * supported, and gdb emulates it with an access watchpoint, which
	 * lets it tell reads from writes by the value.  lldb-server sets
	 * an access one for lldb, which does not emulate: do the same.
	 */
	if (type == 3 && s->s_lldb)
		type = 4;
	if (type > 4 || type == 3) {
		gdb_empty(s);
		return;
	}
	/* Debug registers are per thread: those need it stopped. */
	if ((t = selected_thread(s, type == 0)) == NULL)
		return;
	p = t->t_proc;
	if (type == 0) {
		if (kind != 1) {
			gdb_error(s, EINVAL, "x86 breakpoints are one byte");
			return;
		}
		rc = insert ? bp_insert(p, addr) : bp_remove(p, addr);
	} else {
		if (kind == 0 || kind > 8 * TGT_HW_SLOTS) {
			gdb_error(s, EINVAL, "bad watch length");
			return;
		}
		rc = insert ? hw_insert(p, hwtype[type], addr, (unsigned)kind) :
		    hw_remove(p, hwtype[type], addr, (unsigned)kind);
	}
	if (rc == -1) {
		gdb_error(s, errno, insert ? "cannot insert breakpoint" :
		    "cannot remove breakpoint");
		return;
	}
	/* A Z0/Z1 again at the same place brings the conditions anew. */
	if (type <= 1 && cond_set(p, type == 1, addr, insert ? ncond : 0, code,
	    len) == -1) {
		/* Unconditional, it would stop where gdb says not to. */
		if (insert && type == 0)
			bp_remove(p, addr);
		else if (insert)
			hw_remove(p, HW_EXEC, addr, (unsigned)kind);
		gdb_error(s, errno, "cannot keep the breakpoint's conditions");
		return;
	}
	gdb_ok(s);
}

/* ------------------------------------------------------------ lldb */

/* _M SIZE,PERMS: map memory for lldb's expressions; reply its address. */
void
gdb_alloc_mem(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t len, addr;
	struct thr *t;
	int prot = PROT_NONE;

	if (rsp_get_hex(c, &len) == -1 || rsp_get_char(c, ',') == -1 ||
	    len == 0 || len > TGT_MAX_ALLOC_BYTES) {
		gdb_error(s, EINVAL, "bad _M packet");
		return;
	}
	for (; !rsp_cursor_eof(c); c->c_p++) {
		if (*c->c_p == 'r')
			prot |= PROT_READ;
		else if (*c->c_p == 'w')
			prot |= PROT_WRITE;
		else if (*c->c_p == 'x')
			prot |= PROT_EXEC;
		else {
			gdb_error(s, EINVAL, "bad permissions in _M");
			return;
		}
	}
	if ((t = stopped_thread(s)) == NULL)
		return;
	if (mem_alloc(t, len, prot, &addr) == -1) {
		gdb_error(s, errno, "cannot allocate memory in the process");
		return;
	}
	log_debug("allocated %llu bytes at %#llx in %d",
	    (unsigned long long)len, (unsigned long long)addr,
	    (int)t->t_proc->p_pid);
	gdb_replyf(s, "%llx", (unsigned long long)addr);
}

/* _m ADDR: unmap what _M mapped. */
void
gdb_free_mem(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t addr;
	struct thr *t;

	if (rsp_get_hex(c, &addr) == -1 || !rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad _m packet");
		return;
	}
	if ((t = stopped_thread(s)) == NULL)
		return;
	if (mem_free(t, addr) == -1) {
		gdb_error(s, errno, errno == ENOENT ?
		    "memory not allocated by the debugger" :
		    "cannot free memory in the process");
		return;
	}
	gdb_ok(s);
}

/* QSaveRegisterState[;thread:TID;]: a snapshot; the reply is its id. */
void
gdb_save_regs(struct gsess *s, struct rsp_cursor *c)
{
	struct thr *t;
	struct regs *r;
	int i;

	if ((t = gdb_lldb_suffix(s, c)) == NULL)
		return;
	for (i = 0; i < GDB_MAX_SAVED_REGS && s->s_saved[i] != NULL; i++)
		;
	if (i == GDB_MAX_SAVED_REGS) {
		gdb_error(s, ENOSPC, "too many saved register states");
		return;
	}
	if ((r = thr_regs(t, true)) == NULL) {
		gdb_error(s, errno, "cannot read registers");
		return;
	}
	s->s_saved[i] = xmalloc(sizeof(*r));
	memcpy(s->s_saved[i], r, sizeof(*r));
	if (++s->s_next_save_id == 0)
		s->s_next_save_id = 1;
	s->s_saved_id[i] = s->s_next_save_id;
	gdb_replyf(s, "%u", (unsigned)s->s_saved_id[i]);
}

/* A decimal id, 1 to UINT32_MAX. */
static int
get_id(struct rsp_cursor *c, uint32_t *id)
{
	uint64_t v = 0;
	int n = 0;

	while (!rsp_cursor_eof(c) && *c->c_p >= '0' && *c->c_p <= '9') {
		v = v * 10 + (uint64_t)(*c->c_p++ - '0');
		if (v > UINT32_MAX || ++n > 10)
			return -1;
	}
	if (n == 0 || v == 0)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

/* QRestoreRegisterState:ID[;thread:TID;]: back to a snapshot, once. */
void
gdb_restore_regs(struct gsess *s, struct rsp_cursor *c)
{
	struct thr *t;
	struct regs *r;
	uint32_t id;
	int i;

	if (get_id(c, &id) == -1) {
		gdb_error(s, EINVAL, "bad register state id");
		return;
	}
	if ((t = gdb_lldb_suffix(s, c)) == NULL)
		return;
	for (i = 0; i < GDB_MAX_SAVED_REGS; i++) {
		if (s->s_saved[i] != NULL && s->s_saved_id[i] == id)
			break;
	}
	if (i == GDB_MAX_SAVED_REGS) {
		gdb_error(s, ENOENT, "no such saved register state");
		return;
	}
	if ((r = thr_regs(t, true)) == NULL) {
		gdb_error(s, errno, "cannot read registers");
		return;
	}
	memcpy(r, s->s_saved[i], sizeof(*r));
	free(s->s_saved[i]);
	s->s_saved[i] = NULL;
	if (thr_regs_store(t) == -1) {
		gdb_error(s, errno, "cannot write registers");
		return;
	}
	gdb_ok(s);
}
