/*
 * handoff.c -- fork handoff (see handoff.h and docs/protocol.md).
 *
 * A child is held from its fork event (platform/events.c asks
 * hold_child) until one of:
 *   - a watcher on a unix socket: a socketpair end, bound to the child by
 *     a new session here, rides with the %Handoff notification;
 *   - a --reverse-connect session: we connect out again for the child;
 *   - a connection sends vAttach;PID (via:connect, or any entitled
 *     client: stock gdb's attach, lldb's process attach);
 *   - --hold-timeout, --max-held, or the end of the process: the
 *     --unclaimed action.
 * The work of a new child is deferred out of the wait status that told
 * us (hold_child runs inside tgt_status): settle() does it next turn.
 */
#include <sys/ptrace.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/conn.h"
#include "daemon/gdb.h"
#include "daemon/handoff.h"
#include "daemon/listen.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "platform/peer.h"

const char handoff_usage[] =
"Fork handoff (docs/protocol.md):\n"
"  --fork-mode auto|handoff|multiplex|detach\n"
"                         a forked child: handed to a watcher, else (auto)\n"
"                         the client's fork event, else held for a claim;\n"
"                         handoff: never fork events; multiplex: always\n"
"                         fork events; detach: let go\n"
"  --hold-timeout SECS    an unclaimed child's hold (default 60)\n"
"  --unclaimed detach-stopped|resume|kill\n"
"                         then (default detach-stopped)\n"
"  --max-held N           children held at once (default 64, at most 4096)\n"
"  --allow-any-uid        let any TCP peer claim or watch\n"
"\n"
"Host access (docs/security.md):\n"
"  --no-host-io           refuse clients the host's files (vFile,\n"
"                         qPlatform_mkdir, qPlatform_chmod)\n"
"  --no-shell             refuse clients commands (qPlatform_shell)\n"
"  --stall-timeout SECS   close a client that has read nothing for SECS\n"
"                         while its replies pile up (default 60; 0: never)\n";

struct held {
	TAILQ_ENTRY(held) h_entry;
	pid_t		 h_pid;
	pid_t		 h_ppid;
	const char	*h_kind;	/* "fork", "vfork", "exec" */
	bool		 h_attached;	/* its tree was attached, not launched */
	bool		 h_toexec;	/* vfork child running to its exec */
	bool		 h_new;		/* settle() has yet to see it */
	bool		 h_announced;	/* counts against --max-held */
	uint64_t	 h_since;	/* loop_now() when held */
	uint64_t	 h_timer;	/* hold timeout, 0 if none */
};

static struct {
	bool		 inited;
	struct loop	*loop;
	struct handoff_opts opts;
	struct gsess	*first;
	const struct endpoint *reverse;
	char		 addr[128];
	const struct handoff_host *host;
	TAILQ_HEAD(, gsess) sessions;
	unsigned	 nsessions;
	TAILQ_HEAD(, held) held;
	uint64_t	 watch_seq;
} ho = {
	.sessions = TAILQ_HEAD_INITIALIZER(ho.sessions),
	.held = TAILQ_HEAD_INITIALIZER(ho.held),
};

static const char *const unclaimed_name[] = {
	[UNCLAIMED_DETACH_STOPPED] = "detach-stopped",
	[UNCLAIMED_RESUME] = "resume",
	[UNCLAIMED_KILL] = "kill",
};

/* ------------------------------------------------------------ options */

void
handoff_opts_init(struct handoff_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ho_mode = FORK_AUTO;
	o->ho_unclaimed = UNCLAIMED_DETACH_STOPPED;
	o->ho_hold_timeout = HANDOFF_HOLD_TIMEOUT;
	o->ho_max_held = HANDOFF_MAX_HELD;
	o->ho_stall_timeout = CONN_STALL_SECS;
}

