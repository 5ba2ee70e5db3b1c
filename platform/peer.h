/*
 * peer.h -- who is on the other end of a connected socket, for the
 * fork-handoff claim check (docs/protocol.md, "Who may claim").
 *
 * Unix sockets: SO_PEERCRED.  TCP from loopback: the kernel's socket
 * table (NETLINK_SOCK_DIAG) names the uid that created the peer's
 * socket.  Never logs, never exits.
 */
#ifndef PLATFORM_PEER_H
#define PLATFORM_PEER_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>

/*
 * The uid on the other end of fd: 0 and *uid, or -1 with errno:
 * ENOTSOCK	fd is not a socket;
 * EAFNOSUPPORT	neither AF_UNIX nor a TCP socket of AF_INET/AF_INET6;
 * ENOTCONN	not connected;
 * EADDRNOTAVAIL	a TCP peer not on loopback: its user cannot be known;
 * ENOENT	no live socket of the kernel's has the peer's address and
 *		port (another network namespace, or closed: a peer in
 *		TIME_WAIT is gone, not root, whatever the kernel says);
 * else the error of the netlink query.
 * For TCP the uid is the one that created the peer's socket.
 */
int	peer_uid(int fd, uid_t *uid);

/*
 * May this peer take our processes?  Our own uid (geteuid) or root, found
 * by peer_uid; allow_any: any TCP peer (a unix peer must still be ours).
 * Non-socket fds (stdio, pipes: the client started us) are entitled.  On
 * refusal returns false and writes a one-line reason in why ("peer uid
 * 1000 is neither 0 nor ours", "TCP peer 10.0.0.5 is not on loopback:
 * its user cannot be known").
 */
bool	peer_entitled(int fd, bool allow_any, char *why, size_t whylen);
/* The one rule: our own user, or root. */
bool	peer_uid_ok(uid_t uid);

/* Is sa in 127.0.0.0/8, ::1 or ::ffff:127.0.0.0/104?  Exposed to test. */
bool	peer_addr_loopback(const struct sockaddr *sa);

#endif /* PLATFORM_PEER_H */
