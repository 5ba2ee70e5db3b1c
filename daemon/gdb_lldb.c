/*
 * gdb_lldb.c -- the session packets lldb adds to the protocol
 * (lldbgdbremote.md): host and process facts, memory regions, register
 * info, thread suffixes and thread lists in stop replies.
 */
#include <sys/utsname.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/procfs.h"

#define LLDB_TRIPLE	"x86_64-pc-linux-gnu"
#define LLDB_MAX_MAPS_LINE 8192	/* bytes of one /proc/PID/maps line */

static void
put_hexstr(struct rsp_buf *b, const char *key, const char *val)
{
	rsp_buf_addf(b, "%s:", key);
	rsp_buf_addhex(b, val, strlen(val));
	rsp_buf_addc(b, ';');
}

/* qHostInfo */
static void
lldb_host_info(struct gsess *s)
{
	struct rsp_buf *b = &s->s_reply;
	struct utsname u;
	char host[256] = "";

	rsp_buf_reset(b);
	put_hexstr(b, "triple", LLDB_TRIPLE);
	rsp_buf_addf(b, "ptrsize:8;endian:little;ostype:linux;"
	    "watchpoint_exceptions_received:after;");
	if (uname(&u) == 0) {
		put_hexstr(b, "os_build", u.release);
		put_hexstr(b, "os_kernel", u.version);
	}
	if (gethostname(host, sizeof(host) - 1) == 0)
		put_hexstr(b, "hostname", host);
	gdb_reply_buf(s);
}

/* qProcessInfo: the current process. */
static void
lldb_process_info(struct gsess *s)
{
	struct rsp_buf *b = &s->s_reply;
	struct procinfo pi;
	struct proc *p = gdb_gproc(s);

	if (p == NULL || procfs_process(p->p_pid, &pi) == -1) {
		gdb_error(s, ESRCH, "no process");
		return;
	}
	rsp_buf_reset(b);
	rsp_buf_addf(b, "pid:%x;parent-pid:%x;real-uid:%x;real-gid:%x;"
	    "effective-uid:%x;effective-gid:%x;", (unsigned)pi.pi_pid,
	    (unsigned)pi.pi_ppid, (unsigned)pi.pi_uid, (unsigned)pi.pi_gid,
	    (unsigned)pi.pi_euid, (unsigned)pi.pi_egid);
	put_hexstr(b, "triple", LLDB_TRIPLE);
	rsp_buf_addf(b, "ostype:linux;endian:little;ptrsize:8;");
	gdb_reply_buf(s);
}

/* qRegisterInfoN: lldb's description of register N; E45 past the last. */
static void
lldb_register_info(struct gsess *s, struct rsp_cursor *c)
{
	struct rsp_buf *b = &s->s_reply;
	const struct reg_desc *d;
	uint64_t n;

	if (rsp_get_hex(c, &n) == -1) {
		gdb_error(s, EINVAL, "bad register number");
		return;
	}
	if (n >= regs_count()) {
		gdb_reply(s, "E45");
		return;
	}
	d = regs_desc((unsigned)n);
	rsp_buf_reset(b);
	rsp_buf_addf(b, "name:%s;bitsize:%u;offset:%zu;encoding:%s;format:%s;"
	    "set:%s;", d->rd_name, d->rd_bits, d->rd_offset, d->rd_encoding,
	    d->rd_format, d->rd_set);
	if (d->rd_dwarf >= 0)
		rsp_buf_addf(b, "ehframe:%d;dwarf:%d;", d->rd_dwarf, d->rd_dwarf);
	if (d->rd_generic != NULL)
		rsp_buf_addf(b, "generic:%s;", d->rd_generic);
	gdb_reply_buf(s);
}

/*
 * qMemoryRegionInfo:ADDR: the mapping holding ADDR from /proc/PID/maps,
 * or the gap before the next mapping (no permissions).
 */