int
handoff_opt(struct handoff_opts *o, const char *name, const char *val,
    char *err, size_t errlen)
{
	const char *errstr;
	unsigned i;

	if (strcmp(name, "allow-any-uid") == 0) {
		o->ho_allow_any_uid = true;
		return 0;
	}
	if (strcmp(name, "no-host-io") == 0) {
		o->ho_no_host_io = true;
		return 0;
	}
	if (strcmp(name, "no-shell") == 0) {
		o->ho_no_shell = true;
		return 0;
	}
	if (val == NULL) {
		snprintf(err, errlen, "--%s needs a value", name);
		return -1;
	}
	if (strcmp(name, "fork-mode") == 0) {
		if (strcmp(val, "auto") == 0)
			o->ho_mode = FORK_AUTO;
		else if (strcmp(val, "handoff") == 0)
			o->ho_mode = FORK_HANDOFF;
		else if (strcmp(val, "detach") == 0)
			o->ho_mode = FORK_DETACH;
		else if (strcmp(val, "multiplex") == 0)
			o->ho_mode = FORK_MULTIPLEX;
		else {
			snprintf(err, errlen, "--fork-mode %s: expected auto, "
			    "handoff, detach or multiplex", val);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "unclaimed") == 0) {
		for (i = 0; i < sizeof(unclaimed_name) / sizeof(*unclaimed_name);
		    i++) {
			if (strcmp(val, unclaimed_name[i]) == 0) {
				o->ho_unclaimed = i;
				return 0;
			}
		}
		snprintf(err, errlen, "--unclaimed %s: expected detach-stopped, "
		    "resume or kill", val);
		return -1;
	}
	if (strcmp(name, "hold-timeout") == 0) {
		o->ho_hold_timeout = strtonum(val, 1, HANDOFF_MAX_HOLD_TIMEOUT,
		    &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "--hold-timeout %s: %s (1 to %u "
			    "seconds)", val, errstr, HANDOFF_MAX_HOLD_TIMEOUT);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "max-held") == 0) {
		o->ho_max_held = strtonum(val, 0, HANDOFF_MAX_HELD_LIMIT,
		    &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "--max-held %s: %s (0 to %u)", val,
			    errstr, HANDOFF_MAX_HELD_LIMIT);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "stall-timeout") == 0) {
		o->ho_stall_timeout = strtonum(val, 0, CONN_MAX_STALL_SECS,
		    &errstr);
		if (errstr != NULL) {
			snprintf(err, errlen, "--stall-timeout %s: %s (0 to %u "
			    "seconds)", val, errstr, CONN_MAX_STALL_SECS);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "--%s: not a handoff option", name);
	return -1;
}

