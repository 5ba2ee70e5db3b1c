/*
 * gdb.c -- the session, its client, and the packet dispatcher.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/tgtlog.h"

#define GDB_MAX_THREADS_LISTED	512	/* thread ids per qs/qfThreadInfo */
#define GDB_MAX_ERROR_MSG	256	/* bytes of an error message sent */

static void	gdb_conn_packet(struct conn *, char *, size_t);
static void	gdb_conn_interrupt(struct conn *);
static void	gdb_conn_closed(struct conn *);

static const struct conn_ops gdb_conn_ops = {
	.co_packet = gdb_conn_packet,
	.co_interrupt = gdb_conn_interrupt,
	.co_closed = gdb_conn_closed,
};

struct gsess *
gsess_new(struct loop *l)
{
	struct gsess *s = xcalloc(1, sizeof(*s));
	int i;

	s->s_loop = l;
	if ((s->s_tgt = tgt_new()) == NULL)
		fatal("tgt_new");
	handoff_track(s);
	s->s_tgt->g_note = tgtlog_note;
	rsp_buf_init(&s->s_reply);
	rsp_buf_init(&s->s_xdoc);
	s->s_shell = true;
	s->s_stops.gn_name = "Stop";
	s->s_stops.gn_max = GDB_MAX_NS_QUEUE;
	s->s_outq.gn_name = "Stdio";
	s->s_outq.gn_max = GDB_MAX_STDIO_QUEUE;
	s->s_no_aslr = true;
	for (i = 0; i < GDB_MAX_VFILE_FDS; i++)
		s->s_vfds[i] = -1;
	gdb_env_init(s);
	return s;
}

void
gsess_free(struct gsess *s)
{
	if (s == NULL)
		return;
	handoff_untrack(s);
	gdb_run_forget(s);
	gdb_ns_reset(s);
	if (s->s_conn != NULL)
		conn_close(s->s_conn);
	gdb_end_all(s);
	tgt_free(s->s_tgt);
	gdb_vfile_close_all(s);
	gdb_platform_free(s);
	gdb_lldb_free(s);
	gdb_env_free(s);
	gsess_set_program(s, NULL);
	rsp_buf_free(&s->s_reply);
	rsp_buf_free(&s->s_xdoc);
	free(s->s_cwd);
	free(s->s_wrapper);
	free(s);
}

void
gsess_set_program(struct gsess *s, char **argv)
{
	size_t i, n;

	for (i = 0; s->s_argv != NULL && s->s_argv[i] != NULL; i++)
		free(s->s_argv[i]);
	free(s->s_argv);
	s->s_argv = NULL;
	if (argv == NULL)
		return;
	for (n = 0; argv[n] != NULL; n++)
		;
	s->s_argv = xcalloc(n + 1, sizeof(*s->s_argv));
	for (i = 0; i < n; i++)
		s->s_argv[i] = xstrdup(argv[i]);
}

void
gsess_attach_conn(struct gsess *s, int rfd, int wfd, const char *name)
{
	s->s_conn = conn_new(s->s_loop, rfd, wfd, &gdb_conn_ops, s, name);
	s->s_multiprocess = s->s_swbreak = s->s_hwbreak = false;
	s->s_err_strings = s->s_exec_events = s->s_lldb = false;
	s->s_thread_suffix = s->s_list_threads = false;
	s->s_fork_events = s->s_vfork_events = false;
	s->s_tgt->g_exec_events = false;
	/* Each client starts in all-stop. */
	s->s_nonstop = s->s_tgt->g_nonstop = false;
	gdb_ns_reset(s);
}

void
gsess_adopt_conn(struct gsess *s, struct conn *c, struct loop *l, int fd)
{
	s->s_loop = l;
	s->s_conn = c;
	conn_rehome(c, l, fd, &gdb_conn_ops, s);
}

bool
gsess_done(const struct gsess *s)
{
	return s->s_conn == NULL && s->s_quit;
}

static void
gdb_conn_packet(struct conn *c, char *p, size_t len)
{
	gdb_packet(c->c_arg, p, len);
}