static void
lldb_region_info(struct gsess *s, struct rsp_cursor *c)
{
	char line[LLDB_MAX_MAPS_LINE], perms[8], path[LLDB_MAX_MAPS_LINE];
	struct rsp_buf *b = &s->s_reply;
	uint64_t addr, lo, hi, gap = 0, next = UINT64_MAX;
	struct proc *p = gdb_gproc(s);
	FILE *fp;
	int n;

	if (rsp_get_hex(c, &addr) == -1) {
		gdb_error(s, EINVAL, "bad address");
		return;
	}
	snprintf(line, sizeof(line), "/proc/%d/maps", p != NULL ?
	    (int)p->p_pid : -1);
	if (p == NULL || (fp = fopen(line, "re")) == NULL) {
		gdb_error(s, ESRCH, "no process");
		return;
	}
	rsp_buf_reset(b);
	while (fgets(line, sizeof(line), fp) != NULL) {
		path[0] = '\0';
		n = sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %s",
		    &lo, &hi, perms, path);
		if (n < 3)
			continue;
		if (addr >= hi) {
			gap = hi;
			continue;
		}
		if (addr < lo) {
			next = lo;
			break;
		}
		rsp_buf_addf(b, "start:%" PRIx64 ";size:%" PRIx64
		    ";permissions:%s%s%s;", lo, hi - lo,
		    perms[0] == 'r' ? "r" : "", perms[1] == 'w' ? "w" : "",
		    perms[2] == 'x' ? "x" : "");
		if (path[0] != '\0')
			put_hexstr(b, "name", path);
		fclose(fp);
		gdb_reply_buf(s);
		return;
	}
	fclose(fp);
	rsp_buf_addf(b, "start:%" PRIx64 ";size:%" PRIx64 ";", gap, next - gap);
	gdb_reply_buf(s);
}

/* qThreadStopInfoTID: why that thread is stopped, as a T reply. */
static void
lldb_thread_stop_info(struct gsess *s, struct rsp_cursor *c)
{
	struct thr *t;
	uint64_t tid;

	if (rsp_get_hex(c, &tid) == -1 || tid > INT32_MAX ||
	    (t = tgt_thr(s->s_tgt, (pid_t)tid)) == NULL || !t->t_stopped ||
	    t->t_proc->p_exited) {
		gdb_error(s, ESRCH, "no such stopped thread");
		return;
	}
	gdb_thread_stop(s, t);
}

/* The q packets lldb sends; 0 if handled, -1 if not one of them. */
int
gdb_lldb_query(struct gsess *s, struct rsp_cursor *c)
{
	if (rsp_cursor_skip(c, "qHostInfo"))
		lldb_host_info(s);
	else if (rsp_cursor_skip(c, "qProcessInfo") && rsp_cursor_eof(c))
		lldb_process_info(s);
	else if (rsp_cursor_skip(c, "qRegisterInfo"))
		lldb_register_info(s, c);
	else if (rsp_cursor_skip(c, "qMemoryRegionInfo:"))
		lldb_region_info(s, c);
	else if (rsp_cursor_skip(c, "qThreadStopInfo"))
		lldb_thread_stop_info(s, c);
	else if (rsp_cursor_skip(c, "qWatchpointSupportInfo"))
		gdb_replyf(s, "num:%d;", TGT_HW_SLOTS);
	else
		return -1;
	s->s_lldb = true;
	return 0;
}

/*
 * After QThreadSuffixSupported, register packets may end with
 * ";thread:TID;": take it off and make that thread the one they act on.
 */
void
gdb_lldb_thread_suffix(struct gsess *s, char *p, size_t *len)
{
	struct rsp_cursor c;
	char *suffix;
	pid_t pid, tid;

	if (!s->s_thread_suffix || *len == 0 || p[*len - 1] != ';' ||
	    (suffix = strstr(p, ";thread:")) == NULL)
		return;
	rsp_cursor_init(&c, suffix + 8, *len - (suffix + 8 - p) - 1);
	if (gdb_parse_ptid(s, &c, &pid, &tid) == -1 || !rsp_cursor_eof(&c))
		return;
	s->s_gpid = pid;
	s->s_gtid = tid;
	*suffix = '\0';
	*len = suffix - p;
}

/* QListThreadsInStopReply: threads and their PCs in every T reply. */
void
gdb_lldb_stop_threads(struct gsess *s, struct rsp_buf *b, struct proc *p)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct thr *t;
	struct regs *r;
	int rip = regs_lookup("rip");
	char sep = ':';

	if (!s->s_list_threads)
		return;
	rsp_buf_addf(b, "threads");
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		rsp_buf_addf(b, "%c%x", sep, (unsigned)t->t_tid);
		sep = ',';
	}
	rsp_buf_addf(b, ";thread-pcs");
	sep = ':';
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		uint64_t pc = 0;

		if ((r = thr_regs(t, false)) != NULL &&
		    regs_get(r, (unsigned)rip, v) == 8)
			memcpy(&pc, v, sizeof(pc));
		rsp_buf_addf(b, "%c%" PRIx64, sep, pc);
		sep = ',';
	}
	rsp_buf_addc(b, ';');
}