int
handoff_getopt(struct handoff_opts *o, int ch, const char *arg)
{
	static const char *const names[] = {
		"fork-mode", "hold-timeout", "unclaimed", "max-held",
		"allow-any-uid", "no-host-io", "no-shell", "stall-timeout",
	};
	char err[256];

	if (ch < HANDOFF_OPT_BASE ||
	    ch >= HANDOFF_OPT_BASE + (int)(sizeof(names) / sizeof(*names)))
		return 1;
	if (handoff_opt(o, names[ch - HANDOFF_OPT_BASE], arg, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "handoffd: %s\n", err);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ sessions */

static void
poll_cb(void *arg)
{
	gdb_check(arg);
}

/* Another session's wait took news of this one's: it looks this turn. */
static void
wake_cb(void *arg)
{
	struct gsess *s = arg;

	loop_defer(s->s_loop, poll_cb, s);
}

static enum tgt_fate hold_child(void *, const struct tgt_child *);

void
handoff_track(struct gsess *s)
{
	if (!ho.inited || s->s_tracked)
		return;
	s->s_tracked = true;
	s->s_tgt->g_hold = hold_child;
	s->s_tgt->g_hold_arg = s;
	s->s_tgt->g_wake = wake_cb;
	s->s_tgt->g_wake_arg = s;
	TAILQ_INSERT_TAIL(&ho.sessions, s, s_entry);
	ho.nsessions++;
}

void
handoff_untrack(struct gsess *s)
{
	if (!s->s_tracked)
		return;
	loop_undefer(s->s_loop, poll_cb, s);
	TAILQ_REMOVE(&ho.sessions, s, s_entry);
	ho.nsessions--;
	s->s_tracked = false;
	if (s == ho.first)
		ho.first = NULL;
}

struct gsess *
handoff_session(int fd, const char *name)
{
	struct gsess *s, *t = ho.first;

	if (ho.nsessions >= HANDOFF_MAX_SESSIONS) {
		log_warnx("%s refused: %u sessions already", name,
		    HANDOFF_MAX_SESSIONS);
		close(fd);
		return NULL;
	}
	s = gsess_new(ho.loop);
	handoff_track(s);
	s->s_once = true;
	if (t != NULL) {
		s->s_disabled = t->s_disabled;
		s->s_lldb_server = t->s_lldb_server;
		s->s_shell = t->s_shell;
		s->s_no_aslr = t->s_no_aslr;
	}
	gsess_attach_conn(s, fd, fd, name);
	return s;
}

/*
 * One wait for all: a wait per session would scan every tracee each.
 * Each target that got news wakes its session (wake_cb), which looks
 * at the end of this turn; the others have nothing to look at.
 */
void
handoff_poll_all(void)
{
	tgt_reap();
}

/*
 * Sessions of children and claimers that are over: at every turn of the
 * loop (handoff_reap), not only once the first session has ended, or a
 * long session's server would keep every connection it ever had.
 */
static void
reap(void)
{
	struct gsess *s, *ts;

	TAILQ_FOREACH_SAFE(s, &ho.sessions, s_entry, ts) {
		/* Every session but the first is handoff_session's. */
		if (s != ho.first && gsess_done(s))
			gsess_free(s);
	}
}

void
handoff_set_addr(const char *addr)
{
	strlcpy(ho.addr, addr, sizeof(ho.addr));
}

void
handoff_reap(void)
{
	reap();
}

bool
handoff_idle(bool held_too)
{
	reap();
	return (!held_too || TAILQ_EMPTY(&ho.held)) &&
	    ho.nsessions <= (ho.first != NULL ? 1u : 0u);
}

/* The most recent watcher still connected, or NULL. */
static struct gsess *
watcher(void)
{
	struct gsess *s, *best = NULL;

	TAILQ_FOREACH(s, &ho.sessions, s_entry) {
		if (s->s_watch != 0 && s->s_conn != NULL &&
		    (best == NULL || s->s_watch > best->s_watch))
			best = s;
	}
	return best;
}

/* ------------------------------------------------------------ held */

static struct held *
held_find(pid_t pid)
{
	struct held *h;

	TAILQ_FOREACH(h, &ho.held, h_entry) {
		if (h->h_pid == pid)
			return h;
	}
	return NULL;
}

static void
held_remove(struct held *h)
{
	if (h->h_timer != 0)
		loop_del_timer(ho.loop, h->h_timer);
	TAILQ_REMOVE(&ho.held, h, h_entry);
	if (ho.host != NULL && ho.host->hh_held != NULL && h->h_announced)
		ho.host->hh_held(h->h_pid, h->h_ppid, h->h_kind, h->h_attached,
		    true);
	free(h);
}

/*
 * --unclaimed: what becomes of a child nobody took, in the ptrace stop
 * of its birth (held since loop_now() was since).
 */
static void
unclaimed_act(pid_t pid, pid_t ppid, const char *kind, uint64_t since,
    const char *why)
{
	unsigned age = (unsigned)((loop_now() - since) / 1000);
	int rc = 0;

	switch (ho.opts.ho_unclaimed) {
	case UNCLAIMED_DETACH_STOPPED:
		/*
		 * A SIGSTOP queued first, then a plain detach: the child
		 * dequeues it afresh and stops.  One given to PTRACE_DETACH
		 * instead takes the place of the signal of the stop it is in,
		 * and do_signal_stop() drops it unless the child had itself
		 * dequeued a stop signal since any SIGCONT: under load in CI
		 * a child so detached ran on (faults.sh section 4).
		 */
		rc = kill(pid, SIGSTOP);
		if (rc == 0)
			rc = ptrace(PTRACE_DETACH, pid, NULL, NULL);
		if (rc == 0)
			log_info("child %d (parent %d, %s) %s after %us: "
			    "detached, stopped; attach to it with gdb -ex "
			    "'target extended-remote %s' -ex 'attach %d', or "
			    "send it SIGCONT", (int)pid, (int)ppid, kind, why,
			    age, ho.addr, (int)pid);
		break;
	case UNCLAIMED_RESUME:
		rc = ptrace(PTRACE_DETACH, pid, NULL, NULL);
		if (rc == 0)
			log_info("child %d (parent %d, %s) %s after %us: "
			    "detached, resumed", (int)pid, (int)ppid, kind, why,
			    age);
		break;
	case UNCLAIMED_KILL:
		rc = kill(pid, SIGKILL);
		if (rc == 0)
			log_info("child %d (parent %d, %s) %s after %us: killed",
			    (int)pid, (int)ppid, kind, why, age);
		break;
	}
	if (rc == -1)
		log_warn("child %d (parent %d): %s", (int)pid, (int)ppid,
		    unclaimed_name[ho.opts.ho_unclaimed]);
}

static void
unclaimed(struct held *h, const char *why)
{
	unclaimed_act(h->h_pid, h->h_ppid, h->h_kind, h->h_since, why);
	held_remove(h);
}

bool
handoff_declined(struct gsess *s, uint64_t packets, const char *why)
{
	struct proc *p;

	if (s->s_passed.pid == 0)
		return false;
	p = tgt_first_proc(s->s_tgt);
	if (packets > 0 || p == NULL || p->p_pid != s->s_passed.pid ||
	    p->p_exited || TAILQ_NEXT(p, p_entry) != NULL) {
		s->s_passed.pid = 0;
		return false;
	}
	/* Untouched, in the stop of its birth: forgotten with no ptrace. */
	tgt_forget(p);
	s->s_last = NULL;
	unclaimed_act(s->s_passed.pid, s->s_passed.ppid, s->s_passed.kind,
	    s->s_passed.since, why);
	s->s_passed.pid = 0;
	s->s_quit = true;
	return true;
}

static void
hold_timeout(void *arg)
{
	struct held *h = arg;

	h->h_timer = 0;
	unclaimed(h, "unclaimed");
}

void
handoff_end(const char *why)
{
	struct gsess *s, *ts;
	struct held *h;

	TAILQ_FOREACH_SAFE(s, &ho.sessions, s_entry, ts) {
		if (s == ho.first)
			continue;
		/* A descriptor passed and not used yet: still unclaimed. */
		handoff_declined(s, s->s_conn != NULL ? s->s_conn->c_packets :
		    0, why);
		gsess_free(s);
	}
	while ((h = TAILQ_FIRST(&ho.held)) != NULL) {
		if (h->h_toexec) {
			/* Running already; it stays so, untraced. */
			ptrace(PTRACE_DETACH, h->h_pid, NULL, NULL);
			log_info("vfork child %d (parent %d) let go before its "
			    "exec: %s", (int)h->h_pid, (int)h->h_ppid, why);
			held_remove(h);
			continue;
		}
		unclaimed(h, why);
	}
}

/*
 * Bind session s to held child h, with no ptrace call: the child is
 * ours already, in a ptrace stop.
 */
static struct thr *
adopt(struct gsess *s, struct held *h, const char *how)
{
	struct proc *p;
	struct thr *t;

	if (tgt_adopt(s->s_tgt, h->h_pid, h->h_attached, &p) == -1) {
		log_warn("child %d: adopt", (int)h->h_pid);
		return NULL;
	}
	t = TAILQ_FIRST(&p->p_threads);
	s->s_last = t;
	s->s_gpid = s->s_gtid = h->h_pid;
	log_info("child %d (parent %d, %s) claimed by %s %s after %ums",
	    (int)h->h_pid, (int)h->h_ppid, h->h_kind,
	    s->s_conn != NULL ? s->s_conn->c_name : "?", how,
	    (unsigned)(loop_now() - h->h_since));
	held_remove(h);
	return t;
}

static bool
conn_is_unix(const struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	return getsockname(c->c_wfd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family == AF_UNIX;
}

/* The %Handoff notification; fd (or -1) rides with it. */
static void
notify(struct gsess *w, pid_t pid, pid_t ppid, const char *kind,
    const char *via, int fd)
{
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg),
	    "Handoff:pid:%x;ppid:%x;tid:%x;kind:%s;via:%s", (unsigned)pid,
	    (unsigned)ppid, (unsigned)pid, kind, via);
	if (conn_notify(w->s_conn, msg, (size_t)n, fd) == -1)
		log_warn("child %d: telling %s", (int)pid, w->s_conn->c_name);
	else
		log_info("child %d (parent %d, %s) announced to %s, via %s",
		    (int)pid, (int)ppid, kind, w->s_conn->c_name, via);
}

/* A new session on fd, bound to h. */
static struct gsess *
session_for(struct held *h, int fd, const char *name, const char *how)
{
	struct gsess *s;

	if ((s = handoff_session(fd, name)) == NULL)
		return NULL;
	if (adopt(s, h, how) == NULL) {
		gsess_free(s);	/* and fd with it */
		return NULL;
	}
	return s;
}

static void
announce(struct held *h)
{
	struct gsess *w = watcher(), *s;
	char name[64], err[256];
	pid_t pid = h->h_pid, ppid = h->h_ppid;
	const char *kind = h->h_kind;
	uint64_t since;
	int sv[2], fd;

	/*
	 * Only now, past --max-held, is the child anyone's to claim: the
	 * daemon (which routes claims) and qHandoffList learn of it here,
	 * never of a child settle() is about to let go.
	 */
	h->h_announced = true;
	if (ho.host != NULL && ho.host->hh_held != NULL)
		ho.host->hh_held(h->h_pid, h->h_ppid, h->h_kind, h->h_attached,
		    false);
	snprintf(name, sizeof(name), "child %d", (int)h->h_pid);
	if (w != NULL)
		snprintf(name, sizeof(name), "%.40s/child %d", w->s_conn->c_name,
		    (int)h->h_pid);
	if (w != NULL && !w->s_watch_connect && conn_is_unix(w->s_conn)) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) ==
		    -1) {
			log_warn("child %d: socketpair", (int)h->h_pid);
			goto hold;
		}
		/* Bound first, then announced; adopt() frees h. */
		since = h->h_since;
		if ((s = session_for(h, sv[0], name, "via fd")) == NULL) {
			close(sv[1]);
			goto hold;
		}
		s->s_passed.pid = pid;
		s->s_passed.ppid = ppid;
		s->s_passed.kind = kind;
		s->s_passed.since = since;
		notify(w, pid, ppid, kind, "fd", sv[1]);
		return;
	}
	if (ho.reverse != NULL) {
		if ((fd = ep_connect((struct endpoint *)ho.reverse, err,
		    sizeof(err))) == -1) {
			log_warnx("child %d: reverse connect: %s",
			    (int)h->h_pid, err);
			goto hold;
		}
		if (session_for(h, fd, name, "via reverse connect") == NULL)
			goto hold;
		if (w != NULL)
			notify(w, pid, ppid, kind, "reverse", -1);
		return;
	}
