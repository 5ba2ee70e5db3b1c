/*
 * fuzz_worker.c -- libFuzzer harness for the messages between the
 * platform daemon and its session workers (daemon/worker.h), both ways,
 * over real SOCK_SEQPACKET socketpairs.
 *
 * Worker to daemon, struct worker_msg: read by the daemon's worker_msg()
 * through the daemon's event loop, as a live worker's channel is, into
 * its lists of the worker's processes (WM_HOLD, WM_GONE) and held
 * children (WM_CHILD, WM_CHILD_GONE).  worker_msg() and the lists are
 * static in daemon/platform.c: this file includes platform.c to reach
 * them, with its kill() turned into fz_kill(), which checks and signals
 * nothing.  Each input ends with what the daemon makes of the lists: a
 * qHandoffList reply, then the worker's end as SIGCHLD reports it
 * (SIGCONT to what it had attached, when it died).
 *
 * Daemon to worker, struct worker_claim and the connection's descriptor:
 * read by worker_recv_claim() (worker.c), the parser of the worker's
 * channel.
 *
 * Checked besides ASan and UBSan:
 *   - the worker takes a claim exactly when a whole one came (its size,
 *     WC_CLAIM, wc_len within WORKER_MAX_CLAIM, one descriptor), with
 *     those bytes and a new close-on-exec descriptor for the file sent;
 *     it sees the daemon's end at an empty message or the end of the
 *     stream, and drops anything else with what rode on it;
 *   - each worker_msg() does what the message says and nothing else: a
 *     short one changes nothing, an empty one ends the channel, each
 *     kind changes its list as worker.h has it, within WORKER_MAX_PROCS
 *     and HANDOFF_MAX_HELD_LIMIT, with each child listed once;
 *   - qHandoffList names every held child, a page at a time;
 *   - of a worker that died, the daemon signals (SIGCONT) what it was
 *     told the worker had attached, and nothing else; of those only the
 *     ones whose start time (fz_start_time) is still the one the worker
 *     reported, or was reported unknown (0): a pid may be reused;
 *   - no descriptor is leaked or closed twice (/proc/self/fd counted).
 *   - a message longer than a worker_msg, or one naming a pid of 0 or
 *     less (kill(2) would signal a group, or everyone), changes nothing.
 *
 * Input layout (missing bytes read as zero):
 *   [0]     how the worker ends (enum fz_end, modulo FZ_END_KINDS)
 *   [1]     qHandoffList's first entry
 *   then, until the input ends, messages:
 *   [0]     flags: FZ_F_TO_WORKER the direction (else to the daemon),
 *           FZ_F_FDS descriptors riding along (0 .. FZ_FDS_MAX, each
 *           /dev/null), FZ_F_WHOLE the body is one message's size
 *           exactly, FZ_F_END its sender shuts its end after it, both
 *           bits of FZ_F_REPEAT it goes again
 *   [1..2]  body length, little-endian, modulo FZ_BODY_MAX + 1 (with
 *           FZ_F_WHOLE: none, the length is the message's size)
 *   [3]     with FZ_F_REPEAT: sent FZ_REPEAT_MAX times if FZ_REPEAT_ALL
 *           (past every limit of the daemon's), else 1 + [3] times;
 *           each names the next pid (the int32 where wm_pid is)
 *   then the body.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int	fz_kill(pid_t, int);
uint64_t fz_start_time(pid_t);

/*
 * The daemon's side (static there); what it would signal comes here, and
 * it learns when a pid's process began from fz_start_time.
 */
#define kill fz_kill
#define procfs_start_time fz_start_time
#include "daemon/platform.c"
#undef kill
#undef procfs_start_time
#include "tests/fuzz/fz.h"

#define FZ_BODY_MAX	(sizeof(struct worker_claim) + 64)	/* bytes */
#define FZ_FDS_MAX	3	/* descriptors on one message */
#define FZ_MAX_SENDS	16384	/* messages sent per input */
#define FZ_WORKER_PID	(1 << 22)	/* the worker, as the daemon knows it */
#define FZ_DRAIN	65536	/* bytes of a qHandoffList reply */

/* A message's flags byte. */
#define FZ_F_TO_WORKER	0x01
#define FZ_F_FDS	0x06
#define FZ_F_FDS_SHIFT	1
#define FZ_F_WHOLE	0x08
#define FZ_F_END	0x10
#define FZ_F_REPEAT	0x60	/* both bits */

