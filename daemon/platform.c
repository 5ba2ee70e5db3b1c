/*
 * platform.c -- "handoffd platform": one port for everything.
 *
 * The daemon listens, answers general and platform packets on each
 * connection itself, and when a connection launches or attaches it forks
 * a session worker (worker.c) and hands the connection over.  The
 * daemon never traces anything: it only routes, answers lldb's
 * qLaunchGDBServer with its own port (so the client's next connection
 * comes back here), and cleans up after a worker that dies.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libutil.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/handoffd.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/platform.h"
#include "daemon/worker.h"
#include "platform/caps.h"
#include "platform/procfs.h"
#include "platform/regs.h"

struct platform;

/* A connection the daemon serves itself, until it launches or attaches. */
struct pconn {
	TAILQ_ENTRY(pconn) pc_entry;
	struct platform	*pc_pf;
	struct gsess	*pc_sess;
	char		*pc_bind;	/* the packet to hand over */
	size_t		 pc_bindlen;
	struct worker	*pc_route;	/* to this worker, not a new one */
	uint64_t	 pc_timer;
	bool		 pc_launched;	/* sent qLaunchGDBServer */
	char		 pc_desc[128];
};

struct held {
	pid_t		 h_pid;
	bool		 h_attached;
	uint64_t	 h_start;	/* wm_start: the pid is still it */
};

/* A child a worker holds for a claim (WM_CHILD). */
struct wchild {
	pid_t		 k_pid;
	pid_t		 k_ppid;
	char		 k_kind;	/* 'f'ork, 'v'fork, 'e'xec */
	bool		 k_attached;	/* its tree was attached */
	uint64_t	 k_since;
	uint64_t	 k_start;	/* wm_start: the pid is still it */
};

struct worker {
	TAILQ_ENTRY(worker) w_entry;
	struct platform	*w_pf;
	pid_t		 w_pid;
	int		 w_ctl;
	struct held	*w_held;	/* grown up to WORKER_MAX_PROCS */
	size_t		 w_nheld;
	size_t		 w_heldcap;
	struct wchild	*w_kids;	/* grown up to HANDOFF_MAX_HELD_LIMIT */
	size_t		 w_nkids;
	size_t		 w_kidcap;
	char		 w_desc[128];	/* the client's address */
	struct worker_ledger *w_ledger;	/* its breakpoints, shared */
};

struct platform {
	struct loop	*pf_loop;
	struct endpoint	 pf_ep;
	TAILQ_HEAD(, pconn) pf_conns;
	size_t		 pf_nconns;
	TAILQ_HEAD(, worker) pf_workers;
	size_t		 pf_nworkers;
	size_t		 pf_maxworkers;
	int		 pf_advertise;	/* port named to clients, 0: ours */
	uint64_t	 pf_hello_ms;
	bool		 pf_server;	/* serve client after client */
	bool		 pf_served;	/* a first client came and went */
	struct pidfh	*pf_pidfh;
	struct handoff_opts pf_handoff;
	char		 pf_addr[EP_MAX_PATH + EP_MAX_HOST + 16]; /* for the log */
};

static void	pconn_free(struct pconn *);

static void
platform_usage(FILE *fp)
{
	fprintf(fp,
"Usage:\thandoffd platform [--server] --listen ADDRESS [OPTIONS]\n"
"\n"
"A platform daemon for lldb (and gdb's extended-remote) on one port:\n"
"each connection that launches or attaches gets a session worker of\n"
"its own, and lldb's qLaunchGDBServer names this same port.\n"
"\n"
"ADDRESS is [HOST]:PORT (loopback unless HOST is given; '*' for every\n"
"address), a unix socket path, unix-abstract://NAME, sd-listen:// (the\n"
"socket systemd passed; the default when LISTEN_FDS is set), or fd://N.\n"
"\n"
"Options:\n"
"  --server               serve client after client (else: exit once the\n"
"                         first client and its sessions are done)\n"
"  --listen ADDRESS       where to listen\n"
"  --advertise-port PORT  name PORT to lldb in qLaunchGDBServer (the\n"
"                         client's side of a port forward)\n"
"  --socket-file FILE     write the port (or socket path) to FILE\n"
"  --pidfile FILE         write our pid to FILE (locked while we run)\n"
"  --hello-timeout MS     close a connection that sends no packet in MS\n"
"                         milliseconds (default %d)\n"
"  --max-sessions N       refuse a session past N at once (default %d)\n"
"  --log-file FILE        log to FILE rather than stderr\n"
"  --log-channels CHANNELS  any channel: log decisions\n"
"  --debug                log decisions; twice: every packet too\n"
"  --gdbserver-port, --min-gdbserver-port, --max-gdbserver-port PORT\n"
"                         accepted for lldb-server's command line; not\n"
"                         needed, sessions share the one port\n"
"  --port-offset N        added to the port named to clients\n"
"  --help, --version\n"
"\n%s", PLATFORM_HELLO_MS, PLATFORM_MAX_WORKERS, handoff_usage);
}