hold:
	if (w != NULL)
		notify(w, pid, ppid, kind, "connect", -1);
	else
		log_info("child %d (parent %d, %s) held; claim it on %s with "
		    "vAttach;%x (gdb: attach %d)", (int)h->h_pid,
		    (int)h->h_ppid, h->h_kind, ho.addr, (unsigned)h->h_pid,
		    (int)h->h_pid);
	h->h_timer = loop_add_timer(ho.loop,
	    (uint64_t)ho.opts.ho_hold_timeout * 1000, hold_timeout, h);
}

/* New children, outside the wait status that told us of them. */
static void
settle(void *arg)
{
	struct held *h, *th;
	unsigned announced = 0;

	TAILQ_FOREACH(h, &ho.held, h_entry)
		announced += h->h_announced;
	TAILQ_FOREACH_SAFE(h, &ho.held, h_entry, th) {
		if (!h->h_new)
			continue;
		h->h_new = false;
		if (h->h_toexec) {
			log_info("vfork child %d (parent %d) runs to its exec, "
			    "to be held there", (int)h->h_pid, (int)h->h_ppid);
			if (ptrace(PTRACE_CONT, h->h_pid, NULL, NULL) == -1) {
				log_warn("vfork child %d", (int)h->h_pid);
				held_remove(h);
			}
			continue;
		}
		if (announced >= ho.opts.ho_max_held) {
			unclaimed(h, "over --max-held");
			continue;
		}
		announced++;
		announce(h);
	}
}