/* The repeat byte. */
#define FZ_REPEAT_ALL	0xff
#define FZ_REPEAT_MAX	(HANDOFF_MAX_HELD_LIMIT + 1)	/* sends */

_Static_assert(FZ_REPEAT_MAX > WORKER_MAX_PROCS, "past both limits");

/* How the worker ends, as the daemon's waitpid reports it. */
enum fz_end {
	FZ_END_EXITS,		/* status 0: the session ended */
	FZ_END_FAILS,		/* status 1 */
	FZ_END_KILLED,		/* SIGKILL */
	FZ_END_KINDS
};

struct fz_msg {
	uint8_t		 m_body[FZ_BODY_MAX];
	size_t		 m_len;
	int		 m_nfds;
	size_t		 m_times;
	bool		 m_to_worker;
	bool		 m_end;
};

/* One input's channels, as worker_spawn leaves them. */
struct fz_state {
	struct worker	*st_w;		/* the daemon's record of its worker */
	int		 st_wmsg;	/* the worker's end of st_w->w_ctl */
	int		 st_ctl[2];	/* [0] the daemon's end, [1] the worker's */
	bool		 st_dgone;	/* the daemon reads its end no more */
	bool		 st_wgone;	/* nor the worker its */
	size_t		 st_sends;
};

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct platform	 fz_pf;
static struct pconn	*fz_pc;		/* a client asking qHandoffList */
static int		 fz_client = -1;	/* its other end */
static DIR		*fz_fddir;	/* /proc/self/fd, rewound per count */
static int		 fz_null = -1;	/* /dev/null, to pass */
static struct stat	 fz_null_st;
static pid_t		*fz_attached;	/* sorted: what a dying worker had */
static size_t		 fz_nattached;
static size_t		 fz_nkill;

static void __attribute__((noreturn))
fz_fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_worker.c:%d: check failed: %s\n", line, what);
	abort();
}

/* The checks' own loops: neither coverage nor comparisons to learn. */
#define FZ_UNTRACED	__attribute__((no_sanitize("coverage")))

/* platform.c's, from main.c, which is not linked. */
void
proc_title(const char *fmt, ...)
{
}

void
handoffd_version(void)
{
}

FZ_UNTRACED static int
fz_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The daemon's kill(): only SIGCONT to a process the dying worker said
 * it had attached.  Odd pids fail, for the daemon's other path.
 */
/* A pid's process "began" at twice the pid; the messages say otherwise. */
FZ_UNTRACED uint64_t
fz_start_time(pid_t pid)
{
	return (uint64_t)pid * 2;
}

FZ_UNTRACED int
fz_kill(pid_t pid, int sig)
{
	FZ_CHECK(sig == SIGCONT && pid > 0);
	FZ_CHECK(fz_attached != NULL && bsearch(&pid, fz_attached,
	    fz_nattached, sizeof(*fz_attached), fz_cmp_pid) != NULL);
	fz_nkill++;
	if (pid & 1) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

/* The daemon, no worker yet, and a client of its for qHandoffList. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sv[2];

	log_init(LOG_LEVEL_INFO, "/dev/null");
	signal(SIGPIPE, SIG_IGN);
	fz_fddir = opendir("/proc/self/fd");
	fz_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	FZ_CHECK(fz_fddir != NULL && fz_null != -1);
	FZ_CHECK(fstat(fz_null, &fz_null_st) == 0);

	fz_pf.pf_loop = loop_new();
	TAILQ_INIT(&fz_pf.pf_conns);
	TAILQ_INIT(&fz_pf.pf_workers);
	fz_pf.pf_maxworkers = PLATFORM_MAX_WORKERS;
	FZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	fz_client = sv[1];
	FZ_CHECK(fcntl(fz_client, F_SETFL, O_NONBLOCK) == 0);
	fz_pc = xcalloc(1, sizeof(*fz_pc));
	fz_pc->pc_pf = &fz_pf;
	fz_pc->pc_sess = gsess_new(fz_pf.pf_loop);
	gsess_attach_conn(fz_pc->pc_sess, sv[0], sv[0], "fuzz");
	conn_set_noack(fz_pc->pc_sess->s_conn, true);
	conn_set_rle(fz_pc->pc_sess->s_conn, false);
	strlcpy(fz_pc->pc_desc, "fuzz", sizeof(fz_pc->pc_desc));
	return 0;
}

static void
fz_parse_msg(struct fz_input *in, struct fz_msg *m)
{
	uint8_t flags = fz_byte(in), r;
	size_t i;

	m->m_to_worker = (flags & FZ_F_TO_WORKER) != 0;
	m->m_nfds = (flags & FZ_F_FDS) >> FZ_F_FDS_SHIFT;
	m->m_end = (flags & FZ_F_END) != 0;
	if (flags & FZ_F_WHOLE)
		m->m_len = m->m_to_worker ? sizeof(struct worker_claim) :
		    sizeof(struct worker_msg);
	else {
		m->m_len = fz_byte(in);
		m->m_len = (m->m_len | (size_t)fz_byte(in) << 8) %
		    (FZ_BODY_MAX + 1);
	}
	m->m_times = 1;
	if ((flags & FZ_F_REPEAT) == FZ_F_REPEAT) {
		r = fz_byte(in);
		m->m_times = r == FZ_REPEAT_ALL ? FZ_REPEAT_MAX : 1 + (size_t)r;
	}
	for (i = 0; i < m->m_len; i++)
		m->m_body[i] = fz_byte(in);
}

/* Send one message with nfds descriptors; false if the kernel refused. */
static bool
fz_send(int sock, const void *buf, size_t len, int nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(FZ_FDS_MAX * sizeof(int))];
	} cmsgbuf;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int i;

	if (nfds > 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = cmsgbuf.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		for (i = 0; i < nfds; i++)
			memcpy(CMSG_DATA(cmsg) + i * sizeof(int), &fz_null,
			    sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) ==
	    (ssize_t)len;
}