/* ------------------------------------------------------------ workers */

static struct worker *
worker_by_pid(struct platform *pf, pid_t pid, struct held **hp)
{
	struct worker *w;
	size_t i;

	TAILQ_FOREACH(w, &pf->pf_workers, w_entry) {
		if (hp == NULL && w->w_pid == pid)
			return w;
		for (i = 0; hp != NULL && i < w->w_nheld; i++) {
			if (w->w_held[i].h_pid == pid) {
				*hp = &w->w_held[i];
				return w;
			}
		}
	}
	return NULL;
}

/* The worker holding child pid for a claim, or NULL. */
static struct worker *
worker_by_child(struct platform *pf, pid_t pid, struct wchild **kp)
{
	struct worker *w;
	size_t i;

	TAILQ_FOREACH(w, &pf->pf_workers, w_entry) {
		for (i = 0; i < w->w_nkids; i++) {
			if (w->w_kids[i].k_pid == pid) {
				if (kp != NULL)
					*kp = &w->w_kids[i];
				return w;
			}
		}
	}
	return NULL;
}

/*
 * The worker tracing pid, by the kernel's word (TracerPid): a worker
 * reports what it traces before it next sleeps, which may be after its
 * client has read a reply naming the pid and asked us about it.
 */
static struct worker *
worker_by_tracer(struct platform *pf, pid_t pid)
{
	struct procinfo pi;
	struct worker *w;

	if (procfs_process(pid, &pi) == -1 || pi.pi_tracer == 0)
		return NULL;
	TAILQ_FOREACH(w, &pf->pf_workers, w_entry) {
		if (w->w_pid == pi.pi_tracer)
			return w;
	}
	return NULL;
}

static void
worker_kid(struct worker *w, const struct worker_msg *m)
{
	struct wchild *k;
	size_t i;

	for (i = 0; i < w->w_nkids && w->w_kids[i].k_pid != m->wm_pid; i++)
		;
	if (m->wm_kind == WM_CHILD_GONE) {
		if (i < w->w_nkids)
			w->w_kids[i] = w->w_kids[--w->w_nkids];
		return;
	}
	if (i == w->w_nkids) {
		if (w->w_nkids == HANDOFF_MAX_HELD_LIMIT) {
			log_warnx("worker %d: more than %d children held: %d "
			    "not listed", (int)w->w_pid, HANDOFF_MAX_HELD_LIMIT,
			    (int)m->wm_pid);
			return;
		}
		if (w->w_nkids == w->w_kidcap) {
			w->w_kidcap = w->w_kidcap == 0 ? 16 : w->w_kidcap * 2;
			w->w_kids = xreallocarray(w->w_kids, w->w_kidcap,
			    sizeof(*w->w_kids));
		}
		w->w_nkids++;
	}
	k = &w->w_kids[i];
	k->k_pid = m->wm_pid;
	k->k_ppid = m->wm_ppid;
	k->k_kind = m->wm_child;
	k->k_attached = m->wm_attached;
	k->k_since = loop_now();
	k->k_start = m->wm_start;
}

/* One message from the worker: 1 read, 0 none waiting, -1 its end. */
static int
worker_read(struct worker *w)
{
	struct worker_msg m;
	int fd = w->w_ctl;
	ssize_t n;
	size_t i;

	/* MSG_TRUNC: the whole message's length, so a longer one shows. */
	n = recv(fd, &m, sizeof(m), MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		/*
		 * Gone (no worker sends an empty message, the other 0 of a
		 * SEQPACKET socket); the SIGCHLD that follows says how.
		 */
		loop_del_fd(w->w_pf->pf_loop, fd);
		return -1;
	}
	if (n != sizeof(m)) {
		log_warnx("worker %d: %zd-byte message ignored", (int)w->w_pid,
		    n);
		return 1;
	}
	/* kill(2) of 0 or -1 would signal a group, or everyone. */
	if (m.wm_pid <= 0 || m.wm_ppid < 0) {
		log_warnx("worker %d: message '%c' for pid %d ignored",
		    (int)w->w_pid, m.wm_kind, (int)m.wm_pid);
		return 1;
	}
	if (m.wm_kind == WM_HOLD && w->w_nheld < WORKER_MAX_PROCS) {
		if (w->w_nheld == w->w_heldcap) {
			w->w_heldcap = w->w_heldcap == 0 ? 4 : w->w_heldcap * 2;
			w->w_held = xreallocarray(w->w_held, w->w_heldcap,
			    sizeof(*w->w_held));
		}
		w->w_held[w->w_nheld].h_pid = m.wm_pid;
		w->w_held[w->w_nheld].h_start = m.wm_start;
		w->w_held[w->w_nheld++].h_attached = m.wm_attached;
		log_info("worker %d: %s process %d", (int)w->w_pid,
		    m.wm_attached ? "attached to" : "launched", (int)m.wm_pid);
	} else if (m.wm_kind == WM_CHILD || m.wm_kind == WM_CHILD_GONE) {
		worker_kid(w, &m);
	} else if (m.wm_kind == WM_GONE) {
		for (i = 0; i < w->w_nheld; i++) {
			if (w->w_held[i].h_pid == m.wm_pid) {
				w->w_held[i] = w->w_held[--w->w_nheld];
				break;
			}
		}
	} else
		log_warnx("worker %d: message '%c' ignored", (int)w->w_pid,
		    m.wm_kind);
	return 1;
}