/*
 * tgt's question at each fork (DESIGN section 5): a watcher gets the
 * child; else a client that asked for fork events gets the fork stop
 * with the child kept on its connection; else the child is held for a
 * claim.  --fork-mode handoff never uses fork events, multiplex always
 * does (a client that cannot take them: the child goes, as gdbserver
 * lets it), detach lets every child go.
 */
static enum tgt_fate
hold_child(void *arg, const struct tgt_child *c)
{
	struct gsess *s = arg;
	struct held *h;
	bool events = c->c_how == CHILD_VFORK ? s->s_vfork_events :
	    s->s_fork_events;

	/* A clone: lldb-server tells lldb of it as a fork; gdbserver not. */
	if (c->c_how == CHILD_CLONE)
		return s->s_lldb && events && (ho.opts.ho_mode == FORK_AUTO ||
		    ho.opts.ho_mode == FORK_MULTIPLEX) ? CHILD_KEEP :
		    CHILD_LET_GO;
	switch (ho.opts.ho_mode) {
	case FORK_DETACH:
		return CHILD_LET_GO;
	case FORK_MULTIPLEX:
		return events ? CHILD_KEEP : CHILD_LET_GO;
	case FORK_AUTO:
		if (events && watcher() == NULL) {
			log_info("child %d of %d: a %s event for %s", (int)c->c_pid,
			    (int)c->c_ppid, c->c_how == CHILD_VFORK ? "vfork" :
			    "fork", s->s_conn != NULL ? s->s_conn->c_name :
			    "the session");
			return CHILD_KEEP;
		}
		break;
	case FORK_HANDOFF:
		break;
	}
	h = xcalloc(1, sizeof(*h));
	h->h_pid = c->c_pid;
	h->h_ppid = c->c_ppid;
	h->h_attached = c->c_attached;
	h->h_toexec = (c->c_how == CHILD_VFORK);
	h->h_kind = h->h_toexec ? "vfork" : "fork";
	h->h_new = true;
	h->h_since = loop_now();
	TAILQ_INSERT_TAIL(&ho.held, h, h_entry);
	log_info("child %d of %d held at its %s", (int)h->h_pid,
	    (int)h->h_ppid, h->h_kind);
	loop_defer(ho.loop, settle, NULL);
	return CHILD_HOLD;
}

