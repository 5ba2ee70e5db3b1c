/*
 * handoff.h -- the client side of the fork handoff (docs/protocol.md):
 * watch a tree, take each %Handoff with its descriptor, list the held
 * children, claim one.
 *
 * Built on rspc; never logs, never exits: -1 (or NULL) with errno.
 */
#ifndef CLIENT_HANDOFF_H
#define CLIENT_HANDOFF_H

#include <sys/types.h>

#include <stddef.h>

#include "client/rspc.h"

#define HANDOFF_MAX_NOTIFY	256	/* bytes of a %Handoff payload */
#define HANDOFF_MAX_LIST	65536	/* entries qHandoffList may give */

/* One %Handoff notification. */
struct handoff {
	pid_t	h_pid;
	pid_t	h_ppid;
	pid_t	h_tid;
	char	h_kind[8];	/* fork|vfork|exec */
	char	h_via[8];	/* fd|connect|reverse */
	int	h_fd;		/* via:fd: the child's connection, else -1 */
};

/* One held child, from qHandoffList. */
struct handoff_entry {
	pid_t		pid;
	pid_t		ppid;
	pid_t		tid;
	char		kind[8];	/* fork|vfork|exec */
	unsigned long	age_ms;
	char		state[16];	/* held|to-exec */
};

/*
 * QHandoffWatch (pid 0: the tree this connection is bound to) or
 * QHandoffWatch:PID.  0 on OK; -1 with errno ESRCH (E03), EACCES (E0d),
 * EOPNOTSUPP (empty reply), EPROTO (anything else), or rspc's.
 */
int	handoff_watch(struct rspc *, pid_t pid);

/*
 * Wait up to timeout_ms (< 0: forever) for the next %Handoff; other
 * notifications are skipped (a descriptor with them closed).  On
 * success h_fd is the child's connection for via:fd, the caller's to
 * close, and -1 otherwise.  -1 with errno: ETIMEDOUT, ECONNRESET, or
 * EPROTO for a notification that does not parse (the connection stays
 * usable), or that parses but lacks its descriptor (via:fd, e.g. lost in
 * transit) or brings one it should not: then *h is filled in all the
 * same, with h_fd -1, so the caller can say which child was lost.
 */
int	handoff_next(struct rspc *, struct handoff *, int timeout_ms);

/*
 * Parse a notification payload ("Handoff:pid:..;ppid:..;tid:..;
 * kind:..;via:..", no '%' or checksum).  The five fields must each be
 * there once, in any order; pids are 1 to 8 hex digits, non-zero;
 * unknown fields are skipped if they are NAME:VALUE.  h_fd is set to -1.
 * 0, or -1 with EPROTO (*h then undefined).
 */
int	handoff_parse(const char *payload, size_t len, struct handoff *);

/*
 * Page through qHandoffList until its 'l'.  Stores up to max entries in
 * out and returns how many the server listed (more than max: out holds
 * the first max).  -1 with errno: the error reply's, EOPNOTSUPP for an
 * empty reply, EPROTO for a page that does not parse, or rspc's.
 */
ssize_t	handoff_list(struct rspc *, struct handoff_entry *out, size_t max);

/*
 * What the library's connections say in qSupported: GDB's dialect (a
 * bare qSupported is lldb's, with lldb's signal and error numbers).
 */
#define HANDOFF_FEATURES	"swbreak+"

/*
 * Connect to addr, shake hands (qSupported, no-ack mode if offered) and
 * send vAttach;PID.  Returns the connection, bound to the child, with
 * its stop reply copied to stop (NUL-terminated, cut to stoplen; stop
 * may be NULL); or NULL with errno: the error reply's number (the
 * daemon sends errno values: E03 ESRCH, E0d EACCES, E10 EBUSY), EPROTO
 * for a reply that is neither, or connect's.
 */
struct rspc *handoff_claim(const char *addr, pid_t pid, char *stop,
	    size_t stoplen);

#endif /* CLIENT_HANDOFF_H */