static void
worker_msg(int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	worker_read(arg);
}

static void
worker_forget(struct worker *w)
{
	struct platform *pf = w->w_pf;

	TAILQ_REMOVE(&pf->pf_workers, w, w_entry);
	pf->pf_nworkers--;
	loop_del_fd(pf->pf_loop, w->w_ctl);
	close(w->w_ctl);
	free(w->w_kids);
	free(w->w_held);
	worker_ledger_free(w->w_ledger);
	free(w);
}

/*
 * Whether pid is still the process a worker reported (start: wm_start, 0
 * if unknown).  The kernel's detach let a dead worker's processes run,
 * and end, before the daemon heard of the death: a pid reaped since may
 * be another's, which must not get our SIGCONT or our bytes.  When the
 * start time cannot be read for another reason than the process being
 * gone (out of descriptors, say), it is taken to be, as before.
 */
static bool
still_same(pid_t pid, uint64_t start)
{
	uint64_t now;

	if (start == 0)
		return true;
	if ((now = procfs_start_time(pid)) == 0)
		return errno != ENOENT && errno != ESRCH;
	return now == start;
}

/* Its debug registers cleared, if the dead worker's ledger says it had some. */
static void
worker_unwatch(const struct worker_ledger *l, pid_t pid)
{
	size_t i;
	int n;

	for (i = 0; i < WORKER_MAX_PROCS && l->wl_hw[i] != pid; i++)
		;
	if (i == WORKER_MAX_PROCS)
		return;
	if ((n = hw_clear_untraced(pid)) == -1)
		log_warn("process %d: its worker's hardware breakpoints",
		    (int)pid);
	else
		log_warnx("process %d: debug registers cleared in %d threads "
		    "after its worker's death", (int)pid, n);
}

/*
 * A worker died with breakpoints in attached process pid, still that
 * process (its ledger): put each byte back, but only over an int3, and
 * clear its debug registers if it had any set.  The process may have met
 * one between the worker's death and now.
 */
static void
worker_unbreak(struct worker *w, pid_t pid)
{
	struct worker_ledger *l = w->w_ledger;
	struct worker_bp *b;
	char path[64];
	uint8_t now;
	unsigned n = 0;
	size_t j;
	int fd = -1;

	if (l == NULL)
		return;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	for (j = 0; j < WORKER_MAX_BPS; j++) {
		b = &l->wl_bps[j];
		if (b->wb_pid != pid)
			continue;
		if (fd == -1 && (fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
			log_warn("process %d: its worker's breakpoints",
			    (int)pid);
			break;
		}
		if (pread(fd, &now, 1, (off_t)b->wb_addr) == 1 &&
		    now == WORKER_BP_INSN &&
		    pwrite(fd, &b->wb_saved, 1, (off_t)b->wb_addr) == 1)
			n++;
	}
	if (fd != -1)
		close(fd);
	if (n > 0)
		log_warnx("process %d: %u breakpoints taken out after its "
		    "worker's death", (int)pid, n);
	worker_unwatch(l, pid);
}

/*
 * A worker ended.  If it died rather than finished, its launched
 * processes died with it (PTRACE_O_EXITKILL) and the kernel detached the
 * attached ones: those may be stopped, so they get SIGCONT.  Nothing is
 * left stopped forever, and the log names each one's end.
 */
static void
worker_ended(struct worker *w, int status)
{
	struct held *h;
	size_t i;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("worker %d (%s): session ended", (int)w->w_pid,
		    w->w_desc);
	} else {
		if (WIFSIGNALED(status))
			log_warnx("worker %d (%s) died of signal %d",
			    (int)w->w_pid, w->w_desc, WTERMSIG(status));
		else
			log_warnx("worker %d (%s) failed, status %d",
			    (int)w->w_pid, w->w_desc, WEXITSTATUS(status));
		/* What it told before it died: attached processes too. */
		while (worker_read(w) == 1)
			;
		if (w->w_ledger != NULL && w->w_ledger->wl_lost > 0)
			log_warnx("worker %d: %u breakpoints found its ledger "
			    "full (WORKER_MAX_BPS, %d): they may stay",
			    (int)w->w_pid, w->w_ledger->wl_lost,
			    WORKER_MAX_BPS);
		for (i = 0; i < w->w_nheld; i++) {
			h = &w->w_held[i];
			if (!h->h_attached) {
				log_warnx("process %d: killed with its worker",
				    (int)h->h_pid);
				continue;
			}
			if (!still_same(h->h_pid, h->h_start)) {
				log_warnx("process %d: detached with its "
				    "worker's end, and gone since",
				    (int)h->h_pid);
				continue;
			}
			worker_unbreak(w, h->h_pid);
			if (kill(h->h_pid, SIGCONT) == -1)
				log_warn("process %d: SIGCONT", (int)h->h_pid);
			else
				log_warnx("process %d: detached running with "
				    "its worker's end", (int)h->h_pid);
		}
		/* Held children: the same, by their tree's kind. */
		for (i = 0; i < w->w_nkids; i++) {
			struct wchild *k = &w->w_kids[i];
			int rc;

			if (!k->k_attached) {
				log_warnx("held child %d (parent %d): killed "
				    "with its worker", (int)k->k_pid,
				    (int)k->k_ppid);
				continue;
			}
			/* The kernel's detach let it run: it may be gone. */
			if (still_same(k->k_pid, k->k_start))
				rc = kill(k->k_pid, SIGCONT);
			else {
				rc = -1;
				errno = ESRCH;
			}
			if (rc == -1 && errno != ESRCH)
				log_warn("held child %d: SIGCONT",
				    (int)k->k_pid);
			else
				log_warnx("held child %d (parent %d): "
				    "detached running with its worker's end%s",
				    (int)k->k_pid, (int)k->k_ppid,
				    rc == -1 ? ", and gone since" : "");
		}
	}
	worker_forget(w);
}