/* Wait statuses of held children (no session knows them). */
static bool
held_status(void *arg, pid_t pid, int status)
{
	struct held *h = held_find(pid);
	int sig, event;

	if (h == NULL)
		return false;
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (WIFEXITED(status))
			log_info("child %d (parent %d, %s) exited with status "
			    "%d while held", (int)pid, (int)h->h_ppid,
			    h->h_kind, WEXITSTATUS(status));
		else
			log_info("child %d (parent %d, %s) killed by signal %d "
			    "while held", (int)pid, (int)h->h_ppid, h->h_kind,
			    WTERMSIG(status));
		held_remove(h);
		return true;
	}
	if (!WIFSTOPPED(status) || !h->h_toexec)
		return true;	/* a held child stays stopped */
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	if (sig == SIGTRAP && event == PTRACE_EVENT_EXEC) {
		h->h_toexec = false;
		h->h_kind = "exec";
		h->h_new = true;
		h->h_since = loop_now();
		loop_defer(ho.loop, settle, NULL);
		return true;
	}
	/* On its way to the exec: its own signals go through. */
	if (sig == SIGTRAP || event != 0 || sig == (SIGTRAP | 0x80))
		sig = 0;
	ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	return true;
}

void
handoff_configure(const struct handoff_opts *o)
{
	ho.opts = *o;
	conn_set_stall(o->ho_stall_timeout);
}