/* The next repeat names the next pid. */
static void
fz_next_pid(struct fz_msg *m)
{
	uint32_t pid;

	if (m->m_len < offsetof(struct worker_msg, wm_pid) + sizeof(pid))
		return;
	memcpy(&pid, m->m_body + offsetof(struct worker_msg, wm_pid),
	    sizeof(pid));
	pid++;
	memcpy(m->m_body + offsetof(struct worker_msg, wm_pid), &pid,
	    sizeof(pid));
}

/* ------------------------------------------------ worker to daemon */

FZ_UNTRACED static size_t
fz_held_index(const struct worker *w, pid_t pid)
{
	size_t i;

	for (i = 0; i < w->w_nheld && w->w_held[i].h_pid != pid; i++)
		;
	return i;
}

/* How many of the held children are pid; *at: the first, or w_nkids. */
FZ_UNTRACED static size_t
fz_kids_named(const struct worker *w, pid_t pid, size_t *at)
{
	size_t i, n = 0;

	*at = w->w_nkids;
	for (i = w->w_nkids; i-- > 0; ) {
		if (w->w_kids[i].k_pid == pid) {
			*at = i;
			n++;
		}
	}
	return n;
}

/*
 * The daemon's loop takes the message (len bytes of body, just sent):
 * what it must have made of it.
 */
static void
fz_daemon_takes(struct fz_state *st, const uint8_t *body, size_t len)
{
	struct worker *w = st->st_w;
	struct worker_msg m;
	struct wchild *k;
	size_t nheld = w->w_nheld, nkids = w->w_nkids, held = 0, kid = 0, at;
	bool whole = len == sizeof(m);

	memset(&m, 0, sizeof(m));
	if (whole) {
		memcpy(&m, body, sizeof(m));
		whole = m.wm_pid > 0 && m.wm_ppid >= 0;	/* else ignored */
	}
	if (whole) {
		if (m.wm_kind == WM_GONE)
			held = fz_held_index(w, m.wm_pid);
		if (m.wm_kind == WM_CHILD || m.wm_kind == WM_CHILD_GONE)
			fz_kids_named(w, m.wm_pid, &kid);
	}
	FZ_CHECK(loop_once(fz_pf.pf_loop, 0) == 0);
	FZ_CHECK(w->w_nheld <= WORKER_MAX_PROCS && w->w_nheld <= w->w_heldcap);
	FZ_CHECK(w->w_nkids <= HANDOFF_MAX_HELD_LIMIT &&
	    w->w_nkids <= w->w_kidcap);
	if (len == 0) {
		/* The worker's end, the daemon thinks: it stops reading. */
		FZ_CHECK(loop_get_mask(fz_pf.pf_loop, w->w_ctl) == 0);
		st->st_dgone = true;
	} else
		FZ_CHECK(loop_get_mask(fz_pf.pf_loop, w->w_ctl) == LOOP_READ);
	if (whole && m.wm_kind == WM_HOLD && nheld < WORKER_MAX_PROCS) {
		FZ_CHECK(w->w_nheld == nheld + 1 && w->w_nkids == nkids);
		FZ_CHECK(w->w_held[nheld].h_pid == m.wm_pid);
		FZ_CHECK(w->w_held[nheld].h_attached == (m.wm_attached != 0));
		FZ_CHECK(w->w_held[nheld].h_start == m.wm_start);
	} else if (whole && m.wm_kind == WM_GONE) {
		FZ_CHECK(w->w_nheld == nheld - (held < nheld));
		FZ_CHECK(w->w_nkids == nkids);
	} else if (whole && m.wm_kind == WM_CHILD &&
	    (kid < nkids || nkids < HANDOFF_MAX_HELD_LIMIT)) {
		FZ_CHECK(w->w_nkids == nkids + (kid == nkids));
		FZ_CHECK(w->w_nheld == nheld);
		FZ_CHECK(fz_kids_named(w, m.wm_pid, &at) == 1);
		k = &w->w_kids[at];
		FZ_CHECK(k->k_ppid == m.wm_ppid && k->k_kind == m.wm_child);
		FZ_CHECK(k->k_attached == (m.wm_attached != 0));
		FZ_CHECK(k->k_start == m.wm_start);
	} else if (whole && m.wm_kind == WM_CHILD_GONE) {
		FZ_CHECK(w->w_nkids == nkids - (kid < nkids));
		FZ_CHECK(fz_kids_named(w, m.wm_pid, &at) == 0);
		FZ_CHECK(w->w_nheld == nheld);
	} else
		FZ_CHECK(w->w_nheld == nheld && w->w_nkids == nkids);
}