static void
gdb_conn_interrupt(struct conn *c)
{
	gdb_interrupt(c->c_arg);
}

static void
gdb_conn_closed(struct conn *c)
{
	struct gsess *s = c->c_arg;

	s->s_conn = NULL;
	if (!handoff_declined(s, c->c_packets, "its descriptor closed unused"))
		gdb_client_gone(s);
}

/* ------------------------------------------------------------ replies */

/* lldb-server never run-length encodes; lldb's test suite cannot read it. */
static struct conn *
gdb_conn(struct gsess *s)
{
	if (s->s_conn != NULL)
		conn_set_rle(s->s_conn, !s->s_lldb);
	return s->s_conn;
}

void
gdb_reply(struct gsess *s, const char *r)
{
	if (gdb_conn(s) != NULL)
		conn_sendstr(s->s_conn, r);
}

void
gdb_replyf(struct gsess *s, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf))
		fatalx("%s: reply too long", __func__);
	gdb_reply(s, buf);
}

void
gdb_reply_buf(struct gsess *s)
{
	if (gdb_conn(s) != NULL)
		conn_sendbuf(s->s_conn, &s->s_reply);
	rsp_buf_reset(&s->s_reply);
}

void
gdb_ok(struct gsess *s)
{
	gdb_reply(s, "OK");
}

void
gdb_empty(struct gsess *s)
{
	gdb_reply(s, "");
}

void
gdb_error(struct gsess *s, int errnum, const char *msg)
{
	struct rsp_buf *b = &s->s_reply;
	int code = errnum > 0 && errnum < 256 ? errnum : 1;

	log_debug("error reply: %s (%s)", msg, strerror(errnum));
	if (!s->s_err_strings) {
		gdb_replyf(s, "E%02x", code);
		return;
	}
	/* lldb's QEnableErrorStrings form: "Enn;" and the message in hex. */
	rsp_buf_reset(b);
	rsp_buf_addf(b, "E%02x;", code);
	rsp_buf_addhex(b, msg, strnlen(msg, GDB_MAX_ERROR_MSG));
	gdb_reply_buf(s);
}

/* ------------------------------------------------------------ threads */

/*
 * Thread ids: "pPID.TID", "pPID" (all of PID), "TID", "-1" (all),
 * "0" (any).  Without the multiprocess extension a bare TID names a
 * thread of any of our processes.
 */
int
gdb_parse_ptid(struct gsess *s, struct rsp_cursor *c, pid_t *pid, pid_t *tid)
{
	struct rsp_cursor save = *c;
	int64_t a, b = -1;
	struct thr *t;

	if (rsp_cursor_skip(c, "p")) {
		if (rsp_get_shex(c, &a) == -1)
			goto bad;
		if (rsp_cursor_skip(c, ".") && rsp_get_shex(c, &b) == -1)
			goto bad;
		if (a < -1 || a > INT32_MAX || b < -1 || b > INT32_MAX)
			goto bad;
		*pid = (pid_t)a;
		*tid = (pid_t)b;
		return 0;
	}
	if (rsp_get_shex(c, &a) == -1 || a < -1 || a > INT32_MAX)
		goto bad;
	*tid = (pid_t)a;
	*pid = (pid_t)a;
	if (a > 0) {
		t = tgt_thr(s->s_tgt, (pid_t)a);
		*pid = t != NULL ? t->t_proc->p_pid : (pid_t)a;
	}
	return 0;
bad:
	*c = save;
	return -1;
}

void
gdb_put_ptid(struct gsess *s, struct rsp_buf *b, pid_t pid, pid_t tid)
{
	if (s->s_multiprocess)
		rsp_buf_addf(b, "p%x.%x", (unsigned)pid, (unsigned)tid);
	else
		rsp_buf_addf(b, "%x", (unsigned)tid);
}