bool
handoff_host_io(void)
{
	return !ho.opts.ho_no_host_io;
}

bool
handoff_shell(void)
{
	return !ho.opts.ho_no_shell;
}

bool
handoff_fork_events(void)
{
	return ho.opts.ho_mode == FORK_AUTO || ho.opts.ho_mode == FORK_MULTIPLEX;
}

void
handoff_init(struct loop *l, const struct handoff_opts *o, struct gsess *first,
    const struct endpoint *reverse, const char *addr,
    const struct handoff_host *host)
{
	ho.inited = true;
	ho.loop = l;
	handoff_configure(o);
	ho.reverse = reverse;
	ho.host = host;
	strlcpy(ho.addr, addr != NULL ? addr : "this server's port",
	    sizeof(ho.addr));
	tgt_set_stray(held_status, NULL);
	if (first != NULL) {
		ho.first = first;
		handoff_track(first);
		if (first->s_fork_handoff && first->s_watch == 0)
			first->s_watch = ++ho.watch_seq;
	}
}

/* ------------------------------------------------------------ packets */

/* May the client of s take our processes?  An error reply if not. */
static bool
entitled(struct gsess *s)
{
	char why[256];

	if (s->s_conn == NULL)
		return false;
	if (peer_entitled(s->s_conn->c_rfd, ho.opts.ho_allow_any_uid, why,
	    sizeof(why)))
		return true;
	log_info("%s refused: %s", s->s_conn->c_name, why);
	gdb_error(s, EACCES, why);
	return false;
}

bool
handoff_traces(pid_t pid)
{
	struct gsess *s;
	struct proc *p;

	TAILQ_FOREACH(s, &ho.sessions, s_entry) {
		if ((p = tgt_proc(s->s_tgt, pid)) != NULL && !p->p_exited)
			return true;
	}
	return false;
}

void
handoff_foreach_proc(void (*fn)(struct proc *, void *), void *arg)
{
	struct gsess *s;
	struct proc *p;

	TAILQ_FOREACH(s, &ho.sessions, s_entry) {
		TAILQ_FOREACH(p, &s->s_tgt->g_procs, p_entry)
			fn(p, arg);
	}
}

/* A process this process traces (any session's), or holds. */
static bool
ours(pid_t pid)
{
	return held_find(pid) != NULL || handoff_traces(pid);
}

/* qSupported's fork-handoff+: the client watches its own tree. */
void
handoff_supported(struct gsess *s)
{
	s->s_fork_handoff = true;
	s->s_watch = ++ho.watch_seq;
}

/*
 * QHandoffWatch[:PID][;via:connect]'s arguments.  via:connect asks for
 * every child to be held for a same-port claim even on a unix socket,
 * for a client (gdb) that must open its own connection to a child.
 * -1: a reply was sent (an error, or empty for QHandoffWatchFOO).
 */
int
handoff_watch_args(struct gsess *s, struct rsp_cursor *c, uint64_t *pid,
    bool *connect)
{
	*pid = 0;
	*connect = false;
	if (!rsp_cursor_eof(c) && *c->c_p != ':' && *c->c_p != ';') {
		gdb_empty(s);
		return -1;
	}
	if (rsp_cursor_skip(c, ":") && (rsp_get_hex(c, pid) == -1 ||
	    *pid == 0 || *pid > INT32_MAX)) {
		gdb_error(s, EINVAL, "bad pid");
		return -1;
	}
	if (rsp_cursor_skip(c, ";via:")) {
		if (rsp_cursor_skip(c, "connect"))
			*connect = true;
		else if (!rsp_cursor_skip(c, "fd")) {
			gdb_error(s, EINVAL, "via: fd or connect");
			return -1;
		}
	}
	if (!rsp_cursor_eof(c)) {
		gdb_error(s, EINVAL, "bad QHandoffWatch");
		return -1;
	}
	return 0;
}