/* qHandoffList:START on the daemon's client: every held child, paged. */
static void
fz_list(unsigned start)
{
	static char buf[FZ_DRAIN];
	const struct worker *w = TAILQ_FIRST(&fz_pf.pf_workers);
	struct rsp_cursor c;
	char arg[16], *p;
	size_t want, got = 0, left;
	ssize_t n;
	int len;

	len = snprintf(arg, sizeof(arg), ":%x", start);
	rsp_cursor_init(&c, arg, (size_t)len);
	platform_list(fz_pc, &c);
	n = read(fz_client, buf, sizeof(buf) - 1);
	FZ_CHECK(n > 1 && buf[0] == '$');
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, ",ppid:")) != NULL; p++)
		got++;
	left = w->w_nkids > start ? w->w_nkids - start : 0;
	want = left < HANDOFF_LIST_PAGE ? left : HANDOFF_LIST_PAGE;
	FZ_CHECK(got == want);
	FZ_CHECK(buf[1] == (left > HANDOFF_LIST_PAGE ? 'm' : 'l'));
}

/* Whether the daemon may take pid for the process reported at start. */
FZ_UNTRACED static bool
fz_same(pid_t pid, uint64_t start)
{
	return start == 0 || start == fz_start_time(pid);
}

/* The worker ends; the daemon reaps it and forgets it. */
FZ_UNTRACED static void
fz_daemon_ends(struct fz_state *st, enum fz_end how)
{
	struct worker *w = st->st_w;
	size_t i, n = 0;
	int status = 0;

	fz_attached = xreallocarray(NULL, w->w_nheld + w->w_nkids + 1,
	    sizeof(*fz_attached));
	for (i = 0; i < w->w_nheld; i++) {
		if (w->w_held[i].h_attached && fz_same(w->w_held[i].h_pid,
		    w->w_held[i].h_start))
			fz_attached[n++] = w->w_held[i].h_pid;
	}
	for (i = 0; i < w->w_nkids; i++) {
		if (w->w_kids[i].k_attached && fz_same(w->w_kids[i].k_pid,
		    w->w_kids[i].k_start))
			fz_attached[n++] = w->w_kids[i].k_pid;
	}
	qsort(fz_attached, n, sizeof(*fz_attached), fz_cmp_pid);
	fz_nattached = n;
	if (how == FZ_END_FAILS)
		status = W_EXITCODE(1, 0);
	else if (how == FZ_END_KILLED)
		status = SIGKILL;
	fz_nkill = 0;
	worker_ended(w, status);
	st->st_w = NULL;
	free(fz_attached);
	fz_attached = NULL;
	FZ_CHECK(fz_nkill == (how == FZ_END_EXITS ? 0 : n));
	FZ_CHECK(TAILQ_EMPTY(&fz_pf.pf_workers) && fz_pf.pf_nworkers == 0);
}