struct thr *
gdb_select(struct gsess *s, pid_t pid, pid_t tid)
{
	struct proc *p;
	struct thr *t;

	if (tid > 0) {
		/* pPID.TID: the thread must be that process's. */
		if ((t = tgt_thr(s->s_tgt, tid)) != NULL && pid > 0 &&
		    t->t_proc->p_pid != pid)
			return NULL;
		return t;
	}
	if (pid > 0 && (p = tgt_proc(s->s_tgt, pid)) != NULL)
		return TAILQ_FIRST(&p->p_threads);
	return NULL;
}

struct thr *
gdb_gthread(struct gsess *s)
{
	struct thr *t;
	struct proc *p;

	if ((t = gdb_select(s, s->s_gpid, s->s_gtid)) != NULL)
		return t;
	if (s->s_last != NULL && tgt_thr(s->s_tgt, s->s_last->t_tid) == s->s_last)
		return s->s_last;
	if ((p = tgt_first_proc(s->s_tgt)) != NULL)
		return TAILQ_FIRST(&p->p_threads);
	return NULL;
}

struct proc *
gdb_gproc(struct gsess *s)
{
	struct thr *t = gdb_gthread(s);

	return t != NULL ? t->t_proc : NULL;
}

/* H[gc]PTID */
static void
gdb_set_thread(struct gsess *s, struct rsp_cursor *c)
{
	char which = *c->c_p;
	pid_t pid, tid;
	bool haspid;

	c->c_p++;
	haspid = rsp_cursor_left(c) > 0 && *c->c_p == 'p';
	if ((which != 'g' && which != 'c') ||
	    gdb_parse_ptid(s, c, &pid, &tid) == -1) {
		gdb_error(s, EINVAL, "bad thread id");
		return;
	}
	/*
	 * lldb-server's numbers: the pid of Hg and Hc must be a process it
	 * debugs (Eff: not 0 or -1, not one detached, killed or gone); a
	 * thread it does not have there is E15.
	 */
	if (s->s_lldb && haspid && (pid <= 0 ||
	    tgt_proc(s->s_tgt, pid) == NULL)) {
		gdb_error(s, 0xff, "no such process");
		return;
	}
	if ((tid > 0 || pid > 0) && gdb_select(s, pid, tid) == NULL) {
		gdb_error(s, s->s_lldb ? 0x15 : ESRCH, "no such thread");
		return;
	}
	if (which == 'g') {
		s->s_gpid = pid;
		s->s_gtid = tid;
	} else {
		s->s_cpid = pid;
		s->s_ctid = tid;
	}
	gdb_ok(s);
}

/* T PTID: is the thread alive? */
static void
gdb_thread_alive(struct gsess *s, struct rsp_cursor *c)
{
	bool haspid = rsp_cursor_left(c) > 0 && *c->c_p == 'p';
	pid_t pid, tid;
	struct thr *t;

	if (gdb_parse_ptid(s, c, &pid, &tid) == -1)
		pid = tid = 0;		/* an id too big is no thread either */
	if ((t = gdb_select(s, pid, tid)) == NULL || t->t_proc->p_exited) {
		/*
		 * lldb-server: E01 for a process it does not debug, E02 for
		 * a thread that is not alive in one it does (a bare TID is
		 * looked for in the current process).
		 */
		gdb_error(s, !s->s_lldb ? ESRCH : haspid && pid > 0 &&
		    tgt_proc(s->s_tgt, pid) == NULL ? EPERM : ENOENT,
		    "no such thread");
		return;
	}
	gdb_ok(s);
}

/*
 * qfThreadInfo / qsThreadInfo: the threads of every process, a bounded
 * number per reply, continuing after the last one sent.
 */