/* QHandoffWatch[:PID][;via:connect] */
void
gdb_handoff_watch(struct gsess *s, struct rsp_cursor *c)
{
	uint64_t pid;
	bool connect;

	if (handoff_watch_args(s, c, &pid, &connect) == -1)
		return;
	if (!ho.inited || (pid == 0 && tgt_first_proc(s->s_tgt) == NULL) ||
	    (pid != 0 && !ours((pid_t)pid))) {
		gdb_error(s, ESRCH, pid == 0 ? "no process to watch" :
		    "no such process here");
		return;
	}
	if (!entitled(s))
		return;
	s->s_watch = ++ho.watch_seq;
	s->s_watch_connect = connect;
	log_info("%s watches for handoffs%s", s->s_conn->c_name,
	    connect ? ", to claim them on the port" : "");
	gdb_ok(s);
}

int
handoff_list_start(struct gsess *s, struct rsp_cursor *c, uint64_t *start)
{
	*start = 0;
	if (rsp_cursor_skip(c, ":") && rsp_get_hex(c, start) == -1) {
		gdb_error(s, EINVAL, "bad start");
		return -1;
	}
	if (!rsp_cursor_eof(c)) {
		gdb_empty(s);
		return -1;
	}
	rsp_buf_reset(&s->s_reply);
	rsp_buf_addc(&s->s_reply, 'l');
	return 0;
}

bool
handoff_list_add(struct gsess *s, unsigned *n, pid_t pid, pid_t ppid,
    const char *kind, uint64_t age_ms, const char *state)
{
	struct rsp_buf *b = &s->s_reply;

	if (*n == HANDOFF_LIST_PAGE) {
		*(char *)rsp_buf_head(b) = 'm';
		return false;
	}
	rsp_buf_addf(b, "%spid:%x,ppid:%x,tid:%x,kind:%s,age:%llx,state:%s",
	    *n > 0 ? ";" : "", (unsigned)pid, (unsigned)ppid, (unsigned)pid,
	    kind, (unsigned long long)age_ms, state);
	(*n)++;
	return true;
}

/* qHandoffList[:START] */
void
gdb_handoff_list(struct gsess *s, struct rsp_cursor *c)
{
	struct held *h;
	uint64_t start, i = 0;
	unsigned n = 0;

	if (handoff_list_start(s, c, &start) == -1)
		return;
	TAILQ_FOREACH(h, &ho.held, h_entry) {
		/* Not yet settled: it may be let go at the end of the turn. */
		if (!h->h_announced && !h->h_toexec)
			continue;
		if (i++ < start)
			continue;
		if (!handoff_list_add(s, &n, h->h_pid, h->h_ppid, h->h_kind,
		    loop_now() - h->h_since, h->h_toexec ? "to-exec" : "held"))
			break;
	}
	gdb_reply_buf(s);
}

bool
gdb_handoff_claim(struct gsess *s, pid_t pid)
{
	struct held *h;
	struct thr *t;

	if (!ho.inited || (h = held_find(pid)) == NULL)
		return false;
	if (h->h_toexec) {
		gdb_error(s, EBUSY, "the vfork child has not reached its exec");
		return true;
	}
	if (!entitled(s) || gdb_busy(s))
		return true;
	if ((t = adopt(s, h, "via vAttach")) == NULL) {
		gdb_error(s, errno, "cannot take the child");
		return true;
	}
	fprintf(stderr, "Attached; pid = %d\n", (int)pid);
	gdb_stop_reply(s, t);
	return true;
}
