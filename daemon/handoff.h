/*
 * handoff.h -- fork handoff: the children a process holds, the sessions
 * that take them, and who is told (docs/protocol.md).
 *
 * One process (handoffd gdbserver, or one session worker of the platform
 * daemon) traces one process tree and serves every connection to it: the
 * first session, the children's sessions, watchers, and connections that
 * come to claim.  Each session has a target of its own; the kernel's
 * news is routed among them (tgt_route).  A child born to any of them is
 * held here, stopped, until a session claims it or its hold ends.
 */
#ifndef DAEMON_HANDOFF_H
#define DAEMON_HANDOFF_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HANDOFF_MAX_HELD	64	/* --max-held default */
#define HANDOFF_MAX_HELD_LIMIT	4096	/* --max-held at most */
#define HANDOFF_HOLD_TIMEOUT	60	/* --hold-timeout default, seconds */
#define HANDOFF_MAX_HOLD_TIMEOUT 86400	/* --hold-timeout at most */
#define HANDOFF_LIST_PAGE	128	/* qHandoffList entries per reply */
/* Sessions one process serves: every held child claimed, and more. */
#define HANDOFF_MAX_SESSIONS	(HANDOFF_MAX_HELD_LIMIT + 256)

enum fork_mode {
	FORK_AUTO,		/* watcher, else fork events, else hold */
	FORK_HANDOFF,		/* watcher, else hold; never fork events */
	FORK_DETACH,		/* let every child go, no fork events */
	FORK_MULTIPLEX,		/* fork events always; else let go */
};

enum unclaimed {
	UNCLAIMED_DETACH_STOPPED,	/* detached, left in a group stop */
	UNCLAIMED_RESUME,		/* detached, running */
	UNCLAIMED_KILL,
};

struct handoff_opts {
	enum fork_mode	 ho_mode;
	enum unclaimed	 ho_unclaimed;
	unsigned	 ho_hold_timeout;	/* seconds */
	unsigned	 ho_max_held;
	bool		 ho_allow_any_uid;
	bool		 ho_no_host_io;		/* vFile, qPlatform_mkdir/chmod */
	bool		 ho_no_shell;		/* qPlatform_shell */
	unsigned	 ho_stall_timeout;	/* seconds, 0: never */
};

struct endpoint;
struct gsess;
struct loop;
struct rsp_cursor;

/* What the process around the sessions does for them. */
struct handoff_host {
	/* A child is held (or no longer): for the daemon's routing. */
	void	(*hh_held)(pid_t pid, pid_t ppid, const char *kind,
		    bool attached, bool gone);
};

void	 handoff_opts_init(struct handoff_opts *);
/* The options in force (handoff_init sets them too; the daemon only this). */
void	 handoff_configure(const struct handoff_opts *);
/* Does this server offer GDB's fork events (fork-events+)? */
bool	 handoff_fork_events(void);
/* May clients use the host's files (vFile...), and run commands there? */
bool	 handoff_host_io(void);
bool	 handoff_shell(void);
/*
 * The handoff options both commands take: --fork-mode, --hold-timeout,
 * --unclaimed, --max-held, --allow-any-uid (val NULL).  0 when taken,
 * -1 with a message in err for a bad value.
 */
int	 handoff_opt(struct handoff_opts *, const char *name, const char *val,
	    char *err, size_t errlen);
/* The help text of those options. */
extern const char handoff_usage[];
/* Those options for getopt_long, and their codes, past every character. */
#define HANDOFF_OPT_BASE	0x100
#define HANDOFF_LONG_OPTIONS						\
	{ "fork-mode", required_argument, NULL, HANDOFF_OPT_BASE + 0 },	\
	{ "hold-timeout", required_argument, NULL, HANDOFF_OPT_BASE + 1 }, \
	{ "unclaimed", required_argument, NULL, HANDOFF_OPT_BASE + 2 },	\
	{ "max-held", required_argument, NULL, HANDOFF_OPT_BASE + 3 },	\
	{ "allow-any-uid", no_argument, NULL, HANDOFF_OPT_BASE + 4 },	\
	{ "no-host-io", no_argument, NULL, HANDOFF_OPT_BASE + 5 },	\
	{ "no-shell", no_argument, NULL, HANDOFF_OPT_BASE + 6 },	\
	{ "stall-timeout", required_argument, NULL, HANDOFF_OPT_BASE + 7 }
/*
 * getopt_long's ch: 0 when it was one of ours and is taken, -1 when its
 * value is bad (the message printed), 1 when it is not ours.
 */
int	 handoff_getopt(struct handoff_opts *, int ch, const char *arg);

/*
 * Start serving: first is the session that exists already (its settings
 * are the template of every new one); reverse, if not NULL, is where a
 * --reverse-connect session connects to, and where a child's connects.
 * addr says, for the log, where a claim connects ("127.0.0.1:1234").
 */
void	 handoff_init(struct loop *, const struct handoff_opts *,
	    struct gsess *first, const struct endpoint *reverse,
	    const char *addr, const struct handoff_host *);
/* Where claims connect, for the log, once the port is bound. */
void	 handoff_set_addr(const char *);
/* Every session of the process: gsess_new and gsess_free call these. */
void	 handoff_track(struct gsess *);
void	 handoff_untrack(struct gsess *);
/* A new connection to serve (our port, or passed by the daemon). */
struct gsess *handoff_session(int fd, const char *name);
/* SIGCHLD: every session looks at the kernel's news. */
void	 handoff_poll_all(void);
/* Free the sessions that are over; at every turn of the loop. */
void	 handoff_reap(void);
/*
 * Nothing left: no session but the first, and (held_too) no child
 * held for a claim.
 */
bool	 handoff_idle(bool held_too);
/* The process ends: every held child gets the --unclaimed action. */
void	 handoff_end(const char *why);
/*
 * A child's session loses its client (why): if that was a descriptor
 * passed to a watcher, with no packet sent on it, the child was never
 * claimed, and gets the --unclaimed action; true then, and the session
 * is over.
 */
bool	 handoff_declined(struct gsess *, uint64_t packets, const char *why);

/* Packets (gdb.c dispatches them). */
/* qSupported's fork-handoff+: the client watches its own tree. */
void	 handoff_supported(struct gsess *);
void	 gdb_handoff_watch(struct gsess *, struct rsp_cursor *);
int	 handoff_watch_args(struct gsess *, struct rsp_cursor *, uint64_t *,
	    bool *);
void	 gdb_handoff_list(struct gsess *, struct rsp_cursor *);
/*
 * Building a qHandoffList reply elsewhere (the platform daemon): read
 * START (0, or -1 after an error reply), then add entries until one
 * does not fit the page (false), then gdb_reply_buf.
 */
int	 handoff_list_start(struct gsess *, struct rsp_cursor *, uint64_t *);
bool	 handoff_list_add(struct gsess *, unsigned *n, pid_t pid, pid_t ppid,
	    const char *kind, uint64_t age_ms, const char *state);
/* vAttach;PID: true when PID was held here (the reply is sent). */
bool	 gdb_handoff_claim(struct gsess *, pid_t);
/* True when a session here traces pid. */
bool	 handoff_traces(pid_t);
/* Every process every session here traces. */
struct proc;
void	 handoff_foreach_proc(void (*)(struct proc *, void *), void *);

#endif /* DAEMON_HANDOFF_H */