static void
gdb_thread_list(struct gsess *s, bool first)
{
	static unsigned next;
	struct rsp_buf *b = &s->s_reply;
	struct proc *p;
	struct thr *t;
	unsigned i = 0, n = 0;

	if (first)
		next = 0;
	/*
	 * lldb takes a bare "l" for a stub without processes that still
	 * has one thread, and asks for its stop; lldb-server says there is
	 * none.  gdb wants the "l".
	 */
	if (s->s_lldb && tgt_first_proc(s->s_tgt) == NULL) {
		gdb_error(s, ESRCH, "no process");
		return;
	}
	rsp_buf_reset(b);
	TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry) {
		if (!tgt_proc_listed(p))
			continue;
		TAILQ_FOREACH(t, &p->p_threads, t_entry) {
			if (t->t_gone)
				continue;	/* exited, its w not yet sent */
			if (i++ < next || n == GDB_MAX_THREADS_LISTED)
				continue;
			rsp_buf_addc(b, n == 0 ? 'm' : ',');
			gdb_put_ptid(s, b, p->p_pid, t->t_tid);
			n++;
		}
	}
	next += n;
	if (n == 0)
		rsp_buf_addc(b, 'l');
	gdb_reply_buf(s);
}

static void
gdb_current_thread(struct gsess *s)
{
	struct thr *t = gdb_gthread(s);

	if (t == NULL) {
		if (s->s_lldb)		/* lldb-server's number */
			gdb_error(s, 0x44, "no process");
		else
			gdb_empty(s);
		return;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_add(&s->s_reply, "QC", 2);
	gdb_put_ptid(s, &s->s_reply, t->t_proc->p_pid, t->t_tid);
	gdb_reply_buf(s);
}

struct proc *
gdb_proc_arg(struct gsess *s, struct rsp_cursor *c, const char *sep)
{
	struct proc *p;
	uint64_t pid;

	if (rsp_cursor_skip(c, sep)) {
		if (rsp_get_hex(c, &pid) == -1 || pid > INT32_MAX ||
		    (p = tgt_proc(s->s_tgt, (pid_t)pid)) == NULL) {
			gdb_error(s, ESRCH, "no such process");
			return NULL;
		}
	} else if ((p = gdb_gproc(s)) == NULL) {
		gdb_error(s, ESRCH, "no process");
		return NULL;
	}
	return p;
}

/* qGetTLSAddr:PTID,OFFSET,LM */
static void
gdb_tls_address(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t off, lm, addr;
	pid_t pid, tid;
	struct thr *t;

	if (gdb_parse_ptid(s, c, &pid, &tid) == -1 ||
	    rsp_get_char(c, ',') == -1 || rsp_get_hex(c, &off) == -1 ||
	    rsp_get_char(c, ',') == -1 || rsp_get_hex(c, &lm) == -1) {
		gdb_error(s, EINVAL, "bad qGetTLSAddr");
		return;
	}
	if ((t = gdb_select(s, pid, tid)) == NULL || !t->t_stopped) {
		gdb_error(s, ESRCH, "no such stopped thread");
		return;
	}
	if (tls_address(t, lm, off, &addr) == -1) {
		gdb_error(s, errno, "cannot find the thread-local block");
		return;
	}
	gdb_replyf(s, "%llx", (unsigned long long)addr);
}

static void
gdb_attached(struct gsess *s, struct rsp_cursor *c)
{
	struct proc *p;

	if ((p = gdb_proc_arg(s, c, ":")) == NULL)
		return;
	gdb_reply(s, p->p_attached ? "1" : "0");
}

/* ------------------------------------------------------------ qSupported */

/*
 * A feature lldb 16 sends ("xmlRegisters=i386,arm,mips,arc;multiprocess+;
 * fork-events+;vfork-events+") or that lldb-server's tests send alone.
 * gdb sends xmlRegisters=i386 too, but always with swbreak+ and others.
 */
static bool
lldb_feature(const char *f, size_t flen)
{
	static const char *const lldb[] = { "multiprocess+", "fork-events+",
	    "vfork-events+" };
	size_t i;

	if (flen >= 13 && memcmp(f, "xmlRegisters=", 13) == 0)
		return true;
	for (i = 0; i < sizeof(lldb) / sizeof(lldb[0]); i++)
		if (flen == strlen(lldb[i]) && memcmp(f, lldb[i], flen) == 0)
			return true;
	return false;
}

static void
gdb_supported(struct gsess *s, struct rsp_cursor *c)
{
	const char *f;
	size_t flen;
	bool gdbish = false;
	int n = 0;

	rsp_cursor_skip(c, ":");
	while (rsp_get_field(c, ';', &f, &flen) == 0) {
		n++;
		if (!lldb_feature(f, flen))
			gdbish = true;
		if (flen == 13 && memcmp(f, "multiprocess+", 13) == 0)
			s->s_multiprocess = true;
		else if (flen == 8 && memcmp(f, "swbreak+", 8) == 0)
			s->s_swbreak = true;
		else if (flen == 8 && memcmp(f, "hwbreak+", 8) == 0)
			s->s_hwbreak = true;
		else if (flen == 12 && memcmp(f, "exec-events+", 12) == 0)
			s->s_exec_events = true;
		else if (flen == 13 && memcmp(f, "fork-handoff+", 13) == 0)
			handoff_supported(s);
		else if (flen == 12 && memcmp(f, "fork-events+", 12) == 0)
			s->s_fork_events = handoff_fork_events();
		else if (flen == 13 && memcmp(f, "vfork-events+", 13) == 0)
			s->s_vfork_events = handoff_fork_events();
	}
	/*
	 * lldb's dialect: a bare qSupported, or lldb's features only (but a
	 * lone multiprocess+, which our own gdb-style clients send).
	 */
	if (!gdbish && !(n == 1 && s->s_multiprocess))
		s->s_lldb = true;
	/* Fork events need multiprocess ids to name the child. */
	if (!s->s_multiprocess)
		s->s_fork_events = s->s_vfork_events = false;
	if (s->s_lldb) {
		gdb_lldb_supported(s);
		return;
	}
	s->s_tgt->g_exec_events = s->s_exec_events;
	gdb_replyf(s, "PacketSize=%x;%s"
	    "QPassSignals+;QProgramSignals+;QStartupWithShell+;"
	    "QEnvironmentHexEncoded+;QEnvironmentReset+;QEnvironmentUnset+;"
	    "QSetWorkingDir+;QDisableRandomization+;QStartNoAckMode+;"
	    "qXfer:features:read+;qXfer:auxv:read+;qXfer:threads:read+;"
	    "qXfer:exec-file:read+;qXfer:libraries-svr4:read+;"
	    "qXfer:osdata:read+;"
	    "qXfer:siginfo:read+;qXfer:siginfo:write+;"
	    "multiprocess+;swbreak+;hwbreak+;exec-events+;vContSupported+;"
	    "QCatchSyscalls+;QNonStop+;QThreadEvents+;ConditionalBreakpoints+;"
	    "fork-handoff+",
	    RSP_MAX_PACKET, handoff_fork_events() && s->s_multiprocess ?
	    "fork-events+;vfork-events+;" : "");
}

/* ------------------------------------------------------------ Q packets */

/* QCatchSyscalls:0, :1 (every syscall), :1;NR;NR... (those, hex). */
static void
gdb_catch_syscalls(struct gsess *s, struct rsp_cursor *c)
{
	struct target *g = s->s_tgt;
	uint8_t set[sizeof(g->g_sys_set)];
	uint64_t nr;
	bool all = true;

	if (rsp_cursor_skip(c, "0") && rsp_cursor_eof(c)) {
		g->g_sys_catch = false;
		gdb_ok(s);
		return;
	}
	if (!rsp_cursor_skip(c, "1")) {
		gdb_error(s, EINVAL, "expected 0 or 1");
		return;
	}
	memset(set, 0, sizeof(set));
	while (rsp_cursor_skip(c, ";")) {
		if (rsp_get_hex(c, &nr) == -1 || nr >= TGT_MAX_SYSCALL) {
			gdb_error(s, EINVAL, "bad syscall number");
			return;
		}
		set[nr / 8] |= 1 << (nr % 8);
		all = false;
	}
	if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad syscall list");
		return;
	}
	memcpy(g->g_sys_set, set, sizeof(set));
	g->g_sys_all = all;
	g->g_sys_catch = true;
	gdb_ok(s);
}

