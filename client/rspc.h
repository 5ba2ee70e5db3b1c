/*
 * rspc.h -- a small RSP client: connect, send packets, read replies.
 *
 * Used by the tests, the benchmarks and handoffctl.  Blocking I/O with
 * a timeout on every read; depends only on rsp/.  Never logs, never
 * exits: -1 with errno on failure (ETIMEDOUT, ECONNRESET, EPROTO).
 */
#ifndef CLIENT_RSPC_H
#define CLIENT_RSPC_H

#include <stdbool.h>
#include <stddef.h>

#include "rsp/rsp.h"

#define RSPC_DEFAULT_TIMEOUT_MS	10000	/* per reply */

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
};

/*
 * "[HOST]:PORT" (an empty HOST is localhost) or a unix socket path
 * ("unix:PATH" or with a '/'; "unix:@NAME" is abstract).
 */
struct rspc *rspc_connect(const char *addr);
/* Wrap a connected descriptor (taken over: closed on failure too). */
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
 * notifications seen meanwhile are kept in r_notify.  A reply past
 * RSP_MAX_PACKET or with a bad escape or run fails with EPROTO; the
 * connection stays usable.
 */
ssize_t	 rspc_wait(struct rspc *, const char **reply);
/* Send raw bytes as they are (bad input for tests, 0x03). */
int	 rspc_send_raw(struct rspc *, const void *, size_t);
/* qSupported then QStartNoAckMode; returns 0 or -1. */
int	 rspc_handshake(struct rspc *, const char *features);

#endif /* CLIENT_RSPC_H */