/* ------------------------------------------------ daemon to worker */

/* What worker_recv_claim must say to this message. */
static int
fz_claim_expected(const uint8_t *body, size_t len, int nfds)
{
	struct worker_claim m;

	if (len == 0)
		return -1;
	if (len != sizeof(m) || nfds != 1)
		return 0;
	memcpy(&m, body, sizeof(m));
	return m.wc_kind == WC_CLAIM && m.wc_len <= WORKER_MAX_CLAIM;
}

static void
fz_worker_takes(struct fz_state *st, const uint8_t *body, size_t len,
    int want)
{
	struct worker_claim m;
	struct stat sb;
	int fd = 0, r, flags;	/* fd not -1: it must be set */

	r = worker_recv_claim(st->st_ctl[1], &m, &fd);
	FZ_CHECK(r == want);
	if (r == -1)
		st->st_wgone = true;
	if (r != 1) {
		FZ_CHECK(fd == -1);
		return;
	}
	FZ_CHECK(len == sizeof(m) && memcmp(&m, body, sizeof(m)) == 0);
	FZ_CHECK(fd != fz_null && fd != st->st_ctl[0] && fd != st->st_ctl[1]);
	FZ_CHECK((flags = fcntl(fd, F_GETFD)) != -1 && (flags & FD_CLOEXEC));
	FZ_CHECK(fstat(fd, &sb) == 0 && sb.st_dev == fz_null_st.st_dev &&
	    sb.st_ino == fz_null_st.st_ino);
	fz_close(fd);
}

/* ------------------------------------------------ both */

static void
fz_deliver(struct fz_state *st, struct fz_msg *m)
{
	size_t i;
	int sock = m->m_to_worker ? st->st_ctl[0] : st->st_wmsg;
	bool *gone = m->m_to_worker ? &st->st_wgone : &st->st_dgone;

	for (i = 0; i < m->m_times && !*gone &&
	    st->st_sends < FZ_MAX_SENDS; i++) {
		if (i > 0)
			fz_next_pid(m);
		if (!fz_send(sock, m->m_body, m->m_len, m->m_nfds))
			continue;	/* refused: nothing to take */
		st->st_sends++;
		if (m->m_to_worker)
			fz_worker_takes(st, m->m_body, m->m_len,
			    fz_claim_expected(m->m_body, m->m_len, m->m_nfds));
		else
			fz_daemon_takes(st, m->m_body, m->m_len);
	}
	if (!m->m_end || *gone)
		return;
	FZ_CHECK(shutdown(sock, SHUT_WR) == 0);
	if (m->m_to_worker)
		fz_worker_takes(st, NULL, 0, -1);
	else
		fz_daemon_takes(st, NULL, 0);
}

/* A worker as pconn_spawn records it, and both its channels. */
static void
fz_spawn(struct fz_state *st)
{
	struct worker *w;
	int sv[2];

	FZ_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    sv) == 0);
	w = xcalloc(1, sizeof(*w));
	w->w_pf = &fz_pf;
	w->w_pid = FZ_WORKER_PID;
	w->w_ctl = sv[0];
	strlcpy(w->w_desc, "fuzz", sizeof(w->w_desc));
	FZ_CHECK(loop_add_fd(fz_pf.pf_loop, sv[0], LOOP_READ, worker_msg,
	    w) == 0);
	TAILQ_INSERT_TAIL(&fz_pf.pf_workers, w, w_entry);
	fz_pf.pf_nworkers++;
	st->st_w = w;
	st->st_wmsg = sv[1];
	/* The worker's own end would block: here nothing must wait. */
	FZ_CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0, st->st_ctl) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_msg m;
	struct fz_input in = { data, size };
	struct fz_state st;
	enum fz_end how;
	unsigned start;
	int before;

	how = fz_byte(&in) % FZ_END_KINDS;
	start = fz_byte(&in);
	memset(&st, 0, sizeof(st));
	before = fz_count_fds(fz_fddir);
	fz_spawn(&st);
	while (in.in_left > 0 && st.st_sends < FZ_MAX_SENDS) {
		fz_parse_msg(&in, &m);
		fz_deliver(&st, &m);
	}
	fz_list(start);
	fz_daemon_ends(&st, how);
	fz_close(st.st_wmsg);
	fz_close(st.st_ctl[0]);
	fz_close(st.st_ctl[1]);
	FZ_CHECK(fz_count_fds(fz_fddir) == before);
	return 0;
}