static int
get_bool(struct rsp_cursor *c, bool *v)
{
	uint64_t n;

	if (rsp_get_hex(c, &n) == -1 || n > 1 || !rsp_cursor_eof(c))
		return -1;
	*v = (n == 1);
	return 0;
}

/* A hex-encoded string argument, decoded into buf. */
static int
get_hexstr(struct rsp_cursor *c, char *buf, size_t cap)
{
	size_t n;

	if (rsp_get_hexbytes(c, '\0', buf, cap - 1, &n) == -1)
		return -1;
	buf[n] = '\0';
	return 0;
}

static void
gdb_set_cwd(struct gsess *s, struct rsp_cursor *c)
{
	char dir[GDB_MAX_PATH];

	if (get_hexstr(c, dir, sizeof(dir)) == -1) {
		gdb_error(s, EINVAL, "bad directory");
		return;
	}
	free(s->s_cwd);
	s->s_cwd = dir[0] != '\0' ? xstrdup(dir) : NULL;
	gdb_ok(s);
}

static void
gdb_env_packet(struct gsess *s, struct rsp_cursor *c, bool set)
{
	char entry[GDB_MAX_PATH];
	size_t len;
	int rc;

	if (get_hexstr(c, entry, sizeof(entry)) == -1) {
		gdb_error(s, EINVAL, "bad environment entry");
		return;
	}
	len = strlen(entry);
	rc = set ? gdb_env_set(s, entry, len) : gdb_env_unset(s, entry, len);
	if (rc == -1)
		gdb_error(s, errno, "environment full or malformed");
	else
		gdb_ok(s);
}

