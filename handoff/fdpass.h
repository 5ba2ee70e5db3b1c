/*
 * fdpass.h -- passing a descriptor over a unix socket (SCM_RIGHTS).
 *
 * Shared by the daemon (connections to workers), the workers (fork
 * handoff to a unix-socket client) and the client library.  Depends on
 * nothing of ours; never logs, never exits.
 *
 * Ownership: fdpass_send never closes the descriptor it is given; the
 * caller keeps it whatever happens.  fdpass_recv returns a new
 * close-on-exec descriptor the caller owns, or -1 in *fd when the
 * message carried none.
 */
#ifndef HANDOFF_FDPASS_H
#define HANDOFF_FDPASS_H

#include <sys/types.h>

#include <stddef.h>

/*
 * Send len (>= 1) bytes of buf with fd attached (fd -1: none).  Returns
 * the bytes sent (the descriptor rides with the first of them; a short
 * count means the rest is still to send, without it), or -1 with errno
 * (EAGAIN on a full non-blocking socket: nothing was sent).
 */
ssize_t	fdpass_send(int sock, int fd, const void *buf, size_t len);

/* *fd after a receive whose control data was bad: see fdpass_recv. */
#define FDPASS_LOST	(-2)

/*
 * Receive up to len (>= 1) bytes into buf and at most one descriptor
 * into *fd.  Returns the bytes received (0 at end of stream), or -1 with
 * errno (EAGAIN).  *fd is the descriptor, or -1 when none came, or
 * FDPASS_LOST when the control data was not exactly one descriptor of
 * SCM_RIGHTS or was cut short (MSG_CTRUNC): every descriptor that did
 * arrive has been closed, and the bytes received are still returned, so
 * a byte stream stays whole.  On a SOCK_SEQPACKET or SOCK_DGRAM socket an
 * empty message may carry a descriptor: 0 is returned with *fd set.
 */
ssize_t	fdpass_recv(int sock, int *fd, void *buf, size_t len);

#endif /* HANDOFF_FDPASS_H */
