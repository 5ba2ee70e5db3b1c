/*
 * rspc.h -- a small RSP client: connect, send packets, read replies.
 *
 * Used by the tests, the benchmarks and handoffctl.  Blocking I/O with
 * a timeout on every read; depends on rsp/ and handoff/fdpass.  Never
 * logs, never exits: -1 with errno on failure (ETIMEDOUT, ECONNRESET,
 * EPROTO).
 */
#ifndef CLIENT_RSPC_H
#define CLIENT_RSPC_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rsp/rsp.h"

#define RSPC_DEFAULT_TIMEOUT_MS	10000	/* per reply */
#define RSPC_MAX_NOTIFY		64	/* notifications kept, not yet taken */
#define RSPC_MAX_PENDFD		4	/* descriptors read ahead of their '%' */

/* A '%' notification kept until rspc_notify_next takes it. */
struct rspc_note {
	char		*n_payload;	/* NUL-terminated */
	size_t		 n_len;
	int		 n_fd;		/* what rode with its '%', or -1 */
};

/* A descriptor read before the decoder reached its notification. */
struct rspc_pendfd {
	int		 p_fd;
	uint64_t	 p_start;	/* stream offset of its '%' */
	uint64_t	 p_end;		/* just past its checksum; 0: not yet */
};

struct rspc {
	int		 r_fd;
	bool		 r_noack;
	int		 r_timeout_ms;	/* per reply or ack; < 0: forever */
	struct rsp_decoder r_dec;
	struct rsp_buf	 r_in;		/* read, not yet decoded */
	struct rsp_buf	 r_out;		/* scratch for framing */
	char		*r_reply;	/* last reply, NUL-terminated */
	size_t		 r_replylen;
	char		*r_notify;	/* last '%' notification seen */
	size_t		 r_notifylen;
	int		 r_notify_fd;	/* its descriptor while queued, or -1 */

	/* Internal: notifications not yet taken, oldest first. */
	struct rspc_note r_nq[RSPC_MAX_NOTIFY];
	size_t		 r_nqfirst;
	size_t		 r_nqlen;
	char		*r_ntaken;	/* the payload rspc_notify_next gave */

	/* Internal: descriptors that came with reads (AF_UNIX only). */
	bool		 r_unix;
	uint64_t	 r_rdpos;	/* stream bytes read */
	uint64_t	 r_decpos;	/* stream bytes decoded */
	int		 r_scan;	/* framing state over what was read */
	int		 r_scankind;	/* '$' or '%' */
	uint64_t	 r_scanstart;	/* offset of the packet being read */
	struct rspc_pendfd r_pend[RSPC_MAX_PENDFD];
	size_t		 r_npend;
};

/*
 * "[HOST]:PORT" or "tcp://HOST:PORT" (an empty HOST is localhost); a
 * unix socket path ("unix:PATH", "unix://PATH" or anything with a '/');
 * an abstract unix socket ("unix:@NAME", "unix-abstract:NAME",
 * "unix-abstract://NAME"); or an inherited connected descriptor
 * ("fd:N", "fd://N"), taken over and made close-on-exec.
 */
struct rspc *rspc_connect(const char *addr);
/*
 * Wrap a connected descriptor (taken over: closed on failure too).  On
 * an AF_UNIX socket, descriptors that ride with a notification's '%'
 * (SCM_RIGHTS) are kept with that notification.
 */
struct rspc *rspc_from_fd(int fd);
void	 rspc_close(struct rspc *);

/*
 * Send a packet and wait for its reply (acks handled; a NAK resends).
 * The reply is valid until the next call.  Returns its length or -1.
 */
ssize_t	 rspc_request(struct rspc *, const char *payload, size_t len,
	    const char **reply);
ssize_t	 rspc_requeststr(struct rspc *, const char *payload,
	    const char **reply);
ssize_t	 rspc_requestf(struct rspc *, const char **reply, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
/* Send a packet without waiting for any reply. */
int	 rspc_send(struct rspc *, const char *payload, size_t len);
/*
 * Wait for the next packet (e.g. a stop reply after vCont).  '%'
 * notifications seen meanwhile are kept in r_notify and queued for
 * rspc_notify_next.  A reply past
 * RSP_MAX_PACKET or with a bad escape or run fails with EPROTO; the
 * connection stays usable.
 */
ssize_t	 rspc_wait(struct rspc *, const char **reply);
/* Send raw bytes as they are (bad input for tests, 0x03). */
int	 rspc_send_raw(struct rspc *, const void *, size_t);
/*
 * Take the oldest notification not yet taken, reading for up to
 * timeout_ms (< 0: forever, 0: only what is there) when none is queued.
 * Every notification read, here or while waiting for a reply, is queued
 * (the oldest dropped past RSPC_MAX_NOTIFY, its descriptor closed).
 * Returns the payload's length with *payload (NUL-terminated, valid
 * until the next call) and *fd: the descriptor that rode with its '%',
 * now the caller's, or -1.  A '$' packet meanwhile is acked and dropped.
 * -1 with errno: ETIMEDOUT, ECONNRESET, or EPROTO for a notification
 * with a bad checksum, escape or length (the connection stays usable).
 */
ssize_t	 rspc_notify_next(struct rspc *, int timeout_ms,
	    const char **payload, int *fd);
/* qSupported then QStartNoAckMode; returns 0 or -1. */
int	 rspc_handshake(struct rspc *, const char *features);

#endif /* CLIENT_RSPC_H */