static void
gdb_Q(struct gsess *s, struct rsp_cursor *c)
{
	bool v;

	if (s->s_ops != NULL && s->s_ops->so_query(s, c) == 0)
		return;
	if (gdb_lldb_set(s, c) == 0)
		return;
	if (rsp_cursor_skip(c, "QStartNoAckMode")) {
		/* lldb's first packet; gdb always starts with qSupported. */
		if (s->s_conn->c_packets == 1)
			s->s_lldb = true;
		gdb_ok(s);
		conn_set_noack(s->s_conn, true);
	} else if (rsp_cursor_skip(c, "QPassSignals:")) {
		gdb_pass_signals(s, c, false);
	} else if (rsp_cursor_skip(c, "QProgramSignals:")) {
		gdb_pass_signals(s, c, true);
	} else if (rsp_cursor_skip(c, "QEnvironmentHexEncoded:")) {
		gdb_env_packet(s, c, true);
	} else if (rsp_cursor_skip(c, "QEnvironmentUnset:")) {
		gdb_env_packet(s, c, false);
	} else if (rsp_cursor_skip(c, "QEnvironmentReset")) {
		gdb_env_reset(s);
		gdb_ok(s);
	} else if (rsp_cursor_skip(c, "QSetWorkingDir:")) {
		gdb_set_cwd(s, c);
	} else if (rsp_cursor_skip(c, "QStartupWithShell:")) {
		if (get_bool(c, &v) == -1)
			gdb_error(s, EINVAL, "expected 0 or 1");
		else {
			s->s_shell = v;
			gdb_ok(s);
		}
	} else if (rsp_cursor_skip(c, "QDisableRandomization:")) {
		if (get_bool(c, &v) == -1)
			gdb_error(s, EINVAL, "expected 0 or 1");
		else {
			s->s_no_aslr = v;
			gdb_ok(s);
		}
	} else if (rsp_cursor_skip(c, "QThreadSuffixSupported")) {
		s->s_lldb = s->s_thread_suffix = true;
		gdb_ok(s);
	} else if (rsp_cursor_skip(c, "QListThreadsInStopReply")) {
		s->s_lldb = s->s_list_threads = true;
		gdb_ok(s);
	} else if (rsp_cursor_skip(c, "QEnableErrorStrings")) {
		s->s_lldb = s->s_err_strings = true;
		gdb_ok(s);
	} else if (rsp_cursor_skip(c, "QThreadEvents:")) {
		if (get_bool(c, &v) == -1)
			gdb_error(s, EINVAL, "expected 0 or 1");
		else {
			s->s_tgt->g_thread_events = v;
			gdb_ok(s);
		}
	} else if (rsp_cursor_skip(c, "QCatchSyscalls:")) {
		gdb_catch_syscalls(s, c);
	} else if (rsp_cursor_skip(c, "QHandoffWatch")) {
		gdb_handoff_watch(s, c);
	} else if (rsp_cursor_skip(c, "QNonStop:")) {
		if (get_bool(c, &v) == -1)
			gdb_error(s, EINVAL, "expected 0 or 1");
		else
			gdb_nonstop(s, v);
	} else {
		gdb_empty(s);
	}
}

