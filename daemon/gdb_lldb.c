/*
 * gdb_lldb.c -- the session packets lldb adds to the protocol
 * (lldbgdbremote.md): host and process facts, memory regions, register
 * info, thread suffixes, lldb's keys in stop replies and jThreadsInfo.
 */
#include <sys/ptrace.h>
#include <sys/utsname.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/gdb.h"
#include "daemon/log.h"
#include "platform/procfs.h"

#define LLDB_TRIPLE	"x86_64-pc-linux-gnu"
#define LLDB_MAX_MAPS_LINE 8192	/* bytes of one /proc/PID/maps line */
#define LLDB_MAX_NAME	64	/* bytes of a thread name */
/*
 * Threads a stop reply lists (threads:, thread-pcs:): past this the keys
 * are left out and lldb asks qfThreadInfo, which pages.  jstopinfo (hex
 * JSON, about 150 bytes a thread) has a lower bound, and jThreadsInfo
 * describes at most LLDB_MAX_JSON_THREADS; all stay under RSP_MAX_PACKET.
 */
#define LLDB_MAX_STOP_THREADS	1024
#define LLDB_MAX_JSTOPINFO_THREADS 256
#define LLDB_MAX_JSON_THREADS	512

/* Registers jThreadsInfo expedites, as lldb-server: pc, sp, fp. */
static const char *const json_regs[] = { "rip", "rsp", "rbp" };
/* Registers a stop reply to lldb expedites: the general set. */
#define LLDB_EXPEDITED_GP	24	/* rax ... gs, our numbers 0-23 */

static void	lldb_threads_info(struct gsess *);
static void	lldb_watch_description(const struct thr *, char *, size_t);

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

/* qEcho:TEXT: the packet back, as lldb-server sends it. */
static void
lldb_echo(struct gsess *s, struct rsp_cursor *c)
{
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addf(&s->s_reply, "qEcho:");
	rsp_buf_add(&s->s_reply, c->c_p, rsp_cursor_left(c));
	gdb_reply_buf(s);
}

/*
 * qSupported from lldb: lldb-server 16's set (its HandleFeatures), no
 * more, since lldb's own test suite rejects any feature it does not
 * know.  multiprocess+ only when the client offered it.
 */
void
gdb_lldb_supported(struct gsess *s)
{
	gdb_replyf(s, "PacketSize=%x;QStartNoAckMode+;qEcho+;native-signals+;"
	    "QThreadSuffixSupported+;QListThreadsInStopReply+;"
	    "qXfer:features:read+;QPassSignals+;qXfer:auxv:read+;"
	    "qXfer:libraries-svr4:read+;qXfer:siginfo:read+%s%s%s",
	    RSP_MAX_PACKET, s->s_multiprocess ? ";multiprocess+" : "",
	    s->s_fork_events ? ";fork-events+" : "",
	    s->s_vfork_events ? ";vfork-events+" : "");
}

/* The q packets lldb sends; 0 if handled, -1 if not one of them. */
int
gdb_lldb_query(struct gsess *s, struct rsp_cursor *c)
{
	if (rsp_cursor_skip(c, "qHostInfo"))
		lldb_host_info(s);
	else if (rsp_cursor_skip(c, "qEcho:"))
		lldb_echo(s, c);
	else if (rsp_cursor_left(c) == strlen("qMemoryRegionInfo") &&
	    rsp_cursor_skip(c, "qMemoryRegionInfo"))
		gdb_ok(s);	/* "is it supported?" */
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
	else if (rsp_cursor_skip(c, "jThreadsInfo") && rsp_cursor_eof(c))
		lldb_threads_info(s);
	else if (rsp_cursor_skip(c, "qLaunchSuccess") && rsp_cursor_eof(c))
		gdb_lldb_launch_result(s);
	else if (rsp_cursor_skip(c, "qVAttachOrWaitSupported"))
		gdb_ok(s);
	else
		return -1;
	s->s_lldb = true;
	return 0;
}