static void
platform_sigchld(int sig, void *arg)
{
	struct platform *pf = arg;
	struct worker *w, *tw;
	int status;

	/* Only our workers: a shell command's child is reaped by its own. */
	TAILQ_FOREACH_SAFE(w, &pf->pf_workers, w_entry, tw) {
		if (waitpid(w->w_pid, &status, WNOHANG) == w->w_pid)
			worker_ended(w, status);
	}
}

/* Hand the connection over; runs at the top of a loop turn. */
static void
pconn_spawn(void *arg)
{
	struct pconn *pc = arg;
	struct platform *pf = pc->pc_pf;
	struct worker_ledger *ledger;
	struct worker *w;
	struct gsess *s = pc->pc_sess;
	pid_t pid;
	int ctl;

	/* The client left between the packet and this turn. */
	if (s->s_conn == NULL) {
		log_info("%s: gone before its session started", pc->pc_desc);
		pconn_free(pc);
		return;
	}
	if (pf->pf_nworkers == pf->pf_maxworkers) {
		log_warnx("%s: %zu sessions already; refused", pc->pc_desc,
		    pf->pf_maxworkers);
		gdb_error(s, EAGAIN, "too many sessions");
		pconn_free(pc);
		return;
	}
	if ((w = pc->pc_route) != NULL) {
		/* A claim or a watch: to the worker of that tree. */
		if (worker_pass(w->w_ctl, s, s->s_conn, pc->pc_bind,
		    pc->pc_bindlen) == -1) {
			log_warn("%s: passing to worker %d", pc->pc_desc,
			    (int)w->w_pid);
			gdb_error(s, errno, "cannot reach the session");
		} else
			log_info("%s: passed to worker %d", pc->pc_desc,
			    (int)w->w_pid);
		pconn_free(pc);
		return;
	}
	/* Without a ledger the session still runs; a death costs more. */
	if ((ledger = worker_ledger_new()) == NULL)
		log_warn("%s: breakpoint ledger", pc->pc_desc);
	if ((pid = worker_spawn(ledger, s, s->s_conn, pc->pc_bind,
	    pc->pc_bindlen, &ctl, &pf->pf_handoff, pf->pf_addr)) == -1) {
		log_warn("%s: fork", pc->pc_desc);
		gdb_error(s, errno, "cannot start a session");
		worker_ledger_free(ledger);
		pconn_free(pc);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->w_pf = pf;
	w->w_pid = pid;
	w->w_ledger = ledger;
	w->w_ctl = ctl;
	strlcpy(w->w_desc, pc->pc_desc, sizeof(w->w_desc));
	if (loop_add_fd(pf->pf_loop, ctl, LOOP_READ, worker_msg, w) == -1)
		fatal("loop_add_fd");
	TAILQ_INSERT_TAIL(&pf->pf_workers, w, w_entry);
	pf->pf_nworkers++;
	log_info("%s: session worker %d", pc->pc_desc, (int)pid);
	pconn_free(pc);
}

/* ------------------------------------------------------------ packets */

static void
pconn_hand_over(struct pconn *pc, struct worker *to, const char *pkt,
    size_t len)
{
	struct gsess *s = pc->pc_sess;

	pc->pc_route = to;
	pc->pc_bind = xmalloc(len + 1);
	memcpy(pc->pc_bind, pkt, len);
	pc->pc_bind[len] = '\0';
	pc->pc_bindlen = len;
	conn_pause(s->s_conn);
	loop_defer(pc->pc_pf->pf_loop, pconn_spawn, pc);
}

/* vAttach;PID of a held child goes to its worker. */
static struct worker *
claim_route(struct platform *pf, const char *pkt, size_t len)
{
	struct rsp_cursor c;
	struct worker *w;
	uint64_t pid;

	rsp_cursor_init(&c, pkt, len);
	if (!rsp_cursor_skip(&c, "vAttach;") || rsp_get_hex(&c, &pid) == -1 ||
	    pid == 0 || pid > INT32_MAX)
		return NULL;
	if ((w = worker_by_child(pf, (pid_t)pid, NULL)) != NULL)
		return w;
	/* A child held so recently its worker has not said so yet. */
	return worker_by_tracer(pf, (pid_t)pid);
}

static void
pconn_bind(struct gsess *s, const char *pkt, size_t len)
{
	struct pconn *pc = s->s_ops_arg;

	pconn_hand_over(pc, claim_route(pc->pc_pf, pkt, len), pkt, len);
}

/* The address clients reach us by: ours, or the forward's side. */
static int
platform_port(struct platform *pf)
{
	return pf->pf_advertise != 0 ? pf->pf_advertise :
	    pf->pf_ep.ep_bound_port;
}

static void
platform_launch_server(struct pconn *pc)
{
	struct platform *pf = pc->pc_pf;
	struct gsess *s = pc->pc_sess;
	struct rsp_buf *b = &s->s_reply;

	/*
	 * No process is started: the next connection to this same port
	 * gets a worker when it launches or attaches.  So there is no pid
	 * to name, and lldb asks for none.
	 */
	pc->pc_launched = true;
	log_info("%s: qLaunchGDBServer: naming port %d%s", pc->pc_desc,
	    platform_port(pf),
	    pf->pf_ep.ep_bound_port == 0 ? " (socket)" : "");
	rsp_buf_reset(b);
	if (pf->pf_ep.ep_bound_port != 0)
		rsp_buf_addf(b, "port:%d;", platform_port(pf));
	else {
		rsp_buf_addf(b, "port:0;socket_name:");
		rsp_buf_addhex(b, pf->pf_ep.ep_path, strlen(pf->pf_ep.ep_path));
		rsp_buf_addc(b, ';');
	}
	gdb_reply_buf(s);
}

static void
platform_query_server(struct pconn *pc)
{
	struct platform *pf = pc->pc_pf;
	struct gsess *s = pc->pc_sess;
	struct rsp_buf json;

	/* lldb-server's answer when no server waits for a connection. */
	if (!pc->pc_launched) {
		gdb_replyf(s, "E04");
		return;
	}
	rsp_buf_init(&json);
	if (pf->pf_ep.ep_bound_port != 0)
		rsp_buf_addf(&json, "[{\"port\":%d}]", platform_port(pf));
	else {
		rsp_buf_addf(&json, "[{\"port\":0,\"socket_name\":");
		gdb_json_string(&json, pf->pf_ep.ep_path);
		rsp_buf_addf(&json, "}]");
	}
	/* JSON has '}', the protocol's escape: send it escaped. */
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addbin(&s->s_reply, rsp_buf_head(&json), rsp_buf_used(&json));
	rsp_buf_free(&json);
	gdb_reply_buf(s);
}

/* qKillSpawnedProcess:PID: a process of one of our sessions, or one. */
static void
platform_kill_spawned(struct pconn *pc, struct rsp_cursor *c)
{
	struct platform *pf = pc->pc_pf;
	struct held *h = NULL;
	struct worker *w;
	const char *f, *errstr;
	char num[16];
	size_t flen;
	pid_t pid;

	/* Decimal, as lldb sends it. */
	if (rsp_get_field(c, ';', &f, &flen) == -1 || flen == 0 ||
	    flen >= sizeof(num)) {
		gdb_error(pc->pc_sess, EINVAL, "expected a pid");
		return;
	}
	memcpy(num, f, flen);
	num[flen] = '\0';
	pid = strtonum(num, 1, INT32_MAX, &errstr);
	if (errstr != NULL) {
		gdb_error(pc->pc_sess, EINVAL, "expected a pid");
		return;
	}
	if ((w = worker_by_pid(pf, pid, &h)) != NULL) {
		log_info("qKillSpawnedProcess: killing %d", (int)pid);
		if (kill(pid, SIGKILL) == -1) {
			gdb_error(pc->pc_sess, errno, "kill failed");
			return;
		}
	} else if ((w = worker_by_pid(pf, pid, NULL)) != NULL) {
		log_info("qKillSpawnedProcess: ending session %d", (int)pid);
		kill(pid, SIGTERM);
	} else {
		/* lldb-server's reply for a pid it did not spawn. */
		gdb_replyf(pc->pc_sess, "E0a");
		return;
	}
	gdb_ok(pc->pc_sess);
}

/* QHandoffWatch:PID goes to the worker that traces or holds PID. */
static void
platform_watch(struct pconn *pc, struct rsp_cursor *c)
{
	struct platform *pf = pc->pc_pf;
	struct held *h;
	struct worker *w;
	uint64_t pid;
	bool connect;
	char pkt[64];
	int n;

	if (handoff_watch_args(pc->pc_sess, c, &pid, &connect) == -1)
		return;
	if (pid == 0) {
		gdb_error(pc->pc_sess, ESRCH, "no process to watch");
		return;
	}
	if ((w = worker_by_pid(pf, (pid_t)pid, &h)) == NULL &&
	    (w = worker_by_child(pf, (pid_t)pid, NULL)) == NULL &&
	    (w = worker_by_tracer(pf, (pid_t)pid)) == NULL) {
		gdb_error(pc->pc_sess, ESRCH, "no such process here");
		return;
	}
	n = snprintf(pkt, sizeof(pkt), "QHandoffWatch:%x%s", (unsigned)pid,
	    connect ? ";via:connect" : "");
	pconn_hand_over(pc, w, pkt, (size_t)n);
}

/* qHandoffList: every worker's held children. */
static void
platform_list(struct pconn *pc, struct rsp_cursor *c)
{
	static const char *const kinds[] = { ['f'] = "fork", ['v'] = "vfork",
	    ['e'] = "exec" };
	struct worker *w;
	struct wchild *k;
	uint64_t start, i = 0;
	unsigned n = 0;
	size_t j;

	if (handoff_list_start(pc->pc_sess, c, &start) == -1)
		return;
	TAILQ_FOREACH(w, &pc->pc_pf->pf_workers, w_entry) {
		for (j = 0; j < w->w_nkids; j++) {
			k = &w->w_kids[j];
			if (i++ < start)
				continue;
			if (!handoff_list_add(pc->pc_sess, &n, k->k_pid,
			    k->k_ppid, kinds[k->k_kind == 'v' ? 'v' :
			    k->k_kind == 'e' ? 'e' : 'f'],
			    loop_now() - k->k_since, "held"))
				goto out;
		}
	}
out:
	gdb_reply_buf(pc->pc_sess);
}

static int
pconn_query(struct gsess *s, struct rsp_cursor *cur)
{
	struct pconn *pc = s->s_ops_arg;
	struct rsp_cursor c = *cur;

	if (rsp_cursor_skip(&c, "QHandoffWatch"))
		platform_watch(pc, &c);
	else if (rsp_cursor_skip(&c, "qHandoffList"))
		platform_list(pc, &c);
	else if (rsp_cursor_skip(&c, "qLaunchGDBServer"))
		platform_launch_server(pc);
	else if (rsp_cursor_skip(&c, "qQueryGDBServer"))
		platform_query_server(pc);
	else if (rsp_cursor_skip(&c, "qKillSpawnedProcess:"))
		platform_kill_spawned(pc, &c);
	else
		return -1;
	return 0;
}

static const struct gsess_ops pconn_ops = {
	.so_bind = pconn_bind,
	.so_query = pconn_query,
};

/* ------------------------------------------------------------ connections */

static void
pconn_free(struct pconn *pc)
{
	struct platform *pf = pc->pc_pf;

	loop_undefer(pf->pf_loop, pconn_spawn, pc);
	if (pc->pc_timer != 0)
		loop_del_timer(pf->pf_loop, pc->pc_timer);
	TAILQ_REMOVE(&pf->pf_conns, pc, pc_entry);
	pf->pf_nconns--;
	pc->pc_sess->s_ops = NULL;
	gsess_free(pc->pc_sess);
	free(pc->pc_bind);
	free(pc);
	pf->pf_served = true;
}

/* A connection that said nothing costs us a timer, then nothing. */
static void
pconn_hello_timeout(void *arg)
{
	struct pconn *pc = arg;

	pc->pc_timer = 0;
	if (pc->pc_sess->s_conn == NULL || pc->pc_sess->s_conn->c_packets > 0)
		return;
	log_info("%s: no packet in %llu ms; closed", pc->pc_desc,
	    (unsigned long long)pc->pc_pf->pf_hello_ms);
	pconn_free(pc);
}

static void
platform_accept(int fd, int events, void *arg)
{
	struct platform *pf = arg;
	struct pconn *pc;
	char desc[128];
	int cfd;

	if ((cfd = ep_accept(&pf->pf_ep, desc, sizeof(desc))) == -1) {
		ep_accept_failed(&pf->pf_ep, pf->pf_loop);
		return;
	}
	if (pf->pf_nconns == PLATFORM_MAX_CONNS) {
		log_warnx("%s: %d connections wait already; refused", desc,
		    PLATFORM_MAX_CONNS);
		close(cfd);
		return;
	}
	pc = xcalloc(1, sizeof(*pc));
	pc->pc_pf = pf;
	strlcpy(pc->pc_desc, desc, sizeof(pc->pc_desc));
	pc->pc_sess = gsess_new(pf->pf_loop);
	pc->pc_sess->s_ops = &pconn_ops;
	pc->pc_sess->s_ops_arg = pc;
	pc->pc_sess->s_once = true;
	gsess_attach_conn(pc->pc_sess, cfd, cfd, "platform");
	pc->pc_timer = loop_add_timer(pf->pf_loop, pf->pf_hello_ms,
	    pconn_hello_timeout, pc);
	TAILQ_INSERT_TAIL(&pf->pf_conns, pc, pc_entry);
	pf->pf_nconns++;
	log_info("%s: connected", desc);
}

/* Free the connections whose clients left (without binding). */
static void
platform_sweep(struct platform *pf)
{
	struct pconn *pc, *tpc;

	TAILQ_FOREACH_SAFE(pc, &pf->pf_conns, pc_entry, tpc) {
		if (pc->pc_bind == NULL && gsess_done(pc->pc_sess)) {
			log_debug("%s: gone", pc->pc_desc);
			pconn_free(pc);
		}
	}
}

static void
platform_terminate(int sig, void *arg)
{
	struct platform *pf = arg;
	struct worker *w;

	log_info("signal %d: ending every session", sig);
	TAILQ_FOREACH(w, &pf->pf_workers, w_entry)
		kill(w->w_pid, SIGTERM);
	loop_stop(pf->pf_loop);
}

/* Wait for the workers we asked to end, then forget them. */
static void
platform_reap_all(struct platform *pf)
{
	struct worker *w;
	int status;

	while ((w = TAILQ_FIRST(&pf->pf_workers)) != NULL) {
		if (waitpid(w->w_pid, &status, 0) == -1 && errno == EINTR)
			continue;
		worker_ended(w, status);
	}
}

/* lldb-server's --socket-file: the port (or path), written atomically. */
static int
write_socket_file(struct platform *pf, const char *path)
{
	char tmp[4096], id[EP_MAX_PATH + 16];
	FILE *fp;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	ep_socket_id(&pf->pf_ep, id, sizeof(id));
	fputs(id, fp);
	if (fclose(fp) == EOF || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
platform_caps(void)
{
	char kept[256];

	log_info("%s trace other users' processes (CAP_SYS_PTRACE)",
	    caps_can_trace_others() ? "can" : "cannot");
	if (caps_limit(kept, sizeof(kept)) == -1)
		log_warn("dropping capabilities");
	log_info("capabilities kept: %s", kept);
}

static int
get_port(const char *s, const char *what, int *port)
{
	const char *errstr;

	*port = strtonum(s, 0, 65535, &errstr);
	if (errstr != NULL) {
		warnx("%s %s: %s", what, s, errstr);
		return -1;
	}
	return 0;
}

int
cmd_platform(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", no_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'L' },
		{ "advertise-port", required_argument, NULL, 'A' },
		{ "socket-file", required_argument, NULL, 'f' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "hello-timeout", required_argument, NULL, 'H' },
		{ "max-sessions", required_argument, NULL, 'n' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "log-channels", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "gdbserver-port", required_argument, NULL, 'P' },
		{ "min-gdbserver-port", required_argument, NULL, 'm' },
		{ "max-gdbserver-port", required_argument, NULL, 'M' },
		{ "port-offset", required_argument, NULL, 'o' },
		HANDOFF_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct platform pf = {
		.pf_hello_ms = PLATFORM_HELLO_MS,
		.pf_maxworkers = PLATFORM_MAX_WORKERS,
	};
	const char *listen = NULL, *logfile = NULL, *sockfile = NULL;
	const char *pidfile = NULL, *errstr, *unneeded = NULL;
	char err[512], where[EP_MAX_PATH + 64];
	int ch, rc, level = 0, port, offset = 0;
	pid_t other;

	handoff_opts_init(&pf.pf_handoff);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if ((rc = handoff_getopt(&pf.pf_handoff, ch, optarg)) != 1) {
			if (rc == -1)
				return 1;
			continue;
		}
		switch (ch) {
		case 's': pf.pf_server = true; break;
		case 'L': listen = optarg; break;
		case 'f': sockfile = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'l': logfile = optarg; break;
		case 'c': case 'd': case 'v':
			level = level < 1 ? 1 : 2;
			break;
		case 'A':
			if (get_port(optarg, "--advertise-port", &port) == -1)
				return 1;
			pf.pf_advertise = port;
			break;
		case 'o':
			offset = strtonum(optarg, -65535, 65535, &errstr);
			if (errstr != NULL) {
				warnx("--port-offset %s: %s", optarg, errstr);
				return 1;
			}
			break;
		case 'H':
			pf.pf_hello_ms = strtonum(optarg, 1,
			    PLATFORM_MAX_HELLO_MS, &errstr);
			if (errstr != NULL) {
				warnx("--hello-timeout %s: %s", optarg, errstr);
				return 1;
			}
			break;
		case 'n':
			pf.pf_maxworkers = strtonum(optarg, 1,
			    PLATFORM_LIMIT_WORKERS, &errstr);
			if (errstr != NULL) {
				warnx("--max-sessions %s: %s", optarg, errstr);
				return 1;
			}
			break;
		case 'P': case 'm': case 'M':
			if (get_port(optarg, "port", &port) == -1)
				return 1;
			unneeded = ch == 'P' ? "--gdbserver-port" : ch == 'm' ?
			    "--min-gdbserver-port" : "--max-gdbserver-port";
			break;
		case 'h':
			platform_usage(stdout);
			return 0;
		case 'V':
			handoffd_version();
			return 0;
		default:
			platform_usage(stderr);
			return 1;
		}
	}
	/* Started by systemd's socket activation: its socket is ours. */
	if (listen == NULL && getenv("LISTEN_FDS") != NULL)
		listen = "sd-listen://";
	if (optind != argc || listen == NULL) {
		if (listen == NULL)
			warnx("--listen ADDRESS is needed");
		platform_usage(stderr);
		return 1;
	}
	log_init(level, logfile);
	handoff_configure(&pf.pf_handoff);
	log_procinit("platform");
	if (unneeded != NULL)
		log_info("%s: not needed, sessions share the listening port",
		    unneeded);
	if (regs_init() == -1)
		fatal("cannot describe this CPU's registers");
	if (ep_parse(&pf.pf_ep, listen, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return 1;
	}
	pf.pf_ep.ep_any_uid = pf.pf_handoff.ho_allow_any_uid;
	if (!ep_listening(&pf.pf_ep)) {
		warnx("%s: the platform listens; it cannot connect out or "
		    "serve on stdio", listen);
		return 1;
	}
	if (pidfile != NULL &&
	    (pf.pf_pidfh = pidfile_open(pidfile, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			warnx("already running as pid %d (%s)", (int)other,
			    pidfile);
		else
			warn("%s", pidfile);
		return 1;
	}
	if (ep_listen(&pf.pf_ep, err, sizeof(err)) == -1) {
		warnx("%s", err);
		if (pf.pf_pidfh != NULL)
			pidfile_remove(pf.pf_pidfh);
		return 1;
	}
	if (pf.pf_advertise == 0 && offset != 0)
		pf.pf_advertise = pf.pf_ep.ep_bound_port + offset;
	if (pf.pf_pidfh != NULL)
		pidfile_write(pf.pf_pidfh);
	if (sockfile != NULL && write_socket_file(&pf, sockfile) == -1) {
		warn("%s", sockfile);
		return 1;
	}
	platform_caps();
	proc_title("platform %s", listen);
	ep_describe(&pf.pf_ep, where, sizeof(where));
	ep_address(&pf.pf_ep, platform_port(&pf), pf.pf_addr,
	    sizeof(pf.pf_addr));
	fprintf(stderr, "Listening on %s\n", where);
	fflush(stderr);
	log_info("listening on %s", where);

	TAILQ_INIT(&pf.pf_conns);
	TAILQ_INIT(&pf.pf_workers);
	pf.pf_loop = loop_new();
	signal(SIGPIPE, SIG_IGN);
	if (loop_add_signal(pf.pf_loop, SIGCHLD, platform_sigchld, &pf) == -1 ||
	    loop_add_signal(pf.pf_loop, SIGTERM, platform_terminate, &pf) ==
	    -1 || loop_add_signal(pf.pf_loop, SIGINT, platform_terminate, &pf)
	    == -1 || loop_add_signal(pf.pf_loop, SIGHUP, platform_terminate,
	    &pf) == -1)
		fatal("signals");
	if (loop_add_fd(pf.pf_loop, pf.pf_ep.ep_fd, LOOP_READ,
	    platform_accept, &pf) == -1)
		fatal("loop_add_fd");

	while (!loop_stopped(pf.pf_loop)) {
		if (loop_once(pf.pf_loop, -1) == -1)
			fatal("event loop");
		platform_sweep(&pf);
		if (!pf.pf_server && pf.pf_served && pf.pf_nconns == 0 &&
		    pf.pf_nworkers == 0) {
			log_info("first client done; exiting (no --server)");
			break;
		}
	}
	while (!TAILQ_EMPTY(&pf.pf_conns))
		pconn_free(TAILQ_FIRST(&pf.pf_conns));
	platform_reap_all(&pf);
	ep_close(&pf.pf_ep);
	if (pf.pf_pidfh != NULL)
		pidfile_remove(pf.pf_pidfh);
	loop_free(pf.pf_loop);
	return 0;
}