/* ------------------------------------------------------------ q packets */

static void
gdb_q(struct gsess *s, struct rsp_cursor *c)
{
	if (s->s_ops != NULL && s->s_ops->so_query(s, c) == 0)
		return;
	if (gdb_platform_query(s, c) == 0)
		return;
	if (gdb_lldb_query(s, c) == 0)
		return;
	if (rsp_cursor_skip(c, "qSupported"))
		gdb_supported(s, c);
	else if (rsp_cursor_skip(c, "qXfer:"))
		gdb_qxfer(s, c);
	else if (rsp_cursor_skip(c, "qfThreadInfo") &&
	    !(s->s_disabled & GDB_DISABLE_QFTHREADINFO))
		gdb_thread_list(s, true);
	else if (rsp_cursor_skip(c, "qsThreadInfo") &&
	    !(s->s_disabled & GDB_DISABLE_QFTHREADINFO))
		gdb_thread_list(s, false);
	else if (rsp_cursor_skip(c, "qC") && rsp_cursor_eof(c) &&
	    !(s->s_disabled & GDB_DISABLE_QC))
		gdb_current_thread(s);
	else if (rsp_cursor_skip(c, "qHandoffList"))
		gdb_handoff_list(s, c);
	else if (rsp_cursor_skip(c, "qAttached"))
		gdb_attached(s, c);
	else if (rsp_cursor_skip(c, "qSymbol"))
		gdb_ok(s);	/* we need no symbols */
	else if (rsp_cursor_skip(c, "qRcmd,"))
		gdb_monitor(s, c);
	else if (rsp_cursor_skip(c, "qGetTLSAddr:"))
		gdb_tls_address(s, c);
	else
		gdb_empty(s);
}

static void
gdb_v(struct gsess *s, struct rsp_cursor *c)
{
	if (rsp_cursor_skip(c, "vCont")) {
		if (s->s_disabled & GDB_DISABLE_VCONT)
			gdb_empty(s);
		else if (rsp_cursor_skip(c, "?") && rsp_cursor_eof(c))
			gdb_reply(s, "vCont;c;C;s;S;t");
		else if (rsp_cursor_skip(c, ";"))
			gdb_vcont(s, c);
		else
			gdb_empty(s);
	} else if (rsp_cursor_skip(c, "vRun;"))
		gdb_vrun(s, c);
	else if (rsp_cursor_skip(c, "vAttach;"))
		gdb_vattach(s, c);
	else if (rsp_cursor_skip(c, "vAttachWait;"))
		gdb_attach_wait(s, c, false);
	else if (rsp_cursor_skip(c, "vAttachOrWait;"))
		gdb_attach_wait(s, c, true);
	else if (rsp_cursor_skip(c, "vKill;"))
		gdb_vkill(s, c);
	else if (rsp_cursor_skip(c, "vStopped") && rsp_cursor_eof(c)) {
		if (s->s_nonstop)
			gdb_ns_stopped(s);
		else if (s->s_lldb)	/* lldb-server's answer */
			gdb_error(s, 0xff, "not in non-stop mode");
		else
			gdb_empty(s);
	}
	else if (rsp_cursor_skip(c, "vCtrlC") && rsp_cursor_eof(c))
		gdb_ns_ctrlc(s, true);
	else if (s->s_lldb && rsp_cursor_skip(c, "vStdio") &&
	    rsp_cursor_eof(c))
		gdb_ns_stdio(s);
	else if (rsp_cursor_skip(c, "vFile:") && handoff_host_io())
		gdb_vfile(s, c);
	else
		gdb_empty(s);
}