/*
 * After QThreadSuffixSupported, register packets may end with
 * ";thread:TID;" (lldb) or ";thread:TID" (lldb-server's tests): take it
 * off and make that thread the one they act on.
 */
void
gdb_lldb_thread_suffix(struct gsess *s, char *p, size_t *len)
{
	struct rsp_cursor c;
	char *suffix;
	pid_t pid, tid;
	size_t end;

	if (!s->s_thread_suffix || *len == 0 ||
	    (suffix = strstr(p, ";thread:")) == NULL)
		return;
	end = p[*len - 1] == ';' ? *len - 1 : *len;
	rsp_cursor_init(&c, suffix + 8, end - (size_t)(suffix + 8 - p));
	if (gdb_parse_ptid(s, &c, &pid, &tid) == -1 || !rsp_cursor_eof(&c))
		return;
	s->s_gpid = pid;
	s->s_gtid = tid;
	*suffix = '\0';
	*len = suffix - p;
}

/* ------------------------------------------------------------ stops */

/*
 * Why t stopped, in lldb's words, or NULL for no reason: a thread only
 * stopped because another one had an event, or whose event is still
 * pending (it is reported at the next resume, not now as well).
 */
static const char *
lldb_reason(const struct thr *t)
{
	const struct stop *st = &t->t_stop;

	if (t->t_pending)
		return NULL;
	if (st->s_kind == STOP_EXEC)
		return "exec";
	if (st->s_kind == STOP_FORK)
		return "fork";
	if (st->s_kind == STOP_VFORK)
		return "vfork";
	if (st->s_kind == STOP_VFORK_DONE)
		return "vforkdone";
	if (st->s_kind != STOP_SIGNAL || st->s_signo == 0)
		return NULL;
	switch (st->s_why) {
	case WHY_SWBREAK:
	case WHY_HWBREAK:
		return "breakpoint";
	case WHY_WATCH:
	case WHY_RWATCH:
	case WHY_AWATCH:
		return "watchpoint";
	case WHY_STEP:
		return "trace";
	default:
		return "signal";
	}
}

/* lldb-server's words for a fault (its CrashReason.cpp), by si_code. */
static const struct {
	int		 cr_signo;
	int		 cr_code;
	const char	*cr_text;
	bool		 cr_addr;	/* "(fault address: 0x...)" follows */
} crash_reasons[] = {
	{ SIGSEGV, SI_KERNEL, "signal SIGSEGV: invalid address", true },
	{ SIGSEGV, SEGV_MAPERR, "signal SIGSEGV: invalid address", true },
	{ SIGSEGV, SEGV_ACCERR, "signal SIGSEGV: address access protected",
	    true },
	{ SIGILL, ILL_ILLOPC, "signal SIGILL: illegal instruction", false },
	{ SIGILL, ILL_ILLOPN, "signal SIGILL: illegal instruction operand",
	    false },
	{ SIGILL, ILL_ILLADR, "signal SIGILL: illegal addressing mode", false },
	{ SIGILL, ILL_ILLTRP, "signal SIGILL: illegal trap", false },
	{ SIGILL, ILL_PRVOPC, "signal SIGILL: privileged instruction", false },
	{ SIGILL, ILL_PRVREG, "signal SIGILL: privileged register", false },
	{ SIGILL, ILL_COPROC, "signal SIGILL: coprocessor error", false },
	{ SIGILL, ILL_BADSTK, "signal SIGILL: internal stack error", false },
	{ SIGBUS, SI_KERNEL, "signal SIGSEGV: invalid address", true },
	{ SIGBUS, BUS_ADRALN, "signal SIGBUS: illegal alignment", false },
	{ SIGBUS, BUS_ADRERR, "signal SIGBUS: illegal address", false },
	{ SIGBUS, BUS_OBJERR, "signal SIGBUS: hardware error", false },
	{ SIGFPE, FPE_INTDIV, "signal SIGFPE: integer divide by zero", false },
	{ SIGFPE, FPE_INTOVF, "signal SIGFPE: integer overflow", false },
	{ SIGFPE, FPE_FLTDIV, "signal SIGFPE: floating point divide by zero",
	    false },
	{ SIGFPE, FPE_FLTOVF, "signal SIGFPE: floating point overflow", false },
	{ SIGFPE, FPE_FLTUND, "signal SIGFPE: floating point underflow",
	    false },
	{ SIGFPE, FPE_FLTRES, "signal SIGFPE: inexact floating point result",
	    false },
	{ SIGFPE, FPE_FLTINV,
	    "signal SIGFPE: invalid floating point operation", false },
	{ SIGFPE, FPE_FLTSUB,
	    "signal SIGFPE: invalid floating point subscript range", false },
};