bool
gdb_is_bind(const char *p, size_t len)
{
	static const char *const bind[] = {
		"vRun;", "vAttach;", "vAttachWait;", "vAttachOrWait;",
	};
	size_t i, n;

	if (len > 0 && p[0] == 'A')
		return true;
	for (i = 0; i < sizeof(bind) / sizeof(bind[0]); i++) {
		n = strlen(bind[i]);
		if (len >= n && memcmp(p, bind[i], n) == 0)
			return true;
	}
	return false;
}

/*
 * One packet from the client.  Every reply is sent before we return,
 * except for resumes, which are answered by a stop reply later.
 */
void
gdb_packet(struct gsess *s, char *p, size_t len)
{
	struct rsp_cursor c;

	/* lldb-server reports exec to lldb without exec-events+. */
	s->s_tgt->g_exec_events = s->s_exec_events || s->s_lldb;
	if (len > 0 && strchr("gGpP", p[0]) != NULL)
		gdb_lldb_thread_suffix(s, p, &len);
	rsp_cursor_init(&c, p, len);
	if (len == 0) {
		gdb_empty(s);
		return;
	}
	if (s->s_ops != NULL && gdb_is_bind(p, len)) {
		s->s_ops->so_bind(s, p, len);
		return;
	}
	if (s->s_waiting && p[0] != 'q' && p[0] != 'I') {
		/* Only an interrupt (or lldb's input) while the target runs. */
		gdb_error(s, EBUSY, "target is running");
		return;
	}
	switch (p[0]) {
	case '?':
		if (s->s_nonstop)
			gdb_ns_status(s);
		else
			gdb_status(s);
		break;
	case '!':
		s->s_extended = true;
		gdb_ok(s);
		break;
	case 'c': case 'C': case 's': case 'S':
		c.c_p++;
		gdb_cont_legacy(s, p[0], &c);
		break;
	case 'D':
		c.c_p++;
		gdb_detach(s, &c);
		break;
	case 'g':
		gdb_read_regs(s);
		break;
	case 'G':
		c.c_p++;
		gdb_write_regs(s, &c);
		break;
	case 'p':
		c.c_p++;
		gdb_read_reg(s, &c);
		break;
	case 'P':
		c.c_p++;
		gdb_write_reg(s, &c);
		break;
	case 'm': case 'x':
		c.c_p++;
		gdb_read_mem(s, &c, p[0] == 'x');
		break;
	case 'M': case 'X':
		c.c_p++;
		gdb_write_mem(s, &c, p[0] == 'X');
		break;
	case 'Z': case 'z':
		c.c_p++;
		gdb_breakpoint(s, &c, p[0] == 'Z');
		break;
	case 'H':
		c.c_p++;
		if (rsp_cursor_eof(&c))
			gdb_error(s, EINVAL, "bad H packet");
		else
			gdb_set_thread(s, &c);
		break;
	case 'T':
		c.c_p++;
		gdb_thread_alive(s, &c);
		break;
	case 'k':
		gdb_kill(s);
		break;
	case 'R':
		gdb_restart(s);
		break;
	case 'q':
		gdb_q(s, &c);
		break;
	case 'Q':
		gdb_Q(s, &c);
		break;
	case 'v':
		gdb_v(s, &c);
		break;
	case 'A':
		c.c_p++;
		gdb_lldb_launch(s, &c);
		break;
	case 'I':
		c.c_p++;
		gdb_stdio_input(s, &c);
		break;
	case '_':
		if (rsp_cursor_skip(&c, "_M"))
			gdb_alloc_mem(s, &c);
		else if (rsp_cursor_skip(&c, "_m"))
			gdb_free_mem(s, &c);
		else
			gdb_empty(s);
		break;
	case 'j':
		if (gdb_platform_query(s, &c) == -1 &&
		    gdb_lldb_query(s, &c) == -1)
			gdb_empty(s);
		break;
	default:
		gdb_empty(s);
		break;
	}
}