/*
 * A fault's description, from the siginfo of the signal t is stopped
 * with; false for other signals and for faults sent by kill().
 */
static bool
lldb_crash_description(const struct thr *t, char *buf, size_t cap)
{
	siginfo_t si;
	size_t i;

	if (ptrace(PTRACE_GETSIGINFO, t->t_tid, NULL, &si) == -1 ||
	    si.si_signo != t->t_stop.s_signo)
		return false;
	for (i = 0; i < sizeof(crash_reasons) / sizeof(crash_reasons[0]);
	    i++) {
		if (crash_reasons[i].cr_signo != si.si_signo ||
		    crash_reasons[i].cr_code != si.si_code)
			continue;
		if (crash_reasons[i].cr_addr)
			snprintf(buf, cap, "%s (fault address: 0x%llx)",
			    crash_reasons[i].cr_text,
			    (unsigned long long)(uintptr_t)si.si_addr);
		else
			strlcpy(buf, crash_reasons[i].cr_text, cap);
		return true;
	}
	return false;
}

/*
 * The description: of a stop lldb-server describes (a watchpoint, a
 * fault), or false.
 */
static bool
lldb_description(const struct thr *t, const char *reason, char *buf,
    size_t cap)
{
	if (reason == NULL)
		return false;
	if (strcmp(reason, "watchpoint") == 0) {
		lldb_watch_description(t, buf, cap);
		return true;
	}
	if (strcmp(reason, "signal") == 0)
		return lldb_crash_description(t, buf, cap);
	return false;
}

/* The signal lldb is told t stopped with (host numbers), or 0. */
static int
lldb_signal(const struct thr *t)
{
	if (t->t_pending || lldb_reason(t) == NULL)
		return 0;
	return t->t_stop.s_kind == STOP_EXEC ? SIGTRAP : t->t_stop.s_signo;
}

/*
 * lldb-server's description of a watchpoint stop: "ADDR INDEX HITADDR",
 * decimal, the hit address unknown on x86 (LLDB_INVALID_ADDRESS).
 */
static void
lldb_watch_description(const struct thr *t, char *buf, size_t cap)
{
	const struct proc *p = t->t_proc;
	int i;

	for (i = 0; i < TGT_HW_SLOTS; i++) {
		if (p->p_hw[i].h_type != HW_NONE &&
		    p->p_hw[i].h_addr == t->t_stop.s_addr)
			break;
	}
	snprintf(buf, cap, "%" PRIu64 " %d %" PRIu64, t->t_stop.s_addr,
	    i == TGT_HW_SLOTS ? 0 : i, UINT64_MAX);
}

static bool
name_is_plain(const char *name)
{
	return name[strcspn(name, "$#+-;:}*")] == '\0';
}

static void
put_thread_name(struct rsp_buf *b, const struct thr *t)
{
	char name[LLDB_MAX_NAME];

	if (procfs_thread_name(t->t_proc->p_pid, t->t_tid, name,
	    sizeof(name)) == -1 || name[0] == '\0')
		return;
	if (name_is_plain(name))
		rsp_buf_addf(b, "name:%s;", name);
	else
		put_hexstr(b, "hexname", name);
}

static unsigned
count_threads(const struct proc *p)
{
	const struct thr *t;
	unsigned n = 0;

	TAILQ_FOREACH(t, &p->p_threads, t_entry)
		n++;
	return n;
}

void
gdb_json_string(struct rsp_buf *b, const char *str)
{
	const unsigned char *u;

	rsp_buf_addc(b, '"');
	for (u = (const unsigned char *)str; *u != '\0'; u++) {
		if (*u == '"' || *u == '\\')
			rsp_buf_addf(b, "\\%c", *u);
		else if (*u < 0x20)
			rsp_buf_addf(b, "\\u%04x", *u);
		else
			rsp_buf_addc(b, (char)*u);
	}
	rsp_buf_addc(b, '"');
}

static void
json_registers(struct rsp_buf *b, struct thr *t)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct regs *r;
	const char *sep = "";
	size_t i;
	int regno, n;

	if ((r = thr_regs(t, false)) == NULL)
		return;
	rsp_buf_addf(b, "\"registers\":{");
	for (i = 0; i < sizeof(json_regs) / sizeof(json_regs[0]); i++) {
		if ((regno = regs_lookup(json_regs[i])) < 0 ||
		    (n = regs_get(r, (unsigned)regno, v)) <= 0)
			continue;
		rsp_buf_addf(b, "%s\"%d\":\"", sep, regno);
		rsp_buf_addhex(b, v, (size_t)n);
		rsp_buf_addc(b, '"');
		sep = ",";
	}
	rsp_buf_addf(b, "},");
}

/* One thread as lldb-server's jThreadsInfo and jstopinfo describe it. */
static void
json_thread(struct rsp_buf *b, struct thr *t, bool regs)
{
	char name[LLDB_MAX_NAME], desc[128];
	const char *reason = lldb_reason(t);
	int sig = lldb_signal(t);

	rsp_buf_addc(b, '{');
	if (regs)
		json_registers(b, t);
	if (procfs_thread_name(t->t_proc->p_pid, t->t_tid, name,
	    sizeof(name)) == 0 && name[0] != '\0') {
		rsp_buf_addf(b, "\"name\":");
		gdb_json_string(b, name);
		rsp_buf_addc(b, ',');
	}
	if (reason != NULL)
		rsp_buf_addf(b, "\"reason\":\"%s\",", reason);
	if (lldb_description(t, reason, desc, sizeof(desc))) {
		rsp_buf_addf(b, "\"description\":");
		gdb_json_string(b, desc);
		rsp_buf_addc(b, ',');
	}
	if (sig != 0)
		rsp_buf_addf(b, "\"signal\":%d,", sig);
	rsp_buf_addf(b, "\"tid\":%d}", (int)t->t_tid);
}

static void
json_threads(struct rsp_buf *b, struct proc *p, bool regs, unsigned max)
{
	struct thr *t;
	unsigned n = 0;

	rsp_buf_addc(b, '[');
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		if (n == max)
			break;
		if (n++ > 0)
			rsp_buf_addc(b, ',');
		json_thread(b, t, regs);
	}
	rsp_buf_addc(b, ']');
}

/* jThreadsInfo: every thread of the current process, as JSON. */
static void
lldb_threads_info(struct gsess *s)
{
	struct rsp_buf json;
	struct proc *p = gdb_gproc(s);

	if (p == NULL || p->p_exited) {
		gdb_error(s, ESRCH, "no process");
		return;
	}
	rsp_buf_init(&json);
	json_threads(&json, p, true, LLDB_MAX_JSON_THREADS);
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addbin(&s->s_reply, rsp_buf_head(&json), rsp_buf_used(&json));
	rsp_buf_free(&json);
	gdb_reply_buf(s);
}

/* QListThreadsInStopReply: threads, their stops and PCs in T replies. */
static void
put_thread_list(struct gsess *s, struct rsp_buf *b, struct proc *p)
{
	uint8_t v[REGS_MAX_REG_BYTES];
	struct rsp_buf json;
	struct thr *t;
	struct regs *r;
	int rip = regs_lookup("rip");
	unsigned n = count_threads(p);
	char sep = ':';

	if (!s->s_list_threads || n > LLDB_MAX_STOP_THREADS)
		return;
	rsp_buf_addf(b, "threads");
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		rsp_buf_addf(b, "%c%x", sep, (unsigned)t->t_tid);
		sep = ',';
	}
	rsp_buf_addc(b, ';');
	if (n > 1 && n <= LLDB_MAX_JSTOPINFO_THREADS) {
		rsp_buf_init(&json);
		json_threads(&json, p, false, n);
		rsp_buf_addf(b, "jstopinfo:");
		rsp_buf_addhex(b, rsp_buf_head(&json), rsp_buf_used(&json));
		rsp_buf_addc(b, ';');
		rsp_buf_free(&json);
	}
	rsp_buf_addf(b, "thread-pcs");
	sep = ':';
	TAILQ_FOREACH(t, &p->p_threads, t_entry) {
		uint64_t pc = 0;

		if ((r = thr_regs(t, false)) != NULL &&
		    regs_get(r, (unsigned)rip, v) == 8)
			memcpy(&pc, v, sizeof(pc));
		rsp_buf_addf(b, "%c%016" PRIx64, sep, pc);
		sep = ',';
	}
	rsp_buf_addc(b, ';');
}

/* The general registers, in order, after the thread keys. */
static void
put_gp_registers(struct rsp_buf *b, struct thr *t)
{
	struct regs *r;
	unsigned i;

	if ((r = thr_regs(t, false)) == NULL)
		return;
	for (i = 0; i < LLDB_EXPEDITED_GP && i < regs_count(); i++)
		gdb_put_reg(b, r, i);
}

/*
 * What lldb-server adds to a T reply after thread:: the name, the
 * thread list (QListThreadsInStopReply), the general registers, and the
 * reason with its description.
 */
void
gdb_lldb_stop_keys(struct gsess *s, struct rsp_buf *b, struct thr *t)
{
	const char *reason = lldb_reason(t);
	char desc[128];

	put_thread_name(b, t);
	put_thread_list(s, b, t->t_proc);
	put_gp_registers(b, t);
	if (reason == NULL)
		return;
	rsp_buf_addf(b, "reason:%s;", reason);
	if (lldb_description(t, reason, desc, sizeof(desc)))
		put_hexstr(b, "description", desc);
	/* lldb-server names the child after the reason, as GDB does. */
	if (t->t_stop.s_kind == STOP_FORK || t->t_stop.s_kind == STOP_VFORK) {
		rsp_buf_addf(b, "%s:", reason);
		gdb_put_ptid(s, b, t->t_stop.s_child, t->t_stop.s_child);
		rsp_buf_addc(b, ';');
	}
}

/*
 * The thread a register-state packet acts on: ";thread:TID;" at its end
 * (QThreadSuffixSupported), else the current one.  NULL after an error
 * reply.
 */
struct thr *
gdb_lldb_suffix(struct gsess *s, struct rsp_cursor *c)
{
	pid_t pid, tid;
	struct thr *t;

	if (rsp_cursor_skip(c, ";thread:")) {
		if (gdb_parse_ptid(s, c, &pid, &tid) == -1 ||
		    (!rsp_cursor_eof(c) && rsp_get_char(c, ';') == -1) ||
		    !rsp_cursor_eof(c)) {
			gdb_error(s, EINVAL, "bad thread suffix");
			return NULL;
		}
		t = gdb_select(s, pid, tid);
	} else if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "junk after the packet");
		return NULL;
	} else
		t = gdb_gthread(s);
	if (t == NULL || t->t_proc->p_exited) {
		gdb_error(s, ESRCH, "no such thread");
		return NULL;
	}
	if (!t->t_stopped) {
		gdb_error(s, EBUSY, "thread is running");
		return NULL;
	}
	return t;
}
